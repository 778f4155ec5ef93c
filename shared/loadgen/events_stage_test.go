package loadgen

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const stageKey = "da2-testkey"

// step is one status an order of the fake stage reaches, after its creation.
type step struct {
	status string
	after  time.Duration
}

// eventStage is a fake asynchronous stage. POST /orders answers 201 "pending-payment" with the
// order's channel /orders/<id>; the order then reaches each step on the server's clock, which is
// published to the channel's subscribers (the AppSync Events WebSocket protocol on
// /event/realtime, or publish when set) and shown by GET /orders/{id} with "<status>_at".
type eventStage struct {
	steps       []step
	skip        map[string]bool          // statuses whose event is never published
	late        map[string]time.Duration // statuses whose event is published this long after the status
	noChannel   bool
	limit       int           // subscriptions per connection; 0 means 100
	ka          time.Duration // keep-alive interval; 0 means none
	dropAfter   time.Duration // close the first connection this long after its first subscribe
	wholeSecond bool          // event times without a fraction, as EventBridge's
	// publish, when set, publishes instead of the fake's own WebSocket endpoint.
	publish func(channel, event string)

	gets, conns atomic.Int64

	mu      sync.Mutex
	n       int
	created map[string]time.Time
	subs    map[string]map[*stageConn]string // channel → connection → subscription id
	maxSubs int                              // most subscriptions one connection held
	dropped bool
}

func defaultSteps() []step {
	return []step{{"paid", 100 * time.Millisecond}, {"preparing", 150 * time.Millisecond}, {"ready", 250 * time.Millisecond}}
}

type stageConn struct {
	ws   *websocket.Conn
	subs map[string]string // subscription id → channel; guarded by eventStage.mu
}

func (s *eventStage) start(t testing.TB) *httptest.Server {
	t.Helper()
	s.created = map[string]time.Time{}
	s.subs = map[string]map[*stageConn]string{}
	return startServer(t, s.ServeHTTP)
}

func (s *eventStage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/event/realtime":
		s.serveWS(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/orders":
		s.mu.Lock()
		s.n++
		id := fmt.Sprintf("ord-%d", s.n)
		now := time.Now()
		s.created[id] = now
		s.mu.Unlock()
		go s.publishSteps(id, now)
		out := map[string]string{"order_id": id, "status": "pending-payment"}
		if !s.noChannel {
			out["channel"] = "/orders/" + id
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/orders/"):
		s.gets.Add(1)
		id := strings.TrimPrefix(r.URL.Path, "/orders/")
		s.mu.Lock()
		created, ok := s.created[id]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		out := map[string]string{"order_id": id, "status": "pending-payment"}
		for _, st := range s.steps {
			if time.Since(created) >= st.after {
				out["status"] = st.status
				out[st.status+"_at"] = created.Add(st.after).UTC().Format(time.RFC3339Nano)
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	default:
		http.NotFound(w, r)
	}
}

// publishSteps publishes each step of an order when it is due, a late one after the steps due
// before it (EventBridge does not keep events in order); subscribers that come later miss it,
// as on AppSync.
func (s *eventStage) publishSteps(id string, created time.Time) {
	due := func(st step) time.Duration { return st.after + s.late[st.status] }
	steps := slices.Clone(s.steps)
	slices.SortStableFunc(steps, func(a, b step) int { return cmp.Compare(due(a), due(b)) })
	for _, st := range steps {
		time.Sleep(time.Until(created.Add(due(st))))
		if s.skip[st.status] {
			continue
		}
		at := created.Add(st.after).UTC()
		layout := time.RFC3339Nano
		if s.wholeSecond {
			layout = time.RFC3339
		}
		event := fmt.Sprintf(`{"status":%q,"at":%q}`, st.status, at.Format(layout))
		channel := "/orders/" + id
		if s.publish != nil {
			s.publish(channel, event)
			continue
		}
		s.mu.Lock()
		var to []*stageConn
		var ids []string
		for c, subID := range s.subs[channel] {
			to, ids = append(to, c), append(ids, subID)
		}
		s.mu.Unlock()
		for i, c := range to {
			quoted, _ := json.Marshal(event)
			writeJSON(c.ws, map[string]any{"type": "data", "id": ids[i], "event": json.RawMessage(quoted)})
		}
	}
}

func writeJSON(ws *websocket.Conn, v any) {
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = ws.Write(ctx, websocket.MessageText, b)
}

// serveWS speaks the server side of the protocol: header subprotocol, connection_init →
// connection_ack, subscribe → subscribe_success (or MaxSubscriptionsReachedError past the
// limit), unsubscribe → unsubscribe_success, "ka" every s.ka.
func (s *eventStage) serveWS(w http.ResponseWriter, r *http.Request) {
	key := ""
	for _, p := range strings.Split(r.Header.Get("Sec-WebSocket-Protocol"), ",") {
		if enc, ok := strings.CutPrefix(strings.TrimSpace(p), "header-"); ok {
			raw, _ := base64.RawURLEncoding.DecodeString(enc)
			var h map[string]string
			_ = json.Unmarshal(raw, &h)
			key = h["x-api-key"]
		}
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"aws-appsync-event-ws"}})
	if err != nil {
		return
	}
	defer func() { _ = ws.CloseNow() }()
	if key != stageKey {
		writeJSON(ws, map[string]any{"type": "connection_error", "errors": []map[string]string{{"errorType": "UnauthorizedException", "message": "bad key"}}})
		_ = ws.Close(websocket.StatusPolicyViolation, "UnauthorizedException")
		return
	}
	s.conns.Add(1)
	c := &stageConn{ws: ws, subs: map[string]string{}}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer func() {
		s.mu.Lock()
		for _, ch := range c.subs {
			delete(s.subs[ch], c)
		}
		s.mu.Unlock()
	}()
	limit := s.limit
	if limit == 0 {
		limit = 100
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var m struct{ Type, ID, Channel string }
		_ = json.Unmarshal(data, &m)
		switch m.Type {
		case "connection_init":
			if s.ka > 0 {
				writeJSON(ws, map[string]string{"type": "ka"}) // a keep-alive may come first
			}
			writeJSON(ws, map[string]any{"type": "connection_ack", "connectionTimeoutMs": 300000})
			if s.ka > 0 {
				go func() {
					tick := time.NewTicker(s.ka)
					defer tick.Stop()
					for {
						select {
						case <-ctx.Done():
							return
						case <-tick.C:
							writeJSON(ws, map[string]string{"type": "ka"})
						}
					}
				}()
			}
		case "subscribe":
			s.mu.Lock()
			if len(c.subs) >= limit {
				s.mu.Unlock()
				writeJSON(ws, map[string]any{"type": "subscribe_error", "id": m.ID, "errors": []map[string]string{{"errorType": "MaxSubscriptionsReachedError", "message": "full"}}})
				continue
			}
			c.subs[m.ID] = m.Channel
			if s.subs[m.Channel] == nil {
				s.subs[m.Channel] = map[*stageConn]string{}
			}
			s.subs[m.Channel][c] = m.ID
			s.maxSubs = max(s.maxSubs, len(c.subs))
			drop := s.dropAfter > 0 && !s.dropped
			s.dropped = s.dropped || drop
			s.mu.Unlock()
			writeJSON(ws, map[string]string{"type": "subscribe_success", "id": m.ID})
			if drop {
				time.AfterFunc(s.dropAfter, func() { _ = ws.CloseNow() })
			}
		case "unsubscribe":
			s.mu.Lock()
			if ch, ok := c.subs[m.ID]; ok {
				delete(c.subs, m.ID)
				delete(s.subs[ch], c)
			}
			s.mu.Unlock()
			writeJSON(ws, map[string]string{"type": "unsubscribe_success", "id": m.ID})
		}
	}
}
