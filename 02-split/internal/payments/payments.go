package payments

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Request is the payload the order function invokes this function with: what to charge, in the
// currency's minor unit. It is the contract between the two functions.
type Request struct {
	OrderID       string `json:"order_id"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	CustomerEmail string `json:"customer_email"`
}

// The outcomes a Reply reports. A provider that does not answer in time (a *TimeoutError), or
// fails, is a function error instead: whether the card was charged is then unknown.
const (
	Charged  = "charged"
	Declined = "declined" // the card issuer refused; retrying gives the same answer
	Busy     = "busy"     // the provider turned the charge away; nothing was charged
)

// Reply is this function's answer.
type Reply struct {
	Outcome  string `json:"outcome"`
	ChargeID string `json:"charge_id,omitempty"`
	// RetryAfterS is the provider's advice, in seconds, when it is busy.
	RetryAfterS int `json:"retry_after_s,omitempty"`
}

// Handler serves the payment function's invocations.
type Handler struct {
	provider *payment.Client
	timeout  time.Duration
}

// New builds the handler from the function's environment:
//
//	PAYMENT_PROVIDER_URL      the provider's base URL (http://payment.internal offline; the
//	                          provider stack's function URL on AWS)
//	PAYMENT_PROVIDER_TIMEOUT  how long to wait for the provider's answer, as a Go duration ("5s")
//
// The provider is called through cfg.HTTPClient: the SDK's HTTPS client on AWS, the emulator's
// in-process transport offline.
func New(_ context.Context, cfg aws.Config, getenv func(string) string) (*Handler, error) {
	base := getenv("PAYMENT_PROVIDER_URL")
	if u, err := url.Parse(base); base == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("payments: PAYMENT_PROVIDER_URL must be the provider's base URL, such as https://abc.lambda-url.eu-west-1.on.aws/, got %q", base)
	}
	v := getenv("PAYMENT_PROVIDER_TIMEOUT")
	timeout, err := time.ParseDuration(v)
	if err != nil || timeout <= 0 {
		return nil, fmt.Errorf("payments: PAYMENT_PROVIDER_TIMEOUT must be a duration above zero, such as 5s, got %q", v)
	}
	return &Handler{provider: payment.NewClient(base, cfg.HTTPClient), timeout: timeout}, nil
}

// Handle charges one order. The order id is the idempotency key: a second invocation for the same
// order gets the first one's answer and charges nothing.
func (h *Handler) Handle(ctx context.Context, req Request) (Reply, error) {
	// The invocation's context ends at the function's timeout; this one may end sooner.
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	ch, err := h.provider.Charge(ctx, payment.ChargeRequest{
		OrderID:       req.OrderID,
		Amount:        req.Amount,
		Currency:      req.Currency,
		CustomerEmail: req.CustomerEmail,
	}, req.OrderID)
	busy, isBusy := errors.AsType[*payment.BusyError](err)
	switch {
	case err == nil:
		return Reply{Outcome: Charged, ChargeID: ch.ID}, nil
	case errors.Is(err, payment.ErrDeclined):
		return Reply{Outcome: Declined, ChargeID: ch.ID}, nil
	case isBusy:
		return Reply{Outcome: Busy, RetryAfterS: int(max(busy.RetryAfter, time.Second) / time.Second)}, nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Reply{}, &TimeoutError{OrderID: req.OrderID, After: h.timeout}
	}
	return Reply{}, fmt.Errorf("payments: charge order %s: %w", req.OrderID, err)
}

// TimeoutErrorType is the errorType Lambda reports to the caller when this function returns a
// *TimeoutError: the name of the Go type, as the Lambda runtime for Go names every error.
const TimeoutErrorType = "TimeoutError"

// TimeoutError is the provider not answering in time. The charge may still go through: a provider
// finishes a charge it has started, whoever is still waiting.
type TimeoutError struct {
	OrderID string
	After   time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("payments: the provider did not answer within %v for order %s; the charge may still go through", e.After, e.OrderID)
}
