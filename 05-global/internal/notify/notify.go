// Package notify is the customer-notifier function: on OrderFailed (an asynchronous invocation
// from an EventBridge rule) it writes the customer an apology that says what happened and what
// it means for their money, in the outbox.
//
// It is code because the message depends on the reason and on the order's payment state: a
// declined card, a sold-out item, a kitchen that could not bake it, a failed charge.
//
// Limitations: English only; the outbox's mail relay is outside the stage.
package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/event"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Notifier is the customer-notifier handler.
type Notifier struct {
	db     ddb.API
	outbox string
	now    func() time.Time
}

// NewNotifier builds the handler from the function's environment.
func NewNotifier(_ context.Context, cfg aws.Config, getenv func(string) string) (*Notifier, error) {
	outbox, err := ddb.Name(getenv, ddb.EnvOutbox)
	if err != nil {
		return nil, err
	}
	return &Notifier{db: dynamodb.NewFromConfig(cfg), outbox: outbox, now: time.Now}, nil
}

// Handle writes the apology for a failed order.
func (n *Notifier) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	o, err := event.Decode(ev)
	if err != nil {
		return err
	}
	if o.Customer.Email == "" {
		return fmt.Errorf("order %s failed, but its event names no customer email", o.OrderID)
	}
	return ddb.PutMessage(ctx, n.db, n.outbox, ddb.Message{
		Recipient: o.Customer.Email,
		MessageID: "failed#" + o.OrderID,
		Subject:   "We are sorry: your order " + o.OrderID + " could not be completed",
		Body:      Apology(o),
		CreatedAt: n.now().UTC().Format(time.RFC3339),
	})
}

// Apology is the message's text for the order's failure reason.
func Apology(o event.Order) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s,\n\n", firstName(o.Customer.Name))
	switch {
	case strings.HasPrefix(o.Reason, "payment"):
		fmt.Fprintf(&b, "your card was not charged: the payment of %s did not go through (%s).\n", bakery.FormatMoney(o.Total, o.Currency), o.Reason)
	case strings.HasPrefix(o.Reason, "fraud"):
		b.WriteString("we could not accept this order online. Nothing was charged; our shop staff will gladly take it in person.\n")
	case strings.HasPrefix(o.Reason, "kitchen"):
		fmt.Fprintf(&b, "our kitchen could not prepare your order in time. The %s you paid will be refunded in full.\n", bakery.FormatMoney(o.Total, o.Currency))
	default:
		fmt.Fprintf(&b, "your order could not be completed (%s). If you were charged, the amount will be refunded.\n", o.Reason)
	}
	b.WriteString("\nEmily's Pastries\n")
	return b.String()
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return "customer"
}
