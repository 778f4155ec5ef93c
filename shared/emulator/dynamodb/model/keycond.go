package model

import (
	"slices"
	"strconv"
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

// kcTerm is one key condition: an attribute, a legacy ComparisonOperator (EQ, LT, LE, GT, GE,
// BETWEEN, BEGINS_WITH; from KeyConditions also the non-indexable ones) and its values.
type kcTerm struct {
	attr string
	op   string
	vals []*Value
}

// keyCondTerms checks a KeyConditionExpression's shape, as DynamoDB does before it looks at the
// table: only AND, comparisons, BETWEEN and begins_with; in each condition one top-level
// attribute, first; one condition per attribute. It returns the conditions. The expression has
// passed checkConditionGrammar, whose tree it reads (so BETWEEN with size() or a list element
// gets these messages rather than a syntax error).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
func keyCondTerms(expr string, args exprArgs) ([]kcTerm, error) {
	root := parseConditionTree(expr)
	if root == nil {
		return nil, checkConditionGrammar("KeyConditionExpression", expr, args)
	}
	w := kcWalker{args: args, seen: map[string]bool{}}
	if err := w.walk(root); err != nil {
		return nil, err
	}
	return w.terms, nil
}

type kcWalker struct {
	args  exprArgs
	seen  map[string]bool
	terms []kcTerm
}

var kcOps = map[string]string{"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
var kcFlipped = map[string]string{"EQ": "EQ", "LT": "GT", "LE": "GE", "GT": "LT", "GE": "LE"}

func kcInvalidOp(op string) *Error {
	return validation("Invalid operator used in KeyConditionExpression: %s", op)
}

func (w *kcWalker) walk(n *cNode) error {
	var op string
	switch n.kind {
	case "not":
		return kcInvalidOp("NOT")
	case "in":
		return kcInvalidOp("IN")
	case "or":
		return kcInvalidOp("OR")
	case "and":
		if err := w.walk(n.args[0]); err != nil {
			return err
		}
		return w.walk(n.args[1])
	case "cmp":
		if n.op == "<>" {
			return kcInvalidOp(n.op)
		}
		op = kcOps[n.op]
	case "between":
		if n.args[0].kind != "path" {
			return validation("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")
		}
		op = "BETWEEN"
	case "func":
		switch n.op {
		case "attribute_exists", "attribute_not_exists", "attribute_type", "contains":
			return kcInvalidOp(n.op)
		case "size":
			return validation("KeyConditionExpressions cannot contain nested operations")
		}
		if len(n.args) == 0 || n.args[0].kind != "path" {
			return validation("Invalid condition in KeyConditionExpression: %s operator must have the key attribute as its first operand", n.op)
		}
		op = "BEGINS_WITH"
	default:
		return validation("Invalid condition in KeyConditionExpression: No key attribute specified")
	}
	attr, at := "", 0
	var vals []*Value
	for i, a := range n.args {
		switch a.kind {
		case "path":
			if attr != "" {
				return validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
			}
			if len(a.path) != 1 {
				return validation("KeyConditionExpressions cannot have conditions on nested attributes")
			}
			attr, at = a.path[0].text, i
			if n, ok := w.args.names[attr]; ok {
				attr = n
			}
		case "value":
			v, ok := w.args.values[a.tok.text]
			if !ok {
				return validation("Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: %s", a.tok.text)
			}
			vals = append(vals, v)
		default:
			return validation("KeyConditionExpressions cannot contain nested operations")
		}
	}
	if attr == "" {
		return validation("Invalid condition in KeyConditionExpression: No key attribute specified")
	}
	if w.seen[attr] {
		return validation("KeyConditionExpressions must only contain one condition per key")
	}
	w.seen[attr] = true
	if at != 0 {
		op = kcFlipped[op]
	}
	w.terms = append(w.terms, kcTerm{attr: attr, op: op, vals: vals})
	return nil
}

// compileKeyCond checks a KeyConditionExpression and returns its conditions.
func compileKeyCond(expr string, args exprArgs) ([]kcTerm, error) {
	if err := checkConditionGrammar("KeyConditionExpression", expr, args); err != nil {
		return nil, err
	}
	return keyCondTerms(expr, args)
}

// parseKeyCond parses a KeyConditionExpression against a table's or index's key schema.
func parseKeyCond(expr string, args exprArgs, ks keySchema) (keyCond, error) {
	if strings.TrimSpace(expr) == "" {
		return keyCond{}, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	terms, err := compileKeyCond(expr, args)
	if err != nil {
		return keyCond{}, err
	}
	if err := checkKeyTerms(terms, ks, nil); err != nil {
		return keyCond{}, err
	}
	return keyCondOf(terms, ks)
}

// checkKeyTerms checks key conditions against the key schema, hash key first, as DynamoDB does.
// An ExclusiveStartKey (esk, nil when none) must hold each key attribute with its type.
func checkKeyTerms(terms []kcTerm, ks keySchema, esk Item) error {
	byAttr := map[string]kcTerm{}
	for _, t := range terms {
		byAttr[t.attr] = t
	}
	for _, k := range []keyAttr{ks.hash, ks.rng} {
		if k.name == "" {
			continue
		}
		if esk != nil {
			v := esk[k.name]
			if v == nil {
				return validation("The provided starting key is invalid")
			}
			if typeOf(v) != k.typ {
				return validation("The provided key element does not match the schema")
			}
		}
		isHash := k.name == ks.hash.name
		if isHash && ks.rng.name == "" && len(terms) > 1 {
			return validation("Query key condition not supported")
		}
		t, ok := byAttr[k.name]
		if !ok {
			if isHash || len(terms) > 1 {
				return validation("Query condition missed key schema element: %s", k.name)
			}
			continue
		}
		switch t.op {
		case "NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN":
			return validation("Attempted conditional constraint is not an indexable operation")
		}
		for _, v := range t.vals {
			if typeOf(v) != k.typ {
				return validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
		if isHash && t.op != "EQ" {
			return validation("Query key condition not supported")
		}
	}
	return nil
}

// keyCondOf turns checked key conditions into a keyCond.
func keyCondOf(terms []kcTerm, ks keySchema) (keyCond, error) {
	var kc keyCond
	var rangeTerm *kcTerm
	for i := range terms {
		t := &terms[i]
		if t.attr == ks.hash.name {
			kc.hk, _ = keyValueOf(t.vals[0], ks.hash.typ)
		} else if ks.rng.name != "" && t.attr == ks.rng.name {
			rangeTerm = t
		}
	}
	if rangeTerm == nil {
		return kc, nil
	}
	kc.op = map[string]string{"EQ": "=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "BETWEEN": "BETWEEN", "BEGINS_WITH": "begins_with"}[rangeTerm.op]
	if kc.op == "begins_with" && ks.rng.typ == "N" {
		return kc, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
	}
	kc.a, _ = keyValueOf(rangeTerm.vals[0], ks.rng.typ)
	if kc.op == "BETWEEN" {
		kc.b, _ = keyValueOf(rangeTerm.vals[1], ks.rng.typ)
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

// Condition, filter and key condition expressions are checked here against the grammar of the
// developer guide before minidyn parses them (minidyn accepts some text DynamoDB refuses, such
// as trailing tokens, and refuses some it accepts, such as BETWEEN with size()):
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Syntax
//
//	condition ::= operand comparator operand | operand BETWEEN operand AND operand
//	            | operand IN ( operand (, operand)* ) | function
//	            | condition AND condition | condition OR condition | NOT condition | ( condition )
//
// An operand is a document path, a :value or a function call, and may be in parentheses; a path
// starts with a name or #name, or a path in parentheses, and goes on with .name and [n]. NOT binds
// tighter than AND, AND than OR. DynamoDB reports a syntax error first, then, for the whole
// expression, redundant parentheses ("((x))"), an unknown function, a function used where it
// cannot be (a test as an operand, size() as a test) and a reserved word used as a name; then,
// condition by condition, an undefined placeholder, a function's number of operands, a comparison
// of a path with itself, and a function's operand types or BETWEEN's bounds.

// cNode is a node of a parsed condition: a test (or, and, not, a comparator, between, in, or a
// function used as a test) or an operand (path, value, function call).
type cNode struct {
	kind      string // "or", "and", "not", "cmp", "between", "in", "path", "value", "func"
	op        string // the comparator, or the function's name
	args      []*cNode
	path      []token // a path's names (idents and #names; numbers for [n])
	tok       token   // a value's or a function's token
	redundant bool    // written in two pairs of parentheses
}

type condParser struct {
	src   string
	toks  []token
	pos   int
	far   int // the furthest token a rule failed at
	label string
	args  exprArgs
}

// lexCondition is lexUpdate with the comparators <, <=, >, >= and <> as tokens.
func lexCondition(s string) []token {
	var out []token
	for _, t := range lexUpdate(s) {
		if t.kind == tokIllegal && (t.text == "<" || t.text == ">") {
			t.kind = tokPunct
		}
		if n := len(out); n > 0 && t.kind == tokPunct && (t.text == "=" || t.text == ">") {
			if prev := &out[n-1]; prev.kind == tokPunct && prev.end == t.start &&
				(prev.text == "<" || prev.text == ">" && t.text == "=") {
				prev.text += t.text
				prev.end = t.end
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

func (p *condParser) fail() {
	if p.pos > p.far {
		p.far = p.pos
	}
}

func (p *condParser) punct(text string) bool {
	if t := p.toks[p.pos]; t.kind == tokPunct && t.text == text {
		p.pos++
		return true
	}
	p.fail()
	return false
}

func (p *condParser) keyword(w string) bool {
	if t := p.toks[p.pos]; t.kind == tokIdent && strings.EqualFold(t.text, w) {
		p.pos++
		return true
	}
	p.fail()
	return false
}

func isCondKeyword(t token) bool {
	if t.kind != tokIdent {
		return false
	}
	switch strings.ToUpper(t.text) {
	case "AND", "OR", "NOT", "BETWEEN", "IN":
		return true
	}
	return false
}

// try runs a rule and puts the position back when it fails.
func (p *condParser) try(rule func() *cNode) *cNode {
	at := p.pos
	if n := rule(); n != nil {
		return n
	}
	p.pos = at
	return nil
}

func (p *condParser) or() *cNode  { return p.infix("or", "OR", p.and, p.or) }
func (p *condParser) and() *cNode { return p.infix("and", "AND", p.not, p.and) }

// infix reads operand, then optionally keyword and the rest (rest is the rule itself, so the
// operator groups to the right); a keyword with nothing valid after it is left unread.
func (p *condParser) infix(kind, keyword string, operand, rest func() *cNode) *cNode {
	x := operand()
	if x == nil {
		return nil
	}
	at := p.pos
	if p.keyword(keyword) {
		if y := rest(); y != nil {
			return &cNode{kind: kind, args: []*cNode{x, y}}
		}
	}
	p.pos = at
	return x
}

func (p *condParser) not() *cNode {
	if p.try(func() *cNode {
		if !p.keyword("NOT") {
			return nil
		}
		return &cNode{}
	}) != nil {
		if x := p.not(); x != nil {
			return &cNode{kind: "not", args: []*cNode{x}}
		}
		return nil
	}
	return p.parens()
}

// inParens reads inner between depth pairs of parentheses; two pairs, "((x))", mark it
// redundant, which DynamoDB refuses.
func (p *condParser) inParens(depth int, inner func() *cNode) *cNode {
	for range depth {
		if !p.punct("(") {
			return nil
		}
	}
	x := inner()
	if x == nil {
		return nil
	}
	for range depth {
		if !p.punct(")") {
			return nil
		}
	}
	if depth > 1 {
		x.redundant = true
	}
	return x
}

// parens is a test, possibly in parentheses.
func (p *condParser) parens() *cNode {
	if n := p.try(func() *cNode { return p.inParens(2, p.or) }); n != nil {
		return n
	}
	if n := p.try(p.test); n != nil {
		return n
	}
	return p.try(func() *cNode { return p.inParens(1, p.or) })
}

var comparators = []string{"<=", ">=", "<>", "=", "<", ">"}

// test is a comparison, BETWEEN, IN or a function.
func (p *condParser) test() *cNode {
	if n := p.try(func() *cNode {
		x := p.operandParens()
		if x == nil {
			return nil
		}
		for _, c := range comparators {
			if p.punct(c) {
				if y := p.operandParens(); y != nil {
					return &cNode{kind: "cmp", op: c, args: []*cNode{x, y}}
				}
				return nil
			}
		}
		switch {
		case p.keyword("BETWEEN"):
			y := p.operandParens()
			if y == nil || !p.keyword("AND") {
				return nil
			}
			if z := p.operandParens(); z != nil {
				return &cNode{kind: "between", args: []*cNode{x, y, z}}
			}
		case p.keyword("IN"):
			if !p.punct("(") {
				return nil
			}
			list := p.argList()
			if list == nil || !p.punct(")") {
				return nil
			}
			return &cNode{kind: "in", args: append([]*cNode{x}, list...)}
		}
		return nil
	}); n != nil {
		return n
	}
	return p.try(p.function)
}

func (p *condParser) operandParens() *cNode {
	for _, depth := range []int{2, 1} {
		if n := p.try(func() *cNode { return p.inParens(depth, p.operand) }); n != nil {
			return n
		}
	}
	return p.try(p.operand)
}

func (p *condParser) operand() *cNode {
	if n := p.try(p.function); n != nil {
		return n
	}
	if t := p.toks[p.pos]; t.kind == tokValue {
		p.pos++
		return &cNode{kind: "value", tok: t}
	}
	p.fail()
	return p.try(p.path)
}

func (p *condParser) function() *cNode {
	t := p.toks[p.pos]
	if t.kind != tokIdent || isCondKeyword(t) {
		p.fail()
		return nil
	}
	p.pos++
	if !p.punct("(") {
		return nil
	}
	list := p.argList()
	if list == nil || !p.punct(")") {
		return nil
	}
	return &cNode{kind: "func", op: t.text, tok: t, args: list}
}

func (p *condParser) argList() []*cNode {
	var out []*cNode
	for {
		x := p.operandParens()
		if x == nil {
			return nil
		}
		out = append(out, x)
		at := p.pos
		if !p.punct(",") {
			p.pos = at
			return out
		}
	}
}

func (p *condParser) path() *cNode {
	head := p.groupedPath()
	if head == nil {
		return nil
	}
	for {
		at := p.pos
		if p.punct("[") {
			if t := p.toks[p.pos]; t.kind == tokNumber {
				p.pos++
				if p.punct("]") {
					head.path = append(head.path, t)
					continue
				}
			} else {
				p.fail()
			}
		} else if p.punct(".") {
			if t := p.toks[p.pos]; t.kind == tokName || t.kind == tokIdent && !isCondKeyword(t) {
				p.pos++
				head.path = append(head.path, t)
				continue
			}
			p.fail()
		}
		p.pos = at
		return head
	}
}

func (p *condParser) groupedPath() *cNode {
	if t := p.toks[p.pos]; t.kind == tokName || t.kind == tokIdent && !isCondKeyword(t) {
		p.pos++
		return &cNode{kind: "path", path: []token{t}}
	}
	p.fail()
	for _, twice := range []bool{true, false} {
		if n := p.try(func() *cNode {
			if !p.punct("(") || twice && !p.punct("(") {
				return nil
			}
			x := p.path()
			if x == nil || !p.punct(")") || twice && !p.punct(")") {
				return nil
			}
			x.redundant = x.redundant || twice
			return x
		}); n != nil {
			return n
		}
	}
	return nil
}

// parseConditionTree parses a condition expression, nil when it is not one.
func parseConditionTree(expr string) *cNode {
	if t := conditionTrees.Get(expr, parseConditionText); t.complete {
		return t.root
	}
	return nil
}

// condTree is the emulator's parse of a condition's text: its tree when the whole text parsed,
// else the token the furthest rule failed at. It depends on the text alone, so it is kept per
// expression (textCache), and read only: the checks that need the request's names and values
// walk it without changing it.
type condTree struct {
	root     *cNode
	complete bool
	far      int
	toks     []token
}

func parseConditionText(expr string) *condTree {
	p := &condParser{src: expr, toks: conditionTokens.Get(expr, lexCondition)}
	root := p.or()
	t := &condTree{root: root, complete: root != nil && p.toks[p.pos].kind == tokEOF, toks: p.toks}
	if root != nil && !t.complete {
		p.fail()
	}
	t.far = p.far
	return t
}

// render writes a parsed condition back as text for minidyn: each test in one pair of
// parentheses, operands without any, so that minidyn reads what DynamoDB read (it parses neither
// an operand in parentheses nor some parenthesized tests DynamoDB takes, nor a function call as
// a BETWEEN bound).
func (n *cNode) render() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *cNode) write(b *strings.Builder) {
	list := func(args []*cNode) {
		for i, a := range args {
			if i > 0 {
				b.WriteString(", ")
			}
			a.write(b)
		}
	}
	switch n.kind {
	case "path":
		for i, t := range n.path {
			switch {
			case t.kind == tokNumber:
				b.WriteString("[" + t.text + "]")
			case i > 0:
				b.WriteString("." + t.text)
			default:
				b.WriteString(t.text)
			}
		}
	case "value":
		b.WriteString(n.tok.text)
	case "func":
		b.WriteString(n.op + "(")
		list(n.args)
		b.WriteString(")")
	case "or", "and":
		b.WriteString("(")
		n.args[0].write(b)
		b.WriteString(") " + strings.ToUpper(n.kind) + " (")
		n.args[1].write(b)
		b.WriteString(")")
	case "not":
		b.WriteString("NOT (")
		n.args[0].write(b)
		b.WriteString(")")
	case "cmp":
		n.args[0].write(b)
		b.WriteString(" " + n.op + " ")
		n.args[1].write(b)
	case "between":
		// a BETWEEN b AND c is a >= b AND a <= c (the developer guide's definition), written
		// so because minidyn parses no function call as a bound.
		b.WriteString("(")
		n.args[0].write(b)
		b.WriteString(" >= ")
		n.args[1].write(b)
		b.WriteString(") AND (")
		n.args[0].write(b)
		b.WriteString(" <= ")
		n.args[2].write(b)
		b.WriteString(")")
	case "in":
		n.args[0].write(b)
		b.WriteString(" IN (")
		list(n.args[1:])
		b.WriteString(")")
	}
}

// condFunctions are the functions of condition expressions with their number of operands.
var condFunctions = map[string]int{"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
	"begins_with": 2, "contains": 2, "size": 1}

// attributeTypeNames are the type names attribute_type takes, in the order DynamoDB lists them.
const attributeTypeNames = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"

// checkConditionGrammar checks a condition, filter or key condition expression as described
// above, before the table is looked up.
func checkConditionGrammar(label, expr string, args exprArgs) error {
	tree := conditionTrees.Get(expr, parseConditionText)
	if !tree.complete {
		t := tree.toks[tree.far]
		u := &updateParser{src: expr, toks: tree.toks}
		return validation(`Invalid %s: Syntax error; token: "%s", near: "%s"`, label, t.text, u.nearText(t))
	}
	root := tree.root
	p := &condParser{src: expr, toks: tree.toks, label: label, args: args}
	c := &condChecker{p: p, errs: map[string]string{}}
	c.visit(root, true)
	if n := root; n.kind == "func" && n.op == "size" {
		c.note("misused", "The function is not allowed to be used this way in an expression; function: size")
	}
	for _, kind := range []string{"parens", "function name", "misused", "reserved", "condition"} {
		if msg, ok := c.errs[kind]; ok {
			return validation("Invalid %s: %s", label, msg)
		}
	}
	return nil
}

type condChecker struct {
	p    *condParser
	errs map[string]string
	cond map[string]string // the current test's problems
}

func (c *condChecker) note(kind, msg string) {
	if _, ok := c.errs[kind]; !ok {
		c.errs[kind] = msg
	}
}

func (c *condChecker) noteCond(kind, msg string) {
	if _, ok := c.cond[kind]; !ok && c.cond != nil {
		c.cond[kind] = msg
	}
}

// visit checks a test (isTest) or an operand and returns an operand's type when the expression
// tells it ("" otherwise): a value's, N for size, BOOL for a test function.
func (c *condChecker) visit(n *cNode, isTest bool) string {
	if n.redundant {
		c.note("parens", "The expression has redundant parentheses;")
	}
	switch n.kind {
	case "or", "and", "not":
		for _, a := range n.args {
			if a.kind == "func" && a.op == "size" {
				c.note("misused", "The function is not allowed to be used this way in an expression; function: size")
			}
			c.visit(a, true)
		}
		return ""
	case "path":
		for _, t := range n.path {
			switch t.kind {
			case tokIdent:
				if language.IsReservedWord(strings.ToUpper(t.text)) {
					c.note("reserved", "Attribute name is a reserved keyword; reserved keyword: "+t.text)
				}
			case tokName:
				if _, ok := c.p.args.names[t.text]; !ok {
					c.noteCond("placeholder", "An expression attribute name used in the document path is not defined; attribute name: "+t.text)
				}
			}
		}
		return ""
	case "value":
		v, ok := c.p.args.values[n.tok.text]
		if !ok {
			c.noteCond("placeholder", "An expression attribute value used in expression is not defined; attribute value: "+n.tok.text)
			return ""
		}
		return typeOf(v)
	}
	outer := c.cond
	if isTest {
		c.cond = map[string]string{}
	}
	types := make([]string, len(n.args))
	for i, a := range n.args {
		if a.kind == "func" && a.op != "size" {
			c.note("misused", "The function is not allowed to be used this way in an expression; function: "+a.op)
		}
		types[i] = c.visit(a, false)
	}
	typ := ""
	switch n.kind {
	case "cmp":
		c.distinct(n.op, n.args)
	case "between":
		c.between(n.args[1], n.args[2])
	case "func":
		typ = c.function(n, types)
	}
	if isTest {
		for _, kind := range []string{"placeholder", "operands", "distinct", "function"} {
			if msg, ok := c.cond[kind]; ok {
				c.note("condition", msg)
				break
			}
		}
		c.cond = outer
	}
	return typ
}

// distinct notes a comparison or function whose two operands are the same path.
func (c *condChecker) distinct(op string, args []*cNode) {
	if len(args) != 2 || args[0].kind != "path" || args[1].kind != "path" || len(args[0].path) != len(args[1].path) {
		return
	}
	for i, t := range args[0].path {
		if c.pathPart(t) != c.pathPart(args[1].path[i]) {
			return
		}
	}
	parts := make([]string, len(args[0].path))
	for i, t := range args[0].path {
		parts[i] = c.pathPart(t)
	}
	c.noteCond("distinct", "The first operand must be distinct from the remaining operands for this operator or function; operator: "+op+", first operand: ["+strings.Join(parts, ", ")+"]")
}

func (c *condChecker) pathPart(t token) string {
	switch t.kind {
	case tokNumber:
		return "[" + t.text + "]"
	case tokName:
		return c.p.args.names[t.text]
	}
	return t.text
}

// between notes BETWEEN's bounds when both are values: of one type, the lower not above the upper.
func (c *condChecker) between(lo, hi *cNode) {
	if lo.kind != "value" || hi.kind != "value" {
		return
	}
	a, b := c.p.args.values[lo.tok.text], c.p.args.values[hi.tok.text]
	if a == nil || b == nil {
		return
	}
	switch {
	case typeOf(a) != typeOf(b):
		c.noteCond("function", "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: "+describeValue(a)+", upper bound operand: AttributeValue: "+describeValue(b))
	case (typeOf(a) == "S" || typeOf(a) == "N" || typeOf(a) == "B") && compareScalars(a, b) > 0:
		c.noteCond("function", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: "+describeValue(a)+", upper bound operand: AttributeValue: "+describeValue(b))
	}
}

// function checks a function's name, its number of operands and their types.
func (c *condChecker) function(n *cNode, types []string) string {
	want, ok := condFunctions[n.op]
	if !ok {
		c.note("function name", "Invalid function name; function: "+n.op)
		return ""
	}
	if len(n.args) != want {
		c.noteCond("operands", "Incorrect number of operands for operator or function; operator or function: "+n.op+", number of operands: "+strconv.Itoa(len(n.args)))
		return ""
	}
	c.distinct(n.op, n.args)
	wrongType := func(t string) {
		c.noteCond("function", "Incorrect operand type for operator or function; operator or function: "+n.op+", operand type: "+t)
	}
	switch n.op {
	case "attribute_exists", "attribute_not_exists":
		if n.args[0].kind != "path" {
			c.noteCond("function", "Operator or function requires a document path; operator or function: "+n.op)
		}
		return ""
	case "begins_with":
		for _, t := range types {
			if t != "" && t != "S" && t != "B" {
				wrongType(t)
				break
			}
		}
	case "attribute_type":
		switch types[1] {
		case "S":
			if v := c.p.args.values[n.args[1].tok.text]; v != nil && !slices.Contains(strings.Split(strings.Trim(attributeTypeNames, "{}"), ","), *v.S) {
				c.noteCond("function", "Invalid attribute type name found; type: "+*v.S+", valid types: "+attributeTypeNames)
			}
		case "":
			wrongType("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
		default:
			wrongType(types[1])
		}
	case "size":
		if t := types[0]; t == "N" || t == "BOOL" || t == "NULL" {
			wrongType(t)
		}
		return "N"
	}
	return "BOOL"
}
