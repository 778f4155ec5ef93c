package vtl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Values inside the engine: nil, string, bool, int64 (Java Integer/Long), float64 (Java
// Double), *Map, *List, *mapEntry, *defineBlock and the built-in objects ($input, $util,
// $foreach).

// Map is an insertion-ordered map, like the LinkedHashMap that JSON objects and Velocity map
// literals become.
type Map struct {
	keys  []string
	vals  []any
	index map[string]int // built once the map grows past a linear scan's worth
	// once marks an override map: AWS allows each parameter to be overridden only once.
	once    bool
	written map[string]bool
}

func newMap(n int) *Map { return &Map{keys: make([]string, 0, n), vals: make([]any, 0, n)} }

func (m *Map) find(k string) int {
	if m.index != nil {
		if i, ok := m.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range m.keys {
		if key == k {
			return i
		}
	}
	return -1
}

func (m *Map) get(k string) (any, bool) {
	if i := m.find(k); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// put stores v under k and returns the previous value.
func (m *Map) put(k string, v any) any {
	if i := m.find(k); i >= 0 {
		old := m.vals[i]
		m.vals[i] = v
		return old
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	if m.index != nil {
		m.index[k] = len(m.keys) - 1
	} else if len(m.keys) > 16 {
		m.index = make(map[string]int, len(m.keys))
		for i, key := range m.keys {
			m.index[key] = i
		}
	}
	return nil
}

func (m *Map) remove(k string) any {
	i := m.find(k)
	if i < 0 {
		return nil
	}
	old := m.vals[i]
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	if m.index != nil {
		m.index = make(map[string]int, len(m.keys))
		for j, key := range m.keys {
			m.index[key] = j
		}
	}
	return old
}

// List is a Java list. json marks a JSONArray (from $input.path or $util.parseJson), whose
// toString is JSON text; other lists print as Java's [a, b].
type List struct {
	items []any
	json  bool
}

type mapEntry struct {
	key string
	val any
}

func stringMap(m map[string]string) *Map {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := newMap(len(keys))
	for _, k := range keys {
		out.put(k, m[k])
	}
	return out
}

// fromGo converts caller data (for $context) into engine values.
func fromGo(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, *Map, *List:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]string:
		return stringMap(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := newMap(len(keys))
		for _, k := range keys {
			putPath(out, k, fromGo(x[k]))
		}
		return out
	case []any:
		l := &List{items: make([]any, len(x))}
		for i, e := range x {
			l.items[i] = fromGo(e)
		}
		return l
	case []string:
		l := &List{items: make([]any, len(x))}
		for i, e := range x {
			l.items[i] = e
		}
		return l
	}
	return fmt.Sprint(v)
}

// putPath stores a dotted key ("identity.sourceIp") as nested maps, so that callers may give
// $context either nested or flat.
func putPath(m *Map, key string, v any) {
	for {
		dot := strings.IndexByte(key, '.')
		if dot < 0 {
			if existing, ok := m.get(key); ok {
				if em, ok := existing.(*Map); ok {
					if vm, ok := v.(*Map); ok {
						for i, k := range vm.keys {
							em.put(k, vm.vals[i])
						}
						return
					}
				}
			}
			m.put(key, v)
			return
		}
		head := key[:dot]
		next, _ := m.get(head)
		nm, ok := next.(*Map)
		if !ok {
			nm = newMap(4)
			m.put(head, nm)
		}
		m, key = nm, key[dot+1:]
	}
}

// parseJSONValue decodes JSON the way json-smart (behind API Gateway's JSONPath) does: objects
// keep their key order, integers stay integers and other numbers become doubles.
func parseJSONValue(data string) (any, error) {
	if json.Valid([]byte(data)) {
		p := jsonScanner{s: data}
		if v := p.value(); p.err == nil {
			return v, nil
		}
	}
	// Invalid JSON: the decoder below finds the same problem and says what it is.
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := newMap(8)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				m.put(kt.(string), v)
			}
			_, err := dec.Token()
			return m, err
		case '[':
			l := &List{json: true}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, v)
			}
			_, err := dec.Token()
			return l, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return jsonNumber(string(t))
	default:
		return t, nil // string, bool, nil
	}
}

// jsonScanner reads JSON already known to be valid into the engine's values, giving the same
// result as decodeValue with a tenth of its allocations: strings without escapes are slices
// of the input, and no token interface values are made. Templates parse every backend answer.
type jsonScanner struct {
	s   string
	i   int
	err error // a number out of a double's range: the decoder path reports it
}

func (p *jsonScanner) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonScanner) value() any {
	p.skipSpace()
	switch c := p.s[p.i]; c {
	case '{':
		p.i++
		m := newMap(8)
		for {
			p.skipSpace()
			if p.s[p.i] == '}' {
				p.i++
				return m
			}
			if p.s[p.i] == ',' {
				p.i++
				p.skipSpace()
			}
			k := p.str()
			p.skipSpace()
			p.i++ // ':'
			m.put(k, p.value())
		}
	case '[':
		p.i++
		l := &List{json: true}
		for {
			p.skipSpace()
			if p.s[p.i] == ']' {
				p.i++
				return l
			}
			if p.s[p.i] == ',' {
				p.i++
			}
			l.items = append(l.items, p.value())
		}
	case '"':
		return p.str()
	case 't':
		p.i += 4
		return true
	case 'f':
		p.i += 5
		return false
	case 'n':
		p.i += 4
		return nil
	default:
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
			p.i++
		}
		n, err := jsonNumber(p.s[start:p.i])
		if err != nil {
			p.err = err
		}
		return n
	}
}

// str reads a string at p.i (its opening quote). Escapes and invalid UTF-8 go through
// encoding/json, which replaces bad bytes with U+FFFD as the decoder does.
func (p *jsonScanner) str() string {
	start := p.i
	p.i++
	plain := true
	for p.s[p.i] != '"' {
		if p.s[p.i] == '\\' {
			plain = false
			p.i++
		} else if p.s[p.i] >= utf8.RuneSelf {
			plain = false
		}
		p.i++
	}
	p.i++
	if plain {
		return p.s[start+1 : p.i-1]
	}
	var out string
	_ = json.Unmarshal([]byte(p.s[start:p.i]), &out) // valid: checked by json.Valid
	return out
}

// jsonNumber is an integer when it has no fraction or exponent and fits 64 bits, else a double.
func jsonNumber(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	return strconv.ParseFloat(s, 64)
}

// javaDouble formats f as Java's Double.toString does: 249.99, 1.0, 1.0E7, 1.0E-4.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1.2345e+07
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// toString renders a value as Java's toString would.
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case *Map:
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(toString(x.vals[i]))
		}
		b.WriteByte('}')
		return b.String()
	case *List:
		if x.json {
			var b bytes.Buffer
			writeJSON(&b, x, true)
			return b.String()
		}
		var b strings.Builder
		b.WriteByte('[')
		for i, e := range x.items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(toString(e))
		}
		b.WriteByte(']')
		return b.String()
	case *mapEntry:
		return x.key + "=" + toString(x.val)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// toJSON serializes v compactly, as $input.json does.
func toJSON(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v, false)
	return b.String()
}

// writeJSON follows json-smart: compact, and when web is set (its default style, used by a
// JSONArray's toString) '/' is escaped too.
func writeJSON(b *bytes.Buffer, v any, web bool) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		writeJSONString(b, x, web)
	case *Map:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k, web)
			b.WriteByte(':')
			writeJSON(b, x.vals[i], web)
		}
		b.WriteByte('}')
	case *List:
		b.WriteByte('[')
		for i, e := range x.items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e, web)
		}
		b.WriteByte(']')
	case *mapEntry:
		writeJSONString(b, toString(x), web)
	case bool, int64, float64:
		b.WriteString(toString(x))
	default:
		writeJSONString(b, toString(x), web)
	}
}

const hexDigits = "0123456789ABCDEF"

func writeJSONString(b *bytes.Buffer, s string, web bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '/' && web:
			b.WriteString(`\/`)
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0x2000 && r <= 0x20ff:
			b.WriteString(`\u`)
			b.WriteByte(hexDigits[r>>12&0xf])
			b.WriteByte(hexDigits[r>>8&0xf])
			b.WriteByte(hexDigits[r>>4&0xf])
			b.WriteByte(hexDigits[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// truthy is Velocity 1.7's condition test: null and false are false, anything else is true.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}
