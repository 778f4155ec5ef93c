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

// kcTerm is one key condition: an attribute, a legacy ComparisonOperator (EQ, LT, LE, GT, GE,
// BETWEEN, BEGINS_WITH; from KeyConditions also the non-indexable ones) and its values.
type kcTerm struct {
	attr string
	op   string
	vals []*Value
}

// keyCondTerms checks a compiled KeyConditionExpression's shape, as DynamoDB does before it
// looks at the table: only AND, comparisons, BETWEEN and begins_with; in each condition one
// top-level attribute, first; one condition per attribute. It returns the conditions.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
func keyCondTerms(c *condition) ([]kcTerm, error) {
	w := kcWalker{args: c.args, seen: map[string]bool{}}
	if err := w.walk(c.ast.Expression); err != nil {
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

func (w *kcWalker) walk(n language.Expression) error {
	var op string
	var args []language.Expression
	switch n := n.(type) {
	case *language.PrefixExpression:
		return kcInvalidOp(strings.ToUpper(n.Operator))
	case *language.InExpression:
		return kcInvalidOp("IN")
	case *language.InfixExpression:
		switch o := strings.ToUpper(n.Operator); o {
		case "AND":
			if err := w.walk(n.Left); err != nil {
				return err
			}
			return w.walk(n.Right)
		case "OR", "<>":
			return kcInvalidOp(o)
		default:
			op, args = kcOps[o], []language.Expression{n.Left, n.Right}
		}
	case *language.BetweenExpression:
		if !kcIsPath(n.Left) {
			return validation("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")
		}
		op, args = "BETWEEN", []language.Expression{n.Left, n.Range[0], n.Range[1]}
	case *language.CallExpression:
		name := kcFuncName(n)
		switch name {
		case "attribute_exists", "attribute_not_exists", "attribute_type", "contains":
			return kcInvalidOp(name)
		case "size":
			return validation("KeyConditionExpressions cannot contain nested operations")
		}
		if len(n.Arguments) == 0 || !kcIsPath(n.Arguments[0]) {
			return validation("Invalid condition in KeyConditionExpression: %s operator must have the key attribute as its first operand", name)
		}
		op, args = "BEGINS_WITH", n.Arguments
	default:
		return validation("Invalid condition in KeyConditionExpression: No key attribute specified")
	}
	attr, at := "", 0
	var vals []*Value
	for i, a := range args {
		switch {
		case kcIsPath(a):
			if attr != "" {
				return validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
			}
			id, ok := a.(*language.Identifier)
			if !ok {
				return validation("KeyConditionExpressions cannot have conditions on nested attributes")
			}
			attr, at = id.Value, i
			if n, ok := w.args.names[attr]; ok {
				attr = n
			}
		case kcIsValue(a):
			name := a.(*language.Identifier).Value
			v, ok := w.args.values[name]
			if !ok {
				return validation("Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: %s", name)
			}
			vals = append(vals, v)
		default:
			if err := w.walk(a); err != nil {
				return err
			}
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

func kcFuncName(c *language.CallExpression) string {
	if id, ok := c.Function.(*language.Identifier); ok {
		return id.Value
	}
	return ""
}

func kcIsValue(e language.Expression) bool {
	id, ok := e.(*language.Identifier)
	return ok && strings.HasPrefix(id.Value, ":")
}

// kcIsPath reports whether e is a document path (an attribute, nested or not).
func kcIsPath(e language.Expression) bool {
	switch e := e.(type) {
	case *language.Identifier:
		return !strings.HasPrefix(e.Value, ":")
	case *language.IndexExpression:
		return true
	}
	return false
}

// kcBetween checks the bounds of BETWEEN on values, as DynamoDB does while it parses.
func kcBetween(c *condition) error {
	var err error
	var visit func(n language.Expression)
	visit = func(n language.Expression) {
		switch n := n.(type) {
		case *language.InfixExpression:
			visit(n.Left)
			visit(n.Right)
		case *language.PrefixExpression:
			visit(n.Right)
		case *language.BetweenExpression:
			if err != nil || !kcIsValue(n.Range[0]) || !kcIsValue(n.Range[1]) {
				return
			}
			lo := c.args.values[n.Range[0].(*language.Identifier).Value]
			hi := c.args.values[n.Range[1].(*language.Identifier).Value]
			if lo == nil || hi == nil {
				return
			}
			switch {
			case typeOf(lo) != typeOf(hi):
				err = validation("Invalid %s: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", c.label, describeValue(lo), describeValue(hi))
			case (typeOf(lo) == "S" || typeOf(lo) == "N" || typeOf(lo) == "B") && compareScalars(lo, hi) > 0:
				err = validation("Invalid %s: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s", c.label, describeValue(lo), describeValue(hi))
			}
		}
	}
	visit(c.ast.Expression)
	return err
}

// compileKeyCond compiles a KeyConditionExpression and checks what needs no table.
func compileKeyCond(expr string, args exprArgs) ([]kcTerm, error) {
	c, err := compileCondition("KeyConditionExpression", expr, args)
	if err != nil {
		return nil, err
	}
	if err := kcBetween(c); err != nil {
		return nil, err
	}
	return keyCondTerms(c)
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
