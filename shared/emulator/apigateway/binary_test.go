package apigateway_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
)

// isBase64Encoded follows each API type's rule. A REST API base64-encodes a request body only
// when its Content-Type is one of the API's binaryMediaTypes, and passes any other body as UTF-8
// text, bytes that are not UTF-8 becoming U+FFFD
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html).
// An HTTP API (payload 1.0 and 2.0) base64-encodes a body that is not text: a type other than
// text/*, application/json, application/xml and application/javascript, no Content-Type, or
// bytes that are not UTF-8
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
func TestRequestBodyEncodingByAPIType(t *testing.T) {
	t.Parallel()
	lambda := &echoInvoker{}
	svc := apigateway.New(newEnv(), lambda)
	rest := provision(t, svc, "Uploads", apigateway.TypeRestAPI, map[string]any{"Name": "Uploads", "BinaryMediaTypes": []any{"application/octet-stream", "image/*"}})
	restID := rest.Ref.(string)
	provision(t, svc, "UploadsPOST", apigateway.TypeMethod, map[string]any{"RestApiId": restID, "ResourceId": rest.Attrs["RootResourceId"], "HttpMethod": "POST",
		"AuthorizationType": "NONE", "Integration": map[string]any{"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": invocationURI("Upload")}})
	provision(t, svc, "UploadsDeployment", apigateway.TypeDeployment, map[string]any{"RestApiId": restID, "StageName": "prod"})
	restURL := "/restapis/" + restID + "/prod/_user_request_/"
	httpBase, _ := httpStack(t, svc, true, nil, nil)
	v2URL, v1URL := httpBase+"/upload", httpBase+"/files/upload"

	const order = `{"store_id":"s1"}`
	tests := []struct {
		name        string
		url         string
		contentType string
		body        string
		wantBody    string
		wantB64     bool
	}{
		{"REST: JSON is text", restURL, "application/json", order, order, false},
		{"REST: a binary media type is base64", restURL, "application/octet-stream", "\xff\x00", "/wA=", true},
		{"REST: a wildcard binary media type", restURL, "image/png", "png", "cG5n", true},
		{"REST: not UTF-8 and not a binary type is text with U+FFFD", restURL, "application/json", "{\"a\":\"\xff\xfe\"}", "{\"a\":\"\uFFFD\uFFFD\"}", false},
		{"HTTP 2.0: JSON is text", v2URL, "application/json; charset=utf-8", order, order, false},
		{"HTTP 2.0: text/plain is text", v2URL, "text/plain", "hi", "hi", false},
		{"HTTP 2.0: not UTF-8 is base64", v2URL, "application/json", "\xff\xfe", "//4=", true},
		{"HTTP 2.0: octet-stream is base64", v2URL, "application/octet-stream", "hi", "aGk=", true},
		{"HTTP 2.0: no Content-Type is base64", v2URL, "", "hi", "aGk=", true},
		{"HTTP 2.0: a form is base64", v2URL, "application/x-www-form-urlencoded", "a=1", "YT0x", true},
		{"HTTP 1.0: JSON is text", v1URL, "application/json", order, order, false},
		{"HTTP 1.0: not UTF-8 is base64", v1URL, "text/plain", "\xff", "/w==", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			if tt.contentType != "" {
				header = []string{"Content-Type", tt.contentType}
			}
			rec := do(t, svc, http.MethodPost, tt.url, tt.body, header...)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var ev struct {
				Body            string `json:"body"`
				IsBase64Encoded bool   `json:"isBase64Encoded"`
			}
			require.NoError(t, json.Unmarshal([]byte(lambda.lastEvent()), &ev))
			assert.Equal(t, tt.wantBody, ev.Body)
			assert.Equal(t, tt.wantB64, ev.IsBase64Encoded)
		})
	}
}
