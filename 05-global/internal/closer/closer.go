// Package closer is the daily-closer function, run every hour by an EventBridge schedule. For
// each store where the hour is the first of a new local day it adds up yesterday's sharded sales
// counters into one SUMMARY item; for every store it refreshes the UTC offset in the catalog, so
// the PlaceOrder workflow's local-day arithmetic follows daylight saving time.
//
// It is code because it works across 60 time zones and fans in the counters' shards.
//
// Limitations: a store whose first hour of the day was missed (the function failed all its
// retries) is not closed until the run is redriven from the failure destination.
package closer

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/catalog"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Closer is the daily-closer handler.
type Closer struct {
	db             ddb.API
	sales, catalog string
	region         string // only the stores whose home region this is; "" means every store
}

// NewCloser builds the handler from the function's environment.
func NewCloser(_ context.Context, cfg aws.Config, getenv func(string) string) (*Closer, error) {
	sales, err := ddb.Name(getenv, ddb.EnvSales)
	if err != nil {
		return nil, err
	}
	cat, err := ddb.Name(getenv, ddb.EnvCatalog)
	if err != nil {
		return nil, err
	}
	return &Closer{db: dynamodb.NewFromConfig(cfg), sales: sales, catalog: cat, region: getenv(ddb.EnvRegion)}, nil
}

// Handle runs the hour that the scheduled event names.
func (c *Closer) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	at := ev.Time
	if at.IsZero() {
		at = time.Now()
	}
	_, err := c.Run(ctx, at)
	return err
}

// Run closes the stores whose local day began in the hour of at, refreshes every store's UTC
// offset, and returns the stores it closed. With a region it handles only the stores at home
// there: their profile and summary items have that one writing region.
func (c *Closer) Run(ctx context.Context, at time.Time) ([]string, error) {
	var closed []string
	for _, st := range bakery.Stores() {
		if c.region != "" && st.Region != c.region {
			continue
		}
		local := at.In(st.Location())
		if _, err := c.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &c.catalog, Key: map[string]types.AttributeValue{"pk": ddb.S("STORE#" + st.ID), "sk": ddb.S("PROFILE")},
			UpdateExpression:          aws.String("SET tz_offset = :o"),
			ConditionExpression:       aws.String("attribute_exists(pk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":o": ddb.S(catalog.TZOffset(st.Location(), at))},
		}); err != nil {
			return closed, fmt.Errorf("refresh the UTC offset of store %s: %w", st.ID, err)
		}
		if local.Hour() != 0 {
			continue
		}
		day := local.AddDate(0, 0, -1).Format(time.DateOnly)
		if err := c.close(ctx, st.ID, day); err != nil {
			return closed, err
		}
		closed = append(closed, st.ID)
	}
	return closed, nil
}

func (c *Closer) close(ctx context.Context, store, day string) error {
	pk := store + "#" + day
	out, err := c.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &c.sales,
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :shard)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": ddb.S(pk), ":shard": ddb.S("shard#")},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("read the sales of %s: %w", pk, err)
	}
	var orders, total int64
	currency := ""
	for _, it := range out.Items {
		var s struct {
			Orders   int64  `json:"orders"`
			Total    int64  `json:"total"`
			Currency string `json:"currency"`
		}
		if err := ddb.Unmarshal(it, &s); err != nil {
			return fmt.Errorf("read a sales shard of %s: %w", pk, err)
		}
		orders, total, currency = orders+s.Orders, total+s.Total, s.Currency
	}
	_, err = c.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &c.sales, Item: map[string]types.AttributeValue{
		"pk": ddb.S(pk), "sk": ddb.S("SUMMARY"), "orders": ddb.N(orders), "total": ddb.N(total), "currency": ddb.S(currency),
		"shards": ddb.N(int64(len(out.Items))),
	}})
	if err != nil {
		return fmt.Errorf("write the summary of %s: %w", pk, err)
	}
	return nil
}
