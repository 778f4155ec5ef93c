// Package fault holds the faults an instructor or a test switches on at run time: added latency,
// an error rate, or throttling, each for one resource. Services look their resource up on every
// call; the lookup is lock-free so that an emulator with no faults pays almost nothing.
//
// Resource names carry their service: "lambda:<function name>", "dynamodb:<table name>",
// "dynamodb:<table name>/<partition key value>", "apigateway:<api id>", "payment".
//
// Limitations: a rule applies to every call of the resource; there is no schedule or ramp.
package fault

import (
	"fmt"
	"maps"
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

// Validate checks that the rule can be honoured.
func (r Rule) Validate() error {
	if r.Latency < 0 {
		return fmt.Errorf("latency must be 0 or more, got %v", r.Latency)
	}
	if r.ErrorRate < 0 || r.ErrorRate > 1 {
		return fmt.Errorf("error_rate must be between 0 and 1, got %v", r.ErrorRate)
	}
	if r.Latency == 0 && r.ErrorRate == 0 && !r.Throttle {
		return fmt.Errorf("a fault needs latency, error_rate or throttle")
	}
	return nil
}

// Set is the emulator's switchable faults. The zero value is ready to use.
type Set struct {
	mu    sync.Mutex
	rules atomic.Pointer[map[string]Rule]
}

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
	next := map[string]Rule{}
	if cur := s.rules.Load(); cur != nil {
		maps.Copy(next, *cur)
	}
	f(next)
	s.rules.Store(&next)
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
