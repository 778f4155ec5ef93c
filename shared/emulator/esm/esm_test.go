package esm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/esm"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:Worker"

// worker is a hand-written Lambda: handle decides each batch's answer; it counts how many
// batches run at once.
type worker struct {
	timeout int
	handle  func(ev events.SQSEvent) (any, error)

	now, most, batches, records atomic.Int64
	mu                          sync.Mutex
	seen                        map[string]int // messageId → deliveries
	last                        events.SQSEvent
}

func (w *worker) Call(_ context.Context, op string, input []byte) ([]byte, error) {
	switch op {
	case "GetFunctionConfiguration":
		return json.Marshal(map[string]any{"FunctionArn": fnARN, "Timeout": w.timeout})
	case "Invoke":
	default:
		return nil, fmt.Errorf("unexpected op %s", op)
	}
	var in struct{ Payload events.SQSEvent }
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	n := w.now.Add(1)
	defer w.now.Add(-1)
	for {
		m := w.most.Load()
		if n <= m || w.most.CompareAndSwap(m, n) {
			break
		}
	}
	w.batches.Add(1)
	w.records.Add(int64(len(in.Payload.Records)))
	w.mu.Lock()
	if w.seen == nil {
		w.seen = map[string]int{}
	}
	for _, r := range in.Payload.Records {
		w.seen[r.MessageId]++
	}
	w.last = in.Payload
	w.mu.Unlock()
	var out any = nil
	if w.handle != nil {
		var err error
		if out, err = w.handle(in.Payload); err != nil {
			return json.Marshal(map[string]any{"StatusCode": 200, "FunctionError": "Unhandled", "Payload": map[string]string{"errorMessage": err.Error()}})
		}
	}
	return json.Marshal(map[string]any{"StatusCode": 200, "Payload": out})
}

type fixture struct {
	env   *sim.Env
	sqs   *sqs.Service
	esm   *esm.Service
	fn    *worker
	url   string
	dlq   string
	queue string
}

func newFixture(t testing.TB, clock sim.Clock, fn *worker, queueAttrs map[string]string) *fixture {
	t.Helper()
	env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Test", Clock: clock}
	f := &fixture{env: env, sqs: sqs.New(env), fn: fn}
	env.Register("lambda", fn)
	f.esm = esm.New(env)
	t.Cleanup(func() { _ = f.esm.Close(); _ = f.sqs.Close() })
	f.dlq = f.create(t, "jobs-dlq", nil)
	attrs := map[string]string{"VisibilityTimeout": "30",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:jobs-dlq","maxReceiveCount":"3"}`}
	for k, v := range queueAttrs {
		attrs[k] = v
	}
	f.url = f.create(t, "jobs", attrs)
	f.queue = "arn:aws:sqs:us-east-1:000000000000:jobs"
	return f
}

func (f *fixture) call(t testing.TB, op string, in any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(in)
	out, err := f.env.Call(context.Background(), "sqs", op, b)
	require.NoError(t, err, op)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	return m
}

func (f *fixture) create(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	return f.call(t, "CreateQueue", map[string]any{"QueueName": name, "Attributes": attrs})["QueueUrl"].(string)
}

func (f *fixture) send(t testing.TB, n int, body func(i int) string) {
	t.Helper()
	for i := 0; i < n; i += 10 {
		var entries []map[string]string
		for j := i; j < min(i+10, n); j++ {
			entries = append(entries, map[string]string{"Id": strconv.Itoa(j), "MessageBody": body(j)})
		}
		f.call(t, "SendMessageBatch", map[string]any{"QueueUrl": f.url, "Entries": entries})
	}
}

func (f *fixture) depth(t testing.TB, url string) (visible, inFlight int) {
	t.Helper()
	a := f.call(t, "GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": []string{"All"}})["Attributes"].(map[string]any)
	visible, _ = strconv.Atoi(a["ApproximateNumberOfMessages"].(string))
	inFlight, _ = strconv.Atoi(a["ApproximateNumberOfMessagesNotVisible"].(string))
	return visible, inFlight
}

func ptr[T any](v T) *T { return &v }

// Validation rules from https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
// and https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html (function
// timeout ≤ queue visibility timeout), services-sqs-scaling.html (MaximumConcurrency 2–1,000).
func TestCreateValidation(t *testing.T) {
	tests := []struct {
		name    string
		timeout int
		in      esm.Input
		want    string
	}{
		{"function timeout over visibility", 60, esm.Input{}, "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"},
		{"batch over 10 without window", 5, esm.Input{BatchSize: ptr(100)}, "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"},
		{"batch over 10,000", 5, esm.Input{BatchSize: ptr(10001), MaximumBatchingWindowInSeconds: ptr(1)}, "BatchSize must be between 1 and 10000"},
		{"window over 300", 5, esm.Input{MaximumBatchingWindowInSeconds: ptr(301)}, "between 0 and 300"},
		{"maximum concurrency 1", 5, esm.Input{ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: 1}}, "between 2 and 1000"},
		{"maximum concurrency with provisioned pollers", 5, esm.Input{ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: 5},
			ProvisionedPollerConfig: &esm.ProvisionedPollerConfig{MinimumPollers: 2}}, "cannot be used together"},
		{"bad filter", 5, esm.Input{FilterCriteria: &esm.FilterCriteria{Filters: []esm.Filter{{Pattern: `{"body": "x"}`}}}}, "Invalid filter pattern definition"},
		{"bad response type", 5, esm.Input{FunctionResponseTypes: []string{"Partial"}}, "ReportBatchItemFailures"},
		{"queue missing", 5, esm.Input{EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:nope"}, "does not exist"},
		{"not a queue", 5, esm.Input{EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/x"}, "SQS queues only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, &worker{timeout: tt.timeout}, nil)
			in := tt.in
			if in.EventSourceArn == "" {
				in.EventSourceArn = f.queue
			}
			in.FunctionName = "Worker"
			_, err := f.esm.Create(context.Background(), in)
			require.Error(t, err)
			var apiErr *sim.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "InvalidParameterValueException", apiErr.Code)
			assert.Contains(t, apiErr.Message, tt.want)
			assert.Empty(t, f.esm.List("", ""), "a refused mapping is not created")
		})
	}
}

// The event's shape: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (example SQS
// message event), read with aws-lambda-go's events.SQSEvent.
func TestDeliversBatchesAndDeletes(t *testing.T) {
	f := newFixture(t, nil, &worker{timeout: 5}, nil)
	f.send(t, 25, func(i int) string { return fmt.Sprintf(`{"order":%d}`, i) })
	c, err := f.esm.Create(context.Background(), esm.Input{EventSourceArn: f.queue, FunctionName: "Worker", BatchSize: ptr(10)})
	require.NoError(t, err)
	assert.Equal(t, "Enabled", c.State)
	assert.Equal(t, fnARN, c.FunctionArn)
	require.Eventually(t, func() bool { return f.fn.records.Load() == 25 }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { v, n := f.depth(t, f.url); return v == 0 && n == 0 }, 10*time.Second, 5*time.Millisecond)
	f.fn.mu.Lock()
	rec := f.fn.last.Records[0]
	f.fn.mu.Unlock()
	assert.Equal(t, "aws:sqs", rec.EventSource)
	assert.Equal(t, f.queue, rec.EventSourceARN)
	assert.Equal(t, "us-east-1", rec.AWSRegion)
	assert.NotEmpty(t, rec.ReceiptHandle)
	assert.NotEmpty(t, rec.Md5OfBody)
	assert.Equal(t, "1", rec.Attributes["ApproximateReceiveCount"])
	assert.NotEmpty(t, rec.Attributes["SentTimestamp"])
	assert.LessOrEqual(t, f.fn.batches.Load(), int64(25))
}

// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html#sqs-max-concurrency
func TestMaximumConcurrencyCapsInvocationsAndDrains(t *testing.T) {
	// Each batch waits (up to 50 ms) until three run at once, so that the cap, not the
	// handler's speed, decides the concurrency.
	fn := &worker{timeout: 5}
	fn.handle = func(events.SQSEvent) (any, error) {
		for give := time.Now().Add(50 * time.Millisecond); fn.now.Load() < 3 && time.Now().Before(give); {
			time.Sleep(100 * time.Microsecond)
		}
		return nil, nil
	}
	f := newFixture(t, nil, fn, nil)
	f.send(t, 1000, func(i int) string { return strconv.Itoa(i) })
	_, err := f.esm.Create(context.Background(), esm.Input{EventSourceArn: f.queue, FunctionName: "Worker",
		BatchSize: ptr(2), ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: 3}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { v, n := f.depth(t, f.url); return v == 0 && n == 0 }, 30*time.Second, 10*time.Millisecond)
	assert.Equal(t, int64(1000), f.fn.records.Load())
	assert.LessOrEqual(t, f.fn.most.Load(), int64(3))
	assert.Equal(t, int64(3), f.fn.most.Load(), "the backlog keeps all three busy")
}

// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
func TestReportBatchItemFailuresRetriesOnlyTheFailedIDs(t *testing.T) {
	clock := sim.NewFake(time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC))
	var failOnce sync.Map
	fn := &worker{timeout: 5, handle: func(ev events.SQSEvent) (any, error) {
		var failed []map[string]string
		for _, r := range ev.Records {
			n, _ := strconv.Atoi(r.Body)
			if _, done := failOnce.LoadOrStore(r.MessageId, true); !done && n%2 == 1 {
				failed = append(failed, map[string]string{"itemIdentifier": r.MessageId})
			}
		}
		return map[string]any{"batchItemFailures": failed}, nil
	}}
	f := newFixture(t, clock, fn, nil)
	f.send(t, 10, func(i int) string { return strconv.Itoa(i) })
	_, err := f.esm.Create(context.Background(), esm.Input{EventSourceArn: f.queue, FunctionName: "Worker", BatchSize: ptr(10),
		FunctionResponseTypes: []string{"ReportBatchItemFailures"}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return fn.records.Load() >= 10 }, 10*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { _, n := f.depth(t, f.url); return n == 5 }, 10*time.Second, time.Millisecond, "five failed ids stay in flight")
	clock.Advance(31 * time.Second) // past the visibility timeout
	require.Eventually(t, func() bool { v, n := f.depth(t, f.url); return v == 0 && n == 0 }, 10*time.Second, time.Millisecond)
	fn.mu.Lock()
	defer fn.mu.Unlock()
	twice := 0
	for _, n := range fn.seen {
		if n == 2 {
			twice++
		}
	}
	assert.Equal(t, 5, twice, "only the reported ids came back")
}

// A function that always fails: the batch comes back after each visibility timeout with its
// receive count raised, and the redrive policy moves it to the DLQ after maxReceiveCount (3)
// receives. https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
func TestFailingBatchReachesTheDLQ(t *testing.T) {
	clock := sim.NewFake(time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC))
	fn := &worker{timeout: 5, handle: func(events.SQSEvent) (any, error) { return nil, fmt.Errorf("provider down") }}
	f := newFixture(t, clock, fn, nil)
	f.send(t, 4, func(i int) string { return strconv.Itoa(i) })
	_, err := f.esm.Create(context.Background(), esm.Input{EventSourceArn: f.queue, FunctionName: "Worker", BatchSize: ptr(10)})
	require.NoError(t, err)
	for receive := 1; receive <= 3; receive++ {
		require.Eventually(t, func() bool { return fn.records.Load() >= int64(4*receive) }, 10*time.Second, time.Millisecond, "receive %d", receive)
		require.Eventually(t, func() bool { _, n := f.depth(t, f.url); return n == 4 }, 10*time.Second, time.Millisecond)
		fn.mu.Lock()
		assert.Equal(t, strconv.Itoa(receive), fn.last.Records[0].Attributes["ApproximateReceiveCount"])
		fn.mu.Unlock()
		clock.Advance(31 * time.Second)
	}
	require.Eventually(t, func() bool { v, _ := f.depth(t, f.dlq); return v == 4 }, 10*time.Second, time.Millisecond, "after 3 receives the messages are in the DLQ")
	assert.Equal(t, int64(12), fn.records.Load())
}

// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-sqs:
// messages that match no filter are deleted and never reach the function.
func TestFilteredMessagesAreDeleted(t *testing.T) {
	f := newFixture(t, nil, &worker{timeout: 5}, nil)
	f.send(t, 20, func(i int) string {
		if i%4 == 0 {
			return fmt.Sprintf(`{"type":"paid","total":%d}`, 100+i)
		}
		return `{"type":"placed"}`
	})
	_, err := f.esm.Create(context.Background(), esm.Input{EventSourceArn: f.queue, FunctionName: "Worker",
		FilterCriteria: &esm.FilterCriteria{Filters: []esm.Filter{{Pattern: `{"body":{"type":["paid"],"total":[{"numeric":[">=",100]}]}}`}}}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { v, n := f.depth(t, f.url); return v == 0 && n == 0 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, int64(5), f.fn.records.Load())
}

// On-demand scaling: 5 concurrent batches, then up to 300 more per minute while messages wait
// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html), on a fake clock.
func TestScalesUpAtTheDocumentedRate(t *testing.T) {
	clock := sim.NewFake(time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC))
	release := make(chan struct{})
	fn := &worker{timeout: 5, handle: func(events.SQSEvent) (any, error) { <-release; return nil, nil }}
	f := newFixture(t, clock, fn, map[string]string{"VisibilityTimeout": "900"})
	t.Cleanup(func() { close(release) })
	f.send(t, 4000, func(i int) string { return strconv.Itoa(i) })
	_, err := f.esm.Create(context.Background(), esm.Input{EventSourceArn: f.queue, FunctionName: "Worker", BatchSize: ptr(1)})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return fn.now.Load() == 5 }, 10*time.Second, time.Millisecond, "five batches at first")
	for sec := 1; sec <= 60; sec++ {
		require.NoError(t, clock.WaitForTimers(context.Background(), 1))
		clock.Advance(time.Second)
		want := int64(5 + 5*sec)
		require.Eventually(t, func() bool { return fn.now.Load() == want }, 10*time.Second, time.Millisecond, "second %d", sec)
	}
	assert.Equal(t, int64(305), fn.most.Load(), "300 more per minute")
}

// Provisioned mode starts with MinimumPollers and never runs more than MaximumPollers batches
// at once (https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html;
// scaling: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
func TestProvisionedPollersBoundConcurrency(t *testing.T) {
	tests := []struct {
		name          string
		min, max      int
		start, capped int64
	}{
		{"minimum above the on-demand start", 10, 12, 10, 12},
		{"minimum below the on-demand start", 2, 7, 5, 7},
		{"minimum equals maximum", 8, 8, 8, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := sim.NewFake(time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC))
			release := make(chan struct{})
			fn := &worker{timeout: 5, handle: func(events.SQSEvent) (any, error) { <-release; return nil, nil }}
			f := newFixture(t, clock, fn, map[string]string{"VisibilityTimeout": "900"})
			t.Cleanup(func() { close(release) })
			f.send(t, 200, func(i int) string { return strconv.Itoa(i) })
			_, err := f.esm.Create(context.Background(), esm.Input{EventSourceArn: f.queue, FunctionName: "Worker", BatchSize: ptr(1),
				ProvisionedPollerConfig: &esm.ProvisionedPollerConfig{MinimumPollers: tt.min, MaximumPollers: tt.max}})
			require.NoError(t, err)
			require.Eventually(t, func() bool { return fn.now.Load() == tt.start }, 10*time.Second, time.Millisecond, "MinimumPollers at first")
			for sec := 1; sec <= 5; sec++ {
				require.NoError(t, clock.WaitForTimers(context.Background(), 1))
				clock.Advance(time.Second)
			}
			require.Eventually(t, func() bool { return fn.now.Load() == tt.capped }, 10*time.Second, time.Millisecond, "scaled to MaximumPollers")
			assert.Equal(t, tt.capped, fn.most.Load(), "never more than MaximumPollers")
		})
	}
}
