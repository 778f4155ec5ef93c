package loadgen

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEstimate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		usage Usage
		want  map[string]float64
	}{
		{name: "nothing used", usage: Usage{}, want: map[string]float64{}},
		{name: "REST API", usage: Usage{RESTRequests: 1_000_000}, want: map[string]float64{"apigateway": 3.50}},
		{name: "HTTP API", usage: Usage{HTTPRequests: 2_000_000}, want: map[string]float64{"apigateway": 2.00}},
		{
			name:  "Lambda arm64 and x86",
			usage: Usage{LambdaRequests: 1_000_000, LambdaGBSecondsARM: 100_000, LambdaGBSecondsX86: 60_000},
			want:  map[string]float64{"lambda": 0.20 + 1.33334 + 1.000002},
		},
		{
			name:  "DynamoDB on-demand",
			usage: Usage{DynamoDBRRU: 2_000_000, DynamoDBWRU: 1_000_000},
			want:  map[string]float64{"dynamodb": 0.25 + 0.625},
		},
		{
			name:  "Step Functions",
			usage: Usage{StepFunctionsStandardTransitions: 4_000, StepFunctionsExpressRequests: 1_000_000, StepFunctionsExpressGBHours: 10},
			want:  map[string]float64{"stepfunctions": 0.10 + 1.00 + 0.60},
		},
		{
			name: "stage 04 in miniature: 1,000 orders",
			usage: Usage{
				RESTRequests:                     1_000,
				LambdaRequests:                   3_000,
				LambdaGBSecondsARM:               3_000 * 0.128 * 0.05,
				DynamoDBRRU:                      2_000,
				DynamoDBWRU:                      4_000,
				SQSRequests:                      3_000,
				EventBridgeEvents:                3_000,
				StepFunctionsStandardTransitions: 8_000,
				StepFunctionsExpressRequests:     1_000,
				StepFunctionsExpressGBHours:      1_000 * 0.1 * 64.0 / 1024 / 3600,
				AppSyncEventsOperations:          4_000,
				PipesRequests:                    1_000,
			},
			want: map[string]float64{
				"apigateway":    0.0035,
				"lambda":        0.0006 + 19.2*0.0000133334,
				"dynamodb":      0.00025 + 0.0025,
				"sqs":           0.0012,
				"eventbridge":   0.003,
				"pipes":         0.0004,
				"stepfunctions": 0.2 + 0.001 + 0.06/576,
				"appsync":       0.004,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Estimate(tt.usage)
			assert.Equal(t, "2026-11-27", got.PriceDate)
			require.Len(t, got.ByService, len(tt.want))
			total := 0.0
			for service, usd := range tt.want {
				assert.InDelta(t, usd, got.ByService[service], 1e-9, service)
				total += usd
			}
			assert.InDelta(t, total, got.TotalUSD, 1e-9)
		})
	}
}

// Every Usage counter has a price, and every price has a counter.
func TestEstimatePricesEveryCounter(t *testing.T) {
	t.Parallel()
	v := reflect.ValueOf(&Usage{}).Elem()
	for i := range v.NumField() {
		var u Usage
		f := reflect.ValueOf(&u).Elem().Field(i)
		if f.CanInt() {
			f.SetInt(1_000_000)
		} else {
			f.SetFloat(1_000_000)
		}
		assert.Positive(t, Estimate(u).TotalUSD, "Usage.%s has no price", v.Type().Field(i).Name)
	}
	date, list := Prices()
	assert.Equal(t, "2026-11-27", date)
	assert.Len(t, list, v.NumField(), "one price per Usage counter")
	for _, p := range list {
		assert.True(t, strings.HasPrefix(p.Source, "https://aws.amazon.com/"), "%s needs a source", p.Key)
		assert.Positive(t, p.USD)
		assert.Positive(t, p.Per)
	}
}

func TestSetCost(t *testing.T) {
	t.Parallel()
	r := &Result{Offered: 500}
	r.SetCost(Cost{TotalUSD: 0.02})
	require.NotNil(t, r.CostPer1k)
	assert.InDelta(t, 0.04, *r.CostPer1k, 1e-12)
	assert.InDelta(t, 0.02, r.Cost.TotalUSD, 1e-12)

	empty := &Result{}
	empty.SetCost(Cost{TotalUSD: 1})
	assert.Nil(t, empty.CostPer1k, "no orders, no cost per order")
}

// Every order the provider took money for is checked against what its customer was told: no
// accepted order (an error answer or a customer who gave up) or an order that ended failed.
func TestReconcileCharges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses map[string]string
		paid     []string
		want     ChargeAccounting
	}{
		{"every charge has a good order", map[string]string{"o-1": "ready", "o-2": "paid"}, []string{"o-1", "o-2"},
			ChargeAccounting{Paid: 2}},
		{"a charge without an accepted order", map[string]string{"o-1": "ready"}, []string{"o-1", "o-9"},
			ChargeAccounting{Paid: 2, NotAccepted: 1, Sample: []string{"o-9: no accepted order (error answer or gave up)"}}},
		{"a charged order that failed", map[string]string{"o-1": "failed", "o-2": "ready"}, []string{"o-1", "o-2"},
			ChargeAccounting{Paid: 2, Failed: 1, Sample: []string{"o-1: order failed"}}},
		{"no charges", map[string]string{"o-1": "failed"}, nil, ChargeAccounting{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Result{OrderStatuses: tt.statuses}
			r.Reconcile(tt.paid)
			require.NotNil(t, r.Charges)
			assert.Equal(t, tt.want, *r.Charges)
		})
	}
}
