package model

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Limits of AppSync Events the model enforces.
const (
	// MaxSegments is the most segments a channel path has, the namespace included
	// (channel-namespaces.html: "a maximum of five segments").
	MaxSegments = 5
	// MaxSegmentLength is the longest segment, as the namespace name (API_ChannelNamespace.html:
	// length 1–50).
	MaxSegmentLength = 50
	// MaxEventsPerPublish is the batch limit of one publish (publish-http.html: "up to 5 events
	// in a batch").
	MaxEventsPerPublish = 5
	// MaxEventBytes is the size limit of one event (event-api-concepts.html: "a maximum size of
	// 240 KB per event").
	MaxEventBytes = 240 * 1024
	// MaxSubscriptionsPerConnection bounds the subscriptions of one WebSocket connection. AWS
	// lists 100 subscriptions per connection among AppSync's service quotas.
	MaxSubscriptionsPerConnection = 100
)

// Error types of AppSync Events errors ("errorType" in an "errors" entry).
const (
	ErrUnauthorized     = "UnauthorizedException"
	ErrBadRequest       = "BadRequestException"
	ErrNotFound         = "NotFoundException"
	ErrMaxSubscriptions = "MaxSubscriptionsReachedError"
	ErrDuplicated       = "DuplicatedOperationError"
	ErrUnknownOperation = "UnknownOperationError"
	ErrUnsupported      = "UnsupportedOperation"
)

// Error is an AppSync Events error: its type, the HTTP status the publish endpoint answers
// with, and a message.
type Error struct {
	Type    string
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func badRequest(format string, args ...any) *Error {
	return &Error{Type: ErrBadRequest, Status: 400, Message: fmt.Sprintf(format, args...)}
}

// Unauthorized is the error for a missing, unknown or expired API key.
func Unauthorized() *Error {
	return &Error{Type: ErrUnauthorized, Status: 401, Message: "You are not authorized to make this call."}
}

// validSegment is the channel namespace name's pattern (API_ChannelNamespace.html),
// ^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$, applied to every segment of a channel:
// 1 to 50 letters, digits and dashes, not starting or ending with a dash. It is checked by hand
// because every publish checks its channel.
func validSegment(s string) bool {
	if len(s) == 0 || len(s) > MaxSegmentLength || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// ValidNamespaceName reports whether name is a valid channel namespace name.
func ValidNamespaceName(name string) bool { return validSegment(name) }

// Channel is a parsed channel path.
type Channel struct {
	// Path is the normalised path with its leading slash: "/orders/42" or "/orders/*".
	Path string
	// Segments are the literal segments, the namespace first; a wildcard is not among them.
	Segments []string
	// Wildcard is true when the path ends in "*".
	Wildcard bool
}

// Namespace is the channel's first segment.
func (c Channel) Namespace() string { return c.Segments[0] }

// ParseChannel validates a channel path. wildcard allows a trailing "*" segment, as a
// subscription may have and a publish may not.
func ParseChannel(path string, wildcard bool) (Channel, *Error) {
	if path == "" {
		return Channel{}, badRequest("Channel is required")
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) > MaxSegments {
		return Channel{}, badRequest("Invalid channel path %q: a channel has at most %d segments, got %d", path, MaxSegments, len(parts))
	}
	c := Channel{Path: "/" + strings.Join(parts, "/")}
	for i, p := range parts {
		if p == "*" {
			switch {
			case !wildcard:
				return Channel{}, badRequest("Invalid channel path %q: a wildcard is not allowed when publishing", path)
			case i == 0:
				return Channel{}, badRequest("Invalid channel path %q: the namespace segment cannot be a wildcard", path)
			case i != len(parts)-1:
				return Channel{}, badRequest("Invalid channel path %q: a wildcard may only be the last segment", path)
			}
			c.Wildcard = true
			continue
		}
		if len(p) > MaxSegmentLength {
			return Channel{}, badRequest("Invalid channel path %q: segment %q is longer than %d characters", path, p, MaxSegmentLength)
		}
		if !validSegment(p) {
			return Channel{}, badRequest("Invalid channel path %q: segment %q must be letters, digits and dashes, not starting or ending with a dash", path, p)
		}
		c.Segments = append(c.Segments, p)
	}
	return c, nil
}

// Matches reports whether a subscription to c receives an event published to pub.
func (c Channel) Matches(pub Channel) bool {
	if c.Wildcard {
		if len(pub.Segments) <= len(c.Segments) {
			return false
		}
	} else if len(pub.Segments) != len(c.Segments) {
		return false
	}
	for i, s := range c.Segments {
		if pub.Segments[i] != s {
			return false
		}
	}
	return true
}

// ValidateEvents checks a publish's batch: 1–5 events, each a valid JSON value of at most
// 240 KB (publish-http.html: "must be a stringified valid JSON value").
func ValidateEvents(events []string) *Error {
	switch {
	case len(events) == 0:
		return badRequest("Events are required: publish between 1 and %d events", MaxEventsPerPublish)
	case len(events) > MaxEventsPerPublish:
		return badRequest("Too many events: a publish has at most %d events, got %d", MaxEventsPerPublish, len(events))
	}
	for i, e := range events {
		if len(e) > MaxEventBytes {
			return badRequest("Event at index %d is %d bytes, over the limit of %d bytes (240 KB)", i, len(e), MaxEventBytes)
		}
		if !json.Valid([]byte(e)) {
			return badRequest("Event at index %d is not a valid JSON value", i)
		}
	}
	return nil
}

// APIKey is an API key of an Event API.
type APIKey struct {
	Key         string // "da2-…", also its ID
	Description string
	Expires     time.Time // zero: never
	ARN         string
}

// Namespace is a channel namespace.
type Namespace struct {
	Name string
	ARN  string
}

// Subscription is one subscribe of one connection.
type Subscription struct {
	ID      string
	Channel Channel
	// Deliver hands an event to the subscriber; it reports false when the event was dropped.
	Deliver func(s *Subscription, event string) bool
}

// API is an Event API.
type API struct {
	ID, Name, ARN string

	mu         sync.RWMutex
	keys       map[string]APIKey
	namespaces map[string]Namespace
	// Subscriptions by the literal part of their channel ("/orders/42", and "/orders" for
	// "/orders/*"): a publish looks up its own path and, for wildcards, each shorter prefix
	// of it, instead of matching every subscription of the namespace (one per order's channel
	// in 04 and 05: a publish scanned thousands).
	exact map[string]map[*Subscription]struct{}
	wild  map[string]map[*Subscription]struct{}
}

// subsOf is the index s belongs in, and its key there.
func (a *API) subsOf(s *Subscription) (map[string]map[*Subscription]struct{}, string) {
	key := "/" + strings.Join(s.Channel.Segments, "/")
	if s.Channel.Wildcard {
		return a.wild, key
	}
	return a.exact, key
}

// AddKey adds an API key.
func (a *API) AddKey(k APIKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys[k.Key] = k
}

// Keys lists the API's keys, sorted.
func (a *API) Keys() []APIKey {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]APIKey, 0, len(a.keys))
	for _, k := range a.keys {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// AddNamespace adds a channel namespace.
func (a *API) AddNamespace(ns Namespace) error {
	if !ValidNamespaceName(ns.Name) {
		return fmt.Errorf("channel namespace name %q must be 1-50 letters, digits and dashes, not starting or ending with a dash", ns.Name)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.namespaces[ns.Name]; ok {
		return fmt.Errorf("channel namespace %q already exists in API %s", ns.Name, a.ID)
	}
	a.namespaces[ns.Name] = ns
	return nil
}

// Namespaces lists the API's namespaces, sorted by name.
func (a *API) Namespaces() []Namespace {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]Namespace, 0, len(a.namespaces))
	for _, n := range a.namespaces {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Authorize checks an API key at time now.
func (a *API) Authorize(key string, now time.Time) *Error {
	a.mu.RLock()
	k, ok := a.keys[key]
	a.mu.RUnlock()
	if !ok || (!k.Expires.IsZero() && !now.Before(k.Expires)) {
		return Unauthorized()
	}
	return nil
}

// Channel parses a channel path and checks that its namespace exists.
func (a *API) Channel(path string, wildcard bool) (Channel, *Error) {
	c, err := ParseChannel(path, wildcard)
	if err != nil {
		return c, err
	}
	a.mu.RLock()
	_, ok := a.namespaces[c.Namespace()]
	a.mu.RUnlock()
	if !ok {
		return Channel{}, badRequest("Channel namespace %q not found in API %s", c.Namespace(), a.ID)
	}
	return c, nil
}

// Subscribe registers a subscription; its channel comes from Channel.
func (a *API) Subscribe(s *Subscription) {
	a.mu.Lock()
	defer a.mu.Unlock()
	index, key := a.subsOf(s)
	m := index[key]
	if m == nil {
		m = map[*Subscription]struct{}{}
		index[key] = m
	}
	m[s] = struct{}{}
}

// Unsubscribe removes a subscription; it reports whether it was registered.
func (a *API) Unsubscribe(s *Subscription) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	index, key := a.subsOf(s)
	if _, ok := index[key][s]; !ok {
		return false
	}
	delete(index[key], s)
	if len(index[key]) == 0 {
		delete(index, key)
	}
	return true
}

// Subscribers lists the subscriptions that receive events published to ch, appended to buf:
// those to ch itself and those to a wildcard over a shorter prefix of it (Channel.Matches).
func (a *API) Subscribers(ch Channel, buf []*Subscription) []*Subscription {
	path := "/" + strings.Join(ch.Segments, "/")
	a.mu.RLock()
	defer a.mu.RUnlock()
	for s := range a.exact[path] {
		buf = append(buf, s)
	}
	if len(a.wild) == 0 {
		return buf
	}
	for i := 1; i < len(path); i++ {
		if path[i] == '/' { // path[:i] is a shorter prefix: "/orders" of "/orders/42"
			for s := range a.wild[path[:i]] {
				buf = append(buf, s)
			}
		}
	}
	return buf
}

// Model holds the Event APIs of one emulator.
type Model struct {
	mu    sync.RWMutex
	byID  map[string]*API
	names map[string]*API
}

// New returns an empty model.
func New() *Model {
	return &Model{byID: map[string]*API{}, names: map[string]*API{}}
}

// CreateAPI adds an Event API.
func (m *Model) CreateAPI(id, name, arn string) (*API, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byID[id]; ok {
		return nil, fmt.Errorf("api %s already exists", id)
	}
	if _, ok := m.names[name]; ok {
		return nil, fmt.Errorf("an api named %q already exists", name)
	}
	a := &API{ID: id, Name: name, ARN: arn, keys: map[string]APIKey{}, namespaces: map[string]Namespace{},
		exact: map[string]map[*Subscription]struct{}{}, wild: map[string]map[*Subscription]struct{}{}}
	m.byID[id] = a
	m.names[name] = a
	return a, nil
}

// API finds an Event API by ID or, failing that, by name.
func (m *Model) API(idOrName string) (*API, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if a, ok := m.byID[idOrName]; ok {
		return a, true
	}
	a, ok := m.names[idOrName]
	return a, ok
}

// APIs lists the Event APIs sorted by name.
func (m *Model) APIs() []*API {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*API, 0, len(m.byID))
	for _, a := range m.byID {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
