package appsync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkFanOut measures one published event reaching 1,000 subscribers, each on its own
// loopback WebSocket, with the zero latency model: from the publish until every subscriber has
// read its data message.
//
//	go test -run '^$' -bench FanOut -benchtime 200x ./shared/emulator/appsync/
func BenchmarkFanOut(b *testing.B) {
	const subscribers = 1000
	f := start(b, nil)
	var received sync.WaitGroup
	for i := range subscribers {
		c := f.connect(b)
		f.subscribe(b, c, fmt.Sprintf("s%d", i), "/orders/*")
		go func() {
			for {
				_, data, err := c.Read(context.Background())
				if err != nil {
					return
				}
				if bytes.HasPrefix(data, []byte(`{"type":"data"`)) {
					received.Done()
				}
			}
		}()
	}
	event := `{"orderId":"42","status":"baked"}`
	call, err := json.Marshal(map[string]any{"ApiId": f.apiID, "Channel": "/orders/42/status", "Events": []string{event}})
	require.NoError(b, err)
	body, err := json.Marshal(map[string]any{"channel": "/orders/42/status", "events": []string{event}})
	require.NoError(b, err)

	b.Run("in-process publish", func(b *testing.B) {
		for b.Loop() {
			received.Add(subscribers)
			if _, err := f.svc.Call(context.Background(), "Publish", call); err != nil {
				b.Fatal(err)
			}
			received.Wait()
		}
	})
	b.Run("HTTP publish", func(b *testing.B) {
		for b.Loop() {
			received.Add(subscribers)
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, f.httpURL, bytes.NewReader(body))
			req.Header.Set("x-api-key", f.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("publish: %s", resp.Status)
			}
			received.Wait()
		}
	})
}
