package payments_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// provider starts the payment provider behind httptest with instant charges and returns
// payment-charge built on it, and the provider.
func provider(t *testing.T, capacity int) (*payments.Charge, *payment.Provider) {
	t.Helper()
	p, err := payment.New(payment.Config{
		Capacity:    capacity,
		QueueLimit:  payment.NoQueue,
		ServiceTime: payment.ServiceTimeFunc(func(context.Context) error { return nil }),
	})
	require.NoError(t, err)
	srv := httptest.NewServer(payment.NewHandler(p))
	t.Cleanup(srv.Close)
	h, err := payments.NewCharge(context.Background(), aws.Config{HTTPClient: srv.Client()}, func(k string) string {
		return map[string]string{payments.EnvProviderURL: srv.URL}[k]
	})
	require.NoError(t, err)
	return h, p
}

func TestCharge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		email      string
		wantStatus string
	}{
		{"an approved card", payment.ApprovedTestEmail, payment.StatusSucceeded},
		{"a declined card is an answer, not an error", payment.DeclinedTestEmail, payment.StatusDeclined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := provider(t, 1)
			got, err := h.Handle(context.Background(), message.PaymentRequest{OrderID: "o1", Amount: 576, Currency: "GBP", Email: tt.email})
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, got.Status)
			assert.NotEmpty(t, got.ChargeID)
		})
	}
}

// TestChargeTwice shows the flaw the retries build on: without an idempotency key, charging the
// same order again takes the money again.
func TestChargeTwice(t *testing.T) {
	t.Parallel()
	h, p := provider(t, 1)
	in := message.PaymentRequest{OrderID: "o1", Amount: 576, Currency: "GBP", Email: payment.ApprovedTestEmail}
	first, err := h.Handle(context.Background(), in)
	require.NoError(t, err)
	second, err := h.Handle(context.Background(), in)
	require.NoError(t, err)
	assert.NotEqual(t, first.ChargeID, second.ChargeID)
	assert.Equal(t, int64(1), p.Stats().DuplicateCharges)
}

func TestChargeNeedsTheProvider(t *testing.T) {
	t.Parallel()
	_, err := payments.NewCharge(context.Background(), aws.Config{}, func(string) string { return "" })
	assert.ErrorContains(t, err, payments.EnvProviderURL)
}

// flaky fails its first failures calls, then charges.
type flaky struct {
	failures, calls int
}

func (f *flaky) Call(_ context.Context, _, out any) error {
	f.calls++
	if f.calls <= f.failures {
		return errors.New("payment provider busy")
	}
	return json.Unmarshal([]byte(`{"charge_id":"ch_1","status":"succeeded"}`), out)
}

func TestGateway(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		failures     int
		wantCalls    int
		wantAttempts int
		wantErr      bool
	}{
		{"charged at once", 0, 1, 1, false},
		{"charged at the third try", 2, 3, 3, false},
		{"gives up after GatewayAttempts", 5, payments.GatewayAttempts, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &flaky{failures: tt.failures}
			got, err := (&payments.Gateway{Charge: f}).Handle(context.Background(), message.PaymentRequest{OrderID: "o1"})
			assert.Equal(t, tt.wantCalls, f.calls)
			if tt.wantErr {
				assert.ErrorContains(t, err, "attempt 3: payment provider busy")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantAttempts, got.Attempts)
		})
	}
}

// step is a fake function answering v and remembering what it got.
type step struct {
	v     any
	calls []any
}

func (s *step) Call(_ context.Context, in, out any) error {
	s.calls = append(s.calls, in)
	if out == nil {
		return nil
	}
	b, err := json.Marshal(s.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func TestOrchestrator(t *testing.T) {
	t.Parallel()
	order := bakery.Order{ID: "o1", Status: bakery.StatusPendingPayment, Total: 576, Currency: "GBP", Customer: bakery.Customer{Email: "ada@example.com"}}
	tests := []struct {
		name       string
		fraud      message.FraudResult
		charge     message.Charge
		wantStatus bakery.Status
		wantReason string
		wantNext   bool
	}{
		{"charged: recorded and handed to the finalizer", message.FraudResult{Allow: true}, message.Charge{ChargeID: "ch_1", Status: payment.StatusSucceeded},
			bakery.StatusPaid, "", true},
		{"declined: the order fails", message.FraudResult{Allow: true}, message.Charge{ChargeID: "ch_1", Status: payment.StatusDeclined},
			bakery.StatusFailed, "card declined", false},
		{"refused by the fraud check: never charged", message.FraudResult{Score: 90}, message.Charge{},
			bakery.StatusFailed, "payment refused by the fraud check (score 90)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := order
			paidOrder := order
			paidOrder.Status = bakery.StatusPaid
			router, recorder, status := &step{v: tt.charge}, &step{}, &step{}
			next := &step{v: message.Checkout{OrderID: "o1", Order: &paidOrder}}
			h := &payments.Orchestrator{Fraud: &step{v: tt.fraud}, Router: router, Recorder: recorder, Status: status, Next: next,
				Now: func() time.Time { return time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC) }}
			got, err := h.Handle(context.Background(), message.Checkout{OrderID: "o1", Order: &o})
			require.NoError(t, err)
			require.NotNil(t, got.Order)
			assert.Equal(t, tt.wantStatus, got.Order.Status)
			assert.Equal(t, tt.wantReason, got.Order.FailureReason)
			assert.Equal(t, tt.wantNext, len(next.calls) == 1)
			assert.Equal(t, tt.wantNext, len(recorder.calls) == 1)
			if tt.wantReason != "" {
				require.Len(t, status.calls, 1)
				assert.Equal(t, bakery.StatusFailed, status.calls[0].(message.StatusChange).Status)
			}
		})
	}
}

func TestFraudScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   message.FraudRequest
		want int
	}{
		{"a known customer, a small order", message.FraudRequest{Amount: 500, Customer: &message.Customer{}}, 10},
		{"a new customer", message.FraudRequest{Amount: 500, Customer: &message.Customer{New: true}}, 30},
		{"a new customer, a big order", message.FraudRequest{Amount: 25000, Customer: &message.Customer{New: true}}, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := payments.FraudScore(context.Background(), tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Score)
			assert.True(t, got.Allow)
		})
	}
}
