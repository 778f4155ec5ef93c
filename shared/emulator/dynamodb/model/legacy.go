package model

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// DynamoDB's legacy (pre-expression) parameters are translated into the expression form the
// interpreter evaluates: KeyConditions, QueryFilter, ScanFilter and Expected into condition
// expressions, AttributeUpdates into an update expression, with placeholders of their own.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html

// param is one request parameter and whether the request set it.
type param struct {
	name string
	set  bool
}

// checkMixed rejects a request that uses expression and non-expression parameters together,
// and placeholders without expressions, with DynamoDB's messages.
func checkMixed(exprs, legacy []param, names map[string]string, values Item, valueExprs string) error {
	var e, l []string
	for _, p := range exprs {
		if p.set {
			e = append(e, p.name)
		}
	}
	for _, p := range legacy {
		if p.set {
			l = append(l, p.name)
		}
	}
	if len(e) > 0 && len(l) > 0 {
		return validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
			strings.Join(l, ", "), strings.Join(e, ", "))
	}
	if len(e) == 0 && names != nil {
		return validation("ExpressionAttributeNames can only be specified when using expressions")
	}
	if len(e) == 0 && values != nil && valueExprs != "" {
		return validation("ExpressionAttributeValues can only be specified when using expressions: %s", valueExprs)
	}
	return nil
}

// legacy builds expressions from legacy parameters, with placeholders of its own added to the
// request's.
type legacy struct {
	names  map[string]string
	values Item
	n      int
}

func newLegacy(names map[string]string, values Item) *legacy {
	l := &legacy{names: maps.Clone(names), values: maps.Clone(values)}
	if l.names == nil {
		l.names = map[string]string{}
	}
	if l.values == nil {
		l.values = Item{}
	}
	return l
}

func (l *legacy) name(attr string) string {
	for {
		l.n++
		p := "#legacy" + strconv.Itoa(l.n)
		if _, taken := l.names[p]; !taken {
			l.names[p] = attr
			return p
		}
	}
}

func (l *legacy) value(v *Value) string {
	for {
		l.n++
		p := ":legacy" + strconv.Itoa(l.n)
		if _, taken := l.values[p]; !taken {
			l.values[p] = v
			return p
		}
	}
}

// args are the placeholders of the expressions built, nil when none.
func (l *legacy) args() exprArgs {
	a := exprArgs{names: l.names, values: l.values}
	if len(a.names) == 0 {
		a.names = nil
	}
	if len(a.values) == 0 {
		a.values = nil
	}
	return a
}

// legacyOperators are the ComparisonOperators, with how many values each takes (-1: one or
// more) and the value types it takes.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
var legacyOperators = map[string]struct {
	args  int
	types string
}{
	"EQ": {1, "S N B SS NS BS"}, "NE": {1, "S N B SS NS BS"},
	"LE": {1, "S N B"}, "LT": {1, "S N B"}, "GE": {1, "S N B"}, "GT": {1, "S N B"},
	"NOT_NULL": {0, ""}, "NULL": {0, ""},
	"CONTAINS": {1, "S N B"}, "NOT_CONTAINS": {1, "S N B"}, "BEGINS_WITH": {1, "S B"},
	"IN": {-1, "S N B"}, "BETWEEN": {2, "S N B"},
}

// condition translates one legacy condition on attr.
func (l *legacy) condition(attr, op string, vals []*Value) (string, error) {
	spec, ok := legacyOperators[op]
	if !ok {
		return "", validation("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]", op)
	}
	// DynamoDB checks the values first, then their number, then their types.
	for _, v := range vals {
		if err := validateValue(v, 0); err != nil {
			return "", err
		}
	}
	if spec.args >= 0 && len(vals) != spec.args || spec.args < 0 && len(vals) == 0 {
		return "", validation("One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	for _, v := range vals {
		if typeOf(v) != typeOf(vals[0]) {
			return "", validation("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type")
		}
	}
	for _, v := range vals {
		if !slices.Contains(strings.Fields(spec.types), typeOf(v)) {
			return "", validation("One or more parameter values were invalid: ComparisonOperator %s is not valid for %s AttributeValue type", op, typeOf(v))
		}
	}
	if op == "BETWEEN" && compareScalars(vals[0], vals[1]) > 0 {
		return "", validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
	}
	n := l.name(attr)
	switch op {
	case "NOT_NULL":
		return "attribute_exists(" + n + ")", nil
	case "NULL":
		return "attribute_not_exists(" + n + ")", nil
	case "CONTAINS":
		return "contains(" + n + ", " + l.value(vals[0]) + ")", nil
	case "NOT_CONTAINS":
		return "NOT contains(" + n + ", " + l.value(vals[0]) + ")", nil
	case "BEGINS_WITH":
		return "begins_with(" + n + ", " + l.value(vals[0]) + ")", nil
	case "BETWEEN":
		return n + " BETWEEN " + l.value(vals[0]) + " AND " + l.value(vals[1]), nil
	case "IN":
		ps := make([]string, len(vals))
		for i, v := range vals {
			ps[i] = l.value(v)
		}
		return n + " IN (" + strings.Join(ps, ", ") + ")", nil
	}
	sym := map[string]string{"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}[op]
	return n + " " + sym + " " + l.value(vals[0]), nil
}

// checkConditions checks KeyConditions, QueryFilter or ScanFilter as DynamoDB does before it
// looks at the table: each condition's values, their number and their types.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
func checkConditions(conds map[string]Condition) error {
	l := newLegacy(nil, nil)
	for _, attr := range slices.Sorted(maps.Keys(conds)) {
		c := conds[attr]
		if _, err := l.condition(attr, c.ComparisonOperator, c.AttributeValueList); err != nil {
			return err
		}
	}
	return nil
}

// join combines conditions with ConditionalOperator (AND when absent).
func join(parts []string, op string) (string, error) {
	switch op {
	case "", "AND", "OR":
	default:
		return "", validation("1 validation error detected: Value '%s' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]", op)
	}
	if op == "" {
		op = "AND"
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	for i, p := range parts {
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, " "+op+" "), nil
}

// conditions translates KeyConditions, QueryFilter or ScanFilter.
func (l *legacy) conditions(conds map[string]Condition, op string) (string, error) {
	var parts []string
	for _, attr := range slices.Sorted(maps.Keys(conds)) {
		c := conds[attr]
		p, err := l.condition(attr, c.ComparisonOperator, c.AttributeValueList)
		if err != nil {
			return "", err
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "", nil
	}
	return join(parts, op)
}

// expected translates Expected (its Value/Exists form and its ComparisonOperator form).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html
func (l *legacy) expected(exp map[string]ExpectedAttributeValue, op string) (string, error) {
	var parts []string
	for _, attr := range slices.Sorted(maps.Keys(exp)) {
		e := exp[attr]
		const invalid = "One or more parameter values were invalid: "
		if e.AttributeValueList != nil && e.Value != nil {
			return "", validation(invalid+"Value and AttributeValueList cannot be used together for Attribute: %s", attr)
		}
		var p string
		var err error
		switch {
		case e.ComparisonOperator != "":
			if e.Exists != nil {
				return "", validation(invalid+"Exists and ComparisonOperator cannot be used together for Attribute: %s", attr)
			}
			vals := e.AttributeValueList
			if e.Value != nil {
				vals = []*Value{e.Value}
			}
			if vals == nil && e.ComparisonOperator != "NULL" && e.ComparisonOperator != "NOT_NULL" {
				return "", validation(invalid+"Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", e.ComparisonOperator, attr)
			}
			p, err = l.condition(attr, e.ComparisonOperator, vals)
		case e.AttributeValueList != nil:
			return "", validation(invalid+"AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", attr)
		case e.Exists != nil && !*e.Exists:
			if e.Value != nil {
				return "", validation(invalid+"Value cannot be used when Exists is false for Attribute: %s", attr)
			}
			p = "attribute_not_exists(" + l.name(attr) + ")"
		default:
			if e.Value == nil {
				exists := "null"
				if e.Exists != nil {
					exists = "true"
				}
				return "", validation(invalid+"Value must be provided when Exists is %s for Attribute: %s", exists, attr)
			}
			// Value (with Exists true or absent) is an equality of any type: the types the
			// ComparisonOperator EQ takes are not required of it (a BOOL compares as well).
			// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html
			if err = validateValue(e.Value, 0); err == nil {
				p = l.name(attr) + " = " + l.value(e.Value)
			}
		}
		if err != nil {
			return "", err
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "", nil
	}
	return join(parts, op)
}

// updates translates AttributeUpdates: PUT sets, DELETE without a value removes, DELETE with a
// set removes its elements, ADD adds to a number or a set and appends to a list.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValueUpdate.html
func (l *legacy) updates(upd map[string]AttributeValueUpdate) (string, error) {
	var set, remove, add, del []string
	for _, attr := range slices.Sorted(maps.Keys(upd)) {
		u := upd[attr]
		if u.Value != nil {
			if err := validateValue(u.Value, 0); err != nil {
				return "", err
			}
		}
		action := u.Action
		if action == "" {
			action = "PUT"
		}
		switch action {
		case "PUT":
			if u.Value == nil {
				return "", validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			set = append(set, l.name(attr)+" = "+l.value(u.Value))
		case "DELETE":
			if u.Value == nil {
				remove = append(remove, l.name(attr))
				continue
			}
			switch typeOf(u.Value) {
			case "SS", "NS", "BS":
			default:
				return "", validation("One or more parameter values were invalid: DELETE action with value is not supported for the type %s", typeOf(u.Value))
			}
			del = append(del, l.name(attr)+" "+l.value(u.Value))
		case "ADD":
			if u.Value == nil {
				return "", validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			switch typeOf(u.Value) {
			case "N", "SS", "NS", "BS":
				add = append(add, l.name(attr)+" "+l.value(u.Value))
			case "L":
				n := l.name(attr)
				set = append(set, n+" = list_append(if_not_exists("+n+", "+l.value(&Value{L: []*Value{}})+"), "+l.value(u.Value)+")")
			default:
				return "", validation("One or more parameter values were invalid: ADD action is not supported for the type %s", typeOf(u.Value))
			}
		default:
			return "", validation("1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]", action, attr)
		}
	}
	var clauses []string
	for _, c := range []struct {
		kw    string
		parts []string
	}{{"SET", set}, {"REMOVE", remove}, {"ADD", add}, {"DELETE", del}} {
		if len(c.parts) > 0 {
			clauses = append(clauses, c.kw+" "+strings.Join(c.parts, ", "))
		}
	}
	return strings.Join(clauses, " "), nil
}

// compareScalars orders two S, N or B values of the same type.
func compareScalars(a, b *Value) int {
	typ := typeOf(a)
	x, _ := keyValueOf(a, typ)
	y, _ := keyValueOf(b, typ)
	return compareKey(typ, x, y)
}

// PartiQL.
//
// ExecuteStatement, BatchExecuteStatement and ExecuteTransaction take statements in DynamoDB's
// PartiQL (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html).
// Like the legacy parameters, a statement is translated into the expression form, with
// placeholders of its own, and run as the operation it stands for: SELECT as a Scan filtered by
// its WHERE clause (or, in a batch or a transaction, as a read of the one key its WHERE clause
// names), INSERT as a PutItem on the condition that no item has its key, UPDATE as an
// UpdateItem on the condition that the item exists, DELETE as a DeleteItem. UPDATE, DELETE and
// a batch's or transaction's SELECT name the item by equalities on every key attribute in the
// WHERE clause's top-level ANDs; the rest of the clause is their condition.
//
// The grammar taken: SELECT * | path, … FROM "table"[."index"] [WHERE condition];
// INSERT INTO "table" VALUE {…}; UPDATE "table" (SET path = value, … | REMOVE path, …)…
// WHERE condition; DELETE FROM "table" WHERE condition. A condition combines comparisons
// (= <> != < <= > >=), BETWEEN … AND …, IN […], IS [NOT] MISSING, and the functions
// begins_with, contains, attribute_exists, attribute_not_exists, attribute_type and size with
// AND, OR, NOT and parentheses. Values are 'strings', numbers, TRUE, FALSE, NULL, {'k': v}
// maps, [v, …] lists, <<v, …>> sets and ? parameters. Identifiers in double quotes name tables
// and attributes as they are.

// CodeDuplicateItem is PartiQL INSERT's answer when an item with its key exists.
const CodeDuplicateItem = "DuplicateItemException"

type pqlKind int

const (
	pqlEOF pqlKind = iota
	pqlWord
	pqlQuoted
	pqlString
	pqlNumber
	pqlPunct
)

type pqlToken struct {
	kind pqlKind
	text string
}

// pqlSyntax is a statement the grammar does not take.
type pqlSyntax struct{ msg string }

func pqlError(format string, args ...any) { panic(pqlSyntax{fmt.Sprintf(format, args...)}) }

func lexPartiQL(s string) []pqlToken {
	var out []pqlToken
	isWord := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					pqlError("unterminated %c at %d", c, i)
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			kind := pqlQuoted
			if c == '\'' {
				kind = pqlString
			}
			out = append(out, pqlToken{kind, b.String()})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				j++
				if j < len(s) && (s[j] == '+' || s[j] == '-') {
					j++
				}
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
			}
			out = append(out, pqlToken{pqlNumber, s[i:j]})
			i = j
		case isWord(c):
			j := i
			for j < len(s) && isWord(s[j]) {
				j++
			}
			out = append(out, pqlToken{pqlWord, s[i:j]})
			i = j
		default:
			if i+1 < len(s) {
				if two := s[i : i+2]; two == "<<" || two == ">>" || two == "<=" || two == ">=" || two == "<>" || two == "!=" {
					out = append(out, pqlToken{pqlPunct, two})
					i += 2
					continue
				}
			}
			if !strings.ContainsRune(",.[](){}:=<>?*+-;", rune(c)) {
				pqlError("unexpected character %q at %d", c, i)
			}
			out = append(out, pqlToken{pqlPunct, string(c)})
			i++
		}
	}
	return append(out, pqlToken{kind: pqlEOF})
}

// pqlExpr is a node of a WHERE clause or a SET value.
type pqlExpr struct {
	op   string // AND OR NOT CMP BETWEEN IN FUNC PATH VALUE ARITH MISSING PRESENT
	cmp  string // the comparison or arithmetic operator
	fn   string
	args []*pqlExpr
	path docPath
	val  *Value
}

// pqlAction is one SET or REMOVE of an UPDATE.
type pqlAction struct {
	remove bool
	path   docPath
	val    *pqlExpr
}

// pqlStatement is a parsed statement.
type pqlStatement struct {
	kind         string // SELECT INSERT UPDATE DELETE
	table, index string
	proj         []docPath // nil: *
	where        *pqlExpr
	item         Item
	actions      []pqlAction
}

type pqlParser struct {
	toks   []pqlToken
	pos    int
	params []*Value
	used   int
}

func (p *pqlParser) peek() pqlToken { return p.toks[p.pos] }

func (p *pqlParser) next() pqlToken {
	t := p.toks[p.pos]
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}

// is reports whether the next token is the keyword or punctuation text (keywords in any case).
func (p *pqlParser) is(text string) bool {
	t := p.peek()
	return (t.kind == pqlWord && strings.EqualFold(t.text, text)) || (t.kind == pqlPunct && t.text == text)
}

func (p *pqlParser) accept(text string) bool {
	if p.is(text) {
		p.next()
		return true
	}
	return false
}

func (p *pqlParser) expect(text string) {
	if !p.accept(text) {
		p.unexpected("expected " + text)
	}
}

func (p *pqlParser) unexpected(why string) {
	t := p.peek()
	if t.kind == pqlEOF {
		pqlError("unexpected end of statement, %s", why)
	}
	pqlError("unexpected token %q, %s", t.text, why)
}

// parsePartiQL parses one statement; params are its ? values, in order.
func parsePartiQL(stmt string, params []*Value) (s *pqlStatement, err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(pqlSyntax)
			if !ok {
				panic(r)
			}
			s, err = nil, validation("Statement wasn't well formed, can't be processed: %s", se.msg)
		}
	}()
	p := &pqlParser{toks: lexPartiQL(stmt), params: params}
	s = &pqlStatement{}
	switch {
	case p.accept("SELECT"):
		s.kind = "SELECT"
		if !p.accept("*") {
			for {
				s.proj = append(s.proj, p.path())
				if !p.accept(",") {
					break
				}
			}
		}
		p.expect("FROM")
		p.tableRef(s, true)
		if p.accept("WHERE") {
			s.where = p.or()
		}
	case p.accept("INSERT"):
		s.kind = "INSERT"
		p.expect("INTO")
		p.tableRef(s, false)
		p.expect("VALUE")
		v := p.literal()
		if v.M == nil {
			pqlError("INSERT takes a map value: {'attribute': value, …}")
		}
		s.item = Item(v.M)
	case p.accept("UPDATE"):
		s.kind = "UPDATE"
		p.tableRef(s, false)
		for {
			switch {
			case p.accept("SET"):
				for {
					path := p.path()
					p.expect("=")
					s.actions = append(s.actions, pqlAction{path: path, val: p.operand()})
					if !p.accept(",") {
						break
					}
				}
				continue
			case p.accept("REMOVE"):
				for {
					s.actions = append(s.actions, pqlAction{remove: true, path: p.path()})
					if !p.accept(",") {
						break
					}
				}
				continue
			}
			break
		}
		if len(s.actions) == 0 {
			p.unexpected("expected SET or REMOVE")
		}
		p.expect("WHERE")
		s.where = p.or()
	case p.accept("DELETE"):
		s.kind = "DELETE"
		p.expect("FROM")
		p.tableRef(s, false)
		p.expect("WHERE")
		s.where = p.or()
	default:
		p.unexpected("expected SELECT, INSERT, UPDATE or DELETE")
	}
	p.accept(";")
	if p.peek().kind != pqlEOF {
		p.unexpected("expected the end of the statement")
	}
	if p.used != len(params) {
		return nil, validation("Number of parameters in request and statement don't match.")
	}
	return s, nil
}

func (p *pqlParser) name() string {
	t := p.peek()
	if t.kind != pqlWord && t.kind != pqlQuoted {
		p.unexpected("expected a name")
	}
	p.next()
	return t.text
}

func (p *pqlParser) tableRef(s *pqlStatement, index bool) {
	s.table = p.name()
	if index && p.accept(".") {
		s.index = p.name()
	}
}

func (p *pqlParser) path() docPath {
	path := docPath{{name: p.name()}}
	for {
		switch {
		case p.accept("."):
			path = append(path, pathElem{name: p.name()})
		case p.accept("["):
			t := p.next()
			n, err := strconv.Atoi(t.text)
			if t.kind != pqlNumber || err != nil {
				pqlError("a list index is a whole number, not %q", t.text)
			}
			p.expect("]")
			path = append(path, pathElem{index: n, isIdx: true})
		default:
			return path
		}
	}
}

func (p *pqlParser) or() *pqlExpr {
	e := p.and()
	for p.accept("OR") {
		e = &pqlExpr{op: "OR", args: []*pqlExpr{e, p.and()}}
	}
	return e
}

func (p *pqlParser) and() *pqlExpr {
	e := p.not()
	for p.accept("AND") {
		e = &pqlExpr{op: "AND", args: []*pqlExpr{e, p.not()}}
	}
	return e
}

func (p *pqlParser) not() *pqlExpr {
	if p.accept("NOT") {
		return &pqlExpr{op: "NOT", args: []*pqlExpr{p.not()}}
	}
	return p.predicate()
}

// pqlConditions are the functions that are conditions by themselves.
var pqlConditions = map[string]bool{"begins_with": true, "contains": true, "attribute_exists": true, "attribute_not_exists": true, "attribute_type": true}

func (p *pqlParser) predicate() *pqlExpr {
	if p.accept("(") {
		e := p.or()
		p.expect(")")
		return e
	}
	left := p.operand()
	switch {
	case p.is("=") || p.is("<>") || p.is("!=") || p.is("<") || p.is("<=") || p.is(">") || p.is(">="):
		op := p.next().text
		if op == "!=" {
			op = "<>"
		}
		return &pqlExpr{op: "CMP", cmp: op, args: []*pqlExpr{left, p.operand()}}
	case p.accept("BETWEEN"):
		lo := p.operand()
		p.expect("AND")
		return &pqlExpr{op: "BETWEEN", args: []*pqlExpr{left, lo, p.operand()}}
	case p.accept("IN"):
		closing := "]"
		if !p.accept("[") {
			p.expect("(")
			closing = ")"
		}
		e := &pqlExpr{op: "IN", args: []*pqlExpr{left}}
		for {
			e.args = append(e.args, p.operand())
			if !p.accept(",") {
				break
			}
		}
		p.expect(closing)
		return e
	case p.accept("IS"):
		neg := p.accept("NOT")
		if left.op != "PATH" {
			pqlError("IS takes a document path")
		}
		switch {
		case p.accept("MISSING"):
			if neg {
				return &pqlExpr{op: "PRESENT", path: left.path}
			}
			return &pqlExpr{op: "MISSING", path: left.path}
		case p.accept("NULL"):
			e := &pqlExpr{op: "FUNC", fn: "attribute_type", args: []*pqlExpr{left, {op: "VALUE", val: &Value{S: ptr("NULL")}}}}
			if neg {
				return &pqlExpr{op: "NOT", args: []*pqlExpr{e}}
			}
			return e
		}
		p.unexpected("expected MISSING or NULL")
	}
	if left.op == "FUNC" && pqlConditions[left.fn] {
		return left
	}
	p.unexpected("expected a comparison")
	return nil
}

func ptr[T any](v T) *T { return &v }

// operand is a path, a value, a function call or a sum or difference of them.
func (p *pqlParser) operand() *pqlExpr {
	e := p.term()
	for p.is("+") || p.is("-") {
		op := p.next().text
		e = &pqlExpr{op: "ARITH", cmp: op, args: []*pqlExpr{e, p.term()}}
	}
	return e
}

func (p *pqlParser) term() *pqlExpr {
	t := p.peek()
	if t.kind == pqlWord && p.toks[p.pos+1].kind == pqlPunct && p.toks[p.pos+1].text == "(" {
		fn := strings.ToLower(t.text)
		if !pqlConditions[fn] && fn != "size" {
			pqlError("unknown function %s", t.text)
		}
		p.next()
		p.next()
		e := &pqlExpr{op: "FUNC", fn: fn}
		if !p.accept(")") {
			for {
				e.args = append(e.args, p.operand())
				if !p.accept(",") {
					break
				}
			}
			p.expect(")")
		}
		return e
	}
	if t.kind == pqlQuoted || t.kind == pqlWord && !pqlLiteralWord(t.text) {
		return &pqlExpr{op: "PATH", path: p.path()}
	}
	return &pqlExpr{op: "VALUE", val: p.literal()}
}

func pqlLiteralWord(w string) bool {
	switch strings.ToUpper(w) {
	case "TRUE", "FALSE", "NULL":
		return true
	}
	return false
}

// literal reads a value: a string, number, boolean, null, map, list, set or parameter.
func (p *pqlParser) literal() *Value {
	t := p.next()
	switch {
	case t.kind == pqlString:
		return &Value{S: ptr(t.text)}
	case t.kind == pqlNumber:
		return &Value{N: ptr(t.text)}
	case t.kind == pqlPunct && t.text == "-" && p.peek().kind == pqlNumber:
		return &Value{N: ptr("-" + p.next().text)}
	case t.kind == pqlPunct && t.text == "?":
		if p.used >= len(p.params) {
			p.used++
			return &Value{NULL: ptr(true)}
		}
		p.used++
		return p.params[p.used-1]
	case t.kind == pqlWord && strings.EqualFold(t.text, "TRUE"):
		return &Value{BOOL: ptr(true)}
	case t.kind == pqlWord && strings.EqualFold(t.text, "FALSE"):
		return &Value{BOOL: ptr(false)}
	case t.kind == pqlWord && strings.EqualFold(t.text, "NULL"):
		return &Value{NULL: ptr(true)}
	case t.kind == pqlPunct && t.text == "{":
		m := map[string]*Value{}
		if !p.accept("}") {
			for {
				k := p.next()
				if k.kind != pqlString && k.kind != pqlQuoted {
					pqlError("a map's key is a 'string', not %q", k.text)
				}
				p.expect(":")
				m[k.text] = p.literal()
				if !p.accept(",") {
					break
				}
			}
			p.expect("}")
		}
		return &Value{M: m}
	case t.kind == pqlPunct && t.text == "[":
		l := []*Value{}
		if !p.accept("]") {
			for {
				l = append(l, p.literal())
				if !p.accept(",") {
					break
				}
			}
			p.expect("]")
		}
		return &Value{L: l}
	case t.kind == pqlPunct && t.text == "<<":
		var elems []*Value
		for {
			elems = append(elems, p.literal())
			if !p.accept(",") {
				break
			}
		}
		p.expect(">>")
		return pqlSet(elems)
	}
	p.pos-- // report the token that is no value
	if t.kind == pqlEOF {
		p.pos++
	}
	p.unexpected("expected a value")
	return nil
}

// pqlSet makes a string, number or binary set of values all of that type.
func pqlSet(elems []*Value) *Value {
	kind := typeOf(elems[0])
	v := &Value{}
	for _, e := range elems {
		if typeOf(e) != kind {
			pqlError("a set's members are all strings, all numbers or all binaries")
		}
		switch kind {
		case "S":
			v.SS = append(v.SS, e.S)
		case "N":
			v.NS = append(v.NS, e.N)
		case "B":
			v.BS = append(v.BS, e.B)
		default:
			pqlError("a set's members are strings, numbers or binaries")
		}
	}
	return v
}

// pqlRender writes expressions with placeholders (#pN for names, :pN for values).
type pqlRender struct {
	names  map[string]string
	byName map[string]string
	values Item
}

func (r *pqlRender) name(n string) string {
	if r.names == nil {
		r.names, r.byName = map[string]string{}, map[string]string{}
	}
	if ph, ok := r.byName[n]; ok {
		return ph
	}
	ph := "#p" + strconv.Itoa(len(r.names))
	r.names[ph], r.byName[n] = n, ph
	return ph
}

func (r *pqlRender) value(v *Value) string {
	if r.values == nil {
		r.values = Item{}
	}
	ph := ":p" + strconv.Itoa(len(r.values))
	r.values[ph] = v
	return ph
}

func (r *pqlRender) path(p docPath) string {
	var b strings.Builder
	for i, e := range p {
		switch {
		case e.isIdx:
			b.WriteString("[" + strconv.Itoa(e.index) + "]")
		case i > 0:
			b.WriteString("." + r.name(e.name))
		default:
			b.WriteString(r.name(e.name))
		}
	}
	return b.String()
}

func (r *pqlRender) expr(e *pqlExpr) string {
	switch e.op {
	case "AND", "OR":
		return "(" + r.expr(e.args[0]) + ") " + e.op + " (" + r.expr(e.args[1]) + ")"
	case "NOT":
		return "NOT (" + r.expr(e.args[0]) + ")"
	case "CMP":
		return r.expr(e.args[0]) + " " + e.cmp + " " + r.expr(e.args[1])
	case "ARITH":
		return r.expr(e.args[0]) + " " + e.cmp + " " + r.expr(e.args[1])
	case "BETWEEN":
		return r.expr(e.args[0]) + " BETWEEN " + r.expr(e.args[1]) + " AND " + r.expr(e.args[2])
	case "IN":
		parts := make([]string, len(e.args)-1)
		for i, a := range e.args[1:] {
			parts[i] = r.expr(a)
		}
		return r.expr(e.args[0]) + " IN (" + strings.Join(parts, ", ") + ")"
	case "FUNC":
		parts := make([]string, len(e.args))
		for i, a := range e.args {
			parts[i] = r.expr(a)
		}
		return e.fn + "(" + strings.Join(parts, ", ") + ")"
	case "MISSING":
		return "attribute_not_exists(" + r.path(e.path) + ")"
	case "PRESENT":
		return "attribute_exists(" + r.path(e.path) + ")"
	case "PATH":
		return r.path(e.path)
	}
	return r.value(e.val)
}

// keyOf splits a WHERE clause into the item's key (equalities on every key attribute among its
// top-level ANDs) and the rest (nil when nothing is left).
func (s *pqlStatement) keyOf(t *Table) (Item, *pqlExpr, error) {
	var conj []*pqlExpr
	var flatten func(e *pqlExpr)
	flatten = func(e *pqlExpr) {
		if e != nil && e.op == "AND" {
			flatten(e.args[0])
			flatten(e.args[1])
			return
		}
		if e != nil {
			conj = append(conj, e)
		}
	}
	flatten(s.where)
	key := Item{}
	var rest *pqlExpr
	for _, c := range conj {
		if c.op == "CMP" && c.cmp == "=" {
			l, r := c.args[0], c.args[1]
			if r.op == "PATH" {
				l, r = r, l
			}
			if l.op == "PATH" && len(l.path) == 1 && r.op == "VALUE" {
				n := l.path[0].name
				if (n == t.schema.hash.name || n == t.schema.rng.name) && key[n] == nil {
					key[n] = r.val
					continue
				}
			}
		}
		if rest == nil {
			rest = c
		} else {
			rest = &pqlExpr{op: "AND", args: []*pqlExpr{rest, c}}
		}
	}
	if key[t.schema.hash.name] == nil || t.schema.rng.name != "" && key[t.schema.rng.name] == nil {
		return nil, nil, validation("Where clause does not contain a mandatory equality on all key attributes")
	}
	return key, rest, nil
}

// ExecuteStatementInput is ExecuteStatement's request.
type ExecuteStatementInput struct {
	Statement              string   `json:"Statement"`
	Parameters             []*Value `json:"Parameters,omitempty"`
	ConsistentRead         bool     `json:"ConsistentRead,omitempty"`
	NextToken              string   `json:"NextToken,omitempty"`
	Limit                  *int     `json:"Limit,omitempty"`
	ReturnConsumedCapacity string   `json:"ReturnConsumedCapacity,omitempty"`
}

// ExecuteStatementOutput is ExecuteStatement's answer.
type ExecuteStatementOutput struct {
	Items            []Item
	NextToken        string
	LastEvaluatedKey Item
	Consumed         ConsumedCapacity
}

// PartiQLTable is the table a statement names ("" when it does not parse), for the request's
// metrics, and whether it reads.
func PartiQLTable(stmt string) (table string, read bool) {
	s, err := parsePartiQL(stmt, nil)
	if err != nil || s == nil {
		// A statement with parameters does not parse without them; its table is still its
		// table.
		toks := lexPartiQLSafe(stmt)
		for i, t := range toks {
			if t.kind == pqlWord && (strings.EqualFold(t.text, "FROM") || strings.EqualFold(t.text, "INTO") || strings.EqualFold(t.text, "UPDATE")) && i+1 < len(toks) {
				return toks[i+1].text, len(toks) > 0 && strings.EqualFold(toks[0].text, "SELECT")
			}
		}
		return "", false
	}
	return s.table, s.kind == "SELECT"
}

func lexPartiQLSafe(stmt string) (toks []pqlToken) {
	defer func() {
		if recover() != nil {
			toks = nil
		}
	}()
	return lexPartiQL(stmt)
}

func (in *ExecuteStatementInput) validate() error {
	var c constraints
	c.notNull("statement", in.Statement != "")
	c.length("statement", in.Statement, 1, 8192)
	c.atLeast("limit", in.Limit, 1)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	if in.Parameters != nil && len(in.Parameters) == 0 {
		s := "[]"
		c.fail(&s, "parameters", "Member must have length greater than or equal to 1")
	}
	return c.err()
}

// ExecuteStatement runs one statement.
func (m *Model) ExecuteStatement(in *ExecuteStatementInput) (*ExecuteStatementOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	s, err := parsePartiQL(in.Statement, in.Parameters)
	if err != nil {
		return nil, err
	}
	if s.kind != "SELECT" {
		c, err := m.pqlWrite(s, in.ReturnConsumedCapacity)
		if err != nil {
			return nil, err
		}
		return &ExecuteStatementOutput{Items: []Item{}, Consumed: c}, nil
	}
	var r pqlRender
	scan := &ScanInput{TableName: s.table, IndexName: s.index, ConsistentRead: in.ConsistentRead, Limit: in.Limit, ReturnConsumedCapacity: in.ReturnConsumedCapacity}
	if s.where != nil {
		scan.FilterExpression = r.expr(s.where)
	}
	scan.ExpressionAttributeNames, scan.ExpressionAttributeValues = r.names, r.values
	if in.NextToken != "" {
		raw, err := base64.StdEncoding.DecodeString(in.NextToken)
		var start Item
		if err == nil {
			err = start.UnmarshalJSON(raw)
		}
		if err != nil {
			return nil, validation("Invalid NextToken")
		}
		scan.ExclusiveStartKey = start
	}
	page, err := m.Scan(scan)
	if err != nil {
		return nil, err
	}
	out := &ExecuteStatementOutput{Items: make([]Item, 0, len(page.Items)), LastEvaluatedKey: page.LastEvaluatedKey, Consumed: page.Consumed}
	for _, it := range page.Items {
		out.Items = append(out.Items, s.project(it))
	}
	if page.LastEvaluatedKey != nil {
		var b strings.Builder
		writeItemJSON(&b, page.LastEvaluatedKey)
		out.NextToken = base64.StdEncoding.EncodeToString([]byte(b.String()))
	}
	return out, nil
}

// project picks a SELECT's paths from an item, each under its last name ("SELECT a.b" answers
// {"b": …}).
func (s *pqlStatement) project(it Item) Item {
	if s.proj == nil || it == nil {
		return it
	}
	out := Item{}
	for _, p := range s.proj {
		v := &Value{M: it}
		last := ""
		for _, e := range p {
			v = unpack(v)
			switch {
			case v == nil:
			case e.isIdx:
				if e.index < len(v.L) {
					v = v.L[e.index]
				} else {
					v = nil
				}
			default:
				last = e.name
				if v.M != nil {
					v = v.M[e.name]
				} else {
					v = nil
				}
			}
		}
		if v != nil {
			out[last] = v
		}
	}
	return out
}

// pqlWrite runs an INSERT, UPDATE or DELETE.
func (m *Model) pqlWrite(s *pqlStatement, rcc string) (ConsumedCapacity, error) {
	t, err := m.table(s.table)
	if err != nil {
		return ConsumedCapacity{}, err
	}
	var out *WriteOutput
	switch s.kind {
	case "INSERT":
		put := s.put(t)
		put.ReturnConsumedCapacity = rcc
		out, err = m.PutItem(put)
		if e, ok := errors.AsType[*Error](err); ok && e.Code == CodeConditionalCheck {
			err = &Error{Code: CodeDuplicateItem, Message: "Duplicate primary key exists in table"}
		}
	case "UPDATE":
		var upd *UpdateItemInput
		if upd, err = s.update(t); err == nil {
			upd.ReturnConsumedCapacity = rcc
			out, err = m.UpdateItem(upd)
		}
	case "DELETE":
		var del *DeleteItemInput
		if del, err = s.delete(t); err == nil {
			del.ReturnConsumedCapacity = rcc
			out, err = m.DeleteItem(del)
		}
	}
	if err != nil {
		return ConsumedCapacity{}, err
	}
	return out.Consumed, nil
}

func (s *pqlStatement) put(t *Table) *PutItemInput {
	return &PutItemInput{TableName: s.table, Item: s.item, ConditionExpression: "attribute_not_exists(#p0)",
		ExpressionAttributeNames: map[string]string{"#p0": t.schema.hash.name}}
}

func (s *pqlStatement) update(t *Table) (*UpdateItemInput, error) {
	key, rest, err := s.keyOf(t)
	if err != nil {
		return nil, err
	}
	var r pqlRender
	var sets, removes []string
	for _, a := range s.actions {
		if a.remove {
			removes = append(removes, r.path(a.path))
		} else {
			sets = append(sets, r.path(a.path)+" = "+r.expr(a.val))
		}
	}
	var expr []string
	if sets != nil {
		expr = append(expr, "SET "+strings.Join(sets, ", "))
	}
	if removes != nil {
		expr = append(expr, "REMOVE "+strings.Join(removes, ", "))
	}
	cond := "attribute_exists(" + r.name(t.schema.hash.name) + ")"
	if rest != nil {
		cond += " AND (" + r.expr(rest) + ")"
	}
	return &UpdateItemInput{TableName: s.table, Key: key, UpdateExpression: strings.Join(expr, " "), ConditionExpression: cond,
		ExpressionAttributeNames: r.names, ExpressionAttributeValues: r.values}, nil
}

func (s *pqlStatement) delete(t *Table) (*DeleteItemInput, error) {
	key, rest, err := s.keyOf(t)
	if err != nil {
		return nil, err
	}
	del := &DeleteItemInput{TableName: s.table, Key: key}
	if rest != nil {
		var r pqlRender
		del.ConditionExpression = r.expr(rest)
		del.ExpressionAttributeNames, del.ExpressionAttributeValues = r.names, r.values
	}
	return del, nil
}

// BatchStatementRequest is one statement of a BatchExecuteStatement.
type BatchStatementRequest struct {
	Statement      string   `json:"Statement"`
	Parameters     []*Value `json:"Parameters,omitempty"`
	ConsistentRead bool     `json:"ConsistentRead,omitempty"`
}

// BatchExecuteStatementInput is BatchExecuteStatement's request.
type BatchExecuteStatementInput struct {
	Statements             []BatchStatementRequest `json:"Statements"`
	ReturnConsumedCapacity string                  `json:"ReturnConsumedCapacity,omitempty"`
}

// BatchStatementResponse is one statement's outcome: its item (a read), or its error's code
// (ConditionalCheckFailed, DuplicateItem, ResourceNotFound, ValidationError, …) and message.
type BatchStatementResponse struct {
	TableName    string
	Item         Item
	ErrorCode    string
	ErrorMessage string
}

// BatchExecuteStatementOutput is BatchExecuteStatement's answer.
type BatchExecuteStatementOutput struct {
	Responses []BatchStatementResponse
	Consumed  []ConsumedCapacity
}

// batchErrorCodes are a batch statement's error codes for the model's errors
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchStatementError.html).
var batchErrorCodes = map[string]string{
	CodeConditionalCheck: "ConditionalCheckFailed", CodeDuplicateItem: "DuplicateItem",
	CodeResourceNotFound: "ResourceNotFound", CodeValidation: "ValidationError",
	CodeThrottling: "ThrottlingError", CodeProvisioned: "ProvisionedThroughputExceeded",
	CodeInternal: "InternalServerError",
}

// BatchExecuteStatement runs 1 to 25 statements, all reads of one item each or all writes, each
// on its own: one statement's error is its response's, not the request's.
func (m *Model) BatchExecuteStatement(in *BatchExecuteStatementInput) (*BatchExecuteStatementOutput, error) {
	var c constraints
	c.notNull("statements", in.Statements != nil)
	if in.Statements != nil && (len(in.Statements) == 0 || len(in.Statements) > 25) {
		s := "[]"
		rule := "Member must have length greater than or equal to 1"
		if len(in.Statements) > 25 {
			s, rule = strconv.Itoa(len(in.Statements))+" statements", "Member must have length less than or equal to 25"
		}
		c.fail(&s, "statements", rule)
	}
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	if err := c.err(); err != nil {
		return nil, err
	}
	reads, writes := 0, 0
	parsed := make([]*pqlStatement, len(in.Statements))
	errs := make([]error, len(in.Statements))
	for i, st := range in.Statements {
		parsed[i], errs[i] = parsePartiQL(st.Statement, st.Parameters)
		if parsed[i] != nil {
			if parsed[i].kind == "SELECT" {
				reads++
			} else {
				writes++
			}
		}
	}
	if reads > 0 && writes > 0 {
		return nil, validation("Batch statements must be either all reads or all writes")
	}
	out := &BatchExecuteStatementOutput{Responses: make([]BatchStatementResponse, len(in.Statements))}
	for i, s := range parsed {
		resp := &out.Responses[i]
		err := errs[i]
		if s != nil {
			resp.TableName = s.table
			var cc ConsumedCapacity
			if s.kind == "SELECT" {
				var item Item
				item, cc, err = m.pqlGetOne(s, in.Statements[i].ConsistentRead, in.ReturnConsumedCapacity)
				resp.Item = item
			} else {
				cc, err = m.pqlWrite(s, in.ReturnConsumedCapacity)
			}
			if err == nil && cc.TableName != "" {
				out.Consumed = append(out.Consumed, cc)
			}
		}
		if err != nil {
			resp.Item = nil
			code, msg := "ValidationError", err.Error()
			if e, ok := errors.AsType[*Error](err); ok {
				if c, known := batchErrorCodes[e.Code]; known {
					code = c
				}
				msg = e.Message
			}
			resp.ErrorCode, resp.ErrorMessage = code, msg
		}
	}
	return out, nil
}

// pqlGetOne reads the one item a SELECT's WHERE clause names by its key.
func (m *Model) pqlGetOne(s *pqlStatement, consistent bool, rcc string) (Item, ConsumedCapacity, error) {
	t, err := m.table(s.table)
	if err != nil {
		return nil, ConsumedCapacity{}, err
	}
	key, rest, err := s.keyOf(t)
	if err != nil {
		return nil, ConsumedCapacity{}, err
	}
	if rest != nil || s.index != "" {
		return nil, ConsumedCapacity{}, validation("Where clause does not contain a mandatory equality on all key attributes")
	}
	out, err := m.GetItem(&GetItemInput{TableName: s.table, Key: key, ConsistentRead: consistent, ReturnConsumedCapacity: rcc})
	if err != nil {
		return nil, ConsumedCapacity{}, err
	}
	return s.project(out.Item), out.Consumed, nil
}

// ParameterizedStatement is one statement of an ExecuteTransaction.
type ParameterizedStatement struct {
	Statement  string   `json:"Statement"`
	Parameters []*Value `json:"Parameters,omitempty"`
}

// ExecuteTransactionInput is ExecuteTransaction's request.
type ExecuteTransactionInput struct {
	TransactStatements     []ParameterizedStatement `json:"TransactStatements"`
	ClientRequestToken     string                   `json:"ClientRequestToken,omitempty"`
	ReturnConsumedCapacity string                   `json:"ReturnConsumedCapacity,omitempty"`
}

// ExecuteTransactionOutput is ExecuteTransaction's answer: the items of a transaction of reads
// (nil for one that writes).
type ExecuteTransactionOutput struct {
	Responses []Item
	Reads     bool
	Consumed  []ConsumedCapacity
}

// ExecuteTransaction runs 1 to 100 statements as one transaction: all SELECTs of one item each
// (TransactGetItems), or all writes (TransactWriteItems); an INSERT whose item exists cancels
// it with the reason DuplicateItem.
func (m *Model) ExecuteTransaction(in *ExecuteTransactionInput) (*ExecuteTransactionOutput, error) {
	var c constraints
	c.notNull("transactStatements", in.TransactStatements != nil)
	if in.TransactStatements != nil && len(in.TransactStatements) == 0 {
		s := "[]"
		c.fail(&s, "transactStatements", "Member must have length greater than or equal to 1")
	}
	if len(in.TransactStatements) > 100 {
		s := strconv.Itoa(len(in.TransactStatements)) + " statements"
		c.fail(&s, "transactStatements", "Member must have length less than or equal to 100")
	}
	c.length("clientRequestToken", in.ClientRequestToken, 1, 36)
	c.enum("returnConsumedCapacity", in.ReturnConsumedCapacity, enumReturnConsumedCapacity...)
	if err := c.err(); err != nil {
		return nil, err
	}
	parsed := make([]*pqlStatement, len(in.TransactStatements))
	reads := 0
	for i, st := range in.TransactStatements {
		s, err := parsePartiQL(st.Statement, st.Parameters)
		if err != nil {
			return nil, err
		}
		parsed[i] = s
		if s.kind == "SELECT" {
			reads++
		}
	}
	if reads > 0 && reads < len(parsed) {
		return nil, validation("Transaction statements must be either all reads or all writes")
	}
	if reads > 0 {
		get := &TransactGetItemsInput{ReturnConsumedCapacity: in.ReturnConsumedCapacity}
		for _, s := range parsed {
			t, err := m.table(s.table)
			if err != nil {
				return nil, err
			}
			key, rest, err := s.keyOf(t)
			if err != nil {
				return nil, err
			}
			if rest != nil {
				return nil, validation("Where clause does not contain a mandatory equality on all key attributes")
			}
			get.TransactItems = append(get.TransactItems, struct {
				Get *Get `json:"Get"`
			}{&Get{TableName: s.table, Key: key}})
		}
		out, err := m.TransactGetItems(get)
		if err != nil {
			return nil, err
		}
		res := &ExecuteTransactionOutput{Reads: true, Consumed: out.Consumed, Responses: make([]Item, len(out.Responses))}
		for i, it := range out.Responses {
			res.Responses[i] = parsed[i].project(it)
		}
		return res, nil
	}
	write := &TransactWriteItemsInput{ClientRequestToken: in.ClientRequestToken, ReturnConsumedCapacity: in.ReturnConsumedCapacity}
	for _, s := range parsed {
		t, err := m.table(s.table)
		if err != nil {
			return nil, err
		}
		var ti TransactWriteItem
		switch s.kind {
		case "INSERT":
			p := s.put(t)
			ti.Put = &TransactAction{TableName: s.table, Item: p.Item, ConditionExpression: p.ConditionExpression, ExpressionAttributeNames: p.ExpressionAttributeNames}
		case "UPDATE":
			u, err := s.update(t)
			if err != nil {
				return nil, err
			}
			ti.Update = &TransactAction{TableName: s.table, Key: u.Key, UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
				ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues}
		case "DELETE":
			d, err := s.delete(t)
			if err != nil {
				return nil, err
			}
			ti.Delete = &TransactAction{TableName: s.table, Key: d.Key, ConditionExpression: d.ConditionExpression,
				ExpressionAttributeNames: d.ExpressionAttributeNames, ExpressionAttributeValues: d.ExpressionAttributeValues}
		}
		write.TransactItems = append(write.TransactItems, ti)
	}
	out, err := m.TransactWriteItems(write)
	if e, ok := errors.AsType[*Error](err); ok && e.Code == CodeTransactionCanceled {
		reasons := slices.Clone(e.CancellationReasons)
		for i := range reasons {
			if i < len(parsed) && parsed[i].kind == "INSERT" && reasons[i].Code == "ConditionalCheckFailed" {
				reasons[i] = CancellationReason{Code: "DuplicateItem", Message: "Duplicate primary key exists in table"}
			}
		}
		return nil, transactionCanceled(reasons)
	}
	if err != nil {
		return nil, err
	}
	return &ExecuteTransactionOutput{Consumed: out.Consumed}, nil
}
