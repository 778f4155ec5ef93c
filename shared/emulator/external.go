package emulator

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// newPaymentProvider builds the external payment provider. It is not an AWS service: it stands
// for a third party whose capacity is fixed, so its latency grows with the load it is offered.
func newPaymentProvider(env *sim.Env, cfg payment.Config) (*payment.Provider, error) {
	if cfg.DeclineRate == 0 {
		cfg.DeclineRate = -1
	}
	cfg.ServiceTime = payment.ServiceTimeFunc(func(ctx context.Context) error {
		rule, inject, ok := env.Fault("payment")
		if ok && rule.Throttle {
			return &payment.BusyError{StatusCode: http.StatusServiceUnavailable, Message: "the payment provider is down (fault switched on)", RetryAfter: time.Second}
		}
		if err := env.Spend(ctx, "payment.charge", "payment"); err != nil {
			return err
		}
		if inject {
			return errors.New("the payment provider failed the charge (fault switched on)")
		}
		return nil
	})
	return payment.New(cfg)
}

// servePayment answers requests to http://payment.internal, recording the hop in the trace and
// the provider's metrics.
func (e *Emulator) servePayment(w http.ResponseWriter, r *http.Request) {
	m := e.env.Metrics.Resource("external", "payment")
	m.Invoked()
	ctx, end := trace.Begin(r.Context(), "payment", r.Method+" "+r.URL.Path)
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	e.paymentAPI.ServeHTTP(sw, r.WithContext(ctx))
	m.Observe(time.Since(start))
	outcome := "ok"
	switch {
	case sw.status == http.StatusServiceUnavailable:
		m.Throttled()
		outcome = "busy"
	case sw.status >= 500:
		m.Errored()
		outcome = "error"
	case sw.status >= 400:
		outcome = "refused"
	}
	end(outcome)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
