package appsync_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// apiProps are the properties CDK synthesizes for an Event API with API key authorization.
const apiProps = `{
  "Name": "orders-events",
  "EventConfig": {
    "AuthProviders": [{"AuthType": "API_KEY"}],
    "ConnectionAuthModes": [{"AuthType": "API_KEY"}],
    "DefaultPublishAuthModes": [{"AuthType": "API_KEY"}],
    "DefaultSubscribeAuthModes": [{"AuthType": "API_KEY"}]
  }
}`

func props(tb testing.TB, js string) map[string]any {
	tb.Helper()
	var m map[string]any
	require.NoError(tb, json.Unmarshal([]byte(js), &m))
	return m
}

func newEnv(clock sim.Clock) *sim.Env {
	return &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Test", Latency: latency.Zero(), Metrics: &metrics.Registry{}, Clock: clock}
}

// fixture is a service with one Event API ("orders-events"), the namespaces "orders" and
// "default", one API key, and an httptest server in front of it.
type fixture struct {
	env     *sim.Env
	svc     *appsync.Service
	srv     *httptest.Server
	apiID   string
	key     string
	httpURL string
	wsURL   string
}

func provision(tb testing.TB, svc *appsync.Service, logicalID, typ, js string) sim.Physical {
	tb.Helper()
	phys, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: logicalID, Type: typ}, props(tb, js))
	require.NoError(tb, err)
	return phys
}

func start(tb testing.TB, clock sim.Clock) *fixture {
	tb.Helper()
	return startWith(tb, newEnv(clock))
}

func startWith(tb testing.TB, env *sim.Env) *fixture {
	tb.Helper()
	f := &fixture{env: env}
	f.svc = appsync.New(f.env)
	api := provision(tb, f.svc, "EventApi", appsync.TypeAPI, apiProps)
	f.apiID = api.Attrs["ApiId"].(string)
	for _, ns := range []string{"orders", "default"} {
		provision(tb, f.svc, "Ns"+ns, appsync.TypeChannelNamespace, `{"ApiId": "`+f.apiID+`", "Name": "`+ns+`"}`)
	}
	key := provision(tb, f.svc, "Key", appsync.TypeAPIKey, `{"ApiId": "`+f.apiID+`", "Description": "browser"}`)
	f.key = key.Attrs["ApiKey"].(string)
	f.srv = httptest.NewServer(f.svc)
	tb.Cleanup(f.srv.Close)
	tb.Cleanup(func() { _ = f.svc.Close() })
	f.httpURL, f.wsURL = f.svc.Endpoints(f.apiID, f.srv.URL)
	return f
}

// publish posts a publish request and returns the status and the decoded answer.
func (f *fixture) publish(tb testing.TB, key string, body any) (int, map[string]any) {
	tb.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	default:
		var err error
		b, err = json.Marshal(v)
		require.NoError(tb, err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, f.httpURL, bytes.NewReader(b))
	require.NoError(tb, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	var out map[string]any
	require.NoError(tb, json.Unmarshal(data, &out), "body %s", data)
	return resp.StatusCode, out
}

// headerProtocol is the "header-<base64url>" subprotocol of the documented connection.
func headerProtocol(host, key string) string {
	b, _ := json.Marshal(map[string]string{"host": host, "x-api-key": key})
	return "header-" + base64.RawURLEncoding.EncodeToString(b)
}

func (f *fixture) dial(tb testing.TB, key string) *websocket.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, f.wsURL, &websocket.DialOptions{Subprotocols: []string{appsync.Subprotocol, headerProtocol("emulator.internal/appsync/"+f.apiID, key)}}) //nolint:bodyclose // coder/websocket: "You never need to close resp.Body yourself."
	require.NoError(tb, err)
	require.Equal(tb, appsync.Subprotocol, resp.Header.Get("Sec-WebSocket-Protocol"))
	c.SetReadLimit(8 << 20)
	tb.Cleanup(func() { _ = c.CloseNow() })
	return c
}

func send(tb testing.TB, c *websocket.Conn, v any) {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(tb, c.Write(ctx, websocket.MessageText, b))
}

func read(tb testing.TB, c *websocket.Conn) map[string]any {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	require.NoError(tb, err)
	var m map[string]any
	require.NoError(tb, json.Unmarshal(b, &m), "message %s", b)
	return m
}

// connect dials and completes connection_init / connection_ack.
func (f *fixture) connect(tb testing.TB) *websocket.Conn {
	tb.Helper()
	c := f.dial(tb, f.key)
	send(tb, c, map[string]any{"type": "connection_init"})
	ack := read(tb, c)
	require.Equal(tb, "connection_ack", ack["type"])
	return c
}

// subscribe subscribes and checks subscribe_success.
func (f *fixture) subscribe(tb testing.TB, c *websocket.Conn, id, channel string) {
	tb.Helper()
	send(tb, c, map[string]any{"type": "subscribe", "id": id, "channel": channel, "authorization": map[string]string{"x-api-key": f.key}})
	m := read(tb, c)
	require.Equal(tb, map[string]any{"type": "subscribe_success", "id": id}, m)
}

func (f *fixture) counter(name string) int64 {
	return f.env.Metrics.Resource("appsync", "orders-events").Snapshot().Counters[name]
}
