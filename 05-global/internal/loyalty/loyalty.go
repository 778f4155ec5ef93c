// Package loyalty is the loyalty function: it reads OrderPaid events from the loyalty queue in
// batches (an event source mapping with a batching window) and credits the customer's points.
//
// It is code because the points follow rules (one point per whole unit of the currency's main
// denomination, ten units for SEK, DKK and CZK, a bonus for the first order) and because crediting
// must happen once per order although SQS delivers at least once: a transaction writes the
// order's ledger entry only if it is new and adds the points in the same step.
//
// Limitations: no expiry or redemption of points; records that fail are retried one by one by
// the queue (ReportBatchItemFailures), not reordered.
package loyalty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/event"
)

// FirstOrderBonus is added to a customer's first credited order.
const FirstOrderBonus = 50

// Ledger is the loyalty handler.
type Ledger struct {
	db        ddb.API
	customers string
	now       func() time.Time
}

// NewLedger builds the handler from the function's environment.
func NewLedger(_ context.Context, cfg aws.Config, getenv func(string) string) (*Ledger, error) {
	customers, err := ddb.Name(getenv, ddb.EnvCustomers)
	if err != nil {
		return nil, err
	}
	return &Ledger{db: dynamodb.NewFromConfig(cfg), customers: customers, now: time.Now}, nil
}

// Points is what an order of total minor units in currency earns.
func Points(total int64, currency string) int64 {
	unit := int64(100)
	switch currency {
	case "SEK", "DKK", "CZK":
		unit = 1000
	}
	return total / unit
}

// Handle credits every record's order; a record that fails is reported for retry.
func (l *Ledger) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if err := l.credit(ctx, rec.Body); err != nil {
			fmt.Printf("loyalty: message %s: %v\n", rec.MessageId, err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

func (l *Ledger) credit(ctx context.Context, body string) error {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return fmt.Errorf("decode the event in the message: %w", err)
	}
	o, err := event.Decode(ev)
	if err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(o.Customer.Email))
	if email == "" {
		return nil // a guest order earns nothing
	}
	points := Points(o.Total, o.Currency)
	now := l.now().UTC().Format(time.RFC3339)
	profile := map[string]types.AttributeValue{"pk": ddb.S(email), "sk": ddb.S("PROFILE")}
	_, err = l.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{
			TableName: &l.customers,
			Item: map[string]types.AttributeValue{"pk": ddb.S(email), "sk": ddb.S("ORDER#" + o.OrderID), "points": ddb.N(points),
				"total": ddb.N(o.Total), "currency": ddb.S(o.Currency), "credited_at": ddb.S(now)},
			ConditionExpression: aws.String("attribute_not_exists(sk)"),
		}},
		{Update: &types.Update{
			TableName: &l.customers,
			Key:       profile,
			// The bonus is added when the profile is new: orders starts at one.
			UpdateExpression:         aws.String("SET #name = :name, updated_at = :now ADD points :p, orders :one"),
			ExpressionAttributeNames: map[string]string{"#name": "name"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":name": ddb.S(o.Customer.Name), ":now": ddb.S(now),
				":p": ddb.N(points), ":one": ddb.N(1)},
		}},
	}})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) && len(canceled.CancellationReasons) > 0 && aws.ToString(canceled.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		return nil // credited before: a redelivered message
	}
	if err != nil {
		return fmt.Errorf("credit %d points to %s for order %s: %w", points, email, o.OrderID, err)
	}
	return l.firstOrderBonus(ctx, profile, email)
}

// firstOrderBonus adds the bonus once, when the profile has exactly one order.
func (l *Ledger) firstOrderBonus(ctx context.Context, profile map[string]types.AttributeValue, email string) error {
	_, err := l.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &l.customers, Key: profile,
		UpdateExpression:          aws.String("ADD points :bonus SET welcomed = :t"),
		ConditionExpression:       aws.String("orders = :one AND attribute_not_exists(welcomed)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":bonus": ddb.N(FirstOrderBonus), ":one": ddb.N(1), ":t": &types.AttributeValueMemberBOOL{Value: true}},
	})
	var notFirst *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &notFirst) {
		return fmt.Errorf("first-order bonus for %s: %w", email, err)
	}
	return nil
}
