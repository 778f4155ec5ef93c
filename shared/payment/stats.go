package payment

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Stats is a snapshot of what the provider did since it started. Invalid requests never appear
// in it.
type Stats struct {
	Capacity       int     `json:"capacity"`
	QueueLimit     int     `json:"queue_limit"`
	QueueTimeoutMS float64 `json:"queue_timeout_ms"`

	// Charges counts the charges a worker processed: Succeeded + Declined + Failed.
	Charges   int64 `json:"charges"`
	Succeeded int64 `json:"succeeded"`
	Declined  int64 `json:"declined"`
	// Failed counts charges whose service time ended in an error (e.g. an emulator fault).
	Failed int64 `json:"failed"`
	// RejectedBusy counts charges turned away at once because the queue was full.
	RejectedBusy int64 `json:"rejected_busy"`
	// QueueTimeouts counts charges turned away after waiting QueueTimeout for a worker.
	QueueTimeouts int64 `json:"queue_timeouts"`
	// Abandoned counts charges whose caller left while they were queued, or while a worker was
	// stalled before the issuer (an emulator latency fault): dropped, nothing charged.
	Abandoned int64 `json:"abandoned"`
	// Orphaned counts charges a worker processed (succeeded or declined) after their caller had
	// left: the caller never learnt the answer, and a succeeded one took money for an order whose
	// customer may have been told it failed.
	Orphaned int64 `json:"orphaned"`
	// DuplicateCharges counts succeeded charges for an order that had already been charged
	// successfully: money taken twice.
	DuplicateCharges int64 `json:"duplicate_charges"`
	// Replayed counts answers given from an idempotency key seen before, without charging.
	Replayed int64 `json:"replayed"`

	InFlight    int64 `json:"in_flight"`
	MaxInFlight int64 `json:"max_in_flight"`
	Queued      int64 `json:"queued"`
	MaxQueued   int64 `json:"max_queued"`

	// WaitMS is the time charges waited for a worker (0 for those that found one free).
	WaitMS Percentiles `json:"wait_ms"`
	// ServiceMS is the time workers spent on a charge.
	ServiceMS Percentiles `json:"service_ms"`
}

// Percentiles summarise a distribution in milliseconds.
type Percentiles struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

type counters struct {
	charges, succeeded, declined, failed     atomic.Int64
	rejectedBusy, queueTimeouts, abandoned   atomic.Int64
	orphaned, duplicates, replayed           atomic.Int64
	inFlight, maxInFlight, queued, maxQueued atomic.Int64

	histMu        sync.Mutex
	wait, service *hdrhistogram.Histogram
}

func (c *counters) init() {
	// Microseconds from 1 µs to 1 h, 3 significant figures.
	c.wait = hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	c.service = hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
}

// setInFlight and setQueued run under Provider.mu, so the maxima need no compare-and-swap.
func (c *counters) setInFlight(n int) {
	c.inFlight.Store(int64(n))
	if int64(n) > c.maxInFlight.Load() {
		c.maxInFlight.Store(int64(n))
	}
}

func (c *counters) setQueued(n int) {
	c.queued.Store(int64(n))
	if int64(n) > c.maxQueued.Load() {
		c.maxQueued.Store(int64(n))
	}
}

func (c *counters) recordWait(d time.Duration)    { c.record(c.wait, d) }
func (c *counters) recordService(d time.Duration) { c.record(c.service, d) }

func (c *counters) record(h *hdrhistogram.Histogram, d time.Duration) {
	us := min(max(d.Microseconds(), 0), h.HighestTrackableValue())
	c.histMu.Lock()
	_ = h.RecordValue(us) // in range by construction
	c.histMu.Unlock()
}

// Stats returns a snapshot of the provider's counters. Counters are read one by one, so a
// snapshot taken under load may be off by the charges that moved meanwhile.
func (p *Provider) Stats() Stats {
	c := &p.stats
	s := Stats{
		Capacity:         p.cfg.Capacity,
		QueueLimit:       p.queueLimit,
		QueueTimeoutMS:   ms(p.cfg.QueueTimeout),
		Charges:          c.charges.Load(),
		Succeeded:        c.succeeded.Load(),
		Declined:         c.declined.Load(),
		Failed:           c.failed.Load(),
		RejectedBusy:     c.rejectedBusy.Load(),
		QueueTimeouts:    c.queueTimeouts.Load(),
		Abandoned:        c.abandoned.Load(),
		Orphaned:         c.orphaned.Load(),
		DuplicateCharges: c.duplicates.Load(),
		Replayed:         c.replayed.Load(),
		InFlight:         c.inFlight.Load(),
		MaxInFlight:      c.maxInFlight.Load(),
		Queued:           c.queued.Load(),
		MaxQueued:        c.maxQueued.Load(),
	}
	c.histMu.Lock()
	s.WaitMS = percentiles(c.wait)
	s.ServiceMS = percentiles(c.service)
	c.histMu.Unlock()
	return s
}

func percentiles(h *hdrhistogram.Histogram) Percentiles {
	n := h.TotalCount()
	if n == 0 {
		return Percentiles{}
	}
	us := func(v int64) float64 { return float64(v) / 1000 }
	return Percentiles{
		Count: n,
		Mean:  h.Mean() / 1000,
		P50:   us(h.ValueAtQuantile(50)),
		P90:   us(h.ValueAtQuantile(90)),
		P99:   us(h.ValueAtQuantile(99)),
		Max:   us(h.Max()),
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
