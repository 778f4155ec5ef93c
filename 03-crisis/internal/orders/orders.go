// Package orders holds the order functions of 2022: order-workflow (the entry of the chain, which
// tries it twice), order-validator, order-finalizer, and order-writer, order-reader and
// order-status around the order item in the shared table.
//
// The chain is handed down, not orchestrated: each function does its part and then calls the
// next step itself, so every function waits for everything after it.
package orders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Environment variables naming the functions this package's functions call.
const (
	EnvOrderValidator = "ORDER_VALIDATOR_FUNCTION"
	EnvStoreCheck     = "STORE_CHECK_FUNCTION"
	EnvCustomerCheck  = "CUSTOMER_CHECK_FUNCTION"
	EnvMenuLookup     = "MENU_LOOKUP_FUNCTION"
	EnvCartPricer     = "CART_PRICER_FUNCTION"
	EnvOrderStatus    = "ORDER_STATUS_FUNCTION"
	EnvStockUpdate    = "STOCK_UPDATE_FUNCTION"
	EnvReceipt        = "RECEIPT_GENERATOR_FUNCTION"
	EnvLoyaltyPoints  = "LOYALTY_POINTS_FUNCTION"
	EnvKitchenTicket  = "KITCHEN_TICKET_FUNCTION"
	EnvNotification   = "NOTIFICATION_DISPATCHER_FUNCTION"
	EnvAuditLogger    = "AUDIT_LOGGER_FUNCTION"
	EnvAnalyticsSync  = "ANALYTICS_SYNC_FUNCTION"
)

// WorkflowAttempts is how often order-workflow tries the chain for one order, whatever went
// wrong below.
const WorkflowAttempts = 2

const (
	orderSK         = "ORDER"
	orderPrefix     = "ORDER#"
	statusPaidEvent = "order-paid"
)

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// Workflow is order-workflow: it starts the chain at order-validator and, when anything goes
// wrong, starts it again from the top with the same order, at once.
type Workflow struct {
	Validator Caller
}

// NewWorkflow builds order-workflow from its environment.
func NewWorkflow(_ context.Context, cfg aws.Config, getenv func(string) string) (*Workflow, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Workflow{Validator: b.Function(EnvOrderValidator)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("order-workflow: %w", err)
	}
	return h, nil
}

// Handle runs the chain for one order, trying it WorkflowAttempts times.
func (h *Workflow) Handle(ctx context.Context, co message.Checkout) (message.Checkout, error) {
	var errs []error
	for attempt := 1; attempt <= WorkflowAttempts && ctx.Err() == nil; attempt++ {
		co.Attempt = attempt
		var out message.Checkout
		err := h.Validator.Call(ctx, co, &out)
		if err == nil {
			return out, nil
		}
		errs = append(errs, fmt.Errorf("attempt %d: %w", attempt, err))
	}
	return message.Checkout{}, fmt.Errorf("order %s: %w", co.OrderID, errors.Join(errs...))
}

// Validator is order-validator: it validates the request with the bakery's rules, asks
// store-check about the store, customer-check about the customer and menu-lookup about the
// items, then hands the order to cart-pricer.
type Validator struct {
	Stores, Customers, Menu, Next Caller
}

// NewValidator builds order-validator from its environment.
func NewValidator(_ context.Context, cfg aws.Config, getenv func(string) string) (*Validator, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Validator{
		Stores:    b.Function(EnvStoreCheck),
		Customers: b.Function(EnvCustomerCheck),
		Menu:      b.Function(EnvMenuLookup),
		Next:      b.Function(EnvCartPricer),
	}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("order-validator: %w", err)
	}
	return h, nil
}

// Handle validates co and passes it on.
func (h *Validator) Handle(ctx context.Context, co message.Checkout) (message.Checkout, error) {
	// The bakery's rules, at the time the API received the order (a retry must not expire it).
	draft, err := bakery.NewOrder(co.OrderID, co.Request, co.ReceivedAt)
	if verr, ok := errors.AsType[*bakery.ValidationError](err); ok {
		return reject(co, http.StatusBadRequest, verr.Error()), nil
	}
	if err != nil {
		return message.Checkout{}, fmt.Errorf("validate order %s: %w", co.OrderID, err)
	}
	var store message.StoreResult
	if err := h.Stores.Call(ctx, message.StoreRequest{StoreID: co.Request.StoreID, PickupAt: draft.PickupAt}, &store); err != nil {
		return message.Checkout{}, fmt.Errorf("check store %s: %w", co.Request.StoreID, err)
	}
	if store.Store == nil {
		return reject(co, http.StatusBadRequest, fmt.Sprintf("store_id %q is not one of our stores", co.Request.StoreID)), nil
	}
	var customer message.Customer
	if err := h.Customers.Call(ctx, message.CustomerRequest{Email: co.Request.Customer.Email, Name: co.Request.Customer.Name}, &customer); err != nil {
		return message.Checkout{}, fmt.Errorf("check customer: %w", err)
	}
	ids := make([]string, len(co.Request.Items))
	for i, l := range co.Request.Items {
		ids[i] = l.ItemID
	}
	var menu message.MenuResult
	if err := h.Menu.Call(ctx, message.MenuRequest{ItemIDs: ids}, &menu); err != nil {
		return message.Checkout{}, fmt.Errorf("check items: %w", err)
	}
	if len(menu.Missing) > 0 {
		return reject(co, http.StatusBadRequest, fmt.Sprintf("item %q is not on the menu", menu.Missing[0])), nil
	}
	co.Store, co.Customer, co.PickupAt = store.Store, &customer, draft.PickupAt
	var out message.Checkout
	if err := h.Next.Call(ctx, co, &out); err != nil {
		return message.Checkout{}, fmt.Errorf("price order %s: %w", co.OrderID, err)
	}
	return out, nil
}

func reject(co message.Checkout, status int, msg string) message.Checkout {
	co.Rejection = &message.Rejection{StatusCode: status, Error: msg}
	return co
}

// Finalizer is order-finalizer: once the payment went through it marks the order paid and calls,
// one after the other, everything that follows a sale.
type Finalizer struct {
	Status, Stock, Receipt, Loyalty, Kitchen, Notify, Audit, Analytics Caller
	Now                                                                func() time.Time
}

// NewFinalizer builds order-finalizer from its environment.
func NewFinalizer(_ context.Context, cfg aws.Config, getenv func(string) string) (*Finalizer, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Finalizer{
		Status:    b.Function(EnvOrderStatus),
		Stock:     b.Function(EnvStockUpdate),
		Receipt:   b.Function(EnvReceipt),
		Loyalty:   b.Function(EnvLoyaltyPoints),
		Kitchen:   b.Function(EnvKitchenTicket),
		Notify:    b.Function(EnvNotification),
		Audit:     b.Function(EnvAuditLogger),
		Analytics: b.Function(EnvAnalyticsSync),
		Now:       time.Now,
	}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("order-finalizer: %w", err)
	}
	return h, nil
}

// Handle finishes a paid order. Any step that fails fails the whole order, although the money
// has been taken.
func (h *Finalizer) Handle(ctx context.Context, co message.Checkout) (message.Checkout, error) {
	if co.Order == nil || co.Charge == nil {
		return message.Checkout{}, fmt.Errorf("finalize order %s: the order and its charge are required", co.OrderID)
	}
	o := *co.Order
	at := h.Now().UTC()
	if err := o.RecordPayment(o.Total, co.Charge.ChargeID, at); err != nil {
		return message.Checkout{}, fmt.Errorf("finalize order %s: %w", o.ID, err)
	}
	if err := h.Status.Call(ctx, message.StatusChange{OrderID: o.ID, Status: bakery.StatusPaid, PaymentRef: co.Charge.ChargeID, At: at}, nil); err != nil {
		return message.Checkout{}, fmt.Errorf("mark order %s paid: %w", o.ID, err)
	}
	event := message.OrderEvent{Order: o}
	steps := []struct {
		name string
		fn   Caller
		in   any
	}{
		{"update stock", h.Stock, stockUpdate(co)},
		{"write receipt", h.Receipt, event},
		{"add loyalty points", h.Loyalty, event},
		{"send kitchen ticket", h.Kitchen, event},
		{"notify customer", h.Notify, event},
		{"audit", h.Audit, message.AuditEntry{OrderID: o.ID, Event: statusPaidEvent, Detail: co.Charge.ChargeID, At: at}},
		{"sync analytics", h.Analytics, event},
	}
	for _, s := range steps {
		if err := s.fn.Call(ctx, s.in, nil); err != nil {
			return message.Checkout{}, fmt.Errorf("%s for order %s: %w", s.name, o.ID, err)
		}
	}
	co.Order = &o
	return co, nil
}

func stockUpdate(co message.Checkout) message.StockRequest {
	req := message.StockRequest{OrderID: co.OrderID, Customer: co.Request.Customer.Name}
	if co.Store != nil {
		req.StoreID, req.Day, req.Pickup = co.Store.ID, co.Store.PickupDay, co.Store.PickupLocal
	}
	st, _ := bakery.StoreByID(req.StoreID)
	for _, l := range co.Lines {
		it, _ := bakery.ItemByID(l.ItemID)
		req.Lines = append(req.Lines, message.StockLine{ItemID: l.ItemID, Quantity: l.Quantity, Par: bakery.ParLevel(st, it)})
	}
	return req
}

// Table is the order item's home: order-writer, order-reader and order-status.
type Table struct {
	DB   table.API
	Name string
}

// NewTable builds the shared part of order-writer, order-reader and order-status.
func NewTable(_ context.Context, cfg aws.Config, getenv func(string) string) (*Table, error) {
	name, err := table.Name(getenv)
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	return &Table{DB: dynamodb.NewFromConfig(cfg), Name: name}, nil
}

// Write is order-writer: it puts the order, replacing whatever is there.
func (t *Table) Write(ctx context.Context, in message.OrderWrite) (message.Done, error) {
	item, err := table.Item(orderPrefix+in.Order.ID, orderSK, in.Order)
	if err != nil {
		return message.Done{}, err
	}
	if _, err := t.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &t.Name, Item: item}); err != nil {
		return message.Done{}, fmt.Errorf("put order %s: %w", in.Order.ID, err)
	}
	return message.Done{ID: in.Order.ID}, nil
}

// Read is order-reader: it gets the order with a strongly consistent read.
func (t *Table) Read(ctx context.Context, in message.OrderLookup) (message.OrderResult, error) {
	if !bakery.ValidOrderID(in.OrderID) {
		return message.OrderResult{}, nil
	}
	out, err := t.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &t.Name, Key: table.Key(orderPrefix+in.OrderID, orderSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return message.OrderResult{}, fmt.Errorf("get order %s: %w", in.OrderID, err)
	}
	if out.Item == nil {
		return message.OrderResult{}, nil
	}
	var o bakery.Order
	if err := table.Unmarshal(out.Item, &o); err != nil {
		return message.OrderResult{}, fmt.Errorf("read order %s: %w", in.OrderID, err)
	}
	return message.OrderResult{Order: &o}, nil
}

// SetStatus is order-status: it sets the order's status and payment fields without checking
// what the status was.
func (t *Table) SetStatus(ctx context.Context, in message.StatusChange) (message.Done, error) {
	if !in.Status.Valid() {
		return message.Done{}, fmt.Errorf("set status of order %s: unknown status %q", in.OrderID, in.Status)
	}
	values := map[string]types.AttributeValue{":s": table.S(string(in.Status))}
	expr := "SET #status = :s"
	switch in.Status {
	case bakery.StatusPaid:
		expr += ", paid_at = :at, payment_ref = :ref"
		values[":at"], values[":ref"] = table.S(in.At.UTC().Format(time.RFC3339Nano)), table.S(in.PaymentRef)
	case bakery.StatusFailed:
		expr += ", failure_reason = :why"
		values[":why"] = table.S(in.Reason)
	}
	_, err := t.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &t.Name,
		Key:                       table.Key(orderPrefix+in.OrderID, orderSK),
		UpdateExpression:          aws.String(expr),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
	})
	if err != nil {
		return message.Done{}, fmt.Errorf("set status of order %s to %s: %w", in.OrderID, in.Status, err)
	}
	return message.Done{ID: in.OrderID}, nil
}
