// Package receipts is the receipt-mailer function: on OrderPaid (an asynchronous invocation from
// an EventBridge rule) it renders the customer's receipt and puts it in the outbox.
//
// It is code because a receipt is a document with rules: money in the store's currency, the tax
// under its local name and rate, the pickup time in the store's time zone.
//
// Limitations: plain text in English only; the outbox's mail relay is outside the stage.
package receipts

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

// Mailer is the receipt-mailer handler.
type Mailer struct {
	db     ddb.API
	outbox string
	now    func() time.Time
}

// NewMailer builds the handler from the function's environment.
func NewMailer(_ context.Context, cfg aws.Config, getenv func(string) string) (*Mailer, error) {
	outbox, err := ddb.Name(getenv, ddb.EnvOutbox)
	if err != nil {
		return nil, err
	}
	return &Mailer{db: dynamodb.NewFromConfig(cfg), outbox: outbox, now: time.Now}, nil
}

// Handle renders the receipt of a paid order into the outbox. A redelivered event rewrites the
// same message.
func (m *Mailer) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	o, err := event.Decode(ev)
	if err != nil {
		return err
	}
	return ddb.PutMessage(ctx, m.db, m.outbox, ddb.Message{
		Recipient: o.Customer.Email,
		MessageID: "receipt#" + o.OrderID,
		Subject:   "Your Emily's Pastries receipt, order " + o.OrderID,
		Body:      Render(o),
		CreatedAt: m.now().UTC().Format(time.RFC3339),
	})
}

// taxNames is what the tax is called on a receipt in each country; VAT elsewhere.
var taxNames = map[string]string{"US": "Sales tax", "CA": "GST/HST", "CH": "MWST", "SE": "Moms", "DK": "Moms", "CZ": "DPH", "DE": "MwSt.", "FR": "TVA"}

// Render is the receipt's text.
func Render(o event.Order) string {
	st, _ := bakery.StoreByID(o.StoreID)
	var b strings.Builder
	fmt.Fprintf(&b, "Emily's Pastries, %s (%s)\nOrder %s for %s\n\n", st.City, o.StoreID, o.OrderID, o.Customer.Name)
	for _, l := range o.Items {
		fmt.Fprintf(&b, "%3d × %-28s %s\n", l.Quantity, l.Name, bakery.FormatMoney(l.LineTotal, o.Currency))
	}
	name := taxNames[st.Country]
	if name == "" {
		name = "VAT"
	}
	fmt.Fprintf(&b, "\nSubtotal %s\n%s %d.%02d %% %s\nTotal %s\n", bakery.FormatMoney(o.Subtotal, o.Currency), name,
		st.TaxBasisPoints/100, st.TaxBasisPoints%100, bakery.FormatMoney(o.Tax, o.Currency), bakery.FormatMoney(o.Total, o.Currency))
	if at, err := time.Parse(time.RFC3339, o.PickupAt); err == nil {
		fmt.Fprintf(&b, "Pick up: %s\n", at.In(st.Location()).Format("Mon 2 Jan 15:04 MST"))
	}
	if o.PaymentRef != "" {
		fmt.Fprintf(&b, "Paid by card, reference %s\n", o.PaymentRef)
	}
	return b.String()
}
