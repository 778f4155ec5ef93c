// Package ddbtest starts the stage's tables for handler tests: an in-memory DynamoDB (minidyn)
// behind httptest, reached by a real SDK client.
package ddbtest

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"
	"github.com/truora/minidyn/server"
)

// Table is a table to create: its name, partition key and optional sort key (strings).
type Table struct {
	Name, PK, SK string
}

// The stage's tables, keyed as the stack keys them.
var (
	Orders    = Table{"orders", "orderId", ""}
	Catalog   = Table{"catalog", "pk", "sk"}
	Sales     = Table{"sales", "pk", "sk"}
	Customers = Table{"customers", "pk", "sk"}
	Outbox    = Table{"outbox", "recipient", "message_id"}
)

// Start creates the tables and returns the aws.Config whose clients reach them, and a client.
func Start(t testing.TB, tables ...Table) (aws.Config, *dynamodb.Client) {
	t.Helper()
	srv := httptest.NewServer(server.NewServer())
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "eu-west-1", Credentials: aws.AnonymousCredentials{}, BaseEndpoint: aws.String(srv.URL)}
	db := dynamodb.NewFromConfig(cfg)
	for _, tb := range tables {
		in := &dynamodb.CreateTableInput{
			TableName:            aws.String(tb.Name),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(tb.PK), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(tb.PK), KeyType: types.KeyTypeHash}},
		}
		if tb.SK != "" {
			in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(tb.SK), AttributeType: types.ScalarAttributeTypeS})
			in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(tb.SK), KeyType: types.KeyTypeRange})
		}
		_, err := db.CreateTable(context.Background(), in)
		require.NoError(t, err)
	}
	return cfg, db
}

// Env is a function's environment: the ddb environment variables name the test tables, and vars
// adds or overrides the rest.
func Env(vars map[string]string) func(string) string {
	base := map[string]string{
		"ORDERS_TABLE": Orders.Name, "CATALOG_TABLE": Catalog.Name, "SALES_TABLE": Sales.Name,
		"CUSTOMERS_TABLE": Customers.Name, "OUTBOX_TABLE": Outbox.Name,
	}
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return base[k]
	}
}

// PutOrder writes an Orders item with the given attributes (strings and int64s).
func PutOrder(t testing.TB, db *dynamodb.Client, attrs map[string]any) {
	t.Helper()
	item := map[string]types.AttributeValue{}
	for k, v := range attrs {
		switch v := v.(type) {
		case string:
			item[k] = &types.AttributeValueMemberS{Value: v}
		case int64:
			item[k] = &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
		case int:
			item[k] = &types.AttributeValueMemberN{Value: strconv.Itoa(v)}
		default:
			t.Fatalf("PutOrder: attribute %s has unsupported type %T", k, v)
		}
	}
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(Orders.Name), Item: item})
	require.NoError(t, err)
}
