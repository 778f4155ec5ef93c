// Package metrics keeps per-resource counters like CloudWatch's (Invocations, Errors, Throttles,
// Duration percentiles, ConcurrentExecutions, cold starts, billed GB-seconds, and named counters).
// A resource is keyed by its service ("kind") and name, the two halves of its sim.ID. Counters
// are atomics so that recording costs a few nanoseconds on the emulator's hot path; durations go
// into an HDR histogram behind a small lock. Per-request traces are package trace's.
//
// Limitations: metrics cover the emulator's whole life (or since the last Reset); there are no
// one-minute periods as in CloudWatch. Percentiles have three significant digits.
package metrics

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Registry holds every resource's metrics. The zero value is ready to use.
type Registry struct {
	mu        sync.RWMutex
	resources map[resourceKey]*Resource
}

// resourceKey keys a resource without building a string for each lookup: the emulator looks one
// up on every call it serves.
type resourceKey struct{ kind, name string }

// Resource returns the metrics of one resource, creating them on first use.
func (r *Registry) Resource(kind, name string) *Resource {
	key := resourceKey{kind, name}
	r.mu.RLock()
	res, ok := r.resources[key]
	r.mu.RUnlock()
	if ok {
		return res
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if res, ok := r.resources[key]; ok {
		return res
	}
	if r.resources == nil {
		r.resources = map[resourceKey]*Resource{}
	}
	res = newResource(kind, name)
	r.resources[key] = res
	return res
}

// all is every resource, in no order.
func (r *Registry) all() []*Resource {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Resource, 0, len(r.resources))
	for _, res := range r.resources {
		out = append(out, res)
	}
	return out
}

// Snapshot returns every resource's metrics, sorted by kind then name.
func (r *Registry) Snapshot() []Snapshot { return r.snapshot(true) }

// Counts is Snapshot without the duration percentiles (DurationMS and DurationCount are
// zero), which take a walk over each resource's histogram: for what reads the counts often
// (a load run's gauges read them ten times a second; with every percentile that was a tenth of
// the CPU of 05-global's holiday spike).
func (r *Registry) Counts() []Snapshot { return r.snapshot(false) }

func (r *Registry) snapshot(durations bool) []Snapshot {
	var out []Snapshot
	for _, res := range r.all() {
		out = append(out, res.snapshot(durations))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Reset zeroes every resource's metrics (a load run calls it before it starts).
func (r *Registry) Reset() {
	for _, res := range r.all() {
		res.reset()
	}
}

// Resource is one resource's metrics. Its methods are safe for concurrent use.
type Resource struct {
	Kind, Name string

	invocations, errors, throttles, timeouts, coldStarts atomic.Int64
	concurrent, maxConcurrent                            atomic.Int64
	billedMBms                                           atomic.Int64
	counters                                             sync.Map // name -> *atomic.Int64

	mu   sync.Mutex
	hist *hdrhistogram.Histogram // microseconds
}

func newResource(kind, name string) *Resource {
	return &Resource{Kind: kind, Name: name, hist: hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)}
}

// Invoked counts one invocation (request) of the resource.
func (r *Resource) Invoked() { r.invocations.Add(1) }

// Errored counts one failed invocation.
func (r *Resource) Errored() { r.errors.Add(1) }

// Throttled counts one throttled request.
func (r *Resource) Throttled() { r.throttles.Add(1) }

// TimedOut counts one invocation ended by its timeout.
func (r *Resource) TimedOut() { r.timeouts.Add(1) }

// ColdStarted counts one new execution environment.
func (r *Resource) ColdStarted() { r.coldStarts.Add(1) }

// Enter marks one more concurrent execution and returns the new count.
func (r *Resource) Enter() int64 {
	n := r.concurrent.Add(1)
	for {
		m := r.maxConcurrent.Load()
		if n <= m || r.maxConcurrent.CompareAndSwap(m, n) {
			return n
		}
	}
}

// Exit marks the end of one concurrent execution.
func (r *Resource) Exit() { r.concurrent.Add(-1) }

// Observe records one duration.
func (r *Resource) Observe(d time.Duration) {
	us := d.Microseconds()
	if us < 1 {
		us = 1
	}
	r.mu.Lock()
	_ = r.hist.RecordValue(us) // values above an hour are clamped by the caller's timeouts
	r.mu.Unlock()
}

// Billed adds billed compute: memory in MB times billed duration.
func (r *Resource) Billed(memoryMB int, billed time.Duration) {
	r.billedMBms.Add(int64(memoryMB) * billed.Milliseconds())
}

// Add adds n to a named counter (e.g. "retries", "wcu", "requests").
func (r *Resource) Add(counter string, n int64) {
	v, ok := r.counters.Load(counter)
	if !ok {
		v, _ = r.counters.LoadOrStore(counter, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(n)
}

func (r *Resource) reset() {
	for _, c := range []*atomic.Int64{&r.invocations, &r.errors, &r.throttles, &r.timeouts, &r.coldStarts, &r.billedMBms} {
		c.Store(0)
	}
	r.maxConcurrent.Store(r.concurrent.Load())
	r.counters.Range(func(_, v any) bool {
		v.(*atomic.Int64).Store(0)
		return true
	})
	r.mu.Lock()
	r.hist.Reset()
	r.mu.Unlock()
}

// Snapshot is a copy of one resource's metrics, shaped for JSON.
type Snapshot struct {
	Kind          string           `json:"kind"`
	Name          string           `json:"name"`
	Invocations   int64            `json:"invocations"`
	Errors        int64            `json:"errors"`
	Throttles     int64            `json:"throttles"`
	Timeouts      int64            `json:"timeouts"`
	ColdStarts    int64            `json:"cold_starts"`
	Concurrent    int64            `json:"concurrent_executions"`
	MaxConcurrent int64            `json:"max_concurrent_executions"`
	GBSeconds     float64          `json:"gb_seconds"`
	DurationMS    Percentiles      `json:"duration_ms"`
	Counters      map[string]int64 `json:"counters,omitempty"`
	DurationCount int64            `json:"duration_count"`
}

// Percentiles are in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Snapshot copies the resource's metrics.
func (r *Resource) Snapshot() Snapshot { return r.snapshot(true) }

func (r *Resource) snapshot(durations bool) Snapshot {
	s := Snapshot{
		Kind:          r.Kind,
		Name:          r.Name,
		Invocations:   r.invocations.Load(),
		Errors:        r.errors.Load(),
		Throttles:     r.throttles.Load(),
		Timeouts:      r.timeouts.Load(),
		ColdStarts:    r.coldStarts.Load(),
		Concurrent:    r.concurrent.Load(),
		MaxConcurrent: r.maxConcurrent.Load(),
		GBSeconds:     float64(r.billedMBms.Load()) / 1024 / 1000,
	}
	if durations {
		r.mu.Lock()
		ms := func(q float64) float64 { return float64(r.hist.ValueAtQuantile(q)) / 1000 }
		s.DurationMS = Percentiles{P50: ms(50), P90: ms(90), P99: ms(99), Max: float64(r.hist.Max()) / 1000}
		s.DurationCount = r.hist.TotalCount()
		r.mu.Unlock()
	}
	r.counters.Range(func(k, v any) bool {
		if s.Counters == nil {
			s.Counters = map[string]int64{}
		}
		s.Counters[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return s
}
