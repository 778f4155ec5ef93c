package payment_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

func TestNewAppliesDefaultsAndRejectsBadConfig(t *testing.T) {
	t.Parallel()
	p := newProvider(t, payment.Config{ServiceTime: instant})
	cfg := p.Config()
	assert.Equal(t, payment.DefaultCapacity, cfg.Capacity)
	assert.Equal(t, payment.DefaultQueueLimit, cfg.QueueLimit)
	assert.Equal(t, payment.DefaultQueueTimeout, cfg.QueueTimeout)
	assert.Equal(t, payment.DefaultDeclineRate, cfg.DeclineRate)

	tests := []struct {
		name string
		cfg  payment.Config
		want string
	}{
		{"no service time", payment.Config{}, "ServiceTime is required"},
		{"negative capacity", payment.Config{ServiceTime: instant, Capacity: -1}, "Capacity must be 1 or more, got -1"},
		{"negative queue limit", payment.Config{ServiceTime: instant, QueueLimit: -2}, "QueueLimit must be 0 or more, or NoQueue, got -2"},
		{"negative queue timeout", payment.Config{ServiceTime: instant, QueueTimeout: -time.Second}, "QueueTimeout must be above 0"},
		{"decline rate above 1", payment.Config{ServiceTime: instant, DeclineRate: 1.5}, "DeclineRate must be between 0 and 1, got 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := payment.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCapacityIsNeverExceeded(t *testing.T) {
	t.Parallel()
	for _, capacity := range []int{1, 5, 20} {
		t.Run(fmt.Sprintf("capacity %d under 10x load", capacity), func(t *testing.T) {
			t.Parallel()
			g := newGated(t)
			p := newProvider(t, payment.Config{Capacity: capacity, QueueLimit: 10 * capacity, QueueTimeout: time.Minute, ServiceTime: g})
			load := 10 * capacity
			outs := make([]<-chan outcome, load)
			for i := range outs {
				outs[i] = chargeAsync(t.Context(), p, order(fmt.Sprintf("ord-%d", i)), "")
			}
			waitStats(t, p, "every charge in flight or queued", func(s payment.Stats) bool {
				return s.InFlight == int64(capacity) && s.Queued == int64(load-capacity) && g.now.Load() == int64(capacity)
			})
			g.letAll()
			for _, out := range outs {
				require.NoError(t, await(t, out).err)
			}
			s := p.Stats()
			assert.Equal(t, int64(capacity), g.peak.Load(), "charges worked on at once")
			assert.Equal(t, int64(capacity), s.MaxInFlight)
			assert.Equal(t, int64(load-capacity), s.MaxQueued)
			assert.Equal(t, int64(load), s.Charges)
			assert.Equal(t, int64(load), s.Succeeded)
			assert.Equal(t, int64(0), s.InFlight)
			assert.Equal(t, int64(0), s.Queued)
			assert.Equal(t, int64(load), s.WaitMS.Count)
		})
	}
}

func TestFullQueueIsRejectedAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		queueLimit int
		queued     int64
	}{
		{"queue of 3", 3, 3},
		{"no queue", payment.NoQueue, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGated(t)
			p := newProvider(t, payment.Config{Capacity: 2, QueueLimit: tt.queueLimit, QueueTimeout: time.Hour, ServiceTime: g})
			var outs []<-chan outcome
			for i := range 2 + tt.queued {
				outs = append(outs, chargeAsync(t.Context(), p, order(fmt.Sprintf("ord-%d", i)), ""))
			}
			waitStats(t, p, "workers busy and queue full", func(s payment.Stats) bool {
				return s.InFlight == 2 && s.Queued == tt.queued
			})

			// The gate is still shut: only an immediate answer can arrive.
			o := await(t, chargeAsync(t.Context(), p, order("one-too-many"), ""))
			var busy *payment.BusyError
			require.ErrorAs(t, o.err, &busy)
			assert.Equal(t, payment.DefaultRetryAfter, busy.RetryAfter)
			assert.Contains(t, busy.Message, "all 2 workers are busy")
			s := p.Stats()
			assert.Equal(t, int64(1), s.RejectedBusy)
			assert.Equal(t, int64(0), s.Charges)

			g.letAll()
			for _, out := range outs {
				require.NoError(t, await(t, out).err)
			}
		})
	}
}

func TestQueueTimeoutTurnsTheChargeAway(t *testing.T) {
	t.Parallel()
	g := newGated(t)
	p := newProvider(t, payment.Config{Capacity: 1, QueueTimeout: 5 * time.Millisecond, ServiceTime: g})
	first := chargeAsync(t.Context(), p, order("first"), "")
	waitStats(t, p, "first charge in flight", func(s payment.Stats) bool { return s.InFlight == 1 })

	o := await(t, chargeAsync(t.Context(), p, order("second"), ""))
	var busy *payment.BusyError
	require.ErrorAs(t, o.err, &busy)
	assert.Contains(t, busy.Message, "no worker was free within 5ms")
	s := p.Stats()
	assert.Equal(t, int64(1), s.QueueTimeouts)
	assert.Equal(t, int64(0), s.RejectedBusy)
	assert.Equal(t, int64(0), s.Queued)

	g.letAll()
	require.NoError(t, await(t, first).err)
	assert.Equal(t, int64(1), p.Stats().Charges)
}

func TestWorkersTakeChargesFirstComeFirstServed(t *testing.T) {
	t.Parallel()
	g := newGated(t)
	p := newProvider(t, payment.Config{Capacity: 1, QueueTimeout: time.Hour, ServiceTime: g})
	ids := []string{"A", "B", "C", "D", "E", "F"}
	var outs []<-chan outcome
	for i, id := range ids {
		outs = append(outs, chargeAsync(t.Context(), p, order(id), ""))
		// Each arrives only once the one before it is in place, so arrival order is known.
		waitStats(t, p, id+" in place", func(s payment.Stats) bool { return s.InFlight+s.Queued == int64(i+1) })
	}
	var served []string
	for range ids {
		served = append(served, <-g.entered)
		g.letOne()
	}
	assert.Equal(t, ids, served)
	for _, out := range outs {
		require.NoError(t, await(t, out).err)
	}
}

func TestWaitGrowsWithOfferedLoad(t *testing.T) {
	t.Parallel()
	const capacity = 2
	meanWait := func(load int) float64 {
		p := newProvider(t, payment.Config{Capacity: capacity, QueueTimeout: time.Minute, ServiceTime: takes(5 * time.Millisecond)})
		var outs []<-chan outcome
		for i := range load {
			outs = append(outs, chargeAsync(t.Context(), p, order(fmt.Sprintf("ord-%d", i)), ""))
		}
		for _, out := range outs {
			require.NoError(t, await(t, out).err)
		}
		s := p.Stats()
		require.Equal(t, int64(load), s.WaitMS.Count)
		return s.WaitMS.Mean
	}
	// A burst of n charges on c workers waits (n/c - 1)/2 service times on average: 0.5 at 2x
	// capacity, 3.5 at 8x. Only the ratio is checked, loosely.
	at2x := meanWait(2 * capacity)
	at8x := meanWait(8 * capacity)
	t.Logf("mean wait: %.2f ms at 2x capacity, %.2f ms at 8x", at2x, at8x)
	assert.Greater(t, at8x, 2*at2x, "mean wait at 8x capacity (%.2f ms) vs 2x (%.2f ms)", at8x, at2x)
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	t.Run("retries get the first answer without charging again", func(t *testing.T) {
		t.Parallel()
		p := newProvider(t, payment.Config{ServiceTime: instant})
		first, err := p.Charge(t.Context(), order("ord-1"), "key-1")
		require.NoError(t, err)
		assert.False(t, first.Replayed)
		for range 2 {
			again, err := p.Charge(t.Context(), order("ord-1"), "key-1")
			require.NoError(t, err)
			assert.Equal(t, first.ID, again.ID)
			assert.True(t, again.Replayed)
		}
		s := p.Stats()
		assert.Equal(t, int64(1), s.Charges)
		assert.Equal(t, int64(2), s.Replayed)
		assert.Equal(t, int64(0), s.DuplicateCharges)
	})
	t.Run("a retry while the first attempt is worked on waits for it", func(t *testing.T) {
		t.Parallel()
		g := newGated(t)
		p := newProvider(t, payment.Config{ServiceTime: g})
		first := chargeAsync(t.Context(), p, order("ord-1"), "key-1")
		waitStats(t, p, "first attempt in flight", func(s payment.Stats) bool { return s.InFlight == 1 })
		second := chargeAsync(t.Context(), p, order("ord-1"), "key-1")
		g.letAll()
		a, b := await(t, first), await(t, second)
		require.NoError(t, a.err)
		require.NoError(t, b.err)
		assert.Equal(t, a.charge.ID, b.charge.ID)
		assert.Equal(t, int64(1), p.Stats().Charges)
	})
	t.Run("a retry after the caller left gets the charge that completed without it", func(t *testing.T) {
		t.Parallel()
		g := newGated(t)
		p := newProvider(t, payment.Config{ServiceTime: g})
		ctx, cancel := context.WithCancel(t.Context())
		first := chargeAsync(ctx, p, order("ord-1"), "key-1")
		waitStats(t, p, "first attempt in flight", func(s payment.Stats) bool { return s.InFlight == 1 })
		cancel()
		require.ErrorIs(t, await(t, first).err, context.Canceled)
		g.letAll()
		again, err := p.Charge(t.Context(), order("ord-1"), "key-1")
		require.NoError(t, err)
		assert.True(t, again.Replayed)
		s := p.Stats()
		assert.Equal(t, int64(1), s.Charges)
		assert.Equal(t, int64(1), s.Orphaned)
		assert.Equal(t, int64(0), s.DuplicateCharges)
	})
	t.Run("a declined charge is replayed as declined", func(t *testing.T) {
		t.Parallel()
		p := newProvider(t, payment.Config{ServiceTime: instant})
		req := order("ord-1")
		req.CustomerEmail = payment.DeclinedTestEmail
		first, err := p.Charge(t.Context(), req, "key-1")
		require.ErrorIs(t, err, payment.ErrDeclined)
		again, err := p.Charge(t.Context(), req, "key-1")
		require.ErrorIs(t, err, payment.ErrDeclined)
		assert.Equal(t, first.ID, again.ID)
		assert.Equal(t, int64(1), p.Stats().Charges)
	})
	t.Run("a key that took no money is free for a retry", func(t *testing.T) {
		t.Parallel()
		g := newGated(t)
		p := newProvider(t, payment.Config{Capacity: 1, QueueLimit: payment.NoQueue, ServiceTime: g})
		blocker := chargeAsync(t.Context(), p, order("other"), "")
		waitStats(t, p, "worker busy", func(s payment.Stats) bool { return s.InFlight == 1 })
		_, err := p.Charge(t.Context(), order("ord-1"), "key-1")
		var busy *payment.BusyError
		require.ErrorAs(t, err, &busy)
		g.letAll()
		require.NoError(t, await(t, blocker).err)
		c, err := p.Charge(t.Context(), order("ord-1"), "key-1")
		require.NoError(t, err)
		assert.False(t, c.Replayed)
		assert.Equal(t, int64(2), p.Stats().Charges)
	})
	t.Run("a key reused for another request is refused", func(t *testing.T) {
		t.Parallel()
		p := newProvider(t, payment.Config{ServiceTime: instant})
		_, err := p.Charge(t.Context(), order("ord-1"), "key-1")
		require.NoError(t, err)
		_, err = p.Charge(t.Context(), order("ord-2"), "key-1")
		var bad *payment.InvalidError
		require.ErrorAs(t, err, &bad)
		assert.Equal(t, "Idempotency-Key", bad.Param)
		assert.Equal(t, int64(1), p.Stats().Charges)
	})
}

func TestWithoutKeyEveryCallCharges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		orders     []string
		duplicates int64
	}{
		{"three tries for one order", []string{"ord-1", "ord-1", "ord-1"}, 2},
		{"three orders", []string{"ord-1", "ord-2", "ord-3"}, 0},
		{"two orders tried twice", []string{"ord-1", "ord-2", "ord-1", "ord-2"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, payment.Config{ServiceTime: instant})
			ids := map[string]bool{}
			for _, id := range tt.orders {
				c, err := p.Charge(t.Context(), order(id), "")
				require.NoError(t, err)
				ids[c.ID] = true
			}
			s := p.Stats()
			assert.Len(t, ids, len(tt.orders), "distinct charge IDs")
			assert.Equal(t, int64(len(tt.orders)), s.Succeeded)
			assert.Equal(t, tt.duplicates, s.DuplicateCharges)
		})
	}
}

func TestCallerLeaving(t *testing.T) {
	t.Parallel()
	t.Run("while queued the charge is dropped", func(t *testing.T) {
		t.Parallel()
		g := newGated(t)
		p := newProvider(t, payment.Config{Capacity: 1, QueueTimeout: time.Hour, ServiceTime: g})
		blocker := chargeAsync(t.Context(), p, order("blocker"), "")
		waitStats(t, p, "worker busy", func(s payment.Stats) bool { return s.InFlight == 1 })
		ctx, cancel := context.WithCancel(t.Context())
		queued := chargeAsync(ctx, p, order("ord-1"), "")
		waitStats(t, p, "charge queued", func(s payment.Stats) bool { return s.Queued == 1 })
		cancel()
		require.ErrorIs(t, await(t, queued).err, context.Canceled)
		g.letAll()
		require.NoError(t, await(t, blocker).err)
		s := p.Stats()
		assert.Equal(t, int64(1), s.Abandoned)
		assert.Equal(t, int64(1), s.Charges, "only the blocker was charged")
		assert.Equal(t, int64(0), s.Queued)
	})
	t.Run("once a worker has it the charge completes, and a retry charges twice", func(t *testing.T) {
		t.Parallel()
		g := newGated(t)
		p := newProvider(t, payment.Config{ServiceTime: g})
		ctx, cancel := context.WithCancel(t.Context())
		first := chargeAsync(ctx, p, order("ord-1"), "")
		waitStats(t, p, "charge in flight", func(s payment.Stats) bool { return s.InFlight == 1 })
		cancel()
		require.ErrorIs(t, await(t, first).err, context.Canceled)
		g.letAll()
		waitStats(t, p, "orphan completed", func(s payment.Stats) bool { return s.Succeeded == 1 })
		_, err := p.Charge(t.Context(), order("ord-1"), "")
		require.NoError(t, err)
		s := p.Stats()
		assert.Equal(t, int64(1), s.Orphaned)
		assert.Equal(t, int64(2), s.Succeeded)
		assert.Equal(t, int64(1), s.DuplicateCharges)
	})
	t.Run("a worker stalled before the issuer is freed when its caller leaves, and takes no money", func(t *testing.T) {
		t.Parallel()
		// The emulator's "payment" fault latency is such a stall: it honours the caller's context.
		stall := payment.ServiceTimeFunc(func(ctx context.Context) error {
			if id, _ := ctx.Value(orderKey{}).(string); id == "stalled" {
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		})
		p := newProvider(t, payment.Config{Capacity: 1, QueueLimit: payment.NoQueue, ServiceTime: stall})
		ctx, cancel := context.WithCancel(withOrder(t.Context(), "stalled"))
		first := chargeAsync(ctx, p, order("stalled"), "key-1")
		waitStats(t, p, "charge in flight", func(s payment.Stats) bool { return s.InFlight == 1 })
		cancel()
		require.ErrorIs(t, await(t, first).err, context.Canceled)
		waitStats(t, p, "worker freed", func(s payment.Stats) bool { return s.InFlight == 0 })
		// The only worker takes the next charge, and the key is free for a retry.
		_, err := p.Charge(t.Context(), order("ord-2"), "")
		require.NoError(t, err)
		again, err := p.Charge(t.Context(), order("stalled"), "key-1")
		require.NoError(t, err)
		assert.False(t, again.Replayed)
		s := p.Stats()
		assert.Equal(t, int64(1), s.Abandoned)
		assert.Equal(t, int64(0), s.Orphaned)
		assert.Equal(t, int64(2), s.Charges, "the stalled charge was never processed")
		assert.Equal(t, int64(0), s.DuplicateCharges)
	})
	t.Run("a charge whose answer reached its caller is not orphaned", func(t *testing.T) {
		t.Parallel()
		p := newProvider(t, payment.Config{ServiceTime: instant})
		ctx, cancel := context.WithCancel(t.Context())
		_, err := p.Charge(ctx, order("ord-1"), "")
		require.NoError(t, err)
		cancel() // leaving after the answer orphans nothing
		assert.Equal(t, int64(0), p.Stats().Orphaned)
	})
}

func TestServiceTimeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		busy    bool
		message string
	}{
		{"provider down", errors.New("injected fault"), false, "processing failed: injected fault"},
		{"provider throttling", &payment.BusyError{Message: "throttled by fault"}, true, "throttled by fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t, payment.Config{ServiceTime: payment.ServiceTimeFunc(func(context.Context) error { return tt.err })})
			_, err := p.Charge(t.Context(), order("ord-1"), "key-1")
			require.Error(t, err)
			var busy *payment.BusyError
			assert.Equal(t, tt.busy, errors.As(err, &busy))
			assert.Contains(t, err.Error(), tt.message)
			s := p.Stats()
			assert.Equal(t, int64(1), s.Failed)
			assert.Equal(t, int64(0), s.Succeeded)
		})
	}
}

func TestDeclinesAreDecidedByCustomer(t *testing.T) {
	t.Parallel()
	p := newProvider(t, payment.Config{ServiceTime: instant})
	same := newProvider(t, payment.Config{ServiceTime: instant})
	declined := 0
	const customers = 5000
	for i := range customers {
		email := fmt.Sprintf("customer+%d@example.com", i)
		d := p.Declines(email)
		assert.Equal(t, d, same.Declines(email), email)
		assert.Equal(t, d, p.Declines(strings.ToUpper(email)), "case does not matter: %s", email)
		if d {
			declined++
		}
	}
	assert.InDelta(t, payment.DefaultDeclineRate, float64(declined)/customers, 0.01)

	tests := []struct {
		name     string
		cfg      payment.Config
		email    string
		declined bool
	}{
		{"approved test email with every card declined", payment.Config{DeclineRate: 1}, payment.ApprovedTestEmail, false},
		{"approved test email in another case", payment.Config{DeclineRate: 1}, "Ada@Example.com", false},
		{"listed email with every card declined", payment.Config{DeclineRate: 1, AlwaysApprove: []string{"bea@example.com"}}, "bea@example.com", false},
		{"unlisted email with every card declined", payment.Config{DeclineRate: 1}, "bea@example.com", true},
		{"declined test email with declines off", payment.Config{DeclineRate: -1}, payment.DeclinedTestEmail, true},
		{"anyone else with declines off", payment.Config{DeclineRate: -1}, "bea@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.ServiceTime = instant
			p := newProvider(t, tt.cfg)
			assert.Equal(t, tt.declined, p.Declines(tt.email))
			req := order("ord-1")
			req.CustomerEmail = tt.email
			for range 2 { // the same answer every time
				c, err := p.Charge(t.Context(), req, "")
				if tt.declined {
					require.ErrorIs(t, err, payment.ErrDeclined)
					assert.Equal(t, payment.StatusDeclined, c.Status)
					assert.True(t, strings.HasPrefix(c.ID, "ch_"), c.ID)
				} else {
					require.NoError(t, err)
					assert.Equal(t, payment.StatusSucceeded, c.Status)
				}
			}
		})
	}
}

func TestLognormal(t *testing.T) {
	t.Parallel()
	l, err := payment.NewLognormal(payment.DefaultMedian, payment.DefaultP99, 7)
	require.NoError(t, err)
	const n = 20_000
	below50, below99 := 0, 0
	for range n {
		d := l.Sample()
		if d < payment.DefaultMedian {
			below50++
		}
		if d < payment.DefaultP99 {
			below99++
		}
	}
	assert.InDelta(t, 0.50, float64(below50)/n, 0.02)
	assert.InDelta(t, 0.99, float64(below99)/n, 0.005)

	fixed, err := payment.NewLognormal(time.Millisecond, time.Millisecond, 1)
	require.NoError(t, err)
	assert.Equal(t, time.Millisecond, fixed.Sample().Round(time.Microsecond))

	_, err = payment.NewLognormal(0, time.Second, 1)
	assert.ErrorContains(t, err, "median must be above 0")
	_, err = payment.NewLognormal(time.Second, time.Millisecond, 1)
	assert.ErrorContains(t, err, "p99 must be at least the median")
}

// PaidOrders lists each order the provider took money for once, however often it was charged.
func TestPaidOrders(t *testing.T) {
	t.Parallel()
	p := newProvider(t, payment.Config{ServiceTime: instant})
	for _, id := range []string{"ord-1", "ord-2", "ord-1"} {
		_, err := p.Charge(t.Context(), order(id), "")
		require.NoError(t, err)
	}
	got := p.PaidOrders()
	slices.Sort(got)
	assert.Equal(t, []string{"ord-1", "ord-2"}, got)
	assert.Equal(t, int64(1), p.Stats().DuplicateCharges, "ord-1 was charged twice, and is listed once")
}
