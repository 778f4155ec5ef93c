package asl

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONataRefs(t *testing.T) {
	t.Parallel()
	// Variables are "$name" and $states is the reserved variable of a state's data
	// (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html); "$$" is
	// JSONata's root. An expression is handed only the variables its text names.
	tests := []struct {
		body      string
		names     []string
		states    []string
		allStates bool
	}{
		{body: `$states.input.a + $states.input.b`, states: []string{"input"}},
		{body: `$x + $y * $x`, names: []string{"x", "y"}},
		{body: `$sum($states.result.Payload.items) & $states.context.Execution.Name`, names: []string{"sum"}, states: []string{"result", "context"}},
		{body: `$keys($states)`, names: []string{"keys"}, allStates: true},
		{body: "$states.`input`", allStates: true},
		{body: `$$.a`},
		{body: `$count_2 ? "costs $x" : $états`, names: []string{"count_2", "x", "états"}},
		{body: `$states.input.a and $states`, states: []string{"input"}, allStates: true},
		{body: `$`, names: nil},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			names, states, all := jsonataRefs(tt.body)
			assert.Equal(t, tt.names, names)
			assert.Equal(t, tt.states, states)
			assert.Equal(t, tt.allStates, all)
		})
	}
}

// TestEvalPathMatchesTheLibrary checks that the fast path for "$var.field" expressions
// (evalPath) gives what the JSONata library gives, and that it stands aside (for the library
// to answer) where JSONata's path semantics go beyond field access: arrays, which a path maps
// over and whose one-element sequences it unwraps, missing fields, which are undefined, null
// (which the library also answers as undefined), and
// names that are not variables in scope (built-in functions such as $now).
func TestEvalPathMatchesTheLibrary(t *testing.T) {
	t.Parallel()
	doc, err := decode([]byte(`{"order":{"id":"o-1","total":1.50,"big":1e21,"n":7,"none":null,"ok":true,
		"customer":{"email":"ada@example.com","tags":["a"]},"items":[{"id":"x","q":1},{"id":"y","q":2}],
		"one":[{"id":"z"}],"empty":[],"nested":[[1],[2,3]],"deep":{"a":{"b":{"c":"d"}}},
		"prices":{"gbp":2.40,"n":3,"neg":-1.25,"list":[1.0,{"x":0.5}]},"money":{"gbp":2.40,"tiny":1e-7}},
		"list":[1,2],"none":null,"single":[{"id":"s"}],"str":"abc","num":2.50,
		"ints":{"zero":0,"neg":-42,"cents":1250,"big":123456789012345,"bigger":1234567890123456,"lead":-0,"frac":12.50,"exp":1e3}}`))
	require.NoError(t, err)
	vars := doc.(map[string]any)
	sc := newScope(nil)
	sc.set(vars)
	states := map[string]any{"input": vars["order"], "context": map[string]any{"Task": map[string]any{"Token": "tok"}}, "result": []any{json.Number("1")}}

	tests := []struct {
		body string
		fast bool // whether evalPath answers
	}{
		{body: `$order`, fast: true},
		{body: `$order.id`, fast: true},
		{body: `$order.total`, fast: true},
		{body: `$order.big`, fast: true},
		{body: `$order.n`, fast: true},
		{body: `$order.none`},
		{body: `$none`},
		{body: `$order.ok`, fast: true},
		{body: `$order.customer`, fast: true},
		{body: `$order.customer.email`, fast: true},
		{body: `$order.deep.a.b.c`, fast: true},
		{body: `$order.prices`, fast: true},
		{body: `$order.money`, fast: true},
		{body: `$str`, fast: true},
		{body: `$num`, fast: true},
		{body: `$states.input`, fast: true},
		{body: `$states.input.customer.email`, fast: true},
		{body: `$states.context.Task.Token`, fast: true},
		// A path ending in an array: the array as it is, unless it is empty.
		{body: `$order.items`, fast: true},
		{body: `$order.items.id`},
		{body: `$order.one`, fast: true},
		{body: `$order.one.id`},
		{body: `$order.empty`},
		{body: `$order.nested`, fast: true},
		{body: `$order.customer.tags`, fast: true},
		{body: `$order.prices.list`, fast: true},
		{body: `$list`, fast: true},
		{body: `$single`, fast: true},
		{body: `$single.id`},
		{body: `$states.result`, fast: true},
		{body: `$order.missing`},
		{body: `$order.id.length`},
		{body: `$str.x`},
		{body: `$missing`},
		{body: `$missing.x`},
		{body: `$states.errorOutput`},
		{body: `$now`},
		{body: `$states`},
		// Concatenations of literals and paths to strings and integers, and $string of one path.
		{body: `$order.customer.email & ''`, fast: true},
		{body: `'ITEM#' & $states.input.id`, fast: true},
		{body: `"STORE#" & $order.id & '#' & $order.n`, fast: true},
		{body: `$str&$str`, fast: true},
		{body: `$string($order.id)`, fast: true},
		{body: `$string($ints.zero)`, fast: true},
		{body: `$string($ints.neg)`, fast: true},
		{body: `$string($ints.cents)`, fast: true},
		{body: `$string($ints.big)`, fast: true},
		{body: `'n=' & $ints.neg`, fast: true},
		{body: `$string($ints.bigger)`},
		{body: `$string($ints.lead)`},
		{body: `$string($ints.frac)`},
		{body: `$string($ints.exp)`},
		{body: `$string($num)`},
		{body: `$string($order.ok)`},
		{body: `$string($order.customer)`},
		{body: `$string($order.items)`},
		{body: `$string($order.missing)`},
		{body: `$string($order.none)`},
		{body: `'a' & $order.missing`},
		{body: `'a' & $order.none`},
		{body: `'a' & $order.total`},
		{body: `'a' & $order.ok`},
		{body: `'a&b' & $str`},
		{body: `"it's" & $str`},
		{body: `'a' & $string($str)`},
		{body: `$string( $str )`},
		{body: `'abc' & 'def'`, fast: true},
		{body: `$order.items[0]`},
		{body: "$order.`id`"},
		{body: `$$.order`},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			env := &jsonataEnv{states: states, vars: sc}
			c, err := compileJSONata(tt.body)
			require.NoError(t, err)
			src := "{% " + tt.body + " %}"
			fast := false
			if c.path != nil {
				_, fast = evalPath(c.path, &jsonataEnv{states: states, vars: sc})
			}
			if c.concat != nil {
				_, fast = evalConcat(c.concat, &jsonataEnv{states: states, vars: sc})
			}
			assert.Equal(t, tt.fast, fast, "whether the fast path answers")
			got, gotErr := evalJSONata(src, "Output", env)
			want, wantErr := c.evalWithLibrary(src, "Output", &jsonataEnv{states: states, vars: sc})
			assert.Equal(t, want, got)
			assert.Equal(t, wantErr, gotErr)
		})
	}
}

// TestPlainFromJSONataOfInterpreterValues checks the one-copy conversion of the interpreter's
// own values against the two it replaces (toJSONata, then fromJSONata), on values either may
// refuse (numbers encoding/json writes with an exponent or as -0, out of range or malformed,
// invalid UTF-8 in a key or a string): where it refuses, the caller takes the old path, so the
// result must be the old path's whenever it answers, and it must answer plain values.
func TestPlainFromJSONataOfInterpreterValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v     any
		plain bool
	}{
		{v: map[string]any{"a": json.Number("1.50"), "b": []any{json.Number("2"), "x", true, nil}}, plain: true},
		{v: []any{map[string]any{"n": json.Number("12345678901234567890")}}, plain: true},
		{v: map[string]any{"f": 1.5, "neg": json.Number("-3.25")}, plain: true},
		{v: map[string]any{"tiny": json.Number("1e-7")}},
		{v: map[string]any{"big": json.Number("1e21")}},
		{v: map[string]any{"negzero": json.Number("-0.0")}},
		{v: map[string]any{"huge": json.Number("1e400")}},
		{v: map[string]any{"bad": json.Number("not a number")}},
		{v: map[string]any{"\xff": "key"}},
		{v: map[string]any{"s": "\xffvalue"}},
		// Integers toNumber writes as they are are kept; any other spelling is rewritten.
		{v: []any{json.Number("0"), json.Number("-5"), json.Number("123456789012345")}, plain: true},
		{v: []any{json.Number("1234567890123456"), json.Number("007"), json.Number("1.0"), json.Number("1E3")}, plain: true},
		{v: []any{json.Number("-0")}},
	}
	for _, tt := range tests {
		want, err := fromJSONata(toJSONata(tt.v))
		got, ok := plainFromJSONata(tt.v)
		assert.Equal(t, tt.plain, ok, "%#v", tt.v)
		if ok {
			require.NoError(t, err)
			assert.Equal(t, want, got, "%#v", tt.v)
		}
	}
}

// TestConversionsShareUnchangedValues checks what the JSONata conversions copy: an object or
// array with nothing to convert is handed on as it is (values are never changed in place), one
// with something to convert is copied, and the input is left as it was either way.
func TestConversionsShareUnchangedValues(t *testing.T) {
	t.Parallel()
	item := map[string]any{"name": map[string]any{"S": "croissant"}, "tags": []any{"warm", true, nil}}
	withNumbers := map[string]any{"item": item, "qty": json.Number("2"), "price": json.Number("3.50")}
	before := encode(withNumbers)

	conv := toJSONata(withNumbers).(map[string]any)
	assert.Equal(t, 2.0, conv["qty"])
	assert.Equal(t, 3.5, conv["price"])
	assert.True(t, sameMap(item, conv["item"]), "a number-free object is not copied")
	assert.False(t, sameMap(withNumbers, conv), "an object with numbers is copied")
	assert.Equal(t, before, encode(withNumbers), "the input is unchanged")

	plain, ok := plainFromJSONata(withNumbers)
	require.True(t, ok)
	pm := plain.(map[string]any)
	assert.Equal(t, json.Number("2"), pm["qty"])
	assert.Equal(t, json.Number("3.5"), pm["price"], "a non-canonical number is rewritten")
	assert.True(t, sameMap(item, pm["item"]))
	assert.Equal(t, before, encode(withNumbers))

	tmpl := map[string]any{"constant": item, "qty": "{% $states.input.qty %}"}
	out, err := evalJSONataTemplate(tmpl, "Output", &jsonataEnv{states: map[string]any{"input": withNumbers}, vars: &scope{}})
	require.NoError(t, err)
	om := out.(map[string]any)
	assert.Equal(t, json.Number("2"), om["qty"])
	assert.True(t, sameMap(item, om["constant"]), "a template object without expressions is the result as it is")
	assert.Equal(t, "{% $states.input.qty %}", tmpl["qty"], "the template is unchanged")
}

// sameMap reports whether b is the very map a (not an equal copy).
func sameMap(a map[string]any, b any) bool {
	m, ok := b.(map[string]any)
	return ok && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(m).UnsafePointer()
}
