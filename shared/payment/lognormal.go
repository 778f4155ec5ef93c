package payment

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// The service time of a charge on AWS: the same figures as the emulator's latency model
// component "payment.charge" (shared/emulator/latency/model.json, an estimate with its source
// there). Keep the two in step.
const (
	DefaultMedian = 300 * time.Millisecond
	DefaultP99    = 1200 * time.Millisecond
)

// z99 is the standard normal quantile of 0.99: p99 = median * exp(z99 * sigma).
const z99 = 2.3263478740408408

// Lognormal is the ServiceTime of AWS runs: it draws a lognormal service time from a median and a
// p99 and waits for it with a timer.
//
// This is the one place in the project that waits on purpose. Everywhere else time comes from the
// emulator's model or from real code running; here the code stands in for somebody else's server,
// whose time is spent elsewhere, so waiting is the honest imitation of it.
type Lognormal struct {
	mu, sigma float64

	rndMu sync.Mutex
	rnd   *rand.Rand
}

var _ ServiceTime = (*Lognormal)(nil)

// NewLognormal builds the sampler. p99 must be at least median; equal makes every charge take
// exactly median. seed makes a run repeatable.
func NewLognormal(median, p99 time.Duration, seed uint64) (*Lognormal, error) {
	if median <= 0 {
		return nil, fmt.Errorf("payment: lognormal median must be above 0, got %v", median)
	}
	if p99 < median {
		return nil, fmt.Errorf("payment: lognormal p99 must be at least the median (%v), got %v", median, p99)
	}
	return &Lognormal{
		mu:    math.Log(float64(median)),
		sigma: math.Log(float64(p99)/float64(median)) / z99,
		rnd:   rand.New(rand.NewPCG(seed, 0x9a7)),
	}, nil
}

// Sample draws one service time.
func (l *Lognormal) Sample() time.Duration {
	l.rndMu.Lock()
	z := l.rnd.NormFloat64()
	l.rndMu.Unlock()
	return time.Duration(math.Exp(l.mu + l.sigma*z))
}

// Spend waits for one sampled service time, or until ctx is done.
func (l *Lognormal) Spend(ctx context.Context) error {
	t := time.NewTimer(l.Sample())
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
