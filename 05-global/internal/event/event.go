// Package event is the contract of the order events on the stage's bus: their source, detail
// types and detail, as the PlaceOrder and OrderLifecycle workflows emit them.
//
// Limitations: no schema registry; the detail is the order as the workflows know it at the
// step that emits it (later steps add payment_ref and reason).
package event

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Source is the EventBridge source of every order event.
const Source = "emilys-pastries.orders"

// Detail types, one per step of an order's life.
const (
	OrderPlaced    = "OrderPlaced"
	OrderPaid      = "OrderPaid"
	OrderPreparing = "OrderPreparing"
	OrderReady     = "OrderReady"
	OrderFailed    = "OrderFailed"
)

// Types lists the order events in lifecycle order.
func Types() []string {
	return []string{OrderPlaced, OrderPaid, OrderPreparing, OrderReady, OrderFailed}
}

// Order is an order event's detail.
type Order struct {
	OrderID    string          `json:"order_id"`
	Status     string          `json:"status"`
	StoreID    string          `json:"store_id"`
	Day        string          `json:"day"` // the store's local day of the pickup, "2006-01-02"
	Customer   bakery.Customer `json:"customer"`
	Items      []bakery.Line   `json:"items"`
	Currency   string          `json:"currency"`
	Subtotal   int64           `json:"subtotal"`
	Tax        int64           `json:"tax"`
	Total      int64           `json:"total"`
	PickupAt   string          `json:"pickup_at"`
	PaymentRef string          `json:"payment_ref,omitempty"`
	Reason     string          `json:"reason,omitempty"` // OrderFailed: why
}

// Decode reads an order event's detail.
func Decode(ev events.EventBridgeEvent) (Order, error) {
	var o Order
	if err := json.Unmarshal(ev.Detail, &o); err != nil {
		return Order{}, fmt.Errorf("decode %s event %s: %w", ev.DetailType, ev.ID, err)
	}
	if o.OrderID == "" {
		return Order{}, fmt.Errorf("decode %s event %s: no order_id", ev.DetailType, ev.ID)
	}
	return o, nil
}
