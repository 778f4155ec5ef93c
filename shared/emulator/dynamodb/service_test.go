package dynamodb_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

const ordersTable = `{"TableName":"Orders","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`

// Other services reach DynamoDB through Env.Call with the operation's JSON request and get its
// JSON response; an API error keeps DynamoDB's code and status
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html).
func TestEnvCall(t *testing.T) {
	env := newEnv()
	svc := ddb.New(env)
	ctx := context.Background()
	_, err := env.Call(ctx, "dynamodb", "CreateTable", []byte(ordersTable))
	require.NoError(t, err)
	tableARN := env.ARN("dynamodb", "table/Orders")

	tests := []struct {
		name, target, op, input string
		want                    string
		code                    string
		status                  int
	}{
		{name: "put", target: "dynamodb", op: "PutItem", input: `{"TableName":"Orders","Item":{"pk":{"S":"o-1"}}}`, want: `{}`},
		{name: "get by ARN", target: tableARN, op: "GetItem", input: `{"TableName":"Orders","Key":{"pk":{"S":"o-1"}}}`, want: `{"Item":{"pk":{"S":"o-1"}}}`},
		{name: "condition fails", target: "dynamodb", op: "PutItem", input: `{"TableName":"Orders","Item":{"pk":{"S":"o-1"}},"ConditionExpression":"attribute_not_exists(pk)"}`,
			code: "ConditionalCheckFailedException", status: http.StatusBadRequest},
		{name: "no table", target: "dynamodb", op: "GetItem", input: `{"TableName":"Nope","Key":{"pk":{"S":"o-1"}}}`,
			code: "ResourceNotFoundException", status: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := env.Call(ctx, tt.target, tt.op, []byte(tt.input))
			if tt.code != "" {
				var apiErr *sim.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.code, apiErr.Code)
				assert.Equal(t, tt.status, apiErr.Status)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
	assert.Equal(t, []sim.Resource{{ID: "dynamodb:Orders", Type: ddb.TypeTable, Physical: "Orders", ARN: tableARN}}, svc.Resources())
}

// The emulator routes by X-Amz-Target, DynamoDB_20120810.<Operation>
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html).
func TestServes(t *testing.T) {
	svc := ddb.New(newEnv())
	tests := []struct {
		name, target string
		want         bool
	}{
		{name: "DynamoDB", target: "DynamoDB_20120810.GetItem", want: true},
		{name: "SQS", target: "AmazonSQS.SendMessage", want: false},
		{name: "none", target: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header.Set("X-Amz-Target", tt.target)
			assert.Equal(t, tt.want, svc.Serves(r))
		})
	}
}
