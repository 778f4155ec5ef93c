package bakeryapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/01-monolith/internal/bakeryapi"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/emulatortest"
)

const table = "bakery"

// now is 07:00 in London on a Friday; pickups below are later that morning.
var now = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

// env is the function's environment as the stage's template sets it.
func env(k string) string {
	if k == "TABLE_NAME" {
		return table
	}
	return ""
}

// start returns a handler whose table lives in the emulator's DynamoDB behind a real SDK client,
// and that client.
func start(t testing.TB) (*bakeryapi.Handler, *dynamodb.Client) {
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
	h, err := bakeryapi.New(context.Background(), cfg, env)
	require.NoError(t, err)
	h.Now = func() time.Time { return now }
	return h, db
}

type answer struct {
	Status int
	Body   map[string]any
}

func (a answer) err() string { s, _ := a.Body["error"].(string); return s }

func call(t testing.TB, h *bakeryapi.Handler, method, resource, id, body string) answer {
	t.Helper()
	req := events.APIGatewayProxyRequest{HTTPMethod: method, Resource: resource, Path: resource, Body: body}
	if id != "" {
		req.PathParameters = map[string]string{"id": id}
		req.Path = strings.Replace(resource, "{id}", id, 1)
	}
	resp, err := h.Handle(context.Background(), req)
	require.NoError(t, err, "the handler answers with a status, never a Go error")
	assert.Equal(t, "application/json", resp.Headers["Content-Type"])
	var a answer
	a.Status = resp.StatusCode
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &a.Body), resp.Body)
	return a
}

func orderBody(store, pickup string, lines ...string) string {
	items := make([]string, 0, len(lines))
	for _, l := range lines {
		id, qty, _ := strings.Cut(l, "=")
		items = append(items, fmt.Sprintf(`{"item_id":%q,"quantity":%s}`, id, qty))
	}
	return fmt.Sprintf(`{"store_id":%q,"customer":{"name":"Ada Lovelace","email":"ada@example.com"},"items":[%s],"pickup_at":%q}`,
		store, strings.Join(items, ","), pickup)
}

const pickup = "2026-11-27T08:30:00Z"

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

func remaining(t testing.TB, db *dynamodb.Client, store, day, item string) int {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "STOCK#" + store + "#" + day},
		"sk": &types.AttributeValueMemberS{Value: "ITEM#" + item},
	}})
	require.NoError(t, err)
	n, ok := out.Item["remaining"].(*types.AttributeValueMemberN)
	require.True(t, ok, "no stock row for %s %s %s", store, day, item)
	var v int
	_, err = fmt.Sscan(n.Value, &v)
	require.NoError(t, err)
	return v
}

func TestNewNeedsTableName(t *testing.T) {
	t.Parallel()
	_, err := bakeryapi.New(context.Background(), aws.Config{}, func(string) string { return "" })
	assert.EqualError(t, err, "bakeryapi: TABLE_NAME is not set; the function needs the name of its DynamoDB table")
}

func TestMenu(t *testing.T) {
	t.Parallel()
	h, _ := start(t)
	a := call(t, h, http.MethodGet, "/menu", "", "")
	require.Equal(t, http.StatusOK, a.Status)
	items, _ := a.Body["items"].([]any)
	require.Len(t, items, len(bakery.Menu()))
	first, _ := items[0].(map[string]any)
	assert.Equal(t, "croissant", first["item_id"])
	assert.Equal(t, map[string]any{"EUR": 220.0, "GBP": 240.0, "USD": 340.0, "CAD": 430.0, "CHF": 340.0, "SEK": 3000.0,
		"DKK": 2500.0, "PLN": 950.0, "CZK": 6000.0}, first["prices"])
}

func TestPlaceOrderPricesAndStoresIt(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	a := call(t, h, http.MethodPost, "/orders", "", orderBody("lon-01", pickup, "croissant=2", "flat-white=1"))
	require.Equal(t, http.StatusCreated, a.Status, a.Body)

	id, _ := a.Body["order_id"].(string)
	assert.True(t, bakery.ValidOrderID(id), id)
	assert.Equal(t, "pending-payment", a.Body["status"])
	assert.Equal(t, "lon-01", a.Body["store_id"])
	assert.Equal(t, "GBP", a.Body["currency"])
	assert.Equal(t, 850.0, a.Body["subtotal"]) // 2 × 2.40 + 3.70
	assert.Equal(t, 170.0, a.Body["tax"])      // 20 %
	assert.Equal(t, 1020.0, a.Body["total"])
	assert.Equal(t, pickup, a.Body["pickup_at"])
	assert.Equal(t, "2026-11-27T07:00:00Z", a.Body["created_at"])
	assert.Equal(t, []any{
		map[string]any{"item_id": "croissant", "name": "Butter croissant", "quantity": 2.0, "unit_price": 240.0, "line_total": 480.0},
		map[string]any{"item_id": "flat-white", "name": "Flat white", "quantity": 1.0, "unit_price": 370.0, "line_total": 370.0},
	}, a.Body["items"])

	// Stock rows were created from the par level (lon-01 is a flagship: twice the standard).
	assert.Equal(t, 240-2, remaining(t, db, "lon-01", "2026-11-27", "croissant"))
	assert.Equal(t, 600-1, remaining(t, db, "lon-01", "2026-11-27", "flat-white"))
	assert.Len(t, scan(t, db), 3, "one order and two stock rows")

	got := call(t, h, http.MethodGet, "/orders/{id}", id, "")
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, a.Body, got.Body, "GET answers the order as POST did")
}

func TestPlaceOrderRejectsBadInput(t *testing.T) {
	t.Parallel()
	valid := orderBody("lon-02", pickup, "croissant=2")
	tests := []struct {
		name string
		body string
		want string // the whole error message
	}{
		{"malformed JSON", `{"store_id":"lon-02",`, "request body must be valid JSON, got unexpected EOF"},
		{"not JSON at all", `store_id=lon-02`, "request body must be valid JSON, got invalid character 's' looking for beginning of value (at byte 1)"},
		{"empty body", ``, "request body must be a JSON object, got nothing"},
		{"an array", `[]`, "request body must be a JSON object, got array"},
		{"two objects", valid + valid, "request body must be a single JSON object, got more after it"},
		{"unknown field", strings.Replace(valid, `"store_id"`, `"coupon":"FREE","store_id"`, 1),
			`request body has unknown field "coupon"; the fields are store_id, customer {name, email}, items [{item_id, quantity}] and pickup_at`},
		{"unknown nested field", strings.Replace(valid, `"name"`, `"phone":"555","name"`, 1),
			`request body has unknown field "phone"; the fields are store_id, customer {name, email}, items [{item_id, quantity}] and pickup_at`},
		{"quantity as a string", strings.Replace(valid, `"quantity":2`, `"quantity":"2"`, 1),
			"items.quantity must be a JSON integer, got string"},
		{"quantity as a fraction", strings.Replace(valid, `"quantity":2`, `"quantity":1.5`, 1),
			"items.quantity must be a JSON integer, got number 1.5"},
		{"unknown store", orderBody("xyz-01", pickup, "croissant=2"),
			`store_id must name one of the 60 stores, such as "lon-01", got "xyz-01"`},
		{"unknown item", orderBody("lon-02", pickup, "croissant=1", "cronut=2"),
			`items[1].item_id must name an item on the menu, such as "croissant", got "cronut"`},
		{"empty items", orderBody("lon-02", pickup),
			"items must have at least one line, got none"},
		{"quantity 0", orderBody("lon-02", pickup, "croissant=1", "latte=0"),
			"items[1].quantity must be 1–50, got 0"},
		{"quantity above 50", orderBody("lon-02", pickup, "croissant=51"),
			"items[0].quantity must be 1–50, got 51"},
		{"pickup in the past", orderBody("lon-02", "2026-11-27T06:30:00Z", "croissant=2"),
			"pickup_at must be in the future (it is now 2026-11-27T07:00:00Z), got 2026-11-27T06:30:00Z"},
		{"pickup not a time", orderBody("lon-02", "8:30", "croissant=2"),
			`pickup_at must be an RFC 3339 time such as 2026-11-27T08:30:00Z, got "8:30"`},
		// A REST API without binary media types passes bytes that are not UTF-8 as U+FFFD
		// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html).
		{"bytes that are not UTF-8", strings.Replace(valid, `"lon-02"`, "\"lon-02\uFFFD\"", 1),
			fmt.Sprintf("request body is not UTF-8 text: it has bytes that are not UTF-8, which API Gateway replaced with U+FFFD (first at byte %d); send it as UTF-8 JSON (Content-Type: application/json)",
				strings.Index(valid, `"lon-02"`)+len(`"lon-02`))},
	}
	h, db := start(t)
	// Something in the table already, so "unchanged" means more than "still empty".
	require.Equal(t, http.StatusCreated, call(t, h, http.MethodPost, "/orders", "", valid).Status)
	before := scan(t, db)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, h, http.MethodPost, "/orders", "", tt.body)
			assert.Equal(t, http.StatusBadRequest, a.Status)
			assert.Equal(t, tt.want, a.err())
			assert.Equal(t, before, scan(t, db), "a rejected order writes nothing")
		})
	}
}

func TestPlaceOrderSoldOut(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	// A standard store bakes 24 lemon tarts a day.
	first := call(t, h, http.MethodPost, "/orders", "", orderBody("lon-02", pickup, "lemon-tart=20"))
	require.Equal(t, http.StatusCreated, first.Status, first.Body)
	before := scan(t, db)

	tests := []struct {
		name string
		body string
		want string
	}{
		{"more than are left", orderBody("lon-02", pickup, "lemon-tart=5"),
			"lemon-tart is sold out at lon-02 for 2026-11-27: 4 left, 5 asked for"},
		{"one line of several is sold out, so nothing is reserved", orderBody("lon-02", pickup, "croissant=3", "lemon-tart=5", "latte=1"),
			"lemon-tart is sold out at lon-02 for 2026-11-27: 4 left, 5 asked for"},
		{"more than a day's bake", orderBody("lon-02", pickup, "lemon-tart=25"),
			"lemon-tart is sold out at lon-02 for 2026-11-27: the store makes 24 a day, 25 asked for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, h, http.MethodPost, "/orders", "", tt.body)
			assert.Equal(t, http.StatusConflict, a.Status)
			assert.Equal(t, tt.want, a.err())
			assert.Equal(t, before, scan(t, db), "a sold-out order writes nothing")
		})
	}

	t.Run("the last ones can be had", func(t *testing.T) {
		a := call(t, h, http.MethodPost, "/orders", "", orderBody("lon-02", pickup, "lemon-tart=4"))
		assert.Equal(t, http.StatusCreated, a.Status, a.Body)
		assert.Equal(t, 0, remaining(t, db, "lon-02", "2026-11-27", "lemon-tart"))
	})
	t.Run("the next local day has a fresh bake", func(t *testing.T) {
		a := call(t, h, http.MethodPost, "/orders", "", orderBody("lon-02", "2026-11-28T08:30:00Z", "lemon-tart=5"))
		assert.Equal(t, http.StatusCreated, a.Status, a.Body)
		assert.Equal(t, 19, remaining(t, db, "lon-02", "2026-11-28", "lemon-tart"))
	})
	t.Run("stock is counted by the store's local day", func(t *testing.T) {
		// 03:00 UTC on the 28th is still the evening of the 27th in New York.
		a := call(t, h, http.MethodPost, "/orders", "", orderBody("nyc-02", "2026-11-28T03:00:00Z", "lemon-tart=1"))
		assert.Equal(t, http.StatusCreated, a.Status, a.Body)
		assert.Equal(t, 23, remaining(t, db, "nyc-02", "2026-11-27", "lemon-tart"))
	})
}

func TestConcurrentOrdersNeverOversell(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	const customers = 30 // for 24 lemon tarts
	statuses := make(chan int, customers)
	var wg sync.WaitGroup
	for range customers {
		wg.Go(func() {
			statuses <- call(t, h, http.MethodPost, "/orders", "", orderBody("bri-01", pickup, "lemon-tart=1")).Status
		})
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	assert.Equal(t, 24, counts[http.StatusCreated], counts)
	assert.Equal(t, customers-24, counts[http.StatusConflict]+counts[http.StatusServiceUnavailable], counts)
	assert.Equal(t, 0, remaining(t, db, "bri-01", "2026-11-27", "lemon-tart"))
}

func TestGetOrderUnknown(t *testing.T) {
	t.Parallel()
	h, _ := start(t)
	for _, id := range []string{bakery.NewOrderID(), "not-an-id", "../ORDER"} {
		a := call(t, h, http.MethodGet, "/orders/{id}", id, "")
		assert.Equal(t, http.StatusNotFound, a.Status)
		assert.Equal(t, fmt.Sprintf("order %q not found", id), a.err())
	}
}

func TestRecordPayment(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	placed := call(t, h, http.MethodPost, "/orders", "", orderBody("par-02", pickup, "croissant=2", "cappuccino=2"))
	require.Equal(t, http.StatusCreated, placed.Status)
	id, _ := placed.Body["order_id"].(string)
	total, _ := placed.Body["total"].(float64)
	require.Equal(t, 1100.0+61, total) // 2 × 2.20 + 2 × 3.30, 5.5 % tax (60.5 rounds up)

	before := scan(t, db)
	for _, tt := range []struct {
		name, body, want string
	}{
		{"wrong amount", `{"amount":1000}`, "amount must equal the order total 1161 (EUR 11.61), got 1000"},
		{"unknown field", `{"amount":1161,"tip":100}`, `request body has unknown field "tip"; the fields are amount and reference`},
		{"malformed JSON", `{"amount":`, "request body must be valid JSON, got unexpected EOF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, h, http.MethodPost, "/orders/{id}/payment", id, tt.body)
			assert.Equal(t, http.StatusBadRequest, a.Status)
			assert.Equal(t, tt.want, a.err())
			assert.Equal(t, before, scan(t, db))
		})
	}

	now := now.Add(10 * time.Minute)
	h.Now = func() time.Time { return now }
	paid := call(t, h, http.MethodPost, "/orders/{id}/payment", id, `{"amount":1161,"reference":"terminal slip 0042"}`)
	require.Equal(t, http.StatusOK, paid.Status, paid.Body)
	assert.Equal(t, "paid", paid.Body["status"])
	assert.Equal(t, "2026-11-27T07:10:00Z", paid.Body["paid_at"])
	assert.Equal(t, "terminal slip 0042", paid.Body["payment_ref"])
	assert.Equal(t, paid.Body, call(t, h, http.MethodGet, "/orders/{id}", id, "").Body)

	again := call(t, h, http.MethodPost, "/orders/{id}/payment", id, "")
	assert.Equal(t, http.StatusConflict, again.Status)
	assert.Equal(t, "cannot record payment: order "+id+" is already paid", again.err())
	assert.Equal(t, "terminal slip 0042", call(t, h, http.MethodGet, "/orders/{id}", id, "").Body["payment_ref"])
}

func TestRecordPaymentWithoutBodyTakesTheTotal(t *testing.T) {
	t.Parallel()
	h, _ := start(t)
	placed := call(t, h, http.MethodPost, "/orders", "", orderBody("nyc-01", pickup, "espresso=1"))
	require.Equal(t, http.StatusCreated, placed.Status)
	id, _ := placed.Body["order_id"].(string)

	paid := call(t, h, http.MethodPost, "/orders/{id}/payment", id, "")
	require.Equal(t, http.StatusOK, paid.Status, paid.Body)
	assert.Equal(t, "paid", paid.Body["status"])
	assert.NotContains(t, paid.Body, "payment_ref")
}

func TestRecordPaymentUnknownOrder(t *testing.T) {
	t.Parallel()
	h, db := start(t)
	id := bakery.NewOrderID()
	a := call(t, h, http.MethodPost, "/orders/{id}/payment", id, `{"amount":100}`)
	assert.Equal(t, http.StatusNotFound, a.Status)
	assert.Equal(t, fmt.Sprintf("order %q not found", id), a.err())
	assert.Empty(t, scan(t, db))
}

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	h, _ := start(t)
	tests := []struct{ method, resource string }{
		{http.MethodGet, "/stores"},
		{http.MethodDelete, "/orders/{id}"},
		{http.MethodPost, "/menu"},
		{http.MethodGet, "/orders"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.resource, func(t *testing.T) {
			a := call(t, h, tt.method, tt.resource, "", "")
			assert.Equal(t, http.StatusNotFound, a.Status)
			assert.Contains(t, a.err(), "no route for "+tt.method+" "+tt.resource)
		})
	}
}

// TestThroughTheLambdaRuntime invokes the handler the way Lambda does, from the event's JSON.
func TestThroughTheLambdaRuntime(t *testing.T) {
	t.Parallel()
	h, _ := start(t)
	event, err := json.Marshal(map[string]any{
		"resource": "/orders", "path": "/orders", "httpMethod": "POST",
		"headers":         map[string]string{"Content-Type": "application/json"},
		"body":            orderBody("tor-01", "2026-11-27T14:00:00Z", "cinnamon-bun=2"),
		"isBase64Encoded": false,
		"requestContext":  map[string]any{"stage": "prod", "resourcePath": "/orders", "httpMethod": "POST"},
	})
	require.NoError(t, err)
	out, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), event)
	require.NoError(t, err)

	var resp events.APIGatewayProxyResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	assert.Equal(t, http.StatusCreated, resp.StatusCode, resp.Body)
	assert.Contains(t, resp.Body, `"currency":"CAD"`)
	assert.Contains(t, resp.Body, `"total":1492`) // 2 × 6.60 + 13 % HST
}
