package kitchen_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/kitchen"
)

// gatedPrepare holds every ticket until released, counting how many a store prepares at once.
type gatedPrepare struct {
	release chan struct{}
	mu      sync.Mutex
	now     map[string]int
	most    map[string]int
}

func (g *gatedPrepare) prepare(ctx context.Context, t kitchen.Ticket) error {
	g.mu.Lock()
	g.now[t.StoreID]++
	g.most[t.StoreID] = max(g.most[t.StoreID], g.now[t.StoreID])
	g.mu.Unlock()
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	g.now[t.StoreID]--
	g.mu.Unlock()
	return nil
}

func ticket(order, store string) kitchen.Ticket {
	return kitchen.Ticket{OrderID: order, StoreID: store, Lines: []kitchen.Line{{ItemID: "croissant", Quantity: 2}}, TaskToken: "tok-" + order}
}

func TestBakersLimitEachStore(t *testing.T) {
	g := &gatedPrepare{release: make(chan struct{}), now: map[string]int{}, most: map[string]int{}}
	var ready sync.Map
	var readyCount atomic.Int64
	k, err := kitchen.New(kitchen.Config{Bakers: 2, Stores: map[string]int{"lon-01": 4}, Prepare: g.prepare,
		Ready: func(_ context.Context, t kitchen.Ticket) error {
			ready.Store(t.OrderID, t.TaskToken)
			readyCount.Add(1)
			return nil
		}})
	require.NoError(t, err)
	for i := range 10 {
		require.NoError(t, k.Accept(ticket("a"+string(rune('0'+i)), "ams-01")))
		require.NoError(t, k.Accept(ticket("l"+string(rune('0'+i)), "lon-01")))
	}
	require.Eventually(t, func() bool { return k.Stats().Preparing == 6 }, 5*time.Second, time.Millisecond)
	close(g.release)
	require.Eventually(t, func() bool { return readyCount.Load() == 20 }, 5*time.Second, time.Millisecond)
	k.Close()
	assert.Equal(t, 2, g.most["ams-01"])
	assert.Equal(t, 4, g.most["lon-01"])
	tok, _ := ready.Load("a3")
	assert.Equal(t, "tok-a3", tok)
	st := k.Stats()
	assert.Equal(t, int64(20), st.Received)
	assert.Equal(t, int64(20), st.Prepared)
	assert.GreaterOrEqual(t, st.MaxWaiting, int64(14))
}

func TestReadyIsRetried(t *testing.T) {
	var calls atomic.Int64
	k, err := kitchen.New(kitchen.Config{ReadyRetries: 1,
		Prepare: func(context.Context, kitchen.Ticket) error { return nil },
		Ready: func(context.Context, kitchen.Ticket) error {
			if calls.Add(1) == 1 {
				return errors.New("stage busy")
			}
			return nil
		}})
	require.NoError(t, err)
	require.NoError(t, k.Accept(ticket("o1", "par-01")))
	require.Eventually(t, func() bool { return calls.Load() == 2 }, 5*time.Second, 10*time.Millisecond)
	k.Close()
	assert.Equal(t, int64(0), k.Stats().ReadyFailed)
}

func TestHandler(t *testing.T) {
	k, err := kitchen.New(kitchen.Config{KnownStore: func(id string) bool { return id == "par-01" },
		Prepare: func(context.Context, kitchen.Ticket) error { return nil },
		Ready:   func(context.Context, kitchen.Ticket) error { return nil }})
	require.NoError(t, err)
	defer k.Close()
	h := kitchen.NewHandler(k)
	tests := []struct {
		name, method, path, body string
		want                     int
		contains                 string
	}{
		{"accepted", http.MethodPost, kitchen.TicketsPath, `{"order_id":"o1","store_id":"par-01","lines":[{"item_id":"canele","quantity":3}]}`, http.StatusAccepted, `"queued"`},
		{"not json", http.MethodPost, kitchen.TicketsPath, `{`, http.StatusBadRequest, "not valid JSON"},
		{"no lines", http.MethodPost, kitchen.TicketsPath, `{"order_id":"o1","store_id":"par-01"}`, http.StatusBadRequest, "lines must list"},
		{"zero quantity", http.MethodPost, kitchen.TicketsPath, `{"order_id":"o1","store_id":"par-01","lines":[{"item_id":"canele","quantity":0}]}`, http.StatusBadRequest, "lines[0]"},
		{"unknown store", http.MethodPost, kitchen.TicketsPath, `{"order_id":"o1","store_id":"xxx","lines":[{"item_id":"canele","quantity":1}]}`, http.StatusBadRequest, `not a store of this kitchen`},
		{"stats", http.MethodGet, kitchen.StatsPath, ``, http.StatusOK, `"received"`},
		{"wrong method", http.MethodGet, kitchen.TicketsPath, ``, http.StatusMethodNotAllowed, "not allowed"},
		{"unknown path", http.MethodGet, "/nope", ``, http.StatusNotFound, "no such kitchen path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, "http://kitchen.internal"+tt.path, strings.NewReader(tt.body)))
			assert.Equal(t, tt.want, rec.Code)
			assert.Contains(t, rec.Body.String(), tt.contains)
		})
	}
}
