package asl

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/jsonpath"
)

// Comparison operators of Choice Rules
// (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html), each with the
// JSON type its operand must have.
var choiceOperators = map[string]string{
	"BooleanEquals": "boolean", "BooleanEqualsPath": "path",
	"IsBoolean": "boolean", "IsNull": "boolean", "IsNumeric": "boolean", "IsPresent": "boolean", "IsString": "boolean", "IsTimestamp": "boolean",
	"NumericEquals": "number", "NumericEqualsPath": "path", "NumericGreaterThan": "number", "NumericGreaterThanPath": "path",
	"NumericGreaterThanEquals": "number", "NumericGreaterThanEqualsPath": "path", "NumericLessThan": "number", "NumericLessThanPath": "path",
	"NumericLessThanEquals": "number", "NumericLessThanEqualsPath": "path",
	"StringEquals": "string", "StringEqualsPath": "path", "StringGreaterThan": "string", "StringGreaterThanPath": "path",
	"StringGreaterThanEquals": "string", "StringGreaterThanEqualsPath": "path", "StringLessThan": "string", "StringLessThanPath": "path",
	"StringLessThanEquals": "string", "StringLessThanEqualsPath": "path", "StringMatches": "string",
	"TimestampEquals": "timestamp", "TimestampEqualsPath": "path", "TimestampGreaterThan": "timestamp", "TimestampGreaterThanPath": "path",
	"TimestampGreaterThanEquals": "timestamp", "TimestampGreaterThanEqualsPath": "path", "TimestampLessThan": "timestamp", "TimestampLessThanPath": "path",
	"TimestampLessThanEquals": "timestamp", "TimestampLessThanEqualsPath": "path",
}

func (p *parser) choice(s *state, sm map[string]any, at string, outerVars map[string]bool) {
	list, ok := sm["Choices"].([]any)
	if !ok || len(list) == 0 {
		p.add(CodeSchema, "The value for the field 'Choices' must be a non-empty ARRAY", at+"/Choices")
	}
	for i, e := range list {
		cat := fmt.Sprintf("%s/Choices[%d]", at, i)
		rm, ok := e.(map[string]any)
		if !ok {
			p.add(CodeSchema, "A Choice Rule must be an OBJECT", cat)
			continue
		}
		r := p.choiceRule(rm, cat, s.ql, true, outerVars)
		if r != nil {
			s.choices = append(s.choices, r)
		}
	}
	if d, ok := p.str(sm, "Default", at); ok {
		s.defaultNext = d
	}
}

func (p *parser) choiceRule(rm map[string]any, at, ql string, top bool, outerVars map[string]bool) *choiceRule {
	r := &choiceRule{}
	allowed := map[string]bool{"Comment": true}
	if top {
		allowed["Next"] = true
		allowed["Assign"] = true
		if ql == JSONata {
			allowed["Output"] = true
		}
		next, ok := p.str(rm, "Next", at)
		if _, present := rm["Next"]; !present {
			p.add(CodeSchema, "These fields are required: [Next]", at)
		}
		if ok {
			r.next = next
		}
		if v, ok := rm["Assign"]; ok {
			r.assign = p.assign(v, at+"/Assign", ql, outerVars)
		}
		if v, ok := rm["Output"]; ok && ql == JSONata {
			r.output, r.hasOutput = v, true
			p.jsonataTemplate(v, at+"/Output", "Output")
		}
	}
	if ql == JSONata {
		allowed["Condition"] = true
		p.fields(rm, at, allowed)
		c, ok := rm["Condition"]
		if !ok {
			p.add(CodeSchema, "These fields are required: [Condition]", at)
			return r
		}
		if str, isStr := c.(string); isStr {
			p.jsonataOrValue(str, at+"/Condition", "Condition")
		} else if _, isBool := c.(bool); !isBool {
			p.add(CodeSchema, "The value for the field 'Condition' must be a BOOLEAN or a JSONata expression", at+"/Condition")
		}
		r.condition = c
		return r
	}
	for _, k := range []string{"And", "Or", "Not", "Variable"} {
		allowed[k] = true
	}
	var ops []string
	for k := range rm {
		if _, isOp := choiceOperators[k]; isOp {
			ops = append(ops, k)
			allowed[k] = true
		}
	}
	sort.Strings(ops)
	p.fields(rm, at, allowed)
	_, hasAnd := rm["And"]
	_, hasOr := rm["Or"]
	_, hasNot := rm["Not"]
	combos := 0
	for _, b := range []bool{hasAnd, hasOr, hasNot} {
		if b {
			combos++
		}
	}
	switch {
	case combos > 1 || (combos == 1 && len(ops) > 0):
		p.add(CodeSchema, "A Choice Rule must have exactly one of a comparison operator, And, Or or Not", at)
		return r
	case hasAnd || hasOr:
		key := "And"
		if hasOr {
			key = "Or"
		}
		list, ok := rm[key].([]any)
		if !ok || len(list) == 0 {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a non-empty ARRAY", key), at+"/"+key)
			return r
		}
		for i, e := range list {
			sub, ok := e.(map[string]any)
			sat := fmt.Sprintf("%s/%s[%d]", at, key, i)
			if !ok {
				p.add(CodeSchema, "A Choice Rule must be an OBJECT", sat)
				continue
			}
			c := p.choiceRule(sub, sat, ql, false, outerVars)
			if hasAnd {
				r.and = append(r.and, c)
			} else {
				r.or = append(r.or, c)
			}
		}
		if len(r.and) == 0 && len(r.or) == 0 {
			r.and = []*choiceRule{}
		}
		return r
	case hasNot:
		sub, ok := rm["Not"].(map[string]any)
		if !ok {
			p.add(CodeSchema, "The value for the field 'Not' must be an OBJECT", at+"/Not")
			return r
		}
		r.not = p.choiceRule(sub, at+"/Not", ql, false, outerVars)
		return r
	case len(ops) != 1:
		p.add(CodeSchema, "A Choice Rule must have exactly one comparison operator", at)
		return r
	}
	v, ok := p.str(rm, "Variable", at)
	if _, present := rm["Variable"]; !present {
		p.add(CodeSchema, "These fields are required: [Variable]", at)
	} else if ok {
		p.checkAnyPath(v, "Variable", at+"/Variable")
	}
	r.variable = v
	r.op = ops[0]
	r.operand = rm[r.op]
	oat := at + "/" + r.op
	switch choiceOperators[r.op] {
	case "boolean":
		if _, ok := r.operand.(bool); !ok {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a BOOLEAN", r.op), oat)
		}
	case "number":
		if _, ok := jsonpath.Number(r.operand); !ok {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a NUMBER", r.op), oat)
		}
	case "string":
		if _, ok := r.operand.(string); !ok {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a STRING", r.op), oat)
		}
	case "timestamp":
		str, ok := r.operand.(string)
		if _, err := parseTimestamp(str); !ok || err != nil {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a valid ISO-8601 timestamp", r.op), oat)
		}
	case "path":
		str, ok := r.operand.(string)
		if !ok {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a STRING", r.op), oat)
		} else {
			p.checkAnyPath(str, r.op, oat)
		}
	}
	return r
}

// evalRule evaluates a JSONPath Choice Rule against the state's effective input.
func (x *run) evalRule(r *choiceRule, input, ctxObj any, vars varLookup) (bool, error) {
	switch {
	case r.and != nil:
		for _, c := range r.and {
			ok, err := x.evalRule(c, input, ctxObj, vars)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.or != nil:
		for _, c := range r.or {
			ok, err := x.evalRule(c, input, ctxObj, vars)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.not != nil:
		ok, err := x.evalRule(r.not, input, ctxObj, vars)
		return !ok, err
	}
	val, err := jpSelectAny(input, ctxObj, vars, r.variable)
	present := err == nil
	if r.op == "IsPresent" {
		return present == r.operand.(bool), nil
	}
	if !present {
		return false, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.variable)}
	}
	operand := r.operand
	op := r.op
	if strings.HasSuffix(op, "Path") {
		operand, err = jpSelectAny(input, ctxObj, vars, r.operand.(string))
		if err != nil {
			return false, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("Invalid path '%s': The choice state's condition path references an invalid value.", r.operand)}
		}
		op = strings.TrimSuffix(op, "Path")
	}
	want, _ := operand.(bool)
	switch op {
	case "IsNull":
		return (val == nil) == want, nil
	case "IsBoolean":
		_, ok := val.(bool)
		return ok == want, nil
	case "IsNumeric":
		_, ok := jsonpath.Number(val)
		return ok == want, nil
	case "IsString":
		_, ok := val.(string)
		return ok == want, nil
	case "IsTimestamp":
		s, ok := val.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == want, nil
	case "BooleanEquals":
		b, ok := val.(bool)
		o, ok2 := operand.(bool)
		return ok && ok2 && b == o, nil
	case "StringMatches":
		s, ok := val.(string)
		return ok && stringMatches(s, operand.(string)), nil
	}
	switch {
	case strings.HasPrefix(op, "Numeric"):
		a, ok := jsonpath.Number(val)
		b, ok2 := jsonpath.Number(operand)
		if !ok || !ok2 {
			return false, nil
		}
		return compare(op[len("Numeric"):], cmpFloat(a, b)), nil
	case strings.HasPrefix(op, "String"):
		a, ok := val.(string)
		b, ok2 := operand.(string)
		if !ok || !ok2 {
			return false, nil
		}
		return compare(op[len("String"):], strings.Compare(a, b)), nil
	case strings.HasPrefix(op, "Timestamp"):
		as, ok := val.(string)
		bs, ok2 := operand.(string)
		if !ok || !ok2 {
			return false, nil
		}
		a, err1 := parseTimestamp(as)
		b, err2 := parseTimestamp(bs)
		if err1 != nil || err2 != nil {
			return false, nil
		}
		return compare(op[len("Timestamp"):], a.Compare(b)), nil
	}
	return false, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "GreaterThan":
		return c > 0
	case "GreaterThanEquals":
		return c >= 0
	case "LessThan":
		return c < 0
	case "LessThanEquals":
		return c <= 0
	}
	return false
}

// stringMatches implements StringMatches: '*' matches any run of characters, "\*" a literal
// star and "\\" a backslash.
func stringMatches(s, pattern string) bool {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == '\\' && i+1 < len(pattern) {
			i++
			b.WriteString(escapeGlob(pattern[i]))
			continue
		}
		if c == '*' {
			b.WriteByte('*')
			continue
		}
		b.WriteString(escapeGlob(c))
	}
	return globSlash(b.String(), s)
}

func escapeGlob(c byte) string {
	switch c {
	case '*', '?', '[', ']', '\\':
		return "\\" + string(c)
	}
	return string(c)
}

// globSlash matches like path.Match but lets '*' span '/', which path.Match does not.
func globSlash(pattern, s string) bool {
	const sep = "\x00"
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", sep), strings.ReplaceAll(s, "/", sep))
	return err == nil && ok
}
