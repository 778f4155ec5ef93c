package vtl

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// SyntaxError is a template that does not parse, with the 1-based line and column of the problem.
type SyntaxError struct {
	Name      string
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg)
}

// lineCol turns a byte offset into a 1-based line and column (in characters).
func lineCol(src string, off int) (int, int) {
	if off > len(src) {
		off = len(src)
	}
	line := 1 + strings.Count(src[:off], "\n")
	start := strings.LastIndexByte(src[:off], '\n') + 1
	return line, len([]rune(src[start:off])) + 1
}

// Template nodes.
type (
	textNode struct{ text string }
	refNode  struct{ ref *reference }
	// escapedRefNode is \$ref: Velocity prints the reference literally when it is defined.
	escapedRefNode struct {
		slashes int
		ref     *reference
	}
	setNode struct {
		lhs *reference
		rhs expr
	}
	ifNode struct {
		conds     []expr
		blocks    [][]node
		elseBlock []node
	}
	foreachNode struct {
		varName string
		iter    expr
		body    []node
	}
	breakNode  struct{}
	stopNode   struct{}
	defineNode struct {
		name string
		body []node
	}
	macroCallNode struct {
		name string
		args []expr
		src  string
		pos  int
	}
)

type node any

type macroDef struct {
	params []string
	body   []node
}

type modKind int

const (
	modProp modKind = iota
	modMethod
	modIndex
)

type modifier struct {
	kind  modKind
	name  string
	args  []expr
	index expr
	pos   int
}

type reference struct {
	src   string // the reference as written, printed when it has no value
	quiet bool
	name  string
	mods  []modifier
	pos   int
}

// Expressions.
type (
	litExpr    struct{ v any }
	interpExpr struct{ nodes []node }
	refExpr    struct{ ref *reference }
	listExpr   struct{ items []expr }
	mapExpr    struct{ keys, vals []expr }
	rangeExpr  struct{ from, to expr }
	binExpr    struct {
		op   string
		l, r expr
		pos  int
		// lsrc and rsrc are the operands' source text, which + puts in place of a null
		// operand when the other one is a string (Velocity 1.7's ASTAddNode.handleSpecial).
		lsrc, rsrc string
	}
	notExpr struct{ x expr }
)

type expr any

type parser struct {
	name   string
	orig   string // the whole template, for positions
	src    string
	base   int // offset of src inside orig
	i      int
	macros map[string]*macroDef
}

func (p *parser) errf(off int, format string, args ...any) error {
	line, col := lineCol(p.orig, p.base+off)
	return &SyntaxError{Name: p.name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIdentChar follows Velocity 1.7, whose identifiers may contain '-' and '_'.
func isIdentChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '-' || c == '_' }
func isWordChar(c byte) bool  { return isAlpha(c) || isDigit(c) || c == '_' || c == '@' }

func (p *parser) peek(k int) byte {
	if p.i+k < len(p.src) {
		return p.src[p.i+k]
	}
	return 0
}

// parseBlock reads statements until one of the terminating directives (else, elseif, end) or
// the end of input. It returns the terminator found ("" at the end of input).
func (p *parser) parseBlock(terms ...string) ([]node, string, int, error) {
	var nodes []node
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, &textNode{text: text.String()})
			text.Reset()
		}
	}
	for p.i < len(p.src) {
		j := strings.IndexAny(p.src[p.i:], "$#\\")
		if j < 0 {
			text.WriteString(p.src[p.i:])
			p.i = len(p.src)
			break
		}
		text.WriteString(p.src[p.i : p.i+j])
		p.i += j
		switch p.src[p.i] {
		case '$':
			ref, err := p.parseRef()
			if err != nil {
				return nil, "", 0, err
			}
			if ref == nil {
				text.WriteByte('$')
				p.i++
				continue
			}
			flush()
			nodes = append(nodes, &refNode{ref: ref})
		case '\\':
			start := p.i
			for p.i < len(p.src) && p.src[p.i] == '\\' {
				p.i++
			}
			n := p.i - start
			if p.peek(0) == '$' {
				save := p.i
				ref, err := p.parseRef()
				if err != nil {
					return nil, "", 0, err
				}
				if ref != nil {
					flush()
					nodes = append(nodes, &escapedRefNode{slashes: n, ref: ref})
					continue
				}
				p.i = save
			}
			if p.peek(0) == '#' && (isAlpha(p.peek(1)) || p.peek(1) == '{') {
				text.WriteString(strings.Repeat("\\", n/2))
				if n%2 == 1 {
					// An escaped directive is printed as text.
					k := p.i + 1
					for k < len(p.src) && (isWordChar(p.src[k]) || p.src[k] == '{' || p.src[k] == '}') {
						k++
					}
					text.WriteString(p.src[p.i:k])
					p.i = k
				}
				continue
			}
			text.WriteString(p.src[start:p.i])
		case '#':
			switch {
			case strings.HasPrefix(p.src[p.i:], "##"):
				k := strings.IndexByte(p.src[p.i:], '\n')
				if k < 0 {
					p.i = len(p.src)
				} else {
					p.i += k + 1
				}
				continue
			case strings.HasPrefix(p.src[p.i:], "#*"):
				k := strings.Index(p.src[p.i+2:], "*#")
				if k < 0 {
					return nil, "", 0, p.errf(p.i, "unclosed comment: #* without *#")
				}
				p.i += 2 + k + 2
				continue
			case strings.HasPrefix(p.src[p.i:], "#[["):
				k := strings.Index(p.src[p.i+3:], "]]#")
				if k < 0 {
					return nil, "", 0, p.errf(p.i, "unclosed text block: #[[ without ]]#")
				}
				text.WriteString(p.src[p.i+3 : p.i+3+k])
				p.i += 3 + k + 3
				continue
			}
			start := p.i
			word, ok := p.directiveWord()
			if !ok {
				text.WriteByte('#')
				p.i++
				continue
			}
			switch word {
			case "end", "else", "elseif":
				for _, t := range terms {
					if t == word {
						flush()
						if word != "elseif" {
							p.eatLineEnd()
						}
						return nodes, word, start, nil
					}
				}
				return nil, "", 0, p.errf(start, "unexpected #%s", word)
			case "set":
				if !p.lookParen(false) {
					p.i = start
					text.WriteByte('#')
					p.i++
					continue
				}
				// Velocity's #set swallows the spaces before it on its line.
				s := strings.TrimRight(text.String(), " \t")
				text.Reset()
				text.WriteString(s)
				flush()
				n, err := p.parseSet(start)
				if err != nil {
					return nil, "", 0, err
				}
				nodes = append(nodes, n)
			case "if":
				flush()
				n, err := p.parseIf(start)
				if err != nil {
					return nil, "", 0, err
				}
				nodes = append(nodes, n)
			case "foreach":
				flush()
				n, err := p.parseForeach(start)
				if err != nil {
					return nil, "", 0, err
				}
				nodes = append(nodes, n)
			case "break":
				flush()
				if p.lookParen(true) {
					p.skipWS()
					p.i++ // (
					p.skipWS()
					if p.peek(0) == '$' {
						if _, err := p.parseRef(); err != nil {
							return nil, "", 0, err
						}
					}
					p.skipWS()
					if p.peek(0) != ')' {
						return nil, "", 0, p.errf(p.i, "#break: expected )")
					}
					p.i++
				}
				nodes = append(nodes, &breakNode{})
			case "stop":
				flush()
				nodes = append(nodes, &stopNode{})
			case "define":
				flush()
				n, err := p.parseDefine(start)
				if err != nil {
					return nil, "", 0, err
				}
				nodes = append(nodes, n)
			case "macro":
				flush()
				if err := p.parseMacro(start); err != nil {
					return nil, "", 0, err
				}
			default:
				if !p.lookParen(true) {
					text.WriteString(p.src[start:p.i])
					continue
				}
				flush()
				n, err := p.parseMacroCall(start, word)
				if err != nil {
					return nil, "", 0, err
				}
				nodes = append(nodes, n)
			}
		}
	}
	flush()
	if len(terms) > 0 {
		return nil, "", 0, p.errf(len(p.src), "missing #end")
	}
	return nodes, "", 0, nil
}

// directiveWord reads #word or #{word} at p.i and leaves p.i after it.
func (p *parser) directiveWord() (string, bool) {
	k := p.i + 1
	braced := k < len(p.src) && p.src[k] == '{'
	if braced {
		k++
	}
	if k >= len(p.src) || !(isAlpha(p.src[k]) || p.src[k] == '_' || p.src[k] == '@') {
		return "", false
	}
	s := k
	for k < len(p.src) && isWordChar(p.src[k]) {
		k++
	}
	word := p.src[s:k]
	if braced {
		if k >= len(p.src) || p.src[k] != '}' {
			return "", false
		}
		k++
	}
	p.i = k
	return word, true
}

// lookParen reports whether a '(' follows, after spaces (and newlines when ws is set).
func (p *parser) lookParen(ws bool) bool {
	k := p.i
	for k < len(p.src) && (p.src[k] == ' ' || p.src[k] == '\t' || ws && (p.src[k] == '\n' || p.src[k] == '\r')) {
		k++
	}
	return k < len(p.src) && p.src[k] == '('
}

// eatLineEnd swallows spaces and one line break after a directive, as Velocity 1.7 does.
func (p *parser) eatLineEnd() {
	k := p.i
	for k < len(p.src) && (p.src[k] == ' ' || p.src[k] == '\t') {
		k++
	}
	switch {
	case strings.HasPrefix(p.src[k:], "\r\n"):
		p.i = k + 2
	case k < len(p.src) && (p.src[k] == '\n' || p.src[k] == '\r'):
		p.i = k + 1
	}
}

func (p *parser) skipWS() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) expect(c byte, what string) error {
	p.skipWS()
	if p.peek(0) != c {
		if p.i >= len(p.src) {
			return p.errf(p.i, "%s: expected %q, found end of template", what, c)
		}
		return p.errf(p.i, "%s: expected %q, found %q", what, c, p.src[p.i])
	}
	p.i++
	return nil
}

func (p *parser) closeDirective(what string) error {
	if err := p.expect(')', what); err != nil {
		return err
	}
	p.eatLineEnd()
	return nil
}

func (p *parser) parseSet(start int) (node, error) {
	p.skipWS()
	p.i++ // (
	p.skipWS()
	if p.peek(0) != '$' {
		return nil, p.errf(p.i, "#set: expected a reference on the left of =")
	}
	lhs, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if lhs == nil {
		return nil, p.errf(p.i, "#set: expected a reference on the left of =")
	}
	if err := p.expect('=', "#set"); err != nil {
		return nil, err
	}
	rhs, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeDirective("#set"); err != nil {
		return nil, err
	}
	return &setNode{lhs: lhs, rhs: rhs}, nil
}

func (p *parser) parseCond(what string) (expr, error) {
	if err := p.expect('(', what); err != nil {
		return nil, err
	}
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	return e, p.closeDirective(what)
}

func (p *parser) parseIf(start int) (node, error) {
	n := &ifNode{}
	cond, err := p.parseCond("#if")
	if err != nil {
		return nil, err
	}
	for {
		body, term, _, err := p.parseBlock("elseif", "else", "end")
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.blocks = append(n.blocks, body)
		switch term {
		case "end":
			return n, nil
		case "else":
			body, _, _, err := p.parseBlock("end")
			if err != nil {
				return nil, err
			}
			n.elseBlock = body
			return n, nil
		case "elseif":
			if cond, err = p.parseCond("#elseif"); err != nil {
				return nil, err
			}
		}
	}
}

func (p *parser) parseForeach(start int) (node, error) {
	if err := p.expect('(', "#foreach"); err != nil {
		return nil, err
	}
	p.skipWS()
	v, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if v == nil || len(v.mods) > 0 {
		return nil, p.errf(p.i, "#foreach: expected a variable such as $item")
	}
	p.skipWS()
	if !strings.HasPrefix(p.src[p.i:], "in") || isIdentChar(p.peek(2)) {
		return nil, p.errf(p.i, "#foreach: expected \"in\"")
	}
	p.i += 2
	iter, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.closeDirective("#foreach"); err != nil {
		return nil, err
	}
	body, _, _, err := p.parseBlock("end")
	if err != nil {
		return nil, err
	}
	return &foreachNode{varName: v.name, iter: iter, body: body}, nil
}

func (p *parser) parseDefine(start int) (node, error) {
	if err := p.expect('(', "#define"); err != nil {
		return nil, err
	}
	p.skipWS()
	v, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if v == nil || len(v.mods) > 0 {
		return nil, p.errf(p.i, "#define: expected a variable such as $block")
	}
	if err := p.closeDirective("#define"); err != nil {
		return nil, err
	}
	body, _, _, err := p.parseBlock("end")
	if err != nil {
		return nil, err
	}
	return &defineNode{name: v.name, body: body}, nil
}

func (p *parser) parseMacro(start int) error {
	if err := p.expect('(', "#macro"); err != nil {
		return err
	}
	p.skipWS()
	k := p.i
	for k < len(p.src) && isWordChar(p.src[k]) {
		k++
	}
	if k == p.i {
		return p.errf(p.i, "#macro: expected a macro name")
	}
	name := p.src[p.i:k]
	p.i = k
	def := &macroDef{}
	for {
		p.skipWS()
		if p.peek(0) == ',' {
			p.i++
			continue
		}
		if p.peek(0) != '$' {
			break
		}
		v, err := p.parseRef()
		if err != nil {
			return err
		}
		if v == nil || len(v.mods) > 0 {
			return p.errf(p.i, "#macro %s: parameters must be plain variables", name)
		}
		def.params = append(def.params, v.name)
	}
	if err := p.closeDirective("#macro"); err != nil {
		return err
	}
	body, _, _, err := p.parseBlock("end")
	if err != nil {
		return err
	}
	def.body = body
	p.macros[name] = def
	return nil
}

func (p *parser) parseMacroCall(start int, name string) (node, error) {
	if err := p.expect('(', "#"+name); err != nil {
		return nil, err
	}
	n := &macroCallNode{name: name, pos: p.base + start}
	for {
		p.skipWS()
		switch p.peek(0) {
		case ')':
			p.i++
			n.src = p.src[start:p.i]
			p.eatLineEnd()
			return n, nil
		case ',':
			p.i++
			continue
		case 0:
			return nil, p.errf(p.i, "#%s: expected )", name)
		}
		e, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, e)
	}
}

// parseRef reads a reference at p.i ('$'). It returns nil, leaving p.i alone, when the '$' does
// not start one.
func (p *parser) parseRef() (*reference, error) {
	start := p.i
	k := p.i + 1
	ref := &reference{pos: p.base + start}
	if k < len(p.src) && p.src[k] == '!' {
		ref.quiet = true
		k++
	}
	formal := k < len(p.src) && p.src[k] == '{'
	if formal {
		k++
	}
	if k >= len(p.src) || !(isAlpha(p.src[k]) || p.src[k] == '_') {
		return nil, nil
	}
	s := k
	for k < len(p.src) && isIdentChar(p.src[k]) {
		k++
	}
	ref.name = p.src[s:k]
	p.i = k
	for p.i < len(p.src) {
		c := p.src[p.i]
		if c == '[' {
			save := p.i
			p.i++
			idx, ok, err := p.parseIndex()
			if err != nil {
				return nil, err
			}
			if !ok {
				p.i = save
				break
			}
			ref.mods = append(ref.mods, modifier{kind: modIndex, index: idx, pos: p.base + save})
			continue
		}
		if c == '.' && p.i+1 < len(p.src) && isAlpha(p.src[p.i+1]) {
			at := p.i
			k := p.i + 1
			for k < len(p.src) && isIdentChar(p.src[k]) {
				k++
			}
			name := p.src[p.i+1 : k]
			p.i = k
			if p.peek(0) == '(' {
				p.i++
				args, err := p.parseArgs(name)
				if err != nil {
					return nil, err
				}
				ref.mods = append(ref.mods, modifier{kind: modMethod, name: name, args: args, pos: p.base + at})
			} else {
				ref.mods = append(ref.mods, modifier{kind: modProp, name: name, pos: p.base + at})
			}
			continue
		}
		break
	}
	if formal {
		if p.peek(0) != '}' {
			// Not a formal reference after all: print it as text.
			p.i = start
			return nil, nil
		}
		p.i++
	}
	ref.src = p.src[start:p.i]
	return ref, nil
}

func (p *parser) parseIndex() (expr, bool, error) {
	p.skipWS()
	var e expr
	switch c := p.peek(0); {
	case c == '"' || c == '\'':
		s, err := p.parseString()
		if err != nil {
			return nil, false, err
		}
		e = s
	case isDigit(c) || c == '-' && isDigit(p.peek(1)):
		n, err := p.parseNumber()
		if err != nil {
			return nil, false, err
		}
		e = n
	case c == '$':
		r, err := p.parseRef()
		if err != nil || r == nil {
			return nil, false, err
		}
		e = &refExpr{ref: r}
	case strings.HasPrefix(p.src[p.i:], "true"):
		p.i += 4
		e = &litExpr{v: true}
	case strings.HasPrefix(p.src[p.i:], "false"):
		p.i += 5
		e = &litExpr{v: false}
	default:
		return nil, false, nil
	}
	p.skipWS()
	if p.peek(0) != ']' {
		return nil, false, nil
	}
	p.i++
	return e, true, nil
}

func (p *parser) parseArgs(name string) ([]expr, error) {
	var args []expr
	p.skipWS()
	if p.peek(0) == ')' {
		p.i++
		return args, nil
	}
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		p.skipWS()
		switch p.peek(0) {
		case ',':
			p.i++
		case ')':
			p.i++
			return args, nil
		default:
			return nil, p.errf(p.i, "call of %s: expected , or )", name)
		}
	}
}

func (p *parser) parseExpr() (expr, error) { return p.parseOr() }

// word reports whether the operator word w (such as "and") is at p.i, not part of a longer word.
func (p *parser) word(w string) bool {
	return strings.HasPrefix(p.src[p.i:], w) && !isIdentChar(p.peek(len(w)))
}

func (p *parser) parseOr() (expr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		pos := p.i
		switch {
		case strings.HasPrefix(p.src[p.i:], "||"):
			p.i += 2
		case p.word("or"):
			p.i += 2
		default:
			return l, nil
		}
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: "||", l: l, r: r, pos: p.base + pos}
	}
}

func (p *parser) parseAnd() (expr, error) {
	l, err := p.parseEq()
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		pos := p.i
		switch {
		case strings.HasPrefix(p.src[p.i:], "&&"):
			p.i += 2
		case p.word("and"):
			p.i += 3
		default:
			return l, nil
		}
		r, err := p.parseEq()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: "&&", l: l, r: r, pos: p.base + pos}
	}
}

func (p *parser) parseEq() (expr, error) {
	l, err := p.parseRel()
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		pos := p.i
		var op string
		switch {
		case strings.HasPrefix(p.src[p.i:], "=="):
			op, p.i = "==", p.i+2
		case strings.HasPrefix(p.src[p.i:], "!="):
			op, p.i = "!=", p.i+2
		case p.word("eq"):
			op, p.i = "==", p.i+2
		case p.word("ne"):
			op, p.i = "!=", p.i+2
		default:
			return l, nil
		}
		r, err := p.parseRel()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: op, l: l, r: r, pos: p.base + pos}
	}
}

func (p *parser) parseRel() (expr, error) {
	l, err := p.parseAdd()
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		pos := p.i
		var op string
		switch {
		case strings.HasPrefix(p.src[p.i:], "<="):
			op, p.i = "<=", p.i+2
		case strings.HasPrefix(p.src[p.i:], ">="):
			op, p.i = ">=", p.i+2
		case p.peek(0) == '<':
			op, p.i = "<", p.i+1
		case p.peek(0) == '>':
			op, p.i = ">", p.i+1
		case p.word("lt"):
			op, p.i = "<", p.i+2
		case p.word("gt"):
			op, p.i = ">", p.i+2
		case p.word("le"):
			op, p.i = "<=", p.i+2
		case p.word("ge"):
			op, p.i = ">=", p.i+2
		default:
			return l, nil
		}
		r, err := p.parseAdd()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: op, l: l, r: r, pos: p.base + pos}
	}
}

func (p *parser) parseAdd() (expr, error) {
	p.skipWS()
	lstart := p.i
	l, err := p.parseMul()
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		pos := p.i
		c := p.peek(0)
		if c != '+' && c != '-' {
			return l, nil
		}
		p.i++
		p.skipWS()
		rstart := p.i
		r, err := p.parseMul()
		if err != nil {
			return nil, err
		}
		b := &binExpr{op: string(c), l: l, r: r, pos: p.base + pos}
		if c == '+' {
			b.lsrc = strings.TrimSpace(p.src[lstart:pos])
			b.rsrc = strings.TrimSpace(p.src[rstart:p.i])
		}
		l = b
	}
}

func (p *parser) parseMul() (expr, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipWS()
		pos := p.i
		c := p.peek(0)
		if c != '*' && c != '/' && c != '%' {
			return l, nil
		}
		p.i++
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: string(c), l: l, r: r, pos: p.base + pos}
	}
}

func (p *parser) parseUnary() (expr, error) {
	p.skipWS()
	if p.peek(0) == '!' && p.peek(1) != '=' {
		p.i++
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	if p.word("not") {
		p.i += 3
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (expr, error) {
	p.skipWS()
	c := p.peek(0)
	switch {
	case c == '"' || c == '\'':
		return p.parseString()
	case isDigit(c) || (c == '-' || c == '.') && isDigit(p.peek(1)):
		return p.parseNumber()
	case c == '$':
		at := p.i
		r, err := p.parseRef()
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, p.errf(at, "expected a reference after $")
		}
		return &refExpr{ref: r}, nil
	case c == '[':
		return p.parseList()
	case c == '{':
		return p.parseMap()
	case c == '(':
		p.i++
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')', "expression"); err != nil {
			return nil, err
		}
		return e, nil
	case p.word("true"):
		p.i += 4
		return &litExpr{v: true}, nil
	case p.word("false"):
		p.i += 5
		return &litExpr{v: false}, nil
	case c == 0:
		return nil, p.errf(p.i, "expected an expression, found end of template")
	}
	return nil, p.errf(p.i, "unexpected %q in expression", c)
}

func (p *parser) parseNumber() (expr, error) {
	start := p.i
	if p.peek(0) == '-' {
		p.i++
	}
	for isDigit(p.peek(0)) {
		p.i++
	}
	float := false
	if p.peek(0) == '.' && p.peek(1) != '.' {
		float = true
		p.i++
		for isDigit(p.peek(0)) {
			p.i++
		}
	}
	if c := p.peek(0); c == 'e' || c == 'E' {
		k := 1
		if p.peek(1) == '+' || p.peek(1) == '-' {
			k = 2
		}
		if isDigit(p.peek(k)) {
			float = true
			p.i += k
			for isDigit(p.peek(0)) {
				p.i++
			}
		}
	}
	lit := p.src[start:p.i]
	if float {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, p.errf(start, "bad number %q", lit)
		}
		return &litExpr{v: f}, nil
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		return nil, p.errf(start, "bad number %q", lit)
	}
	return &litExpr{v: n}, nil
}

// parseString reads a string literal. Velocity 1.7 has no backslash escapes in literals but
// one: a double-quoted literal turns \uXXXX into its character (ASTStringLiteral.unescape,
// before interpolation). A doubled quote stands for one. Double-quoted strings interpolate
// references and directives.
func (p *parser) parseString() (expr, error) {
	q := p.src[p.i]
	start := p.i
	p.i++
	var b strings.Builder
	contentStart := p.i
	for {
		if p.i >= len(p.src) {
			return nil, p.errf(start, "unterminated string literal")
		}
		c := p.src[p.i]
		if c == q {
			if p.peek(1) == q {
				b.WriteByte(q)
				p.i += 2
				continue
			}
			p.i++
			break
		}
		b.WriteByte(c)
		p.i++
	}
	s := b.String()
	if q == '"' && strings.Contains(s, `\u`) {
		var err error
		if s, err = unescapeUnicode(s); err != nil {
			return nil, p.errf(start, "%v", err)
		}
	}
	if q == '\'' || !strings.ContainsAny(s, "$#") {
		return &litExpr{v: s}, nil
	}
	sub := &parser{name: p.name, orig: p.orig, src: s, base: p.base + contentStart, macros: p.macros}
	nodes, _, _, err := sub.parseBlock()
	if err != nil {
		return nil, err
	}
	return &interpExpr{nodes: nodes}, nil
}

// unescapeUnicode replaces every \uXXXX with its UTF-16 unit, joining surrogate pairs. Velocity
// parses the four characters after \u as hex without checking them, so anything else fails the
// template, as Java's NumberFormatException does.
func unescapeUnicode(s string) (string, error) {
	var units []uint16
	var b strings.Builder
	flush := func() {
		if len(units) > 0 {
			b.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], `\u`) {
			if i+6 > len(s) {
				return "", fmt.Errorf("string literal: \\u needs four hex digits, got %q", s[i:])
			}
			n, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
			if err != nil {
				return "", fmt.Errorf("string literal: \\u needs four hex digits, got %q", s[i:i+6])
			}
			units = append(units, uint16(n))
			i += 6
			continue
		}
		flush()
		b.WriteByte(s[i])
		i++
	}
	flush()
	return b.String(), nil
}

func (p *parser) parseList() (expr, error) {
	p.i++ // [
	p.skipWS()
	if p.peek(0) == ']' {
		p.i++
		return &listExpr{}, nil
	}
	first, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if strings.HasPrefix(p.src[p.i:], "..") {
		p.i += 2
		to, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(']', "range"); err != nil {
			return nil, err
		}
		return &rangeExpr{from: first, to: to}, nil
	}
	l := &listExpr{items: []expr{first}}
	for {
		p.skipWS()
		switch p.peek(0) {
		case ']':
			p.i++
			return l, nil
		case ',':
			p.i++
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			l.items = append(l.items, e)
		default:
			return nil, p.errf(p.i, "list: expected , or ]")
		}
	}
}

func (p *parser) parseMap() (expr, error) {
	p.i++ // {
	m := &mapExpr{}
	p.skipWS()
	if p.peek(0) == '}' {
		p.i++
		return m, nil
	}
	for {
		k, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':', "map"); err != nil {
			return nil, err
		}
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		p.skipWS()
		switch p.peek(0) {
		case '}':
			p.i++
			return m, nil
		case ',':
			p.i++
		default:
			return nil, p.errf(p.i, "map: expected , or }")
		}
	}
}
