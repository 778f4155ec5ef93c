package emulator

import (
	"errors"

	dynamodbmodel "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

// ResetResult is what Reset cleared.
type ResetResult struct {
	ItemsRemoved  int `json:"items_removed"`  // items the tables held before the reset
	ItemsRestored int `json:"items_restored"` // items put back as the stage was seeded
	Messages      int `json:"messages"`       // messages deleted from the queues
	Environments  int `json:"environments"`   // idle Lambda execution environments dropped
}

// snapshotBaseline records the tables once the stage is provisioned: its custom resources have
// seeded them by then.
func (e *Emulator) snapshotBaseline() {
	if e.DynamoDB != nil {
		e.baseline = e.DynamoDB.Snapshot()
	}
}

// Reset returns the emulator to the state it started in, so that two load runs start from the
// same data: every table holds the items the stage was seeded with (those written since are
// deleted, those changed or deleted are put back) and has full capacity again, every queue is
// empty, the Lambda functions have no idle execution environment (the next invocations start
// cold), and the metrics and kept traces start from zero. Faults stay as they are: an
// instructor may switch one on before a run. It does not stop work in flight (a running
// workflow, a retry waiting, a poller's batch): reset between runs, not during one. A region of
// a multi-region emulator is not reset on its own.
func (e *Emulator) Reset() (ResetResult, error) {
	if e.global != nil {
		return ResetResult{}, errors.New("the regions of a multi-region stage are reset together: use Global.Reset")
	}
	return e.reset(e.baseline), nil
}

// reset is Reset with the tables put back to baseline.
func (e *Emulator) reset(baseline *dynamodbmodel.Snapshot) ResetResult {
	var r ResetResult
	if e.DynamoDB != nil && baseline != nil {
		r.ItemsRemoved, r.ItemsRestored = e.DynamoDB.Restore(baseline)
	}
	for _, s := range e.services {
		if q, ok := s.(*sqs.Service); ok {
			r.Messages += q.Model().Empty()
		}
	}
	if e.Lambda != nil {
		r.Environments = e.Lambda.Reclaim()
	}
	e.env.Metrics.Reset()
	e.env.Traces.Reset()
	return r
}

// Reset returns every region to the state the stage started in, as Emulator.Reset does for a
// single-region stage: each region's tables hold the items they held once the seed data had
// replicated everywhere (the first WaitReplicated that found nothing pending records them),
// writes not yet replicated are dropped (so none lands after the reset), queues are empty, no
// function is warm and the metrics start from zero. Faults, region outages included, stay as
// they are. The payment provider's and the kitchen's counters are not reset, as for one region.
func (g *Global) Reset() (ResetResult, error) {
	g.mu.Lock()
	baselines := g.baselines
	g.mu.Unlock()
	if baselines == nil {
		return ResetResult{}, errors.New("the regions have no baseline yet: WaitReplicated records it once the seed data has replicated")
	}
	var total ResetResult
	for _, r := range g.regions {
		if r.emu.DynamoDB != nil {
			r.emu.DynamoDB.DropReplication()
		}
	}
	for _, r := range g.regions {
		got := r.emu.reset(baselines[r.name])
		total.ItemsRemoved += got.ItemsRemoved
		total.ItemsRestored += got.ItemsRestored
		total.Messages += got.Messages
		total.Environments += got.Environments
	}
	return total, nil
}
