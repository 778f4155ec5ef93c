package payments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// recordingTasks remembers the task answers; timedOut makes every answer fail as if the
// execution had stopped waiting.
type recordingTasks struct {
	mu        sync.Mutex
	successes []sfn.SendTaskSuccessInput
	failures  []sfn.SendTaskFailureInput
	timedOut  bool
}

func (r *recordingTasks) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timedOut {
		return nil, &sfntypes.TaskTimedOut{Message: aws.String("task timed out")}
	}
	r.successes = append(r.successes, *in)
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (r *recordingTasks) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timedOut {
		return nil, &sfntypes.TaskTimedOut{Message: aws.String("task timed out")}
	}
	r.failures = append(r.failures, *in)
	return &sfn.SendTaskFailureOutput{}, nil
}

type recordingEvents struct {
	mu      sync.Mutex
	entries []string
}

func (r *recordingEvents) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range in.Entries {
		r.entries = append(r.entries, aws.ToString(e.DetailType))
	}
	return &eventbridge.PutEventsOutput{}, nil
}

// alwaysBusy is a provider with no free worker.
type alwaysBusy struct{}

func (alwaysBusy) Charge(context.Context, payment.ChargeRequest, string) (payment.Charge, error) {
	return payment.Charge{}, &payment.BusyError{StatusCode: 503, Message: "no worker free"}
}

// provider starts the real provider behind httptest with instant charges.
func provider(t *testing.T) (*payment.Client, *payment.Provider) {
	t.Helper()
	p, err := payment.New(payment.Config{Capacity: 20, ServiceTime: payment.ServiceTimeFunc(func(context.Context) error { return nil })})
	require.NoError(t, err)
	srv := httptest.NewServer(payment.NewHandler(p))
	t.Cleanup(srv.Close)
	return payment.NewClient(srv.URL, srv.Client()), p
}

func record(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body}
}

func request(orderID, email string) string {
	b, _ := json.Marshal(payments.Request{OrderID: orderID, Amount: 576, Currency: "GBP", Email: email, TaskToken: "token-" + orderID})
	return string(b)
}

// Behaviour of partial batch responses: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
// Task tokens: https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
func TestHandle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		charger       func(*payment.Client) payments.Charger
		timedOut      bool
		records       []events.SQSMessage
		wantFailed    []string
		wantSuccesses int
		wantDeclines  int
		wantEvents    []string
	}{
		{name: "an approved card ends the task with its payment reference",
			records:       []events.SQSMessage{record("m1", request("o-1", payment.ApprovedTestEmail))},
			wantSuccesses: 1},
		{name: "a declined card fails the task with Payment.Declined",
			records:      []events.SQSMessage{record("m1", request("o-1", payment.DeclinedTestEmail))},
			wantDeclines: 1},
		{name: "a busy provider sends the record back to the queue",
			charger:    func(*payment.Client) payments.Charger { return alwaysBusy{} },
			records:    []events.SQSMessage{record("m1", request("o-1", payment.ApprovedTestEmail)), record("m2", request("o-2", payment.ApprovedTestEmail))},
			wantFailed: []string{"m1", "m2"}},
		{name: "a malformed message fails alone, the rest of the batch succeeds",
			records:       []events.SQSMessage{record("m1", "{"), record("m2", request("o-2", payment.ApprovedTestEmail))},
			wantFailed:    []string{"m1"},
			wantSuccesses: 1},
		{name: "a charge whose execution stopped waiting is announced as orphaned",
			timedOut:   true,
			records:    []events.SQSMessage{record("m1", request("o-1", payment.ApprovedTestEmail))},
			wantEvents: []string{"PaymentOrphaned"}},
		{name: "a decline for an execution that stopped waiting is dropped",
			timedOut: true,
			records:  []events.SQSMessage{record("m1", request("o-1", payment.DeclinedTestEmail))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, _ := provider(t)
			var c payments.Charger = client
			if tt.charger != nil {
				c = tt.charger(client)
			}
			tasks := &recordingTasks{timedOut: tt.timedOut}
			evs := &recordingEvents{}
			w := payments.New(c, tasks, evs, "bus", 5)
			resp, err := w.Handle(context.Background(), events.SQSEvent{Records: tt.records})
			require.NoError(t, err)
			var failed []string
			for _, f := range resp.BatchItemFailures {
				failed = append(failed, f.ItemIdentifier)
			}
			assert.ElementsMatch(t, tt.wantFailed, failed)
			assert.Len(t, tasks.successes, tt.wantSuccesses)
			assert.Len(t, tasks.failures, tt.wantDeclines)
			for _, f := range tasks.failures {
				assert.Equal(t, payments.ErrorDeclined, aws.ToString(f.Error))
			}
			for _, s := range tasks.successes {
				var paid payments.Paid
				require.NoError(t, json.Unmarshal([]byte(aws.ToString(s.Output)), &paid))
				assert.NotEmpty(t, paid.PaymentRef)
			}
			assert.Equal(t, tt.wantEvents, evs.entries)
		})
	}
}

// TestRedeliveryNeverChargesTwice: SQS delivers at least once, so the same record may come back
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html);
// the order id as idempotency key makes the second charge a replay.
func TestRedeliveryNeverChargesTwice(t *testing.T) {
	t.Parallel()
	client, p := provider(t)
	tasks := &recordingTasks{}
	w := payments.New(client, tasks, &recordingEvents{}, "bus", 5)
	batch := events.SQSEvent{Records: []events.SQSMessage{record("m1", request("o-1", payment.ApprovedTestEmail))}}
	for range 3 {
		resp, err := w.Handle(context.Background(), batch)
		require.NoError(t, err)
		assert.Empty(t, resp.BatchItemFailures)
	}
	s := p.Stats()
	assert.Equal(t, int64(1), s.Succeeded)
	assert.Zero(t, s.DuplicateCharges)
	require.Len(t, tasks.successes, 3)
	assert.Equal(t, aws.ToString(tasks.successes[0].Output)[:30], aws.ToString(tasks.successes[2].Output)[:30], "the same payment reference")
}

// gate is a charger that counts charges in flight and lets them through only once want of them
// are waiting together, which proves they run in parallel.
type gate struct {
	mu       sync.Mutex
	inFlight int
	maxSeen  int
	want     int
	open     chan struct{}
	once     sync.Once
}

func (g *gate) Charge(ctx context.Context, req payment.ChargeRequest, _ string) (payment.Charge, error) {
	g.mu.Lock()
	g.inFlight++
	g.maxSeen = max(g.maxSeen, g.inFlight)
	if g.inFlight == g.want {
		g.once.Do(func() { close(g.open) })
	}
	g.mu.Unlock()
	defer func() { g.mu.Lock(); g.inFlight--; g.mu.Unlock() }()
	select {
	case <-g.open:
		return payment.Charge{ID: "ch_" + req.OrderID, Status: payment.StatusSucceeded, OrderID: req.OrderID}, nil
	case <-ctx.Done():
		return payment.Charge{}, ctx.Err()
	}
}

func TestHandleChargesInParallelWithinTheBound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		parallel int
		records  int
	}{
		{"a batch of five, five at once", 5, 5},
		{"a batch of five, at most two at once", 2, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := &gate{want: min(tt.parallel, tt.records), open: make(chan struct{})}
			tasks := &recordingTasks{}
			w := payments.New(g, tasks, &recordingEvents{}, "bus", tt.parallel)
			var batch events.SQSEvent
			for i := range tt.records {
				batch.Records = append(batch.Records, record(fmt.Sprint("m", i), request(fmt.Sprint("o-", i), payment.ApprovedTestEmail)))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			resp, err := w.Handle(ctx, batch)
			require.NoError(t, err)
			assert.Empty(t, resp.BatchItemFailures)
			assert.Equal(t, tt.parallel, g.maxSeen)
			assert.Len(t, tasks.successes, tt.records)
		})
	}
}

func TestNewWorkerNeedsItsEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"no provider", map[string]string{payments.EnvBusName: "bus"}, payments.EnvProviderURL},
		{"no bus", map[string]string{payments.EnvProviderURL: "http://payment.internal"}, payments.EnvBusName},
		{"a parallelism of zero", map[string]string{payments.EnvProviderURL: "http://payment.internal", payments.EnvBusName: "bus", payments.EnvParallel: "0"}, payments.EnvParallel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := payments.NewWorker(context.Background(), aws.Config{}, func(k string) string { return tt.env[k] })
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// busyFor turns charges of the listed orders away as a provider with no free worker does, and
// passes the others to the real provider.
type busyFor struct {
	next   payments.Charger
	orders map[string]bool
}

func (b busyFor) Charge(ctx context.Context, req payment.ChargeRequest, key string) (payment.Charge, error) {
	if b.orders[req.OrderID] {
		return payment.Charge{}, &payment.BusyError{StatusCode: 503, Message: "no worker free"}
	}
	return b.next.Charge(ctx, req, key)
}

// TestParallelBatch is 05's batch of five charged in parallel in one invocation: a record SQS
// delivered twice in the same batch (at-least-once delivery:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html)
// is charged once, and only the records the provider turned away are reported as batch item
// failures (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html), while
// the rest of the batch succeeds.
func TestParallelBatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		records       []events.SQSMessage
		busy          []string
		wantFailed    []string
		wantCharged   int64
		wantSuccesses int
	}{
		{name: "five orders, five charges",
			records: []events.SQSMessage{record("m1", request("o-1", payment.ApprovedTestEmail)), record("m2", request("o-2", payment.ApprovedTestEmail)),
				record("m3", request("o-3", payment.ApprovedTestEmail)), record("m4", request("o-4", payment.ApprovedTestEmail)), record("m5", request("o-5", payment.ApprovedTestEmail))},
			wantCharged: 5, wantSuccesses: 5},
		{name: "the same order twice in one batch is charged once",
			records: []events.SQSMessage{record("m1", request("o-1", payment.ApprovedTestEmail)), record("m1-again", request("o-1", payment.ApprovedTestEmail)),
				record("m2", request("o-2", payment.ApprovedTestEmail))},
			wantCharged: 2, wantSuccesses: 3},
		{name: "records the provider turns away come back, the others are paid",
			records: []events.SQSMessage{record("m1", request("o-1", payment.ApprovedTestEmail)), record("m2", request("o-2", payment.ApprovedTestEmail)),
				record("m3", request("o-3", payment.ApprovedTestEmail)), record("m4", request("o-4", payment.ApprovedTestEmail)), record("m5", request("o-5", payment.ApprovedTestEmail))},
			busy: []string{"o-2", "o-5"}, wantFailed: []string{"m2", "m5"}, wantCharged: 3, wantSuccesses: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, p := provider(t)
			busy := map[string]bool{}
			for _, o := range tt.busy {
				busy[o] = true
			}
			tasks := &recordingTasks{}
			w := payments.New(busyFor{next: client, orders: busy}, tasks, &recordingEvents{}, "bus", 5)
			resp, err := w.Handle(context.Background(), events.SQSEvent{Records: tt.records})
			require.NoError(t, err)
			var failed []string
			for _, f := range resp.BatchItemFailures {
				failed = append(failed, f.ItemIdentifier)
			}
			assert.ElementsMatch(t, tt.wantFailed, failed)
			s := p.Stats()
			assert.Equal(t, tt.wantCharged, s.Succeeded)
			assert.Zero(t, s.DuplicateCharges)
			assert.Len(t, tasks.successes, tt.wantSuccesses)
		})
	}
}

// TestTwoRegionsOneCharge: the provider's idempotency keys are global across its regional
// endpoints, and the key is the order id, so an order whose payment request reaches both
// regions' workers (a retried order after failover) is charged once.
func TestTwoRegionsOneCharge(t *testing.T) {
	t.Parallel()
	client, p := provider(t)
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		w := payments.New(client, &recordingTasks{}, &recordingEvents{}, "bus-"+region, 5)
		resp, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record("m-"+region, request("o-1", payment.ApprovedTestEmail))}})
		require.NoError(t, err)
		assert.Empty(t, resp.BatchItemFailures)
	}
	s := p.Stats()
	assert.Equal(t, int64(1), s.Succeeded)
	assert.Equal(t, int64(1), s.Replayed)
	assert.Zero(t, s.DuplicateCharges)
}

// recordingQueue remembers the visibility changes the worker asks for.
type recordingQueue struct {
	mu      sync.Mutex
	lookups int
	changes map[string]int32 // receipt handle → visibility timeout (s)
}

func (q *recordingQueue) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.lookups++
	return &sqs.GetQueueUrlOutput{QueueUrl: aws.String("https://sqs.eu-west-1.amazonaws.com/" + aws.ToString(in.QueueOwnerAWSAccountId) + "/" + aws.ToString(in.QueueName))}, nil
}

func (q *recordingQueue) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.changes == nil {
		q.changes = map[string]int32{}
	}
	if !strings.HasSuffix(aws.ToString(in.QueueUrl), "/123456789012/Payment") {
		return nil, fmt.Errorf("unexpected queue URL %q", aws.ToString(in.QueueUrl))
	}
	q.changes[aws.ToString(in.ReceiptHandle)] = in.VisibilityTimeout
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

// A failed payment comes back after a growing delay set with ChangeMessageVisibility instead of
// the queue's whole visibility timeout, so payments resume soon after a provider outage
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html:
// "you can change the visibility timeout of a message … to extend or shorten it").
func TestFailedPaymentsBackOff(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute},
		[]time.Duration{payments.RetryDelay(1), payments.RetryDelay(2), payments.RetryDelay(3), payments.RetryDelay(4), payments.RetryDelay(5), payments.RetryDelay(9)})
	client, _ := provider(t)
	tests := []struct {
		name    string
		charger payments.Charger
		want    map[string]int32
	}{
		{"a busy provider: each failed message waits by its receive count", alwaysBusy{}, map[string]int32{"rh-1": 5, "rh-3": 20}},
		{"a charge that succeeds changes nothing", client, map[string]int32{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &recordingQueue{changes: map[string]int32{}}
			w := payments.New(tt.charger, &recordingTasks{}, &recordingEvents{}, "bus", 5).Backoff(q)
			rec := func(id string, n string) events.SQSMessage {
				m := record("m-"+id, request("o-"+id, payment.ApprovedTestEmail))
				m.ReceiptHandle, m.EventSourceARN = "rh-"+n, "arn:aws:sqs:eu-west-1:123456789012:Payment"
				m.Attributes = map[string]string{"ApproximateReceiveCount": n}
				return m
			}
			_, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{rec("a", "1"), rec("b", "3")}})
			require.NoError(t, err)
			assert.Equal(t, tt.want, q.changes)
			assert.LessOrEqual(t, q.lookups, 1, "the queue's URL is looked up once")
		})
	}
}
