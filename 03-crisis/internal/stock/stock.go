// Package stock holds the stock functions: stock-coordinator (check, reserve, write the order,
// then hand it to payment-orchestrator), stock-check, stock-reserve, stock-update, and
// store-counter, which keeps each store's live counter.
//
// The live counter is one item per store (STORE#<store>/COUNTER) that the store's tablet reads
// with a single GetItem: running totals plus the list of every stock movement, appended on each
// reserve and each sale. Every order of a store writes it twice, and each write costs more than
// the last, because DynamoDB charges a write by the size of the item (1 WCU per KB) and the list
// only grows: the busiest stores' counters become hot keys.
package stock

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
	EnvStockCheck          = "STOCK_CHECK_FUNCTION"
	EnvStockReserve        = "STOCK_RESERVE_FUNCTION"
	EnvOrderWriter         = "ORDER_WRITER_FUNCTION"
	EnvPaymentOrchestrator = "PAYMENT_ORCHESTRATOR_FUNCTION"
	EnvStoreCounter        = "STORE_COUNTER_FUNCTION"
)

// Counter actions.
const (
	ActionReserved = "reserved"
	ActionSold     = "sold"
)

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// Coordinator is stock-coordinator.
type Coordinator struct {
	Check, Reserve, Writer, Next Caller
}

// NewCoordinator builds stock-coordinator from its environment.
func NewCoordinator(_ context.Context, cfg aws.Config, getenv func(string) string) (*Coordinator, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Coordinator{
		Check:   b.Function(EnvStockCheck),
		Reserve: b.Function(EnvStockReserve),
		Writer:  b.Function(EnvOrderWriter),
		Next:    b.Function(EnvPaymentOrchestrator),
	}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("stock-coordinator: %w", err)
	}
	return h, nil
}

// Handle checks and reserves the order's stock, writes the order as pending payment and hands
// it to payment-orchestrator. A sold-out line ends the chain with a 409.
func (h *Coordinator) Handle(ctx context.Context, co message.Checkout) (message.Checkout, error) {
	if co.Store == nil {
		return message.Checkout{}, fmt.Errorf("stock for order %s: the store is required", co.OrderID)
	}
	st, ok := bakery.StoreByID(co.Store.ID)
	if !ok {
		return message.Checkout{}, fmt.Errorf("stock for order %s: no store %q", co.OrderID, co.Store.ID)
	}
	req := message.StockRequest{OrderID: co.OrderID, StoreID: st.ID, Day: co.Store.PickupDay,
		Customer: co.Request.Customer.Name, Pickup: co.Store.PickupLocal}
	for _, l := range co.Lines {
		it, _ := bakery.ItemByID(l.ItemID)
		req.Lines = append(req.Lines, message.StockLine{ItemID: l.ItemID, Quantity: l.Quantity, Par: bakery.ParLevel(st, it)})
	}
	var checked message.StockResult
	if err := h.Check.Call(ctx, req, &checked); err != nil {
		return message.Checkout{}, fmt.Errorf("check stock: %w", err)
	}
	if !checked.OK {
		return soldOut(co, req, checked), nil
	}
	var reserved message.StockResult
	if err := h.Reserve.Call(ctx, req, &reserved); err != nil {
		return message.Checkout{}, fmt.Errorf("reserve stock: %w", err)
	}
	if !reserved.OK {
		return soldOut(co, req, reserved), nil
	}
	draft := co.Draft()
	if err := h.Writer.Call(ctx, message.OrderWrite{Order: draft}, nil); err != nil {
		return message.Checkout{}, fmt.Errorf("write order %s: %w", co.OrderID, err)
	}
	co.Order = &draft
	var out message.Checkout
	if err := h.Next.Call(ctx, co, &out); err != nil {
		return message.Checkout{}, fmt.Errorf("pay order %s: %w", co.OrderID, err)
	}
	return out, nil
}

func soldOut(co message.Checkout, req message.StockRequest, r message.StockResult) message.Checkout {
	co.Rejection = &message.Rejection{StatusCode: http.StatusConflict, Error: fmt.Sprintf(
		"%s is sold out at %s for %s: %d left, %d asked for", r.ShortItem, req.StoreID, req.Day, r.Remaining, r.Asked)}
	return co
}

// Table is stock-check, stock-reserve, stock-update and store-counter: the stock and counter
// items of the shared table.
type Table struct {
	DB      table.API
	Name    string
	Counter Caller // store-counter, for stock-reserve and stock-update
	Now     func() time.Time
}

// NewTable builds stock-check or store-counter from its environment.
func NewTable(_ context.Context, cfg aws.Config, getenv func(string) string) (*Table, error) {
	name, err := table.Name(getenv)
	if err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	}
	return &Table{DB: dynamodb.NewFromConfig(cfg), Name: name, Now: time.Now}, nil
}

// NewCounting builds stock-reserve or stock-update from its environment: the table and the
// store-counter function.
func NewCounting(ctx context.Context, cfg aws.Config, getenv func(string) string) (*Table, error) {
	t, err := NewTable(ctx, cfg, getenv)
	if err != nil {
		return nil, err
	}
	b := invoker.NewBinder(cfg, getenv)
	t.Counter = b.Function(EnvStoreCounter)
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	}
	return t, nil
}

func stockKey(req message.StockRequest, itemID string) map[string]types.AttributeValue {
	return table.Key("STOCK#"+req.StoreID+"#"+req.Day, "ITEM#"+itemID)
}

// CheckStock is stock-check: it reads each line's stock, one GetItem per line.
func (t *Table) CheckStock(ctx context.Context, req message.StockRequest) (message.StockResult, error) {
	for _, l := range req.Lines {
		out, err := t.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &t.Name, Key: stockKey(req, l.ItemID), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return message.StockResult{}, fmt.Errorf("get stock of %s at %s: %w", l.ItemID, req.StoreID, err)
		}
		left := struct {
			Remaining *int `json:"remaining"`
		}{}
		if err := table.Unmarshal(out.Item, &left); err != nil {
			return message.StockResult{}, fmt.Errorf("read stock of %s at %s: %w", l.ItemID, req.StoreID, err)
		}
		remaining := l.Par
		if left.Remaining != nil {
			remaining = *left.Remaining
		}
		if remaining < l.Quantity {
			return message.StockResult{ShortItem: l.ItemID, Remaining: remaining, Asked: l.Quantity}, nil
		}
	}
	return message.StockResult{OK: true}, nil
}

// Reserve is stock-reserve: one conditional UpdateItem per line, then the store's counter. A
// line that is short stops it; the lines before it stay reserved.
func (t *Table) Reserve(ctx context.Context, req message.StockRequest) (message.StockResult, error) {
	for _, l := range req.Lines {
		_, err := t.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:           &t.Name,
			Key:                 stockKey(req, l.ItemID),
			UpdateExpression:    aws.String("SET remaining = if_not_exists(remaining, :par) - :qty"),
			ConditionExpression: aws.String("attribute_not_exists(remaining) OR remaining >= :qty"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":par": table.N(int64(l.Par)), ":qty": table.N(int64(l.Quantity)),
			},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if ccf, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
			left := struct {
				Remaining int `json:"remaining"`
			}{}
			_ = table.Unmarshal(ccf.Item, &left) // no item: nothing is known to be left
			return message.StockResult{ShortItem: l.ItemID, Remaining: left.Remaining, Asked: l.Quantity}, nil
		}
		if err != nil {
			return message.StockResult{}, fmt.Errorf("reserve %d %s at %s: %w", l.Quantity, l.ItemID, req.StoreID, err)
		}
	}
	if err := t.Counter.Call(ctx, counting(req, ActionReserved), nil); err != nil {
		return message.StockResult{}, fmt.Errorf("count reservation at %s: %w", req.StoreID, err)
	}
	return message.StockResult{OK: true}, nil
}

// Update is stock-update: after the payment it records each line as sold, then the store's
// counter.
func (t *Table) Update(ctx context.Context, req message.StockRequest) (message.StockResult, error) {
	for _, l := range req.Lines {
		_, err := t.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 &t.Name,
			Key:                       stockKey(req, l.ItemID),
			UpdateExpression:          aws.String("ADD sold :qty"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":qty": table.N(int64(l.Quantity))},
		})
		if err != nil {
			return message.StockResult{}, fmt.Errorf("record sale of %d %s at %s: %w", l.Quantity, l.ItemID, req.StoreID, err)
		}
	}
	if err := t.Counter.Call(ctx, counting(req, ActionSold), nil); err != nil {
		return message.StockResult{}, fmt.Errorf("count sale at %s: %w", req.StoreID, err)
	}
	return message.StockResult{OK: true}, nil
}

func counting(req message.StockRequest, action string) message.CounterRequest {
	return message.CounterRequest{StoreID: req.StoreID, Day: req.Day, OrderID: req.OrderID, Action: action, Lines: req.Lines, Customer: req.Customer, Pickup: req.Pickup}
}

// movement is one entry of a store counter's activity list: everything the store's tablet shows
// on a line, so that it never reads anything else.
type movement struct {
	OrderID   string `json:"order_id"`
	StoreID   string `json:"store_id"`
	Day       string `json:"day"`
	ItemID    string `json:"item_id"`
	Name      string `json:"name"`
	Quantity  int    `json:"quantity"`
	Par       int    `json:"par"`
	UnitPrice int64  `json:"unit_price"`
	Currency  string `json:"currency"`
	Action    string `json:"action"`
	Customer  string `json:"customer"`
	Pickup    string `json:"pickup"`
	At        string `json:"at"`
}

// Count is store-counter: it appends the movements to the store's activity list and adds them
// to its totals, in one UpdateItem on the store's counter item.
func (t *Table) Count(ctx context.Context, in message.CounterRequest) (message.Done, error) {
	if in.Action != ActionReserved && in.Action != ActionSold {
		return message.Done{}, fmt.Errorf("store counter: unknown action %q", in.Action)
	}
	at := t.Now().UTC().Format(time.RFC3339Nano)
	st, _ := bakery.StoreByID(in.StoreID)
	entries := make([]types.AttributeValue, 0, len(in.Lines))
	var units int64
	for _, l := range in.Lines {
		it, _ := bakery.ItemByID(l.ItemID)
		price, _ := it.Price(st.Currency)
		m, err := table.Marshal(movement{OrderID: in.OrderID, StoreID: in.StoreID, Day: in.Day, ItemID: l.ItemID, Name: it.Name,
			Quantity: l.Quantity, Par: l.Par, UnitPrice: price, Currency: st.Currency, Action: in.Action, Customer: in.Customer,
			Pickup: in.Pickup, At: at})
		if err != nil {
			return message.Done{}, err
		}
		entries = append(entries, &types.AttributeValueMemberM{Value: m})
		units += int64(l.Quantity)
	}
	_, err := t.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &t.Name,
		Key:                      table.Key("STORE#"+in.StoreID, "COUNTER"),
		UpdateExpression:         aws.String("SET activity = list_append(if_not_exists(activity, :none), :entries), updated_at = :at ADD #action :units, movements :n"),
		ExpressionAttributeNames: map[string]string{"#action": in.Action},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":none":    &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":entries": &types.AttributeValueMemberL{Value: entries},
			":at":      table.S(at),
			":units":   table.N(units),
			":n":       table.N(int64(len(entries))),
		},
	})
	if err != nil {
		return message.Done{}, fmt.Errorf("update the counter of store %s: %w", in.StoreID, err)
	}
	return message.Done{ID: in.StoreID}, nil
}
