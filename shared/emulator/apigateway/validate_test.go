package apigateway_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
)

// Models are JSON Schema draft 4 (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html);
// one model refers to another by its URL
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html).
func TestModelKeywords(t *testing.T) {
	svc := apigateway.New(newEnv(), nil)
	api := provision(t, svc, "Api", apigateway.TypeRestAPI, map[string]any{"Name": "Api"})
	apiID := api.Ref.(string)
	provision(t, svc, "Address", apigateway.TypeModel, map[string]any{"RestApiId": apiID, "Name": "Address", "ContentType": "application/json",
		"Schema": `{"type": "object", "required": ["city"], "properties": {"city": {"type": "string", "minLength": 2}}}`})
	provision(t, svc, "Customer", apigateway.TypeModel, map[string]any{"RestApiId": apiID, "Name": "Customer", "ContentType": "application/json",
		"Schema": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"address":  map[string]any{"$ref": "https://apigateway.amazonaws.com/restapis/" + apiID + "/models/Address"},
				"age":      map[string]any{"type": "integer", "minimum": 18, "exclusiveMinimum": true, "maximum": 130},
				"discount": map[string]any{"type": "number", "multipleOf": 0.5},
				"contact":  map[string]any{"oneOf": []any{map[string]any{"type": "string", "format": "email"}, map[string]any{"type": "integer"}}},
				"tags":     map[string]any{"type": "array", "uniqueItems": true, "items": map[string]any{"type": "string"}},
				"nickname": map[string]any{"not": map[string]any{"enum": []any{"admin"}}},
				"extra":    map[string]any{"type": []any{"string", "null"}},
			},
		}})
	validator := provision(t, svc, "Validator", apigateway.TypeRequestValidator, map[string]any{"RestApiId": apiID, "ValidateRequestBody": true})
	provision(t, svc, "Post", apigateway.TypeMethod, map[string]any{"RestApiId": apiID, "ResourceId": api.Attrs["RootResourceId"], "HttpMethod": "POST",
		"RequestValidatorId": validator.Ref, "RequestModels": map[string]any{"$default": "Customer"},
		"Integration": map[string]any{"Type": "MOCK", "RequestTemplates": map[string]any{"application/json": `{"statusCode": 200}`},
			"IntegrationResponses": []any{map[string]any{"StatusCode": "200", "ResponseTemplates": map[string]any{"application/json": `ok`}}}}})
	dep := provision(t, svc, "Dep", apigateway.TypeDeployment, map[string]any{"RestApiId": apiID})
	provision(t, svc, "Stage", apigateway.TypeStage, map[string]any{"RestApiId": apiID, "DeploymentId": dep.Ref, "StageName": "v1"})
	url := "http://emulator.internal/restapis/" + apiID + "/v1/_user_request_/"

	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"all valid", `{"address": {"city": "Lyon"}, "age": 30, "discount": 1.5, "contact": 5, "tags": ["a", "b"], "nickname": "emily", "extra": null}`, true},
		{"$ref to another model", `{"address": {"city": "L"}}`, false},
		{"$ref required", `{"address": {}}`, false},
		{"exclusiveMinimum", `{"age": 18}`, false},
		{"above exclusiveMinimum", `{"age": 19}`, true},
		{"maximum", `{"age": 131}`, false},
		{"multipleOf", `{"discount": 0.3}`, false},
		{"oneOf, format ignored", `{"contact": "not an email"}`, true},
		{"oneOf none", `{"contact": 1.5}`, false},
		{"uniqueItems", `{"tags": ["a", "a"]}`, false},
		{"not", `{"nickname": "admin"}`, false},
		{"type list", `{"extra": 3}`, false},
		{"not an object", `[1, 2]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// $default applies to any content type
			// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html).
			rec := do(t, svc, http.MethodPost, url, tt.body, "Content-Type", "application/json; charset=utf-8")
			if tt.ok {
				assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				return
			}
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.Equal(t, `{"message": "Invalid request body"}`, rec.Body.String())
		})
	}
}

// A Lambda non-proxy integration (Type AWS with the invocations URI) matches SelectionPattern
// against the errorMessage of a function error
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html);
// a successful invocation takes the default response.
func TestLambdaNonProxySelection(t *testing.T) {
	tests := []struct {
		name    string
		invoker apigateway.Invoker
		status  int
		body    string
	}{
		{"success", answersWith{payload: `{"id": "o-1"}`}, http.StatusOK, `{"order": "o-1"}`},
		{"error selected", answersWith{payload: `{"errorMessage": "Order not found: o-1", "errorType": "NotFound"}`, functionError: "Unhandled"},
			http.StatusNotFound, `{"message": "Order not found: o-1"}`},
		{"unmatched error takes the default", answersWith{payload: `{"errorMessage": "boom"}`, functionError: "Unhandled"},
			http.StatusOK, `{"order": ""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := apigateway.New(newEnv(), tt.invoker)
			api := provision(t, svc, "Api", apigateway.TypeRestAPI, map[string]any{"Name": "Api"})
			apiID := api.Ref.(string)
			provision(t, svc, "Get", apigateway.TypeMethod, map[string]any{"RestApiId": apiID, "ResourceId": api.Attrs["RootResourceId"], "HttpMethod": "GET",
				"Integration": map[string]any{"Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": invocationURI("GetOrder"),
					"RequestTemplates": map[string]any{"application/json": `{"id": "$input.params('id')"}`},
					"IntegrationResponses": []any{
						map[string]any{"StatusCode": "200", "ResponseTemplates": map[string]any{"application/json": `{"order": "$!input.path('$.id')"}`}},
						map[string]any{"StatusCode": "404", "SelectionPattern": "Order not found.*",
							"ResponseTemplates": map[string]any{"application/json": `{"message": "$input.path('$.errorMessage')"}`}},
					}}})
			dep := provision(t, svc, "Dep", apigateway.TypeDeployment, map[string]any{"RestApiId": apiID})
			provision(t, svc, "Stage", apigateway.TypeStage, map[string]any{"RestApiId": apiID, "DeploymentId": dep.Ref, "StageName": "v1"})
			rec := do(t, svc, http.MethodGet, "http://emulator.internal/restapis/"+apiID+"/v1/_user_request_/?id=o-1", "")
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.body, rec.Body.String())
		})
	}
}
