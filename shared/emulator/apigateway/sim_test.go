package apigateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// lambdaCaller stands in for the Lambda service behind Env.Call: it answers Invoke with a
// proxy answer naming the function, in the output shape given.
type lambdaCaller struct {
	output func(payload string) string
	got    []string
}

func (l *lambdaCaller) Call(_ context.Context, op string, input []byte) ([]byte, error) {
	var in struct {
		FunctionName string
		Payload      json.RawMessage
	}
	if err := json.Unmarshal(input, &in); err != nil || op != "Invoke" {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "bad input %q: %v", input, err)
	}
	l.got = append(l.got, in.FunctionName)
	answer, _ := json.Marshal(map[string]any{"statusCode": 200, "body": functionName(in.FunctionName)})
	return []byte(l.output(string(answer))), nil
}

// A Lambda proxy integration calls Lambda's Invoke
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html);
// in the emulator it goes through Env.Call, whatever order the output's members come in, and a
// function error is a 502 (https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html).
func TestIntegrationThroughEnvCall(t *testing.T) {
	tests := []struct {
		name   string
		output func(string) string
		status int
		body   string
	}{
		{name: "Lambda's own order", output: func(p string) string {
			return `{"StatusCode":200,"ExecutedVersion":"$LATEST","Payload":` + p + `}`
		}, status: http.StatusOK, body: "GetOrder"},
		{name: "any order", output: func(p string) string {
			return `{"Payload":` + p + `,"StatusCode":200}`
		}, status: http.StatusOK, body: "GetOrder"},
		{name: "function error", output: func(string) string {
			return `{"StatusCode":200,"ExecutedVersion":"$LATEST","FunctionError":"Unhandled","Payload":{"errorMessage":"boom"}}`
		}, status: http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv()
			fake := &lambdaCaller{output: tt.output}
			env.Register("lambda", fake)
			svc := apigateway.New(env, nil)
			base, _ := restStack(t, svc, nil)
			rec := do(t, svc, http.MethodGet, "http://emulator.internal"+base+"/orders/o-1", "")
			assert.Equal(t, tt.status, rec.Code)
			if tt.body != "" {
				assert.Equal(t, tt.body, rec.Body.String())
			}
			require.Len(t, fake.got, 1)
			assert.Equal(t, functionARN("GetOrder"), fake.got[0])
		})
	}
}

// The service's resources are its APIs, each targeting the functions its integrations invoke.
func TestResources(t *testing.T) {
	svc := apigateway.New(newEnv(), &echoInvoker{})
	_, restID := restStack(t, svc, nil)
	res := svc.Resources()
	require.Len(t, res, 1)
	assert.Equal(t, sim.ID("apigateway:"+restID), res[0].ID)
	assert.Equal(t, apigateway.TypeRestAPI, res[0].Type)
	assert.Equal(t, "OrdersApi1A2B3C4D", res[0].LogicalID)
	assert.Contains(t, res[0].Targets, sim.ID("lambda:GetOrder"))
}
