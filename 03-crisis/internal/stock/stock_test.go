package stock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/stock"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table/tabletest"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

var now = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

// recorder is a fake function that remembers what it was called with.
type recorder struct {
	calls []any
	err   error
}

func (r *recorder) Call(_ context.Context, in, _ any) error {
	r.calls = append(r.calls, in)
	return r.err
}

// counting is stock-reserve or stock-update whose store-counter is the real Count handler.
func counting(t *testing.T) (*stock.Table, *dynamodb.Client) {
	t.Helper()
	cfg, db := tabletest.Start(t)
	counter, err := stock.NewTable(context.Background(), cfg, tabletest.Env(nil))
	require.NoError(t, err)
	counter.Now = func() time.Time { return now }
	h, err := stock.NewCounting(context.Background(), cfg, tabletest.Env(map[string]string{stock.EnvStoreCounter: "StoreCounter"}))
	require.NoError(t, err)
	h.Counter = callFunc(func(ctx context.Context, in, _ any) error {
		_, err := counter.Count(ctx, in.(message.CounterRequest))
		return err
	})
	return h, db
}

type callFunc func(ctx context.Context, in, out any) error

func (f callFunc) Call(ctx context.Context, in, out any) error { return f(ctx, in, out) }

func req(lines ...message.StockLine) message.StockRequest {
	return message.StockRequest{OrderID: "o1", StoreID: "lon-01", Day: "2026-11-27", Lines: lines, Customer: "Ada", Pickup: "08:30"}
}

func remaining(t *testing.T, db *dynamodb.Client, item string) int {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(tabletest.Name),
		Key: table.Key("STOCK#lon-01#2026-11-27", "ITEM#"+item), ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	var v struct {
		Remaining int `json:"remaining"`
	}
	require.NoError(t, table.Unmarshal(out.Item, &v))
	return v.Remaining
}

func TestReserveAndCheck(t *testing.T) {
	t.Parallel()
	h, db := counting(t)
	ctx := context.Background()
	croissants := message.StockLine{ItemID: "croissant", Quantity: 20, Par: 240}
	tarts := message.StockLine{ItemID: "lemon-tart", Quantity: 30, Par: 48}

	tests := []struct {
		name      string
		run       func() (message.StockResult, error)
		want      message.StockResult
		croissant int // remaining afterwards
		tart      int
	}{
		{"an empty table has the par level", func() (message.StockResult, error) { return h.CheckStock(ctx, req(croissants, tarts)) },
			message.StockResult{OK: true}, 0, 0},
		{"a reservation takes from the par level", func() (message.StockResult, error) { return h.Reserve(ctx, req(croissants, tarts)) },
			message.StockResult{OK: true}, 220, 18},
		{"a check names the first short line", func() (message.StockResult, error) { return h.CheckStock(ctx, req(croissants, tarts)) },
			message.StockResult{ShortItem: "lemon-tart", Remaining: 18, Asked: 30}, 220, 18},
		// One UpdateItem per line, no transaction: the croissants stay reserved although the
		// order cannot go ahead, and nothing gives them back.
		{"a short line stops the reservation, the lines before it stay taken", func() (message.StockResult, error) { return h.Reserve(ctx, req(croissants, tarts)) },
			message.StockResult{ShortItem: "lemon-tart", Remaining: 18, Asked: 30}, 200, 18},
	}
	for _, tt := range tests { // in order: each step builds on the one before
		got, err := tt.run()
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
		if tt.croissant != 0 {
			assert.Equal(t, tt.croissant, remaining(t, db, "croissant"), tt.name)
			assert.Equal(t, tt.tart, remaining(t, db, "lemon-tart"), tt.name)
		}
	}
}

func TestStoreCounterGrows(t *testing.T) {
	t.Parallel()
	h, db := counting(t)
	ctx := context.Background()
	line := message.StockLine{ItemID: "croissant", Quantity: 2, Par: 240}
	var sizes []int
	for range 3 {
		_, err := h.Reserve(ctx, req(line))
		require.NoError(t, err)
		_, err = h.Update(ctx, req(line))
		require.NoError(t, err)
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tabletest.Name), Key: table.Key("STORE#lon-01", "COUNTER")})
		require.NoError(t, err)
		var c struct {
			Reserved  int              `json:"reserved"`
			Sold      int              `json:"sold"`
			Movements int              `json:"movements"`
			Activity  []map[string]any `json:"activity"`
		}
		require.NoError(t, table.Unmarshal(out.Item, &c))
		assert.Equal(t, c.Movements, len(c.Activity))
		assert.Equal(t, c.Reserved, c.Sold)
		sizes = append(sizes, c.Movements)
	}
	// Every order adds to the one item: each write costs more than the one before.
	assert.Equal(t, []int{2, 4, 6}, sizes)
}

func TestCountRefusesUnknownActions(t *testing.T) {
	t.Parallel()
	cfg, _ := tabletest.Start(t)
	h, err := stock.NewTable(context.Background(), cfg, tabletest.Env(nil))
	require.NoError(t, err)
	_, err = h.Count(context.Background(), message.CounterRequest{StoreID: "lon-01", Action: "stolen"})
	assert.ErrorContains(t, err, `unknown action "stolen"`)
}

func TestCoordinator(t *testing.T) {
	t.Parallel()
	co := message.Checkout{
		OrderID: "o1",
		Request: bakery.OrderRequest{StoreID: "lon-01", Customer: bakery.Customer{Name: "Ada", Email: "ada@example.com"}},
		Store:   &message.Store{ID: "lon-01", Currency: "GBP", PickupDay: "2026-11-27", PickupLocal: "2026-11-27T08:30:00Z"},
		Lines:   []bakery.Line{{ItemID: "croissant", Quantity: 2, UnitPrice: 240, LineTotal: 480}},
		Totals:  &bakery.Totals{Subtotal: 480, Tax: 96, Total: 576},
	}
	short := message.StockResult{ShortItem: "croissant", Remaining: 1, Asked: 2}
	tests := []struct {
		name          string
		check, hold   message.StockResult
		wantRejection int
		wantWritten   bool
	}{
		{"stock there: the order is written and paid for", message.StockResult{OK: true}, message.StockResult{OK: true}, 0, true},
		{"sold out at the check", short, message.StockResult{OK: true}, http.StatusConflict, false},
		{"sold out at the reservation", message.StockResult{OK: true}, short, http.StatusConflict, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			writer, next := &recorder{}, &recorder{}
			h := &stock.Coordinator{
				Check:   answering(tt.check),
				Reserve: answering(tt.hold),
				Writer:  writer,
				Next: callFunc(func(_ context.Context, in, out any) error {
					next.calls = append(next.calls, in)
					return roundTrip(in, out)
				}),
			}
			got, err := h.Handle(context.Background(), co)
			require.NoError(t, err)
			if tt.wantRejection != 0 {
				require.NotNil(t, got.Rejection)
				assert.Equal(t, tt.wantRejection, got.Rejection.StatusCode)
				assert.Contains(t, got.Rejection.Error, "croissant is sold out at lon-01 for 2026-11-27: 1 left, 2 asked for")
				assert.Empty(t, writer.calls)
				assert.Empty(t, next.calls)
				return
			}
			require.Len(t, writer.calls, 1)
			written := writer.calls[0].(message.OrderWrite).Order
			assert.Equal(t, bakery.StatusPendingPayment, written.Status)
			assert.Equal(t, int64(576), written.Total)
			require.Len(t, next.calls, 1)
			assert.Equal(t, &written, next.calls[0].(message.Checkout).Order)
		})
	}
}

func answering(v message.StockResult) callFunc {
	return func(_ context.Context, in, out any) error { return roundTrip(v, out) }
}

func roundTrip(v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
