package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
)

// start runs the stage from its golden template with no modelled latency.
func start(t *testing.T) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.New(Stage().Stage, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Close() })
	require.NoError(t, emu.Start(context.Background()))
	return emu
}

func send(t *testing.T, emu *emulator.Emulator, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, emu.APIURL()+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := emu.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(data, &v), string(data))
	return resp.StatusCode, v
}

// TestOneOrderThroughAllFunctions places one order and finds that it went through every one of
// the 42 functions, each invoked synchronously by another.
func TestOneOrderThroughAllFunctions(t *testing.T) {
	emu := start(t)
	pickup := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	status, order := send(t, emu, http.MethodPost, "/orders", `{"store_id":"lon-01","customer":{"name":"Ada Lovelace","email":"ada@example.com"},`+
		`"items":[{"item_id":"croissant","quantity":2},{"item_id":"cappuccino","quantity":1}],"pickup_at":"`+pickup+`"}`)
	require.Equal(t, http.StatusCreated, status, "%v", order)
	assert.Equal(t, "paid", order["status"])
	assert.NotEmpty(t, order["payment_ref"])
	assert.EqualValues(t, 2*240+360, order["subtotal"])

	invoked := map[string]int64{}
	for _, s := range emu.Metrics().Snapshot() {
		if s.Kind == "lambda" && s.Invocations > 0 {
			invoked[s.Name] = s.Invocations
			assert.Zero(t, s.Errors, s.Name)
			assert.Zero(t, s.Throttles, s.Name)
		}
	}
	assert.Len(t, invoked, 42, "one order reaches every function")
	assert.Len(t, emu.Lambda.Functions(), 42)
	ps := emu.Payment.Stats()
	assert.Equal(t, int64(1), ps.Succeeded)
	assert.Zero(t, ps.DuplicateCharges)

	status, got := send(t, emu, http.MethodGet, "/orders/"+order["order_id"].(string), "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, order["order_id"], got["order_id"])
	assert.Equal(t, "paid", got["status"])

	status, menu := send(t, emu, http.MethodGet, "/menu", "")
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, menu["items"], 26)
}

func TestBadOrders(t *testing.T) {
	emu := start(t)
	tests := []struct {
		name, body string
		status     int
		wantErr    string
	}{
		{"not JSON", "{", http.StatusBadRequest, "must be valid JSON"},
		// The REST API declares no binary media types, so bytes that are not UTF-8 reach the
		// handler as U+FFFD, not base64
		// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html).
		{"bytes that are not UTF-8", "{\"store_id\":\"lon-01\xff\"}", http.StatusBadRequest, "request body is not UTF-8 text"},
		{"an unknown store", `{"store_id":"xyz-99","customer":{"name":"Ada","email":"ada@example.com"},"items":[{"item_id":"croissant","quantity":1}],"pickup_at":"` +
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`, http.StatusBadRequest, "store_id must name one of the 60 stores"},
		{"more lemon tarts than a flagship bakes in a day", `{"store_id":"lon-01","customer":{"name":"Ada","email":"ada@example.com"},"items":[{"item_id":"lemon-tart","quantity":49}],"pickup_at":"` +
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`, http.StatusConflict, "lemon-tart is sold out at lon-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, emu, http.MethodPost, "/orders", tt.body)
			assert.Equal(t, tt.status, status)
			assert.Contains(t, body["error"], tt.wantErr)
		})
	}
}

func TestHandlers(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"OrderApi", "PaymentCharge"} {
		_, ok := handlers[id]
		assert.True(t, ok, id)
	}
	assert.Len(t, handlers, 42)
}
