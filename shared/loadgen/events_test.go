package loadgen

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eventsRun runs 20 orders over one second at stage, followed over its channels.
func eventsRun(t *testing.T, stage *eventStage, key string, maxSubs int) *Result {
	t.Helper()
	if stage.steps == nil {
		stage.steps = defaultSteps()
	}
	srv := stage.start(t)
	cfg := testConfig(srv, testProfile(1, 5, flat(20, 1)...))
	cfg.Tracking = Tracking{
		Terminal:   []string{"ready", "failed"},
		Milestones: []string{"paid", "ready"},
		PollMin:    20 * time.Millisecond,
		PollMax:    50 * time.Millisecond,
		Events: &EventsConfig{
			RealtimeURL:      "ws" + strings.TrimPrefix(srv.URL, "http") + "/event/realtime",
			APIKey:           key,
			HTTPClient:       srv.Client(),
			MaxSubscriptions: maxSubs,
		},
	}
	return mustRun(t, cfg)
}

func TestRunFollowsOrdersByEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stage   *eventStage
		key     string
		maxSubs int
		check   func(t *testing.T, res *Result, s *eventStage)
	}{
		{
			// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html:
			// connection_init → connection_ack, subscribe → subscribe_success, then "data"
			// messages carry the channel's events.
			name:  "orders reach terminal by events without any GET",
			stage: &eventStage{},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Zero(t, s.gets.Load())
				assert.Equal(t, Events{Orders: 20, Received: 60, Connections: 1}, *res.Events)
				assert.Equal(t, map[string]int{"ready": 20}, res.FinalStatuses)
				require.Contains(t, res.MilestonesMS, "paid")
				require.Contains(t, res.MilestonesMS, "ready")
				// Read from the events' times: paid is 100 ms and ready 250 ms after the POST.
				assert.Equal(t, 20, res.MilestonesMS["paid"].Orders)
				assert.InDelta(t, 100, res.MilestonesMS["paid"].P50, 50)
				assert.InDelta(t, 250, res.MilestonesMS["ready"].P50, 50)
				// Every order appears once in the per-second timeline of each milestone.
				for _, m := range []string{"paid", "ready"} {
					sum := 0
					for _, n := range res.MilestonesPerSecond[m] {
						sum += n
					}
					assert.Equal(t, 20, sum, m)
				}
			},
		},
		{
			// A subscriber only gets events published while it is subscribed
			// (event-api-websocket-protocol.html); a missed terminal event is reconciled by one GET.
			name:  "a missed terminal event is reconciled by one GET",
			stage: &eventStage{skip: map[string]bool{"ready": true}},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Equal(t, int64(20), s.gets.Load(), "one GET per order")
				assert.Equal(t, Events{Orders: 20, Received: 40, Missed: 20, OrdersWithGaps: 20, Reconciled: 20, Gets: 20, Connections: 1}, *res.Events)
				assert.Equal(t, map[string]int{"ready": 20}, res.FinalStatuses)
				// The order's own ready_at, not the reconciling GET, times it.
				assert.InDelta(t, 250, res.MilestonesMS["ready"].P50, 50)
				require.NotNil(t, res.EndToEndMS)
				assert.Less(t, res.EndToEndMS.P99, 1000.0)
			},
		},
		{
			// A terminal event that comes after the reconciling GET, within the grace, is late,
			// not missed (event-api-websocket-protocol.html: delivery follows the publish).
			name:  "a late terminal event after the reconciling GET is not missed",
			stage: &eventStage{late: map[string]time.Duration{"ready": 1650 * time.Millisecond}},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Equal(t, int64(20), s.gets.Load())
				assert.Equal(t, Events{Orders: 20, Received: 60, Reconciled: 20, Gets: 20, Connections: 1}, *res.Events)
				assert.InDelta(t, 250, res.MilestonesMS["ready"].P50, 50)
			},
		},
		{
			// event-api-websocket-protocol.html: missed milestone events leave a gap that one GET
			// fills from the order's paid_at.
			name:  "a missed milestone event is read by one GET",
			stage: &eventStage{skip: map[string]bool{"paid": true}},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Equal(t, int64(20), s.gets.Load())
				assert.Equal(t, Events{Orders: 20, Received: 40, Missed: 20, OrdersWithGaps: 20, Gets: 20, Connections: 1}, *res.Events)
				assert.Equal(t, 20, res.MilestonesMS["paid"].Orders)
				assert.InDelta(t, 100, res.MilestonesMS["paid"].P50, 50)
			},
		},
		{
			// "Amazon EventBridge does not guarantee the order of the events" (AWS's answer at
			// https://repost.aws/questions/QUDxAa0fS4TNus4mLxZpUjEw/aws-event-bridge): ready may
			// come before paid. The order ends at ready, one GET reads paid_at, and the late paid
			// is received, not missed.
			name:  "a milestone event overtaken by the terminal one is late, not missed",
			stage: &eventStage{late: map[string]time.Duration{"paid": 400 * time.Millisecond}},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Equal(t, int64(20), s.gets.Load(), "one GET per order, for paid's time")
				assert.Equal(t, Events{Orders: 20, Received: 60, Gets: 20, Connections: 1}, *res.Events)
				assert.Equal(t, map[string]int{"ready": 20}, res.FinalStatuses)
				assert.Equal(t, 20, res.MilestonesMS["paid"].Orders)
				assert.InDelta(t, 100, res.MilestonesMS["paid"].P50, 50)
				assert.InDelta(t, 250, res.MilestonesMS["ready"].P50, 50)
			},
		},
		{
			// https://docs.aws.amazon.com/general/latest/gr/appsync.html: subscriptions per
			// connection are limited (100 by default); the pool opens more connections.
			name:    "the pool opens another connection past the per-connection limit",
			stage:   &eventStage{limit: 3, steps: []step{{"paid", 300 * time.Millisecond}, {"ready", 600 * time.Millisecond}}},
			maxSubs: 3,
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Zero(t, s.gets.Load())
				assert.GreaterOrEqual(t, res.Events.Connections, 3, "about 12 orders are open at once")
				assert.LessOrEqual(t, s.maxSubs, 3)
				assert.Zero(t, res.Events.Missed)
			},
		},
		{
			// event-api-websocket-protocol.html: a subscribe past the limit answers
			// subscribe_error MaxSubscriptionsReachedError; the pool takes the service's limit.
			name:  "a service limit below the client's is learnt from MaxSubscriptionsReachedError",
			stage: &eventStage{limit: 3, steps: []step{{"paid", 300 * time.Millisecond}, {"ready", 600 * time.Millisecond}}},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Zero(t, s.gets.Load())
				assert.GreaterOrEqual(t, res.Events.Connections, 3)
				assert.Equal(t, Events{Orders: 20, Received: 40, Connections: res.Events.Connections}, *res.Events)
			},
		},
		{
			// event-api-websocket-protocol.html: the service sends "ka" keep-alives, before and
			// after connection_ack; they carry nothing for a subscription.
			name:  "keep-alives are ignored",
			stage: &eventStage{ka: 5 * time.Millisecond},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Zero(t, s.gets.Load())
				assert.Equal(t, Events{Orders: 20, Received: 60, Connections: 1}, *res.Events)
			},
		},
		{
			// event-api-websocket-protocol.html: subscriptions live on their connection; when
			// it closes, the client subscribes again on a new one.
			name:  "a dropped connection's subscriptions are renewed on a new one",
			stage: &eventStage{dropAfter: 50 * time.Millisecond},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Positive(t, res.Events.Resubscribed)
				assert.GreaterOrEqual(t, res.Events.Connections, 2)
				assert.Equal(t, map[string]int{"ready": 20}, res.FinalStatuses)
				assert.Equal(t, int64(res.Events.Gets), s.gets.Load(), "GETs only to reconcile or fill gaps")
			},
		},
		{
			// An answer without a channel cannot be subscribed to: it is polled.
			name:  "an answer without a channel is polled",
			stage: &eventStage{noChannel: true},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Positive(t, s.gets.Load())
				assert.Equal(t, Events{Polled: 20}, *res.Events)
				assert.Equal(t, 20, res.MilestonesMS["paid"].Orders)
			},
		},
		{
			// event-api-websocket-protocol.html: a wrong key gets connection_error; the orders
			// are polled instead.
			name:  "a refused connection falls back to polling",
			stage: &eventStage{},
			key:   "da2-wrong",
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Positive(t, s.gets.Load())
				assert.Equal(t, Events{Polled: 20}, *res.Events)
				require.NotEmpty(t, res.Errors)
				assert.Contains(t, res.Errors[0].Error, "UnauthorizedException")
			},
		},
		{
			// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html:
			// an event's time has whole seconds, so the milestone is the arrival time within
			// [time, time+1 s).
			name:  "whole-second event times bound the arrival time",
			stage: &eventStage{wholeSecond: true},
			check: func(t *testing.T, res *Result, s *eventStage) {
				assert.Zero(t, s.gets.Load())
				assert.InDelta(t, 100, res.MilestonesMS["paid"].P50, 60)
				assert.InDelta(t, 250, res.MilestonesMS["ready"].P50, 60)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := tt.key
			if key == "" {
				key = stageKey
			}
			res := eventsRun(t, tt.stage, key, tt.maxSubs)
			assert.Equal(t, 20, res.Accepted)
			assert.Equal(t, 20, res.Completed)
			assert.Zero(t, res.Lost)
			require.NotNil(t, res.Events)
			tt.check(t, res, tt.stage)
		})
	}
}

func TestRunEventsLoseUnfinishedOrders(t *testing.T) {
	t.Parallel()
	// An order that never reaches a terminal status, by event or by the reconciling GET, is
	// lost: events change how orders are followed, not the reconciliation rule.
	stage := &eventStage{steps: []step{{"paid", 100 * time.Millisecond}}}
	res := eventsRun(t, stage, stageKey, 0)

	assert.Equal(t, 20, res.Lost)
	assert.Zero(t, res.Completed)
	assert.Equal(t, int64(20), stage.gets.Load(), "one reconciling GET each")
	assert.Equal(t, Events{Orders: 20, Received: 20, Gets: 20, Connections: 1}, *res.Events)
	for _, s := range res.LostSample {
		assert.Regexp(t, `^ord-\d+: paid$`, s)
	}
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	recv := time.Date(2025, 3, 1, 8, 0, 0, 400_000_000, time.UTC)
	tests := []struct {
		name   string
		raw    string
		ok     bool
		status string
		when   time.Time
	}{
		// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html:
		// a data message's event is a JSON string.
		{name: "string-encoded with a fractional time", raw: `"{\"status\":\"paid\",\"at\":\"2025-03-01T08:00:00.123Z\"}"`, ok: true, status: "paid",
			when: time.Date(2025, 3, 1, 8, 0, 0, 123_000_000, time.UTC)},
		// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html: whole seconds.
		{name: "whole-second time: the arrival inside the second", raw: `"{\"status\":\"ready\",\"at\":\"2025-03-01T08:00:00Z\"}"`, ok: true, status: "ready", when: recv},
		{name: "whole-second time long before the arrival: the second's end", raw: `"{\"status\":\"ready\",\"at\":\"2025-03-01T07:59:58Z\"}"`, ok: true, status: "ready",
			when: time.Date(2025, 3, 1, 7, 59, 59, 0, time.UTC)},
		{name: "whole-second time after the arrival (clock skew): the time", raw: `"{\"status\":\"ready\",\"at\":\"2025-03-01T08:00:01Z\"}"`, ok: true, status: "ready",
			when: time.Date(2025, 3, 1, 8, 0, 1, 0, time.UTC)},
		{name: "an object, without a time", raw: `{"status":"preparing"}`, ok: true, status: "preparing", when: recv},
		{name: "no status", raw: `"{\"hello\":1}"`},
		{name: "not JSON", raw: `"nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, ok := parseEvent(json.RawMessage(tt.raw))
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			assert.Equal(t, tt.status, ev.Status)
			assert.Equal(t, tt.when, ev.when(recv))
		})
	}
}

func TestEventsConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     EventsConfig
		wantErr string
		host    string
	}{
		// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html:
		// the header's host is the API's HTTP domain, not the real-time one.
		{name: "AWS real-time host gives the HTTP host", cfg: EventsConfig{RealtimeURL: "wss://abc.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime", APIKey: "k"},
			host: "abc.appsync-api.us-east-1.amazonaws.com"},
		{name: "emulator host is its own", cfg: EventsConfig{RealtimeURL: "ws://127.0.0.1:4566/appsync/x/event/realtime", APIKey: "k"}, host: "127.0.0.1:4566"},
		{name: "explicit host", cfg: EventsConfig{RealtimeURL: "ws://127.0.0.1:1/", HTTPHost: "h", APIKey: "k"}, host: "h"},
		{name: "http URL refused", cfg: EventsConfig{RealtimeURL: "http://127.0.0.1:1/", APIKey: "k"}, wantErr: "ws or wss"},
		{name: "no key", cfg: EventsConfig{RealtimeURL: "ws://127.0.0.1:1/"}, wantErr: "APIKey is empty"},
		{name: "no URL", cfg: EventsConfig{APIKey: "k"}, wantErr: "RealtimeURL is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.validate()
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.host, tt.cfg.httpHost())
		})
	}
}
