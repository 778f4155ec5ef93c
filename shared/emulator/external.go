package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/kitchen"

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
		// The fault's added latency is a stall before the charge reaches the issuer: it ends when
		// the fault is removed, and a caller who leaves during it drops the charge (no money taken).
		if ok && rule.Latency > 0 {
			if err := env.SleepFault(ctx, 0, "payment"); err != nil {
				return err
			}
		}
		// The issuer's round trip: once started, the charge completes whatever the caller does.
		if err := env.Spend(context.WithoutCancel(ctx), "payment.charge", ""); err != nil {
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

// newKitchen builds the bakery's kitchen at http://kitchen.internal: 3 bakers a store, 6 at the
// flagships, each preparation timed by the latency model ("kitchen.prepare") and the "kitchen"
// fault; a finished ticket is marked ready by ready (readyAtAPI, or a Global's kitchenReady).
func (e *Emulator) newKitchen(ready kitchen.Ready) (*kitchen.Kitchen, error) {
	stores := map[string]int{}
	for _, s := range bakery.Stores() {
		if bakery.IsFlagship(s.ID) {
			stores[s.ID] = 2 * kitchen.DefaultBakers
		}
	}
	return kitchen.New(kitchen.Config{
		Stores: stores,
		KnownStore: func(id string) bool {
			_, ok := bakery.StoreByID(id)
			return ok
		},
		Prepare: func(ctx context.Context, _ kitchen.Ticket) error {
			rule, inject, ok := e.env.Fault("kitchen")
			if ok && rule.Throttle {
				return errors.New("the kitchen is closed (fault switched on)")
			}
			if err := e.env.Spend(ctx, "kitchen.prepare", "kitchen"); err != nil {
				return err
			}
			if inject {
				return errors.New("the kitchen dropped the ticket (fault switched on)")
			}
			return nil
		},
		Ready: ready,
	})
}

// readyAtAPI marks a finished ticket ready by POSTing {order_id, task_token} to the stage's API
// at /kitchen/ready (stages without that route never get tickets).
func (e *Emulator) readyAtAPI(ctx context.Context, t kitchen.Ticket) error {
	body, _ := json.Marshal(map[string]string{"order_id": t.OrderID, "task_token": t.TaskToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.APIURL()+"/kitchen/ready", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := e.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	_ = res.Body.Close()
	if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
		return fmt.Errorf("POST /kitchen/ready answered %d", res.StatusCode)
	}
	return nil
}

// serveKitchen answers requests to http://kitchen.internal, recording the hop.
func (e *Emulator) serveKitchen(w http.ResponseWriter, r *http.Request) {
	m := e.env.Metrics.Resource("external", "kitchen")
	m.Invoked()
	ctx, end := trace.Begin(r.Context(), "kitchen", r.Method+" "+r.URL.Path)
	sw := &statusWriter{ResponseWriter: w}
	e.kitchenAPI.ServeHTTP(sw, r.WithContext(ctx))
	outcome := "ok"
	if sw.status >= 400 {
		m.Errored()
		outcome = "refused"
	}
	end(outcome)
}
