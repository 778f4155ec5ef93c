package asl

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quickFixture is what 04's PlaceOrder workflow has in scope when it prices an order
// (04-refactor/infra/workflows.go), with members added to reach the evaluator's rules: nulls,
// empty and one-element arrays, numbers that are not integers, strings that are numbers.
func quickFixture(t testing.TB) *jsonataEnv {
	t.Helper()
	doc, err := decode([]byte(`{
		"req": {"store_id": "lon-01", "pickup_at": "2026-12-07T09:30:00Z",
			"customer": {"name": "  Ada   Lovelace ", "email": "Ada@Example.COM"},
			"items": [{"item_id": "croissant", "quantity": 2}, {"item_id": "espresso", "quantity": 1}]},
		"store": {"pk": {"S": "STORE#lon-01"}, "currency": {"S": "GBP"}, "tz_offset": {"S": "+0000"},
			"tax_bp": {"N": "2000"}, "scale_percent": {"N": "100"}},
		"now": 1796634000000,
		"orderId": "o-1234",
		"day": "2026-12-07",
		"stock": [{"item_id": "croissant", "quantity": 2, "reserved": true},
			{"item_id": "espresso", "quantity": 1, "reserved": true},
			{"item_id": "eclair", "soldOut": true}, {"item_id": "scone", "unknown": true}],
		"lines": [{"item_id": "croissant", "name": "Croissant", "quantity": 2, "unit_price": 240, "line_total": 480},
			{"item_id": "espresso", "name": "Espresso", "quantity": 1, "unit_price": 180, "line_total": 180}],
		"subtotal": 660,
		"order": {"store_id": "lon-01", "day": "2026-12-07", "customer": {"name": "Ada Lovelace", "email": "Ada@Example.COM"},
			"items": [{"item_id": "croissant", "quantity": 2}], "currency": "GBP", "subtotal": 660, "tax": 132, "total": 792,
			"pickup_at": "2026-12-07T09:30:00.000Z"},
		"misc": {"none": null, "t": true, "f": false, "zero": 0, "half": 0.5, "neg": -2.5, "big": 1e21, "tiny": 1e-7,
			"empty": [], "one": [7], "nums": [1, 2.5, -3], "mixed": [1, "a", null, true], "nested": [[1, 2], [3]],
			"objs": [{"a": 1}, {"a": null}, {"b": 2}], "branches": [[{"a": 1}, {"a": 2}], [{"b": 3}], []], "s": "abc", "sn": "12.5", "sexp": "1e3", "sbad": "12a",
			"unicode": "ÉCLAIR ß", "spaces": "\t a \n b  ", "obj": {}, "nullobj": {"x": null}},
		"nullvar": null
	}`))
	require.NoError(t, err)
	sc := newScope(nil)
	sc.set(doc.(map[string]any))
	states, err := decode([]byte(`{
		"input": {"item_id": "croissant", "quantity": 2, "par": 30, "known": true, "risk": "low",
			"body": {"store_id": "lon-01", "customer": {"email": "Ada@Example.COM"}}, "idempotencyKey": "key-1",
			"requestTimeEpoch": 1796634000000, "Item": {"status": {"S": "pending-payment"}, "total": {"N": "792"}}},
		"result": {"Item": {"name": {"S": "Croissant"}, "par": {"N": "30"},
			"prices": {"M": {"GBP": {"N": "240"}, "EUR": {"N": "280"}}}}},
		"context": {"Execution": {"Id": "arn:aws:states:eu-west-1:123456789012:express:PlaceOrder:x:y"}}
	}`))
	require.NoError(t, err)
	return &jsonataEnv{states: states.(map[string]any), vars: sc}
}

// quickCompare evaluates body with the quick evaluator and with the library on fresh
// environments, and fails when the quick evaluator answers something the library does not.
// It reports whether the quick evaluator answered.
func quickCompare(t *testing.T, body string, env func() *jsonataEnv) bool {
	t.Helper()
	c, err := compileJSONata(body)
	if err != nil {
		return false // not JSONata: neither evaluates it
	}
	src := "{% " + body + " %}"
	want, wantErr := c.evalWithLibrary(src, "Output", env())
	if c.quick == nil || c.quickOff.Load() {
		return false
	}
	out, ok := c.evalQuick(env())
	if !ok {
		return false
	}
	got, gotErr := jsonataResult(src, "Output", out)
	if !assert.NoError(t, wantErr, "%s: the quick evaluator answered %v where the library fails", body, got) {
		return true
	}
	assert.Equal(t, want, got, body)
	assert.NoError(t, gotErr, body)
	return true
}

// TestQuickMatchesTheLibrary: every expression of 04's workflows that reaches the library, and
// cases made to reach each rule of the quick evaluator (jsonata_quick.go), are answered as the
// library answers them, or left to it.
func TestQuickMatchesTheLibrary(t *testing.T) {
	t.Parallel()
	env := func() *jsonataEnv { return quickFixture(t) }
	tests := []struct {
		body  string
		quick bool // whether the quick evaluator answers (checked for the workflows' expressions)
	}{
		// 04-refactor/infra/workflows.go, as PlaceOrder, ChargeOrder and RecordReady evaluate
		// them for every order.
		{body: `($tax := $floor(($subtotal * $number($store.tax_bp.N) + 5000) / 10000); {"store_id": $req.store_id, "day": $day, "customer": {"name": $trim($req.customer.name), "email": $req.customer.email}, "items": $lines, "currency": $store.currency.S, "subtotal": $subtotal, "tax": $tax, "total": $subtotal + $tax, "pickup_at": $fromMillis($toMillis($req.pickup_at))})`, quick: true},
		{body: `'o-' & $substring($hash($states.input.idempotencyKey & '|' & $lowercase($states.input.body.customer.email), 'SHA-256'), 0, 20)`, quick: true},
		{body: `$toMillis($req.pickup_at) <= $now or $toMillis($req.pickup_at) > $now + 30 * 86400000`, quick: true},
		{body: `$sum($lines.line_total)`, quick: true},
		{body: `$string({"order_id": $orderId, "status": "pending-payment", "total": $order.total, "currency": $order.currency, "channel": "/orders/" & $orderId})`, quick: true},
		{body: `$string($order.items)`, quick: true},
		{body: `$string($order.customer)`, quick: true},
		{body: `$states.result[1]`},
		{body: `$states.input.risk = 'high'`, quick: true},
		{body: `$not($exists($store))`, quick: true},
		{body: `$lowercase($order.customer.email)`, quick: true},
		{body: `$fromMillis($now)`, quick: true},
		{body: `$exists($store) ? $fromMillis($toMillis($req.pickup_at), '[Y0001]-[M01]-[D01]', $store.tz_offset.S) : ''`, quick: true},
		{body: `$exists($states.result.Item) ? {"item_id": $states.input.item_id, "name": $states.result.Item.name.S, "quantity": $states.input.quantity, "unit_price": $number($lookup($states.result.Item.prices.M, $store.currency.S).N), "line_total": $number($lookup($states.result.Item.prices.M, $store.currency.S).N) * $states.input.quantity} : {"item_id": $states.input.item_id, "unknown": true}`, quick: true},
		{body: `$exists($states.result.Item) ? $floor($number($states.result.Item.par.N) * $number($store.scale_percent.N) / 100) : 0`, quick: true},
		{body: `$exists($states.result.Item)`, quick: true},
		{body: `$count($stock[reserved = true]) = $count($req.items)`, quick: true},
		{body: `$count($stock[unknown = true]) > 0 ? 'unknown item ' & $stock[unknown = true][0].item_id : 'sold out: ' & $stock[soldOut = true][0].item_id`, quick: true},
		{body: `{"error": $stock[soldOut = true][0].item_id & " is sold out at " & $req.store_id, "order_id": $orderId}`, quick: true},
		{body: `{"order_id": $orderId, "status": $states.input.Item.status.S, "total": $exists($states.input.Item.total) ? $number($states.input.Item.total.N) : null, "replayed": true}`},

		// Paths: members, arrays mapped and flattened, nulls, missing members.
		{body: `$misc.none`}, {body: `$misc.nullobj.x`}, {body: `$misc.nullobj`}, {body: `$nullvar`}, {body: `$nullvar.x`},
		{body: `$misc.objs.a`}, {body: `$misc.objs.b`}, {body: `$misc.objs.c`}, {body: `$misc.nested`}, {body: `$misc.nested.x`},
		{body: `$misc.mixed.a`}, {body: `$misc.empty`}, {body: `$misc.one`}, {body: `$misc.one.x`}, {body: `$stock.item_id`},
		{body: `$stock.reserved`}, {body: `$lines.quantity`}, {body: `$order.items.item_id`}, {body: `$misc.s.x`},
		{body: `$states.input`}, {body: `$states.input.body.customer`}, {body: `$states.result.Item.prices.M.GBP.N`},
		{body: `$states.nothing`}, {body: `$unknownvar`}, {body: `$`}, {body: `$.x`}, {body: `name`}, {body: `$string`},
		// Predicates: filters, indexes, from the end, past the end.
		{body: `$stock[reserved = true]`}, {body: `$stock[reserved]`}, {body: `$stock[unknown]`}, {body: `$stock[quantity > 1]`},
		{body: `$stock[0]`}, {body: `$stock[-1]`}, {body: `$stock[9]`}, {body: `$stock[1.7]`}, {body: `$stock[-1.5]`},
		{body: `$stock[reserved = true][1].item_id`}, {body: `$stock[reserved = true][0]`}, {body: `$misc.nums[0]`},
		{body: `$misc.nums[$ > 0]`}, {body: `$misc.s[0]`}, {body: `$misc.one[0]`}, {body: `$misc.empty[0]`},
		{body: `$stock[item_id = 'nope']`}, {body: `$stock['x']`}, {body: `$stock[[0, 1]]`}, {body: `$misc.mixed[$]`},
		{body: `$misc.objs[a = null]`}, {body: `$lines[quantity = 2].line_total`},
		// A Parallel state's result: an array of the branches' arrays.
		{body: `$misc.branches[0]`, quick: true}, {body: `$misc.branches[1]`, quick: true}, {body: `$misc.branches[2]`},
		{body: `$misc.branches[-1]`}, {body: `$misc.branches[-3]`}, {body: `$misc.branches[0].a`}, {body: `$misc.branches[1][0]`},
		{body: `$misc.branches[0][a = 2]`}, {body: `$misc.branches[a = 1]`}, {body: `$misc.branches.a`}, {body: `$misc.branches[9]`},
		// Objects: undefined values left out, nested, with the input as their context.
		{body: `{"a": $misc.none, "b": $nothing, "c": $misc.zero, "d": $misc.empty}`},
		{body: `{"a": {"b": {"c": $orderId}}, "n": -$misc.half}`}, {body: `{}`}, {body: `{"x": name}`},
		{body: `{"a": 1, "a": 2}`}, {body: `{$orderId: 1}`},
		// Blocks and assignments, shadowing and scope.
		{body: `($a := 1; $b := $a + 1; $b * 10)`}, {body: `($order := 5; $order)`}, {body: `(($x := 1); $x)`},
		{body: `($x := 1; ($x := 2); $x)`}, {body: `($x := $nothing; $x)`}, {body: `()`},
		{body: `($string := 'v'; $string('x'))`}, {body: `$string('x') & $string`},
		// Conditions: truthiness of every kind of value.
		{body: `$misc.s ? 1 : 2`}, {body: `$misc.zero ? 1 : 2`}, {body: `$misc.empty ? 1 : 2`}, {body: `$misc.obj ? 1 : 2`},
		{body: `$misc.nullobj ? 1 : 2`}, {body: `$misc.mixed ? 1 : 2`}, {body: `$misc.none ? 1 : 2`}, {body: `$nothing ? 1 : 2`},
		{body: `$misc.f ? 1`}, {body: `$misc.t and $misc.s or $misc.zero`}, {body: `$misc.zero or $misc.none`},
		{body: `$misc.objs ? 'y' : 'n'`}, {body: `$misc.nested ? 'y' : 'n'`},
		// Arithmetic, comparison and concatenation, with mismatched and missing operands.
		{body: `1 + 2 * 3 - 4 / 8`}, {body: `7 % 3`}, {body: `-7 % 3`}, {body: `$misc.half * 3`}, {body: `1 / 0`},
		{body: `$misc.s + 1`}, {body: `$nothing + 1`}, {body: `$misc.none + 1`}, {body: `$misc.t + 1`}, {body: `-$misc.neg`},
		{body: `-$misc.s`}, {body: `-$nothing`}, {body: `$misc.big * 10`}, {body: `$misc.tiny + 0`},
		{body: `1 = 1`}, {body: `1 = '1'`}, {body: `'a' != 'b'`}, {body: `$misc.t = true`}, {body: `$misc.none = null`},
		{body: `$nothing = 1`}, {body: `$nothing != 1`}, {body: `$nothing < 1`}, {body: `'a' < 'b'`}, {body: `'b' <= 'a'`},
		{body: `'a' < 1`}, {body: `$misc.t < 1`}, {body: `2 >= 2`}, {body: `2 > 2`}, {body: `$misc.empty = $misc.empty`},
		{body: `$misc.s in ['abc']`}, {body: `'É' < 'e'`},
		{body: `'n=' & $misc.half`}, {body: `'n=' & $misc.big`}, {body: `'n=' & $misc.tiny`}, {body: `'b=' & $misc.t`},
		{body: `'o=' & $misc.obj`}, {body: `'a=' & $misc.nums`}, {body: `'x' & $nothing & 'y'`}, {body: `'z' & $misc.none`},
		{body: `1 & 2`}, {body: `$misc.neg & ''`},
		// Functions, on every kind of argument.
		{body: `$string($misc.half)`}, {body: `$string($misc.big)`}, {body: `$string($misc.tiny)`}, {body: `$string($misc.none)`},
		{body: `$string($misc.nullobj)`}, {body: `$string($misc.mixed)`}, {body: `$string($misc.unicode)`}, {body: `$string()`},
		{body: `$string(1, true)`}, {body: `$string($nothing)`},
		{body: `$number($misc.sn)`}, {body: `$number($misc.sexp)`}, {body: `$number($misc.sbad)`}, {body: `$number($misc.t)`},
		{body: `$number($misc.none)`}, {body: `$number($misc.obj)`}, {body: `$number('-0.5')`}, {body: `$number(' 1')`},
		{body: `$number('0x10')`}, {body: `$number($nothing)`},
		{body: `$floor($misc.neg)`}, {body: `$floor($misc.s)`}, {body: `$floor($misc.t)`}, {body: `$floor()`},
		{body: `$trim($misc.spaces)`}, {body: `$trim($misc.half)`}, {body: `$lowercase($misc.unicode)`}, {body: `$lowercase(1)`},
		{body: `$substring($misc.unicode, 1, 3)`}, {body: `$substring($misc.s, -2)`}, {body: `$substring($misc.s, 1)`},
		{body: `$substring($misc.s, 0, 99)`}, {body: `$substring($misc.s, 1.5, 1)`}, {body: `$substring(5, 1)`},
		{body: `$substring($misc.s, 'a')`}, {body: `$substring($nothing, 0, 1)`}, {body: `$substring($misc.s, $nothing)`},
		{body: `$hash($misc.s, 'MD5')`}, {body: `$hash($misc.s, 'SHA-1')`}, {body: `$hash($misc.s, 'CRC')`}, {body: `$hash(1, 'MD5')`},
		{body: `$hash($nothing, 'MD5')`},
		{body: `$sum($misc.nums)`}, {body: `$sum($misc.mixed)`}, {body: `$sum($misc.empty)`}, {body: `$sum(5)`}, {body: `$sum('5')`},
		{body: `$sum($nothing)`}, {body: `$sum($misc.objs.a)`},
		{body: `$count($misc.nums)`}, {body: `$count($misc.empty)`}, {body: `$count($nothing)`}, {body: `$count($misc.none)`},
		{body: `$count($misc.obj)`}, {body: `$count('abc')`}, {body: `$count($stock[reserved = true])`},
		{body: `$exists($misc.none)`}, {body: `$exists($nothing)`}, {body: `$exists($misc.empty)`}, {body: `$exists($nullvar)`},
		{body: `$not($misc.s)`}, {body: `$not($nothing)`}, {body: `$not($misc.empty)`}, {body: `$not($misc.none)`},
		{body: `$lookup($store, 'currency')`}, {body: `$lookup($store, 'nope')`}, {body: `$lookup($misc.nullobj, 'x')`},
		{body: `$lookup($stock, 'item_id')`}, {body: `$lookup($store, 1)`}, {body: `$lookup($nothing, 'x')`},
		{body: `$fromMillis(0)`}, {body: `$fromMillis($now, '[H01]:[m01]')`}, {body: `$fromMillis($now, '[Y0001]-[M01]-[D01]', '-0500')`},
		{body: `$fromMillis($now, '[Y0001]', 'bad')`}, {body: `$fromMillis($misc.half)`}, {body: `$fromMillis('1')`},
		{body: `$fromMillis($nothing)`}, {body: `$fromMillis(-1)`},
		{body: `$toMillis('2026-12-07T09:30:00.123Z')`}, {body: `$toMillis('2026-12-07')`}, {body: `$toMillis('2026-12-07T09:30:00+01:00')`},
		{body: `$toMillis('yesterday')`}, {body: `$toMillis('07/12/2026', '[D01]/[M01]/[Y0001]')`}, {body: `$toMillis(5)`},
		{body: `$toMillis($nothing)`},
		{body: `$uuid()`}, {body: `$length('abc')`}, {body: `$count()`}, {body: `$exists(1, 2)`},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			quick := quickCompare(t, tt.body, env)
			if tt.quick {
				assert.True(t, quick, "the quick evaluator should answer")
			}
		})
	}
}

// TestQuickTimeFunctions: $now() and $millis() answer the time of the evaluation, as the
// library's.
func TestQuickTimeFunctions(t *testing.T) {
	t.Parallel()
	env := &jsonataEnv{states: map[string]any{}, vars: newScope(nil)} // no $now variable to call
	for _, body := range []string{`$now()`, `$millis()`} {
		c, err := compileJSONata(body)
		require.NoError(t, err)
		want, err := c.evalWithLibrary("{% "+body+" %}", "Output", env)
		require.NoError(t, err)
		out, ok := c.evalQuick(env)
		require.True(t, ok, body)
		got, err := jsonataResult("{% "+body+" %}", "Output", out)
		require.NoError(t, err)
		assert.IsType(t, want, got, body)
		if s, ok := want.(string); ok {
			assert.Len(t, got, len(s), "%s: %s against %s", body, got, s)
			assert.Equal(t, s[:13], got.(string)[:13], "%s: the same hour", body) // 2026-12-06T22
		}
	}
}

// TestQuickAgreesOnRandomExpressions builds expressions at random from the pieces the quick
// evaluator takes and a few it does not, over the fixture's values, and compares it with the
// library wherever it answers.
func TestQuickAgreesOnRandomExpressions(t *testing.T) {
	t.Parallel()
	n := 4000
	if testing.Short() {
		n = 500
	}
	env := func() *jsonataEnv { return quickFixture(t) }
	g := &exprGen{r: rand.New(rand.NewPCG(7, 16))}
	answered := 0
	for i := range n {
		body := g.expr(3)
		if !t.Run(fmt.Sprint(i), func(t *testing.T) {
			if quickCompare(t, body, env) {
				answered++
			}
		}) {
			t.Logf("expression %d: %s", i, body)
		}
	}
	t.Logf("the quick evaluator answered %d of %d", answered, n)
	assert.Greater(t, answered, n/4, "the generator should mostly make expressions the evaluator takes")
}

// exprGen writes random JSONata expressions.
type exprGen struct{ r *rand.Rand }

var (
	genPaths = []string{`$req.items`, `$req.items.quantity`, `$req.customer.name`, `$store.currency.S`, `$store.tax_bp.N`,
		`$now`, `$orderId`, `$day`, `$stock`, `$stock.item_id`, `$stock.reserved`, `$lines.line_total`, `$subtotal`,
		`$order.items`, `$order.total`, `$misc.none`, `$misc.t`, `$misc.zero`, `$misc.half`, `$misc.neg`, `$misc.empty`,
		`$misc.one`, `$misc.nums`, `$misc.mixed`, `$misc.nested`, `$misc.objs`, `$misc.objs.a`, `$misc.s`, `$misc.sn`,
		`$misc.unicode`, `$misc.obj`, `$misc.nullobj`, `$misc.branches`, `$misc.branches[0]`, `$nullvar`, `$nothing`, `$states.input.quantity`,
		`$states.input.risk`, `$states.result.Item.prices.M`, `$states.result.Item`, `$states.input.Item.status.S`, `$`}
	genFilters = []string{`reserved = true`, `quantity > 1`, `0`, `-1`, `1`, `unknown`, `$ > 0`, `a = 1`, `item_id = 'espresso'`}
	genLits    = []string{`0`, `1`, `-1`, `2.5`, `1e3`, `'a'`, `''`, `'12'`, `"x y"`, `true`, `false`, `null`}
	genOps     = []string{`+`, `-`, `*`, `/`, `%`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `and`, `or`, `&`}
	genFuncs   = []struct {
		name string
		args int
	}{{"string", 1}, {"number", 1}, {"floor", 1}, {"trim", 1}, {"lowercase", 1}, {"substring", 3}, {"substring", 2},
		{"sum", 1}, {"count", 1}, {"exists", 1}, {"not", 1}, {"lookup", 2}, {"fromMillis", 1}, {"toMillis", 1},
		{"hash", 2}, {"length", 1}, {"boolean", 1}}
)

func (g *exprGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *exprGen) expr(depth int) string {
	if depth == 0 {
		if g.r.IntN(2) == 0 {
			return g.pick(genLits)
		}
		return g.pick(genPaths)
	}
	switch g.r.IntN(9) {
	case 0:
		return g.pick(genPaths) + "[" + g.pick(genFilters) + "]"
	case 1:
		return g.pick(genPaths) + "[" + g.pick(genFilters) + "]." + g.pick([]string{"item_id", "a", "quantity", "x"})
	case 2:
		return g.expr(depth-1) + " " + g.pick(genOps) + " " + g.expr(depth-1)
	case 3:
		f := genFuncs[g.r.IntN(len(genFuncs))]
		args := make([]string, f.args)
		for i := range args {
			args[i] = g.expr(depth - 1)
		}
		return "$" + f.name + "(" + strings.Join(args, ", ") + ")"
	case 4:
		return g.expr(depth-1) + " ? " + g.expr(depth-1) + " : " + g.expr(depth-1)
	case 5:
		return `{"k": ` + g.expr(depth-1) + `, "l": ` + g.expr(depth-1) + `}`
	case 6:
		return "($v := " + g.expr(depth-1) + "; " + strings.ReplaceAll(g.expr(depth-1), "$orderId", "$v") + ")"
	case 7:
		return "-" + g.expr(depth-1)
	}
	return g.expr(0)
}

// TestQuickLeavesShadowedFunctionsToTheLibrary: a variable named like a function shadows it in
// the library, which then fails to call it, and keeps failing once the variable is out of
// scope (it stays registered as undefined: compiledJSONata.registered). The quick evaluator
// leaves such an expression to the library from the first time, for good.
func TestQuickLeavesShadowedFunctionsToTheLibrary(t *testing.T) {
	t.Parallel()
	const body = `$count($items) * 1 + 0`
	src := "{% " + body + " %}"
	withVar := newScope(nil)
	withVar.set(map[string]any{"count": json.Number("5"), "items": []any{"a", "b"}})
	without := newScope(nil)
	without.set(map[string]any{"items": []any{"a", "b"}})

	c, err := compileJSONata(body)
	require.NoError(t, err)
	_, ok := c.evalQuick(&jsonataEnv{vars: withVar})
	assert.False(t, ok, "the variable shadows the function")
	_, err = evalJSONata(src, "Output", &jsonataEnv{vars: withVar})
	assert.ErrorContains(t, err, "cannot call non-function $count")
	_, err = evalJSONata(src, "Output", &jsonataEnv{vars: without})
	assert.ErrorContains(t, err, "cannot call non-function $count", "the library still has it registered")
	assert.True(t, c.quickOff.Load())
}

// BenchmarkJSONataOrder evaluates 04's order expression (the Order state's block, the largest
// of PlaceOrder's) with the library and with the quick evaluator:
//
//	go test -run '^$' -bench JSONataOrder -benchmem ./shared/emulator/stepfunctions/asl/
func BenchmarkJSONataOrder(b *testing.B) {
	const body = `($tax := $floor(($subtotal * $number($store.tax_bp.N) + 5000) / 10000); {"store_id": $req.store_id, "day": $day, "customer": {"name": $trim($req.customer.name), "email": $req.customer.email}, "items": $lines, "currency": $store.currency.S, "subtotal": $subtotal, "tax": $tax, "total": $subtotal + $tax, "pickup_at": $fromMillis($toMillis($req.pickup_at))})`
	src := "{% " + body + " %}"
	c, err := compileJSONata(body)
	require.NoError(b, err)
	require.NotNil(b, c.quick)
	env := quickFixture(b)
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			env.converted = nil // each state evaluation converts its variables once
			if _, err := c.evalWithLibrary(src, "Output", env); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("quick", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			env.converted = nil
			out, ok := c.evalQuick(env)
			if !ok {
				b.Fatal("declined")
			}
			if _, err := jsonataResult(src, "Output", out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
