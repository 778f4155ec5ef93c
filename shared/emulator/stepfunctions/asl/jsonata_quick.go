package asl

import (
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/blues/jsonata-go/jlib"
	"github.com/blues/jsonata-go/jparse"
	"github.com/blues/jsonata-go/jtypes"
)

// The quick evaluator answers the common part of JSONata without the library, whose every
// evaluation builds an environment, registers the variables and calls functions by
// reflection, under jsonataMu: 04's PlaceOrder workflow evaluates 17 such expressions an
// order. It walks the library's own syntax tree (jparse) and follows the library's evaluation
// (github.com/blues/jsonata-go eval.go) step by step for the nodes and functions it takes,
// calling the library's functions (jlib) where they do the work, so that an answer is the
// library's answer. Anything else it declines, and the library evaluates the expression as
// before: a node or function outside the subset (decided once, when the text is compiled), and
// at evaluation any value whose handling would be an error, an odd corner of the library or
// not worth copying (null operands, a variable not in scope, a non-integer where the library
// converts to an integer, a missing $lookup key, ...). An expression whose result is undefined
// is declined too, so that the library words its error. TestQuickMatchesTheLibrary compares
// the two on the expressions of 04's workflows that reached the library and on cases made to
// reach each rule; TestQuickAgreesOnRandomExpressions on thousands of random expressions.

// quickExpr is a parsed expression the quick evaluator takes.
type quickExpr struct {
	root jparse.Node
}

// compileQuick parses body for the quick evaluator; nil when it uses anything outside the
// subset.
func compileQuick(body string) *quickExpr {
	root, err := jparse.Parse(body)
	if err != nil || !quickSupported(root) {
		return nil
	}
	return &quickExpr{root: root}
}

// quickFunctions are the functions the quick evaluator calls, by name.
var quickFunctions = map[string]bool{
	"string": true, "number": true, "floor": true, "trim": true, "lowercase": true,
	"substring": true, "hash": true, "sum": true, "count": true, "exists": true, "not": true,
	"lookup": true, "fromMillis": true, "toMillis": true, "now": true, "millis": true,
}

// quickSupported reports whether every node under n is one the quick evaluator takes.
func quickSupported(n jparse.Node) bool {
	switch n := n.(type) {
	case *jparse.StringNode, *jparse.NumberNode, *jparse.BooleanNode, *jparse.VariableNode, *jparse.NameNode:
		return true
	case *jparse.PathNode:
		if n.KeepArrays || len(n.Steps) == 0 {
			return false
		}
		return quickAll(n.Steps...)
	case *jparse.PredicateNode:
		return quickSupported(n.Expr) && quickAll(n.Filters...)
	case *jparse.ObjectNode:
		seen := map[string]bool{}
		for _, p := range n.Pairs {
			key, ok := p[0].(*jparse.StringNode)
			if !ok || seen[key.Value] || !quickSupported(p[1]) {
				return false
			}
			seen[key.Value] = true
		}
		return true
	case *jparse.BlockNode:
		return len(n.Exprs) > 0 && quickAll(n.Exprs...)
	case *jparse.AssignmentNode:
		return quickSupported(n.Value)
	case *jparse.ConditionalNode:
		return quickSupported(n.If) && quickSupported(n.Then) && (n.Else == nil || quickSupported(n.Else))
	case *jparse.FunctionCallNode:
		f, ok := n.Func.(*jparse.VariableNode)
		return ok && quickFunctions[f.Name] && quickAll(n.Args...)
	case *jparse.NumericOperatorNode:
		return quickSupported(n.LHS) && quickSupported(n.RHS)
	case *jparse.ComparisonOperatorNode:
		return n.Type != jparse.ComparisonIn && quickSupported(n.LHS) && quickSupported(n.RHS)
	case *jparse.BooleanOperatorNode:
		return quickSupported(n.LHS) && quickSupported(n.RHS)
	case *jparse.StringConcatenationNode:
		return quickSupported(n.LHS) && quickSupported(n.RHS)
	case *jparse.NegationNode:
		return quickSupported(n.RHS)
	}
	return false
}

func quickAll(nodes ...jparse.Node) bool {
	for _, n := range nodes {
		if !quickSupported(n) {
			return false
		}
	}
	return true
}

// undefinedValue is JSONata's undefined: no value, which is not null.
type undefinedValue struct{}

var undefined any = undefinedValue{}

// quickSeq is a sequence, the library's result of a path step: collapsed at the end of every
// node's evaluation as the library's eval does (sequence.Value).
type quickSeq struct{ values []any }

// declined ends an evaluation the quick evaluator leaves to the library.
type declined struct{}

// quickRun is one evaluation: the state's values, the variables its blocks and assignments
// bind, and the time $now and $millis answer.
type quickRun struct {
	env    *jsonataEnv
	c      *compiledJSONata
	scopes []map[string]any
	states any // $states as the library is handed it, built on first use
	nowMs  int64
}

// evalQuick evaluates q for env; ok is false when the library must.
func (c *compiledJSONata) evalQuick(env *jsonataEnv) (out any, ok bool) {
	r := &quickRun{env: env, c: c, scopes: []map[string]any{{}}, nowMs: time.Now().UnixMilli()}
	defer func() {
		// A decline, or anything else going wrong here: the library answers instead, as it
		// did before the quick evaluator existed.
		if p := recover(); p != nil {
			out, ok = nil, false
		}
	}()
	v := r.eval(c.quick.root, undefined)
	if v == undefined {
		return nil, false
	}
	return v, true
}

// decline leaves the expression to the library.
func decline() { panic(declined{}) }

// eval is the library's eval: the node's value, with a sequence collapsed. A sequence of one
// null collapses to undefined, as the library's does (reflect.ValueOf(nil) is no value): a path
// to a null member is undefined.
func (r *quickRun) eval(n jparse.Node, data any) any {
	v := r.evalNode(n, data)
	if s, ok := v.(*quickSeq); ok {
		switch len(s.values) {
		case 0:
			return undefined
		case 1:
			if s.values[0] == nil {
				return undefined
			}
			return s.values[0]
		}
		return s.values
	}
	return v
}

func (r *quickRun) evalNode(n jparse.Node, data any) any {
	switch n := n.(type) {
	case *jparse.StringNode:
		return n.Value
	case *jparse.NumberNode:
		return n.Value
	case *jparse.BooleanNode:
		return n.Value
	case *jparse.VariableNode:
		if n.Name == "" {
			return data
		}
		return r.variable(n.Name)
	case *jparse.NameNode:
		return quickName(n.Value, data)
	case *jparse.PathNode:
		return r.path(n, data)
	case *jparse.PredicateNode:
		return r.predicate(n, data)
	case *jparse.ObjectNode:
		return r.object(n, data)
	case *jparse.BlockNode:
		r.scopes = append(r.scopes, map[string]any{})
		v := undefined
		for _, e := range n.Exprs {
			v = r.eval(e, data)
		}
		r.scopes = r.scopes[:len(r.scopes)-1]
		return v
	case *jparse.AssignmentNode:
		v := r.eval(n.Value, data)
		r.scopes[len(r.scopes)-1][n.Name] = v
		return v
	case *jparse.ConditionalNode:
		if quickBoolean(r.eval(n.If, data)) {
			return r.eval(n.Then, data)
		}
		if n.Else != nil {
			return r.eval(n.Else, data)
		}
		return undefined
	case *jparse.FunctionCallNode:
		return r.call(n, data)
	case *jparse.NumericOperatorNode:
		return r.numeric(n, data)
	case *jparse.ComparisonOperatorNode:
		return r.compare(n, data)
	case *jparse.BooleanOperatorNode:
		// Both sides, as the library evaluates them (no short cut).
		lhs, rhs := quickBoolean(r.eval(n.LHS, data)), quickBoolean(r.eval(n.RHS, data))
		if n.Type == jparse.BooleanAnd {
			return lhs && rhs
		}
		return lhs || rhs
	case *jparse.StringConcatenationNode:
		return quickStringify(r.eval(n.LHS, data)) + quickStringify(r.eval(n.RHS, data))
	case *jparse.NegationNode:
		switch v := r.eval(n.RHS, data).(type) {
		case undefinedValue:
			return undefined
		case float64:
			return -v
		}
	}
	decline()
	return nil
}

// variable is $name: a block's binding, $states, or a variable in scope (which shadows a
// function of the same name, as the library's registered variables do). A variable holding
// null is undefined to the library (it registers reflect.ValueOf(nil)), and so here; one not in
// scope is left to the library.
func (r *quickRun) variable(name string) any {
	for i := len(r.scopes) - 1; i >= 0; i-- {
		if v, ok := r.scopes[i][name]; ok {
			return v
		}
	}
	if name == "states" {
		if r.states == nil {
			st := r.c.statesFor(r.env) // as evalWithLibrary registers it
			if st == nil {
				decline()
			}
			r.states = st
		}
		return r.states
	}
	v, ok := r.env.vars.lookup(name)
	if !ok {
		decline()
	}
	if v == nil {
		return undefined
	}
	return r.env.convert("$"+name, v)
}

// quickName is the library's evalName: an object's member, the members of an array's
// objects as a sequence, or undefined.
func quickName(name string, data any) any {
	switch d := data.(type) {
	case map[string]any:
		v, ok := d[name]
		if !ok {
			return undefined
		}
		return v
	case []any:
		out := &quickSeq{values: make([]any, 0, len(d))}
		for _, e := range d {
			if _, nested := e.([]any); nested {
				decline() // the library nests a sequence in the sequence
			}
			if v := quickName(name, e); v != undefined {
				out.values = append(out.values, v)
			}
		}
		return out
	}
	return undefined // null, undefined and scalars have no members
}

// path is the library's evalPath and evalPathStep.
func (r *quickRun) path(n *jparse.PathNode, data any) any {
	isVar := false
	switch s0 := n.Steps[0].(type) {
	case *jparse.VariableNode:
		isVar = true
	case *jparse.PredicateNode:
		_, isVar = s0.Expr.(*jparse.VariableNode)
	}
	output := data
	if _, isArray := data.([]any); isVar || !isArray {
		if data == undefined {
			output = []any{nil} // the library's one-element array with nothing set
		} else {
			output = []any{data}
		}
	}
	last := len(n.Steps) - 1
	for i, step := range n.Steps {
		output = r.pathStep(step, output, i == last)
		if output == undefined {
			return undefined
		}
		if a, ok := output.([]any); ok && len(a) == 0 {
			return undefined
		}
	}
	return output
}

func (r *quickRun) pathStep(step jparse.Node, data any, last bool) any {
	var items []any
	switch d := data.(type) {
	case *quickSeq:
		items = d.values
	case []any:
		items = d
	default:
		decline()
	}
	results := make([]any, 0, len(items))
	for _, e := range items {
		if v := r.eval(step, e); v != undefined {
			results = append(results, v)
		}
	}
	if last && len(results) == 1 {
		if a, ok := results[0].([]any); ok {
			return a
		}
	}
	out := &quickSeq{values: make([]any, 0, len(results))}
	for _, v := range results {
		a, isArray := v.([]any)
		if !isArray {
			out.values = append(out.values, v)
			continue
		}
		out.values = append(out.values, a...)
	}
	if len(out.values) == 0 {
		return undefined
	}
	return out
}

// predicate is the library's evalPredicate and applyFilter.
func (r *quickRun) predicate(n *jparse.PredicateNode, data any) any {
	items := r.eval(n.Expr, data)
	if items == undefined {
		return undefined
	}
	for _, f := range n.Filters {
		var list []any
		switch v := items.(type) {
		case []any:
			list = v
		default:
			list = []any{v}
		}
		_, literal := f.(*jparse.NumberNode)
		if neg, ok := f.(*jparse.NegationNode); ok {
			_, literal = neg.RHS.(*jparse.NumberNode)
		}
		kept := []any{}
		for i, item := range list {
			if _, nested := item.([]any); nested && !literal {
				// The library fails on most filters over arrays of arrays (evalLibrary); an
				// index ($states.result[0], a Parallel state's branches) it answers.
				decline()
			}
			switch res := r.eval(f, item).(type) {
			case float64:
				if quickIndex(res, len(list)) == i {
					kept = append(kept, item)
				}
			case []any:
				decline() // indexes by an array of numbers, or a truthy array
			default:
				if quickBoolean(res) {
					kept = append(kept, item)
				}
			}
		}
		if len(kept) == 0 {
			return undefined
		}
		items = kept
	}
	if a, ok := items.([]any); ok && len(a) == 1 {
		return a[0]
	}
	return items
}

// quickIndex is applyFilter's index: the number's floor, from the end when negative.
func quickIndex(n float64, count int) int {
	if math.IsNaN(n) || math.Abs(n) > 1<<30 {
		decline()
	}
	i := int(math.Floor(n))
	if i < 0 {
		i += count
	}
	return i
}

// object is the library's evalObject with literal keys (quickSupported): each value is
// evaluated with the input as an array as its context, and undefined values are left out.
func (r *quickRun) object(n *jparse.ObjectNode, data any) any {
	ctx := []any{nil}
	switch d := data.(type) {
	case []any:
		ctx = d
	case undefinedValue:
	default:
		ctx = []any{d}
	}
	out := make(map[string]any, len(n.Pairs))
	for _, p := range n.Pairs {
		if v := r.eval(p[1], ctx); v != undefined {
			out[p[0].(*jparse.StringNode).Value] = v
		}
	}
	return out
}

// numeric is the library's evalNumericOperator: numbers only, undefined when a side is.
func (r *quickRun) numeric(n *jparse.NumericOperatorNode, data any) any {
	lhs, rhs := r.eval(n.LHS, data), r.eval(n.RHS, data)
	x, lok := lhs.(float64)
	y, rok := rhs.(float64)
	if (!lok && lhs != undefined) || (!rok && rhs != undefined) {
		decline() // the library's error about a non-number side
	}
	if !lok || !rok {
		return undefined
	}
	var v float64
	switch n.Type {
	case jparse.NumericAdd:
		v = x + y
	case jparse.NumericSubtract:
		v = x - y
	case jparse.NumericMultiply:
		v = x * y
	case jparse.NumericDivide:
		v = x / y
	case jparse.NumericModulo:
		v = math.Mod(x, y)
	default:
		decline()
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		decline()
	}
	return v
}

// compare is the library's evalComparisonOperator for numbers, strings and booleans.
func (r *quickRun) compare(n *jparse.ComparisonOperatorNode, data any) any {
	lhs, rhs := r.eval(n.LHS, data), r.eval(n.RHS, data)
	for _, v := range []any{lhs, rhs} {
		switch v.(type) {
		case undefinedValue, float64, string, bool:
		default:
			decline() // null, arrays and objects
		}
	}
	switch n.Type {
	case jparse.ComparisonEqual, jparse.ComparisonNotEqual:
		if lhs == undefined || rhs == undefined {
			return false
		}
		eq := lhs == rhs // same type and value: float64, string or bool
		if n.Type == jparse.ComparisonEqual {
			return eq
		}
		return !eq
	}
	_, lb := lhs.(bool)
	_, rb := rhs.(bool)
	if lb || rb {
		decline() // the library's error about an uncomparable side
	}
	if lhs == undefined || rhs == undefined {
		return false
	}
	var less, equal bool
	switch x := lhs.(type) {
	case float64:
		y, ok := rhs.(float64)
		if !ok {
			decline() // the library's type mismatch error
		}
		less, equal = x < y, x == y
	case string:
		y, ok := rhs.(string)
		if !ok {
			decline()
		}
		less, equal = x < y, x == y
	}
	switch n.Type {
	case jparse.ComparisonLess:
		return less
	case jparse.ComparisonLessEqual:
		return less || equal
	case jparse.ComparisonGreater:
		return !(less || equal)
	case jparse.ComparisonGreaterEqual:
		return !less
	}
	decline()
	return nil
}

// quickBoolean is jlib.Boolean for the evaluator's values.
func quickBoolean(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case []any:
		for _, e := range x {
			if quickBoolean(e) {
				return true
			}
		}
		return false
	case map[string]any:
		return len(x) > 0
	}
	return false // undefined and null
}

// quickStringify is evalStringConcatenation's stringify: "" for undefined, else $string.
func quickStringify(v any) string {
	if v == undefined {
		return ""
	}
	s, err := jlib.String(v)
	if err != nil {
		decline()
	}
	return s
}

// call is the library's evalFunctionCall for quickFunctions, with each function's handling of
// an undefined first argument (env.go's UndefinedHandler) and argument conversion
// (callable.go) where the subset meets them; the rest is declined.
func (r *quickRun) call(n *jparse.FunctionCallNode, data any) any {
	name := n.Func.(*jparse.VariableNode).Name
	for _, s := range r.scopes {
		if _, shadowed := s[name]; shadowed {
			decline()
		}
	}
	if _, shadowed := r.env.vars.lookup(name); shadowed || name == "states" {
		// The library registers the variable under the function's name from now on, even
		// when it is out of scope later (compiledJSONata.registered): the expression is the
		// library's for good.
		r.c.quickOff.Store(true)
		decline()
	}
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		args[i] = r.eval(a, data)
	}
	switch name {
	case "now", "millis":
		if len(args) != 0 {
			decline()
		}
		if name == "millis" {
			return float64(r.nowMs)
		}
		s, err := jlib.FromMillis(r.nowMs, jtypes.OptionalString{}, jtypes.OptionalString{})
		if err != nil {
			decline()
		}
		return s
	case "exists":
		quickArgs(args, 1, 1)
		return args[0] != undefined
	case "not":
		quickArgs(args, 1, 1)
		return !quickBoolean(args[0])
	case "count":
		quickArgs(args, 1, 1)
		switch x := args[0].(type) {
		case undefinedValue:
			return 0.0
		case []any:
			return float64(len(x))
		}
		return 1.0
	}
	if name == "hash" { // Step Functions' own: no undefined first argument either
		quickArgs(args, 2, 2)
		if args[0] == undefined {
			decline()
		}
		h, err := jsonataHash(quickString(args[0]), quickString(args[1]))
		if err != nil {
			decline()
		}
		return h
	}
	// The library's own functions answer undefined for an undefined first argument.
	quickArgs(args, 1, 3)
	if args[0] == undefined {
		return undefined
	}
	switch name {
	case "string":
		quickArgs(args, 1, 1)
		s, err := jlib.String(args[0])
		if err != nil {
			decline()
		}
		return s
	case "number":
		quickArgs(args, 1, 1)
		switch x := args[0].(type) {
		case float64:
			return x
		case bool:
			if x {
				return 1.0
			}
			return 0.0
		case string:
			f, err := jlib.Number(jlib.StringNumberBool(reflect.ValueOf(x)))
			if err != nil {
				decline()
			}
			return f
		}
	case "floor":
		quickArgs(args, 1, 1)
		return math.Floor(quickFloat(args[0]))
	case "trim":
		quickArgs(args, 1, 1)
		return jlib.Trim(quickString(args[0]))
	case "lowercase":
		quickArgs(args, 1, 1)
		return strings.ToLower(quickString(args[0]))
	case "substring":
		quickArgs(args, 2, 3)
		s := quickString(args[0]) // a number first would be the context's substring
		var length jtypes.OptionalInt
		if len(args) == 3 {
			length = jtypes.NewOptionalInt(quickInt(args[2]))
		}
		return jlib.Substring(s, quickInt(args[1]), length)
	case "sum":
		quickArgs(args, 1, 1)
		switch x := args[0].(type) {
		case float64:
			return x
		case []any:
			sum := 0.0
			for _, e := range x {
				sum += quickFloat(e)
			}
			return sum
		}
	case "lookup":
		quickArgs(args, 2, 2)
		obj, ok := args[0].(map[string]any)
		if !ok {
			decline()
		}
		v, ok := obj[quickString(args[1])]
		if !ok || v == nil {
			decline()
		}
		return v
	case "fromMillis":
		ms := quickInt64(args[0])
		var picture, tz jtypes.OptionalString
		if len(args) > 1 {
			picture = jtypes.NewOptionalString(quickString(args[1]))
		}
		if len(args) > 2 {
			tz = jtypes.NewOptionalString(quickString(args[2]))
		}
		s, err := jlib.FromMillis(ms, picture, tz)
		if err != nil {
			decline()
		}
		return s
	case "toMillis":
		quickArgs(args, 1, 2)
		var picture jtypes.OptionalString
		if len(args) > 1 {
			picture = jtypes.NewOptionalString(quickString(args[1]))
		}
		ms, err := jlib.ToMillis(quickString(args[0]), picture, jtypes.OptionalString{})
		if err != nil {
			decline()
		}
		return float64(ms)
	}
	decline()
	return nil
}

// quickArgs declines a call with fewer than lo or more than hi arguments, or an undefined
// argument after the first (which the library would pass as the parameter's zero value).
func quickArgs(args []any, lo, hi int) {
	if len(args) < lo || len(args) > hi {
		decline()
	}
	for _, a := range args[min(1, len(args)):] {
		if a == undefined {
			decline()
		}
	}
}

func quickString(v any) string {
	s, ok := v.(string)
	if !ok {
		decline()
	}
	return s
}

func quickFloat(v any) float64 {
	f, ok := v.(float64)
	if !ok {
		decline()
	}
	return f
}

// quickInt is a number the library converts to an int: only integers within int32 are
// taken, where the conversion is exact.
func quickInt(v any) int {
	f := quickFloat(v)
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		decline()
	}
	return int(f)
}

// quickInt64 is quickInt for milliseconds: integers within ±2^53.
func quickInt64(v any) int64 {
	f := quickFloat(v)
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		decline()
	}
	return int64(f)
}
