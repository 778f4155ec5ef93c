package asl

// A minimal intrinsic-function evaluator for the interim before the jsonpath package lands:
// States.Format, StringToJson, JsonToString, Array, ArrayLength, MathAdd and UUID.

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
)

type intrinsicArg struct {
	lit  any
	path string
	call *intrinsicCall
}

type intrinsicCall struct {
	name string
	args []intrinsicArg
}

func parseIntrinsic(s string) (*intrinsicCall, error) {
	p := &intrinsicParser{s: s}
	c, err := p.call()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected text after the intrinsic function at %d in %s", p.i, s)
	}
	return c, nil
}

type intrinsicParser struct {
	s string
	i int
}

func (p *intrinsicParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *intrinsicParser) call() (*intrinsicCall, error) {
	open := strings.IndexByte(p.s[p.i:], '(')
	if open < 0 {
		return nil, fmt.Errorf("missing '(' in %s", p.s)
	}
	name := p.s[p.i : p.i+open]
	if !knownIntrinsics[name] {
		return nil, fmt.Errorf("unsupported intrinsic function %s", name)
	}
	p.i += open + 1
	c := &intrinsicCall{name: name}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		return c, nil
	}
	for {
		p.space()
		a, err := p.arg()
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, a)
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("missing ')' in %s", p.s)
		}
		if p.s[p.i] == ')' {
			p.i++
			return c, nil
		}
		if p.s[p.i] != ',' {
			return nil, fmt.Errorf("unexpected character %q in %s", p.s[p.i], p.s)
		}
		p.i++
	}
}

func (p *intrinsicParser) arg() (intrinsicArg, error) {
	if p.i >= len(p.s) {
		return intrinsicArg{}, fmt.Errorf("missing argument in %s", p.s)
	}
	switch c := p.s[p.i]; {
	case c == '\'':
		var b strings.Builder
		p.i++
		for p.i < len(p.s) {
			ch := p.s[p.i]
			if ch == '\\' && p.i+1 < len(p.s) {
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			if ch == '\'' {
				p.i++
				return intrinsicArg{lit: b.String()}, nil
			}
			b.WriteByte(ch)
			p.i++
		}
		return intrinsicArg{}, fmt.Errorf("unterminated string in %s", p.s)
	case c == '$':
		start, depth := p.i, 0
		for p.i < len(p.s) {
			ch := p.s[p.i]
			if ch == '[' || ch == '(' {
				depth++
			} else if ch == ']' || (ch == ')' && depth > 0) {
				depth--
			} else if depth == 0 && (ch == ',' || ch == ')') {
				break
			}
			p.i++
		}
		return intrinsicArg{path: strings.TrimSpace(p.s[start:p.i])}, nil
	case strings.HasPrefix(p.s[p.i:], "States."):
		c, err := p.call()
		return intrinsicArg{call: c}, err
	default:
		start := p.i
		for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != ')' {
			p.i++
		}
		tok := strings.TrimSpace(p.s[start:p.i])
		v, err := decode([]byte(tok))
		if err != nil {
			return intrinsicArg{}, fmt.Errorf("invalid argument %q in %s", tok, p.s)
		}
		return intrinsicArg{lit: v}, nil
	}
}

var knownIntrinsics = map[string]bool{
	"States.Format": true, "States.StringToJson": true, "States.JsonToString": true,
	"States.Array": true, "States.ArrayLength": true, "States.MathAdd": true, "States.UUID": true,
}

func (c *intrinsicCall) eval(input, ctxObj any, vars varLookup) (any, error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		switch {
		case a.call != nil:
			v, err := a.call.eval(input, ctxObj, vars)
			if err != nil {
				return nil, err
			}
			args[i] = v
		case a.path != "":
			v, err := jpSelectAny(input, ctxObj, vars, a.path)
			if err != nil {
				return nil, &Failure{Name: ErrIntrinsicFailure, Cause: err.(*Failure).Cause}
			}
			args[i] = v
		default:
			args[i] = a.lit
		}
	}
	fail := func(format string, a ...any) error {
		return &Failure{Name: ErrIntrinsicFailure, Cause: fmt.Sprintf(format, a...)}
	}
	switch c.name {
	case "States.Format":
		if len(args) == 0 {
			return nil, fail("Invalid arguments in States.Format")
		}
		tmpl, ok := args[0].(string)
		if !ok {
			return nil, fail("Invalid arguments in States.Format")
		}
		var b strings.Builder
		n := 1
		for i := 0; i < len(tmpl); i++ {
			if tmpl[i] == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}' {
				if n >= len(args) {
					return nil, fail("Invalid arguments in States.Format")
				}
				if s, ok := args[n].(string); ok {
					b.WriteString(s)
				} else {
					b.Write(encode(args[n]))
				}
				n++
				i++
				continue
			}
			b.WriteByte(tmpl[i])
		}
		return b.String(), nil
	case "States.StringToJson":
		s, ok := args[0].(string)
		if len(args) != 1 || !ok {
			return nil, fail("Invalid arguments in States.StringToJson")
		}
		v, err := decode([]byte(s))
		if err != nil {
			return nil, fail("Invalid arguments in States.StringToJson")
		}
		return v, nil
	case "States.JsonToString":
		if len(args) != 1 {
			return nil, fail("Invalid arguments in States.JsonToString")
		}
		return encodeString(args[0]), nil
	case "States.Array":
		return args, nil
	case "States.ArrayLength":
		a, ok := args[0].([]any)
		if len(args) != 1 || !ok {
			return nil, fail("Invalid arguments in States.ArrayLength")
		}
		return json.Number(fmt.Sprint(len(a))), nil
	case "States.MathAdd":
		if len(args) != 2 {
			return nil, fail("Invalid arguments in States.MathAdd")
		}
		x, ok1 := number(args[0])
		y, ok2 := number(args[1])
		if !ok1 || !ok2 {
			return nil, fail("Invalid arguments in States.MathAdd")
		}
		return toNumber(x + y), nil
	case "States.UUID":
		return newUUID(), nil
	}
	return nil, fail("unsupported intrinsic function %s", c.name)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
