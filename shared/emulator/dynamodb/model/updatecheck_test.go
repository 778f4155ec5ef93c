package model

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	updateGuide  = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html"
	updateAPI    = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html"
	reservedDocs = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html"
	numberDocs   = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number"
)

// TestUpdateExpressionCheckedBeforeTable checks that an update expression's problems are
// reported as DynamoDB reports them, one at a time in its order, before the table is looked up
// (the table here does not exist).
func TestUpdateExpressionCheckedBeforeTable(t *testing.T) {
	t.Parallel()
	m := New(Options{Region: "us-east-1", AccountID: "000000000000"})
	tests := []struct {
		name   string
		expr   string
		names  map[string]string
		values Item
		want   string
		source string
	}{
		{"syntax error quotes the token and its neighbours", "ADD hits : incr", nil, Item{":incr": nv("1")},
			`Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"`, "https://github.com/aws/aws-cdk/issues/7591"},
		{"syntax error before an undefined name", "SET #a = ", nil, nil,
			`Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "="`, updateGuide},
		{"only one operator in a value", "SET a = b + c + d", nil, nil,
			`Invalid UpdateExpression: Syntax error; token: "+", near: "c + d"`, updateGuide},
		{"reserved word before an undefined name", "SET #c = :c SET name = :c", nil, nil,
			"Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name", reservedDocs},
		{"unknown function", "SET a = size(b)", nil, nil,
			"Invalid UpdateExpression: Invalid function name; function: size", updateGuide},
		{"each action keyword once", "SET a = :v REMOVE b SET c = :v", nil, Item{":v": nv("1")},
			`Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`, updateGuide},
		{"undefined name", "SET #x = :v", nil, Item{":v": nv("1")},
			"Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x", updateGuide},
		{"same path twice", "SET f = :v REMOVE f", nil, Item{":v": nv("1")},
			"Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [f], path two: [f]",
			"https://github.com/HENNGE/aiodynamo/issues/2"},
		{"map key and list index on one path", "REMOVE a.#c SET a[1] = :v", map[string]string{"#c": "c"}, Item{":v": nv("1")},
			"Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]", updateGuide},
		{"a name holding brackets is a map key", "SET #c[3].#d = :v, #c.#d[3] = :v", map[string]string{"#c": "c", "#d": "[3]"}, Item{":v": nv("1")},
			"Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]", updateGuide},
		{"list_append of a map", "SET l = list_append(l, :m)", nil, Item{":m": {M: Item{"k": sv("v")}}},
			"Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: M",
			"https://github.com/aws/aws-sdk-js-v3/issues/7171"},
		{"ADD a string", "ADD a :s", nil, Item{":s": sv("x")},
			"Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING", updateGuide},
		{"DELETE a number", "DELETE a :n", nil, Item{":n": nv("1")},
			"Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER", updateGuide},
		{"if_not_exists needs a path", "SET a = if_not_exists(:v, b)", nil, Item{":v": nv("1")},
			"Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists", updateGuide},
		{"if_not_exists takes two operands", "SET a = if_not_exists(b)", nil, nil,
			"Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1", updateGuide},
		{"operand errors before unused placeholders", "ADD a :s", map[string]string{"#unused": "u"}, Item{":s": sv("x")},
			"Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING", updateGuide},
		{"unused placeholder last", "SET a = :v", map[string]string{"#unused": "u"}, Item{":v": nv("1")},
			"Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}", updateGuide},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := m.UpdateItem(&UpdateItemInput{TableName: "missing", Key: Item{"pk": sv("k")}, UpdateExpression: tt.expr,
				ExpressionAttributeNames: tt.names, ExpressionAttributeValues: tt.values})
			require.Error(t, err, tt.source)
			assert.Equal(t, "ValidationException: "+tt.want, err.Error(), tt.source)
		})
	}
}

// updateTable is a table with a string sort key's LSI on kind and a GSI on status (S).
func updateTable(t *testing.T) *Model {
	t.Helper()
	m := New(Options{Region: "us-east-1", AccountID: "000000000000"})
	_, err := m.CreateTable(&CreateTableInput{
		TableName: "upd", BillingMode: PayPerRequest,
		AttributeDefinitions: []AttributeDefinition{{"pk", "S"}, {"sk", "S"}, {"kind", "S"}, {"status", "S"}},
		KeySchema:            []KeySchemaElement{{"pk", "HASH"}, {"sk", "RANGE"}},
		LocalSecondaryIndexes: []LocalSecondaryIndex{{IndexName: "byKind",
			KeySchema: []KeySchemaElement{{"pk", "HASH"}, {"kind", "RANGE"}}, Projection: Projection{ProjectionType: "ALL"}}},
		GlobalSecondaryIndexes: []GlobalSecondaryIndex{{IndexName: "byStatus",
			KeySchema: []KeySchemaElement{{"status", "HASH"}}, Projection: Projection{ProjectionType: "ALL"}}},
	})
	require.NoError(t, err)
	return m
}

func numSet(xs ...string) *Value {
	v := &Value{}
	for _, x := range xs {
		v.NS = append(v.NS, new(x))
	}
	return v
}

func listOf(vs ...*Value) *Value { return &Value{L: vs} }

// TestUpdateApplies checks what an update makes of a stored item, and the errors DynamoDB gives
// while applying one.
func TestUpdateApplies(t *testing.T) {
	t.Parallel()
	stored := func() Item {
		return Item{
			"pk": sv("p"), "sk": sv("s"), "n": nv("1"), "s": sv("str"), "set": numSet("1", "2", "3"),
			"m": {M: Item{"a": nv("1"), "b": nv("2")}}, "l": listOf(nv("1"), nv("3")),
			"big": nv("12345678901234567890123456789012345678"),
		}
	}
	tests := []struct {
		name    string
		expr    string
		values  Item
		legacy  map[string]AttributeValueUpdate
		want    map[string]*Value // attributes of the new item (nil: absent)
		wantErr string
		source  string
	}{
		{"values come from the item as it was", "SET n = s, s = n", nil, nil,
			map[string]*Value{"n": sv("str"), "s": nv("1")}, "", updateGuide},
		{"elements past the end are appended in index order", "SET l[9] = :c, l[5] = :b, l[1] = :a", Item{":a": sv("a"), ":b": sv("b"), ":c": sv("c")}, nil,
			map[string]*Value{"l": listOf(nv("1"), sv("a"), sv("b"), sv("c"))}, "", updateGuide + "#Expressions.UpdateExpressions.SET.AddingListElements"},
		{"removed elements close up", "REMOVE l[0], m.a", nil, nil,
			map[string]*Value{"l": listOf(nv("3")), "m": {M: Item{"b": nv("2")}}}, "", updateGuide + "#Expressions.UpdateExpressions.REMOVE.RemovingListElements"},
		{"arithmetic is exact to 38 digits", "SET big = big - :one, n = n + :tenth", Item{":one": nv("1"), ":tenth": nv("0.1")}, nil,
			map[string]*Value{"big": nv("12345678901234567890123456789012345677"), "n": nv("1.1")}, "", numberDocs},
		{"other numbers are kept as stored", "SET s = :v", Item{":v": sv("x")}, nil,
			map[string]*Value{"big": nv("12345678901234567890123456789012345678")}, "", numberDocs},
		{"ADD to a number and a set", "ADD n :two, #set :more", Item{":two": nv("2"), ":more": numSet("3", "4")}, nil,
			map[string]*Value{"n": nv("3"), "set": numSet("1", "2", "3", "4")}, "", updateGuide + "#Expressions.UpdateExpressions.ADD"},
		{"DELETE the last members removes the set", "DELETE #set :all", Item{":all": numSet("1", "2", "3")}, nil,
			map[string]*Value{"set": nil}, "", updateGuide + "#Expressions.UpdateExpressions.DELETE"},
		{"missing operand", "SET a = nope", nil, nil, nil,
			"The provided expression refers to an attribute that does not exist in the item", updateGuide},
		{"number plus string", "SET a = s + :one", Item{":one": nv("1")}, nil, nil,
			"An operand in the update expression has an incorrect data type", updateGuide},
		{"ADD a number to a set", "ADD #set :one", Item{":one": nv("1")}, nil, nil,
			"An operand in the update expression has an incorrect data type", updateGuide + "#Expressions.UpdateExpressions.ADD"},
		{"AttributeUpdates words it differently", "", nil, map[string]AttributeValueUpdate{"set": {Action: "ADD", Value: nv("1")}}, nil,
			"Type mismatch for attribute to update", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValueUpdate.html"},
		{"nested path under a string", "SET s.x = :one", Item{":one": nv("1")}, nil, nil,
			"The document path provided in the update expression is invalid for update", updateGuide},
		{"nested path under a missing attribute", "REMOVE nope[1]", nil, nil, nil,
			"The document path provided in the update expression is invalid for update", updateGuide},
		{"list index into a map", "SET m[0] = :one", Item{":one": nv("1")}, nil, nil,
			"The document path provided in the update expression is invalid for update", updateGuide},
		{"key attribute", "SET sk = :v", Item{":v": sv("x")}, nil, nil,
			"One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key",
			"https://github.com/truora/minidyn/issues/76"},
		{"key attribute removed", "REMOVE pk", nil, nil, nil,
			"One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key", updateAPI},
		{"index key of the wrong type", "SET kind = :n", Item{":n": nv("1")}, nil, nil,
			"One or more parameter values were invalid: Type mismatch for Index Key kind Expected: S Actual: N IndexName: byKind", updateAPI},
		{"index key from an attribute of the wrong type", "SET #status = n", nil, nil, nil,
			"The update expression attempted to update the secondary index key to unsupported type", updateAPI},
		{"path inside an index key", "SET x = kind.y", nil, nil, nil,
			"Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: kind",
			"https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html#HowItWorks.CoreComponents.PrimaryKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := updateTable(t)
			_, err := m.PutItem(&PutItemInput{TableName: "upd", Item: stored()})
			require.NoError(t, err)
			in := &UpdateItemInput{TableName: "upd", Key: Item{"pk": sv("p"), "sk": sv("s")}, UpdateExpression: tt.expr,
				ExpressionAttributeValues: tt.values, AttributeUpdates: tt.legacy, ReturnValues: "ALL_NEW"}
			if tt.expr != "" {
				in.ExpressionAttributeNames = map[string]string{}
				for _, n := range []string{"set", "status"} {
					if strings.Contains(tt.expr, "#"+n) {
						in.ExpressionAttributeNames["#"+n] = n
					}
				}
				if len(in.ExpressionAttributeNames) == 0 {
					in.ExpressionAttributeNames = nil
				}
			}
			out, err := m.UpdateItem(in)
			if tt.wantErr != "" {
				require.Error(t, err, tt.source)
				assert.Equal(t, "ValidationException: "+tt.wantErr, err.Error(), tt.source)
				got, err := m.GetItem(&GetItemInput{TableName: "upd", Key: Item{"pk": sv("p"), "sk": sv("s")}, ConsistentRead: true})
				require.NoError(t, err)
				assert.Equal(t, canonItem(stored()), canonItem(got.Item), "a refused update changes nothing")
				return
			}
			require.NoError(t, err, tt.source)
			for k, v := range tt.want {
				if v == nil {
					assert.NotContains(t, out.Attributes, k, tt.source)
					continue
				}
				assert.Equal(t, canon(v), canon(out.Attributes[k]), "%s (%s)", k, tt.source)
			}
		})
	}
}

// TestUpdateReturnsUpdatedPaths checks UPDATED_OLD and UPDATED_NEW: the attributes (paths) the
// update wrote, as they were or are, whether their value changed or not.
func TestUpdateReturnsUpdatedPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr, mode string
		values           Item
		want             Item
	}{
		{"unchanged values count", "SET a = :one, b = :two", "UPDATED_OLD", Item{":one": nv("1"), ":two": nv("9")},
			Item{"a": nv("1"), "b": nv("2")}},
		{"not the key or what was only read", "SET c = if_not_exists(c, a)", "UPDATED_NEW", nil,
			Item{"c": nv("1")}},
		{"nested paths as nested values", "SET m.x = :two", "UPDATED_NEW", Item{":two": nv("2")},
			Item{"m": {M: Item{"x": nv("2")}}}},
		{"removed attributes are not new", "REMOVE a SET b = :one", "UPDATED_NEW", Item{":one": nv("1")},
			Item{"b": nv("1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := updateTable(t)
			key := Item{"pk": sv("p"), "sk": sv("s")}
			_, err := m.PutItem(&PutItemInput{TableName: "upd", Item: Item{"pk": sv("p"), "sk": sv("s"), "a": nv("1"), "b": nv("2"),
				"m": {M: Item{"x": nv("1"), "y": nv("1")}}}})
			require.NoError(t, err)
			out, err := m.UpdateItem(&UpdateItemInput{TableName: "upd", Key: key, UpdateExpression: tt.expr,
				ExpressionAttributeValues: tt.values, ReturnValues: tt.mode})
			require.NoError(t, err, updateAPI+"#DDB-UpdateItem-request-ReturnValues")
			assert.Equal(t, canonItem(tt.want), canonItem(out.Attributes), updateAPI+"#DDB-UpdateItem-request-ReturnValues")
		})
	}
}
