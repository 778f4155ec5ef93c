package model

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A repeated ClientRequestToken with the same parameters answers success without applying the
// actions again; with other parameters it is IdempotentParameterMismatchException.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
// (ClientRequestToken).
func TestTransactDigestIdentifiesTheParameters(t *testing.T) {
	t.Parallel()
	base := func() []TransactWriteItem {
		return []TransactWriteItem{
			{Put: &TransactAction{TableName: "orders", Item: Item{"pk": sv("o-1"), "lines": {L: []*Value{{M: Item{"item": sv("croissant"), "qty": nv("2")}}}}},
				ConditionExpression: "attribute_not_exists(pk)"}},
			{Update: &TransactAction{TableName: "stock", Key: Item{"pk": sv("lon-01#croissant")}, UpdateExpression: "SET #r = #r + :q",
				ConditionExpression: "#r + :q <= :par", ExpressionAttributeNames: map[string]string{"#r": "reserved"},
				ExpressionAttributeValues: Item{":q": nv("2"), ":par": nv("120")}}},
		}
	}
	want := transactDigest(base())

	// The same parameters, with their maps built in another order, give the same digest.
	same := []TransactWriteItem{
		{Put: &TransactAction{TableName: "orders", ConditionExpression: "attribute_not_exists(pk)", Item: Item{}}},
		{Update: &TransactAction{TableName: "stock", Key: Item{"pk": sv("lon-01#croissant")}, UpdateExpression: "SET #r = #r + :q",
			ConditionExpression: "#r + :q <= :par", ExpressionAttributeNames: map[string]string{"#r": "reserved"},
			ExpressionAttributeValues: Item{}}},
	}
	same[0].Put.Item["lines"] = &Value{L: []*Value{{M: Item{"qty": nv("2"), "item": sv("croissant")}}}}
	same[0].Put.Item["pk"] = sv("o-1")
	same[1].Update.ExpressionAttributeValues[":par"] = nv("120")
	same[1].Update.ExpressionAttributeValues[":q"] = nv("2")
	assert.Equal(t, want, transactDigest(same))

	b, yes := []byte("x"), true
	changes := []struct {
		name   string
		change func([]TransactWriteItem)
	}{
		{"a nested value", func(x []TransactWriteItem) { x[0].Put.Item["lines"].L[0].M["qty"] = nv("3") }},
		{"a value's type", func(x []TransactWriteItem) { x[0].Put.Item["pk"] = &Value{SS: []*string{sv("o-1").S}} }},
		{"a second member", func(x []TransactWriteItem) { x[0].Put.Item["pk"].BOOL = &yes }},
		{"a binary", func(x []TransactWriteItem) { x[0].Put.Item["b"] = &Value{B: b} }},
		{"a binary set", func(x []TransactWriteItem) { x[0].Put.Item["b"] = &Value{BS: [][]byte{b}} }},
		{"a number set", func(x []TransactWriteItem) { x[0].Put.Item["b"] = &Value{NS: []*string{nv("1").N}} }},
		{"NULL", func(x []TransactWriteItem) { x[0].Put.Item["b"] = &Value{NULL: &yes} }},
		{"an attribute name", func(x []TransactWriteItem) { x[1].Update.ExpressionAttributeNames["#r"] = "sold" }},
		{"no names instead of none", func(x []TransactWriteItem) { x[0].Put.ExpressionAttributeNames = map[string]string{} }},
		{"the action", func(x []TransactWriteItem) { x[1].Delete, x[1].Update = x[1].Update, nil }},
		{"the order of the actions", func(x []TransactWriteItem) { x[0], x[1] = x[1], x[0] }},
		{"one more action", func(x []TransactWriteItem) {}}, // appended below
	}
	// And one change per field of an action, found by reflection so that a field added later is
	// covered too.
	fields := reflect.TypeFor[TransactAction]()
	for i := range fields.NumField() {
		f := fields.Field(i)
		changes = append(changes, struct {
			name   string
			change func([]TransactWriteItem)
		}{"field " + f.Name, func(x []TransactWriteItem) {
			v := reflect.ValueOf(x[1].Update).Elem().Field(i)
			switch f.Type.Kind() {
			case reflect.String:
				v.SetString(v.String() + " ")
			case reflect.Map:
				if f.Type == reflect.TypeFor[Item]() {
					v.Set(reflect.ValueOf(Item{":other": sv("x")}))
				} else {
					v.Set(reflect.ValueOf(map[string]string{"#other": "x"}))
				}
			default:
				t.Fatalf("field %s of a type the test does not change: add it to transactDigest and here", f.Name)
			}
		}})
	}
	for _, tt := range changes {
		t.Run(tt.name, func(t *testing.T) {
			x := base()
			tt.change(x)
			if tt.name == "one more action" {
				x = append(x, TransactWriteItem{ConditionCheck: &TransactAction{TableName: "orders", Key: Item{"pk": sv("o-2")}, ConditionExpression: "attribute_not_exists(pk)"}})
			}
			assert.NotEqual(t, want, transactDigest(x))
		})
	}
}

// Tokens are forgotten ten minutes after their use; a token used again after that starts anew.
func TestIdempotencyTokensExpireInOrder(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC)
	m := New(Options{Region: "us-east-1", AccountID: "000000000000", Now: func() time.Time { return now }})
	m.rememberToken("a", "d1", now)
	now = now.Add(6 * time.Minute)
	m.rememberToken("b", "d2", now)
	done, err := m.seenToken("a", "d1")
	require.NoError(t, err)
	assert.True(t, done, "within ten minutes")
	_, err = m.seenToken("a", "other")
	assert.Error(t, err, "the same token with other parameters")

	now = now.Add(5 * time.Minute) // a: 11 minutes, b: 5
	m.rememberToken("c", "d3", now)
	assert.NotContains(t, m.tokens, "a", "expired and forgotten")
	assert.Contains(t, m.tokens, "b")
	m.rememberToken("a", "d4", now) // a used again: new parameters are fine
	now = now.Add(6 * time.Minute)  // b: 11 minutes
	m.rememberToken("d", "d5", now)
	assert.NotContains(t, m.tokens, "b")
	assert.Equal(t, "d4", m.tokens["a"].digest, "a's old place in the queue does not remove its new use")
	assert.Len(t, m.tokenQueue, 3)
}

// Calls with the same condition share its parse; evaluating it from many goroutines at once
// gives each its own answer (the race detector checks that nothing writes to the shared tree).
func TestConditionsShareTheirParse(t *testing.T) {
	t.Parallel()
	const expr = "attribute_not_exists(pk) OR (#r <= :lim AND begins_with(#n, :p))"
	args := func(q string) exprArgs {
		return exprArgs{names: map[string]string{"#r": "reserved", "#n": "name"},
			values: Item{":lim": nv(q), ":p": sv("Butter")}}
	}
	a, err := compileCondition("ConditionExpression", expr, args("1"))
	require.NoError(t, err)
	b, err := compileCondition("ConditionExpression", expr, args("2"))
	require.NoError(t, err)
	assert.Same(t, a.ast, b.ast, "one parse for both")

	item := Item{"pk": sv("x"), "reserved": nv("8"), "name": sv("Butter croissant")}
	tests := []struct {
		q    string
		want bool
	}{{"10", true}, {"8", true}, {"7", false}, {"-1", false}}
	done := make(chan struct{})
	for _, tt := range tests {
		go func() {
			defer func() { done <- struct{}{} }()
			c, err := compileCondition("ConditionExpression", expr, args(tt.q))
			if !assert.NoError(t, err) {
				return
			}
			for range 50 {
				got, err := c.match(item)
				assert.NoError(t, err)
				assert.Equal(t, tt.want, got, "reserved 8 <= %s", tt.q)
			}
		}()
	}
	for range tests {
		<-done
	}
	_, err = compileCondition("ConditionExpression", "pk = = :x", args("1"))
	assert.Error(t, err, "a cached parse keeps its errors")
	_, err = compileCondition("ConditionExpression", "pk = = :x", args("1"))
	assert.Error(t, err)
}

// The parse caches keep short expressions only, and a bounded number of them.
func TestExpressionCacheIsBounded(t *testing.T) {
	t.Parallel()
	c := newExprCache[int]()
	calls := 0
	of := func(string) int { calls++; return calls }
	long := "attribute_exists(a)" + strings.Repeat(" AND attribute_exists(a)", maxCachedExpressionSize/24+1)
	require.Greater(t, len(long), maxCachedExpressionSize)
	tests := []struct {
		name      string
		expr      string
		wantCalls int
	}{
		{"a short expression is worked out once", "attribute_not_exists(pk)", 1},
		{"a long one every time", long, 2},
	}
	for _, tt := range tests {
		calls = 0
		c.Get(tt.expr, of)
		c.Get(tt.expr, of)
		assert.Equal(t, tt.wantCalls, calls, tt.name)
	}
	for i := range maxCachedExpressions + 10 {
		c.Get(strconv.Itoa(i), of)
	}
	assert.Equal(t, maxCachedExpressions, c.Len(), "no more than maxCachedExpressions")
}
