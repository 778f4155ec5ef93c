package dynamodb_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestCheckedBeforeTable checks the order in which DynamoDB finds fault with a data-plane
// request: the expression parameters, the attribute values of the key or item, and each
// expression are checked before the table is looked up (so these requests on a missing table
// are ValidationExceptions, not ResourceNotFoundException), one problem at a time, in this order:
//   - expression and legacy parameters not mixed, ExpressionAttributeNames/Values only with an
//     expression that can use them;
//   - every attribute value valid, the item within 400 KB;
//   - ExpressionAttributeNames not empty and its keys #name, ExpressionAttributeValues not empty,
//     its keys :value and its values valid;
//   - each expression: present but empty is an error, then its syntax;
//   - last, a placeholder defined but not used.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
// (names begin with #), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html
// (values begin with :), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html (item size,
// partition key 2048 bytes), and each operation's API reference (Errors: ValidationException).
func TestRequestCheckedBeforeTable(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	big := strings.Repeat("x", 400*1024)
	tests := []struct {
		name, op, body, want string
	}{
		{"GetItem: an empty ProjectionExpression is an expression, so the empty names map is the fault", "GetItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"ProjectionExpression":"","ExpressionAttributeNames":{}}`,
			"ValidationException: ExpressionAttributeNames must not be empty"},
		{"GetItem: an empty ProjectionExpression", "GetItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"ProjectionExpression":""}`,
			"ValidationException: Invalid ProjectionExpression: The expression can not be empty;"},
		{"GetItem: null is an absent member, not an empty one", "GetItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"ProjectionExpression":null}`,
			"ResourceNotFoundException"},
		{"GetItem: both expression and AttributesToGet", "GetItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"ProjectionExpression":"","AttributesToGet":["a"]}`,
			"ValidationException: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"},
		{"GetItem: a key value with two types", "GetItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a","N":"1"}}}`,
			"ValidationException: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{"GetItem: AttributesToGet naming an attribute twice", "GetItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"AttributesToGet":["a","a"]}`,
			"ValidationException: One or more parameter values were invalid: Duplicate value in attribute name: a"},
		{"GetItem: a names key without #", "GetItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"ProjectionExpression":"pk","ExpressionAttributeNames":{"a":"a"}}`,
			`ValidationException: ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`},
		{"PutItem: an empty ConditionExpression", "PutItem",
			`{"TableName":"missing","Item":{"pk":{"S":"a"}},"ConditionExpression":""}`,
			"ValidationException: Invalid ConditionExpression: The expression can not be empty;"},
		{"PutItem: an invalid number in the item", "PutItem",
			`{"TableName":"missing","Item":{"pk":{"S":"a"},"n":{"N":"b"}}}`,
			"ValidationException"},
		{"PutItem: an item over 400 KB", "PutItem",
			`{"TableName":"missing","Item":{"pk":{"S":"a"},"big":{"S":"` + big + `"}}}`,
			"ValidationException: Item size has exceeded the maximum allowed size"},
		{"PutItem: values map without a condition", "PutItem",
			`{"TableName":"missing","Item":{"pk":{"S":"a"}},"ExpressionAttributeValues":{":v":{"S":"a"}}}`,
			"ValidationException: ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"},
		{"UpdateItem: a values key without :", "UpdateItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{"b":{"S":"a"},":v":{"S":"a"}}}`,
			`ValidationException: ExpressionAttributeValues contains invalid key: Syntax error; key: "b"`},
		{"UpdateItem: an invalid value in the values map", "UpdateItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :b","ExpressionAttributeValues":{":b":{"SS":[]}}}`,
			"ValidationException: ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :b"},
		{"UpdateItem: an empty UpdateExpression", "UpdateItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"UpdateExpression":""}`,
			"ValidationException: Invalid UpdateExpression: The expression can not be empty;"},
		{"UpdateItem: a reserved word is reported before an unused name", "UpdateItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET Absolute = :v","ExpressionAttributeNames":{"#a":"a"},"ExpressionAttributeValues":{":v":{"S":"a"}}}`,
			"ValidationException: Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute"},
		{"UpdateItem: an unused name", "UpdateItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :v","ExpressionAttributeNames":{"#a":"a"},"ExpressionAttributeValues":{":v":{"S":"a"}}}`,
			"ValidationException: Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}"},
		{"DeleteItem: an empty ConditionExpression", "DeleteItem",
			`{"TableName":"missing","Key":{"pk":{"S":"a"}},"ConditionExpression":""}`,
			"ValidationException: Invalid ConditionExpression: The expression can not be empty;"},
		{"Query: an empty FilterExpression", "Query",
			`{"TableName":"missing","KeyConditionExpression":"pk = :p","FilterExpression":"","ExpressionAttributeValues":{":p":{"S":"a"}}}`,
			"ValidationException: Invalid FilterExpression: The expression can not be empty;"},
		{"Scan: an invalid ExclusiveStartKey value", "Scan",
			`{"TableName":"missing","ExclusiveStartKey":{"pk":{}}}`,
			"ValidationException: The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html:
		// up to 100 keys; each table's part checked as GetItem's.
		{"BatchGetItem: an invalid key value on a missing table", "BatchGetItem",
			`{"RequestItems":{"missing":{"Keys":[{"pk":{"S":"a","N":"1"}}]}}}`,
			"ValidationException: Supplied AttributeValue has more than one datatypes set"},
		{"BatchGetItem: an empty ProjectionExpression", "BatchGetItem",
			`{"RequestItems":{"missing":{"Keys":[{"pk":{"S":"a"}}],"ProjectionExpression":""}}}`,
			"ValidationException: Invalid ProjectionExpression: The expression can not be empty;"},
		{"BatchGetItem: 101 keys on missing tables", "BatchGetItem", batchGet101(),
			"ValidationException: Too many items requested for the BatchGetItem call"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html:
		// up to 25 requests; each item checked as PutItem's.
		{"BatchWriteItem: an invalid number on a missing table", "BatchWriteItem",
			`{"RequestItems":{"missing":[{"PutRequest":{"Item":{"pk":{"S":"a"},"n":{"N":"1e126"}}}}]}}`,
			"ValidationException: Number overflow"},
		{"BatchWriteItem: 26 requests on a missing table", "BatchWriteItem", batchWrite26(),
			"ValidationException: 1 validation error detected: Value '{missing=[WriteRequest(putRequest=PutRequest(item={pk="},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
		{"TransactWriteItems: a syntax error on a missing table", "TransactWriteItems",
			`{"TransactItems":[{"Update":{"TableName":"missing","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET = :v","ExpressionAttributeValues":{":v":{"S":"a"}}}}]}`,
			"ValidationException: Invalid UpdateExpression"},
		{"TransactGetItems: an invalid key on a missing table", "TransactGetItems",
			`{"TransactItems":[{"Get":{"TableName":"missing","Key":{"pk":{}}}}]}`,
			"ValidationException: Supplied AttributeValue is empty"},
		// DynamoDB words this one without a space before the number.
		{"GetItem: a partition key over 2048 bytes", "GetItem",
			`{"TableName":"tbl","Key":{"pk":{"S":"` + strings.Repeat("k", 2049) + `"}}}`,
			"ValidationException: One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func batchGet101() string {
	keys := make([]string, 101)
	for i := range keys {
		keys[i] = `{"pk":{"S":"k` + strconv.Itoa(i) + `"}}`
	}
	return `{"RequestItems":{"missing":{"Keys":[` + strings.Join(keys[:50], ",") + `]},"missing2":{"Keys":[` + strings.Join(keys[50:], ",") + `]}}}`
}

func batchWrite26() string {
	reqs := make([]string, 26)
	for i := range reqs {
		reqs[i] = `{"PutRequest":{"Item":{"pk":{"S":"k` + strconv.Itoa(i) + `"}}}}`
	}
	return `{"RequestItems":{"missing":[` + strings.Join(reqs, ",") + `]}}`
}
