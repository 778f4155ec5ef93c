// Package kitchen is the bakery's kitchen as an external actor: each store's bakers take tickets
// (an order's lines), prepare them one ticket per baker at a time, and mark each order ready by
// calling the stage back. It stands beside package payment: not an AWS service but something the
// stage talks to, with fixed capacity, so a rush makes tickets wait.
//
// Offline, the emulator serves it at http://kitchen.internal and times each preparation with its
// latency model ("kitchen.prepare"); a stage's Pipe or API destination sends tickets there and
// the kitchen calls the stage's API to mark orders ready.
//
// Limitations: one queue per store with no priorities (pickup times do not reorder tickets);
// a ticket for an unknown store is refused; the kitchen keeps no history beyond its counters.
package kitchen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/workers"
)

// Wire names.
const (
	// InternalHost is the host name the emulator routes to the kitchen in-process.
	InternalHost = "kitchen.internal"
	TicketsPath  = "/tickets"
	StatsPath    = "/stats"
)

// DefaultBakers is how many tickets a store prepares at once.
const DefaultBakers = 3

// Line is one item of a ticket.
type Line struct {
	ItemID   string `json:"item_id"`
	Quantity int    `json:"quantity"`
}

// Ticket is one order for the kitchen. TaskToken, when set, is handed back with the ready call
// (a Step Functions task token waiting for the kitchen).
type Ticket struct {
	OrderID   string `json:"order_id"`
	StoreID   string `json:"store_id"`
	Lines     []Line `json:"lines"`
	PickupAt  string `json:"pickup_at,omitempty"`
	TaskToken string `json:"task_token,omitempty"`
}

// Validate says what is wrong with a ticket, naming the field.
func (t Ticket) Validate() error {
	var errs []error
	if t.OrderID == "" {
		errs = append(errs, errors.New("order_id is required"))
	}
	if t.StoreID == "" {
		errs = append(errs, errors.New("store_id is required"))
	}
	if len(t.Lines) == 0 {
		errs = append(errs, errors.New("lines must list at least one item"))
	}
	for i, l := range t.Lines {
		if l.ItemID == "" || l.Quantity < 1 {
			errs = append(errs, fmt.Errorf("lines[%d] needs an item_id and a quantity of at least 1, got %q × %d", i, l.ItemID, l.Quantity))
		}
	}
	return errors.Join(errs...)
}

// Prepare is the time a baker spends on one ticket; the emulator implements it with its latency
// model. A non-nil error abandons the ticket (the order is never marked ready by the kitchen).
type Prepare func(ctx context.Context, t Ticket) error

// maxReadyDelay caps the wait between two resends of a ticket's "ready".
const maxReadyDelay = 8 * time.Second

// Ready tells the stage a ticket is done (the emulator POSTs to the stage's API).
type Ready func(ctx context.Context, t Ticket) error

// Config sizes a Kitchen.
type Config struct {
	// Bakers per store; 0 means DefaultBakers. Stores maps a store to its own count (a
	// flagship has more).
	Bakers int
	Stores map[string]int
	// KnownStore, if set, refuses tickets for other stores.
	KnownStore func(id string) bool
	Prepare    Prepare
	Ready      Ready
	// ReadyRetries is how many times a failed ready call is retried, 1 s apart, doubling up to
	// maxReadyDelay; 0 means 40 (about five minutes). A kitchen tablet keeps the baker's "ready"
	// tap and resends it, as an app built for flaky shop Wi-Fi does, so an API outage of a
	// minute (a region down) delays an order's "ready" instead of losing it.
	ReadyRetries int
}

// Stats are the kitchen's counters.
type Stats struct {
	Received    int64 `json:"received"`
	Prepared    int64 `json:"prepared"`
	Waiting     int64 `json:"waiting"`
	Preparing   int64 `json:"preparing"`
	MaxWaiting  int64 `json:"max_waiting"`
	ReadyFailed int64 `json:"ready_failed"`
	Abandoned   int64 `json:"abandoned"`
}

// Kitchen prepares tickets.
type Kitchen struct {
	cfg Config

	mu     sync.Mutex
	stores map[string]chan struct{}
	wg     sync.WaitGroup
	ctx    context.Context
	stop   context.CancelFunc

	received, prepared, waiting, preparing, maxWaiting, readyFailed, abandoned atomic.Int64
}

// New returns a kitchen; the caller must Close it.
func New(cfg Config) (*Kitchen, error) {
	if cfg.Prepare == nil || cfg.Ready == nil {
		return nil, errors.New("kitchen config needs Prepare and Ready")
	}
	if cfg.Bakers == 0 {
		cfg.Bakers = DefaultBakers
	}
	if cfg.Bakers < 0 {
		return nil, fmt.Errorf("kitchen bakers must be at least 1, got %d", cfg.Bakers)
	}
	if cfg.ReadyRetries == 0 {
		cfg.ReadyRetries = 40
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Kitchen{cfg: cfg, stores: map[string]chan struct{}{}, ctx: ctx, stop: stop}, nil
}

// Accept takes a ticket and returns at once; a baker of the store prepares it when free.
func (k *Kitchen) Accept(t Ticket) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if k.cfg.KnownStore != nil && !k.cfg.KnownStore(t.StoreID) {
		return fmt.Errorf("store_id %q is not a store of this kitchen", t.StoreID)
	}
	sem := k.bakers(t.StoreID)
	k.received.Add(1)
	w := k.waiting.Add(1)
	for {
		m := k.maxWaiting.Load()
		if w <= m || k.maxWaiting.CompareAndSwap(m, w) {
			break
		}
	}
	k.wg.Add(1)
	workers.Go(func() {
		defer k.wg.Done()
		k.work(sem, t)
	})
	return nil
}

func (k *Kitchen) bakers(store string) chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	sem, ok := k.stores[store]
	if !ok {
		n := k.cfg.Bakers
		if c, ok := k.cfg.Stores[store]; ok && c > 0 {
			n = c
		}
		sem = make(chan struct{}, n)
		k.stores[store] = sem
	}
	return sem
}

func (k *Kitchen) work(sem chan struct{}, t Ticket) {
	select {
	case sem <- struct{}{}:
	case <-k.ctx.Done():
		k.waiting.Add(-1)
		k.abandoned.Add(1)
		return
	}
	k.waiting.Add(-1)
	k.preparing.Add(1)
	err := k.cfg.Prepare(k.ctx, t)
	k.preparing.Add(-1)
	<-sem
	if err != nil {
		k.abandoned.Add(1)
		return
	}
	k.prepared.Add(1)
	delay := time.Second
	for attempt := 0; ; attempt++ {
		if err := k.cfg.Ready(k.ctx, t); err == nil {
			return
		}
		if attempt >= k.cfg.ReadyRetries || k.ctx.Err() != nil {
			k.readyFailed.Add(1)
			return
		}
		select {
		case <-time.After(delay):
		case <-k.ctx.Done():
		}
		delay = min(2*delay, maxReadyDelay)
	}
}

// Stats reads the counters.
func (k *Kitchen) Stats() Stats {
	return Stats{Received: k.received.Load(), Prepared: k.prepared.Load(), Waiting: k.waiting.Load(),
		Preparing: k.preparing.Load(), MaxWaiting: k.maxWaiting.Load(), ReadyFailed: k.readyFailed.Load(), Abandoned: k.abandoned.Load()}
}

// Close stops taking new work, abandons waiting tickets and waits for the bakers.
func (k *Kitchen) Close() {
	k.stop()
	k.wg.Wait()
}
