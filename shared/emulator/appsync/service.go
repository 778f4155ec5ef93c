package appsync

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// PathPrefix starts every path the service serves: /appsync/<apiId>/event and
// /appsync/<apiId>/event/realtime.
const PathPrefix = "/appsync/"

// InternalHost is the host of the Dns.Http and Dns.Realtime attributes: the emulator's
// in-process host name. Endpoints gives the URLs on a listening emulator.
const InternalHost = "emulator.internal"

// Component is the latency model's component for publish → subscriber delivery. The service
// uses it when the model has it, else the older "appsync.events", else no modelled latency.
const Component = "appsync.publish"

// Protocol facts of the real-time endpoint (event-api-websocket-protocol.html).
const (
	// Subprotocol is the WebSocket subprotocol a client must offer.
	Subprotocol = "aws-appsync-event-ws"
	// ConnectionTimeout is connection_ack's connectionTimeoutMs: how long a client waits for a
	// "ka" before it drops the connection.
	ConnectionTimeout = 5 * time.Minute
	// KeepAliveInterval is how often the service sends "ka". AWS says only "periodically";
	// a minute keeps well inside ConnectionTimeout.
	KeepAliveInterval = time.Minute
)

// Service is the emulated AppSync Events service of one emulator: the HTTP publish endpoint and
// the real-time WebSocket endpoint of every Event API (ServeHTTP), the CloudFormation
// provisioner (Types, Provision) and in-process publishing for other services (Call).
type Service struct {
	env       *sim.Env
	model     *model.Model
	component string
	ctx       context.Context // ends at Close
	cancel    context.CancelFunc

	mu      sync.Mutex
	logical map[string]string // api id → logical id
	conns   map[*conn]struct{}
	closed  bool
	work    sync.WaitGroup // deliveries and connections
}

var (
	_ sim.Service = (*Service)(nil)
	_ sim.Caller  = (*Service)(nil)
)

// New returns the AppSync Events service of an emulator and registers it for Env.Call under
// "appsync". env.Latency may be nil (no modelled latency); env.Metrics, env.Faults and
// env.Traces may be nil. The caller must Close it.
func New(env *sim.Env) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{env: env, model: model.New(), ctx: ctx, cancel: cancel, logical: map[string]string{}, conns: map[*conn]struct{}{}}
	if env.Latency != nil {
		for _, c := range []string{Component, "appsync.events"} {
			if env.Latency.Has(c) {
				s.component = c
				break
			}
		}
	}
	env.Register(s.Name(), s)
	return s
}

// Name is the service's ARN namespace.
func (s *Service) Name() string { return "appsync" }

// LatencyComponent is the latency model's component the service spends on each publish's
// delivery ("" when the model has neither Component nor "appsync.events").
func (s *Service) LatencyComponent() string { return s.component }

// Model returns the service's state.
func (s *Service) Model() *model.Model { return s.model }

// Serves reports whether a request is for AppSync Events: its path starts with /appsync/.
func (s *Service) Serves(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, PathPrefix) }

// Endpoints returns the HTTP publish URL and the real-time WebSocket URL of an Event API on an
// emulator listening at baseURL ("http://127.0.0.1:4566"); "" baseURL means the in-process host.
func (s *Service) Endpoints(apiID, baseURL string) (httpURL, realtimeURL string) {
	if baseURL == "" {
		baseURL = "http://" + InternalHost
	}
	base := strings.TrimSuffix(baseURL, "/") + PathPrefix + apiID + "/event"
	ws := base
	switch {
	case strings.HasPrefix(ws, "https://"):
		ws = "wss://" + strings.TrimPrefix(ws, "https://")
	case strings.HasPrefix(ws, "http://"):
		ws = "ws://" + strings.TrimPrefix(ws, "http://")
	}
	return base, ws + "/realtime"
}

// dnsName is the value of Dns.Http and Dns.Realtime: clients append /event and /event/realtime
// as they do to AWS's host names.
func dnsName(apiID string) string { return InternalHost + PathPrefix + apiID }

// ServeHTTP answers POST /appsync/<apiId>/event (publish) and GET
// /appsync/<apiId>/event/realtime (the WebSocket).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, PathPrefix)
	apiID, route, _ := strings.Cut(rest, "/")
	api, ok := s.model.API(apiID)
	if !ok {
		writeErrors(w, http.StatusNotFound, &model.Error{Type: model.ErrNotFound, Message: fmt.Sprintf("no Event API %q in the emulator", apiID)})
		return
	}
	setCORS(w)
	switch {
	case r.Method == http.MethodOptions:
		w.WriteHeader(http.StatusOK)
	case route == "event" && r.Method == http.MethodPost:
		s.servePublish(w, r, api)
	case route == "event/realtime" && r.Method == http.MethodGet:
		s.serveRealtime(w, r, api)
	default:
		writeErrors(w, http.StatusBadRequest, &model.Error{Type: model.ErrBadRequest, Message: fmt.Sprintf("%s %s is not an AppSync Events operation: publish with POST .../event, subscribe with a WebSocket on .../event/realtime", r.Method, r.URL.Path)})
	}
}

// setCORS lets browser pages publish, as AppSync's endpoint does.
func setCORS(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "content-type, x-api-key, authorization")
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
}

// errorEntry is one entry of an "errors" list.
type errorEntry struct {
	ErrorType string `json:"errorType"`
	Message   string `json:"message,omitempty"`
}

func entries(e *model.Error) []errorEntry {
	return []errorEntry{{ErrorType: e.Type, Message: e.Message}}
}

func writeErrors(w http.ResponseWriter, status int, e *model.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Errors []errorEntry `json:"errors"`
	}{entries(e)})
}

// Resources lists the Event APIs.
func (s *Service) Resources() []sim.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sim.Resource
	for _, a := range s.model.APIs() {
		out = append(out, sim.Resource{ID: sim.NewID("appsync", a.Name), Type: TypeAPI, LogicalID: s.logical[a.ID], Physical: a.ID, ARN: a.ARN})
	}
	return out
}

// Close closes every WebSocket connection ("going away") and waits for deliveries under way.
// A client that does not answer the close handshake holds Close up to the WebSocket library's
// five seconds; connections close side by side.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	// Each close waits for the client's close frame, so they run side by side.
	var closing sync.WaitGroup
	for _, c := range conns {
		closing.Go(c.close)
	}
	closing.Wait()
	s.cancel()
	s.work.Wait()
	return nil
}

// metrics returns an API's metrics (nil without a registry).
func (s *Service) metrics(api *model.API) *metrics.Resource {
	if s.env.Metrics == nil {
		return nil
	}
	return s.env.Metrics.Resource("appsync", api.Name)
}

func (s *Service) count(api *model.API, counter string, n int64) {
	if m := s.metrics(api); m != nil && n != 0 {
		m.Add(counter, n)
	}
}

// stableID makes a deterministic identifier of n lowercase letters and digits from seed, so
// that an API keeps its ID (and its URLs) from one run to the next.
func stableID(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))[:n]
}
