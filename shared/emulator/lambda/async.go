package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Async invocation defaults (AWS): two retries of a function error, events kept up to 6 hours,
// throttles and service errors retried with backoff from 1 s to 5 minutes.
const (
	DefaultMaxRetries = 2
	DefaultMaxAge     = 6 * time.Hour
	throttleBackoffLo = time.Second
	throttleBackoffHi = 5 * time.Minute
)

// InvokeAsync queues an Event invocation and returns once Lambda has accepted it (HTTP 202 on the
// wire). The event then waits in Lambda's internal queue and runs with the retries and the
// OnFailure destination of the function's EventInvokeConfig.
func (s *Service) InvokeAsync(ctx context.Context, nameOrARN string, payload []byte) (string, error) {
	f, err := s.Lookup(nameOrARN)
	if err != nil {
		return "", err
	}
	if len(payload) > MaxAsyncPayload {
		return "", &PayloadTooLargeError{Size: len(payload), Limit: MaxAsyncPayload, Event: true}
	}
	if err := s.env.Spend(ctx, "lambda.invoke", ""); err != nil {
		return "", err
	}
	id := newRequestID()
	f.metrics.Add("async_accepted", 1)
	s.background.Add(1)
	go s.deliver(context.WithoutCancel(ctx), f, id, payload)
	return id, nil
}

// pause waits d between two attempts of an asynchronous invocation; Close ends it early (an
// event still waiting for a retry when the emulator stops is dropped, as Close documents).
func (s *Service) pause(ctx context.Context, d time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	return s.env.Sleep(ctx, d)
}

func (s *Service) deliver(ctx context.Context, f *Function, id string, payload []byte) {
	defer s.background.Done()
	f.metrics.Add("async_queued", 1)
	defer f.metrics.Add("async_queued", -1)
	enqueued := s.env.Now()
	_ = s.env.Spend(ctx, "lambda.async.dwell", "")
	backoff := throttleBackoffLo
	var last Result
	var lastErr error
	attempts := 0
	for {
		if s.closed.Load() {
			return
		}
		if s.env.Now().Sub(enqueued) > f.async.maxAge {
			f.metrics.Add("async_expired", 1)
			break
		}
		res, err := s.Invoke(ctx, f.Name, payload)
		var te *ThrottleError
		if errors.As(err, &te) {
			// Throttles don't use up retry attempts; Lambda backs off and tries again.
			lastErr = err
			if s.pause(ctx, backoff) != nil {
				return
			}
			backoff = min(backoff*2, throttleBackoffHi)
			continue
		}
		attempts++
		last, lastErr = res, err
		if err == nil && res.FunctionError == "" {
			if f.async.onSuccess != "" {
				s.sendRecord(ctx, f, f.async.onSuccess, true, destinationRecord(f, s.env.Now(), id, payload, attempts, res, nil, "Success"))
			}
			return
		}
		if attempts > f.async.maxRetries {
			break
		}
		delay := s.opts.AsyncRetryDelays[min(attempts-1, len(s.opts.AsyncRetryDelays)-1)]
		f.metrics.Add("async_retries", 1)
		if s.pause(ctx, delay) != nil {
			return
		}
	}
	f.metrics.Add("async_failed", 1)
	if f.async.onFailure == "" && f.async.deadLetter == "" {
		f.metrics.Add("async_dropped", 1)
		return
	}
	condition := "RetriesExhausted"
	if attempts == 0 {
		condition = "EventAgeExceeded"
	}
	if f.async.onFailure != "" {
		s.sendRecord(ctx, f, f.async.onFailure, false, destinationRecord(f, s.env.Now(), id, payload, attempts, last, lastErr, condition))
	}
	if f.async.deadLetter != "" {
		s.sendDeadLetter(ctx, f, id, payload, last, lastErr)
	}
}

// sendRecord delivers an invocation record to a destination, as Lambda does: an SQS message
// whose body is the record, an asynchronous invocation of a function, or an EventBridge event
// whose detail is the record
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
func (s *Service) sendRecord(ctx context.Context, f *Function, dest string, success bool, record []byte) {
	var err error
	switch destinationService(dest) {
	case ServiceName:
		_, err = s.InvokeAsync(ctx, dest, record)
	case "sqs":
		err = s.sendToQueue(ctx, dest, string(record), nil)
	case "events":
		detailType := "Lambda Function Invocation Result - Failure"
		if success {
			detailType = "Lambda Function Invocation Result - Success"
		}
		bus := dest
		if a, perr := arn.Parse(dest); perr == nil {
			bus = strings.TrimPrefix(a.Resource, "event-bus/")
		}
		in, _ := json.Marshal(map[string]any{"Entries": []map[string]any{{
			"Source": "lambda", "DetailType": detailType, "Detail": string(record),
			"Resources": []string{f.ARN + ":$LATEST", dest}, "EventBusName": bus,
		}}})
		_, err = s.env.Call(ctx, "events", "PutEvents", in)
	}
	if err != nil {
		f.metrics.Add("async_destination_errors", 1)
		return
	}
	f.metrics.Add("async_destination_deliveries", 1)
}

// sendDeadLetter sends the original event to the function's dead-letter queue with the
// attributes Lambda adds: RequestID, ErrorCode and ErrorMessage
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
func (s *Service) sendDeadLetter(ctx context.Context, f *Function, id string, payload []byte, res Result, err error) {
	msg := res.FunctionError
	if err != nil {
		msg = err.Error()
	} else if len(res.Payload) > 0 {
		var p struct {
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(res.Payload, &p) == nil && p.ErrorMessage != "" {
			msg = p.ErrorMessage
		}
	}
	attrs := map[string]any{
		"RequestID":    map[string]string{"DataType": "String", "StringValue": id},
		"ErrorCode":    map[string]string{"DataType": "Number", "StringValue": "200"},
		"ErrorMessage": map[string]string{"DataType": "String", "StringValue": msg},
	}
	if err := s.sendToQueue(ctx, f.async.deadLetter, string(payload), attrs); err != nil {
		f.metrics.Add("async_dead_letter_errors", 1)
		return
	}
	f.metrics.Add("async_dead_letters", 1)
}

// sendToQueue sends body to the SQS queue named by its ARN, through Env.Call.
func (s *Service) sendToQueue(ctx context.Context, queueARN, body string, attrs map[string]any) error {
	a, err := arn.Parse(queueARN)
	if err != nil {
		return err
	}
	in, _ := json.Marshal(map[string]string{"QueueName": a.Resource, "QueueOwnerAWSAccountId": a.AccountID})
	out, err := s.env.Call(ctx, "sqs", "GetQueueUrl", in)
	if err != nil {
		return err
	}
	var u struct{ QueueUrl string }
	if err := json.Unmarshal(out, &u); err != nil {
		return err
	}
	send := map[string]any{"QueueUrl": u.QueueUrl, "MessageBody": body}
	if attrs != nil {
		send["MessageAttributes"] = attrs
	}
	in, _ = json.Marshal(send)
	_, err = s.env.Call(ctx, "sqs", "SendMessage", in)
	return err
}

// destinationService is the ARN namespace of a destination ("sqs", "lambda", "events", …).
func destinationService(dest string) string {
	a, err := arn.Parse(dest)
	if err != nil {
		return ""
	}
	return a.Service
}

// destinationRecord is the invocation record Lambda sends to a failure destination.
func destinationRecord(f *Function, now time.Time, id string, payload []byte, attempts int, res Result, err error, condition string) []byte {
	rec := map[string]any{
		"version":   "1.0",
		"timestamp": now.UTC().Format(time.RFC3339Nano),
		"requestContext": map[string]any{
			"requestId":              id,
			"functionArn":            f.ARN + ":$LATEST",
			"condition":              condition,
			"approximateInvokeCount": attempts,
		},
		"requestPayload": json.RawMessage(payload),
		"responseContext": map[string]any{
			"statusCode":      200,
			"executedVersion": "$LATEST",
			"functionError":   res.FunctionError,
		},
	}
	if json.Valid(res.Payload) && len(res.Payload) > 0 {
		rec["responsePayload"] = json.RawMessage(res.Payload)
	} else if err != nil {
		rec["responsePayload"] = map[string]string{"errorMessage": err.Error()}
	}
	if !json.Valid(payload) {
		rec["requestPayload"] = string(payload)
	}
	b, _ := json.Marshal(rec)
	return b
}
