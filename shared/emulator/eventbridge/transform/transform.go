package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MaxInputPaths is how many variables an InputPathsMap may define.
const MaxInputPaths = 100

// The reserved variables EventBridge fills in itself.
const (
	VarRuleARN       = "aws.events.rule-arn"
	VarRuleName      = "aws.events.rule-name"
	VarIngestionTime = "aws.events.event.ingestion-time"
	VarEvent         = "aws.events.event"
	VarEventJSON     = "aws.events.event.json"
)

var reserved = map[string]bool{
	VarRuleARN: true, VarRuleName: true, VarIngestionTime: true, VarEvent: true, VarEventJSON: true,
}

// keyPattern is the InputPathsMap key constraint of the PutTargets API reference.
var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// placeholder is <name> in a template; names are InputPathsMap keys or reserved variables.
var placeholder = regexp.MustCompile(`<([A-Za-z0-9_.\-]+)>`)

// ValidationError is what PutTargets answers with ValidationException.
type ValidationError struct {
	Message string
}

func (e *ValidationError) Error() string { return e.Message }

func invalid(format string, args ...any) error {
	return &ValidationError{Message: fmt.Sprintf(format, args...)}
}

// Reserved carries the values of the reserved variables that do not come from the event.
// <aws.events.event> and <aws.events.event.json> are taken from the event given to Apply.
type Reserved struct {
	RuleARN       string
	RuleName      string
	IngestionTime time.Time
}

// Transformer is a compiled InputTransformer. It is immutable and safe for concurrent use.
type Transformer struct {
	paths    map[string]path
	segments []segment
}

// segment is literal template text or a placeholder, and whether it sits inside a JSON
// string of the template.
type segment struct {
	text     string
	variable string
	inString bool
}

// New checks an InputTransformer as PutTargets does and compiles it.
func New(inputPathsMap map[string]string, inputTemplate string) (*Transformer, error) {
	if len(inputPathsMap) > MaxInputPaths {
		return nil, invalid("InputTransformer.InputPathsMap has %d entries; the maximum is %d", len(inputPathsMap), MaxInputPaths)
	}
	t := &Transformer{paths: make(map[string]path, len(inputPathsMap))}
	for k, v := range inputPathsMap {
		if reserved[k] {
			return nil, invalid("InputTransformer.InputPathsMap key %q is a reserved variable name", k)
		}
		if len(k) > 256 || !keyPattern.MatchString(k) {
			return nil, invalid("InputTransformer.InputPathsMap key %q must be 1-256 characters of [A-Za-z0-9_-]", k)
		}
		p, err := parsePath(v)
		if err != nil {
			return nil, invalid("InputTransformer.InputPathsMap value %q for key %q is not a valid JSON path: %v", v, k, err)
		}
		t.paths[k] = p
	}
	if len(inputTemplate) > 8192 {
		return nil, invalid("InputTransformer.InputTemplate must be at most 8192 characters")
	}
	segs, err := t.scan(inputTemplate)
	if err != nil {
		return nil, err
	}
	t.segments = segs
	return t, nil
}

// scan splits the template at its placeholders, noting for each whether it stands inside a
// quoted JSON string. Text that only looks like a placeholder (an undefined name) stays text.
func (t *Transformer) scan(tmpl string) ([]segment, error) {
	var segs []segment
	inString := false
	last := 0
	flushTo := func(end int) {
		if end > last {
			segs = append(segs, segment{text: tmpl[last:end]})
		}
	}
	matches := placeholder.FindAllStringSubmatchIndex(tmpl, -1)
	pos := 0
	for _, m := range matches {
		name := tmpl[m[2]:m[3]]
		inString = quoteState(tmpl[pos:m[0]], inString)
		pos = m[0]
		if _, ok := t.paths[name]; !ok && !reserved[name] {
			continue
		}
		if inString && (name == VarEvent || name == VarEventJSON) {
			return nil, invalid("InputTransformer.InputTemplate: <%s> can only be used as the value of a JSON field, not inside a string", name)
		}
		flushTo(m[0])
		segs = append(segs, segment{variable: name, inString: inString})
		last, pos = m[1], m[1]
	}
	flushTo(len(tmpl))
	return segs, nil
}

// quoteState follows unescaped double quotes through s, starting inside a string or not.
func quoteState(s string, inString bool) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if inString {
				i++
			}
		case '"':
			inString = !inString
		}
	}
	return inString
}

// Apply fills the template from the event. A path that finds nothing gives null where the
// placeholder is a JSON value and nothing inside a string.
func (t *Transformer) Apply(event []byte, vars Reserved) ([]byte, error) {
	if !json.Valid(event) {
		return nil, fmt.Errorf("transform event: not valid JSON")
	}
	var out bytes.Buffer
	memo := objects{}
	for _, s := range t.segments {
		if s.variable == "" {
			out.WriteString(s.text)
			continue
		}
		raw, ok, err := t.value(s.variable, event, vars, memo)
		if err != nil {
			return nil, err
		}
		writeValue(&out, raw, ok, s.inString)
	}
	return out.Bytes(), nil
}

// value is the variable's value as compact JSON, and whether there is one.
func (t *Transformer) value(name string, event []byte, vars Reserved, memo objects) (json.RawMessage, bool, error) {
	switch name {
	case VarRuleARN:
		return quote(vars.RuleARN), true, nil
	case VarRuleName:
		return quote(vars.RuleName), true, nil
	case VarIngestionTime:
		return quote(vars.IngestionTime.UTC().Format(time.RFC3339)), true, nil
	case VarEventJSON:
		raw, err := compact(event)
		return raw, err == nil, err
	case VarEvent:
		raw, err := withoutDetail(event)
		return raw, err == nil, err
	}
	raw, ok, err := t.paths[name].selectRaw(event, memo)
	return raw, ok, err
}

func quote(s string) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimRight(b.Bytes(), "\n")
}

func compact(raw []byte) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, fmt.Errorf("transform event: %w", err)
	}
	return b.Bytes(), nil
}

// withoutDetail is the event with its detail field removed, as the guide describes
// <aws.events.event>. Field order is kept.
func withoutDetail(event []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return compact(event)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("transform event: %w", err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("transform event: %w", err)
		}
		if key == "detail" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(quote(key))
		b.WriteByte(':')
		if err := json.Compact(&b, v); err != nil {
			return nil, fmt.Errorf("transform event: %w", err)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeValue inserts a value. As a JSON value it goes in as JSON (strings quoted, missing as
// null). Inside a string it goes in unescaped: strings without their quotes, objects and
// arrays with their inner quotes removed, missing as nothing.
func writeValue(out *bytes.Buffer, raw json.RawMessage, ok, inString bool) {
	if !inString {
		if !ok {
			out.WriteString("null")
			return
		}
		out.Write(raw)
		return
	}
	if !ok {
		return
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			out.WriteString(s)
			return
		}
	case '{', '[':
		out.WriteString(strings.ReplaceAll(string(raw), `"`, ""))
		return
	}
	out.Write(raw)
}

// SelectPath applies a target's InputPath: the part of the event the path selects, as
// compact JSON. A path that selects nothing is an error, since there is nothing to send.
func SelectPath(event []byte, p string) ([]byte, error) {
	parsed, err := parsePath(p)
	if err != nil {
		return nil, invalid("InputPath %q is not a valid JSON path: %v", p, err)
	}
	raw, ok, err := parsed.selectRaw(event, nil)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("input path %s: no value in the event", p)
	}
	return raw, nil
}

// path is the JSONPath subset EventBridge supports: $ followed by .name, .*, [n] and [*].
type path []step

type step struct {
	name     string
	index    int
	isIndex  bool
	wildcard bool
}

func parsePath(s string) (path, error) {
	if len(s) > 256 {
		return nil, fmt.Errorf("longer than 256 characters")
	}
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("must start with $")
	}
	var p path
	rest := s[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			if strings.HasPrefix(rest, "*") {
				p = append(p, step{wildcard: true})
				rest = rest[1:]
				continue
			}
			n := 0
			for n < len(rest) && nameChar(rest[n]) {
				n++
			}
			if n == 0 {
				return nil, fmt.Errorf("empty field name")
			}
			p = append(p, step{name: rest[:n]})
			rest = rest[n:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [")
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if inner == "*" {
				p = append(p, step{wildcard: true})
				continue
			}
			i, err := strconv.Atoi(inner)
			if err != nil || i < 0 {
				return nil, fmt.Errorf("array index %q is not a non-negative integer", inner)
			}
			p = append(p, step{index: i, isIndex: true})
		default:
			return nil, fmt.Errorf("unexpected %q", rest[0])
		}
	}
	return p, nil
}

// nameChar is what the guide lists for field names in paths: letters, digits, dashes,
// underscores and forward slashes.
func nameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '/' || c == '@' || c == ':' || c == '$'
}

// selectRaw walks the path through raw JSON, so selected objects keep their field order.
// A wildcard collects every match into an array.
//
// memo, when not nil, keeps the objects decoded on the way, so that the several paths of one
// template walk the event's objects once.
func (p path) selectRaw(doc []byte, memo objects) (json.RawMessage, bool, error) {
	cur := []json.RawMessage{json.RawMessage(doc)}
	wild := false
	for _, s := range p {
		var next []json.RawMessage
		for _, raw := range cur {
			raw = bytes.TrimSpace(raw)
			if len(raw) == 0 {
				continue
			}
			switch {
			case s.wildcard:
				wild = true
				switch raw[0] {
				case '{':
					vals, err := objectValues(raw)
					if err != nil {
						return nil, false, err
					}
					next = append(next, vals...)
				case '[':
					var arr []json.RawMessage
					if err := json.Unmarshal(raw, &arr); err != nil {
						return nil, false, fmt.Errorf("transform event: %w", err)
					}
					next = append(next, arr...)
				}
			case s.isIndex:
				if raw[0] != '[' {
					continue
				}
				var arr []json.RawMessage
				if err := json.Unmarshal(raw, &arr); err != nil {
					return nil, false, fmt.Errorf("transform event: %w", err)
				}
				if s.index < len(arr) {
					next = append(next, arr[s.index])
				}
			default:
				if raw[0] != '{' {
					continue
				}
				obj, err := memo.decode(raw)
				if err != nil {
					return nil, false, err
				}
				if v, ok := obj[s.name]; ok {
					next = append(next, v)
				}
			}
		}
		cur = next
	}
	if wild {
		var b bytes.Buffer
		b.WriteByte('[')
		for i, raw := range cur {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := json.Compact(&b, raw); err != nil {
				return nil, false, fmt.Errorf("transform event: %w", err)
			}
		}
		b.WriteByte(']')
		return b.Bytes(), len(cur) > 0, nil
	}
	if len(cur) == 0 {
		return nil, false, nil
	}
	out, err := compact(cur[0])
	return out, err == nil, err
}

// objects holds decoded JSON objects by the slice they were decoded from (the same bytes, not
// equal text): a member's value is the slice its parent's entry holds, so a second path through
// the same objects finds them decoded.
type objects map[rawRef]map[string]json.RawMessage

type rawRef struct {
	start *byte
	n     int
}

// decode splits a JSON object into its members. A memo is only used by Apply, which has
// checked that the whole event is valid JSON, so with one the members are found by a scan
// that does not validate again, and are slices of raw rather than copies.
func (m objects) decode(raw json.RawMessage) (map[string]json.RawMessage, error) {
	ref := rawRef{&raw[0], len(raw)}
	if obj, ok := m[ref]; ok {
		return obj, nil
	}
	if m != nil {
		if obj, ok := splitObject(raw); ok {
			m[ref] = obj
			return obj, nil
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("transform event: %w", err)
	}
	if m != nil {
		m[ref] = obj
	}
	return obj, nil
}

// splitObject finds the members of raw, a valid JSON object, as json.Unmarshal into
// map[string]json.RawMessage would (the last of a repeated name wins). ok is false when a
// name has an escape, left to json.Unmarshal to unquote.
func splitObject(raw []byte) (obj map[string]json.RawMessage, ok bool) {
	i := skipSpace(raw, 1) // past {
	obj = map[string]json.RawMessage{}
	if i < len(raw) && raw[i] == '}' {
		return obj, true
	}
	for i < len(raw) && raw[i] == '"' {
		end := skipString(raw, i)
		if end-1 <= i { // unterminated: not the valid JSON the caller promised
			return nil, false
		}
		name := raw[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			return nil, false
		}
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		i = skipSpace(raw, i+1)
		start := i
		i = skipValue(raw, i)
		obj[string(name)] = raw[start:i:i]
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return obj, true
		default:
			return nil, false
		}
	}
	return nil, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string that starts (with its quote) at i.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the valid JSON value that starts at i.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

func objectValues(raw json.RawMessage) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("transform event: %w", err)
	}
	var vals []json.RawMessage
	for dec.More() {
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("transform event: %w", err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("transform event: %w", err)
		}
		vals = append(vals, v)
	}
	return vals, nil
}
