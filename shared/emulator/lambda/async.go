package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"time"
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
		return "", &PayloadTooLargeError{Size: len(payload), Limit: MaxAsyncPayload}
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
			if s.env.Sleep(ctx, backoff) != nil {
				return
			}
			backoff = min(backoff*2, throttleBackoffHi)
			continue
		}
		attempts++
		last, lastErr = res, err
		if err == nil && res.FunctionError == "" {
			return
		}
		if attempts > f.async.maxRetries {
			break
		}
		delay := s.opts.AsyncRetryDelays[min(attempts-1, len(s.opts.AsyncRetryDelays)-1)]
		f.metrics.Add("async_retries", 1)
		if s.env.Sleep(ctx, delay) != nil {
			return
		}
	}
	f.metrics.Add("async_failed", 1)
	if f.async.onFailure == "" {
		f.metrics.Add("async_dropped", 1)
		return
	}
	record := destinationRecord(f, s.env.Now(), id, payload, attempts, last, lastErr)
	if _, err := s.InvokeAsync(ctx, f.async.onFailure, record); err != nil {
		f.metrics.Add("async_destination_errors", 1)
	}
}

// destinationRecord is the invocation record Lambda sends to a failure destination.
func destinationRecord(f *Function, now time.Time, id string, payload []byte, attempts int, res Result, err error) []byte {
	condition := "RetriesExhausted"
	if attempts == 0 {
		condition = "EventAgeExceeded"
	}
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
