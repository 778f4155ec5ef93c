// Package tabletest starts the shared table for handler tests: an in-memory DynamoDB (minidyn)
// behind httptest, reached by a real SDK client.
package tabletest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"
	"github.com/truora/minidyn/server"
)

// Name is the table's name in tests.
const Name = "crisis"

// Start creates the table and returns the aws.Config whose clients reach it, and a client.
func Start(t testing.TB) (aws.Config, *dynamodb.Client) {
	t.Helper()
	srv := httptest.NewServer(server.NewServer())
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "eu-west-1", Credentials: aws.AnonymousCredentials{}, BaseEndpoint: aws.String(srv.URL)}
	db := dynamodb.NewFromConfig(cfg)
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
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
	require.NoError(t, err)
	return cfg, db
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
