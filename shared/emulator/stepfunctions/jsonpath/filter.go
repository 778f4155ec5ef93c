package jsonpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// filterExpr is a parsed JSONPath filter, the text inside [?( … )].
type filterExpr struct {
	op          string // "||", "&&", "!", a comparison operator, or "" for an existence test
	left, right *filterExpr
	a, b        *operand
}

// operand is one side of a comparison: a path relative to the current node (@) or the root
// ($), or a literal.
type operand struct {
	path    *compiled // nil for literals
	current bool      // path starts at @
	literal any
	re      *regexp.Regexp
}

type filterParser struct {
	s string
	i int
}

func parseFilter(s string) (*filterExpr, error) {
	p := &filterParser{s: s}
	f, err := p.or()
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", s, err)
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("filter %q: unexpected %q", s, p.s[p.i:])
	}
	return f, nil
}

func (p *filterParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *filterParser) eat(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *filterParser) or() (*filterExpr, error) {
	l, err := p.and()
	for err == nil && p.eat("||") {
		var r *filterExpr
		if r, err = p.and(); err == nil {
			l = &filterExpr{op: "||", left: l, right: r}
		}
	}
	return l, err
}

func (p *filterParser) and() (*filterExpr, error) {
	l, err := p.unary()
	for err == nil && p.eat("&&") {
		var r *filterExpr
		if r, err = p.unary(); err == nil {
			l = &filterExpr{op: "&&", left: l, right: r}
		}
	}
	return l, err
}

func (p *filterParser) unary() (*filterExpr, error) {
	p.space()
	if strings.HasPrefix(p.s[p.i:], "!") && !strings.HasPrefix(p.s[p.i:], "!=") {
		p.i++
		e, err := p.unary()
		return &filterExpr{op: "!", left: e}, err
	}
	if p.eat("(") {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, errors.New("missing ')'")
		}
		return e, nil
	}
	a, err := p.operand()
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "=~", "<", ">"} {
		if p.eat(op) {
			b, err := p.operand()
			if err != nil {
				return nil, err
			}
			if op == "=~" && b.re == nil {
				return nil, errors.New("=~ needs a /regex/")
			}
			return &filterExpr{op: op, a: a, b: b}, nil
		}
	}
	if a.path == nil {
		return nil, errors.New("a literal is not a condition")
	}
	return &filterExpr{a: a}, nil
}

func (p *filterParser) operand() (*operand, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, errors.New("missing operand")
	}
	rest := p.s[p.i:]
	switch c := rest[0]; {
	case c == '@' || c == '$':
		j := 1
		for j < len(rest) {
			if rest[j] == '[' {
				k := strings.IndexByte(rest[j:], ']')
				if k < 0 {
					return nil, errors.New("unterminated '['")
				}
				j += k + 1
				continue
			}
			if strings.ContainsRune(" =!<>&|)", rune(rest[j])) {
				break
			}
			j++
		}
		text := "$" + rest[1:j]
		cp, err := parsePath(text)
		if err != nil {
			return nil, err
		}
		p.i += j
		return &operand{path: cp, current: c == '@'}, nil
	case c == '\'' || c == '"':
		s, j, err := readQuoted(p.s, p.i)
		if err != nil {
			return nil, err
		}
		p.i = j
		return &operand{literal: s}, nil
	case c == '/':
		end := strings.LastIndexByte(rest, '/')
		if end <= 0 {
			return nil, errors.New("unterminated regex")
		}
		j := end + 1
		flags := ""
		for j < len(rest) && strings.ContainsRune("imsx", rune(rest[j])) {
			flags += string(rest[j])
			j++
		}
		pat := rest[1:end]
		if flags != "" {
			pat = "(?" + strings.ReplaceAll(flags, "x", "") + ")" + pat
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, err
		}
		p.i += j
		return &operand{re: re}, nil
	case strings.HasPrefix(rest, "true"):
		p.i += 4
		return &operand{literal: true}, nil
	case strings.HasPrefix(rest, "false"):
		p.i += 5
		return &operand{literal: false}, nil
	case strings.HasPrefix(rest, "null"):
		p.i += 4
		return &operand{literal: nil}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		j := 1
		for j < len(rest) && strings.ContainsRune("0123456789.eE+-", rune(rest[j])) {
			j++
		}
		n := json.Number(rest[:j])
		if _, err := n.Float64(); err != nil {
			return nil, fmt.Errorf("bad number %q", rest[:j])
		}
		p.i += j
		return &operand{literal: n}, nil
	}
	return nil, fmt.Errorf("unexpected %q", rest)
}

// value evaluates the operand; ok is false when its path matches nothing.
func (o *operand) value(cur, root any) (any, bool) {
	if o.path == nil {
		return o.literal, true
	}
	doc := root
	if o.current {
		doc = cur
	}
	v, err := o.path.eval(doc)
	if err != nil {
		return nil, false
	}
	return v, true
}

func (f *filterExpr) match(cur, root any) bool {
	switch f.op {
	case "||":
		return f.left.match(cur, root) || f.right.match(cur, root)
	case "&&":
		return f.left.match(cur, root) && f.right.match(cur, root)
	case "!":
		return !f.left.match(cur, root)
	case "":
		_, ok := f.a.value(cur, root)
		return ok
	}
	a, ok := f.a.value(cur, root)
	if !ok {
		return false
	}
	if f.op == "=~" {
		s, isStr := a.(string)
		return isStr && f.b.re.MatchString(s)
	}
	b, ok := f.b.value(cur, root)
	if !ok {
		return false
	}
	switch f.op {
	case "==":
		return equal(a, b)
	case "!=":
		return !equal(a, b)
	}
	c, ok := compare(a, b)
	if !ok {
		return false
	}
	switch f.op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

// compare orders two numbers or two strings.
func compare(a, b any) (int, bool) {
	if x, ok := toRat(a); ok {
		if y, ok := toRat(b); ok {
			return x.Cmp(y), true
		}
		return 0, false
	}
	x, ok1 := a.(string)
	y, ok2 := b.(string)
	if ok1 && ok2 {
		return strings.Compare(x, y), true
	}
	return 0, false
}

func toRat(v any) (*big.Rat, bool) {
	var s string
	switch n := v.(type) {
	case json.Number:
		s = string(n)
	case float64:
		s = fmt.Sprint(n)
	case int:
		s = fmt.Sprint(n)
	case int64:
		s = fmt.Sprint(n)
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// equal is JSON equality: numbers by value (1 == 1.0), objects and arrays member by member.
func equal(a, b any) bool {
	if x, ok := toRat(a); ok {
		y, ok := toRat(b)
		return ok && x.Cmp(y) == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}
