package vtl

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Template is a parsed mapping template. It is safe for concurrent use: Render keeps its state
// per call.
type Template struct {
	name   string
	src    string
	nodes  []node
	macros map[string]*macroDef
	// usesContext and usesStageVariables say whether the source names $context or
	// $stageVariables at all; a template that does not (most response templates) skips building
	// them on every render. A false positive (the word in a literal) only costs that build.
	usesContext, usesStageVariables bool
}

// Input is what a mapping template sees.
type Input struct {
	// Body is the method request payload, raw ($input.body). In a response template it is
	// replaced by Response.Body when Response is set.
	Body string
	// Headers, QueryString and Path are the method request parameters that $input.params()
	// returns under "header", "querystring" and "path".
	Headers     map[string]string
	QueryString map[string]string
	Path        map[string]string
	// StageVariables are $stageVariables.
	StageVariables map[string]string
	// Context holds the $context variables, nested ({"identity": {"sourceIp": ...}}) or with
	// dotted keys ("identity.sourceIp"). Values may be strings, numbers, booleans, maps and
	// slices.
	Context map[string]any
	// Response is the integration response, for integration response templates.
	Response *IntegrationResponse
	// RequestOverride carries the overrides an earlier request template made, readable as
	// $context.requestOverride in a later (response) template.
	RequestOverride RequestOverride
}

// IntegrationResponse is the backend's answer that an integration response template maps.
type IntegrationResponse struct {
	Body       string
	StatusCode int
	Headers    map[string]string
}

// RequestOverride is what a request template set through $context.requestOverride.
type RequestOverride struct {
	Header      map[string]string
	QueryString map[string]string
	Path        map[string]string
}

// ResponseOverride is what a template set through $context.responseOverride. Status is 0 when
// the template did not override it.
type ResponseOverride struct {
	Status int
	Header map[string]string
}

// Output is the result of rendering.
type Output struct {
	Body             string
	RequestOverride  RequestOverride
	ResponseOverride ResponseOverride
}

// BodyError reports a payload that $input.json or $input.path could not read as JSON. API
// Gateway answers such a request with a 400.
type BodyError struct{ Err error }

func (e *BodyError) Error() string { return "invalid JSON in payload: " + e.Err.Error() }
func (e *BodyError) Unwrap() error { return e.Err }

// OverrideError reports a parameter overridden twice; AWS fails such a request with a 5XX.
type OverrideError struct{ Param string }

func (e *OverrideError) Error() string {
	return fmt.Sprintf("%s overridden more than once; overrides are final", e.Param)
}

// Parse parses a mapping template once; name appears in error messages.
func Parse(name, text string) (*Template, error) {
	p := &parser{name: name, orig: text, src: text, macros: map[string]*macroDef{}}
	nodes, _, _, err := p.parseBlock()
	if err != nil {
		return nil, err
	}
	return &Template{name: name, src: text, nodes: nodes, macros: p.macros,
		usesContext: strings.Contains(text, "context"), usesStageVariables: strings.Contains(text, "stageVariables")}, nil
}

// Name is the name the template was parsed with.
func (t *Template) Name() string { return t.name }

// UsesContext reports whether the template may read $context, so a caller can skip building
// Input.Context for one that cannot.
func (t *Template) UsesContext() bool { return t.usesContext }

var (
	errBreak = errors.New("#break")
	errStop  = errors.New("#stop")
)

// maxDepth bounds macro and #define recursion.
const maxDepth = 100

type state struct {
	t     *Template
	in    *Input
	vars  map[string]any
	out   bytes.Buffer
	depth int

	body       string
	jsonDone   bool
	jsonVal    any
	jsonErr    error
	reqOv      *Map // $context.requestOverride
	resOv      *Map // $context.responseOverride
	params     *Map
	foreachTop *foreachScope
}

// Render evaluates the template against in.
func (t *Template) Render(in Input) (Output, error) {
	s := &state{t: t, in: &in, vars: make(map[string]any, 8)}
	s.body = in.Body
	if in.Response != nil {
		s.body = in.Response.Body
	}
	s.out.Grow(len(t.src))
	s.setup()
	err := s.renderNodes(t.nodes)
	if err != nil && !errors.Is(err, errStop) && !errors.Is(err, errBreak) {
		return Output{}, err
	}
	out := Output{Body: s.out.String()}
	if err := s.collectOverrides(&out); err != nil {
		return Output{}, err
	}
	return out, nil
}

func (s *state) setup() {
	s.vars["input"] = &inputObj{s: s}
	s.vars["util"] = utilObj{}
	if s.t.usesStageVariables {
		s.vars["stageVariables"] = stringMap(s.in.StageVariables)
	}
	if !s.t.usesContext {
		return // no overrides can be set either: collectOverrides finds none
	}
	ctx := newMap(len(s.in.Context) + 2)
	keys := sortedKeys(s.in.Context)
	for _, k := range keys {
		putPath(ctx, k, fromGo(s.in.Context[k]))
	}
	s.reqOv = newMap(3)
	for _, part := range []struct {
		name string
		m    map[string]string
	}{{"header", s.in.RequestOverride.Header}, {"querystring", s.in.RequestOverride.QueryString}, {"path", s.in.RequestOverride.Path}} {
		m := stringMap(part.m)
		m.once = true
		s.reqOv.put(part.name, m)
	}
	s.resOv = newMap(2)
	h := newMap(2)
	h.once = true
	s.resOv.put("header", h)
	s.resOv.once = true
	ctx.put("requestOverride", s.reqOv)
	ctx.put("responseOverride", s.resOv)
	s.vars["context"] = ctx
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Shorter (less dotted) keys first, so "identity" is set before "identity.sourceIp".
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func (s *state) collectOverrides(out *Output) error {
	if s.reqOv == nil {
		// $context was never built, so nothing set an override: the earlier ones stand.
		out.RequestOverride = s.in.RequestOverride
		return nil
	}
	conv := func(v any) map[string]string {
		m, _ := v.(*Map)
		if m == nil || len(m.keys) == 0 {
			return nil
		}
		r := make(map[string]string, len(m.keys))
		for i, k := range m.keys {
			r[k] = toString(m.vals[i])
		}
		return r
	}
	h, _ := s.reqOv.get("header")
	q, _ := s.reqOv.get("querystring")
	p, _ := s.reqOv.get("path")
	out.RequestOverride = RequestOverride{Header: conv(h), QueryString: conv(q), Path: conv(p)}
	rh, _ := s.resOv.get("header")
	out.ResponseOverride.Header = conv(rh)
	if st, ok := s.resOv.get("status"); ok && st != nil {
		switch x := st.(type) {
		case int64:
			out.ResponseOverride.Status = int(x)
		case float64:
			out.ResponseOverride.Status = int(x)
		default:
			n, err := strconv.Atoi(strings.TrimSpace(toString(x)))
			if err != nil {
				return fmt.Errorf("%s: $context.responseOverride.status %q is not a status code", s.t.name, toString(x))
			}
			out.ResponseOverride.Status = n
		}
	}
	return nil
}

func (s *state) errAt(pos int, format string, args ...any) error {
	line, col := lineCol(s.t.src, pos)
	return fmt.Errorf("%s:%d:%d: %s", s.t.name, line, col, fmt.Sprintf(format, args...))
}

func (s *state) renderNodes(nodes []node) error {
	for _, n := range nodes {
		if err := s.renderNode(n); err != nil {
			return err
		}
	}
	return nil
}

func (s *state) renderNode(n node) error {
	switch x := n.(type) {
	case *textNode:
		s.out.WriteString(x.text)
	case *refNode:
		v, err := s.evalRef(x.ref)
		if err != nil {
			return err
		}
		return s.writeValue(v, x.ref)
	case *escapedRefNode:
		v, err := s.evalRef(x.ref)
		if err != nil {
			return err
		}
		if v == nil {
			s.out.WriteString(strings.Repeat("\\", x.slashes))
			s.out.WriteString(x.ref.src)
			return nil
		}
		s.out.WriteString(strings.Repeat("\\", x.slashes/2))
		if x.slashes%2 == 1 {
			s.out.WriteString(x.ref.src)
			return nil
		}
		return s.writeValue(v, x.ref)
	case *setNode:
		return s.set(x)
	case *ifNode:
		for i, c := range x.conds {
			v, err := s.eval(c)
			if err != nil {
				return err
			}
			if truthy(v) {
				return s.renderNodes(x.blocks[i])
			}
		}
		return s.renderNodes(x.elseBlock)
	case *foreachNode:
		return s.foreach(x)
	case *breakNode:
		return errBreak
	case *stopNode:
		return errStop
	case *defineNode:
		s.vars[x.name] = &defineBlock{nodes: x.body}
	case *macroCallNode:
		return s.callMacro(x)
	}
	return nil
}

func (s *state) writeValue(v any, ref *reference) error {
	switch x := v.(type) {
	case nil:
		if !ref.quiet {
			s.out.WriteString(ref.src)
		}
		return nil
	case string:
		s.out.WriteString(x)
		return nil
	case *defineBlock:
		return s.renderBlock(x)
	}
	s.out.WriteString(toString(v))
	return nil
}

// defineBlock is a #define'd block, rendered where it is referenced.
type defineBlock struct{ nodes []node }

func (s *state) renderBlock(b *defineBlock) error {
	if s.depth >= maxDepth {
		return fmt.Errorf("%s: #define nested more than %d deep", s.t.name, maxDepth)
	}
	s.depth++
	defer func() { s.depth-- }()
	err := s.renderNodes(b.nodes)
	if errors.Is(err, errBreak) {
		return nil
	}
	return err
}

// blockString renders a block on the end of the output and takes it back off as a string.
func (s *state) blockString(b *defineBlock) (string, error) {
	start := s.out.Len()
	err := s.renderBlock(b)
	str := string(s.out.Bytes()[start:])
	s.out.Truncate(start)
	return str, err
}

func (s *state) set(n *setNode) error {
	v, err := s.eval(n.rhs)
	if err != nil {
		return err
	}
	if v == nil {
		// Velocity 1.7: a null right-hand side leaves the left-hand side unchanged.
		return nil
	}
	ref := n.lhs
	if len(ref.mods) == 0 {
		s.vars[ref.name] = v
		return nil
	}
	target, ok := s.vars[ref.name]
	if !ok {
		return nil
	}
	for _, m := range ref.mods[:len(ref.mods)-1] {
		target, err = s.applyMod(target, m)
		if err != nil {
			return err
		}
		if target == nil {
			return nil
		}
	}
	last := ref.mods[len(ref.mods)-1]
	var key any
	switch last.kind {
	case modProp:
		key = last.name
	case modIndex:
		if key, err = s.eval(last.index); err != nil {
			return err
		}
	default:
		return s.errAt(n.lhs.pos, "#set: cannot assign to a method call")
	}
	switch t := target.(type) {
	case *Map:
		k := toString(key)
		if t.once {
			if t.written == nil {
				t.written = map[string]bool{}
			}
			if t.written[k] {
				return &OverrideError{Param: strings.TrimPrefix(ref.src, "$")}
			}
			t.written[k] = true
		}
		t.put(k, v)
	case *List:
		i, ok := key.(int64)
		if !ok || i < 0 || int(i) >= len(t.items) {
			return s.errAt(n.lhs.pos, "#set: index %s out of range for a list of %d", toString(key), len(t.items))
		}
		t.items[i] = v
	}
	return nil
}

func (s *state) evalRef(r *reference) (any, error) {
	v, ok := s.vars[r.name]
	if !ok {
		// Velocity 1.7's #foreach also puts $velocityCount (from 1) and $velocityHasNext in the
		// context, deprecated for $foreach.count and $foreach.hasNext but still there.
		switch {
		case s.foreachTop == nil:
			return nil, nil
		case r.name == "velocityCount":
			v = int64(s.foreachTop.index + 1)
		case r.name == "velocityHasNext":
			v = s.foreachTop.index < s.foreachTop.n-1
		default:
			return nil, nil
		}
	}
	var err error
	for _, m := range r.mods {
		if v == nil {
			return nil, nil
		}
		if v, err = s.applyMod(v, m); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *state) applyMod(v any, m modifier) (any, error) {
	switch m.kind {
	case modProp:
		return s.property(v, m.name)
	case modIndex:
		idx, err := s.eval(m.index)
		if err != nil {
			return nil, err
		}
		return s.index(v, idx, m.pos)
	}
	args := make([]any, len(m.args))
	for i, a := range m.args {
		av, err := s.eval(a)
		if err != nil {
			return nil, err
		}
		args[i] = av
	}
	return s.call(v, m.name, args, m.pos)
}

func (s *state) index(v, idx any, pos int) (any, error) {
	switch x := v.(type) {
	case *List:
		i, ok := idx.(int64)
		if !ok {
			return nil, nil
		}
		if i < 0 || int(i) >= len(x.items) {
			return nil, s.errAt(pos, "index %d out of bounds for length %d", i, len(x.items))
		}
		return x.items[i], nil
	case *Map:
		r, _ := x.get(toString(idx))
		return r, nil
	case *defineBlock:
		return nil, nil
	}
	return nil, nil
}

func (s *state) foreach(n *foreachNode) error {
	it, err := s.eval(n.iter)
	if err != nil {
		return err
	}
	var items []any
	switch x := it.(type) {
	case *List:
		items = x.items
	case *Map:
		items = x.vals // Velocity iterates a map's values
	case nil:
		return nil
	default:
		return nil // not iterable: Velocity logs and skips the loop
	}
	savedVar, hadVar := s.vars[n.varName]
	savedScope, hadScope := s.vars["foreach"]
	scope := &foreachScope{n: len(items)}
	if sc, ok := savedScope.(*foreachScope); ok {
		scope.parent = sc
	}
	prevTop := s.foreachTop
	s.foreachTop = scope
	s.vars["foreach"] = scope
	// Work on a snapshot so that adding to the list inside the loop does not loop forever.
	snapshot := items
	if len(items) > 0 {
		snapshot = append([]any(nil), items...)
	}
	for i, item := range snapshot {
		scope.index = i
		if item == nil {
			delete(s.vars, n.varName)
		} else {
			s.vars[n.varName] = item
		}
		err = s.renderNodes(n.body)
		if errors.Is(err, errBreak) {
			err = nil
			break
		}
		if err != nil {
			break
		}
	}
	s.foreachTop = prevTop
	if hadVar {
		s.vars[n.varName] = savedVar
	} else {
		delete(s.vars, n.varName)
	}
	if hadScope {
		s.vars["foreach"] = savedScope
	} else {
		delete(s.vars, "foreach")
	}
	return err
}

// foreachScope is $foreach inside a loop.
type foreachScope struct {
	index, n int
	parent   *foreachScope
}

func (f *foreachScope) String() string { return "$foreach" }

func (s *state) callMacro(n *macroCallNode) error {
	def, ok := s.t.macros[n.name]
	if !ok {
		s.out.WriteString(n.src) // not a macro: Velocity prints the call as text
		return nil
	}
	if s.depth >= maxDepth {
		return s.errAt(n.pos, "#%s: macros nested more than %d deep", n.name, maxDepth)
	}
	type saved struct {
		v  any
		ok bool
	}
	prev := make([]saved, len(def.params))
	for i, p := range def.params {
		var v any
		if i < len(n.args) {
			var err error
			if v, err = s.eval(n.args[i]); err != nil {
				return err
			}
		}
		old, had := s.vars[p]
		prev[i] = saved{old, had}
		if v == nil {
			delete(s.vars, p)
		} else {
			s.vars[p] = v
		}
	}
	s.depth++
	err := s.renderNodes(def.body)
	s.depth--
	for i, p := range def.params {
		if prev[i].ok {
			s.vars[p] = prev[i].v
		} else {
			delete(s.vars, p)
		}
	}
	return err
}

func (s *state) eval(e expr) (any, error) {
	switch x := e.(type) {
	case *litExpr:
		return x.v, nil
	case *refExpr:
		v, err := s.evalRef(x.ref)
		if b, ok := v.(*defineBlock); ok && err == nil {
			return s.blockString(b)
		}
		return v, err
	case *interpExpr:
		start := s.out.Len()
		err := s.renderNodes(x.nodes)
		str := string(s.out.Bytes()[start:])
		s.out.Truncate(start)
		if err != nil {
			return nil, err
		}
		return str, nil
	case *listExpr:
		l := &List{items: make([]any, len(x.items))}
		for i, it := range x.items {
			v, err := s.eval(it)
			if err != nil {
				return nil, err
			}
			l.items[i] = v
		}
		return l, nil
	case *mapExpr:
		m := newMap(len(x.keys))
		for i := range x.keys {
			k, err := s.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := s.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			m.put(toString(k), v)
		}
		return m, nil
	case *rangeExpr:
		from, err := s.eval(x.from)
		if err != nil {
			return nil, err
		}
		to, err := s.eval(x.to)
		if err != nil {
			return nil, err
		}
		// Velocity 1.7's ASTIntegerRange takes Numbers only (their intValue); a string or null
		// end makes the range null, so a #foreach over it renders nothing.
		a, ok1 := rangeEnd(from)
		b, ok2 := rangeEnd(to)
		if !ok1 || !ok2 {
			return nil, nil
		}
		l := &List{}
		if a <= b {
			for i := a; i <= b; i++ {
				l.items = append(l.items, i)
			}
		} else {
			for i := a; i >= b; i-- {
				l.items = append(l.items, i)
			}
		}
		return l, nil
	case *notExpr:
		v, err := s.eval(x.x)
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	case *binExpr:
		return s.binary(x)
	}
	return nil, fmt.Errorf("%s: unknown expression %T", s.t.name, e)
}

func rangeEnd(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), true
	}
	return 0, false
}

func (s *state) binary(x *binExpr) (any, error) {
	l, err := s.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := s.eval(x.r)
		return truthy(r), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := s.eval(x.r)
		return truthy(r), err
	}
	r, err := s.eval(x.r)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", ">", "<=", ">=":
		c, ok := compare(l, r)
		if !ok {
			return false, nil
		}
		switch x.op {
		case "<":
			return c < 0, nil
		case ">":
			return c > 0, nil
		case "<=":
			return c <= 0, nil
		}
		return c >= 0, nil
	}
	if x.op == "+" {
		// ASTAddNode.handleSpecial: when either side is a string, + concatenates, and a null
		// side stands as its source text ("x" + $nope is "x$nope").
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			if l == nil {
				l = x.lsrc
			} else if r == nil {
				r = x.rsrc
			}
		}
	}
	return arith(x.op, l, r), nil
}

// equal follows Velocity 1.7: numbers compare by value, objects of one class with equals,
// objects of different classes by their toString.
func equal(l, r any) bool {
	if l == nil || r == nil {
		return l == nil && r == nil
	}
	if lf, ok := number(l); ok {
		if rf, ok := number(r); ok {
			return lf == rf
		}
	}
	switch lx := l.(type) {
	case string:
		if rs, ok := r.(string); ok {
			return lx == rs
		}
	case bool:
		if rb, ok := r.(bool); ok {
			return lx == rb
		}
	}
	return toString(l) == toString(r)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func compare(l, r any) (int, bool) {
	if li, ok := l.(int64); ok {
		if ri, ok := r.(int64); ok {
			switch {
			case li < ri:
				return -1, true
			case li > ri:
				return 1, true
			}
			return 0, true
		}
	}
	lf, ok1 := number(l)
	rf, ok2 := number(r)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case lf < rf:
		return -1, true
	case lf > rf:
		return 1, true
	}
	return 0, true
}

// arith follows Velocity 1.7's MathUtils: integer arithmetic for integers (integer division),
// double arithmetic when either side is a double, string concatenation for + with a string,
// and null for anything else or a division by zero.
func arith(op string, l, r any) any {
	if op == "+" {
		_, ls := l.(string)
		_, rs := r.(string)
		if (ls || rs) && l != nil && r != nil {
			return toString(l) + toString(r)
		}
	}
	li, lInt := l.(int64)
	ri, rInt := r.(int64)
	if lInt && rInt {
		switch op {
		case "+":
			return li + ri
		case "-":
			return li - ri
		case "*":
			return li * ri
		case "/":
			if ri == 0 {
				return nil
			}
			return li / ri
		case "%":
			if ri == 0 {
				return nil
			}
			return li % ri
		}
	}
	lf, ok1 := number(l)
	rf, ok2 := number(r)
	if !ok1 || !ok2 {
		return nil
	}
	switch op {
	case "+":
		return lf + rf
	case "-":
		return lf - rf
	case "*":
		return lf * rf
	case "/":
		if rf == 0 {
			return nil
		}
		return lf / rf
	case "%":
		if rf == 0 {
			return nil
		}
		return math.Mod(lf, rf)
	}
	return nil
}
