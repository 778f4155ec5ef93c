package pipes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awspipes "github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/pipes"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

const (
	account  = "000000000000"
	role     = "arn:aws:iam::000000000000:role/pipe-role"
	orders   = "arn:aws:sqs:us-east-1:000000000000:orders"
	out      = "arn:aws:sqs:us-east-1:000000000000:out"
	enrichFn = "arn:aws:lambda:us-east-1:000000000000:function:Enrich"
	workerFn = "arn:aws:lambda:us-east-1:000000000000:function:Worker"
	machine  = "arn:aws:states:us-east-1:000000000000:stateMachine:Fulfil"
	bus      = "arn:aws:events:us-east-1:000000000000:event-bus/bakery"
	apiDest  = "arn:aws:events:us-east-1:000000000000:api-destination/status/0a1b2c3d"
)

// call records one call a fake service received.
type call struct {
	op    string
	input map[string]any
}

// fakeService is a hand-written stand-in for Lambda, Step Functions or EventBridge: answer
// decides each call's reply.
type fakeService struct {
	answer func(op string, in map[string]any) (any, error)

	mu    sync.Mutex
	calls []call
}

func (f *fakeService) Call(_ context.Context, op string, input []byte) ([]byte, error) {
	var in map[string]any
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{op: op, input: in})
	f.mu.Unlock()
	if f.answer == nil {
		return []byte(`{}`), nil
	}
	out, err := f.answer(op, in)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

func (f *fakeService) received() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// lambdaAnswer wraps a function's result as Lambda's Invoke answer; err makes it a function error.
func lambdaAnswer(payload any, err error) (any, error) {
	if err != nil {
		return map[string]any{"StatusCode": 200, "FunctionError": "Unhandled", "Payload": map[string]string{"errorMessage": err.Error()}}, nil
	}
	return map[string]any{"StatusCode": 200, "Payload": payload}, nil
}

// payload is an Invoke call's Payload as a list of items.
func payload(t testing.TB, c call) []map[string]any {
	t.Helper()
	b, _ := json.Marshal(c.input["Payload"])
	var items []map[string]any
	require.NoError(t, json.Unmarshal(b, &items))
	return items
}

type fixture struct {
	env     *sim.Env
	clock   *sim.Fake
	sqs     *sqs.Service
	pipes   *pipes.Service
	lambda  *fakeService
	states  *fakeService
	events  *fakeService
	orders  string // source queue URL
	dlq     string
	out     string // target queue URL
	metrics *metrics.Registry
}

var start = time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clock := sim.NewFake(start)
	reg := &metrics.Registry{}
	env := &sim.Env{Region: "us-east-1", AccountID: account, StackName: "Test", Clock: clock, Latency: latency.Zero(), Metrics: reg}
	f := &fixture{env: env, clock: clock, sqs: sqs.New(env), lambda: &fakeService{}, states: &fakeService{}, events: &fakeService{}, metrics: reg}
	env.Register("lambda", f.lambda)
	env.Register("states", f.states)
	env.Register("events", f.events)
	f.pipes = pipes.New(env, pipes.Options{Pollers: 1})
	t.Cleanup(func() { _ = f.pipes.Close(); _ = f.sqs.Close() })
	f.dlq = f.create(t, "orders-dlq", nil)
	f.orders = f.create(t, "orders", map[string]string{"VisibilityTimeout": "30",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":"3"}`})
	f.out = f.create(t, "out", nil)
	return f
}

func (f *fixture) sqsCall(t testing.TB, op string, in any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(in)
	res, err := f.env.Call(context.Background(), "sqs", op, b)
	require.NoError(t, err, op)
	var m map[string]any
	require.NoError(t, json.Unmarshal(res, &m))
	return m
}

func (f *fixture) create(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	return f.sqsCall(t, "CreateQueue", map[string]any{"QueueName": name, "Attributes": attrs})["QueueUrl"].(string)
}

func (f *fixture) send(t testing.TB, bodies ...string) {
	t.Helper()
	for i := 0; i < len(bodies); i += 10 {
		var entries []map[string]string
		for j := i; j < min(i+10, len(bodies)); j++ {
			entries = append(entries, map[string]string{"Id": strconv.Itoa(j), "MessageBody": bodies[j]})
		}
		f.sqsCall(t, "SendMessageBatch", map[string]any{"QueueUrl": f.orders, "Entries": entries})
	}
}

func (f *fixture) depth(t testing.TB, url string) (visible, inFlight int) {
	t.Helper()
	a := f.sqsCall(t, "GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": []string{"All"}})["Attributes"].(map[string]any)
	visible, _ = strconv.Atoi(a["ApproximateNumberOfMessages"].(string))
	inFlight, _ = strconv.Atoi(a["ApproximateNumberOfMessagesNotVisible"].(string))
	return visible, inFlight
}

// drain receives and deletes every visible message of a queue and returns their bodies.
func (f *fixture) drain(t testing.TB, url string) []string {
	t.Helper()
	var bodies []string
	for {
		r := f.sqsCall(t, "ReceiveMessage", map[string]any{"QueueUrl": url, "MaxNumberOfMessages": 10})
		msgs, _ := r["Messages"].([]any)
		if len(msgs) == 0 {
			return bodies
		}
		for _, m := range msgs {
			mm := m.(map[string]any)
			bodies = append(bodies, mm["Body"].(string))
			f.sqsCall(t, "DeleteMessage", map[string]any{"QueueUrl": url, "ReceiptHandle": mm["ReceiptHandle"]})
		}
	}
}

// counter reads one of the pipe's metrics.
func (f *fixture) counter(name, metric string) int64 {
	return f.metrics.Resource("pipes", name).Snapshot().Counters[metric]
}

// eventually waits for cond on the wall clock (the pipe's pollers run in goroutines).
func eventually(t testing.TB, cond func() bool, msg string, args ...any) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 2*time.Millisecond, fmt.Sprintf(msg, args...))
}

func ptr[T any](v T) *T { return &v }

// sdk starts the Pipes API on an httptest server and returns the real SDK client for it.
func (f *fixture) sdk(t testing.TB) *awspipes.Client {
	t.Helper()
	srv := httptest.NewServer(f.pipes)
	t.Cleanup(srv.Close)
	return awspipes.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
	})
}
