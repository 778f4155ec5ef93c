package catalog_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/catalog"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb/ddbtest"
)

func TestTZOffset(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	winter := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		loc  *time.Location
		at   time.Time
		want string
	}{
		{"London in winter", london, winter, "+0000"},
		{"London in summer", london, summer, "+0100"},
		{"New York in winter", ny, winter, "-0500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, catalog.TZOffset(tt.loc, tt.at))
		})
	}
}

// Custom resource request and response objects:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
func TestHandle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		requestType cfn.RequestType
		wantSeeded  bool
	}{{cfn.RequestCreate, true}, {cfn.RequestUpdate, true}, {cfn.RequestDelete, false}}
	for _, tt := range tests {
		t.Run(string(tt.requestType), func(t *testing.T) {
			t.Parallel()
			var got cfn.Response
			cloudformation := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, http.MethodPut, r.Method)
				b, _ := io.ReadAll(r.Body)
				assert.NoError(t, json.Unmarshal(b, &got))
			}))
			t.Cleanup(cloudformation.Close)
			cfg, db := ddbtest.Start(t, ddbtest.Catalog)
			s, err := catalog.NewSeeder(context.Background(), cfg, ddbtest.Env(nil))
			require.NoError(t, err)
			require.NoError(t, s.Handle(context.Background(), cfn.Event{RequestType: tt.requestType, RequestID: "r1",
				StackID: "stack", LogicalResourceID: "Catalog", ResponseURL: cloudformation.URL}))
			assert.Equal(t, cfn.StatusSuccess, got.Status)
			assert.Equal(t, catalog.PhysicalID, got.PhysicalResourceID)

			out, err := db.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(ddbtest.Catalog.Name),
				KeyConditionExpression: aws.String("pk = :pk"), ExpressionAttributeValues: map[string]types.AttributeValue{":pk": ddb.S("MENU")}})
			require.NoError(t, err)
			if !tt.wantSeeded {
				assert.Empty(t, out.Items)
				return
			}
			assert.Len(t, out.Items, 26)
			flagship, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(ddbtest.Catalog.Name),
				Key: map[string]types.AttributeValue{"pk": ddb.S("STORE#lon-01"), "sk": ddb.S("PROFILE")}})
			require.NoError(t, err)
			var p struct {
				Currency     string `json:"currency"`
				TaxBP        int    `json:"tax_bp"`
				ScalePercent int    `json:"scale_percent"`
				Region       string `json:"region"`
			}
			require.NoError(t, ddb.Unmarshal(flagship.Item, &p))
			assert.Equal(t, "GBP", p.Currency)
			assert.Equal(t, 2000, p.TaxBP)
			assert.Equal(t, 200, p.ScalePercent)
			assert.Equal(t, "eu-west-1", p.Region, "the home region decides which region writes the store's stock")
		})
	}
}

func TestHandleReportsAFailedSeed(t *testing.T) {
	t.Parallel()
	var got cfn.Response
	cloudformation := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		assert.NoError(t, json.Unmarshal(b, &got))
	}))
	t.Cleanup(cloudformation.Close)
	cfg, _ := ddbtest.Start(t) // no table
	s, err := catalog.NewSeeder(context.Background(), cfg, ddbtest.Env(nil))
	require.NoError(t, err)
	require.NoError(t, s.Handle(context.Background(), cfn.Event{RequestType: cfn.RequestCreate, ResponseURL: cloudformation.URL}))
	assert.Equal(t, cfn.StatusFailed, got.Status)
	assert.Contains(t, got.Reason, "seed catalog")
}
