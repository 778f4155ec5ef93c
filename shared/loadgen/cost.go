package loadgen

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed prices.json
var pricesJSON []byte

// Usage counts what a run consumed, as the emulator meters it. Express GB-hours are already
// rounded the way AWS bills them (100 ms, 64 MB steps); Lambda GB-seconds are billed duration
// (1 ms) times memory.
type Usage struct {
	RESTRequests                     int64   // API Gateway REST API requests
	HTTPRequests                     int64   // API Gateway HTTP API requests
	LambdaRequests                   int64   // Lambda invocations
	LambdaGBSecondsARM               float64 // Lambda duration on arm64
	LambdaGBSecondsX86               float64 // Lambda duration on x86_64
	DynamoDBRRU                      float64 // on-demand read request units
	DynamoDBWRU                      float64 // on-demand write request units
	DynamoDBReplicatedWRU            float64 // global tables: replicated write request units applied in the other regions
	SQSRequests                      int64   // SQS standard API requests (64 KB chunks)
	EventBridgeEvents                int64   // custom events published
	StepFunctionsStandardTransitions int64   // Step Functions Standard state transitions
	StepFunctionsExpressRequests     int64   // Step Functions Express executions
	StepFunctionsExpressGBHours      float64 // Step Functions Express duration
	AppSyncEventsOperations          int64   // AppSync Events operations
	PipesRequests                    int64   // EventBridge Pipes requests after filtering
}

// Price is one line of the embedded us-east-1 price table: USD per Per units.
type Price struct {
	Key     string  `json:"key"`
	Service string  `json:"service"`
	USD     float64 `json:"usd"`
	Per     float64 `json:"per"`
	Unit    string  `json:"unit"`
	Source  string  `json:"source"`
	Note    string  `json:"note,omitempty"`
}

type priceTable struct {
	Region string  `json:"region"`
	Date   string  `json:"date"`
	Note   string  `json:"note"`
	Prices []Price `json:"prices"`
}

var prices = func() priceTable {
	var t priceTable
	if err := json.Unmarshal(pricesJSON, &t); err != nil {
		panic(fmt.Sprintf("loadgen: prices.json: %v", err)) // embedded at build time; a test reads it
	}
	return t
}()

// Prices returns the price table Estimate uses, with each price's source.
func Prices() (date string, list []Price) {
	return prices.Date, slices.Clone(prices.Prices)
}

// Estimate prices u with the embedded table. Services without usage are left out of ByService.
func Estimate(u Usage) Cost {
	quantities := map[string]float64{
		"apigateway_rest_requests":           float64(u.RESTRequests),
		"apigateway_http_requests":           float64(u.HTTPRequests),
		"lambda_requests":                    float64(u.LambdaRequests),
		"lambda_gb_seconds_arm64":            u.LambdaGBSecondsARM,
		"lambda_gb_seconds_x86":              u.LambdaGBSecondsX86,
		"dynamodb_rru":                       u.DynamoDBRRU,
		"dynamodb_wru":                       u.DynamoDBWRU,
		"dynamodb_replicated_wru":            u.DynamoDBReplicatedWRU,
		"sqs_requests":                       float64(u.SQSRequests),
		"eventbridge_events":                 float64(u.EventBridgeEvents),
		"pipes_requests":                     float64(u.PipesRequests),
		"stepfunctions_standard_transitions": float64(u.StepFunctionsStandardTransitions),
		"stepfunctions_express_requests":     float64(u.StepFunctionsExpressRequests),
		"stepfunctions_express_gb_hours":     u.StepFunctionsExpressGBHours,
		"appsync_events_operations":          float64(u.AppSyncEventsOperations),
	}
	c := Cost{ByService: map[string]float64{}, PriceDate: prices.Date}
	for _, p := range prices.Prices {
		q, ok := quantities[p.Key]
		if !ok {
			panic("loadgen: prices.json has a price Usage does not meter: " + p.Key) // a test checks both match
		}
		if q == 0 {
			continue
		}
		usd := q * p.USD / p.Per
		c.ByService[p.Service] += usd
		c.TotalUSD += usd
	}
	return c
}

// SetCost records c as the run's cost and its cost per 1,000 offered orders: every offered order
// costs, whether it succeeded or not, and every stage is offered the same orders.
func (r *Result) SetCost(c Cost) {
	r.Cost = &c
	if r.Offered > 0 {
		per1k := c.TotalUSD / float64(r.Offered) * 1000
		r.CostPer1k = &per1k
	}
}
