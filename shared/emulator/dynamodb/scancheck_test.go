package dynamodb_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
