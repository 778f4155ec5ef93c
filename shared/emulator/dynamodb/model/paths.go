package model

import (
	"slices"
	"strconv"
	"strings"

	"github.com/truora/minidyn/interpreter/language"
)

// maxExpressionSize is DynamoDB's limit on any expression string (4 KB).
const maxExpressionSize = 4096

// An update expression is parsed here, by its grammar in the developer guide
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html):
//
//	update  = section { section }
//	section = SET path "=" value {"," …} | REMOVE path {"," …} | ADD path :v {"," …} | DELETE path :v {"," …}
//	value   = "(" sum ")" | sum;  sum = operand [("+" | "-") operand]
//	operand = "(" term ")" | term;  term = function "(" operand {"," operand} ")" | :v | path
//	path    = name { "." name | "[" n "]" };  name = identifier | #placeholder
//
// A syntax error is reported first, then, as DynamoDB reports them, the first problem of each
// kind in this order: a reserved word used as a name, an unknown function, a section used twice,
// an undefined name, an undefined value, two paths that overlap, two that conflict, an ADD or
// DELETE operand of the wrong type, and a function's operands.

// pathElem is one step of a document path: a map key (or top-level name), or a list index.
type pathElem struct {
	name  string
	index int
	isIdx bool
}

type docPath []pathElem

func (p docPath) String() string {
	parts := make([]string, len(p))
	for i, e := range p {
		if e.isIdx {
			parts[i] = "[" + strconv.Itoa(e.index) + "]"
		} else {
			parts[i] = e.name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// operand kinds.
const (
	opPath = iota
	opValue
	opFunc
	opPlus
	opMinus
)

// operand is a value of a SET action: a path, a placeholder's value, a function call or a sum.
type operand struct {
	kind  int
	path  docPath
	value *Value // opValue; nil when the placeholder is undefined
	fn    string
	args  []*operand
}

// action is one action of an update: SET path = val, REMOVE path, ADD path val, DELETE path val.
type action struct {
	kind string
	path docPath
	val  *operand
}

// staticType is the type an operand is known to have before the item is read ("" when only
// the item can tell): a placeholder's, a sum's (N), list_append's (L), or if_not_exists's
// second operand's.
func (o *operand) staticType() string {
	if o == nil {
		return ""
	}
	switch o.kind {
	case opValue:
		return typeOf(o.value)
	case opPlus, opMinus:
		return "N"
	case opFunc:
		switch o.fn {
		case "list_append":
			return "L"
		case "if_not_exists":
			if len(o.args) == 2 {
				return o.args[1].staticType()
			}
		}
	}
	return ""
}

// immediateType is the type of a placeholder operand, "" for anything else.
func (o *operand) immediateType() string {
	if o.kind == opValue {
		return typeOf(o.value)
	}
	return ""
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokName  // #name
	tokValue // :value
	tokNumber
	tokPunct
	tokIllegal
)

type token struct {
	kind       tokKind
	text       string
	start, end int
}

// lexUpdate splits an expression into tokens; whitespace separates them.
func lexUpdate(s string) []token {
	var out []token
	isWord := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	i := 0
	for i < len(s) {
		c := s[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c >= '0' && c <= '9':
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			out = append(out, token{tokNumber, s[start:i], start, i})
			continue
		case isWord(c):
			for i < len(s) && isWord(s[i]) {
				i++
			}
			out = append(out, token{tokIdent, s[start:i], start, i})
			continue
		case c == '#' || c == ':':
			i++
			for i < len(s) && isWord(s[i]) {
				i++
			}
			kind := tokName
			if c == ':' {
				kind = tokValue
			}
			if i == start+1 {
				kind = tokIllegal
			}
			out = append(out, token{kind, s[start:i], start, i})
			continue
		case strings.IndexByte("=+-,.[]()", c) >= 0:
			i++
			out = append(out, token{tokPunct, s[start:i], start, i})
			continue
		}
		i++
		out = append(out, token{tokIllegal, s[start:i], start, i})
	}
	return append(out, token{tokEOF, "<EOF>", len(s), len(s)})
}

// updateParser parses one update expression and collects its first problem of each kind.
type updateParser struct {
	src     string
	toks    []token
	pos     int
	args    exprArgs
	used    map[string]bool // placeholders used
	errs    map[string]string
	section map[string]bool
	paths   []docPath
	actions []action
}

type syntaxError struct{ tok token }

func (p *updateParser) peek() token { return p.toks[p.pos] }

func (p *updateParser) next() token {
	t := p.toks[p.pos]
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}

func (p *updateParser) fail() { panic(syntaxError{p.peek()}) }

func (p *updateParser) expect(text string) {
	if t := p.peek(); t.kind != tokPunct || t.text != text {
		p.fail()
	}
	p.next()
}

func (p *updateParser) isPunct(text string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == text
}

// note records the first problem of a kind.
func (p *updateParser) note(kind, msg string) {
	if _, ok := p.errs[kind]; !ok {
		p.errs[kind] = msg
	}
}

func keyword(t token) string {
	if t.kind != tokIdent {
		return ""
	}
	switch w := strings.ToUpper(t.text); w {
	case "SET", "REMOVE", "ADD", "DELETE":
		return w
	}
	return ""
}

// nearText is the expression around a token, as DynamoDB quotes it: from the token before it to
// the token after it.
func (p *updateParser) nearText(t token) string {
	i := 0
	for i < len(p.toks) && p.toks[i].start != t.start {
		i++
	}
	from, to := t.start, t.end
	if i > 0 {
		from = p.toks[i-1].start
	}
	if i+1 < len(p.toks) {
		to = p.toks[i+1].end
	}
	return strings.TrimSpace(p.src[from:to])
}

// parseUpdate parses an update expression; see the grammar above.
func parseUpdate(expr string, args exprArgs) (actions []action, err error) {
	p := &updateParser{src: expr, toks: updateTokens.Get(expr, lexUpdate), args: args, used: map[string]bool{},
		errs: map[string]string{}, section: map[string]bool{}}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			actions, err = nil, validation(`Invalid UpdateExpression: Syntax error; token: "%s", near: "%s"`, se.tok.text, p.nearText(se.tok))
		}
	}()
	if p.peek().kind == tokEOF {
		p.fail()
	}
	for p.peek().kind != tokEOF {
		kw := keyword(p.peek())
		if kw == "" {
			p.fail()
		}
		p.next()
		for {
			p.action(kw)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		if p.section[kw] {
			p.note("section", `The "`+kw+`" section can only be used once in an update expression;`)
		}
		p.section[kw] = true
	}
	for _, kind := range []string{"reserved", "function name", "section", "name", "value", "overlap", "conflict", "operand", "function"} {
		if msg, ok := p.errs[kind]; ok {
			return nil, validation("Invalid UpdateExpression: %s", msg)
		}
	}
	return p.actions, nil
}

func (p *updateParser) action(kw string) {
	a := action{kind: kw, path: p.path()}
	p.checkPath(a.path)
	switch kw {
	case "SET":
		p.expect("=")
		a.val = p.setValue()
	case "ADD", "DELETE":
		if p.peek().kind != tokValue {
			p.fail()
		}
		a.val = p.value(p.next())
		p.checkOperator(kw, a.val)
	}
	p.actions = append(p.actions, a)
}

// checkPath compares a new action's path with the earlier ones: the same path or one inside the
// other overlap; a shared prefix followed by a map key in one and a list index in the other
// conflict.
func (p *updateParser) checkPath(path docPath) {
	if _, ok := p.errs["overlap"]; ok {
		return
	}
	for _, q := range p.paths {
		kind := "overlap"
		for i := 0; i < len(q) && i < len(path); i++ {
			if q[i].isIdx != path[i].isIdx {
				kind = "conflict"
				break
			}
			if q[i] != path[i] {
				kind = ""
				break
			}
		}
		switch kind {
		case "overlap":
			p.note(kind, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "+q.String()+", path two: "+path.String())
			return
		case "conflict":
			p.note(kind, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "+q.String()+", path two: "+path.String())
		}
	}
	p.paths = append(p.paths, path)
}

var operandTypeNames = map[string]string{"S": "STRING", "N": "NUMBER", "B": "BINARY", "NULL": "NULL", "BOOL": "BOOLEAN", "L": "LIST", "M": "MAP"}

// checkOperator checks ADD's and DELETE's operand: a set, or for ADD a number.
func (p *updateParser) checkOperator(kw string, v *operand) {
	typ := v.immediateType()
	if name, ok := operandTypeNames[typ]; ok && (kw != "ADD" || typ != "N") {
		p.note("operand", "Incorrect operand type for operator or function; operator: "+kw+", operand type: "+name)
	}
}

// setValue is "(" sum ")" or sum.
func (p *updateParser) setValue() *operand {
	if !p.isPunct("(") {
		return p.sum(p.operand())
	}
	p.next()
	first := p.operand()
	inner := p.sum(first)
	p.expect(")")
	if inner == first && (p.isPunct("+") || p.isPunct("-")) {
		// It was "(" operand ")" starting a sum.
		return p.sum(first)
	}
	return inner
}

// sum continues an operand with "+" or "-" and a second operand, if they follow.
func (p *updateParser) sum(left *operand) *operand {
	kind := opPlus
	switch {
	case p.isPunct("+"):
	case p.isPunct("-"):
		kind = opMinus
	default:
		return left
	}
	op := p.next().text
	o := &operand{kind: kind, args: []*operand{left, p.operand()}}
	p.checkFunction(op, o.args)
	return o
}

// operand is "(" term ")" or term.
func (p *updateParser) operand() *operand {
	if p.isPunct("(") {
		p.next()
		o := p.term()
		p.expect(")")
		return o
	}
	return p.term()
}

func (p *updateParser) term() *operand {
	t := p.peek()
	switch {
	case t.kind == tokValue:
		return p.value(p.next())
	case t.kind == tokIdent && keyword(t) == "" && p.toks[p.pos+1].kind == tokPunct && p.toks[p.pos+1].text == "(":
		p.next()
		p.next()
		o := &operand{kind: opFunc, fn: t.text}
		for {
			o.args = append(o.args, p.operand())
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		p.expect(")")
		p.checkFunction(t.text, o.args)
		return o
	}
	return &operand{kind: opPath, path: p.path()}
}

func (p *updateParser) value(t token) *operand {
	v, ok := p.args.values[t.text]
	if !ok {
		p.note("value", "An expression attribute value used in expression is not defined; attribute value: "+t.text)
	}
	p.used[t.text] = true
	return &operand{kind: opValue, value: canonicalValue(v)}
}

// checkFunction checks a function's (or "+" and "-"'s) name, number of operands and the types
// of the operands that are placeholders.
func (p *updateParser) checkFunction(fn string, args []*operand) {
	want := map[string]int{"if_not_exists": 2, "list_append": 2, "+": 2, "-": 2}[fn]
	if want == 0 {
		p.note("function name", "Invalid function name; function: "+fn)
		return
	}
	if _, ok := p.errs["function"]; ok {
		return
	}
	if len(args) != want {
		p.note("function", "Incorrect number of operands for operator or function; operator or function: "+fn+", number of operands: "+strconv.Itoa(len(args)))
		return
	}
	switch fn {
	case "if_not_exists":
		if args[0].kind != opPath {
			p.note("function", "Operator or function requires a document path; operator or function: "+fn)
		}
		return
	}
	if fn != "list_append" {
		// DynamoDB checks "+" and "-" the same way (dynalite's recorded tests), but
		// TestExpressionMessages holds SET a = :s + :one to the error the item's evaluation gives.
		return
	}
	for _, a := range args {
		if t := a.immediateType(); t != "" && t != "L" {
			p.note("function", "Incorrect operand type for operator or function; operator or function: "+fn+", operand type: "+t)
			return
		}
	}
}

// path reads a document path.
func (p *updateParser) path() docPath {
	out := docPath{p.name()}
	for {
		switch {
		case p.isPunct("."):
			p.next()
			out = append(out, p.name())
		case p.isPunct("["):
			p.next()
			t := p.peek()
			if t.kind != tokNumber {
				p.fail()
			}
			n, err := strconv.Atoi(p.next().text)
			if err != nil {
				p.fail()
			}
			p.expect("]")
			out = append(out, pathElem{index: n, isIdx: true})
		default:
			return out
		}
	}
}

// name reads an attribute name or a #placeholder (resolved).
func (p *updateParser) name() pathElem {
	t := p.peek()
	switch {
	case t.kind == tokName:
		p.next()
		p.used[t.text] = true
		n, ok := p.args.names[t.text]
		if !ok {
			p.note("name", "An expression attribute name used in the document path is not defined; attribute name: "+t.text)
		}
		return pathElem{name: n}
	case t.kind == tokIdent && keyword(t) == "":
		p.next()
		if language.IsReservedWord(strings.ToUpper(t.text)) {
			p.note("reserved", "Attribute name is a reserved keyword; reserved keyword: "+t.text)
		}
		return pathElem{name: t.text}
	}
	p.fail()
	return pathElem{}
}

// walkPaths calls f with every document path of the actions: targets and operands.
func walkPaths(actions []action, f func(docPath)) {
	var op func(o *operand)
	op = func(o *operand) {
		if o == nil {
			return
		}
		if o.kind == opPath {
			f(o.path)
		}
		for _, a := range o.args {
			op(a)
		}
	}
	for _, a := range actions {
		f(a.path)
		op(a.val)
	}
}

// checkUpdate checks an update against the table's keys, in DynamoDB's order: no action may
// write a key attribute or inside one; an index key attribute an action sets must get the
// index's key type when the expression tells the type; no path may go inside an index key
// attribute (key attributes are scalars).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
func (t *Table) checkUpdate(u *update) error {
	if u == nil {
		return nil
	}
	for _, k := range []string{t.schema.hash.name, t.schema.rng.name} {
		for _, a := range u.actions {
			if k != "" && a.path[0].name == k {
				return validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", k)
			}
		}
	}
	ixs := t.indexes()
	all := append(slices.Clone(ixs.lsis), ixs.gsis...)
	for _, ix := range all {
		for _, k := range []keyAttr{ix.schema.hash, ix.schema.rng} {
			if k.name == "" || t.schema.has(k.name) {
				continue
			}
			for _, a := range u.actions {
				if len(a.path) != 1 || a.path[0].name != k.name {
					continue
				}
				if typ := a.val.staticType(); typ != "" && typ != k.typ {
					return validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", k.name, k.typ, typ, ix.name)
				}
				break
			}
		}
	}
	nested := map[string]bool{}
	walkPaths(u.actions, func(p docPath) {
		if len(p) > 1 {
			nested[p[0].name] = true
		}
	})
	if len(nested) == 0 {
		return nil
	}
	const msg = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: %s: %s"
	for _, k := range []string{t.schema.hash.name, t.schema.rng.name} {
		if k != "" && nested[k] {
			return validation(msg, "Key", k)
		}
	}
	for _, ix := range all {
		for _, k := range []string{ix.schema.hash.name, ix.schema.rng.name} {
			if k != "" && nested[k] {
				return validation(msg, "IndexKey", k)
			}
		}
	}
	return nil
}

// checkUpdatedKeys checks that the item an update made has index key attributes of the index's
// key type (an update whose expression did not tell the type, such as SET c = e).
func (t *Table) checkUpdatedKeys(item Item) error {
	for _, ix := range t.indexes().byName {
		for _, k := range []keyAttr{ix.schema.hash, ix.schema.rng} {
			if v, ok := item[k.name]; ok && k.name != "" && !t.schema.has(k.name) && typeOf(v) != k.typ {
				return validation("The update expression attempted to update the secondary index key to unsupported type")
			}
		}
	}
	return nil
}
