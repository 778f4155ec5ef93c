// Package tabletest starts the shared table for handler tests in the emulator's own DynamoDB
// (emulatortest), reached in process by a real SDK client: the engine of `make local`.
package tabletest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/emulatortest"
)

// Name is the table's name in tests.
const Name = "crisis"

// Start creates the table and returns the aws.Config whose clients reach it, and a client.
func Start(t testing.TB) (aws.Config, *dynamodb.Client) {
	t.Helper()
	cfg := emulatortest.DynamoDB(t, &dynamodb.CreateTableInput{
		TableName:   aws.String(Name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	return cfg, dynamodb.NewFromConfig(cfg)
}

// Env is a function's environment with the table's name and the given callees.
func Env(vars map[string]string) func(string) string {
	return func(k string) string {
		if k == "TABLE_NAME" {
			return Name
		}
		return vars[k]
	}
}
