package asl_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParallel(t *testing.T) {
	t.Parallel()
	// Branches get the same input, the output is the array of branch outputs in order, and a
	// failing branch fails the state with its error:
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
	tests := []struct {
		name     string
		branches string
		extra    string
		input    string
		want     string
		err      string
	}{
		{
			name:     "outputs in branch order",
			branches: `[{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","InputPath":"$.x","End":true}}}]`,
			input:    `{"x":2}`,
			want:     `["a",2]`,
		},
		{
			name:     "ResultSelector and ResultPath",
			branches: `[{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","Result":2,"End":true}}}]`,
			extra:    `"ResultSelector":{"first.$":"$[0]","second.$":"$[1]"},"ResultPath":"$.sum",`,
			input:    `{"x":2}`,
			want:     `{"x":2,"sum":{"first":1,"second":2}}`,
		},
		{
			name:     "a failing branch fails the state with its error",
			branches: `[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Fail","Error":"BranchBroke","Cause":"no"}}}]`,
			input:    `{}`,
			err:      "BranchBroke",
		},
		{
			name:     "a branch failure is caught on the Parallel state",
			branches: `[{"StartAt":"B","States":{"B":{"Type":"Fail","Error":"BranchBroke","Cause":"no"}}}]`,
			extra:    `"Catch":[{"ErrorEquals":["BranchBroke"],"ResultPath":"$.err","Next":"Done"}],`,
			input:    `{"k":1}`,
			want:     `{"k":1,"err":{"Error":"BranchBroke","Cause":"no"}}`,
		},
		{
			name:     "Parameters feed every branch",
			branches: `[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}]`,
			extra:    `"Parameters":{"v.$":"$.x"},`,
			input:    `{"x":"hi"}`,
			want:     `[{"v":"hi"},{"v":"hi"}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			next := `"End":true`
			if tt.extra != "" && len(tt.extra) > 6 && tt.extra[:7] == `"Catch"` {
				next = `"Next":"Done"`
			}
			def := `{"StartAt":"P","States":{"P":{"Type":"Parallel",` + tt.extra + `"Branches":` + tt.branches + `,` + next + `},"Done":{"Type":"Succeed"}}}`
			if next == `"End":true` {
				def = `{"StartAt":"P","States":{"P":{"Type":"Parallel",` + tt.extra + `"Branches":` + tt.branches + `,"End":true}}}`
			}
			r := run(t, def, tt.input, runConfig{})
			assert.Equal(t, tt.err, r.Error, r.Cause)
			if tt.want != "" {
				assert.JSONEq(t, tt.want, string(r.Output))
			}
		})
	}
}

func TestParallelHistory(t *testing.T) {
	t.Parallel()
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}],"End":true}}}`
	r := run(t, def, `{}`, runConfig{})
	assert.Equal(t, []string{"ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "PassStateEntered", "PassStateExited",
		"ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"}, r.types())
	assert.Equal(t, int64(3), r.events[3].PreviousEventID, "a branch's first event follows ParallelStateStarted")
}

func TestParallelStopsOtherBranches(t *testing.T) {
	t.Parallel()
	// When one branch fails, Step Functions stops the others:
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
	tasks := newFakeTasks(map[string]taskFunc{lambdaARN: blockUntilCancelled})
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"Slow","States":{"Slow":{"Type":"Task","Resource":"` + lambdaARN + `","End":true}}},
		{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Fast"}}}]}}}`
	r := run(t, def, `{}`, runConfig{tasks: tasks})
	assert.Equal(t, "Fast", r.Error)
}

func TestMap(t *testing.T) {
	t.Parallel()
	// ItemsPath, ItemSelector with $$.Map.Item, legacy Iterator/Parameters, ItemBatcher,
	// ResultSelector and failures:
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html,
	// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html,
	// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
	tests := []struct {
		name  string
		state string
		input string
		want  string
		err   string
	}{
		{
			name:  "ItemsPath and ResultPath",
			state: `"ItemsPath":"$.detail.shipped","ItemProcessor":{"StartAt":"V","States":{"V":{"Type":"Pass","InputPath":"$.prod","End":true}}},"ResultPath":"$.detail.shipped"`,
			input: `{"ship-date":"2016-03-14T01:59:00Z","detail":{"delivery-partner":"UQS","shipped":[{"prod":"R31","dest-code":9511,"quantity":1344},{"prod":"S39","dest-code":9511,"quantity":40}]}}`,
			want:  `{"ship-date":"2016-03-14T01:59:00Z","detail":{"delivery-partner":"UQS","shipped":["R31","S39"]}}`,
		},
		{
			name:  "ItemSelector with the context object",
			state: `"ItemsPath":"$.items","ItemSelector":{"index.$":"$$.Map.Item.Index","value.$":"$$.Map.Item.Value","shared.$":"$.shared"},"ItemProcessor":{"StartAt":"V","States":{"V":{"Type":"Pass","End":true}}}`,
			input: `{"items":["a","b"],"shared":1}`,
			want:  `[{"index":0,"value":"a","shared":1},{"index":1,"value":"b","shared":1}]`,
		},
		{
			name:  "legacy Iterator and Parameters",
			state: `"ItemsPath":"$.items","Parameters":{"v.$":"$$.Map.Item.Value"},"Iterator":{"StartAt":"V","States":{"V":{"Type":"Pass","End":true}}}`,
			input: `{"items":[1,2,3]}`,
			want:  `[{"v":1},{"v":2},{"v":3}]`,
		},
		{
			name:  "empty array",
			state: `"ItemProcessor":{"StartAt":"V","States":{"V":{"Type":"Pass","End":true}}}`,
			input: `[]`,
			want:  `[]`,
		},
		{
			name:  "MaxConcurrency 1 keeps order",
			state: `"MaxConcurrency":1,"ItemProcessor":{"StartAt":"V","States":{"V":{"Type":"Pass","Result":"x","ResultPath":"$.r","End":true}}}`,
			input: `[{"i":1},{"i":2}]`,
			want:  `[{"i":1,"r":"x"},{"i":2,"r":"x"}]`,
		},
		{
			name:  "ItemBatcher groups items",
			state: `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"V","States":{"V":{"Type":"Pass","End":true}}},"ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"factorX":"x"}}`,
			input: `[1,2,3]`,
			want:  `[{"Items":[1,2],"BatchInput":{"factorX":"x"}},{"Items":[3],"BatchInput":{"factorX":"x"}}]`,
		},
		{
			name:  "ItemsPath that is not an array",
			state: `"ItemsPath":"$.x","ItemProcessor":{"StartAt":"V","States":{"V":{"Type":"Pass","End":true}}}`,
			input: `{"x":"nope"}`,
			err:   "States.Runtime",
		},
		{
			name:  "an iteration failure fails the Map",
			state: `"ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"OK"},"F":{"Type":"Fail","Error":"Two"},"OK":{"Type":"Pass","End":true}}}`,
			input: `[1,2,3]`,
			err:   "Two",
		},
		{
			name:  "tolerated failures in a distributed Map",
			state: `"ToleratedFailureCount":1,"Label":"L","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"OK"},"F":{"Type":"Fail","Error":"Two","Cause":"c"},"OK":{"Type":"Pass","End":true}}}`,
			input: `[1,2,3]`,
			want:  `[1,{"Error":"Two","Cause":"c"},3]`,
		},
		{
			name:  "exceeding the tolerated failures",
			state: `"ToleratedFailurePercentage":10,"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Always"}}}`,
			input: `[1,2,3]`,
			err:   "States.ExceedToleratedFailureThreshold",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, `{"StartAt":"M","States":{"M":{"Type":"Map",`+tt.state+`,"End":true}}}`, tt.input, runConfig{})
			assert.Equal(t, tt.err, r.Error, r.Cause)
			if tt.want != "" {
				assert.JSONEq(t, tt.want, string(r.Output))
			}
		})
	}
}

func TestMapHistoryAndConcurrency(t *testing.T) {
	t.Parallel()
	// MapStateStarted carries the length; each iteration has MapIterationStarted/Succeeded:
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
	var running, peak atomic.Int32
	tasks := newFakeTasks(map[string]taskFunc{lambdaARN: func(ctx context.Context, args any, _ string) (any, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer running.Add(-1)
		return args, nil
	}})
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `","End":true}}},"End":true}}}`
	r := run(t, def, `[1,2,3,4,5]`, runConfig{tasks: tasks})
	assert.Equal(t, "SUCCEEDED", r.Status, r.Cause)
	assert.LessOrEqual(t, peak.Load(), int32(2))
	counts := map[string]int{}
	for _, e := range r.events {
		counts[e.Type]++
		if e.Type == "MapStateStarted" {
			assert.Equal(t, 5, e.MapStateStartedEventDetails.Length)
		}
	}
	assert.Equal(t, 5, counts["MapIterationStarted"])
	assert.Equal(t, 5, counts["MapIterationSucceeded"])
	assert.Equal(t, 1, counts["MapStateSucceeded"])
	assert.Equal(t, int64(1+5), r.Transitions)
}
