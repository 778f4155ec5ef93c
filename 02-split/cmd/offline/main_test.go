package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/live"
)

// TestStageRunsOffline is the acceptance run as a test: the stage's committed template in
// the emulator on a loopback port, its three real handlers, their real SDK clients (DynamoDB, and
// Lambda for the order function's invocations), the emulator's payment provider, and plain HTTP.
func TestStageRunsOffline(t *testing.T) {
	emu, err := emulator.New(Stage().Stage, emulator.Options{Latency: latency.Zero(), Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	defer emu.Close()
	require.NoError(t, emu.Start(context.Background()))
	api := emu.APIURL()
	require.True(t, strings.HasPrefix(api, "http://127.0.0.1:"), api)

	pickup := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	order := `{"store_id":"lon-01","customer":{"name":"Ada","email":"ada@example.com"},"items":[{"item_id":"croissant","quantity":2}],"pickup_at":"` + pickup + `"}`
	status, body := call(t, http.MethodPost, api+"/orders", order)
	require.Equal(t, http.StatusCreated, status, body)
	var placed struct {
		OrderID string `json:"order_id"`
		Status  string `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &placed))
	assert.Equal(t, "paid", placed.Status)

	tests := []struct {
		name, method, path, body string
		want                     int
		contains                 string
	}{
		{"read the order back", http.MethodGet, "/orders/" + placed.OrderID, "", http.StatusOK, `"status":"paid"`},
		{"a declined card", http.MethodPost, "/orders", strings.Replace(order, "ada@example.com", "declined@example.com", 1), http.StatusPaymentRequired, "declined"},
		{"sold out", http.MethodPost, "/orders", strings.Replace(order, `"quantity":2`, `"quantity":50},{"item_id":"lemon-tart","quantity":49`, 1), http.StatusConflict, "sold out"},
		{"menu", http.MethodGet, "/menu", "", http.StatusOK, "croissant"},
		{"malformed body", http.MethodPost, "/orders", "{", http.StatusBadRequest, "error"},
		{"unknown store", http.MethodPost, "/orders", strings.Replace(order, "lon-01", "atlantis-01", 1), http.StatusBadRequest, "store_id"},
		{"unknown order", http.MethodGet, "/orders/nosuchorder00000", "", http.StatusNotFound, "error"},
		{"payment by phone is gone", http.MethodPost, "/orders/" + placed.OrderID + "/payment", "", http.StatusForbidden, "Missing Authentication Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, tt.method, api+tt.path, tt.body)
			assert.Equal(t, tt.want, status, body)
			assert.Contains(t, body, tt.contains)
		})
	}
}

// TestBurstIsThrottledAtThePaymentFunction is the morning rush in miniature: with the provider
// slowed to 400 ms a charge (a fault, on the zero latency model), 90 orders at once need more
// payment functions than the 40 the stack reserves. Lambda throttles the rest, the order
// function's SDK client retries them, and what still finds no room is answered 503 with the
// order id, or is stopped by the order function's 3 s timeout (API Gateway's 502).
func TestBurstIsThrottledAtThePaymentFunction(t *testing.T) {
	const orders = 90
	emu, err := emulator.New(Stage().Stage, emulator.Options{Latency: latency.Zero(), Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	defer emu.Close()
	require.NoError(t, emu.Start(context.Background()))
	require.NoError(t, emu.Faults().Put("payment", fault.Rule{Latency: 400 * time.Millisecond}))

	pickup := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	order := `{"store_id":"par-01","customer":{"name":"Ada","email":"ada@example.com"},"items":[{"item_id":"croissant","quantity":1}],"pickup_at":"` + pickup + `"}`
	statuses := make(chan int, orders)
	bodies := make(chan string, orders)
	for range orders {
		go func() {
			// No require here: FailNow from a goroutine other than the test's does not stop the
			// test and leaves the loop below waiting. A failed request is status 0 and its error.
			status, body, err := fetch(http.MethodPost, emu.APIURL()+"/orders", order)
			if err != nil {
				status, body = 0, err.Error()
			}
			statuses <- status
			bodies <- body
		}()
	}
	got := map[int]int{}
	for range orders {
		status, body := <-statuses, <-bodies
		got[status]++
		switch status {
		case http.StatusCreated:
			assert.Contains(t, body, `"status":"paid"`)
		case http.StatusServiceUnavailable:
			assert.Contains(t, body, "busy")
			assert.Contains(t, body, `"order_id"`)
		case http.StatusBadGateway: // the order function's timeout, as API Gateway answers it
		default:
			t.Errorf("unexpected answer %d: %s", status, body)
		}
	}
	assert.Positive(t, got[http.StatusCreated], "answers %v", got)
	// How many orders the SDK's retries still save depends on how fast the machine runs the burst:
	// on a busy one every order can end paid, so the 503 and 502 answers are not asserted here
	// (internal/bakeryapi's tests pin the answer to a throttled payment function).
	t.Logf("answers %v", got)

	var payment string
	for _, r := range emu.Resources() {
		if r.LogicalID == "Payment848C592B" {
			payment = r.Physical
		}
	}
	require.NotEmpty(t, payment)
	m := emu.Metrics().Resource("lambda", payment).Snapshot()
	assert.Positive(t, m.Throttles, "Lambda throttled the payment function")
	assert.LessOrEqual(t, m.MaxConcurrent, int64(40), "never more payment functions than reserved")
}

func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	status, b, err := fetch(method, url, body)
	require.NoError(t, err)
	return status, b
}

// fetch is call without the test, for goroutines.
func fetch(method, url, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// TestLiveTopology checks the dashboard's drawing of this stage against the stack: the API calls
// the order function, which calls the other two and its table; each of those reaches its own
// resource.
func TestLiveTopology(t *testing.T) {
	emu, err := emulator.New(Stage().Stage, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	defer emu.Close()
	require.NoError(t, emu.Start(context.Background()))
	d, err := live.New(live.Config{Emulator: emu, Stage: "02-split", Template: Stage().Template})
	require.NoError(t, err)
	srv := httptest.NewServer(d)
	defer srv.Close()
	status, body := call(t, http.MethodGet, srv.URL+"/api/topology", "")
	require.Equal(t, http.StatusOK, status, body)
	var top live.Topology
	require.NoError(t, json.Unmarshal([]byte(body), &top))

	label := map[string]string{}
	for _, n := range top.Nodes {
		label[n.ID] = n.Label
	}
	var edges []string
	for _, e := range top.Edges {
		edges = append(edges, label[e.From]+" -> "+label[e.To])
	}
	assert.ElementsMatch(t, []string{
		"API Gateway Api -> Order",
		"Order -> Inventory", "Order -> Payment", "Order -> Orders",
		"Inventory -> Stock",
		"Payment -> payment provider",
	}, edges)
}
