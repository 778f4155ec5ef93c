package dynamodb_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
)

func props(tb testing.TB, js string) map[string]any {
	tb.Helper()
	var m map[string]any
	require.NoError(tb, json.Unmarshal([]byte(js), &m))
	return m
}

// ordersProps are the properties CDK synthesizes for a TableV1 with a GSI, a stream and TTL.
const ordersProps = `{
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
    {"AttributeName": "status", "AttributeType": "S"}
  ],
  "BillingMode": "PAY_PER_REQUEST",
  "GlobalSecondaryIndexes": [{
    "IndexName": "byStatus",
    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}
  }],
  "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
  "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": true},
  "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
  "SSESpecification": {"SSEEnabled": true},
  "DeletionProtectionEnabled": "false",
  "TableClass": "STANDARD",
  "ContributorInsightsSpecification": {"Enabled": true},
  "Tags": [{"Key": "stage", "Value": "03-crisis"}]
}`

func TestProvisionTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, c, _ := newService(t)
	res := &cfn.Resource{LogicalID: "OrdersTable", Type: ddb.TypeTable}
	phys, err := svc.Provision(ctx, res, props(t, ordersProps))
	require.NoError(t, err)
	assert.Equal(t, "Test-OrdersTable", phys.Ref, "a table without TableName gets the stack's physical name")
	assert.Equal(t, "arn:aws:dynamodb:us-east-1:000000000000:table/Test-OrdersTable", phys.Attrs["Arn"])
	assert.Regexp(t, `^arn:aws:dynamodb:us-east-1:000000000000:table/Test-OrdersTable/stream/\d{4}-`, phys.Attrs["StreamArn"])

	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Test-OrdersTable")})
	require.NoError(t, err)
	assert.Equal(t, types.BillingModePayPerRequest, d.Table.BillingModeSummary.BillingMode)
	require.Len(t, d.Table.GlobalSecondaryIndexes, 1)
	assert.Equal(t, types.ProjectionTypeInclude, d.Table.GlobalSecondaryIndexes[0].Projection.ProjectionType)
	assert.True(t, aws.ToBool(d.Table.StreamSpecification.StreamEnabled))

	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("Test-OrdersTable")})
	require.NoError(t, err)
	assert.Equal(t, types.TimeToLiveStatusEnabled, ttl.TimeToLiveDescription.TimeToLiveStatus)
	assert.Equal(t, "expiresAt", aws.ToString(ttl.TimeToLiveDescription.AttributeName))

	tags, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(phys.Attrs["Arn"].(string))})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	assert.Equal(t, "03-crisis", aws.ToString(tags.Tags[0].Value))

	// The GSI from CloudFormation works end to end, with its INCLUDE projection.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Test-OrdersTable"), Item: map[string]types.AttributeValue{
		"pk": s("store-1"), "sk": s("o-1"), "status": s("READY"), "total": n("9"), "secret": s("not projected"),
	}})
	require.NoError(t, err)
	q, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String("Test-OrdersTable"), IndexName: aws.String("byStatus"),
		KeyConditionExpression:    aws.String("#s = :r"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": s("READY")},
	})
	require.NoError(t, err)
	require.Len(t, q.Items, 1)
	assert.Equal(t, []string{"pk", "sk", "status", "total"}, keys(q.Items[0]))
}

func keys(item map[string]types.AttributeValue) []string {
	var out []string
	for k := range item {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestProvisionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ, props string
		want             string
	}{
		{"unknown property", ddb.TypeTable,
			`{"TableName": "x-table", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST", "KinesisStreamSpecification": {"StreamArn": "arn"}}`,
			`resource Bad (AWS::DynamoDB::Table): property "KinesisStreamSpecification" is not supported by the emulator`},
		{"unknown nested property", ddb.TypeTable,
			`{"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST", "GlobalSecondaryIndexes": [{"IndexName": "g", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}, "Bogus": 1}]}`,
			`resource Bad (AWS::DynamoDB::Table): property "GlobalSecondaryIndexes[0].Bogus" is not supported by the emulator`},
		{"provisioned without throughput", ddb.TypeTable,
			`{"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}`,
			`resource Bad (AWS::DynamoDB::Table): create table Test-Bad: ValidationException: One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED`},
		{"key not defined", ddb.TypeTable,
			`{"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}`,
			`resource Bad (AWS::DynamoDB::Table): create table Test-Bad: ValidationException: One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [pk]`},
		{"global table without a replica here", ddb.TypeGlobalTable,
			`{"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST", "Replicas": [{"Region": "eu-west-1"}]}`,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas[0].Region" names region eu-west-1, which has no DynamoDB service linked to this region's (dynamodb.Link): the emulator runs regions [us-east-1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, _, _ := newService(t)
			_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Bad", Type: tt.typ}, props(t, tt.props))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestProvisionProvisionedAndGlobalTables(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, c, _ := newService(t)
	_, err := svc.Provision(ctx, &cfn.Resource{LogicalID: "Stock", Type: ddb.TypeTable}, props(t, `{
		"TableName": "stock",
		"KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "sku", "AttributeType": "S"}],
		"ProvisionedThroughput": {"ReadCapacityUnits": "5", "WriteCapacityUnits": 2}
	}`))
	require.NoError(t, err)
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("stock")})
	require.NoError(t, err)
	assert.Equal(t, types.BillingModeProvisioned, d.Table.BillingModeSummary.BillingMode)
	assert.Equal(t, int64(5), aws.ToInt64(d.Table.ProvisionedThroughput.ReadCapacityUnits))
	assert.Equal(t, int64(2), aws.ToInt64(d.Table.ProvisionedThroughput.WriteCapacityUnits))

	phys, err := svc.Provision(ctx, &cfn.Resource{LogicalID: "Orders", Type: ddb.TypeGlobalTable}, props(t, `{
		"TableName": "orders-global",
		"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
		"BillingMode": "PAY_PER_REQUEST",
		"StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
		"Replicas": [{"Region": "us-east-1", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}]
	}`))
	require.NoError(t, err)
	assert.Equal(t, "orders-global", phys.Ref)
	assert.NotEmpty(t, phys.Attrs["TableId"])
	assert.NotEmpty(t, phys.Attrs["StreamArn"])
	assert.Equal(t, []string{ddb.TypeTable, ddb.TypeGlobalTable}, svc.Types())
}
