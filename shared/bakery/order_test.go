package bakery_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

var now = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

func validRequest() bakery.OrderRequest {
	return bakery.OrderRequest{
		StoreID:  "lon-01",
		Customer: bakery.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Items:    []bakery.LineRequest{{ItemID: "croissant", Quantity: 2}, {ItemID: "flat-white", Quantity: 1}},
		PickupAt: "2026-11-27T08:30:00Z",
	}
}

func TestNewOrder(t *testing.T) {
	t.Parallel()
	o, err := bakery.NewOrder("abc", validRequest(), now)
	require.NoError(t, err)
	assert.Equal(t, bakery.Order{
		ID:       "abc",
		Status:   bakery.StatusReceived,
		StoreID:  "lon-01",
		Customer: bakery.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Items: []bakery.Line{
			{ItemID: "croissant", Name: "Butter croissant", Quantity: 2, UnitPrice: 240, LineTotal: 480},
			{ItemID: "flat-white", Name: "Flat white", Quantity: 1, UnitPrice: 370, LineTotal: 370},
		},
		Currency:  bakery.GBP,
		Subtotal:  850,
		Tax:       170,
		Total:     1020,
		PickupAt:  time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC),
		CreatedAt: now,
	}, o)
}

func TestNewOrderPricesInTheStoresCurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		store    string
		currency string
		subtotal int64 // 2 croissants + 1 flat white
		tax      int64
	}{
		{"lon-02", bakery.GBP, 850, 170},  // 20 %
		{"par-02", bakery.EUR, 780, 43},   // 5.5 % of 7.80 = 0.429
		{"nyc-02", bakery.USD, 1210, 107}, // 8.88 % of 12.10 = 1.0745
		{"mtl-01", bakery.CAD, 1520, 228}, // 14.98 % of 15.20 = 2.277
		{"zrh-01", bakery.CHF, 1210, 31},  // 2.6 % of 12.10 = 0.3146
		{"sto-01", bakery.SEK, 10500, 1260},
		{"cph-01", bakery.DKK, 9000, 2250},
		{"waw-01", bakery.PLN, 3400, 170},
		{"prg-01", bakery.CZK, 21500, 2580},
	}
	for _, tt := range tests {
		t.Run(tt.store, func(t *testing.T) {
			req := validRequest()
			req.StoreID = tt.store
			req.PickupAt = "2026-11-28T12:00:00Z"
			o, err := bakery.NewOrder("abc", req, now)
			require.NoError(t, err)
			assert.Equal(t, tt.currency, o.Currency)
			assert.Equal(t, tt.subtotal, o.Subtotal)
			assert.Equal(t, tt.tax, o.Tax)
			assert.Equal(t, tt.subtotal+tt.tax, o.Total)
		})
	}
}

func TestNewOrderRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(r *bakery.OrderRequest)
		want   string
	}{
		{"unknown store", func(r *bakery.OrderRequest) { r.StoreID = "xyz-01" },
			`store_id must name one of the 60 stores, such as "lon-01", got "xyz-01"`},
		{"missing store", func(r *bakery.OrderRequest) { r.StoreID = "" },
			`store_id must name one of the 60 stores, such as "lon-01", got ""`},
		{"blank name", func(r *bakery.OrderRequest) { r.Customer.Name = "  " },
			`customer.name must be 1–100 characters, got "  "`},
		{"long name", func(r *bakery.OrderRequest) { r.Customer.Name = strings.Repeat("é", 101) },
			`customer.name must be 1–100 characters, got "` + strings.Repeat("é", 64) + `"…`},
		{"bad email", func(r *bakery.OrderRequest) { r.Customer.Email = "ada at example.com" },
			`customer.email must be an email address such as ada@example.com, got "ada at example.com"`},
		{"email with a display name", func(r *bakery.OrderRequest) { r.Customer.Email = "Ada <ada@example.com>" },
			`customer.email must be an email address such as ada@example.com, got "Ada <ada@example.com>"`},
		{"no items", func(r *bakery.OrderRequest) { r.Items = nil },
			`items must have at least one line, got none`},
		{"too many lines", func(r *bakery.OrderRequest) { r.Items = make([]bakery.LineRequest, 27) },
			`items must have at most 26 lines, one per menu item, got 27`},
		{"unknown item", func(r *bakery.OrderRequest) { r.Items[1].ItemID = "cronut" },
			`items[1].item_id must name an item on the menu, such as "croissant", got "cronut"`},
		{"quantity zero", func(r *bakery.OrderRequest) { r.Items[1].Quantity = 0 },
			`items[1].quantity must be 1–50, got 0`},
		{"quantity negative", func(r *bakery.OrderRequest) { r.Items[0].Quantity = -3 },
			`items[0].quantity must be 1–50, got -3`},
		{"quantity above 50", func(r *bakery.OrderRequest) { r.Items[0].Quantity = 51 },
			`items[0].quantity must be 1–50, got 51`},
		{"item twice", func(r *bakery.OrderRequest) { r.Items[1].ItemID = "croissant" },
			`items[1].item_id must not repeat items[0] (put the whole quantity on one line), got "croissant"`},
		{"pickup not a time", func(r *bakery.OrderRequest) { r.PickupAt = "tomorrow 8am" },
			`pickup_at must be an RFC 3339 time such as 2026-11-27T08:30:00Z, got "tomorrow 8am"`},
		{"pickup missing", func(r *bakery.OrderRequest) { r.PickupAt = "" },
			`pickup_at must be an RFC 3339 time such as 2026-11-27T08:30:00Z, got ""`},
		{"pickup in the past", func(r *bakery.OrderRequest) { r.PickupAt = "2026-11-27T06:59:59Z" },
			`pickup_at must be in the future (it is now 2026-11-27T07:00:00Z), got 2026-11-27T06:59:59Z`},
		{"pickup now", func(r *bakery.OrderRequest) { r.PickupAt = "2026-11-27T08:00:00+01:00" },
			`pickup_at must be in the future (it is now 2026-11-27T07:00:00Z), got 2026-11-27T08:00:00+01:00`},
		{"pickup too far ahead", func(r *bakery.OrderRequest) { r.PickupAt = "2026-12-27T07:00:01Z" },
			`pickup_at must be at most 30 days ahead (by 2026-12-27T07:00:00Z), got 2026-12-27T07:00:01Z`},
		{"every problem at once", func(r *bakery.OrderRequest) {
			*r = bakery.OrderRequest{Items: []bakery.LineRequest{{ItemID: "croissant"}}}
		}, `store_id must name one of the 60 stores, such as "lon-01", got ""; ` +
			`customer.name must be 1–100 characters, got ""; ` +
			`customer.email must be an email address such as ada@example.com, got ""; ` +
			`items[0].quantity must be 1–50, got 0; ` +
			`pickup_at must be an RFC 3339 time such as 2026-11-27T08:30:00Z, got ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validRequest()
			tt.change(&req)
			_, err := bakery.NewOrder("abc", req, now)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			var verr *bakery.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.NotEmpty(t, verr.Problems)
		})
	}
}

func TestNewOrderAcceptsEdgeValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(r *bakery.OrderRequest)
	}{
		{"quantity 1", func(r *bakery.OrderRequest) { r.Items[0].Quantity = 1 }},
		{"quantity 50", func(r *bakery.OrderRequest) { r.Items[0].Quantity = 50 }},
		{"name of 100 characters", func(r *bakery.OrderRequest) { r.Customer.Name = strings.Repeat("ø", 100) }},
		{"pickup a second from now", func(r *bakery.OrderRequest) { r.PickupAt = "2026-11-27T07:00:01Z" }},
		{"pickup exactly 30 days ahead", func(r *bakery.OrderRequest) { r.PickupAt = "2026-12-27T07:00:00Z" }},
		{"pickup with an offset and fraction", func(r *bakery.OrderRequest) { r.PickupAt = "2026-11-27T09:30:00.5+01:00" }},
		{"every menu item once", func(r *bakery.OrderRequest) {
			r.Items = nil
			for _, it := range bakery.Menu() {
				r.Items = append(r.Items, bakery.LineRequest{ItemID: it.ID, Quantity: 1})
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validRequest()
			tt.change(&req)
			_, err := bakery.NewOrder("abc", req, now)
			assert.NoError(t, err)
		})
	}
}

func TestNewOrderNormalisesTimesToUTC(t *testing.T) {
	t.Parallel()
	req := validRequest()
	req.PickupAt = "2026-11-27T09:30:00+01:00"
	o, err := bakery.NewOrder("abc", req, now.In(time.FixedZone("CET", 3600)))
	require.NoError(t, err)
	assert.Equal(t, time.UTC, o.PickupAt.Location())
	assert.Equal(t, time.UTC, o.CreatedAt.Location())
	assert.Equal(t, "2026-11-27T08:30:00Z", o.PickupAt.Format(time.RFC3339))
}

func TestTransition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to bakery.Status
		want     string // empty when the transition is allowed
	}{
		{bakery.StatusReceived, bakery.StatusPendingPayment, ""},
		{bakery.StatusPendingPayment, bakery.StatusPaid, ""},
		{bakery.StatusPaid, bakery.StatusPreparing, ""},
		{bakery.StatusPreparing, bakery.StatusReady, ""},
		{bakery.StatusReady, bakery.StatusPickedUp, ""},
		{bakery.StatusPaid, bakery.StatusPaid, "order abc is already paid"},
		{bakery.StatusPaid, bakery.StatusPendingPayment, "order abc cannot go from paid to pending-payment: from paid it can go to preparing or failed"},
		{bakery.StatusReceived, bakery.StatusReady, "order abc cannot go from received to ready: from received it can go to pending-payment or failed"},
		{bakery.StatusPickedUp, bakery.StatusReady, "order abc cannot go from picked-up to ready: picked-up is final"},
		{bakery.StatusFailed, bakery.StatusPaid, "order abc cannot go from failed to paid: failed is final"},
		{"lost", bakery.StatusPaid, `order abc has unknown status "lost"`},
		{bakery.StatusPaid, "eaten", `order abc cannot go to unknown status "eaten"`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s to %s", tt.from, tt.to), func(t *testing.T) {
			o := bakery.Order{ID: "abc", Status: tt.from}
			err := o.Transition(tt.to)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.to, o.Status)
				assert.NoError(t, bakery.CheckTransition(tt.from, tt.to))
				return
			}
			assert.EqualError(t, err, tt.want)
			assert.ErrorIs(t, err, bakery.ErrInvalidTransition)
			assert.Equal(t, tt.from, o.Status, "a refused transition leaves the status alone")
		})
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	for _, from := range bakery.Statuses() {
		t.Run(string(from), func(t *testing.T) {
			o := bakery.Order{ID: "abc", Status: from}
			err := o.Fail("payment declined")
			if from.Final() {
				assert.ErrorIs(t, err, bakery.ErrInvalidTransition)
				assert.Empty(t, o.FailureReason)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, bakery.StatusFailed, o.Status)
			assert.Equal(t, "payment declined", o.FailureReason)
		})
	}

	o := bakery.Order{ID: "abc", Status: bakery.StatusPaid}
	assert.EqualError(t, o.Fail(" "), "order abc: a failed order needs a reason")
	assert.EqualError(t, o.Transition(bakery.StatusFailed), "order abc: failing an order needs a reason: use Fail")
	assert.Equal(t, bakery.StatusPaid, o.Status)
}

func TestStatuses(t *testing.T) {
	t.Parallel()
	for _, s := range bakery.Statuses() {
		assert.True(t, s.Valid(), s)
		assert.Equal(t, s.Final(), len(s.Next()) == 0, s)
		assert.Equal(t, strings.ToLower(string(s)), string(s))
	}
	assert.False(t, bakery.Status("Paid").Valid())
	assert.Equal(t, []bakery.Status{bakery.StatusPaid, bakery.StatusFailed}, bakery.StatusPendingPayment.Next())
}

func TestRecordPayment(t *testing.T) {
	t.Parallel()
	o, err := bakery.NewOrder("abc", validRequest(), now)
	require.NoError(t, err)
	require.NoError(t, o.Transition(bakery.StatusPendingPayment))

	err = o.RecordPayment(1000, "slip 42", now)
	assert.EqualError(t, err, "amount must equal the order total 1020 (GBP 10.20), got 1000")
	var verr *bakery.ValidationError
	assert.ErrorAs(t, err, &verr)
	assert.Equal(t, bakery.StatusPendingPayment, o.Status)

	paidAt := now.Add(5 * time.Minute).In(time.FixedZone("CET", 3600))
	require.NoError(t, o.RecordPayment(1020, "slip 42", paidAt))
	assert.Equal(t, bakery.StatusPaid, o.Status)
	require.NotNil(t, o.PaidAt)
	assert.Equal(t, now.Add(5*time.Minute), *o.PaidAt)
	assert.Equal(t, time.UTC, o.PaidAt.Location())
	assert.Equal(t, "slip 42", o.PaymentRef)

	err = o.RecordPayment(1020, "slip 43", now)
	assert.EqualError(t, err, "order abc is already paid")
	assert.True(t, errors.Is(err, bakery.ErrInvalidTransition))
	assert.Equal(t, "slip 42", o.PaymentRef, "a second payment changes nothing")
}

func TestOrderIDs(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := bakery.NewOrderID()
		require.Regexp(t, `^[a-z2-7]{16}$`, id)
		require.True(t, bakery.ValidOrderID(id), id)
		require.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
	}
	for _, id := range []string{"", "abc", "ABCDEFGHIJKLMNOP", "abcdefghijklmno1", "abcdefghijklmnopq", "../../etc/passwd"} {
		assert.False(t, bakery.ValidOrderID(id), id)
	}
}

func ExampleNewOrder() {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	_, err := bakery.NewOrder("example", bakery.OrderRequest{
		StoreID:  "par-01",
		Customer: bakery.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Items:    []bakery.LineRequest{{ItemID: "croissant", Quantity: 2}, {ItemID: "cappuccino", Quantity: 0}},
		PickupAt: "2026-11-27T08:30:00Z",
	}, now)
	fmt.Println(err)

	o, _ := bakery.NewOrder("example", bakery.OrderRequest{
		StoreID:  "par-01",
		Customer: bakery.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Items:    []bakery.LineRequest{{ItemID: "croissant", Quantity: 2}, {ItemID: "cappuccino", Quantity: 1}},
		PickupAt: "2026-11-27T08:30:00Z",
	}, now)
	fmt.Println(o.Status, bakery.FormatMoney(o.Subtotal, o.Currency), "+", bakery.FormatMoney(o.Tax, o.Currency), "=", bakery.FormatMoney(o.Total, o.Currency))
	// Output:
	// items[1].quantity must be 1–50, got 0
	// received EUR 7.70 + EUR 0.42 = EUR 8.12
}
