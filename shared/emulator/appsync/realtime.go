package appsync

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync/model"
)

const (
	// sendQueue is how many messages wait for a slow client before events are dropped.
	sendQueue = 1024
	// readLimit admits a publish of five 240 KB events, escaped, over the WebSocket.
	readLimit = 4 << 20
	// headerPrefix starts the subprotocol that carries the authorization header.
	headerPrefix = "header-"
)

// inbound is a client message.
type inbound struct {
	Type          string            `json:"type"`
	ID            string            `json:"id"`
	Channel       string            `json:"channel"`
	Events        []json.RawMessage `json:"events"`
	Authorization map[string]any    `json:"authorization"`
}

// outbound is a server message other than data and publish_success.
type outbound struct {
	Type                string       `json:"type"`
	ID                  string       `json:"id,omitempty"`
	ConnectionTimeoutMs int64        `json:"connectionTimeoutMs,omitempty"`
	Errors              []errorEntry `json:"errors,omitempty"`
}

// publishSuccess is the answer to a WebSocket publish.
type publishSuccess struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	PublishResult
}

// frame is one message for the writer; closeCode ≠ 0 closes the connection after it.
type frame struct {
	data      []byte
	closeCode websocket.StatusCode
	reason    string
}

// conn is one WebSocket connection to an Event API's real-time endpoint.
type conn struct {
	s      *Service
	api    *model.API
	ws     *websocket.Conn
	out    chan frame
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	subs   map[string]*model.Subscription
	active map[*model.Subscription]*atomic.Bool
	acked  bool
	once   sync.Once
}

// offeredProtocols lists the subprotocols of the upgrade request.
func offeredProtocols(r *http.Request) []string {
	var out []string
	for _, h := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(h, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// headerAPIKey decodes the authorization header carried in the "header-<base64url JSON>"
// subprotocol and returns its x-api-key.
func headerAPIKey(protocols []string) string {
	for _, p := range protocols {
		enc, ok := strings.CutPrefix(p, headerPrefix)
		if !ok {
			continue
		}
		var raw []byte
		var err error
		for _, e := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
			if raw, err = e.DecodeString(enc); err == nil {
				break
			}
		}
		if err != nil {
			return ""
		}
		var h map[string]any
		if json.Unmarshal(raw, &h) != nil {
			return ""
		}
		return apiKeyOf(h)
	}
	return ""
}

// apiKeyOf reads x-api-key from an authorization object, whatever the case of the name.
func apiKeyOf(h map[string]any) string {
	for k, v := range h {
		if strings.EqualFold(k, "x-api-key") {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// serveRealtime upgrades to the Event API WebSocket protocol.
func (s *Service) serveRealtime(w http.ResponseWriter, r *http.Request, api *model.API) {
	protocols := offeredProtocols(r)
	offered := false
	for _, p := range protocols {
		offered = offered || p == Subprotocol
	}
	if !offered {
		writeErrors(w, http.StatusBadRequest, &model.Error{Type: model.ErrBadRequest, Message: fmt.Sprintf("the WebSocket must offer the %q subprotocol and the authorization header as \"header-<base64url JSON>\"", Subprotocol)})
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{Subprotocol}, InsecureSkipVerify: true})
	if err != nil {
		return
	}
	ws.SetReadLimit(readLimit)
	ctx, cancel := context.WithCancel(s.ctx)
	c := &conn{s: s, api: api, ws: ws, out: make(chan frame, sendQueue), ctx: ctx, cancel: cancel, subs: map[string]*model.Subscription{}, active: map[*model.Subscription]*atomic.Bool{}}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		_ = ws.Close(websocket.StatusGoingAway, "the emulator is closing")
		return
	}
	s.conns[c] = struct{}{}
	s.work.Add(1)
	s.mu.Unlock()
	s.count(api, "connections", 1)
	s.count(api, "connections_opened", 1)
	defer c.finish()

	done := make(chan struct{})
	go func() { defer close(done); c.writeLoop() }()
	if err := api.Authorize(headerAPIKey(protocols), s.env.Now()); err != nil {
		// The writer sends the error, closes the connection and stops.
		c.sendClose(outbound{Type: "connection_error", Errors: entries(err)}, websocket.StatusPolicyViolation, err.Type)
		<-done
		return
	}
	c.readLoop()
	c.cancel()
	<-done
}

// finish unregisters the connection and its subscriptions.
func (c *conn) finish() {
	c.cancel()
	c.mu.Lock()
	subs := c.subs
	c.subs = map[string]*model.Subscription{}
	c.mu.Unlock()
	for _, sub := range subs {
		if c.api.Unsubscribe(sub) {
			c.s.count(c.api, "subscriptions", -1)
		}
	}
	c.s.count(c.api, "connections", -1)
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	c.s.work.Done()
}

// close ends the connection from the server side (Service.Close).
func (c *conn) close() {
	c.once.Do(func() {
		_ = c.ws.Close(websocket.StatusGoingAway, "the emulator is closing")
		c.cancel()
	})
}

func (c *conn) writeLoop() {
	for {
		select {
		case f := <-c.out:
			if f.data != nil {
				if err := c.ws.Write(c.ctx, websocket.MessageText, f.data); err != nil {
					c.cancel()
					return
				}
			}
			if f.closeCode != 0 {
				c.once.Do(func() { _ = c.ws.Close(f.closeCode, f.reason) })
				c.cancel()
				return
			}
		case <-c.ctx.Done():
			return
		}
	}
}

// enqueue queues a frame without blocking; it reports false when the client is too slow or
// gone.
func (c *conn) enqueue(f frame) bool {
	select {
	case <-c.ctx.Done():
		return false
	default:
	}
	select {
	case c.out <- f:
		return true
	default:
		return false
	}
}

func (c *conn) send(m any) {
	b, err := json.Marshal(m)
	if err == nil {
		c.enqueue(frame{data: b})
	}
}

func (c *conn) sendClose(m any, code websocket.StatusCode, reason string) {
	b, _ := json.Marshal(m)
	c.enqueue(frame{data: b, closeCode: code, reason: reason})
}

func (c *conn) sendError(typ, id string, e *model.Error) {
	c.send(outbound{Type: typ, ID: id, Errors: entries(e)})
}

func (c *conn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		var m inbound
		if typ != websocket.MessageText || json.Unmarshal(data, &m) != nil {
			c.sendError("error", "", &model.Error{Type: model.ErrBadRequest, Message: "the message is not a JSON object"})
			continue
		}
		switch m.Type {
		case "connection_init":
			c.connectionInit()
		case "subscribe":
			c.subscribe(m)
		case "unsubscribe":
			c.unsubscribe(m)
		case "publish":
			c.publish(m)
		default:
			name := m.Type
			if name == "" {
				name = "unknown"
			}
			c.sendError("error", m.ID, &model.Error{Type: model.ErrUnsupported, Message: name + " not supported through the realtime channel"})
		}
	}
}

// connectionInit acknowledges the connection and starts the keep-alives.
func (c *conn) connectionInit() {
	c.send(outbound{Type: "connection_ack", ConnectionTimeoutMs: ConnectionTimeout.Milliseconds()})
	c.mu.Lock()
	first := !c.acked
	c.acked = true
	c.mu.Unlock()
	if first {
		go c.keepAlive()
	}
}

func (c *conn) keepAlive() {
	ka, _ := json.Marshal(outbound{Type: "ka"})
	for c.s.env.Sleep(c.ctx, KeepAliveInterval) == nil {
		c.enqueue(frame{data: ka})
	}
}

// authorize checks the authorization object of a subscribe or publish message.
func (c *conn) authorize(h map[string]any) *model.Error {
	return c.api.Authorize(apiKeyOf(h), c.s.env.Now())
}

func (c *conn) subscribe(m inbound) {
	if m.ID == "" {
		c.sendError("subscribe_error", "", &model.Error{Type: model.ErrBadRequest, Message: "a subscribe message needs an id"})
		return
	}
	if err := c.authorize(m.Authorization); err != nil {
		c.sendError("subscribe_error", m.ID, err)
		return
	}
	ch, err := c.api.Channel(m.Channel, true)
	if err != nil {
		c.sendError("subscribe_error", m.ID, err)
		return
	}
	c.mu.Lock()
	if _, dup := c.subs[m.ID]; dup {
		c.mu.Unlock()
		c.sendError("subscribe_error", m.ID, &model.Error{Type: model.ErrDuplicated, Message: fmt.Sprintf("a subscription with id %q already exists on this connection", m.ID)})
		return
	}
	if len(c.subs) >= model.MaxSubscriptionsPerConnection {
		c.mu.Unlock()
		c.sendError("subscribe_error", m.ID, &model.Error{Type: model.ErrMaxSubscriptions, Message: fmt.Sprintf("a connection has at most %d subscriptions", model.MaxSubscriptionsPerConnection)})
		return
	}
	active := new(atomic.Bool)
	active.Store(true)
	idJSON, _ := json.Marshal(m.ID)
	prefix := `{"type":"data","id":` + string(idJSON) + `,"event":`
	sub := &model.Subscription{ID: m.ID, Channel: ch, Deliver: func(_ *model.Subscription, quoted string) bool {
		if !active.Load() {
			return false
		}
		b := make([]byte, 0, len(prefix)+len(quoted)+1)
		b = append(append(append(b, prefix...), quoted...), '}')
		return c.enqueue(frame{data: b})
	}}
	c.subs[m.ID] = sub
	c.active[sub] = active
	c.mu.Unlock()
	// The acknowledgement is queued before the subscription can receive anything.
	c.send(outbound{Type: "subscribe_success", ID: m.ID})
	c.api.Subscribe(sub)
	c.s.count(c.api, "subscriptions", 1)
	c.s.count(c.api, "subscribes", 1)
}

func (c *conn) unsubscribe(m inbound) {
	c.mu.Lock()
	sub, ok := c.subs[m.ID]
	if ok {
		delete(c.subs, m.ID)
		c.active[sub].Store(false)
		delete(c.active, sub)
	}
	c.mu.Unlock()
	if !ok {
		c.sendError("unsubscribe_error", m.ID, &model.Error{Type: model.ErrUnknownOperation, Message: fmt.Sprintf("no subscription with id %q on this connection", m.ID)})
		return
	}
	if c.api.Unsubscribe(sub) {
		c.s.count(c.api, "subscriptions", -1)
	}
	c.send(outbound{Type: "unsubscribe_success", ID: m.ID})
}

func (c *conn) publish(m inbound) {
	if m.ID == "" {
		c.sendError("publish_error", "", &model.Error{Type: model.ErrBadRequest, Message: "a publish message needs an id"})
		return
	}
	if err := c.authorize(m.Authorization); err != nil {
		c.sendError("publish_error", m.ID, err)
		return
	}
	events, err := eventStrings(m.Events)
	if err == nil {
		var res PublishResult
		if res, err = c.s.publish(c.ctx, c.api, m.Channel, events); err == nil {
			c.send(publishSuccess{Type: "publish_success", ID: m.ID, PublishResult: res})
			return
		}
	}
	c.sendError("publish_error", m.ID, err)
}
