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

// TestCreateTableSchemaChecks checks CreateTable's own checks, made once the members satisfy
// their constraints, one at a time and in DynamoDB's order: billing and capacity first, then
// the key schema against the attribute definitions (keys and definitions listed in the
// request's order), then each index. The rules are the API reference's
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html:
// AttributeDefinitions, KeySchema, LocalSecondaryIndexes, GlobalSecondaryIndexes, BillingMode,
// ProvisionedThroughput) and the wording DynamoDB's as recorded against the real service by
// dynalite's CreateTable tests (https://github.com/architect/dynalite/blob/main/test/createTable.js).
func TestCreateTableSchemaChecks(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	const (
		prov = `"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`
		ab   = `"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}]`
		hr   = `"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"RANGE","AttributeName":"b"}]`
	)
	tests := []struct {
		name, body, want string
	}{
		// BillingMode: PROVISIONED (the default) requires ProvisionedThroughput; PAY_PER_REQUEST
		// takes none. Checked before the key schema.
		{"PROVISIONED without ProvisionedThroughput", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}]}`,
			"One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"PAY_PER_REQUEST with ProvisionedThroughput", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"HASH","AttributeName":"a"}],` + prov + `,"BillingMode":"PAY_PER_REQUEST"}`,
			"One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		// KeySchema: every key attribute is defined in AttributeDefinitions.
		{"more keys than definitions", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"RANGE","AttributeName":"b"}],` + prov + `}`,
			"Invalid KeySchema: Some index key attribute have no definition"},
		{"key not defined", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],` + prov + `}`,
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"},
		// KeySchema: a HASH key, then optionally a RANGE key of another attribute.
		{"hash and range of the same name", `{"TableName":"abc",` + ab + `,"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"HASH","AttributeName":"a"}],` + prov + `}`,
			"Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"second key not RANGE", `{"TableName":"abc",` + ab + `,"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"HASH","AttributeName":"b"}],` + prov + `}`,
			"Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
		{"first key not HASH", `{"TableName":"abc",` + ab + `,"KeySchema":[{"KeyType":"RANGE","AttributeName":"a"},{"KeyType":"HASH","AttributeName":"b"}],` + prov + `}`,
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		// AttributeDefinitions: only key attributes are defined.
		{"unused definition", `{"TableName":"abc",` + ab + `,"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],` + prov + `}`,
			"One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		// LocalSecondaryIndexes: at least one, on a table with a sort key, each with the table's
		// partition key and its own sort key.
		{"empty LocalSecondaryIndexes", `{"TableName":"abc",` + ab + `,"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"LocalSecondaryIndexes":[],` + prov + `}`,
			"One or more parameter values were invalid: List of LocalSecondaryIndexes is empty"},
		{"LSI keys not defined", `{"TableName":"abc",` + ab + `,` + hr + `,"LocalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"c","KeyType":"RANGE"}],"Projection":{}}],` + prov + `}`,
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a, c], AttributeDefinitions: [a, b]"},
		{"LSI second key not RANGE", `{"TableName":"abc",` + ab + `,` + hr + `,"LocalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"HASH"}],"Projection":{}}],` + prov + `}`,
			"Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
		{"six LSIs", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"},{"AttributeName":"c","AttributeType":"S"}],` + hr + `,"LocalSecondaryIndexes":[` +
			lsi("ix1") + `,` + lsi("ix2") + `,` + lsi("ix3") + `,` + lsi("ix4") + `,` + lsi("ix5") + `,` + lsi("ix6") + `],` + prov + `}`,
			"One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5"},
		// GlobalSecondaryIndexes: no ProvisionedThroughput with PAY_PER_REQUEST.
		{"GSI same key names", `{"TableName":"abc",` + ab + `,` + hr + `,"GlobalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"a","KeyType":"RANGE"}],"Projection":{}}],` + prov + `}`,
			"Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"GSI throughput with PAY_PER_REQUEST", `{"TableName":"abc",` + ab + `,` + hr + `,"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"b","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},` + prov + `}]}`,
			"One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: abc when BillingMode is PAY_PER_REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "CreateTable", []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "ValidationException: "+tt.want)
		})
	}
}

func lsi(name string) string {
	return `{"IndexName":"` + name + `","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"c","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}`
}

// TestTagRequestChecks checks the tag operations' checks, made before the table is looked up:
// ResourceArn is required and a table's ARN, Tags and TagKeys are required and not empty
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UntagResource.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTagsOfResource.html:
// "Required: Yes"; "Resource: the Amazon DynamoDB resource ... an Amazon Resource Name"). The
// wording, and the not-found message of each operation, are DynamoDB's as recorded against the
// real service by dynalite's tests (https://github.com/architect/dynalite/blob/main/test/tagResource.js).
func TestTagRequestChecks(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	const missing = "arn:aws:dynamodb:us-east-1:123456789012:table/missing"
	tests := []struct {
		name, op, body, want string
	}{
		{"TagResource without ResourceArn", "TagResource", `{}`, "ValidationException: Invalid TableArn"},
		{"TagResource without Tags", "TagResource", `{"ResourceArn":"a:b:c:d:e:f/g"}`,
			"ValidationException: 1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"TagResource with no table ARN", "TagResource", `{"ResourceArn":"a:b:c:d:e:f/g","Tags":[]}`,
			"ValidationException: Invalid TableArn: Invalid ResourceArn provided as input a:b:c:d:e:f/g"},
		{"TagResource with a short table name", "TagResource", `{"ResourceArn":"arn:aws:dynamodb:us-east-1:123456789012:table/ab","Tags":[]}`,
			"ValidationException: Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1:123456789012:table/ab"},
		{"TagResource with no tags", "TagResource", `{"ResourceArn":"` + missing + `","Tags":[]}`,
			"ValidationException: Atleast one Tag needs to be provided as Input."},
		{"TagResource on a missing table", "TagResource", `{"ResourceArn":"` + missing + `","Tags":[{"Key":"a","Value":"b"}]}`,
			"ResourceNotFoundException: Requested resource not found: ResourcArn: " + missing + " not found"},
		{"UntagResource without TagKeys", "UntagResource", `{"ResourceArn":"a:b:c:d:e:f/g"}`,
			"ValidationException: 1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{"UntagResource with no keys", "UntagResource", `{"ResourceArn":"` + missing + `","TagKeys":[]}`,
			"ValidationException: Atleast one Tag Key needs to be provided as Input."},
		{"UntagResource on a missing table", "UntagResource", `{"ResourceArn":"` + missing + `","TagKeys":["a"]}`,
			"ResourceNotFoundException: Requested resource not found"},
		{"ListTagsOfResource without ResourceArn", "ListTagsOfResource", `{}`, "ValidationException: Invalid TableArn"},
		{"ListTagsOfResource with an index ARN", "ListTagsOfResource", `{"ResourceArn":"arn:aws:dynamodb:us-east-1:123456789012:table/tbl/index/i"}`,
			"ValidationException: Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1:123456789012:table/tbl/index/i"},
		{"ListTagsOfResource on a missing table", "ListTagsOfResource", `{"ResourceArn":"` + missing + `"}`,
			"ResourceNotFoundException: Requested resource not found: ResourcArn: " + missing + " not found"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTimeToLive.html:
		// TableName is required.
		{"DescribeTimeToLive without TableName", "DescribeTimeToLive", `{}`,
			"ValidationException: 1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			if tt.want == "ResourceNotFoundException: Requested resource not found" {
				assert.Equal(t, tt.want, err.Error())
			}
		})
	}
}

// TestUpdateTableChecks checks UpdateTable's own checks, made once the members satisfy their
// constraints: before the table is looked up, the request changes something, BillingMode
// PROVISIONED comes with ProvisionedThroughput, and each GlobalSecondaryIndexUpdates entry has
// one action on an index no other entry names; on the table, at most one index is created or
// deleted ("You can create or delete only one global secondary index per UpdateTable
// operation", https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html).
// The wording is DynamoDB's as recorded against the real service by dynalite's UpdateTable tests
// (https://github.com/architect/dynalite/blob/main/test/updateTable.js).
func TestUpdateTableChecks(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	tests := []struct {
		name, body, want string
	}{
		{"nothing to change", `{"TableName":"missing","GlobalSecondaryIndexUpdates":[]}`,
			"ValidationException: At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"},
		{"PROVISIONED without throughput", `{"TableName":"tbl","BillingMode":"PROVISIONED"}`,
			"ValidationException: One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED"},
		{"index update with no action", `{"TableName":"missing","GlobalSecondaryIndexUpdates":[{}]}`,
			"ValidationException: One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"},
		{"two updates of one index", `{"TableName":"missing","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"abc"}},{"Delete":{"IndexName":"abc"}}]}`,
			"ValidationException: One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: abc"},
		{"two indexes deleted at once", `{"TableName":"tbl","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"abc"}},{"Delete":{"IndexName":"abd"}}]}`,
			"LimitExceededException: Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "UpdateTable", []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestUpdateTableSameThroughput checks that an UpdateTable setting the provisioned throughput
// the table already has is refused with DynamoDB's ValidationException, as recorded against the
// real service by dynalite's UpdateTable tests
// (https://github.com/architect/dynalite/blob/main/test/updateTable.js, "if read and write are
// same"); a change is accepted
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html).
func TestUpdateTableSameThroughput(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	_, err := svc.Call(t.Context(), "CreateTable", []byte(`{"TableName":"tbl","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":3}}`))
	require.NoError(t, err)
	tests := []struct {
		name, body, want string
	}{
		{"same throughput", `{"TableName":"tbl","ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":3}}`,
			"ValidationException: The provisioned throughput for the table will not change. The requested value equals the current value. " +
				"Current ReadCapacityUnits provisioned for the table: 2. Requested ReadCapacityUnits: 2. " +
				"Current WriteCapacityUnits provisioned for the table: 3. Requested WriteCapacityUnits: 3. " +
				"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."},
		{"new throughput", `{"TableName":"tbl","ProvisionedThroughput":{"ReadCapacityUnits":4,"WriteCapacityUnits":3}}`, ""},
	}
	for _, tt := range tests {
		_, err := svc.Call(t.Context(), "UpdateTable", []byte(tt.body))
		if tt.want == "" {
			assert.NoError(t, err, tt.name)
			continue
		}
		require.Error(t, err, tt.name)
		assert.Equal(t, tt.want, err.Error(), tt.name)
	}
}

// TestNullMembers checks that a member left out is told from one sent as zero, as DynamoDB tells
// them: an absent capacity unit is "Value null … Member must not be null", 0 is "Value '0' …
// greater than or equal to 1"; an index without Projection is "must not be null", one with an
// empty Projection has no ProjectionType
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ProvisionedThroughput.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_LocalSecondaryIndex.html:
// "Required: Yes"). Recorded against the real service by dynalite's CreateTable and UpdateTable
// tests (https://github.com/architect/dynalite/blob/main/test/createTable.js).
func TestNullMembers(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	const ab = `"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"RANGE","AttributeName":"b"}]`
	tests := []struct {
		name, op, body, want string
	}{
		{"empty ProvisionedThroughput", "CreateTable", `{"TableName":"abc",` + ab + `,"ProvisionedThroughput":{}}`,
			"2 validation errors detected: " +
				"Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null"},
		{"zero and absent capacity", "CreateTable", `{"TableName":"abc",` + ab + `,"ProvisionedThroughput":{"ReadCapacityUnits":0}}`,
			"2 validation errors detected: " +
				"Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; " +
				"Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"LSI without Projection", "CreateTable", `{"TableName":"abc",` + ab + `,"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},
			"LocalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"}]}]}`,
			"1 validation error detected: Value null at 'localSecondaryIndexes.1.member.projection' failed to satisfy constraint: Member must not be null"},
		{"LSI with an empty Projection", "CreateTable", `{"TableName":"abc",` + ab + `,"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},
			"LocalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"}],"Projection":{}}]}`,
			"One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"GSI with empty throughput", "CreateTable", `{"TableName":"abc",` + ab + `,"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},
			"GlobalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"b","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{}}]}`,
			"2 validation errors detected: " +
				"Value null at 'globalSecondaryIndexes.1.member.provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null"},
		{"UpdateTable empty ProvisionedThroughput", "UpdateTable", `{"TableName":"abc","ProvisionedThroughput":{}}`,
			"2 validation errors detected: " +
				"Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null"},
		{"UpdateTable index update with empty throughput", "UpdateTable", `{"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"abc","ProvisionedThroughput":{"WriteCapacityUnits":2}}}]}`,
			"1 validation error detected: " +
				"Value null at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err)
			assert.Equal(t, "ValidationException: "+tt.want, err.Error())
		})
	}
}
