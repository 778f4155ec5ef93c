package orders_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/orders"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table/tabletest"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// step is a fake function: it answers v (or fails with err) and remembers what it got.
type step struct {
	v     any
	err   error
	calls []any
}

func (s *step) Call(_ context.Context, in, out any) error {
	s.calls = append(s.calls, in)
	if s.err != nil || out == nil {
		return s.err
	}
	b, err := json.Marshal(s.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

var received = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

func checkout() message.Checkout {
	return message.Checkout{OrderID: "aaaaaaaaaaaaaaaa", ReceivedAt: received, Request: bakery.OrderRequest{
		StoreID:  "lon-01",
		Customer: bakery.Customer{Name: "Ada", Email: "ada@example.com"},
		Items:    []bakery.LineRequest{{ItemID: "croissant", Quantity: 2}},
		PickupAt: "2026-11-27T08:30:00Z",
	}}
}

func TestWorkflowRunsTheChainAgain(t *testing.T) {
	t.Parallel()
	flaky := &sequence{errs: []error{errors.New("stock-update failed")}}
	got, err := (&orders.Workflow{Validator: flaky}).Handle(context.Background(), checkout())
	require.NoError(t, err)
	assert.Equal(t, 2, got.Attempt, "the second attempt carries its number")
	assert.Len(t, flaky.got, orders.WorkflowAttempts)

	broken := &sequence{errs: []error{errors.New("one"), errors.New("two"), errors.New("three")}}
	_, err = (&orders.Workflow{Validator: broken}).Handle(context.Background(), checkout())
	assert.ErrorContains(t, err, "attempt 2: two")
	assert.Len(t, broken.got, orders.WorkflowAttempts)
}

// sequence fails with errs in turn, then echoes the checkout it got.
type sequence struct {
	errs []error
	got  []message.Checkout
}

func (s *sequence) Call(_ context.Context, in, out any) error {
	co := in.(message.Checkout)
	s.got = append(s.got, co)
	if len(s.got) <= len(s.errs) {
		return s.errs[len(s.got)-1]
	}
	*out.(*message.Checkout) = co
	return nil
}

func TestValidator(t *testing.T) {
	t.Parallel()
	store := message.StoreResult{Store: &message.Store{ID: "lon-01", Currency: "GBP", PickupDay: "2026-11-27"}}
	tests := []struct {
		name     string
		change   func(*message.Checkout)
		stores   any
		menu     message.MenuResult
		wantErr  string // in the rejection
		wantNext bool
	}{
		{"a valid order is passed on with its store and customer", func(*message.Checkout) {}, store,
			message.MenuResult{Items: []bakery.Item{{ID: "croissant"}}}, "", true},
		{"the bakery's rules reject before anything is called", func(co *message.Checkout) { co.Request.Items[0].Quantity = 0 }, store,
			message.MenuResult{}, "items[0].quantity must be 1–50, got 0", false},
		{"an item the menu function does not know", func(*message.Checkout) {}, store,
			message.MenuResult{Missing: []string{"croissant"}}, `item "croissant" is not on the menu`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			co := checkout()
			tt.change(&co)
			stores, customers, next := &step{v: tt.stores}, &step{v: message.Customer{Email: "ada@example.com"}}, &step{v: message.Checkout{OrderID: co.OrderID}}
			h := &orders.Validator{Stores: stores, Customers: customers, Menu: &step{v: tt.menu}, Next: next}
			got, err := h.Handle(context.Background(), co)
			require.NoError(t, err)
			if tt.wantErr != "" {
				require.NotNil(t, got.Rejection)
				assert.Equal(t, http.StatusBadRequest, got.Rejection.StatusCode)
				assert.Contains(t, got.Rejection.Error, tt.wantErr)
				assert.Empty(t, next.calls)
				return
			}
			require.Len(t, next.calls, 1)
			passed := next.calls[0].(message.Checkout)
			assert.Equal(t, "lon-01", passed.Store.ID)
			assert.Equal(t, "ada@example.com", passed.Customer.Email)
			assert.Equal(t, time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC), passed.PickupAt)
		})
	}
}

func TestFinalizerStopsAtTheFirstFailure(t *testing.T) {
	t.Parallel()
	co := checkout()
	o := bakery.Order{ID: co.OrderID, Status: bakery.StatusPendingPayment, StoreID: "lon-01", Total: 576}
	co.Order, co.Charge = &o, &message.Charge{ChargeID: "ch_1"}
	status, stock, receipt, loyalty := &step{}, &step{err: errors.New("store counter throttled")}, &step{}, &step{}
	h := &orders.Finalizer{Status: status, Stock: stock, Receipt: receipt, Loyalty: loyalty, Kitchen: &step{}, Notify: &step{}, Audit: &step{}, Analytics: &step{},
		Now: func() time.Time { return received }}
	_, err := h.Handle(context.Background(), co)
	assert.ErrorContains(t, err, "update stock for order aaaaaaaaaaaaaaaa: store counter throttled")
	require.Len(t, status.calls, 1, "the order is already marked paid: the money is taken")
	assert.Equal(t, bakery.StatusPaid, status.calls[0].(message.StatusChange).Status)
	assert.Empty(t, receipt.calls)
	assert.Empty(t, loyalty.calls)
}

func TestOrderTable(t *testing.T) {
	t.Parallel()
	cfg, _ := tabletest.Start(t)
	h, err := orders.NewTable(context.Background(), cfg, tabletest.Env(nil))
	require.NoError(t, err)
	ctx := context.Background()
	o := bakery.Order{ID: "aaaaaaaaaaaaaaaa", Status: bakery.StatusPendingPayment, StoreID: "lon-01", Currency: "GBP", Total: 576,
		Items: []bakery.Line{{ItemID: "croissant", Quantity: 2}}, CreatedAt: received, PickupAt: received.Add(time.Hour)}
	_, err = h.Write(ctx, message.OrderWrite{Order: o})
	require.NoError(t, err)
	_, err = h.SetStatus(ctx, message.StatusChange{OrderID: o.ID, Status: bakery.StatusPaid, PaymentRef: "ch_1", At: received})
	require.NoError(t, err)
	got, err := h.Read(ctx, message.OrderLookup{OrderID: o.ID})
	require.NoError(t, err)
	require.NotNil(t, got.Order)
	assert.Equal(t, bakery.StatusPaid, got.Order.Status)
	assert.Equal(t, "ch_1", got.Order.PaymentRef)
	require.NotNil(t, got.Order.PaidAt)
	assert.Equal(t, received, *got.Order.PaidAt)

	missing, err := h.Read(ctx, message.OrderLookup{OrderID: "not-an-order-id"})
	require.NoError(t, err)
	assert.Nil(t, missing.Order)
}
