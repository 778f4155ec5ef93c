package esm

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqspoll"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqsrecord"
)

// start launches the mapping's controller, which grows and shrinks its pool of pollers.
func (m *Mapping) start() {
	ctx, cancel := context.WithCancel(context.Background())
	m.mu.Lock()
	m.cancel = cancel
	m.done = make(chan struct{})
	done := m.done
	m.mu.Unlock()
	go m.control(ctx, done)
}

// stop ends the pollers and waits for their batches.
func (m *Mapping) stop() {
	m.mu.Lock()
	cancel, done := m.cancel, m.done
	m.cancel, m.done = nil, nil
	m.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// limits returns the starting concurrency, the growth per minute and the ceiling.
func (m *Mapping) limits() (start, perMinute, ceiling int) {
	cfg := m.config()
	start, perMinute, ceiling = initialConcurrency, onDemandPerMinute, onDemandMaxConcurrency
	if p := cfg.ProvisionedPollerConfig; p != nil {
		// Each emulated poller runs one batch at a time, so MaximumPollers caps the concurrent
		// invocations too (see the package doc's limitations).
		perMinute, ceiling = provisionedPerMinute, min(provisionedMaxConcurrency, p.MaximumPollers)
		start = max(start, p.MinimumPollers)
	}
	if c := cfg.ScalingConfig; c != nil && c.MaximumConcurrency > 0 {
		ceiling = min(ceiling, c.MaximumConcurrency)
	}
	return min(start, ceiling), perMinute, ceiling
}

// control runs the pollers. It starts with the documented initial concurrency and, once a
// second on the emulator's clock, adds pollers at the documented rate while every poller found
// messages in its last receive; a poller that receives nothing stops if more than the initial
// number are running.
func (m *Mapping) control(ctx context.Context, done chan struct{}) {
	defer close(done)
	start, perMinute, ceiling := m.limits()
	var wg sync.WaitGroup
	busy := make(chan bool, 64) // pollers report whether their last receive found messages
	var running int
	spawn := func() {
		running++
		m.workers.Add(1)
		wg.Go(func() {
			defer m.workers.Add(-1)
			m.poll(ctx, busy, start)
		})
	}
	for range start {
		spawn()
	}
	var credit float64
	demand := false
	t := m.s.clock().NewTimer(time.Second)
	for {
		select {
		case <-ctx.Done():
			t.Stop()
			wg.Wait()
			return
		case found := <-busy:
			demand = demand || found
			continue
		case <-t.C():
		}
		t = m.s.clock().NewTimer(time.Second)
		running = int(m.workers.Load())
		if !demand || running >= ceiling {
			credit = 0
			demand = false
			continue
		}
		credit += float64(perMinute) / 60
		for credit >= 1 && running < ceiling {
			credit--
			spawn()
		}
		demand = false
	}
}

// poll is one poller: receive a batch, filter, invoke, settle; repeat. It returns when ctx ends,
// or when it found the queue empty and more than floor pollers run.
func (m *Mapping) poll(ctx context.Context, busy chan<- bool, floor int) {
	sqspoll.Poll(ctx, m.s.env, m.batching, func(ctx context.Context, cfg Config, batch []message) bool {
		found := len(batch) > 0
		select {
		case busy <- found:
		default:
		}
		if !found {
			return m.workers.Load() <= int64(floor)
		}
		m.process(ctx, cfg, batch)
		return true
	})
}

// message is one received SQS message in the JSON protocol's shape.
type message = sqsrecord.Message

// batching is what the next batch is collected with: up to BatchSize messages, or what arrives
// within the batching window, or up to Lambda's 6 MB payload.
func (m *Mapping) batching() (Config, sqspoll.Queue, sqspoll.Batching) {
	cfg := m.config()
	return cfg, m.source(), sqspoll.Batching{Size: cfg.BatchSize,
		Window: time.Duration(cfg.MaximumBatchingWindowInSeconds) * time.Second, MaxBytes: maxSyncPayload}
}

// source is the mapping's queue.
func (m *Mapping) source() sqspoll.Queue { return sqspoll.Queue{Env: m.s.env, URL: m.queue} }

// process filters a batch, invokes the function with what is left and settles the messages.
func (m *Mapping) process(ctx context.Context, cfg Config, batch []message) {
	region := m.s.env.Region
	records := make([]record, 0, len(batch))
	var drop []message
	for _, msg := range batch {
		rec := toRecord(msg, cfg.EventSourceArn, region)
		if len(m.filters) > 0 && !m.matches(rec) {
			drop = append(drop, msg)
			continue
		}
		records = append(records, rec)
	}
	if len(drop) > 0 {
		m.filtered.Add(int64(len(drop)))
		m.source().DeleteMessages(ctx, drop)
	}
	if len(records) == 0 {
		return
	}
	payload, _ := json.Marshal(map[string]any{"Records": records})
	n := m.inflight.Add(1)
	for {
		top := m.maxInflight.Load()
		if n <= top || m.maxInflight.CompareAndSwap(top, n) {
			break
		}
	}
	m.invocations.Add(1)
	resp, err := m.invoke(ctx, cfg.FunctionArn, payload)
	m.inflight.Add(-1)
	if err != nil {
		// Throttled or failed: the batch stays in flight and comes back after the visibility
		// timeout with its receive count raised. A throttled poller backs off a little.
		if sim.OutcomeOf(err) == sim.Throttled {
			_ = m.s.env.Sleep(ctx, time.Second)
		}
		return
	}
	keep := m.failures(cfg, resp, records)
	if keep == nil {
		return // the whole batch failed
	}
	var ok []message
	for _, msg := range batch {
		if _, failed := keep[msg.MessageId]; !failed && !containsMsg(drop, msg.MessageId) {
			ok = append(ok, msg)
		}
	}
	m.source().DeleteMessages(ctx, ok)
}

func containsMsg(ms []message, id string) bool {
	for _, x := range ms {
		if x.MessageId == id {
			return true
		}
	}
	return false
}

// invokeResult is Lambda's answer to a synchronous invocation.
type invokeResult struct {
	StatusCode    int             `json:"StatusCode"`
	FunctionError string          `json:"FunctionError"`
	Payload       json.RawMessage `json:"Payload"`
}

func (m *Mapping) invoke(ctx context.Context, fn string, payload []byte) (invokeResult, error) {
	in, _ := json.Marshal(map[string]any{"FunctionName": fn, "InvocationType": "RequestResponse", "Payload": json.RawMessage(payload)})
	out, err := m.s.env.Call(ctx, "lambda", "Invoke", in)
	if err != nil {
		return invokeResult{}, err
	}
	var r invokeResult
	if err := json.Unmarshal(out, &r); err != nil {
		return invokeResult{}, err
	}
	if r.FunctionError != "" {
		return r, errors.New("function error: " + r.FunctionError)
	}
	return r, nil
}

// failures returns the ids to leave on the queue: none (an empty, non-nil map) when the batch
// succeeded, nil when the whole batch must return. Without ReportBatchItemFailures a successful
// invocation deletes everything. With it, an answer that cannot be read, or that names an id not
// in the batch or an empty one, fails the whole batch (services-sqs-errorhandling.html).
func (m *Mapping) failures(cfg Config, resp invokeResult, records []record) map[string]struct{} {
	keep := map[string]struct{}{}
	if len(cfg.FunctionResponseTypes) == 0 {
		return keep
	}
	body := strings.TrimSpace(string(resp.Payload))
	if body == "" || body == "null" || body == "{}" {
		return keep
	}
	var r struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(resp.Payload, &r); err != nil {
		return nil
	}
	ids := map[string]bool{}
	for _, rec := range records {
		ids[rec.MessageID] = true
	}
	for _, f := range r.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" || !ids[*f.ItemIdentifier] {
			return nil
		}
		keep[*f.ItemIdentifier] = struct{}{}
	}
	return keep
}

// record is one message as Lambda hands it to a function.
type record = sqsrecord.Record

func toRecord(msg message, source, region string) record {
	return sqsrecord.FromMessage(msg, source, region)
}

// matches applies the filters to a record: its body is parsed when it is JSON (an object or
// array); otherwise filters see it as a plain string, as invocation-eventfiltering.html says.
func (m *Mapping) matches(rec record) bool {
	view := map[string]any{
		"messageId": rec.MessageID, "receiptHandle": rec.ReceiptHandle, "md5OfBody": rec.MD5OfBody,
		"eventSource": rec.EventSource, "eventSourceARN": rec.EventSourceARN, "awsRegion": rec.AWSRegion,
	}
	attrs := map[string]any{}
	for k, v := range rec.Attributes {
		attrs[k] = v
	}
	view["attributes"] = attrs
	mattrs := map[string]any{}
	for k, v := range rec.MessageAttributes {
		a := map[string]any{"dataType": v.DataType}
		if v.StringValue != nil {
			a["stringValue"] = *v.StringValue
		}
		mattrs[k] = a
	}
	view["messageAttributes"] = mattrs
	view["body"] = rec.Body
	if b := strings.TrimSpace(rec.Body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
		var parsed any
		d := json.NewDecoder(strings.NewReader(b))
		d.UseNumber()
		if d.Decode(&parsed) == nil {
			view["body"] = parsed
		}
	}
	for _, p := range m.filters {
		if p.MatchValue(view) {
			return true
		}
	}
	return false
}
