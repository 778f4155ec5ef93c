package model

import (
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
			p, err = l.condition(attr, "EQ", []*Value{e.Value})
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
