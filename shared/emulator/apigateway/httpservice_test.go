package apigateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

// HTTP API AWS_PROXY integrations with an IntegrationSubtype call the service with the
// RequestParameters evaluated per request: $request.body.x, $request.header.x,
// $request.querystring.x, $context.x, $stageVariables.x and static text
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
func TestHTTPAPIServiceIntegrations(t *testing.T) {
	env := newEnv()
	queues := sqs.New(env)
	t.Cleanup(func() { _ = queues.Close() })
	states := &fakeStates{answer: func(in map[string]any) ([]byte, error) {
		return json.Marshal(map[string]any{"executionArn": "arn:aws:states:us-east-1:000000000000:execution:OrderFlow:" + in["name"].(string), "startDate": 1.7e9})
	}}
	env.Register("states", states)
	svc := apigateway.New(env, nil)
	q, err := queues.Provision(context.Background(), &cfn.Resource{LogicalID: "Jobs", Type: sqs.TypeQueue}, map[string]any{"QueueName": "jobs"})
	require.NoError(t, err)
	api := provision(t, svc, "HttpApi", apigateway.TypeHTTPAPI, map[string]any{"Name": "HttpApi", "ProtocolType": "HTTP"})
	apiID := api.Ref.(string)
	route := func(logical, key, subtype string, params map[string]any) {
		integ := provision(t, svc, logical+"Integration", apigateway.TypeIntegration, map[string]any{
			"ApiId": apiID, "IntegrationType": "AWS_PROXY", "IntegrationSubtype": subtype, "PayloadFormatVersion": "1.0",
			"CredentialsArn": "arn:aws:iam::000000000000:role/HttpApiRole", "RequestParameters": params})
		provision(t, svc, logical+"Route", apigateway.TypeRoute, map[string]any{"ApiId": apiID, "RouteKey": key,
			"Target": "integrations/" + integ.Ref.(string)})
	}
	route("Send", "POST /jobs", "SQS-SendMessage", map[string]any{
		"QueueUrl": q.Ref, "MessageBody": "$request.body.message", "MessageGroupId": "$request.header.x-group",
		"MessageAttributes": `{"source": {"DataType": "String", "StringValue": "${stageVariables.source}-${request.querystring.via}"}}`,
	})
	route("Start", "POST /orders/{id}", "StepFunctions-StartExecution", map[string]any{
		"StateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:OrderFlow",
		"Name":            "order-${request.path.id}", "Input": "$request.body",
	})
	provision(t, svc, "Stage", apigateway.TypeHTTPStage, map[string]any{"ApiId": apiID, "StageName": "$default",
		"AutoDeploy": true, "StageVariables": map[string]any{"source": "web"}})
	base := "http://emulator.internal/apis/" + apiID + "/_user_request_"

	t.Run("SQS-SendMessage", func(t *testing.T) {
		rec := do(t, svc, http.MethodPost, base+"/jobs?via=app", `{"message": "bake bread"}`, "X-Group", "g1")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var answer struct {
			SendMessageResponse struct {
				SendMessageResult struct{ MessageId, MD5OfMessageBody string }
			}
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &answer))
		assert.NotEmpty(t, answer.SendMessageResponse.SendMessageResult.MessageId)
		out, err := env.Call(context.Background(), "sqs", "ReceiveMessage",
			[]byte(`{"QueueUrl": "`+q.Ref.(string)+`", "MessageAttributeNames": ["All"]}`))
		require.NoError(t, err)
		var got struct {
			Messages []struct {
				Body              string
				MessageAttributes map[string]struct{ StringValue string }
			}
		}
		require.NoError(t, json.Unmarshal(out, &got))
		require.Len(t, got.Messages, 1)
		assert.Equal(t, "bake bread", got.Messages[0].Body)
		assert.Equal(t, "web-app", got.Messages[0].MessageAttributes["source"].StringValue)
	})
	t.Run("missing required parameter", func(t *testing.T) {
		rec := do(t, svc, http.MethodPost, base+"/jobs", `{"other": 1}`)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Equal(t, `{"message":"Bad Request"}`, rec.Body.String())
	})
	t.Run("StepFunctions-StartExecution", func(t *testing.T) {
		rec := do(t, svc, http.MethodPost, base+"/orders/o-3", `{"sku": "eclair"}`)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.True(t, strings.HasSuffix(rec.Body.String(), `OrderFlow:order-o-3","startDate":1700000000}`), rec.Body.String())
		in := states.last()
		assert.Equal(t, "StartExecution", in["op"])
		assert.Equal(t, `{"sku": "eclair"}`, in["input"])
	})
	t.Run("service error", func(t *testing.T) {
		// A queue URL that names no queue: SQS's error, in the query protocol's JSON form.
		svc2 := apigateway.New(env, nil)
		api2 := provision(t, svc2, "HttpApi2", apigateway.TypeHTTPAPI, map[string]any{"Name": "HttpApi2", "ProtocolType": "HTTP"})
		integ := provision(t, svc2, "I", apigateway.TypeIntegration, map[string]any{"ApiId": api2.Ref, "IntegrationType": "AWS_PROXY",
			"IntegrationSubtype": "SQS-SendMessage", "PayloadFormatVersion": "1.0",
			"RequestParameters": map[string]any{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/nope", "MessageBody": "$request.body"}})
		provision(t, svc2, "R", apigateway.TypeRoute, map[string]any{"ApiId": api2.Ref, "RouteKey": "POST /x", "Target": "integrations/" + integ.Ref.(string)})
		provision(t, svc2, "S", apigateway.TypeHTTPStage, map[string]any{"ApiId": api2.Ref, "StageName": "$default"})
		rec := do(t, svc2, http.MethodPost, "http://emulator.internal/apis/"+api2.Ref.(string)+"/_user_request_/x", `hello`)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Contains(t, rec.Body.String(), `"Code":"AWS.SimpleQueueService.NonExistentQueue"`)
	})
}
