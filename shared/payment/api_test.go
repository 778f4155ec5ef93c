package payment_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// serve sends one request to the handler and decodes its JSON answer.
func serve(tb testing.TB, h http.Handler, method, path, body string, header map[string]string) (*httptest.ResponseRecorder, map[string]any) {
	tb.Helper()
	r := httptest.NewRequestWithContext(tb.Context(), method, "http://"+payment.InternalHost+path, strings.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var got map[string]any
	require.NoError(tb, json.Unmarshal(w.Body.Bytes(), &got), "body: %s", w.Body.String())
	assert.Equal(tb, "application/json", w.Header().Get("Content-Type"))
	return w, got
}

const validBody = `{"order_id":"ord-1","amount":1234,"currency":"GBP","customer_email":"ada@example.com"}`

func TestHandlerRefusesInvalidInputNamingTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		key     string
		param   string
		code    string
		message string
	}{
		{"unknown field", `{"order_id":"ord-1","amount":1234,"currency":"GBP","customer_email":"ada@example.com","tip":5}`,
			"", "tip", "parameter_unknown", `unknown field "tip"`},
		{"missing order_id", `{"amount":1234,"currency":"GBP","customer_email":"ada@example.com"}`,
			"", "order_id", "parameter_missing", "order_id is required"},
		{"zero amount", `{"order_id":"ord-1","amount":0,"currency":"GBP","customer_email":"ada@example.com"}`,
			"", "amount", "parameter_invalid", "amount must be above 0"},
		{"negative amount", `{"order_id":"ord-1","amount":-5,"currency":"GBP","customer_email":"ada@example.com"}`,
			"", "amount", "parameter_invalid", "got -5"},
		{"amount too large", `{"order_id":"ord-1","amount":100000000,"currency":"GBP","customer_email":"ada@example.com"}`,
			"", "amount", "parameter_invalid", "amount must be at most 99999999"},
		{"amount as a string", `{"order_id":"ord-1","amount":"12.34","currency":"GBP","customer_email":"ada@example.com"}`,
			"", "amount", "parameter_invalid", "amount must be a JSON whole number, got string"},
		{"amount with decimals", `{"order_id":"ord-1","amount":12.34,"currency":"GBP","customer_email":"ada@example.com"}`,
			"", "amount", "parameter_invalid", "amount must be a JSON whole number"},
		{"missing currency", `{"order_id":"ord-1","amount":1234,"customer_email":"ada@example.com"}`,
			"", "currency", "parameter_missing", "currency is required"},
		{"lower-case currency", `{"order_id":"ord-1","amount":1234,"currency":"gbp","customer_email":"ada@example.com"}`,
			"", "currency", "parameter_invalid", `currency must be an ISO 4217 code (in upper case) such as GBP, EUR or USD, got "gbp"`},
		{"unknown currency", `{"order_id":"ord-1","amount":1234,"currency":"XYZ","customer_email":"ada@example.com"}`,
			"", "currency", "parameter_invalid", `got "XYZ"`},
		{"missing email", `{"order_id":"ord-1","amount":1234,"currency":"GBP"}`,
			"", "customer_email", "parameter_missing", "customer_email is required"},
		{"bad email", `{"order_id":"ord-1","amount":1234,"currency":"GBP","customer_email":"ada at example.com"}`,
			"", "customer_email", "parameter_invalid", `customer_email must be an email address such as ada@example.com, got "ada at example.com"`},
		{"idempotency key with a space", validBody, "my key", "Idempotency-Key", "parameter_invalid", "printable ASCII"},
		{"idempotency key too long", validBody, strings.Repeat("k", 256), "Idempotency-Key", "parameter_invalid", "at most 255 characters"},
		{"not JSON", `order_id=ord-1`, "", "", "invalid_json", "request body must be one JSON object"},
		{"empty body", ``, "", "", "invalid_json", "request body must be one JSON object"},
		{"two objects", validBody + validBody, "", "", "invalid_json", "data after the JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, payment.Config{ServiceTime: instant})
			before := p.Stats()
			w, got := serve(t, payment.NewHandler(p), http.MethodPost, payment.ChargesPath, tt.body,
				map[string]string{payment.HeaderIdempotencyKey: tt.key})
			assert.Equal(t, http.StatusBadRequest, w.Code)
			e := got["error"].(map[string]any)
			assert.Equal(t, "invalid_request_error", e["type"])
			assert.Equal(t, tt.code, e["code"])
			if tt.param == "" {
				assert.NotContains(t, e, "param")
			} else {
				assert.Equal(t, tt.param, e["param"])
			}
			assert.Contains(t, e["message"], tt.message)
			assert.Equal(t, before, p.Stats(), "validation changes no stats")
		})
	}
}

func TestHandlerAnswers(t *testing.T) {
	t.Parallel()
	declinedBody := strings.Replace(validBody, payment.ApprovedTestEmail, payment.DeclinedTestEmail, 1)
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		check  func(t *testing.T, w *httptest.ResponseRecorder, got map[string]any)
	}{
		{"charge", http.MethodPost, payment.ChargesPath, validBody, http.StatusCreated,
			func(t *testing.T, _ *httptest.ResponseRecorder, got map[string]any) {
				assert.Equal(t, "succeeded", got["status"])
				assert.Equal(t, "ord-1", got["order_id"])
				assert.Equal(t, 1234.0, got["amount"])
				assert.Equal(t, "GBP", got["currency"])
				assert.True(t, strings.HasPrefix(got["charge_id"].(string), "ch_"))
				assert.Len(t, got, 5)
			}},
		{"decline", http.MethodPost, payment.ChargesPath, declinedBody, http.StatusPaymentRequired,
			func(t *testing.T, _ *httptest.ResponseRecorder, got map[string]any) {
				e := got["error"].(map[string]any)
				assert.Equal(t, "card_error", e["type"])
				assert.Equal(t, "card_declined", e["code"])
				assert.NotEmpty(t, e["message"])
				assert.True(t, strings.HasPrefix(e["charge_id"].(string), "ch_"))
			}},
		{"stats", http.MethodGet, payment.StatsPath, "", http.StatusOK,
			func(t *testing.T, _ *httptest.ResponseRecorder, got map[string]any) {
				for _, k := range []string{"charges", "succeeded", "declined", "rejected_busy", "queue_timeouts", "abandoned",
					"duplicate_charges", "in_flight", "queued", "max_queued", "wait_ms", "service_ms"} {
					assert.Contains(t, got, k)
				}
				assert.Equal(t, 20.0, got["capacity"])
			}},
		{"unknown path", http.MethodGet, "/v1/refunds", "", http.StatusNotFound,
			func(t *testing.T, _ *httptest.ResponseRecorder, got map[string]any) {
				assert.Contains(t, got["error"].(map[string]any)["message"], "POST /v1/charges")
			}},
		{"wrong method", http.MethodGet, payment.ChargesPath, "", http.StatusMethodNotAllowed,
			func(t *testing.T, w *httptest.ResponseRecorder, _ map[string]any) {
				assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, payment.Config{ServiceTime: instant})
			w, got := serve(t, payment.NewHandler(p), tt.method, tt.path, tt.body, nil)
			assert.Equal(t, tt.status, w.Code)
			tt.check(t, w, got)
		})
	}
}

func TestHandlerBusyAndReplay(t *testing.T) {
	t.Parallel()
	g := newGated(t)
	p := newProvider(t, payment.Config{Capacity: 1, QueueLimit: payment.NoQueue, RetryAfter: 1500 * time.Millisecond, ServiceTime: g})
	h := payment.NewHandler(p)
	blocker := chargeAsync(t.Context(), p, order("blocker"), "")
	waitStats(t, p, "worker busy", func(s payment.Stats) bool { return s.InFlight == 1 })

	w, got := serve(t, h, http.MethodPost, payment.ChargesPath, validBody, nil)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, "2", w.Header().Get("Retry-After"), "whole seconds, rounded up")
	e := got["error"].(map[string]any)
	assert.Equal(t, "api_error", e["type"])
	assert.Equal(t, "provider_busy", e["code"])

	g.letAll()
	require.NoError(t, await(t, blocker).err)
	key := map[string]string{payment.HeaderIdempotencyKey: "order-ord-1"}
	w, first := serve(t, h, http.MethodPost, payment.ChargesPath, validBody, key)
	require.Equal(t, http.StatusCreated, w.Code)
	assert.Empty(t, w.Header().Get(payment.HeaderReplayed))
	w, again := serve(t, h, http.MethodPost, payment.ChargesPath, validBody, key)
	require.Equal(t, http.StatusCreated, w.Code)
	assert.Equal(t, "true", w.Header().Get(payment.HeaderReplayed))
	assert.Equal(t, first, again)
}
