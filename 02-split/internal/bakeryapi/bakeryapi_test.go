package bakeryapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
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

	"github.com/emilys-pastries/serverless-evolution/02-split/internal/bakeryapi"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/inventory"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/emulatortest"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// The names the stage's template gives the order function through its environment.
const (
	ordersTable = "orders"
	stockTable  = "stock"
	inventoryFn = "inventory"
	paymentFn   = "payment"
)

// now is 07:00 in London on a Friday; pickups below are later that morning.
var now = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

const pickup = "2026-11-27T08:30:00Z"

// function is a fake Lambda function behind the fake Invoke API: it answers one event as
// Lambda's Invoke API would, status, headers and body.
type function func(w http.ResponseWriter, event []byte)

// shop is the order function under test with everything it calls: both tables in the emulator's
// DynamoDB, and the inventory and payment functions behind a fake Lambda Invoke API, all reached
// by real SDK clients through one aws.Config.
type shop struct {
	h  *bakeryapi.Handler
	db *dynamodb.Client

	mu        sync.Mutex
	functions map[string]function
	invoked   map[string][]string // function → the events it received
}

// open starts a shop whose inventory function is the real one and whose payment function is pay.
func open(t testing.TB, pay function) *shop {
	t.Helper()
	s := &shop{invoked: map[string][]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", func(w http.ResponseWriter, r *http.Request) {
		event, _ := io.ReadAll(r.Body)
		name := r.PathValue("name")
		s.mu.Lock()
		fn := s.functions[name]
		s.invoked[name] = append(s.invoked[name], string(event))
		s.mu.Unlock()
		if fn == nil {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"Type":"User","message":"Function not found: %s"}`, name)
			return
		}
		fn(w, event)
	})
	tables := make([]*dynamodb.CreateTableInput, 0, 2)
	for _, table := range []string{ordersTable, stockTable} {
		tables = append(tables, &dynamodb.CreateTableInput{
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
	}
	cfg := emulatortest.DynamoDB(t, tables...)
	emulated, ok := cfg.HTTPClient.(*http.Client)
	require.True(t, ok, "the emulator's config has an *http.Client")
	// Lambda's Invoke API goes to the fake functions, the rest to the emulator. No SDK retries: a
	// fake that throttles should be seen once, not after seconds of backoff.
	cfg.HTTPClient = &http.Client{Transport: lambdaTo{functions: mux, rest: emulated.Transport}}
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	s.db = dynamodb.NewFromConfig(cfg)
	stock, err := inventory.New(context.Background(), cfg, func(k string) string { return map[string]string{"TABLE_NAME": stockTable}[k] })
	require.NoError(t, err)
	stock.Now = func() time.Time { return now }
	s.functions = map[string]function{inventoryFn: runs(stock.Handle), paymentFn: pay}

	env := map[string]string{"TABLE_NAME": ordersTable, "INVENTORY_FUNCTION_NAME": inventoryFn, "PAYMENT_FUNCTION_NAME": paymentFn}
	s.h, err = bakeryapi.New(context.Background(), cfg, func(k string) string { return env[k] })
	require.NoError(t, err)
	s.h.Now = func() time.Time { return now }
	return s
}

// lambdaTo serves requests to Lambda's Invoke API with functions, in process, and passes the
// rest on.
type lambdaTo struct {
	functions http.Handler
	rest      http.RoundTripper
}

func (l lambdaTo) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") {
		return l.rest.RoundTrip(r)
	}
	w := httptest.NewRecorder()
	l.functions.ServeHTTP(w, r)
	return w.Result(), nil
}

// runs is a function whose code is handler, run as the Lambda runtime for Go runs it: an error
// becomes Lambda's function error.
func runs(handler any) function {
	h := lambda.NewHandler(handler)
	return func(w http.ResponseWriter, event []byte) {
		out, err := h.Invoke(context.Background(), event)
		if err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			w.WriteHeader(http.StatusOK)
			_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": errorType(err)})
			return
		}
		_, _ = w.Write(out)
	}
}

// errorType names an error as the Lambda runtime for Go does: by its type.
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// paymentWith is the real payment function in front of a provider with this configuration.
func paymentWith(t testing.TB, cfg payment.Config, clientTimeout string) (function, *payment.Provider) {
	t.Helper()
	p, err := payment.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(payment.NewHandler(p))
	t.Cleanup(srv.Close)
	env := map[string]string{"PAYMENT_PROVIDER_URL": srv.URL, "PAYMENT_PROVIDER_TIMEOUT": clientTimeout}
	h, err := payments.New(context.Background(), aws.Config{}, func(k string) string { return env[k] })
	require.NoError(t, err)
	return runs(h.Handle), p
}

// Provider behaviours.
var instantCharges = payment.ServiceTimeFunc(func(context.Context) error { return nil })

// stuckCharges never finish while the test runs.
func stuckCharges(t testing.TB) payment.ServiceTime {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	return payment.ServiceTimeFunc(func(context.Context) error { <-done; return nil })
}

// Payment functions that fail the way Lambda reports it.
var (
	// timesOut is Lambda stopping the payment function at its timeout.
	timesOut function = func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = io.WriteString(w, `{"errorMessage":"2026-11-27T07:00:03.001Z 6f1c0c58-7d4b-4a0e-9d43-3f0f2b8d6a11 Task timed out after 3.00 seconds"}`)
	}
	// crashes is a payment function that panicked.
	crashes function = func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = io.WriteString(w, `{"errorMessage":"runtime error: invalid memory address or nil pointer dereference","errorType":"Runtime.ExitError"}`)
	}
	// alwaysThrottled is Lambda refusing the invocation: the payment function is at its concurrency limit.
	alwaysThrottled function = func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}`)
	}
	// neverCalled fails the test's expectations if the order function charges anything.
	neverCalled function = func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = io.WriteString(w, `{"errorMessage":"the payment function must not be called here"}`)
	}
)

func (s *shop) calls(fn string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.invoked[fn]...)
}

type answer struct {
	Status  int
	Headers map[string]string
	Body    map[string]any
}

func (a answer) err() string { s, _ := a.Body["error"].(string); return s }

func (a answer) id() string { s, _ := a.Body["order_id"].(string); return s }

func (s *shop) call(t testing.TB, method, resource, id, body string) answer {
	t.Helper()
	req := events.APIGatewayProxyRequest{HTTPMethod: method, Resource: resource, Path: resource, Body: body}
	if id != "" {
		req.PathParameters = map[string]string{"id": id}
		req.Path = strings.Replace(resource, "{id}", id, 1)
	}
	resp, err := s.h.Handle(context.Background(), req)
	require.NoError(t, err, "the handler answers with a status, never a Go error")
	assert.Equal(t, "application/json", resp.Headers["Content-Type"])
	a := answer{Status: resp.StatusCode, Headers: resp.Headers}
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &a.Body), resp.Body)
	return a
}

func (s *shop) order(t testing.TB, body string) answer {
	t.Helper()
	return s.call(t, http.MethodPost, "/orders", "", body)
}

func orderBody(store, email string, lines ...string) string {
	items := make([]string, 0, len(lines))
	for _, l := range lines {
		id, qty, _ := strings.Cut(l, "=")
		items = append(items, fmt.Sprintf(`{"item_id":%q,"quantity":%s}`, id, qty))
	}
	return fmt.Sprintf(`{"store_id":%q,"customer":{"name":"Ada Lovelace","email":%q},"items":[%s],"pickup_at":%q}`,
		store, email, strings.Join(items, ","), pickup)
}

// scan returns every item in both tables, sorted, as comparable JSON.
func (s *shop) scan(t testing.TB) []string {
	t.Helper()
	var rows []string
	for _, table := range []string{ordersTable, stockTable} {
		out, err := s.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
		require.NoError(t, err)
		for _, it := range out.Items {
			b, err := json.Marshal(it)
			require.NoError(t, err)
			rows = append(rows, table+" "+string(b))
		}
	}
	sort.Strings(rows)
	return rows
}

func (s *shop) remaining(t testing.TB, store, item string) int {
	t.Helper()
	out, err := s.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stockTable), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "STOCK#" + store + "#2026-11-27"},
		"sk": &types.AttributeValueMemberS{Value: "ITEM#" + item},
	}})
	require.NoError(t, err)
	n, ok := out.Item["remaining"].(*types.AttributeValueMemberN)
	require.True(t, ok, "no stock row for %s %s", store, item)
	var v int
	_, err = fmt.Sscan(n.Value, &v)
	require.NoError(t, err)
	return v
}

func TestNewNeedsItsTableAndTheOtherFunctions(t *testing.T) {
	t.Parallel()
	full := map[string]string{"TABLE_NAME": ordersTable, "INVENTORY_FUNCTION_NAME": inventoryFn, "PAYMENT_FUNCTION_NAME": paymentFn}
	for _, missing := range []string{"TABLE_NAME", "INVENTORY_FUNCTION_NAME", "PAYMENT_FUNCTION_NAME"} {
		t.Run(missing, func(t *testing.T) {
			_, err := bakeryapi.New(context.Background(), aws.Config{}, func(k string) string {
				if k == missing {
					return ""
				}
				return full[k]
			})
			assert.EqualError(t, err, "bakeryapi: "+missing+" is not set; the function needs the name of its DynamoDB table and of the inventory and payment functions")
		})
	}
}

func TestMenu(t *testing.T) {
	t.Parallel()
	s := open(t, neverCalled)
	a := s.call(t, http.MethodGet, "/menu", "", "")
	require.Equal(t, http.StatusOK, a.Status)
	items, _ := a.Body["items"].([]any)
	assert.Len(t, items, len(bakery.Menu()))
	assert.Empty(t, s.calls(inventoryFn), "the menu needs no other function")
}

func TestPlaceOrderReservesChargesAndStoresIt(t *testing.T) {
	t.Parallel()
	pay, provider := paymentWith(t, payment.Config{ServiceTime: instantCharges}, "2500ms")
	s := open(t, pay)
	a := s.order(t, orderBody("lon-01", "ada@example.com", "croissant=2", "flat-white=1"))
	require.Equal(t, http.StatusCreated, a.Status, a.Body)

	id := a.id()
	assert.True(t, bakery.ValidOrderID(id), id)
	assert.Equal(t, "paid", a.Body["status"])
	assert.Equal(t, "GBP", a.Body["currency"])
	assert.Equal(t, 1020.0, a.Body["total"]) // 2 × 2.40 + 3.70 + 20 % VAT
	assert.Equal(t, "2026-11-27T07:00:00Z", a.Body["paid_at"])
	assert.Regexp(t, `^ch_`, a.Body["payment_ref"], "the provider's charge id")

	// The inventory function took the stock (lon-01 is a flagship: twice the standard par).
	assert.Equal(t, 240-2, s.remaining(t, "lon-01", "croissant"))
	assert.Equal(t, 600-1, s.remaining(t, "lon-01", "flat-white"))
	// The payment function charged the total once, with the order id as the idempotency key.
	assert.Len(t, s.calls(paymentFn), 1)
	assert.JSONEq(t, fmt.Sprintf(`{"order_id":%q,"amount":1020,"currency":"GBP","customer_email":"ada@example.com"}`, id), s.calls(paymentFn)[0])
	assert.Equal(t, int64(1), provider.Stats().Succeeded)

	got := s.call(t, http.MethodGet, "/orders/{id}", id, "")
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, a.Body, got.Body, "GET answers the order as POST did")
}

func TestPlaceOrderRejectsBadInput(t *testing.T) {
	t.Parallel()
	valid := orderBody("lon-02", "ada@example.com", "croissant=2")
	tests := []struct {
		name string
		body string
		want string // the whole error message
	}{
		{"malformed JSON", `{"store_id":"lon-02",`, "request body must be valid JSON, got unexpected EOF"},
		{"empty body", ``, "request body must be a JSON object, got nothing"},
		{"an array", `[]`, "request body must be a JSON object, got array"},
		{"two objects", valid + valid, "request body must be a single JSON object, got more after it"},
		{"unknown field", strings.Replace(valid, `"store_id"`, `"coupon":"FREE","store_id"`, 1),
			`request body has unknown field "coupon"; the fields are store_id, customer {name, email}, items [{item_id, quantity}] and pickup_at`},
		{"quantity as a string", strings.Replace(valid, `"quantity":2`, `"quantity":"2"`, 1),
			"items.quantity must be a JSON integer, got string"},
		{"unknown store", orderBody("xyz-01", "ada@example.com", "croissant=2"),
			`store_id must name one of the 60 stores, such as "lon-01", got "xyz-01"`},
		{"no customer email", orderBody("lon-02", "", "croissant=2"),
			`customer.email must be an email address such as ada@example.com, got ""`},
		{"unknown item", orderBody("lon-02", "ada@example.com", "croissant=1", "cronut=2"),
			`items[1].item_id must name an item on the menu, such as "croissant", got "cronut"`},
		{"empty items", orderBody("lon-02", "ada@example.com"),
			"items must have at least one line, got none"},
		{"quantity 0", orderBody("lon-02", "ada@example.com", "croissant=1", "latte=0"),
			"items[1].quantity must be 1–50, got 0"},
		{"pickup in the past", strings.Replace(valid, pickup, "2026-11-27T06:30:00Z", 1),
			"pickup_at must be in the future (it is now 2026-11-27T07:00:00Z), got 2026-11-27T06:30:00Z"},
		// A REST API without binary media types passes bytes that are not UTF-8 as U+FFFD
		// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html).
		{"bytes that are not UTF-8", strings.Replace(valid, `"lon-02"`, "\"lon-02\uFFFD\"", 1),
			fmt.Sprintf("request body is not UTF-8 text: it has bytes that are not UTF-8, which API Gateway replaced with U+FFFD (first at byte %d); send it as UTF-8 JSON (Content-Type: application/json)",
				strings.Index(valid, `"lon-02"`)+len(`"lon-02`))},
	}
	pay, provider := paymentWith(t, payment.Config{ServiceTime: instantCharges}, "2500ms")
	s := open(t, pay)
	// Something in the tables already, so "unchanged" means more than "still empty".
	require.Equal(t, http.StatusCreated, s.order(t, valid).Status)
	before := s.scan(t)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := s.order(t, tt.body)
			assert.Equal(t, http.StatusBadRequest, a.Status)
			assert.Equal(t, tt.want, a.err())
			assert.Equal(t, before, s.scan(t), "a rejected order writes nothing")
		})
	}
	assert.Len(t, s.calls(inventoryFn), 1, "a rejected order calls no other function")
	assert.Len(t, s.calls(paymentFn), 1)
	assert.Equal(t, int64(1), provider.Stats().Charges)
}

func TestPlaceOrderSoldOut(t *testing.T) {
	t.Parallel()
	pay, provider := paymentWith(t, payment.Config{ServiceTime: instantCharges}, "2500ms")
	s := open(t, pay)
	// A standard store bakes 24 lemon tarts a day.
	require.Equal(t, http.StatusCreated, s.order(t, orderBody("lon-02", "ada@example.com", "lemon-tart=20")).Status)
	before := s.scan(t)

	tests := []struct {
		name string
		body string
		want string
	}{
		{"more than are left", orderBody("lon-02", "ada@example.com", "lemon-tart=5"),
			"lemon-tart is sold out at lon-02 for 2026-11-27: 4 left, 5 asked for"},
		{"one line of several is sold out, so nothing is reserved", orderBody("lon-02", "ada@example.com", "croissant=3", "lemon-tart=5", "latte=1"),
			"lemon-tart is sold out at lon-02 for 2026-11-27: 4 left, 5 asked for"},
		{"more than a day's bake", orderBody("lon-03", "ada@example.com", "lemon-tart=25"),
			"lemon-tart is sold out at lon-03 for 2026-11-27: the store makes 24 a day, 25 asked for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := s.order(t, tt.body)
			assert.Equal(t, http.StatusConflict, a.Status)
			assert.Equal(t, tt.want, a.err())
			assert.Equal(t, before, s.scan(t), "a sold-out order writes nothing")
		})
	}
	assert.Len(t, s.calls(paymentFn), 1, "a sold-out order charges nothing")
	assert.Equal(t, int64(1), provider.Stats().Charges)
}

// TestPaymentNotThrough covers every way a payment can fail after the stock is reserved: the
// order function gives the stock back, keeps the order as failed with the reason, and says why.
func TestPaymentNotThrough(t *testing.T) {
	t.Parallel()
	declines, declining := paymentWith(t, payment.Config{ServiceTime: instantCharges}, "2500ms")
	busy, busyProvider := paymentWith(t, payment.Config{Capacity: 1, QueueLimit: payment.NoQueue, ServiceTime: stuckCharges(t)}, "2500ms")
	go func() { // holds the busy provider's one worker
		_, _ = busyProvider.Charge(context.Background(), payment.ChargeRequest{OrderID: "x", Amount: 1, Currency: "GBP", CustomerEmail: "x@example.com"}, "")
	}()
	require.Eventually(t, func() bool { return busyProvider.Stats().InFlight == 1 }, 5*time.Second, time.Millisecond)
	tooSlow, _ := paymentWith(t, payment.Config{ServiceTime: stuckCharges(t)}, "20ms")

	tests := []struct {
		name    string
		payment function
		email   string
		status  int
		message string // the error message, before the order id
		reason  string // the stored order's failure_reason
	}{
		{"the card is declined", declines, payment.DeclinedTestEmail,
			http.StatusPaymentRequired, "the card was declined, so order", "payment declined"},
		{"the provider is busy", busy, "ada@example.com",
			http.StatusServiceUnavailable, "the payment provider is busy, so nothing was charged and order", "payment provider busy"},
		{"the provider does not answer within the payment function's client timeout", tooSlow, "ada@example.com",
			http.StatusGatewayTimeout, "the payment did not complete in time, so order", "payment timed out"},
		{"Lambda stops the payment function at its timeout", timesOut, "ada@example.com",
			http.StatusGatewayTimeout, "the payment did not complete in time, so order", "payment timed out"},
		{"Lambda throttles the payment function", alwaysThrottled, "ada@example.com",
			http.StatusServiceUnavailable, "the payment provider is busy, so nothing was charged and order", "payment provider busy"},
		{"the payment function crashes", crashes, "ada@example.com",
			http.StatusBadGateway, "the payment could not be completed, so order", "payment failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t, tt.payment)
			a := s.order(t, orderBody("par-02", tt.email, "croissant=3", "cappuccino=2"))
			assert.Equal(t, tt.status, a.Status, a.Body)
			id := a.id()
			require.True(t, bakery.ValidOrderID(id), "the answer names the order: %v", a.Body)
			assert.True(t, strings.HasPrefix(a.err(), tt.message+" "+id+" was not placed"), a.err())
			if tt.status == http.StatusServiceUnavailable {
				assert.Equal(t, "1", a.Headers["Retry-After"])
			}

			// The compensation: the inventory function reserved, then released.
			assert.Len(t, s.calls(inventoryFn), 2)
			assert.Contains(t, s.calls(inventoryFn)[1], `"action":"release"`)
			assert.Equal(t, 120, s.remaining(t, "par-02", "croissant"), "the stock is back")
			assert.Equal(t, 300, s.remaining(t, "par-02", "cappuccino"))

			got := s.call(t, http.MethodGet, "/orders/{id}", id, "")
			require.Equal(t, http.StatusOK, got.Status)
			assert.Equal(t, "failed", got.Body["status"])
			assert.Equal(t, tt.reason, got.Body["failure_reason"])
			assert.NotContains(t, got.Body, "paid_at")
		})
	}
	assert.Equal(t, int64(1), declining.Stats().Declined)
}

func TestPlaceOrderWhenTheInventoryFunctionFails(t *testing.T) {
	t.Parallel()
	s := open(t, neverCalled)
	s.functions[inventoryFn] = crashes
	a := s.order(t, orderBody("lon-02", "ada@example.com", "croissant=2"))
	assert.Equal(t, http.StatusBadGateway, a.Status)
	assert.Equal(t, "the stock service is not answering; nothing was reserved or charged; please try again", a.err())
	assert.Empty(t, s.calls(paymentFn))
	assert.Empty(t, s.scan(t))
}

func TestGetOrderUnknown(t *testing.T) {
	t.Parallel()
	s := open(t, neverCalled)
	for _, id := range []string{bakery.NewOrderID(), "not-an-id", "../ORDER"} {
		a := s.call(t, http.MethodGet, "/orders/{id}", id, "")
		assert.Equal(t, http.StatusNotFound, a.Status)
		assert.Equal(t, fmt.Sprintf("order %q not found", id), a.err())
	}
}

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	s := open(t, neverCalled)
	tests := []struct{ method, resource string }{
		{http.MethodGet, "/stores"},
		{http.MethodDelete, "/orders/{id}"},
		{http.MethodPost, "/orders/{id}/payment"}, // 2020's payment by phone is gone
		{http.MethodGet, "/orders"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.resource, func(t *testing.T) {
			a := s.call(t, tt.method, tt.resource, "", "")
			assert.Equal(t, http.StatusNotFound, a.Status)
			assert.Contains(t, a.err(), "no route for "+tt.method+" "+tt.resource)
		})
	}
}

// TestThroughTheLambdaRuntime invokes the handler the way Lambda does, from the event's JSON.
func TestThroughTheLambdaRuntime(t *testing.T) {
	t.Parallel()
	pay, _ := paymentWith(t, payment.Config{ServiceTime: instantCharges}, "2500ms")
	s := open(t, pay)
	event, err := json.Marshal(map[string]any{
		"resource": "/orders", "path": "/orders", "httpMethod": "POST",
		"headers":         map[string]string{"Content-Type": "application/json"},
		"body":            strings.Replace(orderBody("tor-01", "ada@example.com", "cinnamon-bun=2"), pickup, "2026-11-27T14:00:00Z", 1),
		"isBase64Encoded": false,
		"requestContext":  map[string]any{"stage": "prod", "resourcePath": "/orders", "httpMethod": "POST"},
	})
	require.NoError(t, err)
	out, err := lambda.NewHandler(s.h.Handle).Invoke(context.Background(), event)
	require.NoError(t, err)

	var resp events.APIGatewayProxyResponse
	require.NoError(t, json.Unmarshal(out, &resp))
	assert.Equal(t, http.StatusCreated, resp.StatusCode, resp.Body)
	assert.Contains(t, resp.Body, `"status":"paid"`)
	assert.Contains(t, resp.Body, `"total":1492`) // 2 × 6.60 + 13 % HST
}
