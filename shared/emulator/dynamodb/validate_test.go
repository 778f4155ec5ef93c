package dynamodb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestValidation checks that a request's member constraints are reported as DynamoDB
// reports them: every violation at once ("N validation errors detected: Value … at … failed to
// satisfy constraint: …; …") and before the table is looked up, so an invalid request on a
// missing table is a ValidationException, not a ResourceNotFoundException. The constraints are
// each operation's API reference (Length Constraints, Valid Values, Valid Range), the message
// format is DynamoDB's ValidationException
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
func TestRequestValidation(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	const key = `"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]`
	tests := []struct {
		name, op, body, want string
	}{
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html and
		// the naming rules: 3 to 255 characters of [a-zA-Z0-9_.-]
		// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
		{"CreateTable missing everything, short name", "CreateTable", `{"TableName":"ab"}`,
			"ValidationException: 3 validation errors detected: " +
				"Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; " +
				"Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value null at 'keySchema' failed to satisfy constraint: Member must not be null"},
		{"CreateTable name with invalid characters", "CreateTable", `{"TableName":"no way!",` + key + `,"BillingMode":"PAY_PER_REQUEST"}`,
			"ValidationException: 1 validation error detected: Value 'no way!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"CreateTable bad enums and capacity", "CreateTable", `{"TableName":"new",` + key + `,"BillingMode":"FREE","ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":0}}`,
			"ValidationException: 3 validation errors detected: " +
				"Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; " +
				"Value '0' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ProvisionedThroughput.html
		{"CreateTable capacity beyond the maximum", "CreateTable", `{"TableName":"new",` + key + `,"ProvisionedThroughput":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":1}}`,
			"ValidationException: Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Projection.html:
		// an index's Projection names its ProjectionType.
		{"CreateTable index with an empty Projection", "CreateTable", `{"TableName":"new","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
			"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST",
			"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{}}]}`,
			"ValidationException: One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"CreateTable index with a bad ProjectionType and name", "CreateTable", `{"TableName":"new","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
			"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST",
			"GlobalSecondaryIndexes":[{"IndexName":"g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"SOME"}}]}`,
			"ValidationException: 2 validation errors detected: " +
				"Value 'g' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value 'SOME' at 'globalSecondaryIndexes.1.member.projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html:
		// ExclusiveStartTableName 3 to 255 characters, Limit 1 to 100.
		{"ListTables empty ExclusiveStartTableName and Limit 0", "ListTables", `{"ExclusiveStartTableName":"","Limit":0}`,
			"ValidationException: 3 validation errors detected: " +
				"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"ListTables Limit over 100", "ListTables", `{"Limit":101}`,
			"ValidationException: 1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html: Limit
		// at least 1; validated before the table is looked up, in the validation framework's
		// wording (see TestFrameworkWording).
		{"Query Limit 0 on a missing table", "Query", `{"TableName":"missing","Limit":0,"KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}`,
			"ValidationException: 1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html; listed in the
		// order DynamoDB lists them (select, …, totalSegments, …, limit), as dynalite's suite recorded.
		{"Scan several violations on a missing table", "Scan", `{"TableName":"missing","Limit":-1,"Select":"SOME","TotalSegments":0,"Segment":0}`,
			"ValidationException: 3 validation errors detected: " +
				"Value 'SOME' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]; " +
				"Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
		{"PutItem bad enums on a missing table", "PutItem", `{"TableName":"missing","Item":{"pk":{"S":"a"}},"ReturnValues":"SOME","ReturnConsumedCapacity":"ALL"}`,
			"ValidationException: 2 validation errors detected: " +
				"Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
				"Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"},
		{"PutItem without Item", "PutItem", `{"TableName":"tbl"}`,
			"ValidationException: 1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
		{"GetItem without TableName and Key", "GetItem", `{}`,
			"ValidationException: 2 validation errors detected: " +
				"Value null at 'tableName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'key' failed to satisfy constraint: Member must not be null"},
		{"GetItem bad projection on a missing table", "GetItem", `{"TableName":"missing","Key":{"pk":{"S":"a"}},"ProjectionExpression":"a,,b"}`,
			"ValidationException: Invalid ProjectionExpression"},
		{"UpdateItem bad expression on a missing table", "UpdateItem", `{"TableName":"missing","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET a = :v, a = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}`,
			"ValidationException: Invalid UpdateExpression: Two document paths overlap with each other"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
		{"DescribeTable without TableName", "DescribeTable", `{}`,
			"ValidationException: 1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html:
		// the members' constraints come first; an empty RequestItems is its own sentence after
		// them (see TestRequiredSentences).
		{"BatchWriteItem empty RequestItems and bad enums", "BatchWriteItem", `{"RequestItems":{},"ReturnConsumedCapacity":"ALL","ReturnItemCollectionMetrics":"FULL"}`,
			"ValidationException: 2 validation errors detected: " +
				"Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
				"Value 'FULL' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
		{"BatchGetItem without RequestItems", "BatchGetItem", `{}`,
			"ValidationException: 1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html:
		// 1 to 100 actions, ClientRequestToken 1 to 36 characters.
		{"TransactWriteItems empty with a long token", "TransactWriteItems", `{"TransactItems":[],"ClientRequestToken":"0123456789012345678901234567890123456789"}`,
			"ValidationException: 2 validation errors detected: " +
				"Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '0123456789012345678901234567890123456789' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
		{"TransactGetItems without TransactItems", "TransactGetItems", `{"ReturnConsumedCapacity":"SOME"}`,
			"ValidationException: 2 validation errors detected: " +
				"Value null at 'transactItems' failed to satisfy constraint: Member must not be null; " +
				"Value 'SOME' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"},
		// A valid request on a missing table is still ResourceNotFoundException
		// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html#API_GetItem_Errors).
		{"GetItem valid on a missing table", "GetItem", `{"TableName":"missing","Key":{"pk":{"S":"a"}}}`,
			"ResourceNotFoundException: Requested resource not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := svc.Call(t.Context(), "DescribeTable", []byte(`{"TableName":"new"}`))
	require.Error(t, err, "no invalid CreateTable created its table")
	assert.Contains(t, err.Error(), "ResourceNotFoundException")
}
