package pipes_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/pipes"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// The guide's whole path: eb-pipes-event-filtering.html (non-matching SQS messages are deleted),
// eb-pipes.html#pipes-enrichment (the enrichment's answer goes to the target),
// eb-pipes-batching-concurrency.html (Lambda receives the batch as one JSON array; an SQS
// target takes the events through its batch API) and eb-pipes-input-transformation.html (the
// target template applies to each event).
func TestFiltersEnrichesAndDeliversToAQueueWithATemplate(t *testing.T) {
	f := newFixture(t)
	f.lambda.answer = func(op string, in map[string]any) (any, error) {
		var items []map[string]any
		b, _ := json.Marshal(in["Payload"])
		_ = json.Unmarshal(b, &items)
		var enriched []map[string]any
		for _, it := range items {
			enriched = append(enriched, map[string]any{"messageId": it["messageId"], "order": it["order"], "customer": "Emily"})
		}
		return lambdaAnswer(enriched, nil)
	}
	f.send(t, `{"type":"paid","order":"o-1"}`, `{"type":"placed","order":"o-2"}`, `not json`, `{"type":"paid","order":"o-3"}`)
	_, err := f.pipes.Create(context.Background(), pipes.Input{
		Name: "paid-orders", RoleArn: role, Source: orders, Target: out, Enrichment: ptr(enrichFn),
		SourceParameters:     &pipes.SourceParameters{FilterCriteria: &pipes.FilterCriteria{Filters: []pipes.Filter{{Pattern: `{"body":{"type":["paid"]}}`}}}},
		EnrichmentParameters: &pipes.EnrichmentParameters{InputTemplate: ptr(`{"messageId": <$.messageId>, "order": <$.body.order>}`)},
		TargetParameters:     &pipes.TargetParameters{InputTemplate: ptr(`{"order": <$.order>, "who": "<$.customer>", "pipe": <aws.pipes.pipe-name>}`)},
	})
	require.NoError(t, err)

	eventually(t, func() bool { v, _ := f.depth(t, f.out); return v == 2 }, "two transformed messages reach the target queue")
	eventually(t, func() bool { v, n := f.depth(t, f.orders); return v == 0 && n == 0 }, "the source queue is empty")
	assert.ElementsMatch(t, []string{
		`{"order": "o-1", "who": "Emily", "pipe": "paid-orders"}`,
		`{"order": "o-3", "who": "Emily", "pipe": "paid-orders"}`,
	}, f.drain(t, f.out))
	calls := f.lambda.received()
	require.Len(t, calls, 1, "one enrichment call for the batch")
	assert.Equal(t, "RequestResponse", calls[0].input["InvocationType"])
	assert.Equal(t, enrichFn, calls[0].input["FunctionName"])
	items := payload(t, calls[0])
	require.Len(t, items, 2, "filtered messages never reach the enrichment")
	assert.ElementsMatch(t, []any{"o-1", "o-3"}, []any{items[0]["order"], items[1]["order"]})
	assert.Equal(t, int64(1), f.counter("paid-orders", pipes.MetricInvocations))
	assert.Equal(t, int64(2), f.counter("paid-orders", pipes.MetricEventCount))
}

// eb-pipes-sqs.html ("When your pipe returns an error, EventBridge keeps it in the queue. After
// the visibility timeout occurs, EventBridge receives the message again") and
// eb-pipes-error-troubleshooting.html ("A pipe inherits dead-letter queue (DLQ) behavior from
// the source"): a failing target leaves the batch for the source queue's redrive policy.
func TestFailingTargetLeavesMessagesForTheSourceRedrivePolicy(t *testing.T) {
	tests := []struct {
		name  string
		stage string
		in    pipes.Input
		fail  func(f *fixture)
	}{
		{
			name: "lambda target function error", stage: pipes.MetricTargetStageFailed,
			in: pipes.Input{Target: workerFn},
			fail: func(f *fixture) {
				f.lambda.answer = func(string, map[string]any) (any, error) { return lambdaAnswer(nil, errors.New("oven on fire")) }
			},
		},
		{
			name: "enrichment throttled by lambda", stage: pipes.MetricEnrichmentStageFailed,
			in: pipes.Input{Target: out, Enrichment: ptr(enrichFn)},
			fail: func(f *fixture) {
				f.lambda.answer = func(string, map[string]any) (any, error) {
					return nil, sim.Errorf(500, "ServiceException", "lambda is down")
				}
			},
		},
		{
			name: "state machine execution failed", stage: pipes.MetricTargetStageFailed,
			in: pipes.Input{Target: machine},
			fail: func(f *fixture) {
				f.states.answer = func(string, map[string]any) (any, error) {
					return map[string]any{"status": "FAILED", "error": "States.TaskFailed", "cause": "no flour"}, nil
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.fail(f)
			f.send(t, `{"order":"o-1"}`, `{"order":"o-2"}`)
			in := tt.in
			in.Name, in.RoleArn, in.Source = "orders", role, orders
			_, err := f.pipes.Create(context.Background(), in)
			require.NoError(t, err)
			for receive := 1; receive <= 3; receive++ {
				eventually(t, func() bool { return f.counter("orders", pipes.MetricExecutionFailed) >= int64(receive) }, "execution %d fails", receive)
				eventually(t, func() bool { _, n := f.depth(t, f.orders); return n == 2 }, "the batch stays in flight")
				f.clock.Advance(31 * time.Second)
			}
			eventually(t, func() bool { v, _ := f.depth(t, f.dlq); return v == 2 }, "after maxReceiveCount 3 the messages are in the DLQ")
			v, n := f.depth(t, f.out)
			assert.Equal(t, 0, v+n, "nothing reached the target queue")
			assert.Equal(t, int64(3), f.counter("orders", tt.stage))
		})
	}
}

// eb-pipes-batching-concurrency.html#pipes-partial-batch-failure and eb-pipes-sqs.html
// "Success and failure conditions": a Lambda or Step Functions target that names failed
// messages in batchItemFailures returns only those to the queue; an identifier that names no
// message of the batch fails the whole batch.
func TestPartialBatchFailureFromTheTarget(t *testing.T) {
	tests := []struct {
		name     string
		target   string
		failures func(items []map[string]any) any
		want     int // messages left in flight
		partial  int64
	}{
		{"lambda names one message", workerFn, func(items []map[string]any) any {
			return map[string]any{"batchItemFailures": []map[string]any{{"itemIdentifier": items[1]["messageId"]}}}
		}, 1, 1},
		{"lambda empty list is a success", workerFn, func([]map[string]any) any {
			return map[string]any{"batchItemFailures": []any{}}
		}, 0, 0},
		{"lambda unknown id fails the batch", workerFn, func([]map[string]any) any {
			return map[string]any{"batchItemFailures": []map[string]any{{"itemIdentifier": "nope"}}}
		}, 3, 0},
		{"lambda bad key name fails the batch", workerFn, func(items []map[string]any) any {
			return map[string]any{"batchItemFailures": []map[string]any{{"itemId": items[0]["messageId"]}}}
		}, 3, 0},
		{"state machine names two messages", machine, func(items []map[string]any) any {
			return map[string]any{"batchItemFailures": []map[string]any{{"itemIdentifier": items[0]["messageId"]}, {"itemIdentifier": items[2]["messageId"]}}}
		}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.lambda.answer = func(_ string, in map[string]any) (any, error) {
				var items []map[string]any
				b, _ := json.Marshal(in["Payload"])
				_ = json.Unmarshal(b, &items)
				return lambdaAnswer(tt.failures(items), nil)
			}
			f.states.answer = func(_ string, in map[string]any) (any, error) {
				var items []map[string]any
				_ = json.Unmarshal([]byte(in["input"].(string)), &items)
				o, _ := json.Marshal(tt.failures(items))
				return map[string]any{"status": "SUCCEEDED", "output": string(o)}, nil
			}
			f.send(t, "a", "b", "c")
			_, err := f.pipes.Create(context.Background(), pipes.Input{Name: "p", RoleArn: role, Source: orders, Target: tt.target,
				SourceParameters: &pipes.SourceParameters{SqsQueueParameters: &pipes.SqsQueueParameters{BatchSize: ptr(10), MaximumBatchingWindowInSeconds: ptr(0)}}})
			require.NoError(t, err)
			eventually(t, func() bool { return f.counter("p", pipes.MetricInvocations) >= 1 }, "the pipe runs")
			eventually(t, func() bool { v, n := f.depth(t, f.orders); return v == 0 && n == tt.want }, "%d messages stay in flight", tt.want)
			assert.Equal(t, tt.partial, f.counter("p", pipes.MetricExecutionPartiallyFailed))
		})
	}
}

// eb-pipes.html#pipes-invocation: Step Functions targets run with StartSyncExecution for
// REQUEST_RESPONSE (the default) and StartExecution for FIRE_AND_FORGET; Lambda with
// RequestResponse or Event. The batch arrives as one JSON array.
func TestInvocationTypes(t *testing.T) {
	tests := []struct {
		name     string
		target   string
		params   *pipes.TargetParameters
		service  func(f *fixture) *fakeService
		wantOp   string
		wantType string
	}{
		{"state machine default", machine, nil, func(f *fixture) *fakeService { return f.states }, "StartSyncExecution", ""},
		{"state machine fire and forget", machine, &pipes.TargetParameters{StepFunctionStateMachineParameters: &pipes.InvocationParameters{InvocationType: pipes.FireAndForget}},
			func(f *fixture) *fakeService { return f.states }, "StartExecution", ""},
		{"lambda default", workerFn, nil, func(f *fixture) *fakeService { return f.lambda }, "Invoke", "RequestResponse"},
		{"lambda fire and forget", workerFn, &pipes.TargetParameters{LambdaFunctionParameters: &pipes.InvocationParameters{InvocationType: pipes.FireAndForget}},
			func(f *fixture) *fakeService { return f.lambda }, "Invoke", "Event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.states.answer = func(op string, _ map[string]any) (any, error) {
				if op == "StartExecution" {
					return map[string]any{"executionArn": "arn:x", "startDate": 1}, nil
				}
				return map[string]any{"status": "SUCCEEDED", "output": "{}"}, nil
			}
			f.lambda.answer = func(string, map[string]any) (any, error) { return lambdaAnswer(nil, nil) }
			f.send(t, `{"order":"o-1"}`, `{"order":"o-2"}`)
			_, err := f.pipes.Create(context.Background(), pipes.Input{Name: "p", RoleArn: role, Source: orders, Target: tt.target, TargetParameters: tt.params})
			require.NoError(t, err)
			eventually(t, func() bool { v, n := f.depth(t, f.orders); return v == 0 && n == 0 }, "the batch is deleted")
			calls := tt.service(f).received()
			require.NotEmpty(t, calls)
			assert.Equal(t, tt.wantOp, calls[0].op)
			var records []map[string]any
			if tt.wantType != "" {
				assert.Equal(t, tt.wantType, calls[0].input["InvocationType"])
				records = payload(t, calls[0])
			} else {
				assert.Equal(t, machine, calls[0].input["stateMachineArn"])
				require.NoError(t, json.Unmarshal([]byte(calls[0].input["input"].(string)), &records))
			}
			total := 0
			for _, c := range calls {
				if tt.wantType != "" {
					total += len(payload(t, c))
				} else {
					var r []any
					_ = json.Unmarshal([]byte(c.input["input"].(string)), &r)
					total += len(r)
				}
			}
			assert.Equal(t, 2, total)
			// eb-pipes-sqs.html's example event: the record shape Lambda's SQS event uses.
			rec := records[0]
			assert.Equal(t, "aws:sqs", rec["eventSource"])
			assert.Equal(t, orders, rec["eventSourceARN"])
			assert.Equal(t, "us-east-1", rec["awsRegion"])
			assert.Contains(t, rec["body"], `"order":"o-`)
			assert.NotEmpty(t, rec["md5OfBody"])
			assert.Equal(t, "1", rec["attributes"].(map[string]any)["ApproximateReceiveCount"])
		})
	}
}

// An event bus target gets one PutEvents entry per event (eb-pipes-batching-concurrency.html:
// the bus takes batches of up to 10) with EventBridgeEventBusParameters applied, dynamic
// paths resolved from the event (eb-pipes-event-target.html#pipes-targets-dynamic-parms).
func TestEventBusTarget(t *testing.T) {
	f := newFixture(t)
	f.events.answer = func(op string, in map[string]any) (any, error) {
		n := len(in["Entries"].([]any))
		entries := make([]map[string]string, n)
		for i := range entries {
			entries[i] = map[string]string{"EventId": strconv.Itoa(i)}
		}
		return map[string]any{"FailedEntryCount": 0, "Entries": entries}, nil
	}
	f.send(t, `{"kind":"OrderPaid","order":"o-1"}`)
	_, err := f.pipes.Create(context.Background(), pipes.Input{Name: "to-bus", RoleArn: role, Source: orders, Target: bus,
		TargetParameters: &pipes.TargetParameters{
			InputTemplate:                 ptr(`{"order": <$.body.order>}`),
			EventBridgeEventBusParameters: &pipes.EventBusTargetParameter{DetailType: "$.body.kind", Source: "bakery.orders"},
		}})
	require.NoError(t, err)
	eventually(t, func() bool { return len(f.events.received()) == 1 }, "one PutEvents call")
	c := f.events.received()[0]
	assert.Equal(t, "PutEvents", c.op)
	entry := c.input["Entries"].([]any)[0].(map[string]any)
	assert.Equal(t, bus, entry["EventBusName"])
	assert.Equal(t, "bakery.orders", entry["Source"])
	assert.Equal(t, "OrderPaid", entry["DetailType"])
	assert.JSONEq(t, `{"order":"o-1"}`, entry["Detail"].(string))
	eventually(t, func() bool { v, n := f.depth(t, f.orders); return v == 0 && n == 0 }, "the message is deleted")
}

// eb-pipes.html#pipes-enrichment-filtering: an enrichment that answers an empty response
// ("", {}, []) skips the target, and the batch counts as processed.
func TestEmptyEnrichmentSkipsTheTarget(t *testing.T) {
	for _, answer := range []any{[]any{}, map[string]any{}, ""} {
		t.Run(func() string { b, _ := json.Marshal(answer); return string(b) }(), func(t *testing.T) {
			f := newFixture(t)
			f.lambda.answer = func(string, map[string]any) (any, error) { return lambdaAnswer(answer, nil) }
			f.send(t, "a", "b")
			_, err := f.pipes.Create(context.Background(), pipes.Input{Name: "p", RoleArn: role, Source: orders, Target: out, Enrichment: ptr(enrichFn)})
			require.NoError(t, err)
			eventually(t, func() bool { v, n := f.depth(t, f.orders); return v == 0 && n == 0 }, "the batch is deleted")
			v, n := f.depth(t, f.out)
			assert.Equal(t, 0, v+n)
			assert.Equal(t, int64(0), f.counter("p", pipes.MetricExecutionFailed))
		})
	}
}

// An API destination target goes through EventBridge's InvokeApiDestination, one event at a
// time (eb-pipes.html#pipes-validation: batch size 1), with dynamic HttpParameters.
func TestAPIDestinationTarget(t *testing.T) {
	f := newFixture(t)
	f.events.answer = func(op string, in map[string]any) (any, error) {
		return map[string]any{"StatusCode": 200, "Body": `{"ok":true}`}, nil
	}
	f.send(t, `{"order":"o-9","status":"ready"}`)
	_, err := f.pipes.Create(context.Background(), pipes.Input{Name: "status", RoleArn: role, Source: orders, Target: apiDest,
		SourceParameters: &pipes.SourceParameters{SqsQueueParameters: &pipes.SqsQueueParameters{BatchSize: ptr(1)}},
		TargetParameters: &pipes.TargetParameters{InputTemplate: ptr(`{"status": <$.body.status>}`),
			HttpParameters: &pipes.HTTPParameters{PathParameterValues: []string{"$.body.order"}, HeaderParameters: map[string]string{"X-Bakery": "emily"}}}})
	require.NoError(t, err)
	eventually(t, func() bool { return len(f.events.received()) == 1 }, "one call")
	c := f.events.received()[0]
	assert.Equal(t, "InvokeApiDestination", c.op)
	assert.Equal(t, apiDest, c.input["ApiDestinationArn"])
	assert.JSONEq(t, `{"status":"ready"}`, c.input["Body"].(string))
	hp := c.input["HttpParameters"].(map[string]any)
	assert.Equal(t, []any{"o-9"}, hp["PathParameterValues"])
	assert.Equal(t, map[string]any{"X-Bakery": "emily"}, hp["HeaderParameters"])
	eventually(t, func() bool { v, n := f.depth(t, f.orders); return v == 0 && n == 0 }, "the message is deleted")
}

// eb-pipes.html#pipes-start-stop: a STOPPED pipe reads nothing; starting it processes the
// backlog.
func TestStoppedPipeReadsNothingUntilStarted(t *testing.T) {
	f := newFixture(t)
	f.send(t, "a", "b")
	d, err := f.pipes.Create(context.Background(), pipes.Input{Name: "p", RoleArn: role, Source: orders, Target: out, DesiredState: pipes.StateStopped})
	require.NoError(t, err)
	assert.Equal(t, pipes.StateCreating, d.CurrentState)
	got, err := f.pipes.Describe("p")
	require.NoError(t, err)
	assert.Equal(t, pipes.StateStopped, got.CurrentState)
	v, _ := f.depth(t, f.orders)
	assert.Equal(t, 2, v)
	d, err = f.pipes.Start("p")
	require.NoError(t, err)
	assert.Equal(t, pipes.StateStarting, d.CurrentState)
	eventually(t, func() bool { v, _ := f.depth(t, f.out); return v == 2 }, "the backlog reaches the target")
	got, err = f.pipes.Describe("p")
	require.NoError(t, err)
	assert.Equal(t, pipes.StateRunning, got.CurrentState)
}

// eb-pipes-error-troubleshooting.html: creation is asynchronous and may end in a failure state
// with a StateReason; a source queue that does not exist does that.
func TestMissingSourceQueueFailsCreation(t *testing.T) {
	f := newFixture(t)
	_, err := f.pipes.Create(context.Background(), pipes.Input{Name: "p", RoleArn: role, Source: "arn:aws:sqs:us-east-1:000000000000:nope", Target: out})
	require.NoError(t, err)
	d, err := f.pipes.Describe("p")
	require.NoError(t, err)
	assert.Equal(t, pipes.StateCreateFailed, d.CurrentState)
	assert.Contains(t, d.StateReason, "nope")
}

func TestResourcesListTheTopology(t *testing.T) {
	f := newFixture(t)
	_, err := f.pipes.Create(context.Background(), pipes.Input{Name: "p", RoleArn: role, Source: orders, Target: machine, Enrichment: ptr(enrichFn)})
	require.NoError(t, err)
	res := f.pipes.Resources()
	require.Len(t, res, 1)
	assert.Equal(t, sim.ID("pipes:p"), res[0].ID)
	assert.Equal(t, "AWS::Pipes::Pipe", res[0].Type)
	assert.Equal(t, "arn:aws:pipes:us-east-1:000000000000:pipe/p", res[0].ARN)
	assert.Equal(t, []sim.ID{"sqs:orders"}, res[0].Sources)
	assert.Equal(t, []sim.ID{"lambda:Enrich", "states:Fulfil"}, res[0].Targets)
}

// eb-pipes-batching-concurrency.html: a Step Functions target's batch is "constrained by the
// total payload size of the event" (262,144 characters), a Lambda function's by 6 MB. Ten
// 60,000-character messages make a 600 KB batch: the state machine gets it in executions of at
// most 262,144 characters, the Lambda function in one invocation.
func TestBatchPayloadLimitPerTarget(t *testing.T) {
	for _, tt := range []struct {
		name   string
		target string
		calls  func(f *fixture) []call
		input  func(c call) string
		minN   int
	}{
		{"state machine", machine, func(f *fixture) []call { return f.states.received() }, func(c call) string { return c.input["input"].(string) }, 3},
		{"lambda", workerFn, func(f *fixture) []call { return f.lambda.received() }, func(c call) string { b, _ := json.Marshal(c.input["Payload"]); return string(b) }, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.states.answer = func(string, map[string]any) (any, error) {
				return map[string]any{"status": "SUCCEEDED", "output": "{}"}, nil
			}
			f.lambda.answer = func(string, map[string]any) (any, error) { return lambdaAnswer(nil, nil) }
			body := strings.Repeat("x", 60000)
			bodies := make([]string, 10)
			for i := range bodies {
				bodies[i] = body
			}
			f.send(t, bodies...)
			_, err := f.pipes.Create(context.Background(), pipes.Input{Name: "p", RoleArn: role, Source: orders, Target: tt.target,
				SourceParameters: &pipes.SourceParameters{SqsQueueParameters: &pipes.SqsQueueParameters{BatchSize: ptr(10), MaximumBatchingWindowInSeconds: ptr(0)}}})
			require.NoError(t, err)
			eventually(t, func() bool { v, n := f.depth(t, f.orders); return v == 0 && n == 0 }, "every message is delivered")
			calls := tt.calls(f)
			total := 0
			for _, c := range calls {
				in := tt.input(c)
				if tt.target == machine {
					assert.LessOrEqual(t, len(in), 262144, "a state machine input over the limit")
				}
				var items []any
				require.NoError(t, json.Unmarshal([]byte(in), &items))
				total += len(items)
			}
			assert.Equal(t, 10, total)
			assert.GreaterOrEqual(t, len(calls), tt.minN)
			if tt.target == workerFn {
				assert.Len(t, calls, 1, "600 KB is far below Lambda's 6 MB")
			}
		})
	}
}
