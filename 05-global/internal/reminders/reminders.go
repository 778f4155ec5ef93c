// Package reminders is the pickup-reminder function: OrderReady events wait in the reminder
// queue for its delivery delay (15 minutes), then this function reminds the customer whose order
// is still waiting on the counter.
//
// It is code because it decides on the order's current state, not on the event: an order picked
// up (or failed) in the meantime gets no reminder, and the message names the store and the
// pickup time in the store's own time zone.
//
// Limitations: one reminder per order; English only.
package reminders

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/event"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Reminder is the pickup-reminder handler.
type Reminder struct {
	db             ddb.API
	orders, outbox string
	now            func() time.Time
}

// NewReminder builds the handler from the function's environment.
func NewReminder(_ context.Context, cfg aws.Config, getenv func(string) string) (*Reminder, error) {
	orders, err := ddb.Name(getenv, ddb.EnvOrders)
	if err != nil {
		return nil, err
	}
	outbox, err := ddb.Name(getenv, ddb.EnvOutbox)
	if err != nil {
		return nil, err
	}
	return &Reminder{db: dynamodb.NewFromConfig(cfg), orders: orders, outbox: outbox, now: time.Now}, nil
}

// Handle reminds the customers of the batch's orders that are still ready.
func (r *Reminder) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if err := r.remind(ctx, rec.Body); err != nil {
			fmt.Printf("pickup-reminder: message %s: %v\n", rec.MessageId, err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

func (r *Reminder) remind(ctx context.Context, body string) error {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return fmt.Errorf("decode the event in the message: %w", err)
	}
	o, err := event.Decode(ev)
	if err != nil {
		return err
	}
	cur, ok, err := ddb.GetOrder(ctx, r.db, r.orders, o.OrderID)
	if err != nil {
		return err
	}
	if !ok || cur.Status != string(bakery.StatusReady) {
		return nil // picked up, failed or gone: nothing to remind
	}
	st, _ := bakery.StoreByID(o.StoreID)
	when := o.PickupAt
	if at, err := time.Parse(time.RFC3339, o.PickupAt); err == nil {
		when = at.In(st.Location()).Format("15:04")
	}
	return ddb.PutMessage(ctx, r.db, r.outbox, ddb.Message{
		Recipient: o.Customer.Email,
		MessageID: "reminder#" + o.OrderID,
		Subject:   "Your order " + o.OrderID + " is waiting for you",
		Body:      fmt.Sprintf("Your order has been ready since %s at our %s shop (%s). We keep it warm until closing time.\n", when, st.City, st.ID),
		CreatedAt: r.now().UTC().Format(time.RFC3339),
	})
}
