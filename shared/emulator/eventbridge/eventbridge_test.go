package eventbridge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// A put-events entry that matches a rule with an SQS target and an input transformer arrives
// transformed in the queue.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
func TestPutEventsToQueueWithInputTransformer(t *testing.T) {
	f := newFixture(t, Options{})
	url, queueARN := f.queue(t, "orders")
	ruleARN := f.rule(t, "default", "paid", `{"source":["bakery.orders"],"detail-type":["OrderPaid"],"detail":{"total":[{"numeric":[">",0]}]}}`,
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN), InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"order": "$.detail.order", "total": "$.detail.total"},
			InputTemplate: aws.String(`{"order": <order>, "total": <total>, "text": "order <order> paid", "rule": <aws.events.rule-name>}`),
		}})
	out := f.put(t,
		entry("bakery.orders", "OrderPaid", `{"order":"o-1","total":12.5}`),
		entry("bakery.orders", "OrderPaid", `{"order":"o-2","total":0}`), // does not match numeric > 0
		entry("bakery.kitchen", "OrderPaid", `{"order":"o-3","total":3}`),
	)
	assert.Equal(t, int32(0), out.FailedEntryCount)
	require.Len(t, out.Entries, 3)
	for _, e := range out.Entries {
		assert.Len(t, aws.ToString(e.EventId), 36)
	}
	msgs := f.receive(t, url, 1)
	require.Len(t, msgs, 1)
	assert.JSONEq(t, `{"order":"o-1","total":12.5,"text":"order o-1 paid","rule":"paid"}`, aws.ToString(msgs[0].Body))
	f.empty(t, url)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/paid", ruleARN)
	assert.Equal(t, int64(1), f.counter("default/paid", "MatchedEvents"))
	assert.Equal(t, int64(1), f.counter("default/paid", "Invocations"))
	assert.Equal(t, int64(1), f.counter("default/paid", "InvocationAttempts"))
}

// Without an input setting the target gets the whole event in EventBridge's envelope.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
func TestEventEnvelope(t *testing.T) {
	f := newFixture(t, Options{})
	url, queueARN := f.queue(t, "all")
	f.rule(t, "default", "all", `{"source":["bakery.orders"]}`, ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN)})
	e := entry("bakery.orders", "OrderPlaced", `{ "order": "o-1" }`)
	e.Resources = []string{"arn:aws:dynamodb:us-east-1:123456789012:table/orders"}
	e.Time = aws.Time(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	out := f.put(t, e)
	msg := f.receive(t, url, 1)[0]
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(msg.Body)), &got))
	assert.Equal(t, map[string]any{"version": "0", "id": aws.ToString(out.Entries[0].EventId), "detail-type": "OrderPlaced", "source": "bakery.orders",
		"account": "123456789012", "time": "2026-03-01T10:00:00Z", "region": "us-east-1",
		"resources": []any{"arn:aws:dynamodb:us-east-1:123456789012:table/orders"}, "detail": map[string]any{"order": "o-1"}}, got)
}

// Failing targets are retried with backoff per the RetryPolicy, then the event goes to the DLQ
// with RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION and
// RETRY_ATTEMPTS; errors that retrying cannot fix go there at once.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
func TestRetriesThenDeadLetterQueue(t *testing.T) {
	tests := []struct {
		name          string
		err           error
		policy        *ebtypes.RetryPolicy
		wantCalls     int
		wantCode      string
		wantExhausted string
		wantRetries   string
	}{
		{name: "retries exhausted", err: sim.Errorf(http.StatusInternalServerError, "ServiceException", "boom"),
			policy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(3)}, wantCalls: 4, wantCode: "ERROR_FROM_TARGET", wantExhausted: "MaximumRetryAttempts", wantRetries: "3"},
		{name: "throttled until the event is too old", err: sim.Errorf(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded."),
			policy: &ebtypes.RetryPolicy{MaximumEventAgeInSeconds: aws.Int32(60)}, wantCalls: 6, wantCode: "THROTTLING", wantExhausted: "MaximumEventAgeInSeconds", wantRetries: "5"},
		{name: "function does not exist: no retries", err: sim.Errorf(http.StatusNotFound, "ResourceNotFoundException", "Function not found"),
			wantCalls: 1, wantCode: "NO_RESOURCE", wantRetries: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			lambda := &fakeLambda{err: tt.err}
			f.env.Register("lambda", lambda)
			dlqURL, dlqARN := f.queue(t, "dlq")
			fn := f.env.ARN("lambda", "function:Stack-Notify")
			ruleARN := f.rule(t, "default", "notify", `{"source":["bakery.orders"]}`, ebtypes.Target{Id: aws.String("fn"), Arn: aws.String(fn),
				RetryPolicy: tt.policy, DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}})
			out := f.put(t, entry("bakery.orders", "OrderPlaced", `{"order":"o-1"}`))

			var msgs []string
			f.drive(t, 7*time.Second, func() bool {
				got, err := f.sqs.Stats("dlq")
				require.NoError(t, err)
				return got.Visible > 0
			})
			m := f.receive(t, dlqURL, 1)[0]
			msgs = append(msgs, aws.ToString(m.Body))
			assert.Equal(t, tt.wantCalls, lambda.calls())
			var ev map[string]any
			require.NoError(t, json.Unmarshal([]byte(msgs[0]), &ev))
			assert.Equal(t, aws.ToString(out.Entries[0].EventId), ev["id"], "the DLQ gets the original event")
			assert.Equal(t, ruleARN, attr(m, "RULE_ARN"))
			assert.Equal(t, fn, attr(m, "TARGET_ARN"))
			assert.Equal(t, tt.wantCode, attr(m, "ERROR_CODE"))
			assert.NotEmpty(t, attr(m, "ERROR_MESSAGE"))
			assert.Equal(t, tt.wantExhausted, attr(m, "EXHAUSTED_RETRY_CONDITION"))
			assert.Equal(t, tt.wantRetries, attr(m, "RETRY_ATTEMPTS"))
			assert.Equal(t, int64(1), f.counter("default/notify", "FailedInvocations"))
			assert.Equal(t, int64(1), f.counter("default/notify", "DeadLetterInvocations"))
			assert.Equal(t, int64(tt.wantCalls), f.counter("default/notify", "InvocationAttempts"))
		})
	}
}

// Without a DLQ an undeliverable event is dropped (and counted here).
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
func TestDroppedWithoutDeadLetterQueue(t *testing.T) {
	f := newFixture(t, Options{})
	f.env.Register("lambda", &fakeLambda{err: errors.New("connection reset")})
	f.rule(t, "default", "r", `{"source":["s"]}`, ebtypes.Target{Id: aws.String("fn"), Arn: aws.String(f.env.ARN("lambda", "function:f")),
		RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)}})
	f.put(t, entry("s", "t", `{}`))
	require.Eventually(t, func() bool { return f.svc.Dropped() == 1 }, 5*time.Second, 5*time.Millisecond)
}

// Lambda targets are invoked asynchronously (InvocationType Event) with the event as payload.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html
func TestLambdaTarget(t *testing.T) {
	f := newFixture(t, Options{})
	lambda := &fakeLambda{}
	f.env.Register("lambda", lambda)
	f.rule(t, "default", "r", `{"source":["s"]}`, ebtypes.Target{Id: aws.String("fn"), Arn: aws.String(f.env.ARN("lambda", "function:f")), InputPath: aws.String("$.detail")})
	f.put(t, entry("s", "t", `{"a":[1,2]}`))
	require.Eventually(t, func() bool { return lambda.calls() == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.JSONEq(t, `{"a":[1,2]}`, lambda.payloads[0])
}

// Replay re-delivers archived events to the bus's rules, with the replay-name field added.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-replay-archived-event.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html
func TestArchiveAndReplay(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	url, queueARN := f.queue(t, "consumer")
	busARN := f.env.ARN("events", "event-bus/default")
	arch, err := f.events.CreateArchive(ctx, &eb.CreateArchiveInput{ArchiveName: aws.String("morning"), EventSourceArn: aws.String(busARN), EventPattern: aws.String(`{"source":["bakery.orders"]}`)})
	require.NoError(t, err)
	ruleARN := f.rule(t, "default", "consumer", `{"source":["bakery.orders"]}`, ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN)})
	f.rule(t, "default", "other", `{"source":["bakery.orders"]}`)
	f.put(t, entry("bakery.orders", "OrderPlaced", `{"order":"o-1"}`), entry("bakery.orders", "OrderPlaced", `{"order":"o-2"}`), entry("bakery.kitchen", "Ready", `{}`))
	first := f.receive(t, url, 2)
	require.Len(t, first, 2)
	originals := map[any]map[string]any{} // by event id
	var size int64
	for _, m := range first {
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
		originals[ev["id"]] = ev
		size += int64(len(aws.ToString(m.Body)))
	}

	desc, err := f.events.DescribeArchive(ctx, &eb.DescribeArchiveInput{ArchiveName: aws.String("morning")})
	require.NoError(t, err)
	assert.Equal(t, int64(2), desc.EventCount)
	assert.Equal(t, size, desc.SizeBytes, "the archived events' JSON")

	_, err = f.events.StartReplay(ctx, &eb.StartReplayInput{ReplayName: aws.String("fix-1"), EventSourceArn: arch.ArchiveArn,
		EventStartTime: aws.Time(epochStart.Add(-time.Hour)), EventEndTime: aws.Time(epochStart.Add(time.Hour)),
		Destination: &ebtypes.ReplayDestination{Arn: aws.String(busARN), FilterArns: []string{ruleARN}}})
	require.NoError(t, err)
	again := f.receive(t, url, 2)
	require.Len(t, again, 2)
	for _, m := range again {
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
		assert.Equal(t, "fix-1", ev["replay-name"])
		orig := originals[ev["id"]]
		require.NotNil(t, orig, "a replayed event keeps its id")
		assert.Equal(t, orig["detail"], ev["detail"])
		assert.Equal(t, orig["time"], ev["time"])
	}
	require.Eventually(t, func() bool {
		d, err := f.events.DescribeReplay(ctx, &eb.DescribeReplayInput{ReplayName: aws.String("fix-1")})
		require.NoError(t, err)
		return d.State == ebtypes.ReplayStateCompleted && d.EventLastReplayedTime != nil
	}, 5*time.Second, 5*time.Millisecond)
	list, err := f.events.ListReplays(ctx, &eb.ListReplaysInput{})
	require.NoError(t, err)
	require.Len(t, list.Replays, 1)
	desc, err = f.events.DescribeArchive(ctx, &eb.DescribeArchiveInput{ArchiveName: aws.String("morning")})
	require.NoError(t, err)
	assert.Equal(t, int64(2), desc.EventCount, "replayed events are not archived again")
}

// TestEventPattern answers Result, refuses invalid patterns and events without the mandatory
// fields.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
func TestTestEventPattern(t *testing.T) {
	f := newFixture(t, Options{})
	event := `{"id":"1","account":"123456789012","source":"bakery.orders","time":"2026-03-02T08:00:00Z","region":"us-east-1","resources":[],"detail-type":"OrderPaid","detail":{"total":12}}`
	tests := []struct {
		name     string
		event    string
		pattern  string
		want     bool
		wantCode string
	}{
		{name: "match", event: event, pattern: `{"source":[{"prefix":"bakery."}],"detail":{"total":[{"numeric":[">=",10]}]}}`, want: true},
		{name: "no match", event: event, pattern: `{"detail-type":["OrderPlaced"]}`, want: false},
		{name: "invalid pattern", event: event, pattern: `{"source":"bakery.orders"}`, wantCode: "InvalidEventPatternException"},
		{name: "event without id", event: `{"account":"1","source":"s","time":"t","region":"r","resources":[],"detail-type":"d"}`, pattern: `{"source":["s"]}`, wantCode: "InvalidEventPatternException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := f.events.TestEventPattern(context.Background(), &eb.TestEventPatternInput{Event: aws.String(tt.event), EventPattern: aws.String(tt.pattern)})
			if tt.wantCode != "" {
				var apiErr smithy.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.wantCode, apiErr.ErrorCode())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.Result)
		})
	}
}

// Bad input is answered as AWS answers it and nothing is delivered.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html
func TestBadInput(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	url, queueARN := f.queue(t, "q")
	f.rule(t, "default", "all", `{"source":[{"exists":true}]}`, ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN)})

	t.Run("invalid pattern", func(t *testing.T) {
		_, err := f.events.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"detail":{"n":[{"numeric":[">"]}]}}`)})
		var e *ebtypes.InvalidEventPatternException
		require.ErrorAs(t, err, &e)
		assert.Contains(t, aws.ToString(e.Message), "Event pattern is not valid. Reason:")
	})

	entries := []struct {
		name      string
		entry     ebtypes.PutEventsRequestEntry
		wantCode  string
		wantMatch string
	}{
		{name: "missing source", entry: ebtypes.PutEventsRequestEntry{DetailType: aws.String("t"), Detail: aws.String(`{}`)}, wantCode: "InvalidArgument", wantMatch: "Source"},
		{name: "missing detail type", entry: ebtypes.PutEventsRequestEntry{Source: aws.String("s"), Detail: aws.String(`{}`)}, wantCode: "InvalidArgument", wantMatch: "DetailType"},
		{name: "missing detail", entry: ebtypes.PutEventsRequestEntry{Source: aws.String("s"), DetailType: aws.String("t")}, wantCode: "InvalidArgument", wantMatch: "Detail"},
		{name: "detail not JSON", entry: entry("s", "t", `{"a":`), wantCode: "MalformedDetail"},
		{name: "detail not an object", entry: entry("s", "t", `[1,2]`), wantCode: "MalformedDetail"},
		{name: "aws source", entry: entry("aws.s3", "t", `{}`), wantCode: "NotAuthorizedForSourceException"},
	}
	for _, tt := range entries {
		t.Run(tt.name, func(t *testing.T) {
			out := f.put(t, tt.entry, entry("ok", "t", `{}`))
			assert.Equal(t, int32(1), out.FailedEntryCount)
			assert.Equal(t, tt.wantCode, aws.ToString(out.Entries[0].ErrorCode))
			assert.Contains(t, aws.ToString(out.Entries[0].ErrorMessage), tt.wantMatch)
			assert.Empty(t, aws.ToString(out.Entries[0].EventId))
			assert.NotEmpty(t, aws.ToString(out.Entries[1].EventId))
			f.receive(t, url, 1) // only the good entry arrives
			f.empty(t, url)
		})
	}

	t.Run("more than 10 entries", func(t *testing.T) {
		var many []ebtypes.PutEventsRequestEntry
		for range 11 {
			many = append(many, entry("s", "t", `{}`))
		}
		_, err := f.events.PutEvents(ctx, &eb.PutEventsInput{Entries: many})
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "ValidationException", apiErr.ErrorCode())
		f.empty(t, url)
	})

	t.Run("entries over 1 MB", func(t *testing.T) {
		big := `{"x":"` + string(make([]byte, 0)) + repeat("a", 600<<10) + `"}`
		_, err := f.events.PutEvents(ctx, &eb.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry("s", "t", big), entry("s", "t", big)}})
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "ValidationException", apiErr.ErrorCode())
		f.empty(t, url)
	})

	t.Run("target ARN that does not exist is accepted, delivery fails to the DLQ", func(t *testing.T) {
		dlqURL, dlqARN := f.queue(t, "dlq")
		f.rule(t, "default", "ghost", `{"source":["ghost"]}`, ebtypes.Target{Id: aws.String("g"), Arn: aws.String(f.env.ARN("sqs", "no-such-queue")),
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}})
		f.put(t, entry("ghost", "t", `{}`))
		m := f.receive(t, dlqURL, 1)[0]
		assert.Equal(t, "NO_RESOURCE", attr(m, "ERROR_CODE"))
		assert.Equal(t, "0", attr(m, "RETRY_ATTEMPTS"))
		f.receive(t, url, 1) // the catch-all rule still gets it
	})

	t.Run("invalid targets fail per entry", func(t *testing.T) {
		out, err := f.events.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("all"), Targets: []ebtypes.Target{
			{Id: aws.String("bad-arn"), Arn: aws.String("not-an-arn")},
			{Id: aws.String("both"), Arn: aws.String(queueARN), Input: aws.String(`{}`), InputPath: aws.String("$.detail")},
			{Id: aws.String("retries"), Arn: aws.String(queueARN), RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(200)}},
		}})
		require.NoError(t, err)
		assert.Equal(t, int32(3), out.FailedEntryCount)
		list, err := f.events.ListTargetsByRule(ctx, &eb.ListTargetsByRuleInput{Rule: aws.String("all")})
		require.NoError(t, err)
		assert.Len(t, list.Targets, 1)
	})

	t.Run("more than 5 targets", func(t *testing.T) {
		var ts []ebtypes.Target
		for i := range 6 {
			ts = append(ts, ebtypes.Target{Id: aws.String("t" + itoa(i)), Arn: aws.String(queueARN)})
		}
		_, err := f.events.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("all"), Targets: ts})
		var e *ebtypes.LimitExceededException
		require.ErrorAs(t, err, &e)
	})

	t.Run("rule with targets cannot be deleted", func(t *testing.T) {
		_, err := f.events.DeleteRule(ctx, &eb.DeleteRuleInput{Name: aws.String("all")})
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "ValidationException", apiErr.ErrorCode())
	})

	t.Run("unknown rule", func(t *testing.T) {
		_, err := f.events.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("nope")})
		var e *ebtypes.ResourceNotFoundException
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "Rule nope does not exist on EventBus default.", aws.ToString(e.Message))
	})
}

func repeat(s string, n int) string {
	b := make([]byte, 0, n*len(s))
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

// Buses and rules: create, describe, list with paging, disable and enable, delete.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListRules.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DisableRule.html
func TestBusesAndRules(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	bus, err := f.events.CreateEventBus(ctx, &eb.CreateEventBusInput{Name: aws.String("orders")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:event-bus/orders", aws.ToString(bus.EventBusArn))
	_, err = f.events.CreateEventBus(ctx, &eb.CreateEventBusInput{Name: aws.String("orders")})
	var exists *ebtypes.ResourceAlreadyExistsException
	require.ErrorAs(t, err, &exists)
	buses, err := f.events.ListEventBuses(ctx, &eb.ListEventBusesInput{})
	require.NoError(t, err)
	require.Len(t, buses.EventBuses, 2)

	url, queueARN := f.queue(t, "q")
	arn := f.rule(t, "orders", "a-rule", `{"source":["s"]}`, ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN)})
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/orders/a-rule", arn)
	f.rule(t, "orders", "b-rule", `{"source":["x"]}`)
	page1, err := f.events.ListRules(ctx, &eb.ListRulesInput{EventBusName: aws.String("orders"), Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, page1.Rules, 1)
	page2, err := f.events.ListRules(ctx, &eb.ListRulesInput{EventBusName: aws.String("orders"), NextToken: page1.NextToken})
	require.NoError(t, err)
	require.Len(t, page2.Rules, 1)
	assert.Equal(t, "b-rule", aws.ToString(page2.Rules[0].Name))

	_, err = f.events.DisableRule(ctx, &eb.DisableRuleInput{Name: aws.String("a-rule"), EventBusName: aws.String("orders")})
	require.NoError(t, err)
	e := entry("s", "t", `{}`)
	e.EventBusName = aws.String("orders")
	f.put(t, e)
	f.empty(t, url)
	_, err = f.events.EnableRule(ctx, &eb.EnableRuleInput{Name: aws.String("a-rule"), EventBusName: aws.String("orders")})
	require.NoError(t, err)
	f.put(t, e)
	f.receive(t, url, 1)

	d, err := f.events.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("a-rule"), EventBusName: aws.String("orders")})
	require.NoError(t, err)
	assert.Equal(t, ebtypes.RuleStateEnabled, d.State)
	_, err = f.events.RemoveTargets(ctx, &eb.RemoveTargetsInput{Rule: aws.String("a-rule"), EventBusName: aws.String("orders"), Ids: []string{"q"}})
	require.NoError(t, err)
	_, err = f.events.DeleteRule(ctx, &eb.DeleteRuleInput{Name: aws.String("a-rule"), EventBusName: aws.String("orders")})
	require.NoError(t, err)
	_, err = f.events.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("sched"), EventBusName: aws.String("orders"), ScheduleExpression: aws.String("rate(5 minutes)")})
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ValidationException", apiErr.ErrorCode())
}

// A rate() rule fires on the emulator's clock with a "Scheduled Event" from aws.events.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
func TestScheduledRule(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	url, queueARN := f.queue(t, "ticks")
	_, err := f.events.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(5 minutes)")})
	require.NoError(t, err)
	_, err = f.events.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("tick"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}})
	require.NoError(t, err)
	for range 2 {
		require.NoError(t, f.clock.WaitForTimers(ctx, 1))
		f.clock.Advance(5 * time.Minute)
	}
	msgs := f.receive(t, url, 2)
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev))
	assert.Equal(t, "aws.events", ev["source"])
	assert.Equal(t, "Scheduled Event", ev["detail-type"])
	_, err = f.events.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("bad"), ScheduleExpression: aws.String("rate(1 minutes)")})
	require.Error(t, err)
}

// Another bus as a target gets the event as it is; a FIFO queue target gets the MessageGroupId.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html
func TestBusAndFIFOTargets(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	_, err := f.events.CreateEventBus(ctx, &eb.CreateEventBusInput{Name: aws.String("kitchen")})
	require.NoError(t, err)
	out, err := f.queues.CreateQueue(ctx, &awssqsCreate{QueueName: aws.String("tickets.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	require.NoError(t, err)
	fifoURL := aws.ToString(out.QueueUrl)
	f.rule(t, "default", "forward", `{"source":["bakery.orders"]}`, ebtypes.Target{Id: aws.String("bus"), Arn: aws.String(f.env.ARN("events", "event-bus/kitchen"))})
	f.rule(t, "kitchen", "tickets", `{"source":["bakery.orders"]}`, ebtypes.Target{Id: aws.String("fifo"), Arn: aws.String(f.env.ARN("sqs", "tickets.fifo")),
		SqsParameters: &ebtypes.SqsParameters{MessageGroupId: aws.String("store-1")}})
	res := f.put(t, entry("bakery.orders", "OrderPaid", `{"order":"o-1"}`))
	m := f.receive(t, fifoURL, 1)[0]
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
	assert.Equal(t, aws.ToString(res.Entries[0].EventId), ev["id"])
	assert.Equal(t, "store-1", m.Attributes["MessageGroupId"])
}
