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

// TestStageRunsOffline is the acceptance run as a test: the stage's committed template in
// the emulator on a loopback port, its real handler, its real SDK DynamoDB client, and plain HTTP.
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
	assert.Equal(t, "pending-payment", placed.Status)

	tests := []struct {
		name, method, path, body string
		want                     int
		contains                 string
	}{
		{"read the order back", http.MethodGet, "/orders/" + placed.OrderID, "", http.StatusOK, `"status":"pending-payment"`},
		{"menu", http.MethodGet, "/menu", "", http.StatusOK, "croissant"},
		{"malformed body", http.MethodPost, "/orders", "{", http.StatusBadRequest, "error"},
		// Bytes that are not UTF-8 reach the handler as U+FFFD (the REST API declares no binary
		// media types: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html)
		// and are answered as such, not as base64 text.
		{"bytes that are not UTF-8", http.MethodPost, "/orders", strings.Replace(order, "Ada", "Ad\xe9", 1), http.StatusBadRequest, "request body is not UTF-8 text"},
		{"unknown store", http.MethodPost, "/orders", strings.Replace(order, "lon-01", "atlantis-01", 1), http.StatusBadRequest, "store_id"},
		{"unknown order", http.MethodGet, "/orders/nosuchorder00000", "", http.StatusNotFound, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, tt.method, api+tt.path, tt.body)
			assert.Equal(t, tt.want, status, body)
			assert.Contains(t, body, tt.contains)
		})
	}
}

func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}
