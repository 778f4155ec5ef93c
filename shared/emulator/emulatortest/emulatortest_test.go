package emulatortest_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/emulatortest"
)

// A conditional put on an existing key fails with ConditionalCheckFailedException
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html): the handler
// under test sees the emulator's DynamoDB, as in a run.
func TestDynamoDB(t *testing.T) {
	cfg := emulatortest.DynamoDB(t, &dynamodb.CreateTableInput{
		TableName:            aws.String("Orders"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	db := dynamodb.NewFromConfig(cfg)
	put := &dynamodb.PutItemInput{TableName: aws.String("Orders"), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "o-1"}},
		ConditionExpression: aws.String("attribute_not_exists(pk)")}
	_, err := db.PutItem(context.Background(), put)
	require.NoError(t, err)
	_, err = db.PutItem(context.Background(), put)
	var failed *types.ConditionalCheckFailedException
	assert.ErrorAs(t, err, &failed)
}
