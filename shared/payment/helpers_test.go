package payment_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// orderKey carries an order ID in a charge's context so that a fake service time can tell the
// charges apart (the provider passes the caller's context values on to ServiceTime).
type orderKey struct{}

func withOrder(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, orderKey{}, id)
}

// gated holds every charge on its worker until the test lets it through, and records which
// orders reached a worker, in order, and the most charges worked on at once.
type gated struct {
	release   chan struct{}
	entered   chan string
	openOnce  sync.Once
	now, peak atomic.Int64
}

func newGated(tb testing.TB) *gated {
	tb.Helper()
	g := &gated{release: make(chan struct{}), entered: make(chan string, 10_000)}
	tb.Cleanup(g.letAll) // never leave a worker blocked behind a failed test
	return g
}

func (g *gated) Spend(ctx context.Context) error {
	n := g.now.Add(1)
	defer g.now.Add(-1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if id, ok := ctx.Value(orderKey{}).(string); ok {
		g.entered <- id
	}
	<-g.release
	return nil
}

// letOne lets exactly one held charge finish.
func (g *gated) letOne() { g.release <- struct{}{} }

// letAll lets every charge, held now or later, through.
func (g *gated) letAll() { g.openOnce.Do(func() { close(g.release) }) }

// takes spends a fixed, tiny service time on every charge.
type takes time.Duration

func (d takes) Spend(ctx context.Context) error {
	t := time.NewTimer(time.Duration(d))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// instant spends no time at all.
var instant = payment.ServiceTimeFunc(func(context.Context) error { return nil })

func newProvider(tb testing.TB, cfg payment.Config) *payment.Provider {
	tb.Helper()
	p, err := payment.New(cfg)
	require.NoError(tb, err)
	return p
}

func order(id string) payment.ChargeRequest {
	return payment.ChargeRequest{OrderID: id, Amount: 1234, Currency: "GBP", CustomerEmail: payment.ApprovedTestEmail}
}

type outcome struct {
	charge payment.Charge
	err    error
}

// chargeAsync starts a charge and returns where its outcome arrives.
func chargeAsync(ctx context.Context, p *payment.Provider, req payment.ChargeRequest, key string) <-chan outcome {
	out := make(chan outcome, 1)
	go func() {
		c, err := p.Charge(withOrder(ctx, req.OrderID), req, key)
		out <- outcome{c, err}
	}()
	return out
}

// await returns the outcome, failing the test if it does not come (a hang, not a timing check).
func await(tb testing.TB, out <-chan outcome) outcome {
	tb.Helper()
	select {
	case o := <-out:
		return o
	case <-time.After(10 * time.Second):
		tb.Fatal("the charge did not return")
		return outcome{}
	}
}

// waitStats waits until the provider's stats satisfy cond.
func waitStats(tb testing.TB, p *payment.Provider, what string, cond func(payment.Stats) bool) {
	tb.Helper()
	require.Eventually(tb, func() bool { return cond(p.Stats()) }, 10*time.Second, time.Millisecond,
		"waiting for %s; stats: %+v", what, p.Stats())
}
