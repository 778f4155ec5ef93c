package dynamodb_test

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// TestScanChecks checks the faults DynamoDB finds in a Scan and their order: the request's own
// members (legacy and expression parameters, AttributesToGet, ScanFilter, ExclusiveStartKey
// values, Segment and TotalSegments, the expressions) before the table is looked up, then the
// index and the ExclusiveStartKey against the table.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
// (Segment and TotalSegments go together, Segment less than TotalSegments; ExclusiveStartKey;
// Errors: ValidationException), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.ScanFilter.html
// and https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
// (the number and types of values each ComparisonOperator takes),
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html (BETWEEN).
func TestScanChecks(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createOrders(t, c, "orders")
	tests := []struct {
		name, body, want string
	}{
		{"AttributesToGet is checked before ScanFilter", `{"TableName":"missing","AttributesToGet":["a","a"],"ScanFilter":{"a":{"ComparisonOperator":"EQ"}}}`,
			"ValidationException: One or more parameter values were invalid: Duplicate value in attribute name: a"},
		{"a ScanFilter value is checked before the number of values", `{"TableName":"missing","ScanFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a","N":"1"},{"S":"b"}]}}}`,
			"ValidationException: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{"the number of values an operator takes", `{"TableName":"missing","ScanFilter":{"a":{"ComparisonOperator":"EQ"}}}`,
			"ValidationException: One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"ScanFilter is checked before the ExclusiveStartKey", `{"TableName":"missing","ScanFilter":{"a":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"L":[]}]}},"ExclusiveStartKey":{"a":{}}}`,
			"ValidationException: One or more parameter values were invalid: ComparisonOperator NOT_CONTAINS is not valid for L AttributeValue type"},
		{"an ExclusiveStartKey value, before Segment", `{"TableName":"missing","ExclusiveStartKey":{"a":{}},"Segment":1}`,
			"ValidationException: The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{"Segment without TotalSegments", `{"TableName":"missing","Segment":1}`,
			"ValidationException: The TotalSegments parameter is required but was not present in the request when Segment parameter is present"},
		{"TotalSegments without Segment", `{"TableName":"missing","TotalSegments":2}`,
			"ValidationException: The Segment parameter is required but was not present in the request when parameter TotalSegments is present"},
		{"Segment not below TotalSegments", `{"TableName":"missing","Segment":2,"TotalSegments":2}`,
			"ValidationException: The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2"},
		{"BETWEEN bounds in the wrong order, on a missing table", `{"TableName":"missing","FilterExpression":"a between :b and :a","ExpressionAttributeValues":{":a":{"S":"a"},":b":{"S":"b"}}}`,
			"ValidationException: Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
		{"an unknown index, before the ExclusiveStartKey", `{"TableName":"orders","IndexName":"nope","ExclusiveStartKey":{"a":{"S":"x"}}}`,
			"ValidationException: The table does not have the specified index: nope"},
		{"an ExclusiveStartKey of other attributes", `{"TableName":"orders","ExclusiveStartKey":{"a":{"S":"x"}}}`,
			"ValidationException: The provided starting key is invalid: The provided key element does not match the schema"},
		{"an index ExclusiveStartKey without the index's sort key", `{"TableName":"orders","IndexName":"byStatus","ExclusiveStartKey":{"store":{"S":"x"},"order":{"S":"x"},"status":{"S":"x"},"z":{"S":"x"}}}`,
			"ValidationException: The provided starting key is invalid"},
		{"an index ExclusiveStartKey of the wrong type", `{"TableName":"orders","IndexName":"byStatus","ExclusiveStartKey":{"store":{"S":"x"},"order":{"S":"x"},"status":{"S":"x"},"createdAt":{"S":"x"}}}`,
			"ValidationException: The provided key element does not match the schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "Scan", []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := svc.Call(t.Context(), "Scan", []byte(`{"TableName":"orders","Segment":0}`))
	assert.ErrorContains(t, err, "The TotalSegments parameter is required", "Segment 0 needs TotalSegments too (API_Scan.html: if you provide Segment, you must also provide TotalSegments)")
	_, err = svc.Call(t.Context(), "Scan", []byte(`{"TableName":"orders","Segment":1,"TotalSegments":3,"ScanFilter":{"status":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"a"},{"S":"b"}]}}}`))
	assert.NoError(t, err)
}

// TestReadKeyPaths checks that a Query or Scan may not reach into a key attribute of the table
// or of an index with '.' or '[]': key attributes are scalars (S, N or B), see
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html#HowItWorks.CoreComponents.PrimaryKey
// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html (document paths).
func TestReadKeyPaths(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createOrders(t, c, "orders")
	const keys = `"KeyConditionExpression":"#st = :s","ExpressionAttributeValues":{":s":{"S":"x"}}`
	tests := []struct {
		name, op, body, want string
	}{
		{"Scan: a map lookup into the partition key", "Scan", `{"TableName":"orders","FilterExpression":"attribute_exists(#st.b.c)","ExpressionAttributeNames":{"#st":"store"}}`,
			"ValidationException: Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: store"},
		{"Scan: list access into the sort key in a projection", "Scan", `{"TableName":"orders","ProjectionExpression":"#o[0]","ExpressionAttributeNames":{"#o":"order"}}`,
			"ValidationException: Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: order"},
		{"Query: a filter into an index key", "Query", `{"TableName":"orders",` + keys + `,"FilterExpression":"attribute_exists(#c.x)","ExpressionAttributeNames":{"#st":"store","#c":"createdAt"}}`,
			"ValidationException: Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: createdAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := svc.Call(t.Context(), "Scan", []byte(`{"TableName":"orders","FilterExpression":"attribute_exists(#x.#st)","ExpressionAttributeNames":{"#x":"x","#st":"store"}}`))
	assert.NoError(t, err, "a key attribute's name deeper in a path is another attribute")
}

// TestScanStartKeySegment checks that a parallel Scan refuses a start key from another segment:
// "The value of LastEvaluatedKey returned from a parallel Scan request must be used as
// ExclusiveStartKey with the same segment ID in a subsequent Scan operation"
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html).
func TestScanStartKeySegment(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	refused := 0
	for i := range 10 {
		key := `{"pk":{"S":"` + strconv.Itoa(i*i*7919+i) + `"}}`
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"tbl","Item":`+key+`}`))
		require.NoError(t, err)
		_, err = svc.Call(t.Context(), "Scan", []byte(`{"TableName":"tbl","Segment":0,"TotalSegments":2,"ExclusiveStartKey":`+key+`}`))
		if err != nil {
			assert.Contains(t, err.Error(), "ValidationException: The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 0")
			refused++
		}
	}
	assert.Positive(t, refused, "keys of segment 1 are refused")
	assert.Less(t, refused, 10, "keys of segment 0 are taken")
}

// TestConditionExpressionGrammar checks condition, filter and key condition expressions against
// DynamoDB's grammar and the order of its checks, all before the table is looked up: a syntax
// error first (naming the token and the text around it), then redundant parentheses, an unknown
// function, a function where it cannot be used and a reserved word; then, condition by
// condition, an undefined placeholder, a function's number of operands, a path compared with
// itself, and a function's operand types or BETWEEN's bounds.
func TestConditionExpressionGrammar(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	// Syntax and functions:
	// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Syntax
	// Reserved words: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
	// Key conditions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
	const filter = "ValidationException: Invalid FilterExpression: "
	tests := []struct {
		name, op, body, want string
	}{
		{"a word after a complete condition", "Scan", `{"TableName":"missing","FilterExpression":"price is too high"}`,
			filter + `Syntax error; token: "is", near: "price is too"`},
		{"a number is no operand", "Scan", `{"TableName":"missing","FilterExpression":"price > 10"}`,
			filter + `Syntax error; token: "10", near: "> 10"`},
		{"a list index must be a number", "Scan", `{"TableName":"missing","FilterExpression":"attribute_exists(tray[x])"}`,
			filter + `Syntax error; token: "x", near: "[x]"`},
		{"a function's result has no members", "Scan", `{"TableName":"missing","FilterExpression":"size(tray).depth > tray"}`,
			filter + `Syntax error; token: ".", near: ").depth"`},
		{"a placeholder value has no members", "Scan", `{"TableName":"missing","FilterExpression":"tray > :v.depth","ExpressionAttributeValues":{":v":{"N":"1"}}}`,
			filter + `Syntax error; token: ".", near: ":v.depth"`},
		{"IN needs parentheses", "Scan", `{"TableName":"missing","FilterExpression":"flavour in plain, seeded"}`,
			filter + `Syntax error; token: "plain", near: "in plain,"`},
		{"syntax before an undefined placeholder", "Scan", `{"TableName":"missing","FilterExpression":"#f = :v ++"}`,
			filter + `Syntax error; token: "+", near: ":v ++"`},
		{"two pairs of parentheses round an operand", "Scan", `{"TableName":"missing","FilterExpression":"flavour = flavour AND crust > ((views))"}`,
			filter + "The expression has redundant parentheses;"},
		{"two pairs of parentheses round a condition", "Scan", `{"TableName":"missing","FilterExpression":"a = b AND ((c = d AND e = f))"}`,
			filter + "The expression has redundant parentheses;"},
		{"one pair of parentheses is fine", "Scan", `{"TableName":"missing","FilterExpression":"(a) BETWEEN (b) AND (c) AND (d = e OR NOT (f < g))"}`,
			"ResourceNotFoundException: Requested resource not found"},
		{"function names are case-sensitive", "Scan", `{"TableName":"missing","FilterExpression":"Attribute_Exists(views)"}`,
			filter + "Invalid function name; function: Attribute_Exists"},
		{"an unknown function before a reserved word", "Scan", `{"TableName":"missing","FilterExpression":"views > bake(:t)"}`,
			filter + "Invalid function name; function: bake"},
		{"a test used as an operand", "Scan", `{"TableName":"missing","FilterExpression":"crust IN (a, attribute_exists(b))"}`,
			filter + "The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"size used as a test", "Scan", `{"TableName":"missing","FilterExpression":"size(crust)"}`,
			filter + "The function is not allowed to be used this way in an expression; function: size"},
		{"a reserved word before an undefined name", "Scan", `{"TableName":"missing","FilterExpression":"attribute_exists(#x) AND :v < Comment"}`,
			filter + "Attribute name is a reserved keyword; reserved keyword: Comment"},
		{"the first condition's problem wins", "Scan", `{"TableName":"missing","FilterExpression":"begins_with(crust) AND #undefined = crust"}`,
			filter + "Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"},
		{"an undefined placeholder before the operand count", "Scan", `{"TableName":"missing","FilterExpression":"begins_with(#undefined)"}`,
			filter + "An expression attribute name used in the document path is not defined; attribute name: #undefined"},
		{"a path compared with itself", "Scan", `{"TableName":"missing","FilterExpression":"crust.edge = crust.edge"}`,
			filter + "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [crust, edge]"},
		{"begins_with a number", "Scan", `{"TableName":"missing","FilterExpression":"begins_with(crust, :n)","ExpressionAttributeValues":{":n":{"N":"1"}}}`,
			filter + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"attribute_type's type from a path", "Scan", `{"TableName":"missing","FilterExpression":"attribute_type(crust, kind)"}`,
			filter + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
		{"attribute_type's unknown type name", "Scan", `{"TableName":"missing","FilterExpression":"attribute_type(crust, :t)","ExpressionAttributeValues":{":t":{"S":"STRING"}}}`,
			filter + "Invalid attribute type name found; type: STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{"attribute_exists of a value", "Scan", `{"TableName":"missing","FilterExpression":"attribute_exists(:t)","ExpressionAttributeValues":{":t":{"S":"x"}}}`,
			filter + "Operator or function requires a document path; operator or function: attribute_exists"},
		{"size of a Boolean", "Scan", `{"TableName":"missing","FilterExpression":"size(:t) > crust","ExpressionAttributeValues":{":t":{"BOOL":true}}}`,
			filter + "Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"},
		{"BETWEEN bounds upside down in a condition", "DeleteItem", `{"TableName":"missing","Key":{"pk":{"S":"k"}},"ConditionExpression":"n BETWEEN :hi AND :lo","ExpressionAttributeValues":{":lo":{"N":"1"},":hi":{"N":"9"}}}`,
			"ValidationException: Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}"},
		{"a key condition's syntax before an empty filter", "Query", `{"TableName":"missing","KeyConditionExpression":"store is open","FilterExpression":""}`,
			`ValidationException: Invalid KeyConditionExpression: Syntax error; token: "is", near: "store is open"`},
		{"a key condition's operand types before an empty filter", "Query", `{"TableName":"missing","KeyConditionExpression":"attribute_type(a, :n)","FilterExpression":"","ExpressionAttributeValues":{":n":{"N":"1"}}}`,
			"ValidationException: Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"BETWEEN on size() in a key condition", "Query", `{"TableName":"missing","KeyConditionExpression":"a BETWEEN size(b) AND size(c)"}`,
			"ValidationException: KeyConditionExpressions cannot contain nested operations"},
		{"BETWEEN on a value first in a key condition", "Query", `{"TableName":"missing","KeyConditionExpression":":v BETWEEN size(b) AND size(c)","ExpressionAttributeValues":{":v":{"N":"1"}}}`,
			"ValidationException: Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"},
		{"BETWEEN on a list element in a key condition", "Query", `{"TableName":"missing","KeyConditionExpression":"b BETWEEN c[1] AND d"}`,
			"ValidationException: Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"trailing tokens after a key condition", "Query", `{"TableName":"missing","KeyConditionExpression":"a = :v b","ExpressionAttributeValues":{":v":{"N":"1"}}}`,
			`ValidationException: Invalid KeyConditionExpression: Syntax error; token: "b", near: ":v b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			apiErr, ok := errors.AsType[*sim.APIError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tt.want, apiErr.Code+": "+apiErr.Message)
		})
	}
}

// TestFilterPathIntoAnotherType checks that a document path stepping into an attribute of
// another type, or past a list's end, names nothing in that item: the comparison is false and
// attribute_not_exists true, rather than an error for the whole request.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html#Expressions.Attributes.NestedElements.DocumentPathExamples
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Functions
func TestFilterPathIntoAnotherType(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "nested")
	for _, it := range []string{
		`{"pk":{"S":"map"},"v":{"M":{"a":{"M":{"b":{"N":"5"}}}}}}`,
		`{"pk":{"S":"list"},"v":{"L":[{"M":{"a":{"M":{"b":{"N":"5"}}}}}]}}`,
		`{"pk":{"S":"set"},"v":{"SS":["a"]}}`,
		`{"pk":{"S":"num"},"v":{"N":"5"}}`,
	} {
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"nested","Item":`+it+`}`))
		require.NoError(t, err)
	}
	tests := []struct {
		name, filter string
		want         []string
	}{
		{"map key or list index", "v[0].a.b = :five OR v.a.b = :five", []string{"list", "map"}},
		{"an index past the list's end", "v[1].a.b = :five", nil},
		{"attribute_exists of an element", "attribute_exists(v[0])", []string{"list"}},
		{"attribute_not_exists of an element", "attribute_not_exists(v[0]) AND v <> :five", []string{"map", "set"}},
		{"size of a number is no size", "size(v) = :one", []string{"list", "map", "set"}},
		// BETWEEN is >= and <= (Comparators in the operators page); a bound may be size().
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Comparators
		{"a size() bound", ":one BETWEEN :one AND size(v)", []string{"list", "map", "set"}},
		{"NOT of a size() bound", "NOT (:one BETWEEN :one AND size(v))", []string{"num"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := map[string]string{":five": `{"N":"5"}`, ":one": `{"N":"1"}`}
			var used []string
			for _, k := range slices.Sorted(maps.Keys(values)) {
				if strings.Contains(tt.filter, k) {
					used = append(used, `"`+k+`":`+values[k])
				}
			}
			body := `{"TableName":"nested","FilterExpression":"` + tt.filter + `"`
			if used != nil {
				body += `,"ExpressionAttributeValues":{` + strings.Join(used, ",") + `}`
			}
			out, err := svc.Call(t.Context(), "Scan", []byte(body+"}"))
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.want, scannedKeys(t, out))
		})
	}
}

// TestProjectionExpressionChecks checks a projection expression's faults in DynamoDB's order,
// all before the table is looked up: a syntax error (a :value is not part of a projection's
// grammar) before a reserved word, a reserved word (in any part of a path) before an undefined
// #name, then two paths that overlap before two that conflict; and, once the table is known, a
// path into a key attribute. A path that names nothing in the item because it steps into an
// attribute of another type projects nothing.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html#Expressions.Attributes.NestedElements.DocumentPathExamples
func TestProjectionExpressionChecks(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "proj")
	_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"proj","Item":{"pk":{"S":"k"},
		"box":{"M":{"lid":{"S":"red"},"lining":{"S":"blue"}}},"tray":{"L":[{"S":"x"},{"S":"y"},{"S":"z"}]}}}`))
	require.NoError(t, err)
	const invalid = "ValidationException: Invalid ProjectionExpression: "
	tests := []struct {
		name, body, want string
	}{
		{"a value placeholder is a syntax error", `{"TableName":"missing","Key":{"pk":{"S":"k"}},"ProjectionExpression":":v"}`,
			invalid + `Syntax error; token: ":v", near: ":v"`},
		{"a reserved word inside a path", `{"TableName":"missing","Key":{"pk":{"S":"k"}},"ProjectionExpression":"box.Size"}`,
			invalid + "Attribute name is a reserved keyword; reserved keyword: Size"},
		{"a reserved word before an undefined name", `{"TableName":"missing","Key":{"pk":{"S":"k"}},"ProjectionExpression":"#undefined, Comment"}`,
			invalid + "Attribute name is a reserved keyword; reserved keyword: Comment"},
		{"an undefined name", `{"TableName":"missing","Key":{"pk":{"S":"k"}},"ProjectionExpression":"box, #undefined"}`,
			invalid + "An expression attribute name used in the document path is not defined; attribute name: #undefined"},
		{"a path inside another overlaps it", `{"TableName":"missing","Key":{"pk":{"S":"k"}},"ProjectionExpression":"tray[1], #b.lid, box","ExpressionAttributeNames":{"#b":"box"}}`,
			invalid + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [box, lid], path two: [box]"},
		{"an overlap is told before a conflict", `{"TableName":"missing","Key":{"pk":{"S":"k"}},"ProjectionExpression":"box[0], box.lid, tray, tray"}`,
			invalid + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [tray], path two: [tray]"},
		{"a map key and a list index conflict", `{"TableName":"missing","Key":{"pk":{"S":"k"}},"ProjectionExpression":"box.lid, box[2]"}`,
			invalid + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [box, lid], path two: [box, [2]]"},
		{"a path into the key", `{"TableName":"proj","Key":{"pk":{"S":"k"}},"ProjectionExpression":"#k.part","ExpressionAttributeNames":{"#k":"pk"}}`,
			"ValidationException: Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"},
		{"a path into a string projects nothing", `{"TableName":"proj","Key":{"pk":{"S":"k"}},"ProjectionExpression":"box.lining, tray[2], tray[0].part"}`,
			`{"Item":{"box":{"M":{"lining":{"S":"blue"}}},"tray":{"L":[{"S":"z"}]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.Call(t.Context(), "GetItem", []byte(tt.body))
			if apiErr, ok := errors.AsType[*sim.APIError](err); ok {
				assert.Equal(t, tt.want, apiErr.Code+": "+apiErr.Message)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
}

// TestSizeCountsCharacters checks that size() of a string counts its characters, not its UTF-8
// bytes ("the string Brand is less than or equal to 20 characters" in the developer guide's
// size example), in every comparison and in BETWEEN; a binary's size is its bytes.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Functions
func TestSizeCountsCharacters(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "sizes")
	for _, it := range []string{
		`{"pk":{"S":"accented"},"v":{"S":"crème"}}`, // 5 characters, 6 bytes
		`{"pk":{"S":"plain"},"v":{"S":"bread"}}`,
		`{"pk":{"S":"binary"},"v":{"B":"w6k="}}`, // 2 bytes
	} {
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"sizes","Item":`+it+`}`))
		require.NoError(t, err)
	}
	tests := []struct {
		name, filter string
		want         []string
	}{
		{"equal", "size(v) = :five", []string{"accented", "plain"}},
		{"not equal", "size(v) <> :five", []string{"binary"}},
		{"greater", "size(v) > :five", nil},
		{"value first", ":five >= size(v)", []string{"accented", "binary", "plain"}},
		{"between", "size(v) BETWEEN :two AND :five", []string{"accented", "binary", "plain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := map[string]string{":five": `{"N":"5"}`, ":two": `{"N":"2"}`}
			var used []string
			for _, k := range slices.Sorted(maps.Keys(values)) {
				if strings.Contains(tt.filter, k) {
					used = append(used, `"`+k+`":`+values[k])
				}
			}
			out, err := svc.Call(t.Context(), "Scan", []byte(`{"TableName":"sizes","FilterExpression":"`+tt.filter+
				`","ExpressionAttributeValues":{`+strings.Join(used, ",")+`}}`))
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.want, scannedKeys(t, out))
		})
	}
}
