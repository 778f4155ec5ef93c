package jsonpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// rootKind says which document a path reads: the state input ($), the context object ($$) or a
// workflow variable ($name).
type rootKind uint8

const (
	rootInput rootKind = iota
	rootContext
	rootVariable
)

type segKind uint8

const (
	segNames    segKind = iota // .a, ['a'], ['a','b']
	segIndexes                 // [0], [-1], [0,2]
	segWildcard                // .*, [*]
	segSlice                   // [1:3], [:2], [-2:]
	segFilter                  // [?(@.x > 1)]
)

type segment struct {
	kind   segKind
	deep   bool // reached with ".." (deep scan)
	names  []string
	idx    []int
	from   int
	to     int
	hasTo  bool
	filter *filterExpr
}

// definite reports whether the segment selects at most one node, as Jayway defines it.
func (s segment) definite() bool {
	if s.deep {
		return false
	}
	switch s.kind {
	case segNames:
		return len(s.names) == 1
	case segIndexes:
		return len(s.idx) == 1
	}
	return false
}

// compiled is a parsed path. Paths come from state machine definitions, so they are parsed once
// and cached.
type compiled struct {
	text     string
	root     rootKind
	variable string
	segs     []segment
	definite bool
}

var (
	cache     sync.Map // string -> *compiled
	cacheSize atomic.Int64
)

// maxCached bounds the cache for callers that build paths at run time.
const maxCached = 10000

func compile(path string) (*compiled, error) {
	if c, ok := cache.Load(path); ok {
		return c.(*compiled), nil
	}
	c, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	if cacheSize.Load() < maxCached {
		if _, loaded := cache.LoadOrStore(path, c); !loaded {
			cacheSize.Add(1)
		}
	}
	return c, nil
}

func parsePath(path string) (*compiled, error) {
	c := &compiled{text: path, definite: true}
	if !strings.HasPrefix(path, "$") {
		return nil, fmt.Errorf("path %q must start with '$'", path)
	}
	i := 1
	switch {
	case strings.HasPrefix(path, "$$"):
		c.root = rootContext
		i = 2
	case len(path) > 1 && isIdentStart(path[1]):
		c.root = rootVariable
		j := 1
		for j < len(path) && isIdentChar(path[j]) {
			j++
		}
		c.variable = path[1:j]
		i = j
	}
	for i < len(path) {
		seg, next, err := parseSegment(path, i)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", path, err)
		}
		if !seg.definite() {
			c.definite = false
		}
		c.segs = append(c.segs, seg)
		i = next
	}
	return c, nil
}

func isIdentStart(b byte) bool {
	return b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

func isIdentChar(b byte) bool { return isIdentStart(b) || (b >= '0' && b <= '9') }

func parseSegment(p string, i int) (segment, int, error) {
	var seg segment
	switch {
	case strings.HasPrefix(p[i:], ".."):
		seg.deep = true
		i += 2
		if i < len(p) && p[i] == '[' {
			return parseBracket(p, i, seg)
		}
	case p[i] == '.':
		i++
		if i < len(p) && p[i] == '[' { // "$.abc.['def ghi']" as the docs write it
			return parseBracket(p, i, seg)
		}
	case p[i] == '[':
		return parseBracket(p, i, seg)
	default:
		return seg, i, fmt.Errorf("unexpected %q at offset %d", p[i], i)
	}
	if i < len(p) && p[i] == '*' {
		seg.kind = segWildcard
		return seg, i + 1, nil
	}
	j := i
	for j < len(p) && p[j] != '.' && p[j] != '[' {
		if p[j] == ' ' || p[j] == '(' || p[j] == ')' || p[j] == '\'' || p[j] == '"' || p[j] == ']' {
			return seg, j, fmt.Errorf("character %q at offset %d needs bracket notation", p[j], j)
		}
		j++
	}
	if j == i {
		return seg, i, fmt.Errorf("empty field name at offset %d", i)
	}
	seg.kind = segNames
	seg.names = []string{p[i:j]}
	return seg, j, nil
}

func parseBracket(p string, i int, seg segment) (segment, int, error) {
	i++ // '['
	i = skipSpaces(p, i)
	if i >= len(p) {
		return seg, i, errors.New("unterminated '['")
	}
	switch p[i] {
	case '*':
		i = skipSpaces(p, i+1)
		if i >= len(p) || p[i] != ']' {
			return seg, i, errors.New("expected ']' after '*'")
		}
		seg.kind = segWildcard
		return seg, i + 1, nil
	case '?':
		i = skipSpaces(p, i+1)
		if i >= len(p) || p[i] != '(' {
			return seg, i, errors.New("expected '(' after '?'")
		}
		end, err := matchParen(p, i)
		if err != nil {
			return seg, i, err
		}
		f, err := parseFilter(p[i+1 : end])
		if err != nil {
			return seg, i, err
		}
		j := skipSpaces(p, end+1)
		if j >= len(p) || p[j] != ']' {
			return seg, j, errors.New("expected ']' after filter")
		}
		seg.kind = segFilter
		seg.filter = f
		return seg, j + 1, nil
	case '\'', '"':
		seg.kind = segNames
		for {
			s, j, err := readQuoted(p, i)
			if err != nil {
				return seg, i, err
			}
			seg.names = append(seg.names, s)
			j = skipSpaces(p, j)
			if j < len(p) && p[j] == ',' {
				i = skipSpaces(p, j+1)
				continue
			}
			if j < len(p) && p[j] == ']' {
				return seg, j + 1, nil
			}
			return seg, j, errors.New("expected ']' after field name")
		}
	}
	// Indexes or a slice.
	end := strings.IndexByte(p[i:], ']')
	if end < 0 {
		return seg, i, errors.New("unterminated '['")
	}
	body := strings.TrimSpace(p[i : i+end])
	next := i + end + 1
	if strings.Contains(body, ":") {
		parts := strings.Split(body, ":")
		if len(parts) != 2 {
			return seg, i, fmt.Errorf("unsupported slice %q", body)
		}
		seg.kind = segSlice
		if a := strings.TrimSpace(parts[0]); a != "" {
			n, err := strconv.Atoi(a)
			if err != nil {
				return seg, i, fmt.Errorf("bad slice start %q", a)
			}
			seg.from = n
		}
		if b := strings.TrimSpace(parts[1]); b != "" {
			n, err := strconv.Atoi(b)
			if err != nil {
				return seg, i, fmt.Errorf("bad slice end %q", b)
			}
			seg.to, seg.hasTo = n, true
		}
		return seg, next, nil
	}
	seg.kind = segIndexes
	for _, part := range strings.Split(body, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return seg, i, fmt.Errorf("bad array index %q", part)
		}
		seg.idx = append(seg.idx, n)
	}
	return seg, next, nil
}

func skipSpaces(p string, i int) int {
	for i < len(p) && p[i] == ' ' {
		i++
	}
	return i
}

// readQuoted reads a '…' or "…" name starting at p[i]; a backslash escapes the next character.
func readQuoted(p string, i int) (string, int, error) {
	q := p[i]
	var b strings.Builder
	for j := i + 1; j < len(p); j++ {
		switch p[j] {
		case '\\':
			if j+1 < len(p) {
				j++
				b.WriteByte(p[j])
			}
		case q:
			return b.String(), j + 1, nil
		default:
			b.WriteByte(p[j])
		}
	}
	return "", i, errors.New("unterminated quoted name")
}

// matchParen returns the index of the ')' closing the '(' at p[i], skipping quoted text.
func matchParen(p string, i int) (int, error) {
	depth := 0
	for j := i; j < len(p); j++ {
		switch p[j] {
		case '\'', '"':
			_, k, err := readQuoted(p, j)
			if err != nil {
				return 0, err
			}
			j = k - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, errors.New("unbalanced parentheses")
}

// normalized renders segs in Jayway's normalized form, $['a'][0], for error messages.
func normalized(segs []segment) string {
	var b strings.Builder
	b.WriteString("$")
	for _, s := range segs {
		if s.deep {
			b.WriteString("..")
		}
		switch s.kind {
		case segNames:
			b.WriteString("[")
			for i, n := range s.names {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString("'" + n + "'")
			}
			b.WriteString("]")
		case segIndexes:
			b.WriteString("[")
			for i, n := range s.idx {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(strconv.Itoa(n))
			}
			b.WriteString("]")
		case segWildcard:
			b.WriteString("[*]")
		case segSlice:
			b.WriteString("[")
			b.WriteString(strconv.Itoa(s.from))
			b.WriteString(":")
			if s.hasTo {
				b.WriteString(strconv.Itoa(s.to))
			}
			b.WriteString("]")
		case segFilter:
			b.WriteString("[?]")
		}
	}
	return b.String()
}

// eval applies the path to doc. A definite path returns the one node it names or a *PathError;
// an indefinite path returns the (possibly empty) list of matches, as Jayway does.
func (c *compiled) eval(doc any) (any, error) {
	if c.definite {
		cur := doc
		for i, s := range c.segs {
			next, ok := step(cur, s)
			if !ok {
				return nil, &PathError{Path: c.text, At: normalized(c.segs[:i+1]), Missing: i < len(c.segs)-1}
			}
			cur = next
		}
		return cur, nil
	}
	nodes := []any{doc}
	for _, s := range c.segs {
		var out []any
		for _, n := range nodes {
			if s.deep {
				descend(n, func(d any) { out = selectAll(d, s, out, doc) })
			} else {
				out = selectAll(n, s, out, doc)
			}
		}
		nodes = out
	}
	if nodes == nil {
		nodes = []any{}
	}
	return nodes, nil
}

// step applies a definite segment.
func step(cur any, s segment) (any, bool) {
	switch s.kind {
	case segNames:
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok := m[s.names[0]]
		return v, ok
	case segIndexes:
		a, ok := cur.([]any)
		if !ok {
			return nil, false
		}
		i := s.idx[0]
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, false
		}
		return a[i], true
	}
	return nil, false
}

// selectAll appends what segment s selects from node n to out.
func selectAll(n any, s segment, out []any, root any) []any {
	switch s.kind {
	case segNames:
		if m, ok := n.(map[string]any); ok {
			for _, name := range s.names {
				if v, ok := m[name]; ok {
					out = append(out, v)
				}
			}
		}
	case segIndexes:
		if a, ok := n.([]any); ok {
			for _, i := range s.idx {
				if i < 0 {
					i += len(a)
				}
				if i >= 0 && i < len(a) {
					out = append(out, a[i])
				}
			}
		}
	case segWildcard:
		switch v := n.(type) {
		case []any:
			out = append(out, v...)
		case map[string]any:
			for _, k := range sortedKeys(v) {
				out = append(out, v[k])
			}
		}
	case segSlice:
		if a, ok := n.([]any); ok {
			from, to := s.from, len(a)
			if s.hasTo {
				to = s.to
			}
			if from < 0 {
				from = max(from+len(a), 0)
			}
			if to < 0 {
				to += len(a)
			}
			to = min(to, len(a))
			if from < to {
				out = append(out, a[from:to]...)
			}
		}
	case segFilter:
		switch v := n.(type) {
		case []any:
			for _, e := range v {
				if s.filter.match(e, root) {
					out = append(out, e)
				}
			}
		case map[string]any:
			if s.filter.match(v, root) {
				out = append(out, v)
			}
		}
	}
	return out
}

// descend calls f on n and every node below it, parents before children. Object members are
// visited in key order because decoded Go maps do not keep the document's order.
func descend(n any, f func(any)) {
	f(n)
	switch v := n.(type) {
	case []any:
		for _, e := range v {
			descend(e, f)
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			descend(v[k], f)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Select applies a path ($, $.a.b, $.a[0], $['a b'], $.a[*].b, $.a[1:3], $..x, $.a[?(@.x > 1)])
// to doc. A definite path that matches nothing returns a *PathError; an indefinite path returns
// the list of its matches, which may be empty.
func Select(doc any, path string) (any, error) {
	c, err := compile(path)
	if err != nil {
		return nil, err
	}
	if c.root != rootInput {
		return nil, fmt.Errorf("path %q does not read the state input", path)
	}
	return c.eval(doc)
}

// SelectContext is Select that reads the context object for paths starting with "$$".
func SelectContext(doc, ctxObj any, path string) (any, error) {
	return Resolve(path, doc, ctxObj, nil)
}

// Resolve applies a path to the document it names: "$…" reads input, "$$…" the context object
// and "$name…" the workflow variable name (looked up with vars; nil vars means none are
// defined). An undefined variable is a *PathError like any other path that matches nothing.
func Resolve(path string, input, ctxObj any, vars func(string) (any, bool)) (any, error) {
	c, err := compile(path)
	if err != nil {
		return nil, err
	}
	return c.resolve(input, ctxObj, vars)
}

func (c *compiled) resolve(input, ctxObj any, vars func(string) (any, bool)) (any, error) {
	switch c.root {
	case rootContext:
		return c.eval(ctxObj)
	case rootVariable:
		var v any
		ok := false
		if vars != nil {
			v, ok = vars(c.variable)
		}
		if !ok {
			return nil, &PathError{Path: c.text, At: "$" + c.variable, Missing: len(c.segs) > 0}
		}
		return c.eval(v)
	}
	return c.eval(input)
}

// SelectField is Resolve for a field of a state (a payload template key "x.$", ItemsPath,
// ErrorPath…): a path that matches nothing is the States.Runtime *Error AWS reports for the field.
func SelectField(path, field string, input, ctxObj any, vars func(string) (any, bool)) (any, error) {
	v, err := Resolve(path, input, ctxObj, vars)
	var pe *PathError
	if errors.As(err, &pe) {
		return nil, pe.ForField(field, input)
	}
	return v, err
}

// Validate checks that path is a valid Path (the syntax InputPath, OutputPath, ItemsPath and
// payload templates accept): "$", "$$" or "$name" followed by JSONPath steps.
func Validate(path string) error {
	_, err := compile(path)
	return err
}

// ValidPath checks that path is a valid Reference Path on the state input, the syntax ResultPath
// accepts: only dot and bracket steps naming one field or one array index each.
func ValidPath(path string) error {
	c, err := compile(path)
	if err != nil {
		return err
	}
	if c.root != rootInput {
		return fmt.Errorf("reference path %q must start with '$' and name the input", path)
	}
	if !c.definite {
		return fmt.Errorf("reference path %q may only use single field names and array indexes", path)
	}
	return nil
}

// Set returns doc with value placed at the reference path, ResultPath's semantics: "$" replaces
// the document; "$.a.b" overwrites or creates nested objects. doc itself is not modified: the
// objects and arrays along the path are copied. A path that runs into a value that is not an
// object (or an index outside an array) is States.ResultPathMatchFailure.
func Set(doc any, path string, value any) (any, error) {
	if err := ValidPath(path); err != nil {
		return nil, err
	}
	c, _ := compile(path)
	out, ok := set(doc, c.segs, value)
	if !ok {
		return nil, &Error{Name: ErrResultPathMatchFailure,
			Cause: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", path, quoteJSON(doc))}
	}
	return out, nil
}

func set(cur any, segs []segment, value any) (any, bool) {
	if len(segs) == 0 {
		return value, true
	}
	s := segs[0]
	switch s.kind {
	case segNames:
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		child, exists := m[s.names[0]]
		if !exists && len(segs) > 1 {
			child = map[string]any{}
		}
		nv, ok := set(child, segs[1:], value)
		if !ok {
			return nil, false
		}
		cp := make(map[string]any, len(m)+1)
		for k, v := range m {
			cp[k] = v
		}
		cp[s.names[0]] = nv
		return cp, true
	case segIndexes:
		a, ok := cur.([]any)
		if !ok {
			return nil, false
		}
		i := s.idx[0]
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, false
		}
		nv, ok := set(a[i], segs[1:], value)
		if !ok {
			return nil, false
		}
		cp := append([]any(nil), a...)
		cp[i] = nv
		return cp, true
	}
	return nil, false
}

// quoteJSON renders doc as a JSON string literal of its compact JSON, as AWS quotes the input.
func quoteJSON(doc any) string {
	b, _ := json.Marshal(Compact(doc))
	return string(b)
}
