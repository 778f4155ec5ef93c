package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Environment variables the stack sets.
const (
	EnvProviderURL = "PAYMENT_PROVIDER_URL"
	EnvBusName     = "EVENT_BUS_NAME"
	// EnvParallel bounds the charges one invocation runs at once; the stack multiplies it by the
	// event source mapping's MaximumConcurrency to stay within the provider's capacity.
	EnvParallel = "MAX_PARALLEL_CHARGES"
)

// ErrorDeclined is the error name a declined card ends the payment task with.
const ErrorDeclined = "Payment.Declined"

// Source is the EventBridge source of the events the worker publishes.
const Source = "emilys-pastries.payments"

// Request is a payment queue message, as the OrderLifecycle workflow sends it.
type Request struct {
	OrderID   string `json:"order_id"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Email     string `json:"email"`
	TaskToken string `json:"task_token"`
}

// Paid is the payment task's output on success.
type Paid struct {
	PaymentRef string `json:"payment_ref"`
	ChargedAt  string `json:"charged_at"`
}

// Charger charges a card; *payment.Client is one.
type Charger interface {
	Charge(ctx context.Context, req payment.ChargeRequest, idempotencyKey string) (payment.Charge, error)
}

// Tasks answers waiting task tokens; *sfn.Client is one.
type Tasks interface {
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// Events publishes events; *eventbridge.Client is one.
type Events interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Queue shortens a failed message's wait before its next receive; *sqs.Client is one.
type Queue interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Worker is the payment-worker handler.
type Worker struct {
	charger  Charger
	tasks    Tasks
	events   Events
	bus      string
	parallel int
	now      func() time.Time

	queue Queue    // nil: a failed message waits out the queue's visibility timeout
	urls  sync.Map // queue ARN → URL
}

// Backoff makes the worker retry a failed message after RetryDelay(its receive count) instead
// of the queue's whole visibility timeout (60 s): after a provider outage, payments resume
// within seconds of its return, while a long outage is still retried less and less often.
func (w *Worker) Backoff(q Queue) *Worker {
	w.queue = q
	return w
}

// RetryDelay is how long a message received n times waits before its next receive after a
// failure: 5 s, 10 s, 20 s, 40 s, then the 60 s of the visibility timeout.
func RetryDelay(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, time.Minute)
}

// NewWorker builds the handler from the function's environment.
func NewWorker(_ context.Context, cfg aws.Config, getenv func(string) string) (*Worker, error) {
	url := getenv(EnvProviderURL)
	if url == "" {
		return nil, fmt.Errorf("%s is not set; the stack sets it to the payment provider's URL", EnvProviderURL)
	}
	bus := getenv(EnvBusName)
	if bus == "" {
		return nil, fmt.Errorf("%s is not set; the stack sets it to the stage's event bus", EnvBusName)
	}
	parallel := 5
	if v := getenv(EnvParallel); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s must be a whole number of at least 1, got %q", EnvParallel, v)
		}
		parallel = n
	}
	return New(payment.NewClient(url, cfg.HTTPClient), sfn.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg), bus, parallel).
		Backoff(sqs.NewFromConfig(cfg)), nil
}

// New builds a worker from its dependencies.
func New(c Charger, t Tasks, e Events, bus string, parallel int) *Worker {
	return &Worker{charger: c, tasks: t, events: e, bus: bus, parallel: max(1, parallel), now: time.Now}
}

// Handle charges every record of the batch, at most parallel at a time, and reports the records
// to retry.
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	failed := make([]bool, len(ev.Records))
	sem := make(chan struct{}, w.parallel)
	var wg sync.WaitGroup
	for i, rec := range ev.Records {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := w.process(ctx, rec); err != nil {
				fmt.Printf("payment-worker: message %s: %v\n", rec.MessageId, err)
				failed[i] = true
				w.backOff(ctx, rec)
			}
		}()
	}
	wg.Wait()
	var resp events.SQSEventResponse
	for i, f := range failed {
		if f {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: ev.Records[i].MessageId})
		}
	}
	return resp, nil
}

// process charges one record; an error means the record goes back to the queue.
func (w *Worker) process(ctx context.Context, rec events.SQSMessage) error {
	var req Request
	if err := json.Unmarshal([]byte(rec.Body), &req); err != nil || req.OrderID == "" || req.TaskToken == "" {
		// A malformed message will never succeed: retrying it only delays its trip to the DLQ,
		// where people look at it. Failing it sends it there after maxReceiveCount receives.
		return fmt.Errorf("decode payment request: want order_id and task_token in %q", truncate(rec.Body))
	}
	ch, err := w.charger.Charge(ctx, payment.ChargeRequest{OrderID: req.OrderID, Amount: req.Amount, Currency: req.Currency,
		CustomerEmail: req.Email}, req.OrderID)
	switch {
	case errors.Is(err, payment.ErrDeclined):
		_, err := w.tasks.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: &req.TaskToken,
			Error: aws.String(ErrorDeclined), Cause: aws.String("card declined, charge " + ch.ID)})
		if gone(err) {
			return nil // the order already failed; nothing was taken
		}
		return wrap("report decline", req.OrderID, err)
	case err != nil:
		return fmt.Errorf("charge order %s: %w", req.OrderID, err)
	}
	out, _ := json.Marshal(Paid{PaymentRef: ch.ID, ChargedAt: w.now().UTC().Format(time.RFC3339Nano)})
	_, err = w.tasks.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &req.TaskToken, Output: aws.String(string(out))})
	if gone(err) {
		// The execution stopped waiting (timed out or failed) after the money was taken.
		return w.orphaned(ctx, req, ch)
	}
	return wrap("report payment", req.OrderID, err)
}

// backOff sets a failed message's visibility to RetryDelay of its receive count. If that fails,
// the message simply waits out the queue's visibility timeout.
func (w *Worker) backOff(ctx context.Context, rec events.SQSMessage) {
	if w.queue == nil || rec.ReceiptHandle == "" {
		return
	}
	n, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	d := RetryDelay(max(n, 1))
	url, err := w.queueURL(ctx, rec.EventSourceARN)
	if err == nil {
		_, err = w.queue.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url,
			ReceiptHandle: &rec.ReceiptHandle, VisibilityTimeout: int32(d / time.Second)})
	}
	if err != nil {
		fmt.Printf("payment-worker: message %s: retry after the visibility timeout: %v\n", rec.MessageId, err)
	}
}

// queueURL finds a queue's URL from its ARN once.
func (w *Worker) queueURL(ctx context.Context, queueARN string) (string, error) {
	if u, ok := w.urls.Load(queueARN); ok {
		return u.(string), nil
	}
	a, err := arn.Parse(queueARN)
	if err != nil {
		return "", fmt.Errorf("event source %q is not a queue ARN: %w", queueARN, err)
	}
	out, err := w.queue.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &a.Resource, QueueOwnerAWSAccountId: &a.AccountID})
	if err != nil {
		return "", err
	}
	w.urls.Store(queueARN, aws.ToString(out.QueueUrl))
	return aws.ToString(out.QueueUrl), nil
}

// orphaned announces a charge whose order no longer waits for it.
func (w *Worker) orphaned(ctx context.Context, req Request, ch payment.Charge) error {
	detail, _ := json.Marshal(map[string]any{"order_id": req.OrderID, "charge_id": ch.ID, "amount": ch.Amount,
		"currency": ch.Currency, "email": req.Email})
	out, err := w.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		EventBusName: &w.bus, Source: aws.String(Source), DetailType: aws.String("PaymentOrphaned"), Detail: aws.String(string(detail)),
	}}})
	if err != nil {
		return wrap("announce orphaned payment", req.OrderID, err)
	}
	if out.FailedEntryCount > 0 {
		return fmt.Errorf("announce orphaned payment of order %s: %s", req.OrderID, aws.ToString(out.Entries[0].ErrorMessage))
	}
	return nil
}

// gone reports whether the task token no longer waits: the execution ended or timed out.
func gone(err error) bool {
	var timedOut *sfntypes.TaskTimedOut
	var missing *sfntypes.TaskDoesNotExist
	var invalid *sfntypes.InvalidToken
	return errors.As(err, &timedOut) || errors.As(err, &missing) || errors.As(err, &invalid)
}

func wrap(what, orderID string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s of order %s: %w", what, orderID, err)
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
