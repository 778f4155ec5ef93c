package apigateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkapigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func apigatewayClient(t *testing.T, h http.Handler) *sdkapigw.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return sdkapigw.New(sdkapigw.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	})
}

// TestInvokeMethod answers like the console's Test tab: status, body, headers and the execution
// log with the request after transformation
// (https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html); GetRestApis and
// GetResources let a CLI user find the ids it needs
// (https://docs.aws.amazon.com/apigateway/latest/api/API_GetResources.html).
func TestTestInvokeMethodWithSDK(t *testing.T) {
	st := newOrdersStack(t, nil)
	client := apigatewayClient(t, st.svc)
	ctx := context.Background()

	apis, err := client.GetRestApis(ctx, &sdkapigw.GetRestApisInput{})
	require.NoError(t, err)
	require.Len(t, apis.Items, 1)
	assert.Equal(t, st.apiID, aws.ToString(apis.Items[0].Id))
	assert.Equal(t, "OrdersApi", aws.ToString(apis.Items[0].Name))

	resources, err := client.GetResources(ctx, &sdkapigw.GetResourcesInput{RestApiId: aws.String(st.apiID)})
	require.NoError(t, err)
	byPath := map[string]types.Resource{}
	for _, r := range resources.Items {
		byPath[aws.ToString(r.Path)] = r
	}
	require.Contains(t, byPath, "/orders/{id}")
	assert.Equal(t, aws.ToString(byPath["/orders"].Id), aws.ToString(byPath["/orders/{id}"].ParentId))
	assert.Equal(t, "{id}", aws.ToString(byPath["/orders/{id}"].PathPart))
	assert.Contains(t, byPath["/orders"].ResourceMethods, "POST")

	tests := []struct {
		name     string
		resource string
		method   string
		in       sdkapigw.TestInvokeMethodInput
		status   int32
		body     string
		log      []string
	}{
		{name: "StartSyncExecution", resource: "/orders", method: "POST",
			in: sdkapigw.TestInvokeMethodInput{Body: aws.String(validOrder),
				Headers: map[string]string{"Content-Type": "application/json"}},
			status: 200, body: `{"orderId":"o-1","state":"ACCEPTED"}`,
			log: []string{
				"Method request body before transformations: " + validOrder,
				"Request validation succeeded for content type application/json",
				"Endpoint request URI: https://states.us-east-1.amazonaws.com/?Action=StartSyncExecution",
				`Endpoint request body after transformations: {"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:OrderFlow", "input": "{\"customerId\": \"c-42\"`,
				`Endpoint response body before transformations: {"executionArn":`,
				`Method response body after transformations: {"orderId":"o-1","state":"ACCEPTED"}`,
				"Method completed with status: 200",
			}},
		{name: "validation failure", resource: "/orders", method: "POST",
			in:     sdkapigw.TestInvokeMethodInput{Body: aws.String(`{}`)},
			status: 400, body: `{"message": "Invalid request body"}`,
			log: []string{"Request body does not match model schema for content type application/json", "Method completed with status: 400"}},
		{name: "path parameter", resource: "/orders/{id}", method: "GET",
			in:     sdkapigw.TestInvokeMethodInput{PathWithQueryString: aws.String("/orders/o-7")},
			status: 404, body: `{"message": "order o-7 not found"}`,
			log: []string{"Method request path: {id=o-7}", `Endpoint request body after transformations: {"TableName": "Orders", "Key": {"id": {"S": "o-7"}}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.RestApiId = aws.String(st.apiID)
			in.ResourceId = byPath[tt.resource].Id
			in.HttpMethod = aws.String(tt.method)
			out, err := client.TestInvokeMethod(ctx, &in)
			require.NoError(t, err)
			assert.Equal(t, tt.status, out.Status)
			assert.JSONEq(t, tt.body, aws.ToString(out.Body))
			assert.Equal(t, "application/json", out.Headers["Content-Type"])
			for _, line := range tt.log {
				assert.Contains(t, aws.ToString(out.Log), line)
			}
		})
	}

	t.Run("unknown resource", func(t *testing.T) {
		_, err := client.TestInvokeMethod(ctx, &sdkapigw.TestInvokeMethodInput{RestApiId: aws.String(st.apiID),
			ResourceId: aws.String("nope00"), HttpMethod: aws.String("GET")})
		var nf *types.NotFoundException
		require.ErrorAs(t, err, &nf)
	})

	t.Run("invoke URLs still work", func(t *testing.T) {
		rec := do(t, st.svc, http.MethodGet, "http://emulator.internal"+st.base+"/health", "")
		assert.Equal(t, http.StatusOK, rec.Code)
		var v map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
	})
}
