package eventbridge

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

var epochStart = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

type fixture struct {
	env    *sim.Env
	clock  *sim.Fake
	svc    *Service
	sqs    *sqs.Service
	events *eb.Client
	queues *awssqs.Client
}

// newFixture starts EventBridge and the real SQS service in one sim.Env on a fake clock, behind
// an httptest server the SDK clients talk to.
func newFixture(t testing.TB, opts Options) *fixture {
	t.Helper()
	clock := sim.NewFake(epochStart)
	env := &sim.Env{Region: "us-east-1", AccountID: "123456789012", StackName: "Stack", Latency: latency.Zero(), Metrics: &metrics.Registry{}, Clock: clock}
	q := sqs.New(env)
	svc := New(env, opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if svc.Serves(r) {
			svc.ServeHTTP(w, r)
			return
		}
		q.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, svc.Close())
		require.NoError(t, q.Close())
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client()}
	return &fixture{env: env, clock: clock, svc: svc, sqs: q, events: eb.NewFromConfig(cfg), queues: awssqs.NewFromConfig(cfg)}
}

func (f *fixture) queue(t testing.TB, name string) (url, arn string) {
	t.Helper()
	out, err := f.queues.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl), f.env.ARN("sqs", name)
}

func (f *fixture) rule(t testing.TB, bus, name, pattern string, targets ...ebtypes.Target) string {
	t.Helper()
	ctx := context.Background()
	out, err := f.events.PutRule(ctx, &eb.PutRuleInput{Name: aws.String(name), EventBusName: aws.String(bus), EventPattern: aws.String(pattern)})
	require.NoError(t, err)
	if len(targets) > 0 {
		res, err := f.events.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String(name), EventBusName: aws.String(bus), Targets: targets})
		require.NoError(t, err)
		require.Zero(t, res.FailedEntryCount, "%+v", res.FailedEntries)
	}
	return aws.ToString(out.RuleArn)
}

func (f *fixture) put(t testing.TB, entries ...ebtypes.PutEventsRequestEntry) *eb.PutEventsOutput {
	t.Helper()
	out, err := f.events.PutEvents(context.Background(), &eb.PutEventsInput{Entries: entries})
	require.NoError(t, err)
	return out
}

func entry(source, detailType, detail string) ebtypes.PutEventsRequestEntry {
	return ebtypes.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(detail)}
}

// receive waits (in real time, the delivery being asynchronous) for n messages on a queue.
func (f *fixture) receive(t testing.TB, url string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	require.Eventually(t, func() bool {
		out, err := f.queues.ReceiveMessage(context.Background(), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
		require.NoError(t, err)
		for _, m := range out.Messages {
			got = append(got, m)
			_, err := f.queues.DeleteMessage(context.Background(), &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
		return len(got) >= n
	}, 5*time.Second, 5*time.Millisecond)
	return got
}

// empty checks that nothing arrives on a queue within a short real-time wait.
func (f *fixture) empty(t testing.TB, url string) {
	t.Helper()
	time.Sleep(50 * time.Millisecond)
	out, err := f.queues.ReceiveMessage(context.Background(), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Empty(t, out.Messages)
}

// drive advances the fake clock by step whenever a timer waits, until done.
func (f *fixture) drive(t testing.TB, step time.Duration, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		require.True(t, time.Now().Before(deadline), "gave up driving the clock")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		if f.clock.WaitForTimers(ctx, 1) == nil {
			f.clock.Advance(step)
		}
		cancel()
	}
}

func (f *fixture) counter(busRule, name string) int64 {
	return f.env.Metrics.Resource(ServiceName, busRule).Snapshot().Counters[name]
}

func (f *fixture) provision(t testing.TB, logicalID, typ string, props map[string]any) sim.Physical {
	t.Helper()
	p, err := f.svc.Provision(context.Background(), &cfn.Resource{LogicalID: logicalID, Type: typ}, props)
	require.NoError(t, err)
	return p
}

// fakeLambda is a hand-written Lambda for Env.Call: it records payloads and answers with err.
type fakeLambda struct {
	mu       sync.Mutex
	payloads []string
	err      error
}

func (l *fakeLambda) Call(_ context.Context, op string, input []byte) ([]byte, error) {
	var in struct {
		InvocationType string
		Payload        json.RawMessage
	}
	_ = json.Unmarshal(input, &in)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.payloads = append(l.payloads, string(in.Payload))
	if l.err != nil {
		return nil, l.err
	}
	return []byte(`{"StatusCode":202}`), nil
}

func (l *fakeLambda) calls() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.payloads)
}

func attr(m sqstypes.Message, name string) string {
	if a, ok := m.MessageAttributes[name]; ok {
		return aws.ToString(a.StringValue)
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

type awssqsCreate = awssqs.CreateQueueInput
