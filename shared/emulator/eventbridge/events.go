package eventbridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// event is one accepted event: its envelope as targets receive it and decoded for matching.
type event struct {
	id       string
	raw      []byte
	decoded  map[string]any
	time     time.Time
	ingested time.Time
	entry    putEventsEntry // kept to forward to another bus and to replay
}

type putEventsEntry struct {
	Source       *string  `json:"Source,omitempty"`
	DetailType   *string  `json:"DetailType,omitempty"`
	Detail       *string  `json:"Detail,omitempty"`
	Resources    []string `json:"Resources,omitempty"`
	Time         *epoch   `json:"Time,omitempty"`
	EventBusName string   `json:"EventBusName,omitempty"`
	TraceHeader  string   `json:"TraceHeader,omitempty"`
}

type putEventsInput struct {
	Entries    []putEventsEntry
	EndpointId string
}

type putEventsResultEntry struct {
	EventId      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putEventsOutput struct {
	FailedEntryCount int                    `json:"FailedEntryCount"`
	Entries          []putEventsResultEntry `json:"Entries"`
}

// entrySize counts an entry as eb-putevent-size.html describes: 14 bytes for Time, the UTF-8
// bytes of Source, DetailType, Detail and each resource.
func entrySize(e *putEventsEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	for _, p := range []*string{e.Source, e.DetailType, e.Detail} {
		if p != nil {
			n += len(*p)
		}
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func (s *Service) putEventsOp(ctx context.Context, in *putEventsInput) (any, error) {
	if len(in.Entries) == 0 || len(in.Entries) > maxPutEntries {
		return nil, validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", maxPutEntries)
	}
	size := 0
	for i := range in.Entries {
		size += entrySize(&in.Entries[i])
	}
	if size > maxRequestEntries {
		return nil, validation("Total size of the entries in the request is over the limit.")
	}
	ctx, hop, err := s.env.Begin(ctx, sim.NewID(ServiceName, DefaultBus), "PutEvents", s.component(ComponentPut))
	if err != nil {
		hop.End(sim.OutcomeOf(err))
		if errors.Is(err, sim.ErrInjected) {
			return nil, sim.Errorf(http.StatusInternalServerError, "InternalException", "fault injected on events:%s", DefaultBus)
		}
		return nil, err
	}
	defer hop.End(sim.OK)
	out := putEventsOutput{Entries: make([]putEventsResultEntry, len(in.Entries))}
	now := s.clock.Now()
	for i := range in.Entries {
		id, code, msg := s.ingest(ctx, &in.Entries[i], now, "", "")
		out.Entries[i] = putEventsResultEntry{EventId: id, ErrorCode: code, ErrorMessage: msg}
		if code != "" {
			out.FailedEntryCount++
		}
	}
	return out, nil
}

// ingest validates one entry, builds its event and hands it to the bus's rules and archives.
// It answers the event id, or an error code and message for the entry. id, when given, keeps
// the id of an event forwarded from another bus.
func (s *Service) ingest(ctx context.Context, e *putEventsEntry, now time.Time, id, replayName string) (string, string, string) {
	switch {
	case e.Source == nil || *e.Source == "":
		return "", "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == nil || *e.DetailType == "":
		return "", "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == nil || *e.Detail == "":
		return "", "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	case strings.HasPrefix(*e.Source, "aws.") && replayName == "" && id == "":
		return "", "NotAuthorizedForSourceException", "Not authorized for the source."
	}
	detail, err := pattern.ParseEvent([]byte(*e.Detail))
	if _, isObject := detail.(map[string]any); err != nil || !isObject || !utf8.ValidString(*e.Detail) {
		return "", "MalformedDetail", "Detail is malformed."
	}
	s.mu.RLock()
	b := s.buses[busName(e.EventBusName)]
	var rules []*rule
	var archives []*archive
	if b != nil {
		rules = b.active
		if replayName == "" {
			for _, a := range s.archives {
				if a.bus == b.name {
					archives = append(archives, a)
				}
			}
		}
	}
	s.mu.RUnlock()
	if b == nil {
		return "", "InvalidArgument", fmt.Sprintf("Event bus %s does not exist.", busName(e.EventBusName))
	}
	if id == "" {
		id = uuid.New()
	}
	t := now
	if e.Time != nil && !e.Time.IsZero() {
		t = e.Time.Time
	}
	ev := newEvent(id, e, detail, t, now, s.env.AccountID, s.env.Region, replayName)
	for _, a := range archives {
		if a.pattern == nil || a.pattern.MatchValue(ev.decoded) {
			s.mu.Lock()
			a.events = append(a.events, archived{id: ev.id, entry: ev.entry, time: ev.time, ingested: ev.ingested, size: len(ev.raw)})
			s.mu.Unlock()
		}
	}
	s.route(ctx, b.name, rules, ev, nil)
	return id, "", ""
}

// route hands an event to every matching rule in rules (only those in filter, when given).
func (s *Service) route(ctx context.Context, busName string, rules []*rule, ev *event, filter []string) {
	for _, r := range rules {
		if len(filter) > 0 && !slices.Contains(filter, r.arn) {
			continue
		}
		if !r.pattern.MatchValue(ev.decoded) {
			continue
		}
		s.count(busName, r.name, "MatchedEvents", 1)
		s.trigger(ctx, r, ev)
	}
}

// trigger starts a delivery to each of a rule's targets.
func (s *Service) trigger(ctx context.Context, r *rule, ev *event) {
	s.mu.RLock()
	targets := r.targets
	s.mu.RUnlock()
	s.count(r.bus, r.name, "TriggeredRules", 1)
	ctx = context.WithoutCancel(ctx)
	for _, t := range targets {
		s.spawn(func() { s.deliver(ctx, r, t, ev) })
	}
}

// newEvent builds the envelope EventBridge gives every event (eb-events-structure.html), with
// "replay-name" added for a replayed one (eb-replay-archived-event.html).
func newEvent(id string, e *putEventsEntry, detail any, t, ingested time.Time, account, region, replayName string) *event {
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	timeText := t.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.Grow(len(*e.Detail) + 256)
	buf.WriteString(`{"version":"0","id":`)
	writeJSONString(&buf, id)
	buf.WriteString(`,"detail-type":`)
	writeJSONString(&buf, *e.DetailType)
	buf.WriteString(`,"source":`)
	writeJSONString(&buf, *e.Source)
	buf.WriteString(`,"account":`)
	writeJSONString(&buf, account)
	buf.WriteString(`,"time":`)
	writeJSONString(&buf, timeText)
	buf.WriteString(`,"region":`)
	writeJSONString(&buf, region)
	buf.WriteString(`,"resources":[`)
	res := make([]any, len(resources))
	for i, r := range resources {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSONString(&buf, r)
		res[i] = r
	}
	buf.WriteString(`],"detail":`)
	if err := json.Compact(&buf, []byte(*e.Detail)); err != nil {
		buf.WriteString(*e.Detail)
	}
	decoded := map[string]any{"version": "0", "id": id, "detail-type": *e.DetailType, "source": *e.Source, "account": account,
		"time": timeText, "region": region, "resources": res, "detail": detail}
	if replayName != "" {
		buf.WriteString(`,"replay-name":`)
		writeJSONString(&buf, replayName)
		decoded["replay-name"] = replayName
	}
	buf.WriteByte('}')
	return &event{id: id, raw: buf.Bytes(), decoded: decoded, time: t, ingested: ingested, entry: *e}
}

func writeJSONString(buf *bytes.Buffer, s string) {
	simple := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 || c == '<' || c == '>' || c == '&' {
			simple = false
			break
		}
	}
	if simple {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// --- schedules ---

// parseSchedule accepts rate(N unit) and cron(six fields); only rate has a period.
func parseSchedule(expr string) (time.Duration, error) {
	bad := validation("Parameter ScheduleExpression is not valid.")
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		f := strings.Fields(expr[len("rate(") : len(expr)-1])
		if len(f) != 2 {
			return 0, bad
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 1 {
			return 0, bad
		}
		unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[f[1]]
		// "rate(1 minutes)" and "rate(5 minute)" are refused: the unit is singular only for 1.
		if unit == 0 || (n == 1) != !strings.HasSuffix(f[1], "s") {
			return 0, bad
		}
		return time.Duration(n) * unit, nil
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		if len(strings.Fields(expr[len("cron("):len(expr)-1])) != 6 {
			return 0, bad
		}
		return 0, nil
	}
	return 0, bad
}

// startSchedule arms a rate rule's next firing. Callers hold s.mu.
func (s *Service) startSchedule(r *rule) {
	if r.rate == 0 || r.state == stateDisabled || s.ctx.Err() != nil {
		return
	}
	var fire func()
	fire = func() {
		s.mu.Lock()
		if s.ctx.Err() != nil || s.buses[r.bus] == nil || s.buses[r.bus].rules[r.name] != r {
			s.mu.Unlock()
			return
		}
		r.stopSchedule = sim.AfterFunc(s.clock, r.rate, fire)
		s.mu.Unlock()
		now := s.clock.Now()
		src, dt, detail := "aws.events", "Scheduled Event", "{}"
		e := putEventsEntry{Source: &src, DetailType: &dt, Detail: &detail, Resources: []string{r.arn}}
		s.trigger(s.ctx, r, newEvent(uuid.New(), &e, map[string]any{}, now, now, s.env.AccountID, s.env.Region, ""))
	}
	r.stopSchedule = sim.AfterFunc(s.clock, r.rate, fire)
}

// --- replay ---

func (s *Service) runReplay(rp *replay, busName string, retentionDays int, events []archived) {
	s.mu.Lock()
	rp.state = "RUNNING"
	var rules []*rule
	if b := s.buses[busName]; b != nil {
		rules = b.active
	}
	s.mu.Unlock()
	slices.SortStableFunc(events, func(a, b archived) int { return a.time.Compare(b.time) })
	var oldest time.Time
	if retentionDays > 0 {
		oldest = s.clock.Now().Add(-time.Duration(retentionDays) * 24 * time.Hour)
	}
	for _, ev := range events {
		if rp.cancelled.Load() || s.ctx.Err() != nil {
			break
		}
		if ev.time.Before(rp.start) || !ev.time.Before(rp.end) || ev.ingested.Before(oldest) {
			continue
		}
		detail, err := pattern.ParseEvent([]byte(*ev.entry.Detail)) // it parsed when the event came in
		if err != nil {
			continue
		}
		re := newEvent(ev.id, &ev.entry, detail, ev.time, s.clock.Now(), s.env.AccountID, s.env.Region, rp.name)
		s.route(s.ctx, busName, rules, re, rp.destination.FilterArns)
		s.mu.Lock()
		rp.lastReplayed = ev.time
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rp.replayEnd = s.clock.Now()
	if rp.cancelled.Load() {
		rp.state = "CANCELLED"
	} else {
		rp.state = "COMPLETED"
	}
}

// --- helpers ---

func sortBy[T any](items []T, key func(T) string) {
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(key(a), key(b)) })
}

// orEmpty makes a nil slice marshal as [] rather than null.
func orEmpty[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}

// omit makes "" disappear from a map answer.
func omit(s string) any {
	if s == "" {
		return nil
	}
	return s
}
