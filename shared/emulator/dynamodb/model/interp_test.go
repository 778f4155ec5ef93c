package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/truora/minidyn/interpreter/language"
)

// fullApply is how updates were applied before issue 19: the whole item converted for the
// interpreter and every attribute converted back. The faster apply must give the same items.
func fullApply(u *update, old Item) (Item, error) {
	env := language.NewEnvironment()
	if u.args.names != nil {
		env.Aliases = u.args.names
	}
	if err := env.AddAttributes(old); err != nil {
		return nil, err
	}
	if err := env.AddAttributes(u.args.values); err != nil {
		return nil, err
	}
	if res := language.EvalUpdate(language.NewUpdateParser(language.NewLexer(u.expr)).ParseUpdateExpression(), env); res.Type() == language.ObjectTypeError {
		return nil, validation("%s", res.Inspect())
	}
	out := Item{}
	exclude := map[string]bool{}
	for k := range u.args.values {
		exclude[k] = true
	}
	env.Apply(out, u.args.names, exclude)
	return out, nil
}

// canon is a value with its set members sorted (minidyn hands sets back in map order, before
// and after), for comparing items.
func canon(v *Value) any {
	switch {
	case v == nil:
		return nil
	case v.M != nil:
		m := map[string]any{}
		for k, e := range v.M {
			m[k] = canon(e)
		}
		return m
	case v.L != nil:
		l := []any{}
		for _, e := range v.L {
			l = append(l, canon(e))
		}
		return l
	case v.SS != nil, v.NS != nil:
		var s []string
		for _, x := range append(slices.Clone(v.SS), v.NS...) {
			s = append(s, *x)
		}
		slices.Sort(s)
		return typeOf(v) + ":" + strings.Join(s, ",")
	case v.BS != nil:
		var s []string
		for _, b := range v.BS {
			s = append(s, string(b))
		}
		slices.Sort(s)
		return "BS:" + strings.Join(s, ",")
	}
	return *v
}

func canonItem(it Item) map[string]any {
	out := map[string]any{}
	for k, v := range it {
		out[k] = canon(v)
	}
	return out
}

// TestUpdateSharesWhatItDoesNotName checks that an update gives the same item as the full
// conversion did, for the actions of the update expression syntax
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html),
// including attributes the round trip rewrites (non-canonical and 38-digit numbers), and that
// the attributes it does not name, and the elements of a list it appends to, are the stored
// values themselves.
func TestUpdateSharesWhatItDoesNotName(t *testing.T) {
	t.Parallel()
	stored := func() Item {
		return Item{
			"pk": sv("p"), "n": nv("1.50"), "big": nv("12345678901234567890123456789012345678"),
			"count": nv("3"), "s": sv("keep"), "ss": {SS: []*string{new("a"), new("b")}},
			"ns": {NS: []*string{new("1"), new("2.0")}}, "m": {M: Item{"x": nv("1"), "y": sv("z")}},
			"lst": {L: []*Value{sv("a"), {M: Item{"q": nv("7")}}}},
			"odd": {L: []*Value{nv("1.0")}},
		}
	}
	tests := []struct {
		name   string
		expr   string
		names  map[string]string
		values Item
		// shared are the attributes that must be the stored values; appended the lists whose
		// stored elements must be kept.
		shared   []string
		appended []string
	}{
		{"set one", "SET s = :v", nil, Item{":v": sv("new")}, []string{"pk", "count", "ss", "m", "lst"}, nil},
		{"add to a number", "ADD #c :one", map[string]string{"#c": "count"}, Item{":one": nv("1")}, []string{"s", "lst"}, nil},
		{"append to itself", "SET lst = list_append(if_not_exists(lst, :none), :e)", nil,
			Item{":none": {L: []*Value{}}, ":e": {L: []*Value{sv("b"), {M: Item{"r": nv("2.50")}}}}}, []string{"s", "m"}, []string{"lst"}},
		{"append a non-canonical list", "SET odd = list_append(odd, :e)", nil, Item{":e": {L: []*Value{nv("2")}}}, []string{"s"}, nil},
		{"append to a new attribute", "SET oth = list_append(if_not_exists(oth, :none), :e)", nil,
			Item{":none": {L: []*Value{}}, ":e": {L: []*Value{sv("b")}}}, []string{"s", "lst"}, nil},
		{"append elsewhere", "SET cpy = list_append(lst, :e)", nil, Item{":e": {L: []*Value{sv("b")}}}, []string{"s"}, []string{"lst"}},
		{"list read too", "SET lst = list_append(lst, :e), fst = lst[0]", nil, Item{":e": {L: []*Value{sv("b")}}}, []string{"s"}, nil},
		{"list element read", "SET lst = list_append(lst, :e), q = lst[1].q", nil, Item{":e": {L: []*Value{sv("b")}}}, []string{"s"}, nil},
		{"nested path", "SET m.x = m.x + :one REMOVE lst[0]", nil, Item{":one": nv("1")}, []string{"s", "ss"}, nil},
		{"remove", "REMOVE s, n", nil, nil, []string{"count", "lst"}, nil},
		{"set members", "ADD ss :more DELETE ns :two", nil, Item{":more": {SS: []*string{new("c")}}, ":two": {NS: []*string{new("2")}}}, []string{"s"}, nil},
		{"alias with a dot", "SET #d = :v", map[string]string{"#d": "a.b"}, Item{":v": sv("x")}, []string{"s"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := exprArgs{names: tt.names, values: tt.values}
			u, err := compileUpdate(tt.expr, args)
			require.NoError(t, err)
			want, err := fullApply(u, stored())
			require.NoError(t, err)
			for _, exact := range []bool{false, true} {
				old := stored()
				if exact {
					// As the stored item after an update: every value as the round trip writes it.
					for k, v := range old {
						x, err := roundTrip(v)
						require.NoError(t, err)
						old[k] = x
					}
					require.True(t, itemRoundTrips(old))
				}
				got, kept, err := u.apply(old, exact)
				require.NoError(t, err)
				if exact {
					w, err := fullApply(u, old)
					require.NoError(t, err)
					assert.Equal(t, canonItem(w), canonItem(got))
				} else {
					assert.Equal(t, canonItem(want), canonItem(got))
				}
				for _, k := range tt.shared {
					if roundTrips(old[k]) {
						assert.Same(t, old[k], got[k], "%s is shared", k)
					}
				}
				for _, k := range tt.appended {
					assert.Same(t, old[k].L[0], got[k].L[0], "%s keeps its stored elements", k)
				}
				for k := range kept {
					assert.True(t, sharesPrefix(got[k].L, old[k].L))
				}
			}
		})
	}
}

// TestUpdatedSizeFollowsTheItem checks that the size an update computes from what it changed
// is the size of the whole item (DynamoDB's item size rules:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html),
// through a series of updates, and that an append past 400 KB is still refused
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items).
func TestUpdatedSizeFollowsTheItem(t *testing.T) {
	t.Parallel()
	m := New(Options{Region: "us-east-1", AccountID: "000000000000"})
	_, err := m.CreateTable(&CreateTableInput{TableName: "tbl", BillingMode: PayPerRequest,
		AttributeDefinitions: []AttributeDefinition{{"pk", "S"}}, KeySchema: []KeySchemaElement{{"pk", "HASH"}}})
	require.NoError(t, err)
	key := Item{"pk": sv("k")}
	_, err = m.PutItem(&PutItemInput{TableName: "tbl", Item: Item{"pk": sv("k"), "n": nv("1.50"), "l": {L: []*Value{sv("x")}}}})
	require.NoError(t, err)
	steps := []struct {
		expr   string
		values Item
		err    string
	}{
		{"SET l = list_append(l, :e)", Item{":e": {L: []*Value{sv("abc"), nv("12")}}}, ""},
		{"ADD c :one", Item{":one": nv("1")}, ""},
		{"SET s = :s REMOVE n", Item{":s": sv("hello")}, ""},
		{"SET l = list_append(l, :e)", Item{":e": {L: []*Value{{M: Item{"k": sv("v")}}}}}, ""},
		{"SET l = :e", Item{":e": {L: []*Value{sv("short")}}}, ""},
		{"SET l = list_append(l, :e)", Item{":e": {L: []*Value{sv(strings.Repeat("x", 300<<10))}}}, ""},
		{"SET l = list_append(l, :e)", Item{":e": {L: []*Value{sv(strings.Repeat("y", 150<<10))}}}, "Item size has exceeded the maximum allowed size"},
	}
	table, _ := m.Table("tbl")
	for i, s := range steps {
		_, err := m.UpdateItem(&UpdateItemInput{TableName: "tbl", Key: key, UpdateExpression: s.expr, ExpressionAttributeValues: s.values})
		if s.err != "" {
			require.Error(t, err, "step %d", i)
			assert.Contains(t, err.Error(), s.err)
			continue
		}
		require.NoError(t, err, "step %d", i)
		_, _, e := table.lookup("k", keyValue{})
		require.NotNil(t, e)
		assert.Equal(t, ItemSize(e.item), e.size, "step %d: %s", i, s.expr)
	}
}

// TestConditionReadsOnlyWhatItNames checks a condition on a large item gives the answer it
// names attributes for (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html),
// and that refs hands the interpreter only those attributes.
func TestConditionReadsOnlyWhatItNames(t *testing.T) {
	t.Parallel()
	item := counterItem(50 << 10)
	tests := []struct {
		expr   string
		names  map[string]string
		values Item
		want   bool
		picked []string
	}{
		{"attribute_exists(pk) AND movements < :max", nil, Item{":max": nv("10")}, true, []string{"pk", "movements"}},
		{"#m > :max", map[string]string{"#m": "movements"}, Item{":max": nv("10")}, false, []string{"movements"}},
		{"size(activity) > :n", nil, Item{":n": nv("3")}, true, []string{"activity"}},
		{"attribute_not_exists(nope)", nil, nil, true, nil},
		{"activity[0].quantity = :q", nil, Item{":q": nv("1")}, true, []string{"activity"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			c, err := compileCondition("ConditionExpression", tt.expr, exprArgs{names: tt.names, values: tt.values})
			require.NoError(t, err)
			got, err := c.match(item)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			picked := c.refs.picked(item)
			var names []string
			for k := range picked {
				names = append(names, k)
			}
			assert.ElementsMatch(t, tt.picked, names)
		})
	}
}
