package model

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sv(s string) *Value { return &Value{S: &s} }
func nv(s string) *Value { return &Value{N: &s} }

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		err      string
	}{
		{"0", "0", ""},
		{"-0.000", "0", ""},
		{"1.50", "1.5", ""},
		{"00012", "12", ""},
		{"1e3", "1000", ""},
		{"-12.5E-2", "-0.125", ""},
		{".5", "0.5", ""},
		{"abc", "", "The parameter cannot be converted to a numeric value: abc"},
		{"1e", "", "The parameter cannot be converted to a numeric value: 1e"},
		{"", "", "The parameter cannot be converted to a numeric value: "},
		{strings.Repeat("1", 39), "", "Attempting to store more than 38 significant digits in a Number"},
		{"1e126", "", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"1e-131", "", "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := parseNumber(tt.in)
			if tt.err != "" {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tt.err, e.Message)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.String())
		})
	}
}

func TestNumberOrder(t *testing.T) {
	t.Parallel()
	ordered := []string{"-100", "-9.5", "-1", "-0.01", "0", "0.001", "1", "1.5", "9", "10", "100", "1e10"}
	for i := range ordered {
		for j := range ordered {
			a, _ := parseNumber(ordered[i])
			b, _ := parseNumber(ordered[j])
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			assert.Equal(t, want, a.cmp(b), "%s vs %s", ordered[i], ordered[j])
		}
	}
}

func TestItemSizeAndUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		item Item
		size int
	}{
		{"string", Item{"pk": sv("abc")}, 5},
		{"number", Item{"n": nv("12345")}, 1 + 4},
		{"bool and null", Item{"b": {BOOL: new(true)}, "z": {NULL: new(true)}}, 4},
		{"list", Item{"l": {L: []*Value{sv("ab"), sv("c")}}}, 1 + 3 + (1 + 2) + (1 + 1)},
		{"map", Item{"m": {M: map[string]*Value{"k": sv("vv")}}}, 1 + 3 + (1 + 1 + 2)},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.size, ItemSize(tt.item), tt.name)
	}
	assert.Equal(t, 1.0, writeUnits(0))
	assert.Equal(t, 1.0, writeUnits(1024))
	assert.Equal(t, 2.0, writeUnits(1025))
	assert.Equal(t, 0.5, readUnits(100, false))
	assert.Equal(t, 1.0, readUnits(4096, true))
	assert.Equal(t, 1.5, readUnits(8193, false))
}

func TestBucketRefillsContinuously(t *testing.T) {
	t.Parallel()
	at := time.Unix(0, 0)
	b := newBucket(1000, at)
	assert.True(t, b.has(1000))
	b.tokens -= 1000
	b.refill(at.Add(100 * time.Millisecond))
	assert.InDelta(t, 100, b.tokens, 1e-9)
	b.refill(at.Add(10 * time.Second))
	assert.Equal(t, 1000.0, b.tokens, "a bucket holds at most one second")
}

func TestKeyConditionErrors(t *testing.T) {
	t.Parallel()
	ks := keySchema{hash: keyAttr{"pk", "S"}, rng: keyAttr{"sk", "N"}}
	args := exprArgs{values: Item{":s": sv("x"), ":n": nv("1"), ":m": nv("5")}, names: map[string]string{"#p": "pk"}}
	tests := []struct {
		expr, want string
	}{
		{"pk = :s AND sk > :n OR sk < :n", "Invalid operator used in KeyConditionExpression: OR"},
		{"sk = :n", "Query condition missed key schema element: pk"},
		{"pk > :s", "Query key condition not supported"},
		{"pk = :n", "One or more parameter values were invalid: Condition parameter type does not match schema type"},
		{"pk = :s AND begins_with(sk, :n)", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"#p = :s AND sk BETWEEN :m AND :n", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"},
		{"pk = :s AND color = :s", "Query condition missed key schema element: sk"},
		{"pk = :nope", "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"pk = :s AND sk <> :n", "Invalid operator used in KeyConditionExpression: <>"},
		{"pk = :s AND attribute_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_exists"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := parseKeyCond(tt.expr, args, ks)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.want, e.Message)
		})
	}
	kc, err := parseKeyCond("(#p = :s) and (:n <= sk)", args, ks)
	require.NoError(t, err)
	assert.Equal(t, ">=", kc.op, "a value on the left flips the operator")
}

func newTestModel(t *testing.T) *Model {
	t.Helper()
	m := New(Options{Region: "us-east-1", AccountID: "000000000000"})
	_, err := m.CreateTable(&CreateTableInput{
		TableName:            "events",
		BillingMode:          PayPerRequest,
		AttributeDefinitions: []AttributeDefinition{{"pk", "S"}, {"sk", "N"}, {"kind", "S"}},
		KeySchema:            []KeySchemaElement{{"pk", "HASH"}, {"sk", "RANGE"}},
		LocalSecondaryIndexes: []LocalSecondaryIndex{{
			IndexName: "byKind", KeySchema: []KeySchemaElement{{"pk", "HASH"}, {"kind", "RANGE"}},
			Projection: Projection{ProjectionType: "KEYS_ONLY"},
		}},
	})
	require.NoError(t, err)
	return m
}

func TestNumericSortKeyOrderAndLSI(t *testing.T) {
	t.Parallel()
	m := newTestModel(t)
	for _, x := range []string{"10", "9", "100", "-1", "2.5"} {
		_, err := m.PutItem(&PutItemInput{TableName: "events", Item: Item{"pk": sv("a"), "sk": nv(x), "kind": sv("k" + x)}})
		require.NoError(t, err)
	}
	out, err := m.Query(&QueryInput{TableName: "events", KeyConditionExpression: "pk = :a", ExpressionAttributeValues: Item{":a": sv("a")}})
	require.NoError(t, err)
	var got []string
	for _, it := range out.Items {
		got = append(got, *it["sk"].N)
	}
	assert.Equal(t, []string{"-1", "2.5", "9", "10", "100"}, got, "numbers sort numerically, not as strings")

	out, err = m.Query(&QueryInput{TableName: "events", IndexName: "byKind", KeyConditionExpression: "pk = :a AND begins_with(kind, :k)",
		ExpressionAttributeValues: Item{":a": sv("a"), ":k": sv("k1")}})
	require.NoError(t, err)
	got = got[:0]
	for _, it := range out.Items {
		got = append(got, *it["kind"].S)
		assert.Len(t, it, 3, "KEYS_ONLY: table key and index key")
	}
	assert.Equal(t, []string{"k10", "k100"}, got)

	// "1.0" and "1" are one key.
	_, err = m.PutItem(&PutItemInput{TableName: "events", Item: Item{"pk": sv("b"), "sk": nv("1.0")}})
	require.NoError(t, err)
	g, err := m.GetItem(&GetItemInput{TableName: "events", Key: Item{"pk": sv("b"), "sk": nv("1")}})
	require.NoError(t, err)
	assert.NotNil(t, g.Item)
}

func TestUpdateTableBackfillsNewIndex(t *testing.T) {
	t.Parallel()
	m := newTestModel(t)
	for i := range 5 {
		_, err := m.PutItem(&PutItemInput{TableName: "events", Item: Item{"pk": sv(fmt.Sprint(i)), "sk": nv("1"), "color": sv("red")}})
		require.NoError(t, err)
	}
	_, err := m.UpdateTable(&UpdateTableInput{
		TableName:            "events",
		AttributeDefinitions: []AttributeDefinition{{"color", "S"}},
		GlobalSecondaryIndexUpdates: []GlobalSecondaryIndexUpdate{{Create: &GlobalSecondaryIndex{
			IndexName: "byColor", KeySchema: []KeySchemaElement{{"color", "HASH"}}, Projection: Projection{ProjectionType: "ALL"},
		}}},
	})
	require.NoError(t, err)
	out, err := m.Query(&QueryInput{TableName: "events", IndexName: "byColor", KeyConditionExpression: "color = :c", ExpressionAttributeValues: Item{":c": sv("red")}})
	require.NoError(t, err)
	assert.Equal(t, 5, out.Count)
}

func TestQueryStopsAtAPageOfBytes(t *testing.T) {
	t.Parallel()
	m := newTestModel(t)
	at := time.Now()
	m.opts.Now = func() time.Time { return at }
	big := strings.Repeat("x", 300*1024)
	for i := range 5 {
		at = at.Add(time.Second) // 300 WCU a second on one key: under its 1,000
		_, err := m.PutItem(&PutItemInput{TableName: "events", Item: Item{"pk": sv("a"), "sk": nv(fmt.Sprint(i)), "blob": sv(big)}})
		require.NoError(t, err)
	}
	out, err := m.Query(&QueryInput{TableName: "events", KeyConditionExpression: "pk = :a", ExpressionAttributeValues: Item{":a": sv("a")}})
	require.NoError(t, err)
	assert.Equal(t, 4, out.Count, "a page ends once 1 MB has been read")
	assert.NotNil(t, out.LastEvaluatedKey)
	size := ItemSize(Item{"pk": sv("a"), "sk": nv("1"), "blob": sv(big)})
	assert.Equal(t, readUnits(4*size, false), out.Consumed.CapacityUnits, "4 items of 300 KB read eventually consistently")
	assert.Equal(t, 150.5, out.Consumed.CapacityUnits)
}

func TestDeleteProtection(t *testing.T) {
	t.Parallel()
	m := New(Options{Region: "us-east-1", AccountID: "1"})
	_, err := m.CreateTable(&CreateTableInput{TableName: "keep", BillingMode: PayPerRequest, DeletionProtectionEnabled: true,
		AttributeDefinitions: []AttributeDefinition{{"pk", "S"}}, KeySchema: []KeySchemaElement{{"pk", "HASH"}}})
	require.NoError(t, err)
	_, err = m.DeleteTable("keep", 0)
	require.Error(t, err)
	off := false
	_, err = m.UpdateTable(&UpdateTableInput{TableName: "keep", DeletionProtectionEnabled: &off})
	require.NoError(t, err)
	_, err = m.DeleteTable("keep", 0)
	require.NoError(t, err)
	_, ok := m.Table("keep")
	assert.False(t, ok)
}

func TestExpressionMessages(t *testing.T) {
	t.Parallel()
	m := newTestModel(t)
	tests := []struct {
		upd, cond string
		vals      Item
		want      string
	}{
		{"SET stock = stock - :one", "", Item{":one": nv("1")}, "ValidationException: The provided expression refers to an attribute that does not exist in the item"},
		{"SET a = :s + :one", "", Item{":one": nv("1"), ":s": sv("x")}, "ValidationException: An operand in the update expression has an incorrect data type"},
		{"SET a = :one", "size(a) > :one", Item{":one": nv("1")}, "ConditionalCheckFailedException: The conditional request failed"},
		{"SET a = :one", "nofunc(a)", Item{":one": nv("1")}, "ValidationException: Invalid ConditionExpression: Invalid function name; function: nofunc"},
		{"SET a = :one", "#s = :one", Item{":one": nv("1")}, "ValidationException: Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #s"},
	}
	for _, tt := range tests {
		_, err := m.UpdateItem(&UpdateItemInput{TableName: "events", Key: Item{"pk": sv("z"), "sk": nv("1")},
			UpdateExpression: tt.upd, ConditionExpression: tt.cond, ExpressionAttributeValues: tt.vals})
		require.Error(t, err, tt.upd+" / "+tt.cond)
		assert.Equal(t, tt.want, err.Error(), tt.upd+" / "+tt.cond)
	}
}

// TestConcurrentWritesAndIndexChanges runs writes, queries and scans while UpdateTable adds and
// removes an index (run with -race).
func TestConcurrentWritesAndIndexChanges(t *testing.T) {
	t.Parallel()
	m := newTestModel(t)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				_, err := m.PutItem(&PutItemInput{TableName: "events", Item: Item{"pk": sv(fmt.Sprint(w, i%50)), "sk": nv("1"), "color": sv("red")}})
				assert.NoError(t, err)
				_, err = m.Scan(&ScanInput{TableName: "events", Limit: new(5)})
				assert.NoError(t, err)
			}
		})
	}
	for range 20 {
		_, err := m.UpdateTable(&UpdateTableInput{TableName: "events", AttributeDefinitions: []AttributeDefinition{{"color", "S"}},
			GlobalSecondaryIndexUpdates: []GlobalSecondaryIndexUpdate{{Create: &GlobalSecondaryIndex{IndexName: "byColor",
				KeySchema: []KeySchemaElement{{"color", "HASH"}}, Projection: Projection{ProjectionType: "KEYS_ONLY"}}}}})
		require.NoError(t, err)
		_, err = m.Query(&QueryInput{TableName: "events", IndexName: "byColor", KeyConditionExpression: "color = :c", ExpressionAttributeValues: Item{":c": sv("red")}})
		require.NoError(t, err)
		_, err = m.UpdateTable(&UpdateTableInput{TableName: "events", GlobalSecondaryIndexUpdates: []GlobalSecondaryIndexUpdate{{Delete: &DeleteGlobalSecondaryIndexAction{IndexName: "byColor"}}}})
		require.NoError(t, err)
	}
	close(done)
	wg.Wait()
}
