package model

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// UnmarshalJSON parses an item in DynamoDB JSON ({"name": {"S": "…"}, …}). It is the request
// path's hot spot, so it is hand-written: the input is copied once into a string that the
// values' strings share, and values are allocated in blocks rather than one by one.
func (it *Item) UnmarshalJSON(data []byte) error {
	if len(data) == 4 && string(data) == "null" {
		*it = nil
		return nil
	}
	p := &itemParser{src: string(data)}
	// Every value is an object, so the braces bound the number of values (and of strings):
	// one block each, of the right size.
	n := strings.Count(p.src, "{")
	p.vals, p.strs = make([]Value, n), make([]string, n)
	m, err := p.item()
	if err != nil {
		return err
	}
	p.ws()
	if p.i != len(p.src) {
		return p.fail("end of item")
	}
	*it = m
	return nil
}

type itemParser struct {
	src  string
	i    int
	vals []Value  // block the next values come from
	strs []string // block the next string pointers come from
}

func (p *itemParser) fail(want string) error {
	near := p.src[p.i:min(len(p.src), p.i+20)]
	return fmt.Errorf("invalid DynamoDB JSON at offset %d: expected %s near %q", p.i, want, near)
}

func (p *itemParser) ws() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *itemParser) consume(c byte) bool {
	p.ws()
	if p.i < len(p.src) && p.src[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *itemParser) newValue() *Value {
	if len(p.vals) == 0 {
		p.vals = make([]Value, 8) // "{" inside strings can make the count short; never long
	}
	v := &p.vals[0]
	p.vals = p.vals[1:]
	return v
}

func (p *itemParser) newString(s string) *string {
	if len(p.strs) == 0 {
		p.strs = make([]string, 8)
	}
	ps := &p.strs[0]
	p.strs = p.strs[1:]
	*ps = s
	return ps
}

// item parses {"name": value, …}.
func (p *itemParser) item() (Item, error) {
	if !p.consume('{') {
		return nil, p.fail("{")
	}
	m := make(Item, 8)
	if p.consume('}') {
		return m, nil
	}
	for {
		name, err := p.str()
		if err != nil {
			return nil, err
		}
		if !p.consume(':') {
			return nil, p.fail(":")
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m[name] = v
		if p.consume(',') {
			continue
		}
		if p.consume('}') {
			return m, nil
		}
		return nil, p.fail(", or }")
	}
}

// value parses {"S": "…"} and its siblings. More than one member is kept, so that validation
// reports it as DynamoDB does.
func (p *itemParser) value() (*Value, error) {
	if !p.consume('{') {
		return nil, p.fail("an AttributeValue object")
	}
	v := p.newValue()
	if p.consume('}') {
		return v, nil
	}
	for {
		typ, err := p.str()
		if err != nil {
			return nil, err
		}
		if !p.consume(':') {
			return nil, p.fail(":")
		}
		if err := p.member(v, typ); err != nil {
			return nil, err
		}
		if p.consume(',') {
			continue
		}
		if p.consume('}') {
			return v, nil
		}
		return nil, p.fail(", or }")
	}
}

func (p *itemParser) member(v *Value, typ string) error {
	switch typ {
	case "S":
		s, err := p.str()
		if err != nil {
			return err
		}
		v.S = p.newString(s)
	case "N":
		s, err := p.str()
		if err != nil {
			return err
		}
		v.N = p.newString(s)
	case "B":
		b, err := p.binary()
		if err != nil {
			return err
		}
		v.B = b
	case "BOOL", "NULL":
		b, err := p.boolean()
		if err != nil {
			return err
		}
		if typ == "BOOL" {
			v.BOOL = &b
		} else {
			v.NULL = &b
		}
	case "M":
		m, err := p.item()
		if err != nil {
			return err
		}
		v.M = m
	case "L":
		list := []*Value{}
		err := p.list(func() error {
			e, err := p.value()
			list = append(list, e)
			return err
		})
		if err != nil {
			return err
		}
		v.L = list
	case "SS", "NS":
		set := []*string{}
		err := p.list(func() error {
			s, err := p.str()
			set = append(set, p.newString(s))
			return err
		})
		if err != nil {
			return err
		}
		if typ == "SS" {
			v.SS = set
		} else {
			v.NS = set
		}
	case "BS":
		set := [][]byte{}
		err := p.list(func() error {
			b, err := p.binary()
			set = append(set, b)
			return err
		})
		if err != nil {
			return err
		}
		v.BS = set
	default:
		return fmt.Errorf("invalid DynamoDB JSON: unknown AttributeValue type %q", typ)
	}
	return nil
}

func (p *itemParser) list(elem func() error) error {
	if !p.consume('[') {
		return p.fail("[")
	}
	if p.consume(']') {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if p.consume(',') {
			continue
		}
		if p.consume(']') {
			return nil
		}
		return p.fail(", or ]")
	}
}

func (p *itemParser) boolean() (bool, error) {
	p.ws()
	switch {
	case len(p.src)-p.i >= 4 && p.src[p.i:p.i+4] == "true":
		p.i += 4
		return true, nil
	case len(p.src)-p.i >= 5 && p.src[p.i:p.i+5] == "false":
		p.i += 5
		return false, nil
	}
	return false, p.fail("true or false")
}

func (p *itemParser) binary() ([]byte, error) {
	s, err := p.str()
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid DynamoDB JSON: binary value is not base64: %w", err)
	}
	return b, nil
}

// str parses a JSON string. Without escapes it is a substring of the input (no copy).
func (p *itemParser) str() (string, error) {
	if !p.consume('"') {
		return "", p.fail("a string")
	}
	start := p.i
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			s := p.src[start:p.i]
			p.i++
			return s, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.fail("no control character in a string")
		}
		p.i++
	}
	return "", p.fail("the end of a string")
}

// escaped finishes a string that has escapes.
func (p *itemParser) escaped(start int) (string, error) {
	b := []byte(p.src[start:p.i])
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", p.fail("no control character in a string")
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.src) {
			break
		}
		p.i++
		switch e := p.src[p.i]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4(p.i + 1)
			if !ok {
				return "", p.fail("four hex digits")
			}
			p.i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := p.hex4(p.i + 3); ok && p.i+2 < len(p.src) && p.src[p.i+1] == '\\' && p.src[p.i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						p.i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", p.fail("a valid escape")
		}
		p.i++
	}
	return "", p.fail("the end of a string")
}

func (p *itemParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.src) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.src[at:at+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
