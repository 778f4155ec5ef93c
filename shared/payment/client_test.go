package payment_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// answers gives every request the same canned response and keeps the last request.
type answers struct {
	status int
	header http.Header
	body   string
	err    error
	last   *http.Request
	sent   string
}

func (a *answers) Do(r *http.Request) (*http.Response, error) {
	a.last = r
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		a.sent = string(b)
	}
	if a.err != nil {
		return nil, a.err
	}
	h := a.header
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader(a.body)), Request: r}, nil
}

// inProcess sends requests straight to a handler, as the emulator's transport does.
type inProcess struct{ h http.Handler }

func (d inProcess) Do(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	d.h.ServeHTTP(w, r)
	return w.Result(), nil
}

func TestClientMapsEachStatusToItsError(t *testing.T) {
	t.Parallel()
	transportDown := errors.New("connection refused")
	tests := []struct {
		name  string
		resp  answers
		check func(t *testing.T, c payment.Charge, err error)
	}{
		{"201 is a charge", answers{status: 201, body: `{"charge_id":"ch_1","status":"succeeded","order_id":"ord-1","amount":1234,"currency":"GBP"}`},
			func(t *testing.T, c payment.Charge, err error) {
				require.NoError(t, err)
				assert.Equal(t, payment.Charge{ID: "ch_1", Status: "succeeded", OrderID: "ord-1", Amount: 1234, Currency: "GBP"}, c)
			}},
		{"201 replayed", answers{status: 201, header: http.Header{"Idempotent-Replayed": {"true"}}, body: `{"charge_id":"ch_1","status":"succeeded"}`},
			func(t *testing.T, c payment.Charge, err error) {
				require.NoError(t, err)
				assert.True(t, c.Replayed)
			}},
		{"402 is ErrDeclined", answers{status: 402, body: `{"error":{"type":"card_error","code":"card_declined","message":"declined","charge_id":"ch_2"}}`},
			func(t *testing.T, c payment.Charge, err error) {
				require.ErrorIs(t, err, payment.ErrDeclined)
				assert.Equal(t, "ch_2", c.ID)
				assert.Equal(t, payment.StatusDeclined, c.Status)
				assert.Equal(t, "ord-1", c.OrderID)
			}},
		{"503 is a BusyError", answers{status: 503, header: http.Header{"Retry-After": {"3"}},
			body: `{"error":{"type":"api_error","code":"provider_busy","message":"all 20 workers are busy"}}`},
			func(t *testing.T, _ payment.Charge, err error) {
				var busy *payment.BusyError
				require.ErrorAs(t, err, &busy)
				assert.Equal(t, &payment.BusyError{StatusCode: 503, Message: "all 20 workers are busy", RetryAfter: 3 * time.Second}, busy)
			}},
		{"429 from Lambda is a BusyError", answers{status: 429, body: `{"Message":"Rate Exceeded."}`},
			func(t *testing.T, _ payment.Charge, err error) {
				var busy *payment.BusyError
				require.ErrorAs(t, err, &busy)
				assert.Equal(t, 429, busy.StatusCode)
				assert.Contains(t, busy.Message, "Rate Exceeded")
			}},
		{"400 is an InvalidError", answers{status: 400,
			body: `{"error":{"type":"invalid_request_error","code":"parameter_invalid","param":"amount","message":"amount must be above 0, got 0"}}`},
			func(t *testing.T, _ payment.Charge, err error) {
				var bad *payment.InvalidError
				require.ErrorAs(t, err, &bad)
				assert.Equal(t, &payment.InvalidError{Param: "amount", Code: "parameter_invalid", Message: "amount must be above 0, got 0"}, bad)
			}},
		{"500 is wrapped", answers{status: 500, body: `{"error":{"type":"api_error","code":"processing_error","message":"boom"}}`},
			func(t *testing.T, _ payment.Charge, err error) {
				require.Error(t, err)
				assert.NotErrorIs(t, err, payment.ErrDeclined)
				var busy *payment.BusyError
				assert.False(t, errors.As(err, &busy))
				assert.EqualError(t, err, "payment: charge order ord-1: provider answered 500 Internal Server Error: processing_error: boom")
			}},
		{"a transport error is wrapped", answers{err: transportDown},
			func(t *testing.T, _ payment.Charge, err error) {
				require.ErrorIs(t, err, transportDown)
				assert.EqualError(t, err, "payment: charge order ord-1: connection refused")
			}},
		{"a 201 that is not JSON", answers{status: 201, body: `<html>`},
			func(t *testing.T, _ payment.Charge, err error) {
				assert.ErrorContains(t, err, "decode the provider's 201 answer")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := payment.NewClient("https://payment.example/", &tt.resp)
			got, err := c.Charge(t.Context(), order("ord-1"), "key-1")
			tt.check(t, got, err)
			require.NotNil(t, tt.resp.last)
			assert.Equal(t, http.MethodPost, tt.resp.last.Method)
			assert.Equal(t, "https://payment.example/v1/charges", tt.resp.last.URL.String())
			assert.Equal(t, "key-1", tt.resp.last.Header.Get(payment.HeaderIdempotencyKey))
			assert.JSONEq(t, `{"order_id":"ord-1","amount":1234,"currency":"GBP","customer_email":"ada@example.com"}`, tt.resp.sent)
		})
	}
}

func TestClientAgainstTheHandler(t *testing.T) {
	t.Parallel()
	g := newGated(t)
	p := newProvider(t, payment.Config{Capacity: 1, QueueLimit: payment.NoQueue, ServiceTime: g})
	c := payment.NewClient("http://"+payment.InternalHost, inProcess{payment.NewHandler(p)})

	blocker := chargeAsync(t.Context(), p, order("blocker"), "")
	waitStats(t, p, "worker busy", func(s payment.Stats) bool { return s.InFlight == 1 })
	_, err := c.Charge(t.Context(), order("ord-1"), "")
	var busy *payment.BusyError
	require.ErrorAs(t, err, &busy)
	assert.Equal(t, time.Second, busy.RetryAfter)
	g.letAll()
	require.NoError(t, await(t, blocker).err)

	first, err := c.Charge(t.Context(), order("ord-1"), "order-ord-1")
	require.NoError(t, err)
	again, err := c.Charge(t.Context(), order("ord-1"), "order-ord-1")
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.True(t, again.Replayed)

	bad := order("ord-2")
	bad.Currency = "gbp"
	_, err = c.Charge(t.Context(), bad, "")
	var invalid *payment.InvalidError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "currency", invalid.Param)

	declined := order("ord-3")
	declined.CustomerEmail = payment.DeclinedTestEmail
	ch, err := c.Charge(t.Context(), declined, "")
	require.ErrorIs(t, err, payment.ErrDeclined)
	assert.NotEmpty(t, ch.ID)

	s, err := c.Stats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, p.Stats().Charges, s.Charges)
	assert.Equal(t, int64(3), s.Charges)
	assert.Equal(t, int64(1), s.RejectedBusy)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = c.Charge(ctx, order("ord-4"), "")
	assert.ErrorIs(t, err, context.Canceled)
}
