package closer_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/catalog"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/closer"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb/ddbtest"
)

// Scheduled rules deliver an event whose time is the schedule's:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
func TestRun(t *testing.T) {
	t.Parallel()
	cfg, db := ddbtest.Start(t, ddbtest.Sales, ddbtest.Catalog)
	ctx := context.Background()
	seeder, err := catalog.NewSeeder(ctx, cfg, ddbtest.Env(nil))
	require.NoError(t, err)
	_, err = seeder.Seed(ctx)
	require.NoError(t, err)
	for i, n := range []int64{3, 4} {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(ddbtest.Sales.Name), Item: map[string]types.AttributeValue{
			"pk": ddb.S("lon-01#2026-07-14"), "sk": ddb.S("shard#" + string(rune('0'+i))), "orders": ddb.N(n), "total": ddb.N(n * 100), "currency": ddb.S("GBP")}})
		require.NoError(t, err)
	}
	c, err := closer.NewCloser(ctx, cfg, ddbtest.Env(nil))
	require.NoError(t, err)

	tests := []struct {
		name       string
		at         time.Time
		wantClosed []string
	}{
		{"midnight in London in summer (23:10 UTC) closes London's day", time.Date(2026, 7, 14, 23, 10, 0, 0, time.UTC), []string{"lon-01", "lon-02"}},
		{"noon in London closes nothing there", time.Date(2026, 7, 14, 11, 0, 0, 0, time.UTC), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closed, err := c.Run(ctx, tt.at)
			require.NoError(t, err)
			for _, s := range tt.wantClosed {
				assert.Contains(t, closed, s)
			}
			assert.NotContains(t, closed, "nyc-01")
		})
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ddbtest.Sales.Name),
		Key: map[string]types.AttributeValue{"pk": ddb.S("lon-01#2026-07-14"), "sk": ddb.S("SUMMARY")}})
	require.NoError(t, err)
	var s struct {
		Orders int64 `json:"orders"`
		Total  int64 `json:"total"`
	}
	require.NoError(t, ddb.Unmarshal(out.Item, &s))
	assert.Equal(t, int64(7), s.Orders)
	assert.Equal(t, int64(700), s.Total)
	profile, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ddbtest.Catalog.Name),
		Key: map[string]types.AttributeValue{"pk": ddb.S("STORE#lon-01"), "sk": ddb.S("PROFILE")}})
	require.NoError(t, err)
	assert.Equal(t, ddb.S("+0100"), profile.Item["tz_offset"])
}

// TestRunOnlyHomeStores: with a region, the closer writes only the profiles and summaries of the
// stores at home there, so no Catalog or Sales item has two writing regions (global tables
// resolve concurrent writes last-writer-wins:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html).
func TestRunOnlyHomeStores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		region      string
		wantClosed  string
		wantSkipped string
	}{
		// 05:10 UTC in November is midnight in New York and 05:10 in London.
		{"us-east-1", "nyc-01", "lon-01"},
		{"eu-west-1", "", "nyc-01"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			t.Parallel()
			cfg, db := ddbtest.Start(t, ddbtest.Sales, ddbtest.Catalog)
			ctx := context.Background()
			seeder, err := catalog.NewSeeder(ctx, cfg, ddbtest.Env(nil))
			require.NoError(t, err)
			_, err = seeder.Seed(ctx)
			require.NoError(t, err)
			for _, id := range []string{"nyc-01", "lon-01"} {
				_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(ddbtest.Catalog.Name),
					Key:              map[string]types.AttributeValue{"pk": ddb.S("STORE#" + id), "sk": ddb.S("PROFILE")},
					UpdateExpression: aws.String("SET tz_offset = :x"), ExpressionAttributeValues: map[string]types.AttributeValue{":x": ddb.S("stale")}})
				require.NoError(t, err)
			}
			c, err := closer.NewCloser(ctx, cfg, ddbtest.Env(map[string]string{ddb.EnvRegion: tt.region}))
			require.NoError(t, err)
			closed, err := c.Run(ctx, time.Date(2026, 11, 27, 5, 10, 0, 0, time.UTC))
			require.NoError(t, err)
			if tt.wantClosed != "" {
				assert.Contains(t, closed, tt.wantClosed)
			}
			assert.NotContains(t, closed, tt.wantSkipped)
			skipped, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ddbtest.Catalog.Name),
				Key: map[string]types.AttributeValue{"pk": ddb.S("STORE#" + tt.wantSkipped), "sk": ddb.S("PROFILE")}})
			require.NoError(t, err)
			assert.Equal(t, ddb.S("stale"), skipped.Item["tz_offset"], "another region's store is not written")
		})
	}
}
