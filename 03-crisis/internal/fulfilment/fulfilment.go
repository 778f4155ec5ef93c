// Package fulfilment holds what happens after a sale: receipt-generator, kitchen-ticket,
// notification-dispatcher and the email-sender it calls. Each writes to the shared table; the
// email goes to an outbox item that a mailer outside this system sends.
package fulfilment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// EnvEmailSender names the function notification-dispatcher calls.
const EnvEmailSender = "EMAIL_SENDER_FUNCTION"

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// Table is receipt-generator, kitchen-ticket and email-sender: each puts one item.
type Table struct {
	DB   table.API
	Name string
	Now  func() time.Time
}

// NewTable builds receipt-generator, kitchen-ticket or email-sender from its environment.
func NewTable(_ context.Context, cfg aws.Config, getenv func(string) string) (*Table, error) {
	name, err := table.Name(getenv)
	if err != nil {
		return nil, fmt.Errorf("fulfilment: %w", err)
	}
	return &Table{DB: dynamodb.NewFromConfig(cfg), Name: name, Now: time.Now}, nil
}

func (t *Table) put(ctx context.Context, pk, sk string, v any) error {
	item, err := table.Item(pk, sk, v)
	if err != nil {
		return err
	}
	if _, err := t.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &t.Name, Item: item}); err != nil {
		return fmt.Errorf("put %s/%s: %w", pk, sk, err)
	}
	return nil
}

// Receipt is receipt-generator: it renders the receipt's text and stores it.
func (t *Table) Receipt(ctx context.Context, in message.OrderEvent) (message.Done, error) {
	o := in.Order
	var b strings.Builder
	fmt.Fprintf(&b, "Emily's Pastries, %s\nOrder %s\n", o.StoreID, o.ID)
	for _, l := range o.Items {
		fmt.Fprintf(&b, "%2d × %-28s %10s\n", l.Quantity, l.Name, bakery.FormatMoney(l.LineTotal, o.Currency))
	}
	fmt.Fprintf(&b, "Subtotal %s\nTax %s\nTotal %s\nPaid %s\n", bakery.FormatMoney(o.Subtotal, o.Currency),
		bakery.FormatMoney(o.Tax, o.Currency), bakery.FormatMoney(o.Total, o.Currency), o.PaymentRef)
	rec := map[string]any{"order_id": o.ID, "text": b.String(), "issued_at": t.Now().UTC().Format(time.RFC3339)}
	if err := t.put(ctx, "RECEIPT#"+o.ID, "RECEIPT", rec); err != nil {
		return message.Done{}, fmt.Errorf("receipt for order %s: %w", o.ID, err)
	}
	return message.Done{ID: o.ID}, nil
}

// KitchenTicket is kitchen-ticket: the store's kitchen reads the day's tickets.
func (t *Table) KitchenTicket(ctx context.Context, in message.OrderEvent) (message.Done, error) {
	o := in.Order
	st, ok := bakery.StoreByID(o.StoreID)
	if !ok {
		return message.Done{}, fmt.Errorf("kitchen ticket for order %s: no store %q", o.ID, o.StoreID)
	}
	lines := make([]string, len(o.Items))
	for i, l := range o.Items {
		lines[i] = fmt.Sprintf("%d %s", l.Quantity, l.Name)
	}
	ticket := map[string]any{"order_id": o.ID, "pickup_local": o.PickupAt.In(st.Location()).Format("15:04"), "lines": lines, "customer": o.Customer.Name}
	if err := t.put(ctx, "KITCHEN#"+st.ID+"#"+st.LocalDay(o.PickupAt), "TICKET#"+o.ID, ticket); err != nil {
		return message.Done{}, fmt.Errorf("kitchen ticket for order %s: %w", o.ID, err)
	}
	return message.Done{ID: o.ID}, nil
}

// SendEmail is email-sender: it puts the message in the outbox.
func (t *Table) SendEmail(ctx context.Context, in message.Email) (message.Done, error) {
	if err := t.put(ctx, "OUTBOX#"+in.OrderID, "EMAIL#"+in.Subject, in); err != nil {
		return message.Done{}, fmt.Errorf("email to %s: %w", in.To, err)
	}
	return message.Done{ID: in.OrderID}, nil
}

// Dispatcher is notification-dispatcher: it decides what to tell the customer and has
// email-sender send it.
type Dispatcher struct {
	Email Caller
}

// NewDispatcher builds notification-dispatcher from its environment.
func NewDispatcher(_ context.Context, cfg aws.Config, getenv func(string) string) (*Dispatcher, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Dispatcher{Email: b.Function(EnvEmailSender)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("notification-dispatcher: %w", err)
	}
	return h, nil
}

// Handle sends the order confirmation.
func (h *Dispatcher) Handle(ctx context.Context, in message.OrderEvent) (message.Done, error) {
	o := in.Order
	mail := message.Email{
		To:      o.Customer.Email,
		OrderID: o.ID,
		Subject: "Your order " + o.ID + " is confirmed",
		Body: fmt.Sprintf("Hello %s,\n\nthank you for your order of %s. Pick it up at %s on %s.\n\nEmily's Pastries",
			o.Customer.Name, bakery.FormatMoney(o.Total, o.Currency), o.StoreID, o.PickupAt.Format(time.RFC1123)),
	}
	if err := h.Email.Call(ctx, mail, nil); err != nil {
		return message.Done{}, fmt.Errorf("confirm order %s: %w", o.ID, err)
	}
	return message.Done{ID: o.ID}, nil
}
