package dynamodb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestControlPlaneSerializationErrors checks that the control plane's requests (decoded with
// encoding/json) word a value of the wrong JSON type as DynamoDB's wire layer does, like the data
// plane's: a list where a scalar or structure is expected names the expected Java class, capacity
// units are Longs, a list's element that is no structure is "Unexpected value type in payload".
// The members' types are the API reference's (CreateTable, UpdateTable, TagResource,
// ProvisionedThroughput: "Type: Long"); the wording is DynamoDB's as recorded against the real
// service by dynalite's type tests (https://github.com/architect/dynalite/blob/main/test/helpers.js,
// assertType); the error shape is in
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html.
func TestControlPlaneSerializationErrors(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	tests := []struct {
		name, op, body, want string
	}{
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html: TableName is a String.
		{"TableName given a list", "DescribeTable", `{"TableName":[]}`, "Unrecognized collection type class java.lang.String"},
		{"TableName given an object", "DeleteTable", `{"TableName":{}}`, "Start of structure or map found where not expected"},
		{"TableName given a decimal", "DescribeTable", `{"TableName":34.56}`, "DECIMAL_VALUE cannot be converted to String"},
		{"TableName given a number", "DescribeTable", `{"TableName":23}`, "NUMBER_VALUE cannot be converted to String"},
		{"TableName given true", "DescribeTimeToLive", `{"TableName":true}`, "TRUE_VALUE cannot be converted to String"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ProvisionedThroughput.html:
		// ReadCapacityUnits and WriteCapacityUnits are Longs.
		{"ProvisionedThroughput given a list", "CreateTable", `{"ProvisionedThroughput":[]}`,
			"Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"},
		{"ProvisionedThroughput given a string", "CreateTable", `{"ProvisionedThroughput":"23"}`, "Unexpected field type"},
		{"WriteCapacityUnits given a list", "CreateTable", `{"ProvisionedThroughput":{"WriteCapacityUnits":[]}}`,
			"Unrecognized collection type class java.lang.Long"},
		{"ReadCapacityUnits given false", "CreateTable", `{"ProvisionedThroughput":{"ReadCapacityUnits":false}}`,
			"FALSE_VALUE cannot be converted to Long"},
		{"index WriteCapacityUnits given a string", "CreateTable", `{"GlobalSecondaryIndexes":[{"ProvisionedThroughput":{"WriteCapacityUnits":"23"}}]}`,
			"STRING_VALUE cannot be converted to Long"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html:
		// KeySchema is a list of KeySchemaElement structures.
		{"KeySchema given a string", "CreateTable", `{"KeySchema":"23"}`, "Unexpected field type"},
		{"KeySchema element given a number", "CreateTable", `{"KeySchema":[23]}`, "Unexpected value type in payload"},
		{"KeySchema element given a list", "CreateTable", `{"KeySchema":[[]]}`,
			"Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement"},
		{"KeyType given a list", "CreateTable", `{"KeySchema":[{"KeyType":[]}]}`, "Unrecognized collection type class java.lang.String"},
		{"AttributeName with a comma, then a list", "CreateTable", `{"KeySchema":[{"AttributeName":"a,b","KeyType":[]}]}`,
			"Unrecognized collection type class java.lang.String"},
		{"Projection given a list", "CreateTable", `{"LocalSecondaryIndexes":[{"Projection":[]}]}`,
			"Unrecognized collection type class com.amazonaws.dynamodb.v20120810.Projection"},
		{"NonKeyAttributes element given a list", "CreateTable", `{"GlobalSecondaryIndexes":[{"Projection":{"NonKeyAttributes":[[]]}}]}`,
			"Unrecognized collection type class java.lang.String"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GlobalSecondaryIndexUpdate.html:
		// Create is a CreateGlobalSecondaryIndexAction.
		{"Create given a list", "UpdateTable", `{"GlobalSecondaryIndexUpdates":[{"Create":[]}]}`,
			"Unrecognized collection type class com.amazonaws.dynamodb.v20120810.CreateGlobalSecondaryIndexAction"},
		{"Update given a list", "UpdateTable", `{"GlobalSecondaryIndexUpdates":[{"Update":[]}]}`,
			"Unrecognized collection type class com.amazonaws.dynamodb.v20120810.UpdateGlobalSecondaryIndexAction"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html: Limit is an Integer.
		{"Limit given a list", "ListTables", `{"Limit":[]}`, "Unrecognized collection type class java.lang.Integer"},
		{"Limit given a string", "ListTables", `{"Limit":"23"}`, "STRING_VALUE cannot be converted to Integer"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html: Tags is a list of Tag.
		{"Tags element given a list", "TagResource", `{"Tags":[[]]}`, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.Tag"},
		{"TagKeys element given a list", "UntagResource", `{"TagKeys":[[]]}`, "Unrecognized collection type class java.lang.String"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "SerializationException")
			assert.Contains(t, err.Error(), ": "+tt.want)
		})
	}
}
