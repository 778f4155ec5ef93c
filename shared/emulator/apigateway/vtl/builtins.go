package vtl

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// inputObj is $input.
type inputObj struct{ s *state }

func (inputObj) String() string { return "$input" }

// utilObj is $util.
type utilObj struct{}

func (utilObj) String() string { return "$util" }

// payload is the body parsed as JSON, once per render. An empty body is read as {}, as API
// Gateway does for $input.body.
func (s *state) payload() (any, error) {
	if !s.jsonDone {
		s.jsonDone = true
		body := strings.TrimSpace(s.body)
		switch body {
		case "":
			s.jsonVal = newMap(0)
		default:
			v, err := parseJSONValue(body)
			if err != nil {
				if body[0] == '{' || body[0] == '[' || body[0] == '"' {
					s.jsonErr = &BodyError{Err: err}
				} else {
					// json-smart's permissive mode reads other text as one string.
					s.jsonVal = s.body
				}
			} else {
				s.jsonVal = v
			}
		}
	}
	return s.jsonVal, s.jsonErr
}

func (s *state) paramsMap() *Map {
	if s.params == nil {
		s.params = newMap(3)
		s.params.put("path", stringMap(s.in.Path))
		s.params.put("querystring", stringMap(s.in.QueryString))
		s.params.put("header", stringMap(s.in.Headers))
	}
	return s.params
}

func (s *state) property(v any, name string) (any, error) {
	switch x := v.(type) {
	case *Map:
		r, _ := x.get(name)
		return r, nil
	case *List:
		if name == "empty" {
			return len(x.items) == 0, nil
		}
	case string:
		if name == "empty" {
			return x == "", nil
		}
	case *mapEntry:
		switch name {
		case "key":
			return x.key, nil
		case "value":
			return x.val, nil
		}
	case *foreachScope:
		switch name {
		case "hasNext":
			return x.index < x.n-1, nil
		case "index":
			return int64(x.index), nil
		case "count":
			return int64(x.index + 1), nil
		case "first":
			return x.index == 0, nil
		case "last":
			return x.index == x.n-1, nil
		case "parent":
			if x.parent == nil {
				return nil, nil
			}
			return x.parent, nil
		}
	case *inputObj:
		if name == "body" {
			if strings.TrimSpace(x.s.body) == "" {
				return "{}", nil
			}
			return x.s.body, nil
		}
	}
	return nil, nil
}

func (s *state) call(v any, name string, args []any, pos int) (any, error) {
	switch name {
	case "toString":
		if len(args) == 0 {
			if b, ok := v.(*defineBlock); ok {
				return s.blockString(b)
			}
			return toString(v), nil
		}
	case "equals":
		if len(args) == 1 {
			return javaEquals(v, args[0]), nil
		}
	}
	switch x := v.(type) {
	case *inputObj:
		return s.inputCall(name, args, pos)
	case utilObj:
		return s.utilCall(name, args, pos)
	case string:
		return s.stringCall(x, name, args, pos)
	case *List:
		return s.listCall(x, name, args, pos)
	case *Map:
		return s.mapCall(x, name, args, pos)
	case *mapEntry:
		switch name {
		case "getKey":
			return x.key, nil
		case "getValue":
			return x.val, nil
		}
	case *foreachScope:
		switch name {
		case "hasNext", "getHasNext":
			return s.property(x, "hasNext")
		case "getIndex":
			return s.property(x, "index")
		case "getCount":
			return s.property(x, "count")
		case "isFirst", "getFirst":
			return s.property(x, "first")
		case "isLast", "getLast":
			return s.property(x, "last")
		case "getParent":
			return s.property(x, "parent")
		}
	case int64:
		switch name {
		case "intValue", "longValue":
			return x, nil
		case "doubleValue", "floatValue":
			return float64(x), nil
		case "compareTo":
			if len(args) == 1 {
				if c, ok := compare(x, args[0]); ok {
					return int64(c), nil
				}
			}
		}
	case float64:
		switch name {
		case "intValue", "longValue":
			return int64(x), nil
		case "doubleValue", "floatValue":
			return x, nil
		case "compareTo":
			if len(args) == 1 {
				if c, ok := compare(x, args[0]); ok {
					return int64(c), nil
				}
			}
		}
	case bool:
		if name == "booleanValue" {
			return x, nil
		}
	}
	// Velocity answers an unknown method with null, printed as the reference's source.
	return nil, nil
}

func javaEquals(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case *Map:
		y, ok := b.(*Map)
		return ok && (x == y || toString(x) == toString(y))
	case *List:
		y, ok := b.(*List)
		return ok && (x == y || toString(x) == toString(y))
	}
	return a == b
}

func argString(args []any, i int) (string, bool) {
	if i >= len(args) || args[i] == nil {
		return "", false
	}
	if s, ok := args[i].(string); ok {
		return s, true
	}
	return toString(args[i]), true
}

func (s *state) inputCall(name string, args []any, pos int) (any, error) {
	switch name {
	case "params":
		m := s.paramsMap()
		if len(args) == 0 {
			return m, nil
		}
		key, _ := argString(args, 0)
		for _, part := range []string{"path", "querystring", "header"} {
			pm, _ := m.get(part)
			if v, ok := pm.(*Map).get(key); ok {
				return v, nil
			}
		}
		return "", nil
	case "json", "path":
		p, ok := argString(args, 0)
		if !ok {
			return nil, nil
		}
		root, err := s.payload()
		if err != nil {
			return nil, err
		}
		v, err := jsonPath(root, p)
		if err != nil {
			return nil, s.errAt(pos, "$input.%s(%q): %v", name, p, err)
		}
		if name == "path" {
			return v, nil
		}
		return toJSON(v), nil
	case "getBody":
		return s.property(&inputObj{s: s}, "body")
	}
	return nil, nil
}

func (s *state) utilCall(name string, args []any, pos int) (any, error) {
	if len(args) != 1 {
		return nil, nil
	}
	str, ok := argString(args, 0)
	if !ok {
		return nil, nil
	}
	switch name {
	case "escapeJavaScript":
		return escapeJavaScript(str), nil
	case "parseJson":
		v, err := parseJSONValue(str)
		if err != nil {
			return nil, s.errAt(pos, "$util.parseJson: %v", err)
		}
		return v, nil
	case "urlEncode":
		return urlEncode(str), nil
	case "urlDecode":
		r, err := urlDecode(str)
		if err != nil {
			return nil, s.errAt(pos, "$util.urlDecode: %v", err)
		}
		return r, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(str)), nil
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(str, "=")); err != nil {
				return nil, s.errAt(pos, "$util.base64Decode: %v", err)
			}
		}
		return string(b), nil
	}
	return nil, nil
}

// escapeJavaScript follows Apache Commons Lang's StringEscapeUtils.escapeJavaScript: quotes,
// backslash and '/' get a backslash, control characters below 0x20 their short escapes or
// \u00XX, and every character above 0x7F becomes \uXXXX (UTF-16 units, upper-case hex). DEL
// (0x7F) itself is copied as it is: Commons Lang escapes only ch > 0x7f and ch < 32.
func escapeJavaScript(s string) string {
	var b []byte
	last := 0 // start of the run of bytes not yet copied
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c <= 0x7f && c != '\'' && c != '"' && c != '\\' && c != '/' {
			i++
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s)+len(s)/4+8)
		}
		b = append(b, s[last:i]...)
		switch c {
		case '\'', '"', '\\', '/':
			b = append(b, '\\', c)
			i++
		case '\b':
			b, i = append(b, `\b`...), i+1
		case '\n':
			b, i = append(b, `\n`...), i+1
		case '\t':
			b, i = append(b, `\t`...), i+1
		case '\f':
			b, i = append(b, `\f`...), i+1
		case '\r':
			b, i = append(b, `\r`...), i+1
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				b = appendU(appendU(b, uint16(r1)), uint16(r2))
			} else {
				b = appendU(b, uint16(r))
			}
			i += size
		}
		last = i
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

func appendU(b []byte, u uint16) []byte {
	return append(b, '\\', 'u', hexDigits[u>>12&0xf], hexDigits[u>>8&0xf], hexDigits[u>>4&0xf], hexDigits[u&0xf])
}

// urlEncode is Java's URLEncoder.encode(s, "UTF-8"): letters, digits and ".-*_" stay, a space
// becomes '+', everything else %XX.
func urlEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c) || isDigit(c) || c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	return b.String()
}

// urlDecode is Java's URLDecoder.decode(s, "UTF-8").
func urlDecode(s string) (string, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", fmt.Errorf("incomplete escape at %d", i)
			}
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("illegal hex characters in escape (%%) pattern %q", s[i:i+3])
			}
			b = append(b, byte(n))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return string(b), nil
}

// Java strings index UTF-16 units; these helpers convert when a string is not plain ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func jlen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++ // a surrogate pair
		}
	}
	return n
}

func jsub(s string, b, e int) string {
	if isASCII(s) {
		return s[b:e]
	}
	return s[jbyteOff(s, b):jbyteOff(s, e)]
}

// jindex turns a byte offset in s into a UTF-16 index.
func jindex(s string, byteOff int) int {
	if byteOff < 0 {
		return -1
	}
	return jlen(s[:byteOff])
}

// jbyteOff turns a UTF-16 index into a byte offset (an index inside a surrogate pair rounds up).
func jbyteOff(s string, idx int) int {
	if isASCII(s) {
		return idx
	}
	n := 0
	for i, r := range s {
		if n >= idx {
			return i
		}
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return len(s)
}

func intArg(args []any, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	n, ok := args[i].(int64)
	return int(n), ok
}

func (s *state) stringCall(x, name string, args []any, pos int) (any, error) {
	a0, has0 := argString(args, 0)
	a1, has1 := argString(args, 1)
	switch name {
	case "length":
		return int64(jlen(x)), nil
	case "isEmpty":
		return x == "", nil
	case "substring":
		b, ok := intArg(args, 0)
		if !ok {
			return nil, nil
		}
		n := jlen(x)
		e := n
		if len(args) > 1 {
			if e, ok = intArg(args, 1); !ok {
				return nil, nil
			}
		}
		if b < 0 || e > n || b > e {
			return nil, s.errAt(pos, "substring(%d, %d): index out of range for a string of length %d", b, e, n)
		}
		return jsub(x, b, e), nil
	case "charAt":
		i, ok := intArg(args, 0)
		if !ok {
			return nil, nil
		}
		if i < 0 || i >= jlen(x) {
			return nil, s.errAt(pos, "charAt(%d): index out of range for a string of length %d", i, jlen(x))
		}
		return jsub(x, i, i+1), nil
	case "contains":
		if has0 {
			return strings.Contains(x, a0), nil
		}
	case "startsWith":
		if has0 {
			if off, ok := intArg(args, 1); ok {
				if off < 0 || off > jlen(x) {
					return false, nil
				}
				return strings.HasPrefix(x[jbyteOff(x, off):], a0), nil
			}
			return strings.HasPrefix(x, a0), nil
		}
	case "endsWith":
		if has0 {
			return strings.HasSuffix(x, a0), nil
		}
	case "indexOf":
		if has0 {
			from := 0
			if f, ok := intArg(args, 1); ok && f > 0 {
				from = jbyteOff(x, f)
			}
			if from > len(x) {
				return int64(-1), nil
			}
			i := strings.Index(x[from:], a0)
			if i < 0 {
				return int64(-1), nil
			}
			return int64(jindex(x, from+i)), nil
		}
	case "lastIndexOf":
		if has0 {
			i := strings.LastIndex(x, a0)
			if i < 0 {
				return int64(-1), nil
			}
			return int64(jindex(x, i)), nil
		}
	case "equalsIgnoreCase":
		if has0 {
			return strings.EqualFold(x, a0), nil
		}
		return false, nil
	case "compareTo":
		if has0 {
			return int64(strings.Compare(x, a0)), nil
		}
	case "concat":
		if has0 {
			return x + a0, nil
		}
	case "toLowerCase":
		return strings.ToLower(x), nil
	case "toUpperCase":
		return strings.ToUpper(x), nil
	case "trim":
		return strings.TrimFunc(x, func(r rune) bool { return r <= ' ' }), nil
	case "replace":
		if has0 && has1 {
			return strings.ReplaceAll(x, a0, a1), nil
		}
	case "replaceAll", "replaceFirst":
		if has0 && has1 {
			if name == "replaceAll" && regexp.QuoteMeta(a0) == a0 && !strings.ContainsAny(a1, `$\`) {
				return strings.ReplaceAll(x, a0, a1), nil // a literal pattern needs no regexp
			}
			re, err := javaRegexp(a0, false)
			if err != nil {
				return nil, s.errAt(pos, "%s(%q): %v", name, a0, err)
			}
			repl := javaReplacement(a1)
			if name == "replaceAll" {
				return re.ReplaceAllString(x, repl), nil
			}
			loc := re.FindStringSubmatchIndex(x)
			if loc == nil {
				return x, nil
			}
			out := re.ExpandString(nil, repl, x, loc)
			return x[:loc[0]] + string(out) + x[loc[1]:], nil
		}
	case "matches":
		if has0 {
			re, err := javaRegexp(a0, true)
			if err != nil {
				return nil, s.errAt(pos, "matches(%q): %v", a0, err)
			}
			return re.MatchString(x), nil
		}
	case "split":
		if has0 {
			re, err := javaRegexp(a0, false)
			if err != nil {
				return nil, s.errAt(pos, "split(%q): %v", a0, err)
			}
			limit, hasLimit := intArg(args, 1)
			n := -1
			if hasLimit && limit > 0 {
				n = limit
			}
			parts := re.Split(x, n)
			if len(parts) > 1 && (n < 0 && !(hasLimit && limit < 0)) {
				for len(parts) > 0 && parts[len(parts)-1] == "" {
					parts = parts[:len(parts)-1]
				}
			}
			// Java drops the empty string before a zero-width match at the start.
			if len(parts) > 1 && parts[0] == "" {
				if loc := re.FindStringIndex(x); loc != nil && loc[0] == 0 && loc[1] == 0 {
					parts = parts[1:]
				}
			}
			l := &List{items: make([]any, len(parts))}
			for i, p := range parts {
				l.items[i] = p
			}
			return l, nil
		}
	}
	return nil, nil
}

var regexpCache sync.Map // string → *regexp.Regexp

// javaRegexp compiles a Java regular expression with Go's RE2 syntax, which shares the common
// subset (no back-references or look-around).
func javaRegexp(pattern string, whole bool) (*regexp.Regexp, error) {
	key := pattern
	if whole {
		key = "\x00" + pattern
	}
	if re, ok := regexpCache.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	src := pattern
	if whole {
		src = `^(?:` + pattern + `)$`
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	regexpCache.Store(key, re)
	return re, nil
}

var replCache sync.Map // string → string

// javaReplacement turns a Java replacement string ($1, \$) into Go's template syntax (${1}, $$).
func javaReplacement(r string) string {
	if !strings.ContainsAny(r, `$\`) {
		return r
	}
	if v, ok := replCache.Load(r); ok {
		return v.(string)
	}
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$' && i+1 < len(r) && isDigit(r[i+1]):
			b.WriteString("${")
			b.WriteByte(r[i+1])
			b.WriteByte('}')
			i++
		case c == '$' && i+1 < len(r) && r[i+1] == '{':
			end := strings.IndexByte(r[i:], '}')
			if end < 0 {
				b.WriteString("$$")
				continue
			}
			b.WriteString(r[i : i+end+1])
			i += end
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	replCache.Store(r, out)
	return out
}

func (s *state) listCall(l *List, name string, args []any, pos int) (any, error) {
	switch name {
	case "size":
		return int64(len(l.items)), nil
	case "isEmpty":
		return len(l.items) == 0, nil
	case "get":
		i, ok := intArg(args, 0)
		if !ok {
			return nil, nil
		}
		if i < 0 || i >= len(l.items) {
			return nil, s.errAt(pos, "get(%d): index out of bounds for length %d", i, len(l.items))
		}
		return l.items[i], nil
	case "contains":
		if len(args) == 1 {
			return l.indexOf(args[0]) >= 0, nil
		}
	case "indexOf":
		if len(args) == 1 {
			return int64(l.indexOf(args[0])), nil
		}
	case "add":
		switch len(args) {
		case 1:
			l.items = append(l.items, args[0])
			return true, nil
		case 2:
			i, ok := intArg(args, 0)
			if !ok || i < 0 || i > len(l.items) {
				return nil, s.errAt(pos, "add: index out of bounds for length %d", len(l.items))
			}
			l.items = append(l.items, nil)
			copy(l.items[i+1:], l.items[i:])
			l.items[i] = args[1]
			return nil, nil // void
		}
	case "addAll":
		if o, ok := args0(args).(*List); ok {
			l.items = append(l.items, o.items...)
			return true, nil
		}
	case "set":
		i, ok := intArg(args, 0)
		if ok && len(args) == 2 {
			if i < 0 || i >= len(l.items) {
				return nil, s.errAt(pos, "set(%d): index out of bounds for length %d", i, len(l.items))
			}
			old := l.items[i]
			l.items[i] = args[1]
			return old, nil
		}
	case "remove":
		if len(args) != 1 {
			return nil, nil
		}
		if i, ok := args[0].(int64); ok {
			if i < 0 || int(i) >= len(l.items) {
				return nil, s.errAt(pos, "remove(%d): index out of bounds for length %d", i, len(l.items))
			}
			old := l.items[i]
			l.items = append(l.items[:i], l.items[i+1:]...)
			return old, nil
		}
		if i := l.indexOf(args[0]); i >= 0 {
			l.items = append(l.items[:i], l.items[i+1:]...)
			return true, nil
		}
		return false, nil
	case "clear":
		l.items = l.items[:0]
		return nil, nil
	case "subList":
		a, ok1 := intArg(args, 0)
		b, ok2 := intArg(args, 1)
		if ok1 && ok2 {
			if a < 0 || b > len(l.items) || a > b {
				return nil, s.errAt(pos, "subList(%d, %d): out of bounds for length %d", a, b, len(l.items))
			}
			return &List{items: append([]any(nil), l.items[a:b]...), json: l.json}, nil
		}
	}
	return nil, nil
}

func args0(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

func (l *List) indexOf(v any) int {
	for i, e := range l.items {
		if javaEquals(e, v) {
			return i
		}
	}
	return -1
}

func (s *state) mapCall(m *Map, name string, args []any, pos int) (any, error) {
	switch name {
	case "get":
		if len(args) == 1 && args[0] != nil {
			v, _ := m.get(toString(args[0]))
			return v, nil
		}
	case "getOrDefault":
		if len(args) == 2 && args[0] != nil {
			if v, ok := m.get(toString(args[0])); ok {
				return v, nil
			}
			return args[1], nil
		}
	case "containsKey":
		if len(args) == 1 && args[0] != nil {
			_, ok := m.get(toString(args[0]))
			return ok, nil
		}
		return false, nil
	case "containsValue":
		if len(args) == 1 {
			for _, v := range m.vals {
				if javaEquals(v, args[0]) {
					return true, nil
				}
			}
			return false, nil
		}
	case "put":
		if len(args) == 2 && args[0] != nil {
			k := toString(args[0])
			if m.once {
				if m.written == nil {
					m.written = map[string]bool{}
				}
				if m.written[k] {
					return nil, &OverrideError{Param: k}
				}
				m.written[k] = true
			}
			return m.put(k, args[1]), nil
		}
	case "putAll":
		if o, ok := args0(args).(*Map); ok {
			for i, k := range o.keys {
				m.put(k, o.vals[i])
			}
			return nil, nil
		}
	case "remove":
		if len(args) == 1 && args[0] != nil {
			return m.remove(toString(args[0])), nil
		}
	case "keySet":
		l := &List{items: make([]any, len(m.keys))}
		for i, k := range m.keys {
			l.items[i] = k
		}
		return l, nil
	case "values":
		return &List{items: append([]any(nil), m.vals...)}, nil
	case "entrySet":
		l := &List{items: make([]any, len(m.keys))}
		for i, k := range m.keys {
			l.items[i] = &mapEntry{key: k, val: m.vals[i]}
		}
		return l, nil
	case "size":
		return int64(len(m.keys)), nil
	case "isEmpty":
		return len(m.keys) == 0, nil
	case "clear":
		m.keys, m.vals, m.index = m.keys[:0], m.vals[:0], nil
		return nil, nil
	}
	return nil, nil
}
