// Package sim holds what every emulated service shares: the latency model, the switchable faults,
// the metrics and traces, and the identity of the emulated account. It also defines how a service
// takes part in provisioning a template (Provisioner) and answers Ref and Fn::GetAtt (Physical).
package sim

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// Env is shared by every service of one emulator.
type Env struct {
	Region    string // e.g. "us-east-1"
	AccountID string // e.g. "000000000000"
	StackName string
	Latency   *latency.Model
	Faults    *fault.Set
	Metrics   *metrics.Registry
	Traces    *trace.Recorder
	// Clock is where time comes from; nil means the wall clock.
	Clock Clock

	callers callers
	down    atomic.Bool
}

// SetDown marks the Env's region down (an emulated regional outage) or back up. While it is
// down, Call and Begin answer RegionDownError, so the region's pollers, integrations and
// workflows fail and retry as they would against AWS during an outage.
func (e *Env) SetDown(down bool) { e.down.Store(down) }

// Down reports whether SetDown marked the region down.
func (e *Env) Down() bool { return e.down.Load() }

// RegionDownError is what calls inside a region get while it is down: 503 ServiceUnavailable,
// which AWS SDKs and services treat as retryable.
func (e *Env) RegionDownError() *APIError {
	return &APIError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable",
		Message: "region " + e.Region + " is unavailable (emulated regional outage)"}
}

// ARN builds an ARN in the emulated account and region.
func (e *Env) ARN(service, resource string) string {
	return arn.ARN{Partition: "aws", Service: service, Region: e.Region, AccountID: e.AccountID, Resource: resource}.String()
}

// Spend waits for the modelled latency of a component plus any fault latency on the resource.
// It returns ctx's error if the caller gave up first.
func (e *Env) Spend(ctx context.Context, component, faultResource string) error {
	d := e.Latency.Sample(component)
	if faultResource == "" {
		return Sleep(ctx, e.clock(), d)
	}
	return e.SleepFault(ctx, d, faultResource)
}

// SleepFault waits base plus the largest fault latency switched on for the resources. The fault
// is re-read whenever the faults change, so a fault removed (or made shorter) during the wait
// ends it once base plus the latency now on has passed since the start: at once, for a removed
// fault whose base has passed. It returns ctx's error if the caller gave up first.
func (e *Env) SleepFault(ctx context.Context, base time.Duration, resources ...string) error {
	c := e.clock()
	if e.Faults == nil || !e.Faults.Active() {
		return Sleep(ctx, c, base)
	}
	start := c.Now()
	for {
		changed := e.Faults.Changed() // before the lookup, so that no change falls between
		var extra time.Duration
		for _, r := range resources {
			if rule, ok := e.Faults.Lookup(r); ok {
				extra = max(extra, rule.Latency)
			}
		}
		left := base + extra - c.Now().Sub(start)
		if extra == 0 || left <= 0 {
			return Sleep(ctx, c, left)
		}
		t := c.NewTimer(left)
		select {
		case <-t.C():
			return nil
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
			t.Stop()
		}
	}
}

func (e *Env) clock() Clock {
	if e.Clock == nil {
		return Real{}
	}
	return e.Clock
}

// Sleep waits d on the emulator's clock, or until ctx ends.
func (e *Env) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, e.clock(), d) }

// faultFor returns the fault rule on a resource (nil when none) and whether its error rate
// fired on this call.
func (e *Env) faultFor(id ID) (*fault.Rule, bool) {
	if e.Faults == nil || !e.Faults.Active() {
		return nil, false
	}
	r, inject, ok := e.Fault(string(id))
	if !ok {
		return nil, false
	}
	return &r, inject
}

// Fault returns the rule switched on for the resource, if any, and whether an error should be
// injected on this call (drawn against the rule's error rate).
func (e *Env) Fault(resource string) (rule fault.Rule, inject bool, ok bool) {
	rule, ok = e.Faults.Lookup(resource)
	if !ok {
		return rule, false, false
	}
	return rule, rule.ErrorRate > 0 && e.Latency.Float64() < rule.ErrorRate, true
}

// Now is the emulator's clock.
func (e *Env) Now() time.Time { return e.clock().Now() }

// Physical is a provisioned resource as CloudFormation sees it: the value of Ref and the
// attributes Fn::GetAtt can read.
type Physical struct {
	Ref   any
	Attrs map[string]any
}

// Provisioner creates the resources of the types it handles. Properties arrive with every
// intrinsic resolved. A property the service cannot honour is an error that names the logical ID,
// the type and the property (cfn.Decode does this).
type Provisioner interface {
	Types() []string
	Provision(ctx context.Context, res *cfn.Resource, props map[string]any) (Physical, error)
}

// PhysicalName makes the deterministic physical name the emulator gives a resource that the
// template does not name: "<stack>-<logical id>", as CloudFormation would but without the random
// suffix, cut to max characters.
func (e *Env) PhysicalName(logicalID string, max int) string {
	n := e.StackName + "-" + logicalID
	if max > 0 && len(n) > max {
		n = n[:max]
	}
	return n
}
