package pipes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqspoll"
)

// executionTimeout is the documented limit of one execution, enrichment and target included
// (eb-pipes-batching-concurrency.html: "a maximum of 5 minutes").
const executionTimeout = 5 * time.Minute

// Metric names (eb-pipes-monitoring.html).
const (
	MetricInvocations              = "Invocations"
	MetricEventCount               = "EventCount"
	MetricExecutionFailed          = "ExecutionFailed"
	MetricExecutionThrottled       = "ExecutionThrottled"
	MetricExecutionTimeout         = "ExecutionTimeout"
	MetricExecutionPartiallyFailed = "ExecutionPartiallyFailed"
	MetricEnrichmentStageFailed    = "EnrichmentStageFailed"
	MetricTargetStageFailed        = "TargetStageFailed"
)

// pipe is one pipe and its pollers.
type pipe struct {
	s  *Service
	id sim.ID

	mu     sync.Mutex
	cfg    *compiled
	cancel context.CancelFunc
	done   chan struct{}

	queueURLs sync.Map // target queue ARN → URL
}

func (p *pipe) snapshot() Description {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.desc.clone()
}

func (p *pipe) config() *compiled {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg
}

func (p *pipe) setState(state, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg.desc.CurrentState, p.cfg.desc.StateReason = state, reason
}

func (p *pipe) count(metric string, n int64) {
	if p.s.env.Metrics != nil {
		p.s.env.Metrics.Resource(ServiceName, p.id.Name()).Add(metric, n)
	}
}

// start launches the pollers unless they run.
func (p *pipe) start() {
	p.mu.Lock()
	if p.cancel != nil {
		p.cfg.desc.CurrentState, p.cfg.desc.StateReason = StateRunning, ""
		p.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p.cancel, p.done = cancel, done
	p.cfg.desc.CurrentState, p.cfg.desc.StateReason = StateRunning, ""
	p.mu.Unlock()
	var wg sync.WaitGroup
	for range p.s.opts.Pollers {
		wg.Go(func() { p.poll(ctx) })
	}
	go func() {
		wg.Wait()
		close(done)
	}()
}

// stop ends the pollers and waits for their batches.
func (p *pipe) stop() {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.cancel, p.done = nil, nil
	p.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// poll is one poller: receive a batch, run it, repeat until the pipe stops. The configuration is
// read once a batch, so an update applies from the next one.
func (p *pipe) poll(ctx context.Context) {
	sqspoll.Poll(ctx, p.s.env, p.batching, func(ctx context.Context, c *compiled, batch []message) bool {
		if len(batch) > 0 {
			p.execute(ctx, c, batch)
		}
		return true
	})
}

// batching is what the next batch is collected with: up to the batch size, or what arrives
// within the batching window, or up to the payload limit.
func (p *pipe) batching() (*compiled, sqspoll.Queue, sqspoll.Batching) {
	c := p.config()
	return c, p.source(c), sqspoll.Batching{Size: c.batchSize, Window: c.window, MaxBytes: payloadLimit(c)}
}

// source is the pipe's source queue as c knows it.
func (p *pipe) source(c *compiled) sqspoll.Queue { return sqspoll.Queue{Env: p.s.env, URL: c.queueURL} }

// execute runs one batch through filter, enrichment and target, then deletes what succeeded.
// What failed stays in flight and returns after the queue's visibility timeout, so the
// source's redrive policy applies (eb-pipes-error-troubleshooting.html, eb-pipes-sqs.html).
func (p *pipe) execute(ctx context.Context, c *compiled, batch []message) {
	events := make([]*Event, 0, len(batch))
	handles := make(map[string]string, len(batch))
	var dropped []string
	for _, msg := range batch {
		ev := sourceEvent(msg, c.desc.Source, p.s.env.Region)
		if len(c.filters) > 0 && !pattern.MatchesAny(c.filters, ev.view) {
			// eb-pipes-event-filtering.html: messages that match no filter are deleted.
			dropped = append(dropped, msg.ReceiptHandle)
			continue
		}
		events = append(events, ev)
		handles[msg.MessageId] = msg.ReceiptHandle
	}
	p.source(c).Delete(ctx, dropped)
	for _, part := range splitBatch(events, payloadLimit(c)) {
		if ctx.Err() != nil {
			return
		}
		p.executeBatch(ctx, c, part, handles)
	}
}

// payloadLimit is the most a batch's JSON array may hold for the pipe's enrichment and target:
// eb-pipes-batching-concurrency.html gives a Step Functions state machine 262,144 characters and
// a Lambda function 6 MB, and says those batches are "constrained by the total payload size of
// the event, rather than the size of the batch".
func payloadLimit(c *compiled) int {
	if c.target.kind == "states" || c.enrichment != nil && c.enrichment.kind == "states" {
		return maxStatesPayload
	}
	return maxPayload
}

// splitBatch cuts a batch into runs of events whose JSON array ([e1,e2,…]) stays within limit;
// an event larger than limit on its own runs alone (and fails where the service refuses it).
func splitBatch(events []*Event, limit int) [][]*Event {
	var out [][]*Event
	start, size := 0, 2 // the brackets
	for i, ev := range events {
		n := len(ev.Raw)
		if i > start {
			n++ // the comma
		}
		if i > start && size+n > limit {
			out = append(out, events[start:i])
			start, size, n = i, 2, len(ev.Raw)
		}
		size += n
	}
	if start < len(events) {
		out = append(out, events[start:])
	}
	return out
}

// executeBatch is one execution: enrichment and target for events, then the deletion of what
// succeeded.
func (p *pipe) executeBatch(ctx context.Context, c *compiled, events []*Event, handles map[string]string) {
	p.count(MetricInvocations, 1)
	p.count(MetricEventCount, int64(len(events)))

	tctx, cancel := sim.WithTimeout(ctx, p.s.clock, executionTimeout)
	defer cancel()
	hctx, hop, err := p.s.env.Begin(tctx, p.id, "Execute", p.s.component())
	var keep map[string]bool
	if err == nil {
		keep, err = p.run(hctx, c, events)
	}
	outcome := sim.OutcomeOf(err)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(tctx), context.DeadlineExceeded) {
		outcome = sim.TimedOut
	}
	hop.End(outcome)
	switch {
	case err != nil && ctx.Err() != nil:
		return // the pipe stopped: the batch returns to the queue
	case outcome == sim.TimedOut:
		p.count(MetricExecutionTimeout, 1)
		return
	case outcome == sim.Throttled:
		p.count(MetricExecutionThrottled, 1)
		_ = p.s.env.Sleep(ctx, time.Second) // back off a little, as a throttled poller does
		return
	case err != nil:
		p.count(MetricExecutionFailed, 1)
		return
	case len(keep) > 0:
		p.count(MetricExecutionPartiallyFailed, 1)
	}
	done := make([]string, 0, len(events))
	for _, ev := range events {
		if !keep[ev.id] {
			done = append(done, handles[ev.id])
		}
	}
	p.source(c).Delete(ctx, done)
}

// run is one execution's enrichment and target stages. It returns the ids of messages to leave
// on the queue (a partial batch failure), or an error when the whole batch failed.
func (p *pipe) run(ctx context.Context, c *compiled, events []*Event) (map[string]bool, error) {
	vars := Vars{PipeARN: c.desc.Arn, PipeName: c.desc.Name, SourceARN: c.desc.Source, EnrichmentARN: c.desc.Enrichment, TargetARN: c.desc.Target}
	items := events
	enriched := false
	if c.enrichment != nil {
		out, err := p.enrich(ctx, c, events, vars)
		if err != nil {
			p.count(MetricEnrichmentStageFailed, 1)
			return nil, fmt.Errorf("enrichment %s: %w", c.desc.Enrichment, err)
		}
		items, enriched = out, true
		if len(items) == 0 {
			// eb-pipes.html#pipes-enrichment-filtering: an empty answer skips the target.
			return nil, nil
		}
	}
	keep, err := p.deliver(ctx, c, items, events, enriched, vars)
	if err != nil {
		p.count(MetricTargetStageFailed, 1)
		return nil, fmt.Errorf("target %s: %w", c.desc.Target, err)
	}
	return keep, nil
}

// render applies a template to an event; without one the event goes as received.
func (p *pipe) render(t *Template, ev *Event, vars Vars) []byte {
	if t == nil {
		return ev.Raw
	}
	vars.IngestionTime = p.s.clock.Now()
	return t.Render(ev, vars)
}

// errNotJSON is a payload for Lambda or Step Functions that an input template made invalid.
var errNotJSON = sim.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "the input template produced an event that is not valid JSON, which Lambda and Step Functions cannot take")

// arrayPayload renders every event and joins them into the JSON array Lambda and Step
// Functions receive (eb-pipes-batching-concurrency.html: "the entire JSON array is sent in one
// request").
func (p *pipe) arrayPayload(t *Template, events []*Event, vars Vars) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, ev := range events {
		if i > 0 {
			b.WriteByte(',')
		}
		item := p.render(t, ev, vars)
		if !json.Valid(item) {
			return nil, errNotJSON
		}
		b.Write(item)
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// enrich calls the enrichment with the batch and returns the events its answer holds.
func (p *pipe) enrich(ctx context.Context, c *compiled, events []*Event, vars Vars) ([]*Event, error) {
	var answer []byte
	switch e := c.enrichment; e.kind {
	case "lambda":
		payload, err := p.arrayPayload(c.enrichTmpl, events, vars)
		if err != nil {
			return nil, err
		}
		if answer, err = p.invokeLambda(ctx, e.arn, "RequestResponse", payload); err != nil {
			return nil, err
		}
	case "states":
		payload, err := p.arrayPayload(c.enrichTmpl, events, vars)
		if err != nil {
			return nil, err
		}
		if answer, err = p.startSync(ctx, e.arn, payload); err != nil {
			return nil, err
		}
	case "apidestination":
		// Validation keeps the batch at one event for API destinations.
		body := p.render(c.enrichTmpl, events[0], vars)
		var err error
		if answer, err = p.invokeAPIDestination(ctx, e.arn, body, c.enrichParam.HttpParameters, events[0]); err != nil {
			return nil, err
		}
	}
	return answerItems(answer), nil
}

// answerItems splits an enrichment's answer into events: an array gives one event per element,
// an empty answer ("", null, {}, []) none, anything else one.
func answerItems(answer []byte) []*Event {
	b := bytes.TrimSpace(answer)
	switch string(b) {
	case "", "null", "{}", "[]", `""`:
		return nil
	}
	if b[0] == '[' {
		var items []json.RawMessage
		if json.Unmarshal(b, &items) == nil {
			out := make([]*Event, 0, len(items))
			for _, it := range items {
				out = append(out, itemEvent(it))
			}
			return out
		}
	}
	return []*Event{itemEvent(b)}
}

// deliver sends the items to the target. sources are the batch's source events, whose ids
// partial failures may name.
func (p *pipe) deliver(ctx context.Context, c *compiled, items, sources []*Event, enriched bool, vars Vars) (map[string]bool, error) {
	switch c.target.kind {
	case "sqs":
		return p.sendSQS(ctx, c, items, enriched, vars)
	case "bus":
		return p.putEvents(ctx, c, items, enriched, vars)
	case "lambda":
		payload, err := p.arrayPayload(c.targetTmpl, items, vars)
		if err != nil {
			return nil, err
		}
		typ := "RequestResponse"
		if c.invocation == FireAndForget {
			typ = "Event"
		}
		answer, err := p.invokeLambda(ctx, c.target.arn, typ, payload)
		if err != nil || typ == "Event" {
			return nil, err
		}
		return batchItemFailures(answer, sources)
	case "states":
		payload, err := p.arrayPayload(c.targetTmpl, items, vars)
		if err != nil {
			return nil, err
		}
		if c.invocation == FireAndForget {
			in, _ := json.Marshal(map[string]string{"stateMachineArn": c.target.arn, "input": string(payload)})
			_, err := p.s.env.Call(ctx, "states", "StartExecution", in)
			return nil, err
		}
		answer, err := p.startSync(ctx, c.target.arn, payload)
		if err != nil {
			return nil, err
		}
		return batchItemFailures(answer, sources)
	case "apidestination":
		for _, ev := range items {
			body := p.render(c.targetTmpl, ev, vars)
			if _, err := p.invokeAPIDestination(ctx, c.target.arn, body, c.targetParam.HttpParameters, ev); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	return nil, fmt.Errorf("target kind %q is not modelled", c.target.kind)
}

// batchItemFailures reads a Lambda or Step Functions target's answer as eb-pipes-sqs.html's
// "Success and failure conditions" describe: an empty answer or list is a complete success;
// invalid JSON, an entry without an itemIdentifier key, an empty or null identifier, or one
// that names no message of the batch is a complete failure.
func batchItemFailures(answer []byte, sources []*Event) (map[string]bool, error) {
	b := bytes.TrimSpace(answer)
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	if !json.Valid(b) {
		return nil, errors.New("the target's answer is not valid JSON")
	}
	var r struct {
		BatchItemFailures []map[string]any `json:"batchItemFailures"`
	}
	if b[0] != '{' || json.Unmarshal(b, &r) != nil {
		return nil, nil
	}
	ids := make(map[string]bool, len(sources))
	for _, ev := range sources {
		ids[ev.id] = true
	}
	keep := map[string]bool{}
	for _, f := range r.BatchItemFailures {
		v, ok := f["itemIdentifier"]
		id, isString := v.(string)
		if !ok || !isString || id == "" || !ids[id] {
			return nil, fmt.Errorf("batchItemFailures entry %v does not name a message of the batch", f)
		}
		keep[id] = true
	}
	return keep, nil
}

// invokeLambda calls Lambda's Invoke. A function error is an error.
func (p *pipe) invokeLambda(ctx context.Context, fn, typ string, payload []byte) ([]byte, error) {
	// Written by hand: payload is already valid JSON, and re-encoding a RawMessage would
	// validate and compact it again.
	in := make([]byte, 0, len(payload)+len(fn)+64)
	in = append(in, `{"FunctionName":`...)
	in = append(in, marshal(fn)...)
	in = append(in, `,"InvocationType":`...)
	in = append(in, marshal(typ)...)
	in = append(in, `,"Payload":`...)
	in = append(in, payload...)
	in = append(in, '}')
	out, err := p.s.env.Call(ctx, "lambda", "Invoke", in)
	if err != nil {
		return nil, err
	}
	var r struct {
		FunctionError string
		Payload       json.RawMessage
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("read Invoke answer: %w", err)
	}
	if r.FunctionError != "" {
		return nil, fmt.Errorf("function error %s: %s", r.FunctionError, r.Payload)
	}
	return r.Payload, nil
}

// startSync runs an Express state machine with StartSyncExecution and returns its output. An
// execution that does not succeed is an error.
func (p *pipe) startSync(ctx context.Context, sm string, payload []byte) ([]byte, error) {
	in, _ := json.Marshal(map[string]string{"stateMachineArn": sm, "input": string(payload)})
	out, err := p.s.env.Call(ctx, "states", "StartSyncExecution", in)
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string `json:"status"`
		Output string `json:"output"`
		Error  string `json:"error"`
		Cause  string `json:"cause"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("read StartSyncExecution answer: %w", err)
	}
	if r.Status != "SUCCEEDED" {
		return nil, fmt.Errorf("execution %s: %s %s", r.Status, r.Error, r.Cause)
	}
	return []byte(r.Output), nil
}

// queueURL finds a target queue's URL once.
func (p *pipe) queueURL(ctx context.Context, c *compiled) (string, error) {
	if u, ok := p.queueURLs.Load(c.target.arn); ok {
		return u.(string), nil
	}
	u, err := p.s.queueURL(ctx, c.target.name)
	if err != nil {
		return "", err
	}
	p.queueURLs.Store(c.target.arn, u)
	return u, nil
}

// sendSQS sends each item as a message with SendMessageBatch, SQS's batch API. A failed entry
// is a partial failure that returns its source message; after an enrichment the items no
// longer map to messages, so any failure returns the whole batch.
func (p *pipe) sendSQS(ctx context.Context, c *compiled, items []*Event, enriched bool, vars Vars) (map[string]bool, error) {
	if len(items) > batchLimitSQS {
		return nil, fmt.Errorf("%d events exceed the SQS target's batch size of %d", len(items), batchLimitSQS)
	}
	url, err := p.queueURL(ctx, c)
	if err != nil {
		return nil, err
	}
	params := c.targetParam.SqsQueueParameters
	entries := make([]map[string]string, len(items))
	for i, ev := range items {
		e := map[string]string{"Id": strconv.Itoa(i), "MessageBody": string(p.render(c.targetTmpl, ev, vars))}
		if params != nil {
			if params.MessageGroupId != "" {
				e["MessageGroupId"] = dynamic(params.MessageGroupId, ev)
			}
			if params.MessageDeduplicationId != "" {
				e["MessageDeduplicationId"] = dynamic(params.MessageDeduplicationId, ev)
			}
		}
		entries[i] = e
	}
	in, _ := json.Marshal(map[string]any{"QueueUrl": url, "Entries": entries})
	out, err := p.s.env.Call(ctx, "sqs", "SendMessageBatch", in)
	if err != nil {
		return nil, err
	}
	var r struct {
		Failed []struct{ Id, Code, Message string }
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("read SendMessageBatch answer: %w", err)
	}
	return entryFailures(len(r.Failed), func(i int) (int, string) {
		n, _ := strconv.Atoi(r.Failed[i].Id)
		return n, r.Failed[i].Code + ": " + r.Failed[i].Message
	}, items, enriched)
}

// entryFailures turns a batch API's failed entries into the messages to keep.
func entryFailures(n int, failed func(int) (index int, reason string), items []*Event, enriched bool) (map[string]bool, error) {
	if n == 0 {
		return nil, nil
	}
	if enriched || n == len(items) {
		_, reason := failed(0)
		return nil, fmt.Errorf("%d of %d entries failed, first: %s", n, len(items), reason)
	}
	keep := map[string]bool{}
	for i := range n {
		idx, _ := failed(i)
		if idx >= 0 && idx < len(items) {
			keep[items[idx].id] = true
		}
	}
	return keep, nil
}

// putEvents sends each item as an event with PutEvents. Defaults for the entry follow what
// Pipes sends: source "Pipe <name>" and detail-type "Event from aws:sqs".
func (p *pipe) putEvents(ctx context.Context, c *compiled, items []*Event, enriched bool, vars Vars) (map[string]bool, error) {
	if len(items) > batchLimitBus {
		return nil, fmt.Errorf("%d events exceed the event bus target's batch size of %d", len(items), batchLimitBus)
	}
	params := c.targetParam.EventBridgeEventBusParameters
	entries := make([]map[string]any, len(items))
	for i, ev := range items {
		e := map[string]any{
			"EventBusName": c.target.arn, "Source": "Pipe " + c.desc.Name, "DetailType": "Event from aws:sqs",
			"Detail": string(p.render(c.targetTmpl, ev, vars)),
		}
		if params != nil {
			if params.Source != "" {
				e["Source"] = dynamic(params.Source, ev)
			}
			if params.DetailType != "" {
				e["DetailType"] = dynamic(params.DetailType, ev)
			}
			if len(params.Resources) > 0 {
				res := make([]string, len(params.Resources))
				for j, r := range params.Resources {
					res[j] = dynamic(r, ev)
				}
				e["Resources"] = res
			}
			if params.Time != "" {
				if t, err := time.Parse(time.RFC3339, dynamic(params.Time, ev)); err == nil {
					e["Time"] = epoch(t)
				}
			}
		}
		entries[i] = e
	}
	in, _ := json.Marshal(map[string]any{"Entries": entries})
	out, err := p.s.env.Call(ctx, "events", "PutEvents", in)
	if err != nil {
		return nil, err
	}
	var r struct {
		FailedEntryCount int
		Entries          []struct{ EventId, ErrorCode, ErrorMessage string }
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("read PutEvents answer: %w", err)
	}
	var failed []int
	for i, e := range r.Entries {
		if e.ErrorCode != "" {
			failed = append(failed, i)
		}
	}
	return entryFailures(len(failed), func(i int) (int, string) {
		e := r.Entries[failed[i]]
		return failed[i], e.ErrorCode + ": " + e.ErrorMessage
	}, items, enriched)
}
