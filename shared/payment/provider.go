package payment

import (
	"container/list"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Config.
const (
	DefaultCapacity     = 20
	DefaultQueueLimit   = 200
	DefaultQueueTimeout = 10 * time.Second
	DefaultDeclineRate  = 0.02
	// DefaultRetryAfter is what a 503 tells the caller to wait before trying again.
	DefaultRetryAfter = time.Second
)

// NoQueue as Config.QueueLimit turns every charge away that finds all workers busy.
const NoQueue = -1

// Test customers, like a card provider's test card numbers. The provider never declines
// ApprovedTestEmail (it is the example address of package bakery) and always declines
// DeclinedTestEmail.
const (
	ApprovedTestEmail = "ada@example.com"
	DeclinedTestEmail = "declined@example.com"
)

// Charge statuses.
const (
	StatusSucceeded = "succeeded"
	StatusDeclined  = "declined"
)

// ErrDeclined is the issuer refusing the card. A declined charge is final: retrying it, with or
// without an idempotency key, gives the same answer.
var ErrDeclined = errors.New("card declined")

// ServiceTime is how long a provider worker spends on one charge once it takes it: the issuer's
// round trip, as seen from the provider. The emulator implements it with its latency model
// component "payment.charge"; AWS runs use Lognormal; tests use fakes.
//
// Spend receives the caller's context. A provider that has started a charge finishes it: the
// issuer's round trip should be waited out on context.WithoutCancel(ctx) (shared/payment/lambda
// does so with Lognormal), and a caller who leaves then orphans the charge. A stall before the
// charge reaches the issuer may end with ctx's error when the caller leaves (the emulator's
// "payment" fault latency does): the worker is freed at once, no money is taken and the charge
// counts as abandoned. Any other non-nil error fails the charge without taking money; a
// *BusyError is passed on as such (503), anything else is a processing error (500).
type ServiceTime interface {
	Spend(ctx context.Context) error
}

// ServiceTimeFunc adapts a function to ServiceTime.
type ServiceTimeFunc func(ctx context.Context) error

// Spend calls f.
func (f ServiceTimeFunc) Spend(ctx context.Context) error { return f(ctx) }

// Config sizes a Provider. The zero value of each field means its default.
type Config struct {
	// Capacity is how many charges the provider works on at once (its workers). Default 20.
	Capacity int
	// QueueLimit is how many charges may wait for a worker beyond Capacity; one more is turned
	// away at once with a *BusyError. Default 200; NoQueue for none.
	QueueLimit int
	// QueueTimeout is how long a charge may wait for a worker before it is turned away with a
	// *BusyError. Default 10 s.
	QueueTimeout time.Duration
	// DeclineRate is the share of customers, 0 to 1, whose card is declined, decided by their
	// email address (so the same customer is always declined). Zero means DefaultDeclineRate;
	// a negative value declines nobody but DeclinedTestEmail.
	DeclineRate float64
	// AlwaysApprove lists more customer emails that are never declined, besides ApprovedTestEmail.
	AlwaysApprove []string
	// RetryAfter is the wait a *BusyError advises. Default 1 s.
	RetryAfter time.Duration
	// ServiceTime is required.
	ServiceTime ServiceTime
}

// ChargeRequest asks for one card charge. Amount is in the currency's minor unit (pence, cents).
type ChargeRequest struct {
	OrderID       string `json:"order_id"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	CustomerEmail string `json:"customer_email"`
}

// Charge is the outcome of a charge that a worker processed.
type Charge struct {
	ID       string `json:"charge_id"`
	Status   string `json:"status"` // StatusSucceeded or StatusDeclined
	OrderID  string `json:"order_id"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// Replayed is true when the charge is the stored answer to an idempotency key seen before
	// (the Idempotent-Replayed header on the wire).
	Replayed bool `json:"-"`
}

// BusyError is the provider turning a charge away because it has no worker free: its queue is
// full, or the charge waited QueueTimeout. On AWS, Lambda's throttle in front of the provider
// (429) is a BusyError too. No money was taken; the charge may be retried.
type BusyError struct {
	// StatusCode is the HTTP status the Client received: 503 from the provider, 429 from Lambda.
	// It is zero when the error comes from Provider.Charge directly.
	StatusCode int
	Message    string
	RetryAfter time.Duration
}

func (e *BusyError) Error() string { return "payment provider busy: " + e.Message }

// InvalidError is a request the provider refuses to process. Param names the offending field
// ("amount") or header ("Idempotency-Key"); it is empty when the body is not JSON at all.
type InvalidError struct {
	Param   string
	Code    string // "parameter_missing", "parameter_invalid", "parameter_unknown", "invalid_json"
	Message string
}

func (e *InvalidError) Error() string { return "payment request invalid: " + e.Message }

// Provider is the payment provider's behaviour without HTTP: a fixed number of workers, a FIFO
// queue in front of them, idempotency keys and deterministic declines. It is safe for concurrent
// use. Create it with New.
type Provider struct {
	cfg        Config
	queueLimit int
	perMille   uint64
	approve    map[string]bool
	idPrefix   string
	seq        atomic.Uint64

	mu       sync.Mutex // guards inFlight and queue
	inFlight int
	queue    list.List // of *waiter, oldest first

	keysMu sync.Mutex // guards keys and paid
	keys   map[string]*keyed
	paid   map[string]struct{} // order ids with a succeeded charge

	stats counters
}

// waiter is a charge waiting for a worker.
type waiter struct {
	ready   chan struct{} // closed when granted
	granted bool          // guarded by Provider.mu
}

// keyed is the state of one idempotency key.
type keyed struct {
	req  ChargeRequest
	done chan struct{} // closed when the first attempt ends
	// Set before done is closed; read after.
	final  bool // the attempt reached an answer that the key keeps
	charge Charge
	err    error
}

// New builds a provider. It fails on a configuration it cannot honour.
func New(cfg Config) (*Provider, error) {
	if cfg.ServiceTime == nil {
		return nil, errors.New("payment: Config.ServiceTime is required (the emulator's latency model, Lognormal on AWS, or a fake in tests)")
	}
	if cfg.Capacity == 0 {
		cfg.Capacity = DefaultCapacity
	}
	if cfg.Capacity < 0 {
		return nil, fmt.Errorf("payment: Config.Capacity must be 1 or more, got %d", cfg.Capacity)
	}
	switch {
	case cfg.QueueLimit == 0:
		cfg.QueueLimit = DefaultQueueLimit
	case cfg.QueueLimit < 0 && cfg.QueueLimit != NoQueue:
		return nil, fmt.Errorf("payment: Config.QueueLimit must be 0 or more, or NoQueue, got %d", cfg.QueueLimit)
	}
	if cfg.QueueTimeout == 0 {
		cfg.QueueTimeout = DefaultQueueTimeout
	}
	if cfg.QueueTimeout < 0 {
		return nil, fmt.Errorf("payment: Config.QueueTimeout must be above 0, got %v", cfg.QueueTimeout)
	}
	if cfg.DeclineRate == 0 {
		cfg.DeclineRate = DefaultDeclineRate
	}
	if cfg.DeclineRate > 1 {
		return nil, fmt.Errorf("payment: Config.DeclineRate must be between 0 and 1, got %v", cfg.DeclineRate)
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	p := &Provider{
		cfg:        cfg,
		queueLimit: max(cfg.QueueLimit, 0),
		approve:    map[string]bool{normalEmail(ApprovedTestEmail): true},
		idPrefix:   strings.ToLower(rand.Text()[:8]),
		keys:       map[string]*keyed{},
		paid:       map[string]struct{}{},
	}
	if cfg.DeclineRate > 0 {
		p.perMille = uint64(math.Round(cfg.DeclineRate * 1000))
	}
	for _, e := range cfg.AlwaysApprove {
		p.approve[normalEmail(e)] = true
	}
	p.stats.init()
	return p, nil
}

// Declines reports whether the provider declines this customer's card. The answer depends only
// on the email address and the configuration.
func (p *Provider) Declines(email string) bool {
	e := normalEmail(email)
	switch {
	case e == DeclinedTestEmail:
		return true
	case p.approve[e]:
		return false
	}
	h := fnv.New64a()
	h.Write([]byte(e))
	return h.Sum64()%1000 < p.perMille
}

func normalEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// Charge validates the request, waits for a worker (first come, first served) and charges the
// card. With an idempotencyKey seen before it returns the first attempt's answer without charging
// again; a key whose first attempt is still running waits for it. Without a key every call
// charges.
//
// Errors: *InvalidError (nothing happened), *BusyError (no money taken), one wrapping ErrDeclined
// (the Charge is returned too), ctx's error if the caller gave up (while queued, or while
// ServiceTime stalls before the issuer, the charge is dropped; once the issuer has it, it
// completes without the caller and counts as orphaned).
func (p *Provider) Charge(ctx context.Context, req ChargeRequest, idempotencyKey string) (Charge, error) {
	if err := req.Validate(); err != nil {
		return Charge{}, err
	}
	if err := validateKey(idempotencyKey); err != nil {
		return Charge{}, err
	}
	if err := ctx.Err(); err != nil {
		return Charge{}, fmt.Errorf("charge order %s: %w", req.OrderID, err)
	}
	var k *keyed
	if idempotencyKey != "" {
		var err error
		var c Charge
		var replayed bool
		if k, c, replayed, err = p.claim(ctx, req, idempotencyKey); replayed || err != nil {
			return c, err
		}
	}
	wait, err := p.acquire(ctx)
	if err != nil {
		p.settle(k, idempotencyKey, Charge{}, nil, false)
		return Charge{}, fmt.Errorf("charge order %s: %w", req.OrderID, err)
	}
	p.stats.recordWait(wait)
	// The worker runs apart from the caller so that a caller who leaves does not wait for it;
	// whichever of the two finishes first claims the outcome (handoff): a charge the worker
	// completes after its caller left is orphaned.
	var h handoff
	out := make(chan result, 1)
	go func() { out <- p.work(ctx, req, k, idempotencyKey, &h) }()
	select {
	case r := <-out:
		return r.charge, r.err
	case <-ctx.Done():
		if !h.state.CompareAndSwap(handoffPending, handoffLeft) {
			r := <-out // the worker finished first: its answer is the caller's
			return r.charge, r.err
		}
		return Charge{}, fmt.Errorf("charge order %s: caller left while a worker had the charge: %w", req.OrderID, ctx.Err())
	}
}

// handoff records whether a charge's worker answered its caller or the caller had left.
type handoff struct{ state atomic.Int32 }

const (
	handoffPending int32 = iota
	handoffAnswered
	handoffLeft
)

type result struct {
	charge Charge
	err    error
}

// claim finds or creates the state of an idempotency key. It returns the stored answer
// (replayed) if the key has one, or the key's state for this call to fill in.
func (p *Provider) claim(ctx context.Context, req ChargeRequest, key string) (k *keyed, c Charge, replayed bool, err error) {
	for {
		p.keysMu.Lock()
		k = p.keys[key]
		if k == nil {
			k = &keyed{req: req, done: make(chan struct{})}
			p.keys[key] = k
			p.keysMu.Unlock()
			return k, Charge{}, false, nil
		}
		p.keysMu.Unlock()
		if k.req != req {
			return nil, Charge{}, false, &InvalidError{Param: "Idempotency-Key", Code: "idempotency_key_reused",
				Message: fmt.Sprintf("Idempotency-Key %q was first used for a different request (order %s, %d %s); use a new key for a new request",
					key, k.req.OrderID, k.req.Amount, k.req.Currency)}
		}
		select {
		case <-k.done:
		case <-ctx.Done():
			return nil, Charge{}, false, fmt.Errorf("charge order %s: waiting for the first attempt with the same Idempotency-Key: %w", req.OrderID, ctx.Err())
		}
		if k.final {
			p.stats.replayed.Add(1)
			c = k.charge
			c.Replayed = true
			return nil, c, true, k.err
		}
		// The first attempt took no money (busy, abandoned, failed): try again as the owner.
	}
}

// settle ends the first attempt of an idempotency key: the key keeps a final answer, or is
// forgotten so that a retry can charge.
func (p *Provider) settle(k *keyed, key string, c Charge, err error, final bool) {
	if k == nil {
		return
	}
	p.keysMu.Lock()
	if final {
		k.final, k.charge, k.err = true, c, err
	} else {
		delete(p.keys, key)
	}
	p.keysMu.Unlock()
	close(k.done)
}

// work spends the service time of one charge on a worker the caller acquired, releases the
// worker and decides the outcome.
func (p *Provider) work(ctx context.Context, req ChargeRequest, k *keyed, key string, h *handoff) result {
	start := time.Now()
	err := p.cfg.ServiceTime.Spend(ctx)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// The caller left before the charge reached the issuer: dropped, no money taken.
		p.release()
		p.stats.abandoned.Add(1)
		p.settle(k, key, Charge{}, nil, false)
		return result{err: fmt.Errorf("charge order %s: caller left before the charge was processed: %w", req.OrderID, err)}
	}
	r := p.process(req, k, key, start, err)
	if !h.state.CompareAndSwap(handoffPending, handoffAnswered) && r.charge.ID != "" {
		p.stats.orphaned.Add(1) // processed, and nobody is waiting for the answer
	}
	return r
}

// process ends a charge whose service time is spent: it frees the worker and decides the outcome.
func (p *Provider) process(req ChargeRequest, k *keyed, key string, start time.Time, err error) result {
	p.stats.recordService(time.Since(start))
	p.release()
	p.stats.charges.Add(1)
	if err != nil {
		p.stats.failed.Add(1)
		p.settle(k, key, Charge{}, nil, false)
		var busy *BusyError
		if errors.As(err, &busy) {
			return result{err: fmt.Errorf("charge order %s: %w", req.OrderID, err)}
		}
		return result{err: fmt.Errorf("charge order %s: processing failed: %w", req.OrderID, err)}
	}
	c := Charge{
		ID:       "ch_" + p.idPrefix + strconv.FormatUint(p.seq.Add(1), 36),
		Status:   StatusSucceeded,
		OrderID:  req.OrderID,
		Amount:   req.Amount,
		Currency: req.Currency,
	}
	var r result
	if p.Declines(req.CustomerEmail) {
		p.stats.declined.Add(1)
		c.Status = StatusDeclined
		r = result{charge: c, err: fmt.Errorf("charge order %s: %w", req.OrderID, ErrDeclined)}
	} else {
		p.stats.succeeded.Add(1)
		p.keysMu.Lock()
		_, again := p.paid[req.OrderID]
		p.paid[req.OrderID] = struct{}{}
		p.keysMu.Unlock()
		if again {
			p.stats.duplicates.Add(1)
		}
		r = result{charge: c}
	}
	p.settle(k, key, r.charge, r.err, true)
	return r
}

// acquire waits for a worker and returns how long it waited.
func (p *Provider) acquire(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	p.mu.Lock()
	if p.inFlight < p.cfg.Capacity {
		// Workers are handed straight to waiters, so a free one means an empty queue.
		p.inFlight++
		p.stats.setInFlight(p.inFlight)
		p.mu.Unlock()
		return 0, nil
	}
	if p.queue.Len() >= p.queueLimit {
		p.mu.Unlock()
		p.stats.rejectedBusy.Add(1)
		return 0, &BusyError{RetryAfter: p.cfg.RetryAfter,
			Message: fmt.Sprintf("all %d workers are busy and %d charges are waiting; retry later", p.cfg.Capacity, p.queueLimit)}
	}
	w := &waiter{ready: make(chan struct{})}
	el := p.queue.PushBack(w)
	p.stats.setQueued(p.queue.Len())
	p.mu.Unlock()

	timer := time.NewTimer(p.cfg.QueueTimeout)
	defer timer.Stop()
	select {
	case <-w.ready:
		return time.Since(start), nil
	case <-timer.C:
		if p.leave(w, el) {
			return time.Since(start), nil
		}
		p.stats.queueTimeouts.Add(1)
		return 0, &BusyError{RetryAfter: p.cfg.RetryAfter,
			Message: fmt.Sprintf("no worker was free within %v; retry later", p.cfg.QueueTimeout)}
	case <-ctx.Done():
		if p.leave(w, el) {
			// Granted as the caller left: no work started, pass the worker on.
			p.release()
		}
		p.stats.abandoned.Add(1)
		return 0, fmt.Errorf("caller left while the charge was queued: %w", ctx.Err())
	}
}

// leave takes a waiter out of the queue, unless a worker was granted to it meanwhile, which it
// reports.
func (p *Provider) leave(w *waiter, el *list.Element) (granted bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.granted {
		return true
	}
	p.queue.Remove(el)
	p.stats.setQueued(p.queue.Len())
	return false
}

// release hands the caller's worker to the oldest waiter, or frees it.
func (p *Provider) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if front := p.queue.Front(); front != nil {
		w := p.queue.Remove(front).(*waiter)
		p.stats.setQueued(p.queue.Len())
		w.granted = true
		close(w.ready)
		return
	}
	p.inFlight--
	p.stats.setInFlight(p.inFlight)
}

// Config returns the provider's configuration with defaults applied.
func (p *Provider) Config() Config { return p.cfg }

// PaidOrders returns the order ids the provider has taken money for (at least one succeeded
// charge each), in no particular order: what a load run reconciles with the orders its
// customers were told about.
func (p *Provider) PaidOrders() []string {
	p.keysMu.Lock()
	defer p.keysMu.Unlock()
	out := make([]string, 0, len(p.paid))
	for id := range p.paid {
		out = append(out, id)
	}
	return out
}
