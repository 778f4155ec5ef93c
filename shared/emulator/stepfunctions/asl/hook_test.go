package asl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
)

// simClock is a sim.Fake as the interpreter's Clock: concurrent sleeps overlap, and time
// moves only when the test advances it.
type simClock struct{ f *sim.Fake }

func (c simClock) Now() time.Time { return c.f.Now() }
func (c simClock) Sleep(ctx context.Context, d time.Duration) error {
	return sim.Sleep(ctx, c.f, d)
}

// passChain is a graph of n Pass states, as a Parallel branch or a Map ItemProcessor.
func passChain(prefix string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"StartAt":"%s0","States":{`, prefix)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf(`"Next":"%s%d"`, prefix, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		fmt.Fprintf(&b, `"%s%d":{"Type":"Pass",%s}`, prefix, i, next)
	}
	b.WriteString("}}")
	return b.String()
}

// The branches of a Parallel state and the iterations of a Map state run concurrently
// (https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html), so the time a
// hook spends per state (the service's transition latency) overlaps between them: with N
// states per branch and T per state the execution takes (1+N)×T (the Parallel or Map state's
// own T first), not (1+width×N)×T. The test advances the fake clock only when every branch
// waits, which never happens if the hooks run one after another.
func TestOnStateRunsBranchesConcurrently(t *testing.T) {
	t.Parallel()
	const (
		n    = 4
		step = 10 * time.Millisecond
	)
	tests := []struct {
		name  string
		def   string
		input string
		width int // states waiting at once inside the Parallel or Map
	}{
		{
			name:  "Parallel of two branches",
			def:   `{"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[` + passChain("A", n) + `,` + passChain("B", n) + `]}}}`,
			input: `{}`,
			width: 2,
		},
		{
			name:  "Map of three concurrent iterations",
			def:   `{"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,"ItemProcessor":` + passChain("P", n) + `}}}`,
			input: `[1,2,3]`,
			width: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := asl.Parse([]byte(tt.def))
			require.NoError(t, err)
			fake := sim.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			clock := simClock{fake}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			e, err := m.Start(ctx, []byte(tt.input), asl.RunOptions{
				Clock: clock,
				OnState: func(ctx context.Context, _ asl.StateRun) (context.Context, func(*asl.Failure), error) {
					return ctx, nil, clock.Sleep(ctx, step)
				},
			})
			require.NoError(t, err)
			for i := range 1 + n {
				want := tt.width
				if i == 0 {
					want = 1
				}
				require.NoError(t, fake.WaitForTimers(ctx, want), "before advance %d, %d states should wait at once", i, want)
				fake.Advance(step)
			}
			res := e.Wait()
			require.Equal(t, asl.StatusSucceeded, res.Status, res.Cause)
			assert.Equal(t, 0, fake.Pending())
			assert.Equal(t, time.Duration(1+n)*step, res.StopDate.Sub(res.StartDate))
		})
	}
}

type visitKey struct{}

// Each visit of a Task state invokes its resource with a context derived from the one its
// hook returned, so two concurrent Map iterations of one state with the same arguments are
// told apart (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html).
// The task answers the EnteredEventID its context carries; each visit must get its own.
func TestOnStateContextReachesTask(t *testing.T) {
	t.Parallel()
	const width = 3
	def := `{"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Get","States":{
		"Get":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"same"},"End":true}}}}}}`
	var (
		mu      sync.Mutex
		started = make(chan struct{})
		invoked int
		ended   = map[int64]*asl.Failure{}
	)
	tasks := asl.TasksFunc(func(ctx context.Context, _ string, _ any, _ string, _, _ time.Duration) (any, error) {
		// All iterations are inside Invoke at once before any answers.
		mu.Lock()
		invoked++
		if invoked == width {
			close(started)
		}
		mu.Unlock()
		select {
		case <-started:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		id, _ := ctx.Value(visitKey{}).(int64)
		return id, nil
	})
	m, err := asl.Parse([]byte(def))
	require.NoError(t, err)
	var events []asl.HistoryEvent
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := m.Run(ctx, []byte(`[{},{},{}]`), asl.RunOptions{
		Tasks:    tasks,
		Clock:    newFakeClock(),
		Listener: func(ev asl.HistoryEvent) { events = append(events, ev) },
		OnState: func(ctx context.Context, st asl.StateRun) (context.Context, func(*asl.Failure), error) {
			return context.WithValue(ctx, visitKey{}, st.EnteredEventID), func(f *asl.Failure) {
				mu.Lock()
				ended[st.EnteredEventID] = f
				mu.Unlock()
			}, nil
		},
	})
	require.NoError(t, err)
	require.Equal(t, asl.StatusSucceeded, res.Status, res.Cause)

	byID := map[int64]asl.HistoryEvent{}
	for _, ev := range events {
		byID[ev.ID] = ev
	}
	seen := map[int64]bool{}
	for _, ev := range events {
		if ev.Type != "TaskStateExited" {
			continue
		}
		entered := ev
		for entered.Type != "TaskStateEntered" {
			entered = byID[entered.PreviousEventID]
		}
		var got int64
		require.NoError(t, json.Unmarshal([]byte(ev.StateExitedEventDetails.Output), &got))
		assert.Equal(t, entered.ID, got, "the task of the visit entered at event %d", entered.ID)
		seen[got] = true
	}
	assert.Len(t, seen, width)
	assert.Len(t, ended, width+1, "done is called for the Map state and every visit of Get")
	for id, f := range ended {
		assert.Nil(t, f, "visit %d", id)
	}
}

// A hook's error fails the state, and so the execution, with its name; done reports the
// failures of the states it ends (a failed state ends the execution:
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
func TestOnStateError(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Fail","Error":"Never"}}}`
	m, err := asl.Parse([]byte(def))
	require.NoError(t, err)
	var visits []string
	res, err := m.Run(context.Background(), nil, asl.RunOptions{
		Clock: newFakeClock(),
		OnState: func(ctx context.Context, st asl.StateRun) (context.Context, func(*asl.Failure), error) {
			if st.Name == "B" {
				return nil, nil, &asl.Failure{Name: "Hook.Refused", Cause: "no"}
			}
			return ctx, func(f *asl.Failure) { visits = append(visits, fmt.Sprintf("%s failed=%t", st.Name, f != nil)) }, nil
		},
	})
	require.NoError(t, err)
	assert.Equal(t, asl.StatusFailed, res.Status)
	assert.Equal(t, "Hook.Refused", res.Error)
	assert.Equal(t, []string{"A failed=false"}, visits)
}
