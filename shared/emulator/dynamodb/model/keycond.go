package model

import (
	"strings"

	"github.com/truora/minidyn/interpreter/language"
)

// keyCond is a parsed KeyConditionExpression: the partition key value and an optional sort key
// condition.
type keyCond struct {
	hk   keyValue
	op   string // "" (none), "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
	a, b keyValue
}

type kcTerm struct {
	attr string
	op   string
	vals []*Value
}

type kcParser struct {
	src  string
	toks []string
	pos  int
	args exprArgs
}

func kcSyntax(tok, near string) *Error {
	return validation("Invalid KeyConditionExpression: Syntax error; token: \"%s\", near: \"%s\"", tok, near)
}

func tokenizeKeyCond(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',' || c == '=':
			toks = append(toks, string(c))
			i++
		case c == '<' || c == '>':
			j := i + 1
			if j < len(s) && (s[j] == '=' || c == '<' && s[j] == '>') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case c == '#' || c == ':' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			return nil, kcSyntax(string(c), s[max(0, i-5):min(len(s), i+5)])
		}
	}
	return toks, nil
}

func (p *kcParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *kcParser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func (p *kcParser) expect(tok string) error {
	if got := p.next(); got != tok {
		if got == "" {
			got = "<EOF>"
		}
		return kcSyntax(got, p.src)
	}
	return nil
}

// conj parses terms joined by AND, with parentheses.
func (p *kcParser) conj(out *[]kcTerm) error {
	for {
		if err := p.atom(out); err != nil {
			return err
		}
		switch strings.ToUpper(p.peek()) {
		case "AND":
			p.next()
		case "OR", "NOT":
			return validation("Invalid operator used in KeyConditionExpression: %s", strings.ToUpper(p.peek()))
		default:
			return nil
		}
	}
}

func (p *kcParser) atom(out *[]kcTerm) error {
	tok := p.peek()
	switch {
	case tok == "(":
		p.next()
		if err := p.conj(out); err != nil {
			return err
		}
		return p.expect(")")
	case tok == "begins_with":
		p.next()
		if err := p.expect("("); err != nil {
			return err
		}
		a, err := p.operand()
		if err != nil {
			return err
		}
		if err := p.expect(","); err != nil {
			return err
		}
		b, err := p.operand()
		if err != nil {
			return err
		}
		if err := p.expect(")"); err != nil {
			return err
		}
		if a.name == "" || b.value == nil {
			return validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with")
		}
		*out = append(*out, kcTerm{attr: a.name, op: "begins_with", vals: []*Value{b.value}})
		return nil
	case strings.ToUpper(tok) == "NOT":
		return validation("Invalid operator used in KeyConditionExpression: NOT")
	}
	if p.pos+1 < len(p.toks) && p.toks[p.pos+1] == "(" {
		return validation("Invalid KeyConditionExpression: Invalid function name; function: %s", tok)
	}
	left, err := p.operand()
	if err != nil {
		return err
	}
	op := p.next()
	switch strings.ToUpper(op) {
	case "=", "<", "<=", ">", ">=":
		right, err := p.operand()
		if err != nil {
			return err
		}
		switch {
		case left.name != "" && right.value != nil:
			*out = append(*out, kcTerm{attr: left.name, op: op, vals: []*Value{right.value}})
		case left.value != nil && right.name != "":
			*out = append(*out, kcTerm{attr: right.name, op: flip(op), vals: []*Value{left.value}})
		default:
			return validation("Invalid KeyConditionExpression: The expression has redundant parentheses or compares two attributes or two values")
		}
		return nil
	case "BETWEEN":
		lo, err := p.operand()
		if err != nil {
			return err
		}
		if strings.ToUpper(p.next()) != "AND" {
			return kcSyntax(p.peek(), p.src)
		}
		hi, err := p.operand()
		if err != nil {
			return err
		}
		if left.name == "" || lo.value == nil || hi.value == nil {
			return validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: BETWEEN")
		}
		*out = append(*out, kcTerm{attr: left.name, op: "BETWEEN", vals: []*Value{lo.value, hi.value}})
		return nil
	case "<>", "IN":
		return validation("Unsupported operator in KeyConditionExpression: %s", strings.ToUpper(op))
	case "":
		return kcSyntax("<EOF>", p.src)
	}
	return kcSyntax(op, p.src)
}

func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

type kcOperand struct {
	name  string
	value *Value
}

func (p *kcParser) operand() (kcOperand, error) {
	tok := p.next()
	switch {
	case tok == "":
		return kcOperand{}, kcSyntax("<EOF>", p.src)
	case tok[0] == ':':
		v, ok := p.args.values[tok]
		if !ok {
			return kcOperand{}, validation("Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: %s", tok)
		}
		return kcOperand{value: v}, nil
	case tok[0] == '#':
		n, ok := p.args.names[tok]
		if !ok {
			return kcOperand{}, validation("Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: %s", tok)
		}
		return kcOperand{name: n}, nil
	case tok == "(" || tok == ")" || tok == "," || strings.ContainsAny(tok[:1], "=<>"):
		return kcOperand{}, kcSyntax(tok, p.src)
	case language.IsReservedWord(strings.ToUpper(tok)):
		return kcOperand{}, validation("Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: %s", tok)
	}
	return kcOperand{name: tok}, nil
}

// parseKeyCond parses a KeyConditionExpression against a table's or index's key schema.
func parseKeyCond(expr string, args exprArgs, ks keySchema) (keyCond, error) {
	var kc keyCond
	if strings.TrimSpace(expr) == "" {
		return kc, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	toks, err := tokenizeKeyCond(expr)
	if err != nil {
		return kc, err
	}
	p := &kcParser{src: expr, toks: toks, args: args}
	var terms []kcTerm
	if err := p.conj(&terms); err != nil {
		return kc, err
	}
	if p.pos < len(p.toks) {
		return kc, kcSyntax(p.peek(), expr)
	}
	if len(terms) > 2 {
		return kc, validation("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key")
	}
	var hashTerm, rangeTerm *kcTerm
	for i := range terms {
		t := &terms[i]
		switch {
		case t.attr == ks.hash.name && hashTerm == nil:
			hashTerm = t
		case t.attr == ks.rng.name && ks.rng.name != "" && rangeTerm == nil:
			rangeTerm = t
		case t.attr == ks.hash.name || t.attr == ks.rng.name:
			return kc, validation("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key")
		default:
			missing := ks.hash.name
			if hashTerm != nil || len(terms) == 2 && terms[1-i].attr == ks.hash.name {
				missing = ks.rng.name
			}
			if missing == "" {
				missing = t.attr
			}
			return kc, validation("Query condition missed key schema element: %s", missing)
		}
	}
	if hashTerm == nil {
		return kc, validation("Query condition missed key schema element: %s", ks.hash.name)
	}
	if hashTerm.op != "=" {
		return kc, validation("Query key condition not supported")
	}
	hv, ok := keyValueOf(hashTerm.vals[0], ks.hash.typ)
	if !ok {
		return kc, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	kc.hk = hv
	if rangeTerm == nil {
		return kc, nil
	}
	kc.op = rangeTerm.op
	vals := make([]keyValue, len(rangeTerm.vals))
	for i, v := range rangeTerm.vals {
		kv, ok := keyValueOf(v, ks.rng.typ)
		if !ok {
			if kc.op == "begins_with" {
				return kc, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s", typeOf(v))
			}
			return kc, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
		}
		vals[i] = kv
	}
	if kc.op == "begins_with" && ks.rng.typ == "N" {
		return kc, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
	}
	kc.a = vals[0]
	if kc.op == "BETWEEN" {
		kc.b = vals[1]
		if compareKey(ks.rng.typ, kc.a, kc.b) > 0 {
			return kc, validation("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", describeValue(rangeTerm.vals[0]), describeValue(rangeTerm.vals[1]))
		}
	}
	return kc, nil
}

// bounds returns [lo, hi) of the n sorted sort keys (read with at) that satisfy the sort key
// condition.
func (kc keyCond) bounds(typ string, n int, at func(int) keyValue) (int, int) {
	lower := func(v keyValue) int { // first >= v
		return searchInts(n, func(i int) bool { return compareKey(typ, at(i), v) >= 0 })
	}
	upper := func(v keyValue) int { // first > v
		return searchInts(n, func(i int) bool { return compareKey(typ, at(i), v) > 0 })
	}
	switch kc.op {
	case "=":
		return lower(kc.a), upper(kc.a)
	case "<":
		return 0, lower(kc.a)
	case "<=":
		return 0, upper(kc.a)
	case ">":
		return upper(kc.a), n
	case ">=":
		return lower(kc.a), n
	case "BETWEEN":
		return lower(kc.a), upper(kc.b)
	case "begins_with":
		lo := lower(kc.a)
		prefix := kc.a.s
		if typ == "B" {
			prefix = string(kc.a.b)
		}
		hi := lo
		for hi < n {
			k := at(hi)
			s := k.s
			if typ == "B" {
				s = string(k.b)
			}
			if !strings.HasPrefix(s, prefix) {
				break
			}
			hi++
		}
		return lo, hi
	}
	return 0, n
}

func searchInts(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if !f(h) {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}
