package jsonpath

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// maxNesting is the documented limit on intrinsic functions nested within one field.
const maxNesting = 10

// call is a parsed intrinsic function invocation.
type call struct {
	name string
	args []arg
}

// arg is one argument: a literal, a path, or a nested call.
type arg struct {
	literal any
	str     *strLit
	path    *compiled
	call    *call
}

// strLit is a single-quoted string literal. holes records where an unescaped "{}" occurs, so
// that States.Format can tell a placeholder from an escaped \{\}.
type strLit struct {
	text  string
	holes []int
}

var calls sync.Map // string -> *call

// IsIntrinsic reports whether s is written as an intrinsic function call, "States.Name(…)".
// It does not check the arguments; see ValidateIntrinsic.
func IsIntrinsic(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "States.") || !strings.HasSuffix(s, ")") {
		return false
	}
	i := strings.IndexByte(s, '(')
	if i < len("States.")+1 {
		return false
	}
	for j := len("States."); j < i; j++ {
		if !isIdentChar(s[j]) {
			return false
		}
	}
	return true
}

// ValidateIntrinsic checks an intrinsic call the way a state machine definition is checked:
// syntax, escapes, known function names, argument counts and literal argument types, and the
// nesting limit. Values read from paths are checked when the call runs.
func ValidateIntrinsic(expr string) error {
	_, err := parseIntrinsic(expr)
	return err
}

func parseIntrinsic(expr string) (*call, error) {
	if c, ok := calls.Load(expr); ok {
		return c.(*call), nil
	}
	p := &callParser{s: expr}
	c, err := p.call(1)
	if err == nil {
		p.space()
		if p.i != len(p.s) {
			err = fmt.Errorf("unexpected %q after the closing parenthesis", p.s[p.i:])
		}
	}
	if err != nil {
		return nil, fmt.Errorf("intrinsic function %q: %w", expr, err)
	}
	calls.Store(expr, c)
	return c, nil
}

type callParser struct {
	s string
	i int
}

func (p *callParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *callParser) call(depth int) (*call, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("more than %d nested intrinsic functions", maxNesting)
	}
	p.space()
	start := p.i
	if !strings.HasPrefix(p.s[p.i:], "States.") {
		return nil, fmt.Errorf("expected an intrinsic function at offset %d", p.i)
	}
	p.i += len("States.")
	for p.i < len(p.s) && isIdentChar(p.s[p.i]) {
		p.i++
	}
	name := p.s[start:p.i]
	spec, ok := functions[name]
	if !ok {
		return nil, fmt.Errorf("unknown intrinsic function %s", name)
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil, fmt.Errorf("expected '(' after %s", name)
	}
	p.i++
	c := &call{name: name}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.space()
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("missing ')' in %s", name)
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == ')' {
				p.i++
				break
			}
			return nil, fmt.Errorf("unexpected %q in the arguments of %s", p.s[p.i], name)
		}
	}
	if len(c.args) < spec.min || (spec.max >= 0 && len(c.args) > spec.max) {
		return nil, fmt.Errorf("%s takes %s, got %d", name, spec.arity(), len(c.args))
	}
	if spec.check != nil {
		if err := spec.check(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (p *callParser) arg(depth int) (arg, error) {
	p.space()
	if p.i >= len(p.s) {
		return arg{}, errors.New("missing argument")
	}
	rest := p.s[p.i:]
	switch c := rest[0]; {
	case c == '\'':
		s, err := p.str()
		if err != nil {
			return arg{}, err
		}
		return arg{str: s, literal: s.text}, nil
	case c == '$':
		j := pathEnd(rest)
		cp, err := compile(strings.TrimSpace(rest[:j]))
		if err != nil {
			return arg{}, err
		}
		p.i += j
		return arg{path: cp}, nil
	case strings.HasPrefix(rest, "States."):
		sub, err := p.call(depth + 1)
		return arg{call: sub}, err
	case c == '-' || (c >= '0' && c <= '9'):
		j := 1
		for j < len(rest) && strings.ContainsRune("0123456789.eE+-", rune(rest[j])) {
			j++
		}
		n, err := parseNumber(rest[:j])
		if err != nil {
			return arg{}, err
		}
		p.i += j
		return arg{literal: n}, nil
	}
	for _, kw := range []struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(rest, kw.text) && (len(rest) == len(kw.text) || !isIdentChar(rest[len(kw.text)])) {
			p.i += len(kw.text)
			return arg{literal: kw.v}, nil
		}
	}
	return arg{}, fmt.Errorf("unexpected argument at %q", rest)
}

// pathEnd finds where a path argument ends: at a ',' or ')' outside brackets and quotes.
func pathEnd(s string) int {
	depth := 0
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '\'', '"':
			if _, k, err := readQuoted(s, j); err == nil {
				j = k - 1
			}
		case '[', '(':
			depth++
		case ']':
			depth--
		case ')':
			if depth == 0 {
				return j
			}
			depth--
		case ',':
			if depth == 0 {
				return j
			}
		}
	}
	return len(s)
}

// str reads a single-quoted literal. \' \{ \} \\ are the only escapes; any other backslash is
// an error, as the intrinsic functions page says.
func (p *callParser) str() (*strLit, error) {
	var b strings.Builder
	lit := &strLit{}
	for j := p.i + 1; j < len(p.s); j++ {
		switch c := p.s[j]; c {
		case '\\':
			if j+1 >= len(p.s) || !strings.ContainsRune(`'{}\`, rune(p.s[j+1])) {
				return nil, fmt.Errorf("open escape backslash at offset %d", j)
			}
			j++
			b.WriteByte(p.s[j])
		case '\'':
			lit.text = b.String()
			p.i = j + 1
			return lit, nil
		case '{':
			if j+1 < len(p.s) && p.s[j+1] == '}' {
				lit.holes = append(lit.holes, b.Len())
				b.WriteString("{}")
				j++
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return nil, errors.New("unterminated string literal")
}

// CallIntrinsic evaluates an intrinsic function call such as "States.Format('x {}', $.a)"
// against the state input, the context object and the workflow variables. Bad arguments are
// States.IntrinsicFailure; a path argument that matches nothing is States.Runtime.
func CallIntrinsic(expr string, input, ctxObj any, vars func(string) (any, bool)) (any, error) {
	v, err := callIntrinsic(expr, input, ctxObj, vars)
	var pe *PathError
	if errors.As(err, &pe) {
		return nil, &Error{Name: ErrRuntime, Cause: fmt.Sprintf(
			"The JSONPath '%s' could not be found in the input '%s'", pe.Path, Compact(input))}
	}
	return v, err
}

func callIntrinsic(expr string, input, ctxObj any, vars func(string) (any, bool)) (any, error) {
	c, err := parseIntrinsic(expr)
	if err != nil {
		return nil, &Error{Name: ErrIntrinsicFailure, Cause: err.Error()}
	}
	env := &callEnv{input: input, ctx: ctxObj, vars: vars}
	return env.eval(c)
}

type callEnv struct {
	input, ctx any
	vars       func(string) (any, bool)
}

func (e *callEnv) eval(c *call) (any, error) {
	args := make([]value, len(c.args))
	for i, a := range c.args {
		switch {
		case a.call != nil:
			v, err := e.eval(a.call)
			if err != nil {
				return nil, err
			}
			args[i] = value{v: v}
		case a.path != nil:
			v, err := a.path.resolve(e.input, e.ctx, e.vars)
			if err != nil {
				return nil, err
			}
			args[i] = value{v: v}
		default:
			args[i] = value{v: a.literal, lit: a.str}
		}
	}
	return functions[c.name].fn(c.name, args)
}

// value is an evaluated argument; lit is set for a string literal written in the call.
type value struct {
	v   any
	lit *strLit
}
