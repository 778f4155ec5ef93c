package pipes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The reserved variables of an input template (eb-pipes-input-transformation.html).
const (
	VarPipeARN       = "aws.pipes.pipe-arn"
	VarPipeName      = "aws.pipes.pipe-name"
	VarSourceARN     = "aws.pipes.source-arn"
	VarEnrichmentARN = "aws.pipes.enrichment-arn"
	VarTargetARN     = "aws.pipes.target-arn"
	VarIngestionTime = "aws.pipes.event.ingestion-time"
	VarEvent         = "aws.pipes.event"
	VarEventJSON     = "aws.pipes.event.json"
)

var reservedVars = map[string]bool{
	VarPipeARN: true, VarPipeName: true, VarSourceARN: true, VarEnrichmentARN: true,
	VarTargetARN: true, VarIngestionTime: true, VarEvent: true, VarEventJSON: true,
}

// Template is a compiled Pipes InputTemplate. It is immutable.
//
// A template whose first non-blank character is '{', '[' or '"' is a JSON template: a
// placeholder standing as a JSON value receives the value as JSON (strings quoted, a path that
// finds nothing as null), and a placeholder inside a quoted string receives the value as
// escaped string content, so that the output stays valid JSON as the guide promises. Any other
// template is text: values go in as text, strings without quotes and objects or arrays with
// their quotes removed, which is the guide's "{"key": "value"} will become {key: value}" for a
// bare <$.body>.
type Template struct {
	source   string
	jsonMode bool
	segs     []segment
}

type segment struct {
	text     string
	variable string // reserved name, or "" for a path
	path     *path
	inString bool
	isVar    bool
}

// Vars are the values of the reserved variables that do not come from the event.
type Vars struct {
	PipeARN, PipeName, SourceARN, EnrichmentARN, TargetARN string
	IngestionTime                                          time.Time
}

// ParseTemplate compiles an InputTemplate: placeholders are <$.path> (the JSONPath subset of the
// guide: dot names of letters, digits, '-', '_' and '/', [n] indices and * or [*] wildcards) and
// the <aws.pipes.*> reserved variables. Other text in angle brackets is kept as text.
func ParseTemplate(s string) (*Template, error) {
	if len(s) > maxTemplateLength {
		return nil, fmt.Errorf("InputTemplate must be at most %d characters, got %d", maxTemplateLength, len(s))
	}
	t := &Template{source: s}
	trimmed := strings.TrimLeft(s, " \t\r\n")
	t.jsonMode = trimmed != "" && strings.ContainsRune("{[\"", rune(trimmed[0]))
	inString := false
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if t.jsonMode && c == '\\' && inString {
			i++
			continue
		}
		if t.jsonMode && c == '"' {
			inString = !inString
			continue
		}
		if c != '<' {
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break
		}
		name := s[i+1 : i+end]
		seg := segment{isVar: true, inString: t.jsonMode && inString}
		switch {
		case strings.HasPrefix(name, "$"):
			p, err := parsePath(name)
			if err != nil {
				return nil, err
			}
			seg.path = &p
		case strings.HasPrefix(name, "aws.pipes."):
			if !reservedVars[name] {
				return nil, fmt.Errorf("InputTemplate: <%s> is not a reserved variable of EventBridge Pipes", name)
			}
			if name == VarEventJSON && (!t.jsonMode || inString) {
				return nil, fmt.Errorf("InputTemplate: <%s> can only be used as the value of a JSON field", name)
			}
			seg.variable = name
		default:
			continue
		}
		if i > last {
			t.segs = append(t.segs, segment{text: s[last:i]})
		}
		t.segs = append(t.segs, seg)
		i += end
		last = i + 1
	}
	if last < len(s) {
		t.segs = append(t.segs, segment{text: s[last:]})
	}
	return t, nil
}

// String returns the template's source.
func (t *Template) String() string { return t.source }

// Render fills the template for one event.
func (t *Template) Render(ev *Event, vars Vars) []byte {
	var out bytes.Buffer
	for _, s := range t.segs {
		if !s.isVar {
			out.WriteString(s.text)
			continue
		}
		v, ok := t.value(s, ev, vars)
		switch {
		case s.inString:
			if ok {
				writeInString(&out, v)
			}
		case t.jsonMode:
			if !ok {
				out.WriteString("null")
			} else {
				writeValue(&out, v)
			}
		default:
			if ok {
				writeText(&out, v)
			}
		}
	}
	return out.Bytes()
}

// rawText marks a value that is text that is not JSON (an enrichment's non-JSON answer).
type rawText string

// value finds a placeholder's value: a decoded JSON value, a rawText, or not found.
func (t *Template) value(s segment, ev *Event, vars Vars) (any, bool) {
	switch s.variable {
	case "":
		if ev.view == nil {
			return nil, false
		}
		return s.path.find(ev.view)
	case VarPipeARN:
		return vars.PipeARN, true
	case VarPipeName:
		return vars.PipeName, true
	case VarSourceARN:
		return vars.SourceARN, true
	case VarEnrichmentARN:
		return vars.EnrichmentARN, vars.EnrichmentARN != ""
	case VarTargetARN:
		return vars.TargetARN, true
	case VarIngestionTime:
		return vars.IngestionTime.UTC().Format(time.RFC3339Nano), true
	case VarEventJSON:
		if ev.view == nil {
			return nil, false
		}
		return ev.view, true
	case VarEvent:
		if !json.Valid(ev.Raw) {
			return rawText(ev.Raw), true
		}
		return json.RawMessage(ev.Raw), true
	}
	return nil, false
}

func marshal(v any) []byte {
	if r, ok := v.(json.RawMessage); ok {
		return r
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// writeValue writes a value where the template expects a JSON value.
func writeValue(out *bytes.Buffer, v any) {
	if r, ok := v.(rawText); ok {
		out.Write(marshal(string(r)))
		return
	}
	out.Write(marshal(v))
}

// writeText writes a value into a text template: strings bare, objects and arrays without
// their quotes.
func writeText(out *bytes.Buffer, v any) {
	switch x := v.(type) {
	case rawText:
		out.WriteString(string(x))
	case string:
		out.WriteString(x)
	default:
		out.WriteString(strings.ReplaceAll(string(marshal(v)), `"`, ""))
	}
}

// writeInString writes a value inside a quoted JSON string of the template, escaped so the
// string stays valid.
func writeInString(out *bytes.Buffer, v any) {
	var text bytes.Buffer
	writeText(&text, v)
	q := marshal(text.String())
	out.Write(q[1 : len(q)-1])
}

// path is the JSONPath subset the guide lists for input templates and dynamic parameters.
type path struct {
	steps []step
	text  string
}

type step struct {
	name     string
	index    int
	isIndex  bool
	wildcard bool
}

func parsePath(s string) (path, error) {
	p := path{text: s}
	if !strings.HasPrefix(s, "$") {
		return p, fmt.Errorf("InputTemplate: path %q must start with $", s)
	}
	rest := s[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			if strings.HasPrefix(rest, "*") {
				p.steps = append(p.steps, step{wildcard: true})
				rest = rest[1:]
				continue
			}
			n := 0
			for n < len(rest) && nameChar(rest[n]) {
				n++
			}
			if n == 0 {
				return p, fmt.Errorf("InputTemplate: path %q has an empty or invalid field name", s)
			}
			p.steps = append(p.steps, step{name: rest[:n]})
			rest = rest[n:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return p, fmt.Errorf("InputTemplate: path %q has an unclosed '['", s)
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if inner == "*" {
				p.steps = append(p.steps, step{wildcard: true})
				continue
			}
			i, err := strconv.Atoi(inner)
			if err != nil || i < 0 {
				return p, fmt.Errorf("InputTemplate: path %q: [%s] is not an array index", s, inner)
			}
			p.steps = append(p.steps, step{index: i, isIndex: true})
		default:
			return p, fmt.Errorf("InputTemplate: path %q: unexpected %q", s, rest[0])
		}
	}
	return p, nil
}

func nameChar(c byte) bool {
	return c == '-' || c == '_' || c == '/' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// find walks the path through a decoded value. A wildcard collects every match into an array.
func (p path) find(v any) (any, bool) {
	return walk(p.steps, v)
}

func walk(steps []step, v any) (any, bool) {
	if len(steps) == 0 {
		return v, true
	}
	s := steps[0]
	switch {
	case s.wildcard:
		var children []any
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				children = append(children, x[k])
			}
		case []any:
			children = x
		default:
			return nil, false
		}
		out := []any{}
		for _, c := range children {
			if r, ok := walk(steps[1:], c); ok {
				out = append(out, r)
			}
		}
		return out, true
	case s.isIndex:
		a, ok := v.([]any)
		if !ok || s.index >= len(a) {
			return nil, false
		}
		return walk(steps[1:], a[s.index])
	default:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		c, ok := m[s.name]
		if !ok {
			return nil, false
		}
		return walk(steps[1:], c)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// dynamic resolves a target parameter that may be a dynamic path ("$.detail.state" as the
// whole value, eb-pipes-event-target.html#pipes-targets-dynamic-parms) against the event.
func dynamic(value string, ev *Event) string {
	if !strings.HasPrefix(value, "$.") || ev.view == nil {
		return value
	}
	p, err := parsePath(value)
	if err != nil {
		return value
	}
	v, ok := p.find(ev.view)
	if !ok {
		return ""
	}
	var b bytes.Buffer
	writeText(&b, v)
	return b.String()
}
