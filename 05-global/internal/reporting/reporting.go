// Package reporting is the sales-reporter function: it reads the paid orders' sales lines from
// the sales queue in large batches (100 messages or 5 s) and adds them to per-store-day
// counters.
//
// It is code because it aggregates: a batch of a hundred orders becomes one write per store and
// day, and each write goes to one of Shards counter items chosen at random, so the busiest
// store's counter never becomes the hot, growing item that 03's per-store counter was. The
// daily-closer adds the shards up.
//
// Limitations: counting is at least once: a batch whose write fails after another group of the
// same batch succeeded is retried only for the failed group's records, but a write that succeeds
// and then times out is counted again on redelivery.
package reporting

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
)

// Shards is how many counter items one store-day's sales are spread over.
const Shards = 10

// Sale is a sales queue message, as the OrderPaid rule's input transformer shapes it.
type Sale struct {
	OrderID  string `json:"order_id"`
	StoreID  string `json:"store_id"`
	Day      string `json:"day"`
	Total    int64  `json:"total"`
	Currency string `json:"currency"`
}

// Reporter is the sales-reporter handler.
type Reporter struct {
	db     ddb.API
	sales  string
	region string // shard keys carry it: each shard has one writing region (global table)
	shard  func() int
}

// NewReporter builds the handler from the function's environment.
func NewReporter(_ context.Context, cfg aws.Config, getenv func(string) string) (*Reporter, error) {
	sales, err := ddb.Name(getenv, ddb.EnvSales)
	if err != nil {
		return nil, err
	}
	return &Reporter{db: dynamodb.NewFromConfig(cfg), sales: sales, region: getenv(ddb.EnvRegion), shard: func() int { return rand.IntN(Shards) }}, nil
}

type group struct {
	count, total int64
	currency     string
	messages     []string
}

// Handle adds the batch to the counters, one write per store and day.
func (r *Reporter) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	fail := func(ids ...string) {
		for _, id := range ids {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
		}
	}
	groups := map[string]*group{}
	var keys []string
	for _, rec := range ev.Records {
		var s Sale
		if err := json.Unmarshal([]byte(rec.Body), &s); err != nil || s.StoreID == "" || s.Day == "" {
			fmt.Printf("sales-reporter: message %s: want store_id and day in %q\n", rec.MessageId, rec.Body)
			fail(rec.MessageId)
			continue
		}
		k := s.StoreID + "#" + s.Day
		g := groups[k]
		if g == nil {
			g = &group{currency: s.Currency}
			groups[k] = g
			keys = append(keys, k)
		}
		g.count++
		g.total += s.Total
		g.messages = append(g.messages, rec.MessageId)
	}
	for _, k := range keys {
		g := groups[k]
		_, err := r.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 &r.sales,
			Key:                       map[string]types.AttributeValue{"pk": ddb.S(k), "sk": ddb.S(r.shardKey())},
			UpdateExpression:          aws.String("ADD orders :n, #total :t SET currency = :c"),
			ExpressionAttributeNames:  map[string]string{"#total": "total"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": ddb.N(g.count), ":t": ddb.N(g.total), ":c": ddb.S(g.currency)},
		})
		if err != nil {
			fmt.Printf("sales-reporter: add %d orders to %s: %v\n", g.count, k, err)
			fail(g.messages...)
		}
	}
	return resp, nil
}

// shardKey picks a random shard of the region's: "shard#<region>#<n>", or "shard#<n>" when no
// region is set. Two regions never add to the same item, so last-writer-wins loses no count.
func (r *Reporter) shardKey() string {
	if r.region == "" {
		return "shard#" + strconv.Itoa(r.shard())
	}
	return "shard#" + r.region + "#" + strconv.Itoa(r.shard())
}
