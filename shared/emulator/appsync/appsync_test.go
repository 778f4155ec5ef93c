package appsync_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

const (
	docPublishHTTP = "https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html"
	docPublishWS   = "https://docs.aws.amazon.com/appsync/latest/eventapi/publish-websocket.html"
	docProtocol    = "https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html"
	docConcepts    = "https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-concepts.html"
	docNamespaces  = "https://docs.aws.amazon.com/appsync/latest/eventapi/channel-namespaces.html"
	docAuth        = "https://docs.aws.amazon.com/appsync/latest/eventapi/configure-event-api-auth.html"
)

var uuidPattern = `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`

// A subscriber of /orders/* receives an event published over HTTP with the API key, as a data
// message carrying the event as it was published (a JSON string).
// https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html and
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
func TestSubscriberReceivesHTTPPublish(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	f.subscribe(t, c, "sub-1", "/orders/*")

	event := `{"orderId":"42","status":"baked"}`
	status, res := f.publish(t, f.key, map[string]any{"channel": "/orders/42/status", "events": []string{event}})
	require.Equal(t, http.StatusOK, status, "%v", res)
	succ := res["successful"].([]any)
	require.Len(t, succ, 1)
	assert.Equal(t, float64(0), succ[0].(map[string]any)["index"])
	assert.Regexp(t, uuidPattern, succ[0].(map[string]any)["identifier"])
	assert.Equal(t, []any{}, res["failed"])

	assert.Equal(t, map[string]any{"type": "data", "id": "sub-1", "event": event}, read(t, c))
	assert.Eventually(t, func() bool { return f.counter("delivered_events") == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, int64(1), f.counter("published_events"))
	assert.Equal(t, int64(1), f.counter("subscriptions"))
	assert.Equal(t, int64(1), f.counter("connections"))
}

// The channel may be given without its leading slash, as the HTTP example does
// ("default/channel"), and a batch delivers its events in order.
// https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html
func TestHTTPPublishBatchWithoutLeadingSlash(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	f.subscribe(t, c, "s", "/default/channel")
	events := []string{`{"event_1":"data_1"}`, `{"event_2":"data_2"}`}
	status, res := f.publish(t, f.key, map[string]any{"channel": "default/channel", "events": events})
	require.Equal(t, http.StatusOK, status, "%v", res)
	assert.Len(t, res["successful"], 2)
	for _, e := range events {
		assert.Equal(t, map[string]any{"type": "data", "id": "s", "event": e}, read(t, c))
	}
}

func TestHTTPPublishErrors(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	ok := []string{`{"a":1}`}
	tests := []struct {
		name      string
		doc       string
		key       string
		body      any
		status    int
		errorType string
	}{
		{name: "wrong API key", doc: docAuth, key: "da2-wrong", body: map[string]any{"channel": "/orders/1", "events": ok}, status: 401, errorType: "UnauthorizedException"},
		{name: "no API key", doc: docAuth, body: map[string]any{"channel": "/orders/1", "events": ok}, status: 401, errorType: "UnauthorizedException"},
		{name: "six segments", doc: docNamespaces, key: f.key, body: map[string]any{"channel": "/orders/a/b/c/d/e", "events": ok}, status: 400, errorType: "BadRequestException"},
		{name: "segment of 51 characters", doc: docNamespaces, key: f.key, body: map[string]any{"channel": "/orders/" + strings.Repeat("a", 51), "events": ok}, status: 400, errorType: "BadRequestException"},
		{name: "segment with an underscore", doc: docNamespaces, key: f.key, body: map[string]any{"channel": "/orders/a_b", "events": ok}, status: 400, errorType: "BadRequestException"},
		{name: "wildcard", doc: docPublishHTTP, key: f.key, body: map[string]any{"channel": "/orders/*", "events": ok}, status: 400, errorType: "BadRequestException"},
		{name: "no channel", doc: docPublishHTTP, key: f.key, body: map[string]any{"events": ok}, status: 400, errorType: "BadRequestException"},
		{name: "unknown namespace", doc: docNamespaces, key: f.key, body: map[string]any{"channel": "/payments/1", "events": ok}, status: 400, errorType: "BadRequestException"},
		{name: "six events", doc: docPublishHTTP, key: f.key, body: map[string]any{"channel": "/orders/1", "events": []string{"1", "2", "3", "4", "5", "6"}}, status: 400, errorType: "BadRequestException"},
		{name: "no events", doc: docPublishHTTP, key: f.key, body: map[string]any{"channel": "/orders/1", "events": []string{}}, status: 400, errorType: "BadRequestException"},
		{name: "event over 240 KB", doc: docConcepts, key: f.key, body: map[string]any{"channel": "/orders/1", "events": []string{`"` + strings.Repeat("x", 240*1024-1) + `"`}}, status: 400, errorType: "BadRequestException"},
		{name: "event that is not JSON", doc: docPublishHTTP, key: f.key, body: map[string]any{"channel": "/orders/1", "events": []string{"not json"}}, status: 400, errorType: "BadRequestException"},
		{name: "event that is not a string", doc: docPublishHTTP, key: f.key, body: map[string]any{"channel": "/orders/1", "events": []any{map[string]any{"a": 1}}}, status: 400, errorType: "BadRequestException"},
		{name: "body that is not JSON", doc: docPublishHTTP, key: f.key, body: "channel=/orders/1", status: 400, errorType: "BadRequestException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, res := f.publish(t, tt.key, tt.body)
			assert.Equal(t, tt.status, status, "%s: %v", tt.doc, res)
			errs, _ := res["errors"].([]any)
			require.Len(t, errs, 1, "%v", res)
			e := errs[0].(map[string]any)
			assert.Equal(t, tt.errorType, e["errorType"])
			assert.NotEmpty(t, e["message"])
		})
	}
	assert.Equal(t, int64(0), f.counter("published_events"), "a refused publish publishes nothing")
}

// An event of exactly 240 KB is accepted.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-concepts.html
func TestHTTPPublishLargestEvent(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	status, res := f.publish(t, f.key, map[string]any{"channel": "/orders/1", "events": []string{`"` + strings.Repeat("x", 240*1024-2) + `"`}})
	assert.Equal(t, http.StatusOK, status, "%v", res)
}

// An unknown API ID is a 404.
func TestUnknownAPI(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	resp, err := http.Post(f.srv.URL+"/appsync/nosuchapi/event", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// A connection whose header subprotocol carries a wrong API key gets connection_error with
// UnauthorizedException and is closed.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
func TestWebSocketWrongKey(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	for _, key := range []string{"da2-wrong", ""} {
		t.Run("key "+key, func(t *testing.T) {
			c := f.dial(t, key)
			m := read(t, c)
			assert.Equal(t, "connection_error", m["type"])
			errs := m["errors"].([]any)
			require.Len(t, errs, 1)
			assert.Equal(t, "UnauthorizedException", errs[0].(map[string]any)["errorType"])
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, _, err := c.Read(ctx)
			assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err), "%v", err)
		})
	}
}

// The client must offer the aws-appsync-event-ws subprotocol.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
func TestWebSocketWithoutSubprotocol(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, f.wsURL, nil) //nolint:bodyclose // coder/websocket: "You never need to close resp.Body yourself."
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// connection_init is acknowledged with connectionTimeoutMs, and "ka" arrives every keep-alive
// interval of the emulator's clock.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
func TestKeepAlive(t *testing.T) {
	t.Parallel()
	clock := sim.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := start(t, clock)
	c := f.dial(t, f.key)
	send(t, c, map[string]any{"type": "connection_init"})
	assert.Equal(t, map[string]any{"type": "connection_ack", "connectionTimeoutMs": float64(300000)}, read(t, c))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 3 {
		require.NoError(t, clock.WaitForTimers(ctx, 1))
		clock.Advance(appsync.KeepAliveInterval)
		assert.Equal(t, map[string]any{"type": "ka"}, read(t, c))
	}
	assert.Less(t, appsync.KeepAliveInterval, appsync.ConnectionTimeout, "a ka arrives before the client gives up")
}

func TestSubscribeErrors(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	f.subscribe(t, c, "taken", "/orders/1")
	auth := map[string]string{"x-api-key": f.key}
	tests := []struct {
		name      string
		doc       string
		msg       map[string]any
		errorType string
	}{
		{name: "wrong key", doc: docAuth, msg: map[string]any{"id": "a", "channel": "/orders/*", "authorization": map[string]string{"x-api-key": "da2-wrong"}}, errorType: "UnauthorizedException"},
		{name: "no authorization", doc: docProtocol, msg: map[string]any{"id": "b", "channel": "/orders/*"}, errorType: "UnauthorizedException"},
		{name: "unknown namespace", doc: docNamespaces, msg: map[string]any{"id": "c", "channel": "/payments/*", "authorization": auth}, errorType: "BadRequestException"},
		{name: "six segments", doc: docNamespaces, msg: map[string]any{"id": "d", "channel": "/orders/a/b/c/d/*", "authorization": auth}, errorType: "BadRequestException"},
		{name: "wildcard in the middle", doc: docConcepts, msg: map[string]any{"id": "e", "channel": "/orders/*/status", "authorization": auth}, errorType: "BadRequestException"},
		{name: "wildcard namespace", doc: docConcepts, msg: map[string]any{"id": "f", "channel": "/*", "authorization": auth}, errorType: "BadRequestException"},
		{name: "invalid characters", doc: docNamespaces, msg: map[string]any{"id": "g", "channel": "/orders/a b", "authorization": auth}, errorType: "BadRequestException"},
		{name: "id in use", doc: docProtocol, msg: map[string]any{"id": "taken", "channel": "/orders/2", "authorization": auth}, errorType: "DuplicatedOperationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.msg["type"] = "subscribe"
			send(t, c, tt.msg)
			m := read(t, c)
			assert.Equal(t, "subscribe_error", m["type"], tt.doc)
			assert.Equal(t, tt.msg["id"], m["id"])
			errs := m["errors"].([]any)
			require.Len(t, errs, 1)
			assert.Equal(t, tt.errorType, errs[0].(map[string]any)["errorType"])
		})
	}
}

// A connection has at most 100 subscriptions.
func TestSubscriptionsPerConnection(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	for i := range 100 {
		f.subscribe(t, c, "s"+string(rune('0'+i/10))+string(rune('0'+i%10)), "/orders/*")
	}
	send(t, c, map[string]any{"type": "subscribe", "id": "one-too-many", "channel": "/orders/*", "authorization": map[string]string{"x-api-key": f.key}})
	m := read(t, c)
	assert.Equal(t, "subscribe_error", m["type"])
	assert.Equal(t, "MaxSubscriptionsReachedError", m["errors"].([]any)[0].(map[string]any)["errorType"])
}

// unsubscribe stops the events of that subscription only; an unknown id is an error.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	f.subscribe(t, c, "wide", "/orders/*")
	f.subscribe(t, c, "narrow", "/orders/7")
	send(t, c, map[string]any{"type": "unsubscribe", "id": "wide"})
	assert.Equal(t, map[string]any{"type": "unsubscribe_success", "id": "wide"}, read(t, c))

	status, _ := f.publish(t, f.key, map[string]any{"channel": "/orders/7", "events": []string{`"hello"`}})
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"type": "data", "id": "narrow", "event": `"hello"`}, read(t, c))
	// The batch's deliveries are counted at once: one means "wide" got nothing.
	assert.Eventually(t, func() bool { return f.counter("delivered_events") == 1 }, 5*time.Second, 5*time.Millisecond)

	send(t, c, map[string]any{"type": "unsubscribe", "id": "wide"})
	m := read(t, c)
	assert.Equal(t, "unsubscribe_error", m["type"])
	assert.Equal(t, "wide", m["id"])
	assert.Equal(t, "UnknownOperationError", m["errors"].([]any)[0].(map[string]any)["errorType"])
	assert.Equal(t, int64(1), f.counter("subscriptions"))
}

// Wildcards match one or more further segments of the namespace; exact channels match only
// themselves.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-concepts.html
func TestWildcardDelivery(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	f.subscribe(t, c, "deep", "/orders/42/*")
	for _, ch := range []string{"/orders/41/status", "/orders/42", "/default/42/status", "/orders/42/status/oven"} {
		status, _ := f.publish(t, f.key, map[string]any{"channel": ch, "events": []string{`"` + ch + `"`}})
		require.Equal(t, http.StatusOK, status)
	}
	assert.Equal(t, map[string]any{"type": "data", "id": "deep", "event": `"/orders/42/status/oven"`}, read(t, c))
}

// A client publishes over its WebSocket with the authorization in the message and gets
// publish_success; subscribers on other connections receive the events.
// https://docs.aws.amazon.com/appsync/latest/eventapi/publish-websocket.html
func TestPublishOverWebSocket(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	sub := f.connect(t)
	f.subscribe(t, sub, "s", "/default/*")
	pub := f.connect(t)
	events := []string{`{"message":"hello world"}`, `{"number":42}`}
	send(t, pub, map[string]any{"type": "publish", "id": "p-1", "channel": "/default/channel", "events": events, "authorization": map[string]string{"x-api-key": f.key}})
	m := read(t, pub)
	assert.Equal(t, "publish_success", m["type"])
	assert.Equal(t, "p-1", m["id"])
	assert.Len(t, m["successful"], 2)
	assert.Equal(t, []any{}, m["failed"])
	for _, e := range events {
		assert.Equal(t, map[string]any{"type": "data", "id": "s", "event": e}, read(t, sub))
	}
}

func TestPublishOverWebSocketErrors(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	auth := map[string]string{"x-api-key": f.key}
	tests := []struct {
		name      string
		doc       string
		msg       map[string]any
		errorType string
	}{
		{name: "wrong key", doc: docPublishWS, msg: map[string]any{"id": "1", "channel": "/default/a", "events": []string{"1"}, "authorization": map[string]string{"x-api-key": "nope"}}, errorType: "UnauthorizedException"},
		{name: "six events", doc: docPublishWS, msg: map[string]any{"id": "2", "channel": "/default/a", "events": []string{"1", "2", "3", "4", "5", "6"}, "authorization": auth}, errorType: "BadRequestException"},
		{name: "wildcard channel", doc: docPublishWS, msg: map[string]any{"id": "3", "channel": "/default/*", "events": []string{"1"}, "authorization": auth}, errorType: "BadRequestException"},
		{name: "unknown namespace", doc: docNamespaces, msg: map[string]any{"id": "4", "channel": "/nope/a", "events": []string{"1"}, "authorization": auth}, errorType: "BadRequestException"},
		{name: "event that is not JSON", doc: docPublishWS, msg: map[string]any{"id": "5", "channel": "/default/a", "events": []string{"{"}, "authorization": auth}, errorType: "BadRequestException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.msg["type"] = "publish"
			send(t, c, tt.msg)
			m := read(t, c)
			assert.Equal(t, "publish_error", m["type"], tt.doc)
			assert.Equal(t, tt.msg["id"], m["id"])
			assert.Equal(t, tt.errorType, m["errors"].([]any)[0].(map[string]any)["errorType"])
		})
	}
}

// Messages that are not JSON or not of a known type get an error message and leave the
// connection open.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
func TestMalformedMessages(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	tests := []struct {
		name      string
		msg       string
		errorType string
	}{
		{name: "not JSON", msg: "hello", errorType: "BadRequestException"},
		{name: "unknown type", msg: `{"type":"start","id":"1"}`, errorType: "UnsupportedOperation"},
		{name: "no type", msg: `{"id":"1"}`, errorType: "UnsupportedOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			require.NoError(t, c.Write(ctx, websocket.MessageText, []byte(tt.msg)))
			m := read(t, c)
			assert.Equal(t, "error", m["type"])
			assert.Equal(t, tt.errorType, m["errors"].([]any)[0].(map[string]any)["errorType"])
		})
	}
	f.subscribe(t, c, "still-open", "/orders/*")
}

// Other services publish in-process through Env.Call without an API key.
func TestCallPublish(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	f.subscribe(t, c, "s", "/orders/*")
	for _, in := range []map[string]any{
		{"ApiId": f.apiID, "Channel": "/orders/1", "Events": []string{`{"by":"id"}`}},
		{"ApiName": "orders-events", "Channel": "/orders/1", "Events": []string{`{"by":"name"}`}},
	} {
		b, _ := json.Marshal(in)
		out, err := f.env.Call(context.Background(), "appsync", "Publish", b)
		require.NoError(t, err)
		var res appsync.PublishResult
		require.NoError(t, json.Unmarshal(out, &res))
		assert.Len(t, res.Successful, 1)
		assert.Equal(t, map[string]any{"type": "data", "id": "s", "event": in["Events"].([]string)[0]}, read(t, c))
	}

	tests := []struct {
		name, op, input, code string
	}{
		{name: "unknown operation", op: "Subscribe", input: `{}`, code: "UnsupportedOperation"},
		{name: "unknown API", op: "Publish", input: `{"ApiName":"nope","Channel":"/orders/1","Events":["1"]}`, code: "NotFoundException"},
		{name: "invalid channel", op: "Publish", input: `{"ApiId":"` + f.apiID + `","Channel":"/orders/*","Events":["1"]}`, code: "BadRequestException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Call(context.Background(), tt.op, []byte(tt.input))
			var apiErr *sim.APIError
			require.True(t, errors.As(err, &apiErr), "%v", err)
			assert.Equal(t, tt.code, apiErr.Code)
		})
	}
}

// Close closes every WebSocket with "going away".
func TestCloseClosesWebSockets(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	c := f.connect(t)
	// The client reads, as a live client does, so that it answers the close handshake.
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _, err := c.Read(ctx)
		closed <- err
	}()
	require.NoError(t, f.svc.Close())
	err := <-closed
	assert.Equal(t, websocket.StatusGoingAway, websocket.CloseStatus(err), "%v", err)
	assert.Eventually(t, func() bool { return f.counter("connections") == 0 }, 5*time.Second, 5*time.Millisecond)
}

// Endpoints builds the loopback URLs `make local` prints.
func TestEndpoints(t *testing.T) {
	t.Parallel()
	svc := appsync.New(newEnv(nil))
	defer svc.Close()
	tests := []struct {
		name, base, http, realtime string
	}{
		{name: "listening", base: "http://127.0.0.1:4566", http: "http://127.0.0.1:4566/appsync/abc/event", realtime: "ws://127.0.0.1:4566/appsync/abc/event/realtime"},
		{name: "tls", base: "https://localhost:8443/", http: "https://localhost:8443/appsync/abc/event", realtime: "wss://localhost:8443/appsync/abc/event/realtime"},
		{name: "in-process", base: "", http: "http://emulator.internal/appsync/abc/event", realtime: "ws://emulator.internal/appsync/abc/event/realtime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, r := svc.Endpoints("abc", tt.base)
			assert.Equal(t, tt.http, h)
			assert.Equal(t, tt.realtime, r)
		})
	}
}
