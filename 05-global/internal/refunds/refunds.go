// Package refunds is the refund-reconciler function: on OrderFailed and PaymentOrphaned
// (asynchronous invocations from an EventBridge rule) it makes sure no charge stays on an order
// that failed.
//
// The card provider (shared/payment) captures charges at once and has no lookup or refund API,
// so the reconciler does what the provider allows: it reads the order's payment reference (or
// the orphaned charge's), and records the refund due on the order (refund_status "due", with the
// charge and amount) for the shop's back office, once, with a conditional write. An order failed
// before it was charged needs nothing.
//
// Limitations: no refund is sent to the provider (it has no refund call); a charge the provider
// took after the worker lost track of it without either event (the worker's own crash between
// charge and report) is found only when the payment message is redelivered.
package refunds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
)

// RefundDue is the refund_status of an order whose charge must be given back.
const RefundDue = "due"

// Reconciler is the refund-reconciler handler.
type Reconciler struct {
	db     ddb.API
	orders string
	now    func() time.Time
}

// NewReconciler builds the handler from the function's environment.
func NewReconciler(_ context.Context, cfg aws.Config, getenv func(string) string) (*Reconciler, error) {
	orders, err := ddb.Name(getenv, ddb.EnvOrders)
	if err != nil {
		return nil, err
	}
	return &Reconciler{db: dynamodb.NewFromConfig(cfg), orders: orders, now: time.Now}, nil
}

// detail is the part of both events the reconciler reads.
type detail struct {
	OrderID  string `json:"order_id"`
	ChargeID string `json:"charge_id"` // PaymentOrphaned
	Amount   int64  `json:"amount"`    // PaymentOrphaned
	Currency string `json:"currency"`
}

// Handle records a refund due when the failed order was charged.
func (r *Reconciler) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	var d detail
	if err := json.Unmarshal(ev.Detail, &d); err != nil || d.OrderID == "" {
		return fmt.Errorf("decode %s event %s: want an order_id", ev.DetailType, ev.ID)
	}
	charge, amount, currency := d.ChargeID, d.Amount, d.Currency
	if charge == "" {
		o, ok, err := ddb.GetOrder(ctx, r.db, r.orders, d.OrderID)
		if err != nil {
			return err
		}
		if !ok || o.PaymentRef == "" {
			return nil // never charged: nothing to give back
		}
		charge, amount, currency = o.PaymentRef, o.Total, o.Currency
	}
	_, err := r.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &r.orders,
		Key:                 map[string]types.AttributeValue{"orderId": ddb.S(d.OrderID)},
		UpdateExpression:    aws.String("SET refund_status = :due, refund_charge = :c, refund_amount = :a, refund_currency = :cur, refund_due_at = :at"),
		ConditionExpression: aws.String("attribute_exists(orderId) AND attribute_not_exists(refund_status)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":due": ddb.S(RefundDue), ":c": ddb.S(charge), ":a": ddb.N(amount), ":cur": ddb.S(currency),
			":at": ddb.S(r.now().UTC().Format(time.RFC3339)),
		},
	})
	var done *types.ConditionalCheckFailedException
	if errors.As(err, &done) {
		return nil // recorded before (a redelivered event), or an order that does not exist
	}
	if err != nil {
		return fmt.Errorf("record refund due on order %s: %w", d.OrderID, err)
	}
	return nil
}
