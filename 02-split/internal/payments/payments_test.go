package payments_test

import (
	"context"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/02-split/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// instant charges take no time.
var instant = payment.ServiceTimeFunc(func(context.Context) error { return nil })

// stuck holds every charge until the test ends: a provider whose workers never finish in time.
func stuck(t testing.TB) payment.ServiceTime {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	return payment.ServiceTimeFunc(func(context.Context) error { <-done; return nil })
}

// provider serves a payment provider on a loopback port and returns it with its URL.
func provider(t testing.TB, cfg payment.Config) (*payment.Provider, string) {
	t.Helper()
	p, err := payment.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(payment.NewHandler(p))
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// handler is the payment function with the provider at url and the given client timeout.
func handler(t testing.TB, url, timeout string) *payments.Handler {
	t.Helper()
	env := map[string]string{"PAYMENT_PROVIDER_URL": url, "PAYMENT_PROVIDER_TIMEOUT": timeout}
	h, err := payments.New(context.Background(), aws.Config{}, func(k string) string { return env[k] })
	require.NoError(t, err)
	return h
}

func charge(email string) payments.Request {
	return payments.Request{OrderID: bakery.NewOrderID(), Amount: 1020, Currency: "GBP", CustomerEmail: email}
}

func TestNewNeedsTheProviderAndATimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no provider URL", map[string]string{"PAYMENT_PROVIDER_TIMEOUT": "2s"},
			`payments: PAYMENT_PROVIDER_URL must be the provider's base URL, such as https://abc.lambda-url.eu-west-1.on.aws/, got ""`},
		{"a provider URL that is not one", map[string]string{"PAYMENT_PROVIDER_URL": "payment.internal", "PAYMENT_PROVIDER_TIMEOUT": "2s"},
			`payments: PAYMENT_PROVIDER_URL must be the provider's base URL, such as https://abc.lambda-url.eu-west-1.on.aws/, got "payment.internal"`},
		{"no timeout", map[string]string{"PAYMENT_PROVIDER_URL": "http://payment.internal"},
			`payments: PAYMENT_PROVIDER_TIMEOUT must be a duration above zero, such as 5s, got ""`},
		{"a timeout without a unit", map[string]string{"PAYMENT_PROVIDER_URL": "http://payment.internal", "PAYMENT_PROVIDER_TIMEOUT": "2500"},
			`payments: PAYMENT_PROVIDER_TIMEOUT must be a duration above zero, such as 5s, got "2500"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := payments.New(context.Background(), aws.Config{}, func(k string) string { return tt.env[k] })
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestCharge(t *testing.T) {
	t.Parallel()
	p, url := provider(t, payment.Config{ServiceTime: instant})
	h := handler(t, url, "2s")

	tests := []struct {
		name    string
		email   string
		outcome string
	}{
		{"an approved card is charged", payment.ApprovedTestEmail, payments.Charged},
		{"a declined card is an answer, not an error", payment.DeclinedTestEmail, payments.Declined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := h.Handle(context.Background(), charge(tt.email))
			require.NoError(t, err)
			assert.Equal(t, tt.outcome, r.Outcome)
			assert.NotEmpty(t, r.ChargeID, "the provider's charge id, for reconciliation")
		})
	}
	assert.Equal(t, int64(2), p.Stats().Charges)
}

// TestChargeTwiceChargesOnce is the order function's Lambda client retrying an invocation that
// went through: the order id is the idempotency key.
func TestChargeTwiceChargesOnce(t *testing.T) {
	t.Parallel()
	p, url := provider(t, payment.Config{ServiceTime: instant})
	h := handler(t, url, "2s")
	req := charge(payment.ApprovedTestEmail)
	first, err := h.Handle(context.Background(), req)
	require.NoError(t, err)
	again, err := h.Handle(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	s := p.Stats()
	assert.Equal(t, int64(1), s.Charges)
	assert.Equal(t, int64(1), s.Replayed)
	assert.Zero(t, s.DuplicateCharges)
}

func TestProviderBusy(t *testing.T) {
	t.Parallel()
	// One worker, no queue, and the worker held by a charge that never finishes.
	p, url := provider(t, payment.Config{Capacity: 1, QueueLimit: payment.NoQueue, ServiceTime: stuck(t)})
	go func() {
		_, _ = p.Charge(context.Background(), payment.ChargeRequest{OrderID: "holds-the-worker", Amount: 1, Currency: "GBP", CustomerEmail: "x@example.com"}, "")
	}()
	require.Eventually(t, func() bool { return p.Stats().InFlight == 1 }, 5*time.Second, time.Millisecond)

	r, err := handler(t, url, "2s").Handle(context.Background(), charge(payment.ApprovedTestEmail))
	require.NoError(t, err, "a busy provider is an answer: nothing was charged")
	assert.Equal(t, payments.Reply{Outcome: payments.Busy, RetryAfterS: 1}, r)
}

func TestProviderTooSlow(t *testing.T) {
	t.Parallel()
	_, url := provider(t, payment.Config{ServiceTime: stuck(t)})
	req := charge(payment.ApprovedTestEmail)
	_, err := handler(t, url, "50ms").Handle(context.Background(), req)
	var timeout *payments.TimeoutError
	require.ErrorAs(t, err, &timeout)
	assert.Equal(t, "payments: the provider did not answer within 50ms for order "+req.OrderID+"; the charge may still go through", err.Error())
}

// TestThroughTheLambdaRuntime invokes the handler the way Lambda does, and checks the errorType
// the order function reads to tell a timeout from other failures.
func TestThroughTheLambdaRuntime(t *testing.T) {
	t.Parallel()
	_, url := provider(t, payment.Config{ServiceTime: instant})
	out, err := lambda.NewHandler(handler(t, url, "2s").Handle).Invoke(context.Background(),
		[]byte(`{"order_id":"abcdefghijklmnop","amount":1492,"currency":"CAD","customer_email":"ada@example.com"}`))
	require.NoError(t, err)
	assert.Regexp(t, `^\{"outcome":"charged","charge_id":"ch_[a-z0-9]+"\}$`, string(out))

	_, slow := provider(t, payment.Config{ServiceTime: stuck(t)})
	_, err = lambda.NewHandler(handler(t, slow, "10ms").Handle).Invoke(context.Background(),
		[]byte(`{"order_id":"abcdefghijklmnop","amount":1492,"currency":"CAD","customer_email":"ada@example.com"}`))
	var timeout *payments.TimeoutError
	require.ErrorAs(t, err, &timeout)
	// The Lambda runtime for Go names the error by its type, as getErrorType in aws-lambda-go does.
	assert.Equal(t, payments.TimeoutErrorType, reflect.TypeOf(err).Elem().Name())
}
