package inventory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/02-split/internal/inventory"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/emulatortest"
)

const table = "stock"

// now is 07:00 in London on a Friday; pickups below are later that morning.
var (
	now    = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	pickup = time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
)

// env is the function's environment as the stage's template sets it.
func env(k string) string {
	if k == "TABLE_NAME" {
		return table
	}
	return ""
}

// start returns a handler whose table lives in the emulator's DynamoDB behind a real SDK client,
// and that client.
func start(t testing.TB) (*inventory.Handler, *dynamodb.Client) {
	t.Helper()
	cfg := emulatortest.DynamoDB(t, &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	db := dynamodb.NewFromConfig(cfg)
	h, err := inventory.New(context.Background(), cfg, env)
	require.NoError(t, err)
	h.Now = func() time.Time { return now }
	return h, db
}

func reserve(store string, at time.Time, lines ...inventory.Line) inventory.Request {
	return inventory.Request{Action: inventory.ActionReserve, OrderID: bakery.NewOrderID(), StoreID: store, PickupAt: at, Lines: lines}
}

func release(orderID string) inventory.Request {
	return inventory.Request{Action: inventory.ActionRelease, OrderID: orderID}
}

func line(item string, qty int) inventory.Line { return inventory.Line{ItemID: item, Quantity: qty} }

func handle(t testing.TB, h *inventory.Handler, req inventory.Request) inventory.Reply {
	t.Helper()
	r, err := h.Handle(context.Background(), req)
	require.NoError(t, err)
	return r
}

// scan returns every item in the table, sorted, as comparable JSON.
func scan(t testing.TB, db *dynamodb.Client) []string {
	t.Helper()
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	require.NoError(t, err)
	rows := make([]string, 0, len(out.Items))
	for _, it := range out.Items {
		b, err := json.Marshal(it)
		require.NoError(t, err)
		rows = append(rows, string(b))
	}
	sort.Strings(rows)
	return rows
}

func get(t testing.TB, db *dynamodb.Client, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}})
	require.NoError(t, err)
	return out.Item
}

func remaining(t testing.TB, db *dynamodb.Client, store, day, item string) int {
	t.Helper()
	n, ok := get(t, db, "STOCK#"+store+"#"+day, "ITEM#"+item)["remaining"].(*types.AttributeValueMemberN)
	require.True(t, ok, "no stock row for %s %s %s", store, day, item)
	var v int
	_, err := fmt.Sscan(n.Value, &v)
	require.NoError(t, err)
	return v
}

func TestNewNeedsTableName(t *testing.T) {
	t.Parallel()
	_, err := inventory.New(context.Background(), aws.Config{}, func(string) string { return "" })
	assert.EqualError(t, err, "inventory: TABLE_NAME is not set; the function needs the name of its DynamoDB table")
}

func TestReserveStartsFromTheParLevel(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	req := reserve("lon-01", pickup, line("croissant", 2), line("flat-white", 1))
	assert.Equal(t, inventory.Reply{Outcome: inventory.Reserved, Day: "2026-11-27"}, handle(t, h, req))

	// lon-01 is a flagship: twice the standard par level.
	assert.Equal(t, 240-2, remaining(t, db, "lon-01", "2026-11-27", "croissant"))
	assert.Equal(t, 600-1, remaining(t, db, "lon-01", "2026-11-27", "flat-white"))
	r := get(t, db, "RESERVATION#"+req.OrderID, "RESERVATION")
	require.NotNil(t, r, "the reservation is recorded with the stock it took")
	assert.Equal(t, &types.AttributeValueMemberS{Value: "lon-01"}, r["store_id"])
	assert.Equal(t, &types.AttributeValueMemberS{Value: "2026-11-27"}, r["day"])
	assert.Len(t, scan(t, db), 3, "two stock rows and the reservation")
}

func TestReserveSoldOut(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	// A standard store bakes 24 lemon tarts a day.
	require.Equal(t, inventory.Reserved, handle(t, h, reserve("lon-02", pickup, line("lemon-tart", 20))).Outcome)
	before := scan(t, db)

	tests := []struct {
		name string
		req  inventory.Request
		want inventory.Shortage
	}{
		{"more than are left", reserve("lon-02", pickup, line("lemon-tart", 5)),
			inventory.Shortage{ItemID: "lemon-tart", Remaining: 4, Requested: 5}},
		{"one line of several is short, so nothing is reserved", reserve("lon-02", pickup, line("croissant", 3), line("lemon-tart", 5), line("latte", 1)),
			inventory.Shortage{ItemID: "lemon-tart", Remaining: 4, Requested: 5}},
		{"more than a day's bake", reserve("lon-03", pickup, line("lemon-tart", 25)),
			inventory.Shortage{ItemID: "lemon-tart", Remaining: 24, Requested: 25, PerDay: 24}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := handle(t, h, tt.req)
			assert.Equal(t, inventory.SoldOut, r.Outcome)
			assert.Equal(t, "2026-11-27", r.Day)
			assert.Equal(t, &tt.want, r.Shortage)
			assert.Equal(t, before, scan(t, db), "a sold-out reservation writes nothing")
		})
	}

	t.Run("the last ones can be had", func(t *testing.T) {
		assert.Equal(t, inventory.Reserved, handle(t, h, reserve("lon-02", pickup, line("lemon-tart", 4))).Outcome)
		assert.Equal(t, 0, remaining(t, db, "lon-02", "2026-11-27", "lemon-tart"))
	})
	t.Run("stock is counted by the store's local day", func(t *testing.T) {
		// 03:00 UTC on the 28th is still the evening of the 27th in New York.
		r := handle(t, h, reserve("nyc-02", time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC), line("lemon-tart", 1)))
		assert.Equal(t, inventory.Reply{Outcome: inventory.Reserved, Day: "2026-11-27"}, r)
		assert.Equal(t, 23, remaining(t, db, "nyc-02", "2026-11-27", "lemon-tart"))
	})
}

// TestReserveTwiceTakesOnce is the Lambda client retrying an invocation that went through.
func TestReserveTwiceTakesOnce(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	req := reserve("par-02", pickup, line("croissant", 5))
	assert.Equal(t, inventory.Reserved, handle(t, h, req).Outcome)
	after := scan(t, db)
	assert.Equal(t, inventory.Reply{Outcome: inventory.Reserved, Day: "2026-11-27"}, handle(t, h, req))
	assert.Equal(t, after, scan(t, db), "the retry took nothing more")
	assert.Equal(t, 120-5, remaining(t, db, "par-02", "2026-11-27", "croissant"))
}

func TestRelease(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	other := reserve("ams-01", pickup, line("croissant", 1))
	require.Equal(t, inventory.Reserved, handle(t, h, other).Outcome)
	req := reserve("ams-01", pickup, line("croissant", 3), line("cappuccino", 2))
	require.Equal(t, inventory.Reserved, handle(t, h, req).Outcome)
	require.Equal(t, 120-4, remaining(t, db, "ams-01", "2026-11-27", "croissant"))

	assert.Equal(t, inventory.Reply{Outcome: inventory.Released, Day: "2026-11-27"}, handle(t, h, release(req.OrderID)))
	assert.Equal(t, 120-1, remaining(t, db, "ams-01", "2026-11-27", "croissant"), "the other order keeps its croissant")
	assert.Equal(t, 300, remaining(t, db, "ams-01", "2026-11-27", "cappuccino"))
	assert.Nil(t, get(t, db, "RESERVATION#"+req.OrderID, "RESERVATION"))
	released := scan(t, db)

	tests := []struct {
		name    string
		orderID string
	}{
		{"a second release gives nothing back twice", req.OrderID},
		{"an order that reserved nothing", bakery.NewOrderID()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, inventory.NotReserved, handle(t, h, release(tt.orderID)).Outcome)
			assert.Equal(t, released, scan(t, db))
		})
	}
}

func TestConcurrentReservationsNeverOversell(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	const customers = 30 // for 24 lemon tarts
	outcomes := make(chan string, customers)
	var wg sync.WaitGroup
	for range customers {
		wg.Go(func() {
			outcomes <- handle(t, h, reserve("bri-01", pickup, line("lemon-tart", 1))).Outcome
		})
	}
	wg.Wait()
	close(outcomes)
	counts := map[string]int{}
	for o := range outcomes {
		counts[o]++
	}
	assert.Equal(t, 24, counts[inventory.Reserved], counts)
	assert.Equal(t, customers-24, counts[inventory.SoldOut]+counts[inventory.Conflict], counts)
	assert.Equal(t, 0, remaining(t, db, "bri-01", "2026-11-27", "lemon-tart"))
}

func TestRejectsRequestsItCannotActOn(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	require.Equal(t, inventory.Reserved, handle(t, h, reserve("lon-02", pickup, line("croissant", 1))).Outcome)
	before := scan(t, db)
	valid := func(edit func(*inventory.Request)) inventory.Request {
		r := reserve("lon-02", pickup, line("croissant", 2))
		r.OrderID = "abcdefghijklmnop"
		edit(&r)
		return r
	}
	tests := []struct {
		name string
		req  inventory.Request
		want string
	}{
		{"no action", valid(func(r *inventory.Request) { r.Action = "" }), `inventory: action must be "reserve" or "release", got ""`},
		{"an order id that is not one", valid(func(r *inventory.Request) { r.OrderID = "../STOCK" }), `order_id must be an order id`},
		{"an unknown store", valid(func(r *inventory.Request) { r.StoreID = "xyz-01" }), `inventory: store_id must name one of the stores, got "xyz-01"`},
		{"no pickup time", valid(func(r *inventory.Request) { r.PickupAt = time.Time{} }), "inventory: pickup_at is required to reserve: stock is counted per local day"},
		{"no lines", valid(func(r *inventory.Request) { r.Lines = nil }), "inventory: lines must have at least one line to reserve"},
		{"an unknown item", valid(func(r *inventory.Request) { r.Lines[0].ItemID = "cronut" }), `inventory: lines[0].item_id must name a menu item once, got "cronut"`},
		{"an item twice", valid(func(r *inventory.Request) { r.Lines = append(r.Lines, line("croissant", 1)) }), `inventory: lines[1].item_id must name a menu item once, got "croissant"`},
		{"quantity 0", valid(func(r *inventory.Request) { r.Lines[0].Quantity = 0 }), "inventory: lines[0].quantity must be 1–50, got 0"},
		{"quantity above 50", valid(func(r *inventory.Request) { r.Lines[0].Quantity = 51 }), "inventory: lines[0].quantity must be 1–50, got 51"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.Handle(context.Background(), tt.req)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, before, scan(t, db), "a rejected request writes nothing")
		})
	}
}

// TestThroughTheLambdaRuntime invokes the handler the way Lambda does, from the event's JSON that
// the order function sends.
func TestThroughTheLambdaRuntime(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	id := bakery.NewOrderID()
	event := fmt.Sprintf(`{"action":"reserve","order_id":%q,"store_id":"tor-01","pickup_at":"2026-11-27T14:00:00Z",`+
		`"lines":[{"item_id":"cinnamon-bun","quantity":2}]}`, id)
	out, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), []byte(event))
	require.NoError(t, err)
	assert.JSONEq(t, `{"outcome":"reserved","day":"2026-11-27"}`, string(out))
	assert.Equal(t, 120-2, remaining(t, db, "tor-01", "2026-11-27", "cinnamon-bun"))

	out, err = lambda.NewHandler(h.Handle).Invoke(context.Background(), fmt.Appendf(nil, `{"action":"release","order_id":%q}`, id))
	require.NoError(t, err)
	assert.JSONEq(t, `{"outcome":"released","day":"2026-11-27"}`, string(out))
}
