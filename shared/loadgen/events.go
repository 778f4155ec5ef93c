package loadgen

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// EventsConfig is where accepted orders' live status channels are: an AppSync Events API's
// real-time endpoint and a key allowed to subscribe, as a customer's phone has them.
type EventsConfig struct {
	// RealtimeURL is the WebSocket endpoint: wss://<realtime DNS>/event/realtime on AWS,
	// ws://127.0.0.1:<port>/appsync/<api id>/event/realtime on a listening emulator.
	RealtimeURL string
	// HTTPHost is the API's HTTP host, which the authorization header names; "" derives it from
	// RealtimeURL (AWS's "appsync-realtime-api" host becomes "appsync-api").
	HTTPHost string
	// APIKey is the API key sent in the connection's header and each subscribe.
	APIKey string
	// HTTPClient dials the WebSockets; nil means http.DefaultClient. The emulator's in-process
	// client cannot carry a WebSocket: the emulator must listen.
	HTTPClient *http.Client
	// MaxSubscriptions is how many channels one connection subscribes to before the pool opens
	// another; 0 means 100 (AppSync's default quota, which the emulator enforces). A connection
	// that refuses a subscribe with MaxSubscriptionsReachedError counts as full whatever this
	// says.
	MaxSubscriptions int
}

const (
	defaultMaxSubscriptions = 100
	subscribeTimeout        = 10 * time.Second
	// defaultKATimeout applies until connection_ack names connectionTimeoutMs.
	defaultKATimeout = 5 * time.Minute
	// redialAfter keeps a failing endpoint from being dialled once per order.
	redialAfter = time.Second
	eventBuffer = 32
	readLimit   = 4 << 20
)

func (e *EventsConfig) validate() error {
	u, err := url.Parse(e.RealtimeURL)
	switch {
	case e.RealtimeURL == "":
		return errors.New("Tracking.Events.RealtimeURL is empty")
	case err != nil:
		return fmt.Errorf("Tracking.Events.RealtimeURL %q: %w", e.RealtimeURL, err)
	case u.Scheme != "ws" && u.Scheme != "wss" || u.Host == "":
		return fmt.Errorf("Tracking.Events.RealtimeURL %q must be an absolute ws or wss URL", e.RealtimeURL)
	case e.APIKey == "":
		return errors.New("Tracking.Events.APIKey is empty: the Event API authorizes subscriptions with an API key")
	case e.MaxSubscriptions < 0:
		return fmt.Errorf("Tracking.Events.MaxSubscriptions must be >= 0, got %d", e.MaxSubscriptions)
	}
	return nil
}

// httpHost is the host the authorization header names.
func (e *EventsConfig) httpHost() string {
	if e.HTTPHost != "" {
		return e.HTTPHost
	}
	u, err := url.Parse(e.RealtimeURL)
	if err != nil {
		return ""
	}
	// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html:
	// the header's host is the HTTP endpoint's, which differs from the real-time one on AWS.
	return strings.Replace(u.Host, "appsync-realtime-api", "appsync-api", 1)
}

// eventsPool holds the WebSocket connections that the run's subscriptions share, opening one
// more when every open connection is full.
type eventsPool struct {
	cfg       EventsConfig
	auth      map[string]string
	protocols []string
	limit     int
	ctx       context.Context // ends at close
	cancel    context.CancelFunc
	opened    atomic.Int64
	wg        sync.WaitGroup

	mu         sync.Mutex
	conns      []*eventsConn
	closed     bool
	dialFailed time.Time
	dialErr    error
}

func newEventsPool(cfg EventsConfig) *eventsPool {
	auth := map[string]string{"host": cfg.httpHost(), "x-api-key": cfg.APIKey}
	header, _ := json.Marshal(auth) // strings only
	ctx, cancel := context.WithCancel(context.Background())
	p := &eventsPool{
		cfg:  cfg,
		auth: auth,
		// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html:
		// the authorization travels as a base64url subprotocol beside aws-appsync-event-ws.
		protocols: []string{"aws-appsync-event-ws", "header-" + base64.RawURLEncoding.EncodeToString(header)},
		limit:     cfg.MaxSubscriptions,
		ctx:       ctx,
		cancel:    cancel,
	}
	if p.limit == 0 {
		p.limit = defaultMaxSubscriptions
	}
	return p
}

// eventsConn is one WebSocket connection and its subscriptions.
type eventsConn struct {
	pool  *eventsPool
	ready chan struct{} // closed once the connection is acknowledged, or has failed (err)
	err   error
	ws    *websocket.Conn

	// Guarded by pool.mu.
	used, limit int
	gone        bool

	mu        sync.Mutex
	subs      map[string]*eventsSub // nil once the connection is gone
	kaTimeout time.Duration
	kaTimer   *time.Timer
}

// eventsSub is one subscription of one order's channel.
type eventsSub struct {
	id      string
	conn    *eventsConn
	ack     chan error
	events  chan json.RawMessage
	dropped chan struct{} // closed when the connection goes before the subscription ends
	done    atomic.Bool
}

// wsMessage is any message of the real-time endpoint, as the client reads it.
type wsMessage struct {
	Type                string          `json:"type"`
	ID                  string          `json:"id"`
	Event               json.RawMessage `json:"event"`
	ConnectionTimeoutMs int64           `json:"connectionTimeoutMs"`
	Errors              []struct {
		ErrorType string `json:"errorType"`
		Message   string `json:"message"`
	} `json:"errors"`
}

func (m wsMessage) err() error {
	if len(m.Errors) == 0 {
		return &subscribeError{Type: m.Type}
	}
	return &subscribeError{Type: m.Errors[0].ErrorType, Message: m.Errors[0].Message}
}

// subscribeError is an error the service answered; its message is left out of Error, which the
// result counts by kind.
type subscribeError struct{ Type, Message string }

func (e *subscribeError) Error() string { return "events: " + e.Type }

var errPoolClosed = errors.New("events: the run is over")

// subscribe subscribes to channel on a connection with room, opening one if needed, and returns
// once the subscription is acknowledged.
func (p *eventsPool) subscribe(ctx context.Context, channel string) (*eventsSub, error) {
	for range 5 {
		c, err := p.reserve()
		if err != nil {
			return nil, err
		}
		select {
		case <-c.ready:
		case <-ctx.Done():
			p.release(c)
			return nil, ctx.Err()
		}
		if c.err != nil {
			p.release(c)
			return nil, c.err
		}
		sub, err := c.subscribe(ctx, channel)
		var se *subscribeError
		switch {
		case err == nil:
			return sub, nil
		case errors.As(err, &se) && se.Type == "MaxSubscriptionsReachedError":
			p.full(c) // the service's limit is lower than ours: take it
		case errors.Is(err, errConnGone):
			p.release(c)
		default:
			p.release(c)
			return nil, err
		}
	}
	return nil, errors.New("events: no connection would take the subscription")
}

// reserve takes a subscription slot on an open or opening connection, or opens a new one.
func (p *eventsPool) reserve() (*eventsConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errPoolClosed
	}
	for _, c := range p.conns {
		if !c.gone && c.used < c.limit {
			c.used++
			return c, nil
		}
	}
	if time.Since(p.dialFailed) < redialAfter {
		return nil, p.dialErr
	}
	c := &eventsConn{pool: p, ready: make(chan struct{}), limit: p.limit, used: 1, subs: map[string]*eventsSub{}, kaTimeout: defaultKATimeout}
	p.conns = append(p.conns, c)
	p.wg.Go(c.open)
	return c, nil
}

func (p *eventsPool) release(c *eventsConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c.used--
}

// full marks c as holding as many subscriptions as the service allows, and frees the slot of the
// refused one.
func (p *eventsPool) full(c *eventsConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c.used--
	c.limit = c.used
}

// gone takes c out of the pool.
func (p *eventsPool) gone(c *eventsConn, dialErr error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c.gone = true
	for i, o := range p.conns {
		if o == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			break
		}
	}
	if dialErr != nil {
		p.dialFailed, p.dialErr = time.Now(), dialErr
	}
}

// close ends every connection; subscriptions still open see them dropped.
func (p *eventsPool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cancel() // every connection reads with p.ctx: its read fails and it closes
	p.wg.Wait()
}

// open dials, sends connection_init and waits for connection_ack, then reads until the
// connection ends.
func (c *eventsConn) open() {
	p := c.pool
	ctx, cancel := context.WithTimeout(p.ctx, subscribeTimeout)
	ws, _, err := websocket.Dial(ctx, p.cfg.RealtimeURL, &websocket.DialOptions{ //nolint:bodyclose // coder/websocket: "You never need to close resp.Body yourself."
		HTTPClient:   p.cfg.HTTPClient,
		Subprotocols: p.protocols,
	})
	if err == nil {
		// An event may be 240 KB (publish-http.html), escaped inside a data message.
		ws.SetReadLimit(readLimit)
		c.ws = ws
		err = c.init(ctx)
	}
	cancel()
	if err != nil {
		err = fmt.Errorf("events: connect to %s: %w", p.cfg.RealtimeURL, err)
		if ws != nil {
			_ = ws.CloseNow()
		}
		c.err = err
		p.gone(c, err)
		c.drop()
		close(c.ready)
		return
	}
	p.opened.Add(1)
	c.mu.Lock()
	c.kaTimer = time.AfterFunc(c.kaTimeout, func() { _ = ws.CloseNow() })
	c.mu.Unlock()
	close(c.ready)
	c.readLoop()
}

// init is the connection's handshake: connection_init → connection_ack; a "ka" may come first.
func (c *eventsConn) init(ctx context.Context) error {
	if err := c.write(ctx, map[string]string{"type": "connection_init"}); err != nil {
		return err
	}
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			return err
		}
		var m wsMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("read connection_ack: %w", err)
		}
		switch m.Type {
		case "connection_ack":
			if m.ConnectionTimeoutMs > 0 {
				c.kaTimeout = time.Duration(m.ConnectionTimeoutMs) * time.Millisecond
			}
			return nil
		case "ka":
		default:
			return fmt.Errorf("%s instead of connection_ack: %w", m.Type, m.err())
		}
	}
}

func (c *eventsConn) write(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// readLoop hands each message to its subscription until the connection ends, then drops the
// subscriptions still open.
func (c *eventsConn) readLoop() {
	defer func() {
		c.pool.gone(c, nil)
		c.drop()
		_ = c.ws.CloseNow()
	}()
	for {
		_, data, err := c.ws.Read(c.pool.ctx)
		if err != nil {
			return
		}
		c.mu.Lock()
		c.kaTimer.Reset(c.kaTimeout) // any message shows the connection is alive
		c.mu.Unlock()
		var m wsMessage
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		switch m.Type {
		case "data":
			if sub := c.sub(m.ID); sub != nil {
				select {
				case sub.events <- m.Event:
				default: // the order's tracker is far behind: the event counts as missed
				}
			}
		case "subscribe_success":
			if sub := c.sub(m.ID); sub != nil {
				select {
				case sub.ack <- nil:
				default:
				}
			}
		case "subscribe_error", "error":
			if sub := c.sub(m.ID); sub != nil {
				select {
				case sub.ack <- m.err():
				default:
				}
			}
		case "connection_error":
			return
		}
		// "ka", unsubscribe_success and unsubscribe_error need nothing.
	}
}

func (c *eventsConn) sub(id string) *eventsSub {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.subs[id]
}

// drop ends the connection's subscriptions: their trackers see dropped closed.
func (c *eventsConn) drop() {
	c.mu.Lock()
	subs := c.subs
	c.subs = nil
	if c.kaTimer != nil {
		c.kaTimer.Stop()
	}
	c.mu.Unlock()
	for _, s := range subs {
		close(s.dropped)
	}
}

var errConnGone = errors.New("events: the connection closed")

// subscribe sends one subscribe and waits for its answer.
func (c *eventsConn) subscribe(ctx context.Context, channel string) (*eventsSub, error) {
	s := &eventsSub{id: uuid.New(), conn: c, ack: make(chan error, 1), events: make(chan json.RawMessage, eventBuffer), dropped: make(chan struct{})}
	c.mu.Lock()
	if c.subs == nil {
		c.mu.Unlock()
		return nil, errConnGone
	}
	c.subs[s.id] = s
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, subscribeTimeout)
	defer cancel()
	msg := map[string]any{"type": "subscribe", "id": s.id, "channel": channel, "authorization": c.pool.auth}
	err := c.write(ctx, msg)
	if err == nil {
		select {
		case err = <-s.ack:
		case <-s.dropped:
			return nil, errConnGone
		case <-ctx.Done():
			err = fmt.Errorf("events: subscribe: no answer: %w", ctx.Err())
		}
	}
	if err != nil {
		c.forget(s)
		return nil, err
	}
	return s, nil
}

// forget removes s from its connection without a message; it reports whether s was there.
func (c *eventsConn) forget(s *eventsSub) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.subs[s.id]; !ok {
		return false
	}
	delete(c.subs, s.id)
	return true
}

// unsubscribe ends the subscription and frees its slot. The service reads a connection's
// messages in order, so a subscribe sent after this finds the slot free.
func (s *eventsSub) unsubscribe() {
	if s == nil || !s.done.CompareAndSwap(false, true) {
		return
	}
	c := s.conn
	if !c.forget(s) {
		return // the connection went first
	}
	ctx, cancel := context.WithTimeout(c.pool.ctx, subscribeTimeout)
	_ = c.write(ctx, map[string]string{"type": "unsubscribe", "id": s.id})
	cancel()
	c.pool.release(c)
}

// statusEvent is one event of an order's channel: at least its status, and when it happened.
type statusEvent struct {
	Status string
	At     time.Time // zero when the event has no time
	// Whole is true when At has no fraction of a second, as EventBridge's event time.
	Whole bool
	Order orderAnswer // the event read as an order: its "<status>_at" fields and failure_reason
}

// parseEvent reads a data message's event: a JSON string holding the event's JSON (an object
// directly is accepted too).
func parseEvent(raw json.RawMessage) (statusEvent, bool) {
	var s string
	body := []byte(raw)
	if json.Unmarshal(raw, &s) == nil {
		body = []byte(s)
	}
	var fields struct {
		Status string `json:"status"`
		At     string `json:"at"`
		Time   string `json:"time"`
	}
	var ev statusEvent
	if json.Unmarshal(body, &fields) != nil || json.Unmarshal(body, &ev.Order) != nil || fields.Status == "" {
		return ev, false
	}
	ev.Status = fields.Status
	at := fields.At
	if at == "" {
		at = fields.Time
	}
	if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
		ev.At, ev.Whole = t, t.Nanosecond() == 0 && !strings.Contains(at, ".")
	}
	return ev, true
}

// when is the best estimate of when the event happened, given that it arrived at received. An
// event time with a fraction of a second is taken as it is. A whole-second time (EventBridge's
// event time has no fraction) only says the event happened in [at, at+1s): the arrival time is
// used, brought into that range.
func (ev statusEvent) when(received time.Time) time.Time {
	switch {
	case ev.At.IsZero():
		return received
	case !ev.Whole:
		return ev.At
	case received.Before(ev.At):
		return ev.At
	case received.After(ev.At.Add(time.Second)):
		return ev.At.Add(time.Second)
	}
	return received
}
