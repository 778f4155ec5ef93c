package sqs

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs/model"
)

// DefaultBaseURL is the scheme and host of queue URLs made without a request to take the host
// from: CloudFormation's Ref and calls through Env.Call. Any host resolves the same queue.
const DefaultBaseURL = "http://emulator.internal"

// Service is the emulated SQS of one emulator: both wire protocols (ServeHTTP), the
// CloudFormation provisioner (Types, Provision), Env.Call (Call) and the model behind them.
type Service struct {
	env    *sim.Env
	model  *model.Model
	router *awsjson.Router

	mu      sync.Mutex
	logical map[string]string // queue name → logical id of its template resource
}

var (
	_ sim.Service = (*Service)(nil)
	_ sim.Caller  = (*Service)(nil)
)

// New returns the SQS service of an emulator and registers it for Env.Call as "sqs". The caller
// must Close it.
func New(env *sim.Env) *Service {
	s := &Service{env: env, logical: map[string]string{}}
	var clock sim.Clock = sim.Real{}
	if env.Clock != nil {
		clock = env.Clock
	}
	s.model = model.New(model.Options{Region: env.Region, AccountID: env.AccountID, Clock: clock, Count: s.count})
	s.router = &awsjson.Router{
		Prefix:  "AmazonSQS",
		Version: "1.0",
		Ops:     make(map[string]awsjson.Op, len(handlers)),
		MaxBody: 2 * model.MaxMessageSize, // room for a 1 MiB batch and its JSON
		OnError: func(h http.Header, e *sim.APIError) {
			h.Set("x-amzn-query-error", queryCode(e)+";"+faultType(e))
		},
	}
	for name, h := range handlers {
		h := h
		s.router.Ops[name] = func(ctx context.Context, body []byte) (any, error) {
			in := h.newIn()
			if err := awsjson.Decode(body, in); err != nil {
				return nil, err
			}
			return h.run(s, ctx, baseURL(ctx), in)
		}
	}
	env.Register("sqs", s)
	return s
}

func (s *Service) count(queue, metric string, n int64) {
	if s.env.Metrics != nil {
		s.env.Metrics.Resource("sqs", queue).Add(metric, n)
	}
}

// Name is SQS's ARN namespace.
func (s *Service) Name() string { return "sqs" }

// Model returns the service's state, for event source mappings and pipes that call it directly.
func (s *Service) Model() *model.Model { return s.model }

// Stats returns a queue's gauges (ApproximateNumberOfMessagesVisible, NotVisible, Delayed and
// the age of the oldest message).
func (s *Service) Stats(queue string) (model.Stats, error) { return s.model.Stats(queue) }

// QueueURL is the URL of a queue on DefaultBaseURL.
func (s *Service) QueueURL(name string) string { return s.url(DefaultBaseURL, name) }

// Close stops the model's background work (message move tasks).
func (s *Service) Close() error {
	s.model.Close()
	return nil
}

// Call runs one operation with its JSON protocol body (sim.Caller), as Step Functions and
// EventBridge targets reach SendMessage. Queue URLs in answers use DefaultBaseURL.
func (s *Service) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	return s.router.Call(ctx, op, input)
}

// Resources lists the queues.
func (s *Service) Resources() []sim.Resource {
	s.mu.Lock()
	logical := make(map[string]string, len(s.logical))
	for k, v := range s.logical {
		logical[k] = v
	}
	s.mu.Unlock()
	var out []sim.Resource
	for _, name := range s.model.Names() {
		r := sim.Resource{ID: sim.NewID("sqs", name), Type: TypeQueue, LogicalID: logical[name], Physical: s.QueueURL(name), ARN: s.model.ARN(name)}
		if a, err := s.model.GetQueueAttributes(name, []string{"RedrivePolicy"}); err == nil && a["RedrivePolicy"] != "" {
			if dlq := redriveTarget(a["RedrivePolicy"]); dlq != "" {
				if n, ok := s.model.NameOfARN(dlq); ok {
					r.Targets = []sim.ID{sim.NewID("sqs", n)}
				}
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Serves reports whether a request is for SQS: an AmazonSQS.* X-Amz-Target (JSON protocol) or a
// form with an SQS Action (query protocol, on / or on a queue's path).
func (s *Service) Serves(r *http.Request) bool {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return s.router.Serves(r)
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return false
	}
	if r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return false
	}
	if err := r.ParseForm(); err != nil {
		return false
	}
	if _, ok := handlers[r.Form.Get("Action")]; !ok {
		return false
	}
	v := r.Form.Get("Version")
	return v == "" || v == apiVersion
}

// ServeHTTP answers both protocols on one endpoint.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := requestBase(r)
	if r.Header.Get("X-Amz-Target") != "" {
		s.router.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), baseKey{}, base)))
		return
	}
	s.serveQuery(w, r, base)
}

type baseKey struct{}

func baseURL(ctx context.Context) string {
	if b, ok := ctx.Value(baseKey{}).(string); ok {
		return b
	}
	return DefaultBaseURL
}

// requestBase is the scheme and host a request came to, for the queue URLs of its answer.
func requestBase(r *http.Request) string {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if host == "" {
		return DefaultBaseURL
	}
	scheme := "http"
	if r.TLS != nil || r.URL.Scheme == "https" {
		scheme = "https"
	}
	return scheme + "://" + host
}
