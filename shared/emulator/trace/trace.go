// Package trace records, for one request, every hop it makes through the emulator (API Gateway,
// each Lambda invocation, each DynamoDB call, the payment provider): which resource, when it
// started relative to the request, how long it took and how it ended. The load tool and the
// dashboard draw a waterfall from it.
//
// A trace travels in the context: the emulator starts one per incoming API request, and every
// service hop begins a span under the context it was called with, so spans nest the way the calls
// did. Code that runs without a trace in its context records nothing and pays one context lookup.
//
// Limitations: a trace keeps at most MaxSpans spans; hops beyond that are counted, not kept.
package trace

import (
	"context"
	"sort"
	"sync"
	"time"
)

// MaxSpans bounds one trace's size (a retry storm can make thousands of hops).
const MaxSpans = 2000

// Span is one hop.
type Span struct {
	Resource string        `json:"resource"`
	Op       string        `json:"op"`
	Start    time.Duration `json:"start_ns"` // since the trace started
	Duration time.Duration `json:"duration_ns"`
	Outcome  string        `json:"outcome"`
	Depth    int           `json:"depth"`
	Parent   int           `json:"parent"` // index of the parent span, -1 for a top-level hop
}

// Trace is one request's hops.
type Trace struct {
	ID      string        `json:"id"`
	Name    string        `json:"name"`
	Started time.Time     `json:"started"`
	Total   time.Duration `json:"total_ns"`
	Outcome string        `json:"outcome"`
	Dropped int           `json:"dropped_spans"`

	mu    sync.Mutex
	spans []Span
}

// Spans returns a copy of the trace's spans in start order.
func (t *Trace) Spans() []Span {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]Span(nil), t.spans...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

type ctxKey struct{}

type position struct {
	t      *Trace
	parent int
	depth  int
}

// New starts a trace and returns a context that carries it.
func New(ctx context.Context, id, name string) (context.Context, *Trace) {
	t := &Trace{ID: id, Name: name, Started: time.Now()}
	return context.WithValue(ctx, ctxKey{}, position{t: t, parent: -1}), t
}

// FromContext returns the context's trace, or nil.
func FromContext(ctx context.Context) *Trace {
	p, _ := ctx.Value(ctxKey{}).(position)
	return p.t
}

// End finishes a span with its outcome ("ok", "error", "throttled", "timeout", …).
type End func(outcome string)

func noEnd(string) {}

// Begin starts a span for a hop and returns the context to make nested calls under, and the
// function that ends the span.
func Begin(ctx context.Context, resource, op string) (context.Context, End) {
	p, ok := ctx.Value(ctxKey{}).(position)
	if !ok {
		return ctx, noEnd
	}
	t := p.t
	start := time.Now()
	t.mu.Lock()
	if len(t.spans) >= MaxSpans {
		t.Dropped++
		t.mu.Unlock()
		return ctx, noEnd
	}
	idx := len(t.spans)
	t.spans = append(t.spans, Span{Resource: resource, Op: op, Start: start.Sub(t.Started), Depth: p.depth, Parent: p.parent, Outcome: "running"})
	t.mu.Unlock()
	child := context.WithValue(ctx, ctxKey{}, position{t: t, parent: idx, depth: p.depth + 1})
	return child, func(outcome string) {
		d := time.Since(start)
		t.mu.Lock()
		t.spans[idx].Duration = d
		t.spans[idx].Outcome = outcome
		t.mu.Unlock()
	}
}

// Recorder keeps the most recent traces and the slowest ones. The zero value keeps none; use
// NewRecorder.
type Recorder struct {
	mu      sync.Mutex
	keep    int
	recent  []*Trace
	next    int
	slowest []*Trace
}

// NewRecorder keeps the last keep traces and the keep slowest.
func NewRecorder(keep int) *Recorder {
	return &Recorder{keep: keep}
}

// Finish records a finished trace with its total time and outcome.
func (r *Recorder) Finish(t *Trace, outcome string) {
	if r == nil || r.keep == 0 || t == nil {
		return
	}
	t.mu.Lock()
	t.Total = time.Since(t.Started)
	t.Outcome = outcome
	t.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.recent) < r.keep {
		r.recent = append(r.recent, t)
	} else {
		r.recent[r.next] = t
	}
	r.next = (r.next + 1) % r.keep
	if len(r.slowest) < r.keep || t.Total > r.slowest[len(r.slowest)-1].Total {
		r.slowest = append(r.slowest, t)
		sort.SliceStable(r.slowest, func(i, j int) bool { return r.slowest[i].Total > r.slowest[j].Total })
		if len(r.slowest) > r.keep {
			r.slowest = r.slowest[:r.keep]
		}
	}
}

// Slowest returns up to n of the slowest traces, slowest first.
func (r *Recorder) Slowest(n int) []*Trace {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Trace(nil), r.slowest[:min(n, len(r.slowest))]...)
}

// Recent returns up to n of the most recent traces, newest first.
func (r *Recorder) Recent(n int) []*Trace {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Trace, 0, min(n, len(r.recent)))
	for i := 1; i <= len(r.recent) && len(out) < n; i++ {
		out = append(out, r.recent[(r.next-i+len(r.recent))%len(r.recent)])
	}
	return out
}

// Find returns the trace with the id among those kept.
func (r *Recorder) Find(id string) *Trace {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, list := range [][]*Trace{r.recent, r.slowest} {
		for _, t := range list {
			if t.ID == id {
				return t
			}
		}
	}
	return nil
}

// Reset forgets every kept trace.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recent, r.slowest, r.next = nil, nil, 0
}
