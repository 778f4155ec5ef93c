package customresource_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/customresource"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// answeringFunction is a Lambda that PUTs the answer it was built with to the request's
// ResponseURL, through the service itself, as a handler using its aws.Config's client would.
type answeringFunction struct {
	svc     http.Handler
	answer  map[string]any
	skipPut bool
	got     map[string]any
}

func (f *answeringFunction) Call(_ context.Context, op string, input []byte) ([]byte, error) {
	var in struct{ Payload map[string]any }
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	f.got = in.Payload
	if !f.skipPut {
		body := map[string]any{"StackId": in.Payload["StackId"], "RequestId": in.Payload["RequestId"], "LogicalResourceId": in.Payload["LogicalResourceId"]}
		for k, v := range f.answer {
			body[k] = v
		}
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPut, in.Payload["ResponseURL"].(string), bytes.NewReader(b))
		rec := httptest.NewRecorder()
		f.svc.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return nil, &sim.APIError{Status: 500, Code: "PutFailed", Message: rec.Body.String()}
		}
	}
	return []byte(`{"StatusCode":200,"Payload":null}`), nil
}

// The request and response fields follow
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html and
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html.
func TestProvision(t *testing.T) {
	tests := []struct {
		name    string
		props   map[string]any
		answer  map[string]any
		skipPut bool
		wantErr string
		wantRef string
	}{
		{name: "success with data", props: map[string]any{"ServiceToken": "arn:aws:lambda:us-east-1:000000000000:function:Seeder", "Items": "26"},
			answer:  map[string]any{"Status": "SUCCESS", "PhysicalResourceId": "catalog-v1", "Data": map[string]any{"Count": "26"}},
			wantRef: "catalog-v1"},
		{name: "failed answer", props: map[string]any{"ServiceToken": "arn:aws:lambda:us-east-1:000000000000:function:Seeder"},
			answer: map[string]any{"Status": "FAILED", "Reason": "table missing", "PhysicalResourceId": "x"}, wantErr: "answered FAILED: table missing"},
		{name: "no service token", props: map[string]any{}, wantErr: "ServiceToken is required"},
		{name: "sns token", props: map[string]any{"ServiceToken": "arn:aws:sns:us-east-1:000000000000:topic"}, wantErr: "Lambda-backed custom resources only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Stack"}
			svc := customresource.New(env, "emulator.internal")
			fn := &answeringFunction{svc: svc, answer: tt.answer, skipPut: tt.skipPut}
			env.Register("lambda", fn)
			res := &cfn.Resource{LogicalID: "Seed", Type: "Custom::CatalogSeed"}
			phys, err := svc.Provision(context.Background(), res, tt.props)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Contains(t, err.Error(), "Seed")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantRef, phys.Ref)
			assert.Equal(t, "26", phys.Attrs["Count"])
			assert.Equal(t, "Create", fn.got["RequestType"])
			assert.Equal(t, "Custom::CatalogSeed", fn.got["ResourceType"])
			assert.Equal(t, "26", fn.got["ResourceProperties"].(map[string]any)["Items"])
			assert.True(t, customresource.Handles("Custom::CatalogSeed"))
			assert.Len(t, svc.Resources(), 1)
		})
	}
}

func TestResponseURLRefusesBadAnswers(t *testing.T) {
	svc := customresource.New(&sim.Env{}, "emulator.internal")
	for _, tt := range []struct {
		name, method, body string
		want               int
	}{
		{"get", http.MethodGet, "", http.StatusMethodNotAllowed},
		{"not json", http.MethodPut, "nope", http.StatusBadRequest},
		{"bad status", http.MethodPut, `{"Status":"DONE"}`, http.StatusBadRequest},
		{"nobody waits", http.MethodPut, `{"Status":"SUCCESS"}`, http.StatusNotFound},
		{"too large", http.MethodPut, `{"Status":"SUCCESS","Reason":"` + string(bytes.Repeat([]byte("x"), 5000)) + `"}`, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			svc.ServeHTTP(rec, httptest.NewRequest(tt.method, "http://emulator.internal/cloudformation-custom-resource-response/9", bytes.NewReader([]byte(tt.body))))
			assert.Equal(t, tt.want, rec.Code)
		})
	}
}
