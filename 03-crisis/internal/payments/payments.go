// Package payments holds the payment functions: payment-orchestrator, fraud-check with
// fraud-score, payment-router, payment-gateway (which retries), payment-charge (the only one that
// talks to the payment provider) and payment-recorder.
//
// Charges carry no idempotency key: payment-gateway's retries, and order-workflow's retry of the
// whole chain, charge the card again if an earlier attempt's charge went through after its
// caller had stopped waiting.
package payments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Environment variables this package's functions read.
const (
	EnvFraudCheck      = "FRAUD_CHECK_FUNCTION"
	EnvPaymentRouter   = "PAYMENT_ROUTER_FUNCTION"
	EnvPaymentRecorder = "PAYMENT_RECORDER_FUNCTION"
	EnvOrderStatus     = "ORDER_STATUS_FUNCTION"
	EnvOrderFinalizer  = "ORDER_FINALIZER_FUNCTION"
	EnvCustomerProfile = "CUSTOMER_PROFILE_FUNCTION"
	EnvFraudScore      = "FRAUD_SCORE_FUNCTION"
	EnvPaymentGateway  = "PAYMENT_GATEWAY_FUNCTION"
	EnvPaymentCharge   = "PAYMENT_CHARGE_FUNCTION"
	// EnvProviderURL is the payment provider's base URL (http://payment.internal offline).
	EnvProviderURL = "PAYMENT_PROVIDER_URL"
)

// GatewayAttempts is how often payment-gateway calls payment-charge before it gives up.
const GatewayAttempts = 3

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// Orchestrator is payment-orchestrator.
type Orchestrator struct {
	Fraud, Router, Recorder, Status, Next Caller
	Now                                   func() time.Time
}

// NewOrchestrator builds payment-orchestrator from its environment.
func NewOrchestrator(_ context.Context, cfg aws.Config, getenv func(string) string) (*Orchestrator, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Orchestrator{
		Fraud:    b.Function(EnvFraudCheck),
		Router:   b.Function(EnvPaymentRouter),
		Recorder: b.Function(EnvPaymentRecorder),
		Status:   b.Function(EnvOrderStatus),
		Next:     b.Function(EnvOrderFinalizer),
		Now:      time.Now,
	}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("payment-orchestrator: %w", err)
	}
	return h, nil
}

// Handle checks the payment for fraud, charges it, records the charge and hands the order to
// order-finalizer. A refused or declined payment fails the order and ends the chain.
func (h *Orchestrator) Handle(ctx context.Context, co message.Checkout) (message.Checkout, error) {
	if co.Order == nil {
		return message.Checkout{}, fmt.Errorf("pay order %s: the order is required", co.OrderID)
	}
	o := co.Order
	var fraud message.FraudResult
	if err := h.Fraud.Call(ctx, message.FraudRequest{OrderID: o.ID, Email: o.Customer.Email, Amount: o.Total, Currency: o.Currency}, &fraud); err != nil {
		return message.Checkout{}, fmt.Errorf("fraud check: %w", err)
	}
	if !fraud.Allow {
		return h.fail(ctx, co, fmt.Sprintf("payment refused by the fraud check (score %d)", fraud.Score))
	}
	var charge message.Charge
	if err := h.Router.Call(ctx, message.PaymentRequest{OrderID: o.ID, Amount: o.Total, Currency: o.Currency, Email: o.Customer.Email}, &charge); err != nil {
		return message.Checkout{}, fmt.Errorf("charge: %w", err)
	}
	if charge.Status == payment.StatusDeclined {
		return h.fail(ctx, co, "card declined")
	}
	if err := h.Recorder.Call(ctx, message.PaymentRecord{OrderID: o.ID, Amount: o.Total, Currency: o.Currency, Charge: charge}, nil); err != nil {
		return message.Checkout{}, fmt.Errorf("record charge %s: %w", charge.ChargeID, err)
	}
	co.Charge = &charge
	var out message.Checkout
	if err := h.Next.Call(ctx, co, &out); err != nil {
		return message.Checkout{}, fmt.Errorf("finalize: %w", err)
	}
	return out, nil
}

func (h *Orchestrator) fail(ctx context.Context, co message.Checkout, reason string) (message.Checkout, error) {
	o := *co.Order
	if err := o.Fail(reason); err != nil {
		return message.Checkout{}, err
	}
	if err := h.Status.Call(ctx, message.StatusChange{OrderID: o.ID, Status: bakery.StatusFailed, Reason: reason, At: h.Now().UTC()}, nil); err != nil {
		return message.Checkout{}, fmt.Errorf("fail order %s: %w", o.ID, err)
	}
	co.Order = &o
	return co, nil
}

// FraudCheck is fraud-check: it reads the customer's profile and asks fraud-score.
type FraudCheck struct {
	Profile, Score Caller
}

// NewFraudCheck builds fraud-check from its environment.
func NewFraudCheck(_ context.Context, cfg aws.Config, getenv func(string) string) (*FraudCheck, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &FraudCheck{Profile: b.Function(EnvCustomerProfile), Score: b.Function(EnvFraudScore)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("fraud-check: %w", err)
	}
	return h, nil
}

// Handle answers fraud-score's verdict on the payment.
func (h *FraudCheck) Handle(ctx context.Context, in message.FraudRequest) (message.FraudResult, error) {
	var c message.Customer
	if err := h.Profile.Call(ctx, message.CustomerRequest{Email: strings.ToLower(in.Email)}, &c); err != nil {
		return message.FraudResult{}, fmt.Errorf("customer profile: %w", err)
	}
	in.Customer = &c
	var r message.FraudResult
	if err := h.Score.Call(ctx, in, &r); err != nil {
		return message.FraudResult{}, fmt.Errorf("fraud score: %w", err)
	}
	return r, nil
}

// FraudScore is fraud-score: a few rules of thumb; 80 or more refuses the payment.
func FraudScore(_ context.Context, in message.FraudRequest) (message.FraudResult, error) {
	score := 10
	if in.Customer == nil || in.Customer.New {
		score += 20
	}
	if in.Amount > 20000 { // minor units: over 200 of any currency but SEK, DKK and CZK
		score += 30
	}
	return message.FraudResult{Score: score, Allow: score < 80}, nil
}

// Router is payment-router: it picks the provider account by currency and passes the payment on.
type Router struct {
	Gateway Caller
}

// NewRouter builds payment-router from its environment.
func NewRouter(_ context.Context, cfg aws.Config, getenv func(string) string) (*Router, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Router{Gateway: b.Function(EnvPaymentGateway)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("payment-router: %w", err)
	}
	return h, nil
}

// Handle routes the payment to payment-gateway.
func (h *Router) Handle(ctx context.Context, in message.PaymentRequest) (message.Charge, error) {
	in.Route = "eu"
	if in.Currency == bakery.USD || in.Currency == bakery.CAD {
		in.Route = "na"
	}
	var c message.Charge
	if err := h.Gateway.Call(ctx, in, &c); err != nil {
		return message.Charge{}, fmt.Errorf("route %s payment: %w", in.Route, err)
	}
	return c, nil
}

// Gateway is payment-gateway: it calls payment-charge and, when that fails for any reason,
// calls it again at once, up to GatewayAttempts times.
type Gateway struct {
	Charge Caller
}

// NewGateway builds payment-gateway from its environment.
func NewGateway(_ context.Context, cfg aws.Config, getenv func(string) string) (*Gateway, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &Gateway{Charge: b.Function(EnvPaymentCharge)}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("payment-gateway: %w", err)
	}
	return h, nil
}

// Handle charges the payment.
func (h *Gateway) Handle(ctx context.Context, in message.PaymentRequest) (message.Charge, error) {
	var errs []error
	for attempt := 1; attempt <= GatewayAttempts && ctx.Err() == nil; attempt++ {
		var c message.Charge
		err := h.Charge.Call(ctx, in, &c)
		if err == nil {
			c.Attempts = attempt
			return c, nil
		}
		errs = append(errs, fmt.Errorf("attempt %d: %w", attempt, err))
	}
	return message.Charge{}, fmt.Errorf("charge order %s: %w", in.OrderID, errors.Join(errs...))
}

// Charger is what payment-charge needs of the provider's client.
type Charger interface {
	Charge(ctx context.Context, req payment.ChargeRequest, idempotencyKey string) (payment.Charge, error)
}

var _ Charger = (*payment.Client)(nil)

// Charge is payment-charge: one call to the payment provider.
type Charge struct {
	Provider Charger
}

// NewCharge builds payment-charge from its environment: the provider's URL and the function's
// HTTP client.
func NewCharge(_ context.Context, cfg aws.Config, getenv func(string) string) (*Charge, error) {
	url := getenv(EnvProviderURL)
	if url == "" {
		return nil, fmt.Errorf("payment-charge: %s is not set; the stack sets it to the payment provider's URL", EnvProviderURL)
	}
	return &Charge{Provider: payment.NewClient(url, cfg.HTTPClient)}, nil
}

// Handle charges the card, without an idempotency key. A declined card is an answer; a busy or
// failing provider is an error.
func (h *Charge) Handle(ctx context.Context, in message.PaymentRequest) (message.Charge, error) {
	c, err := h.Provider.Charge(ctx, payment.ChargeRequest{OrderID: in.OrderID, Amount: in.Amount, Currency: in.Currency, CustomerEmail: in.Email}, "")
	if errors.Is(err, payment.ErrDeclined) {
		return message.Charge{ChargeID: c.ID, Status: payment.StatusDeclined}, nil
	}
	if err != nil {
		return message.Charge{}, err
	}
	return message.Charge{ChargeID: c.ID, Status: c.Status}, nil
}

// Recorder is payment-recorder: it writes the charge to the shared table.
type Recorder struct {
	DB   table.API
	Name string
	Now  func() time.Time
}

// NewRecorder builds payment-recorder from its environment.
func NewRecorder(_ context.Context, cfg aws.Config, getenv func(string) string) (*Recorder, error) {
	name, err := table.Name(getenv)
	if err != nil {
		return nil, fmt.Errorf("payment-recorder: %w", err)
	}
	return &Recorder{DB: dynamodb.NewFromConfig(cfg), Name: name, Now: time.Now}, nil
}

// Handle puts the payment record.
func (h *Recorder) Handle(ctx context.Context, in message.PaymentRecord) (message.Done, error) {
	rec := struct {
		message.PaymentRecord
		RecordedAt time.Time `json:"recorded_at"`
	}{in, h.Now().UTC()}
	item, err := table.Item("PAYMENT#"+in.OrderID, "CHARGE#"+in.Charge.ChargeID, rec)
	if err != nil {
		return message.Done{}, err
	}
	if _, err := h.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &h.Name, Item: item}); err != nil {
		return message.Done{}, fmt.Errorf("put payment of order %s: %w", in.OrderID, err)
	}
	return message.Done{ID: in.Charge.ChargeID}, nil
}
