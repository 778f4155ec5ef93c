// Package fault holds the faults an instructor or a test switches on at run time: added latency,
// an error rate, or throttling, each for one resource. Services look their resource up on every
// call; the lookup is lock-free so that an emulator with no faults pays almost nothing.
//
// Resource names carry their service: "lambda:<function name>", "dynamodb:<table name>",
// "dynamodb:<table name>/<partition key value>", "apigateway:<api id>", "payment".
//
// A fault's added latency follows the fault while a call waits: Changed is closed on every change,
// so a waiting call re-checks and ends as soon as the latency now switched on has passed (at once
// when the fault was removed).
//
// Limitations: a rule applies to every call of the resource; there is no schedule or ramp.
package fault

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Rule is one resource's fault.
type Rule struct {
	// Latency is added before the resource does its work.
	Latency time.Duration `json:"-"`
	// ErrorRate is the share of calls, 0 to 1, that fail with the service's internal error.
	ErrorRate float64 `json:"error_rate,omitempty"`
	// Throttle makes every call fail with the service's throttling error.
	Throttle bool `json:"throttle,omitempty"`
}

// String says what the rule does, for people: "+2s a call, 50 % of calls fail, throttled".
func (r Rule) String() string {
	var parts []string
	if r.Latency > 0 {
		parts = append(parts, fmt.Sprintf("+%v a call", r.Latency))
	}
	if r.ErrorRate > 0 {
		parts = append(parts, fmt.Sprintf("%g %% of calls fail", r.ErrorRate*100))
	}
	if r.Throttle {
		parts = append(parts, "throttled")
	}
	return strings.Join(parts, ", ")
}

// MaxLatency is the largest latency a fault may add to a call: 15 minutes, the longest a Lambda
// function may run (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html), so
// every caller in a stage has given up by then. A larger value is a typo, not an experiment.
const MaxLatency = 15 * time.Minute

// Validate checks that the rule can be honoured.
func (r Rule) Validate() error {
	if r.Latency < 0 || r.Latency > MaxLatency {
		return fmt.Errorf("latency must be between 0 and %v, got %v", MaxLatency, r.Latency)
	}
	if math.IsNaN(r.ErrorRate) || r.ErrorRate < 0 || r.ErrorRate > 1 {
		return fmt.Errorf("error_rate must be between 0 and 1, got %v", r.ErrorRate)
	}
	if r.Latency == 0 && r.ErrorRate == 0 && !r.Throttle {
		return fmt.Errorf("a fault needs latency, error_rate or throttle")
	}
	return nil
}

// Set is the emulator's switchable faults. The zero value is ready to use.
type Set struct {
	mu      sync.Mutex // guards updates and changed
	rules   atomic.Pointer[map[string]Rule]
	changed chan struct{} // closed and replaced on every change; nil until Changed is called
}

// ErrNoFault is Remove's error for a resource that has no fault on.
var ErrNoFault = errors.New("no fault is on")

// Put switches a fault on for the resource, replacing any earlier one.
func (s *Set) Put(resource string, r Rule) error {
	if resource == "" || !strings.Contains(resource, ":") && resource != "payment" {
		return fmt.Errorf("fault resource must look like service:name (e.g. lambda:my-function), got %q", resource)
	}
	if err := r.Validate(); err != nil {
		return fmt.Errorf("fault on %s: %w", resource, err)
	}
	s.update(func(m map[string]Rule) { m[resource] = r })
	return nil
}

// Remove switches the resource's fault off. A resource without a fault is an error wrapping
// ErrNoFault that names the resources that have one (a typo must not leave the real fault on
// unnoticed).
func (s *Set) Remove(resource string) error {
	s.mu.Lock()
	if cur := s.rules.Load(); cur != nil {
		if _, ok := (*cur)[resource]; ok {
			s.updateLocked(func(m map[string]Rule) { delete(m, resource) })
			s.mu.Unlock()
			return nil
		}
	}
	s.mu.Unlock()
	on := "none"
	if names := s.Names(); len(names) > 0 {
		on = strings.Join(names, ", ")
	}
	return fmt.Errorf("%w on %q; the faults on are: %s", ErrNoFault, resource, on)
}

// Clear switches the resource's fault off; an empty resource clears every fault.
func (s *Set) Clear(resource string) {
	s.update(func(m map[string]Rule) {
		if resource == "" {
			clear(m)
			return
		}
		delete(m, resource)
	})
}

func (s *Set) update(f func(map[string]Rule)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updateLocked(f)
}

// updateLocked runs under s.mu.
func (s *Set) updateLocked(f func(map[string]Rule)) {
	next := map[string]Rule{}
	if cur := s.rules.Load(); cur != nil {
		maps.Copy(next, *cur)
	}
	f(next)
	s.rules.Store(&next)
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// Changed returns a channel that is closed at the next change of the faults (Put, Remove or
// Clear). A call that waits out a fault's latency selects on it and re-checks its fault when it
// is closed: take the channel before looking the fault up, so that no change falls between.
func (s *Set) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// Lookup returns the resource's fault, if one is on.
func (s *Set) Lookup(resource string) (Rule, bool) {
	if s == nil {
		return Rule{}, false
	}
	cur := s.rules.Load()
	if cur == nil || len(*cur) == 0 {
		return Rule{}, false
	}
	r, ok := (*cur)[resource]
	return r, ok
}

// Active reports whether any fault is on, so callers can skip building resource names.
func (s *Set) Active() bool {
	if s == nil {
		return false
	}
	cur := s.rules.Load()
	return cur != nil && len(*cur) > 0
}

// List returns the faults that are on, by resource.
func (s *Set) List() map[string]Rule {
	out := map[string]Rule{}
	if cur := s.rules.Load(); cur != nil {
		maps.Copy(out, *cur)
	}
	return out
}

// Names returns the resources that have a fault, sorted.
func (s *Set) Names() []string {
	m := s.List()
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
