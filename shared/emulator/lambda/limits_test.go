package lambda_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdklambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
)

// jsonOf is a valid JSON string payload of exactly n bytes.
func jsonOf(n int) []byte {
	return []byte(`"` + strings.Repeat("a", n-2) + `"`)
}

// TestInvokePayloadLimits: Invoke takes up to 6 MB for a synchronous invocation and 1 MB for an
// asynchronous one, and refuses more with 413 RequestTooLargeException
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html, "For synchronous invocations,
// the maximum payload size is 6 MB. For asynchronous invocations, the maximum payload size is
// 1 MB."; the error: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
// A payload over the limit used to be cut at the limit and answered 400
// InvalidRequestContentException as invalid JSON.
func TestInvokePayloadLimits(t *testing.T) {
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	defer svc.Close()
	name := provision(t, svc, "Echo", nil)
	srv := httptest.NewServer(svc)
	defer srv.Close()
	client := sdklambda.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")},
		func(o *sdklambda.Options) { o.BaseEndpoint = aws.String(srv.URL); o.RetryMaxAttempts = 1 })

	tests := []struct {
		name    string
		typ     types.InvocationType
		size    int
		wantErr string // "" when accepted
	}{
		{"sync at 6 MB", types.InvocationTypeRequestResponse, lambda.MaxSyncPayload, ""},
		{"sync over 6 MB", types.InvocationTypeRequestResponse, lambda.MaxSyncPayload + 1,
			"Request must be smaller than 6291456 bytes for the InvokeFunction operation"},
		{"sync at 20 MiB", types.InvocationTypeRequestResponse, 20 << 20,
			"Request must be smaller than 6291456 bytes for the InvokeFunction operation"},
		{"async at 1 MB", types.InvocationTypeEvent, lambda.MaxAsyncPayload, ""},
		{"async over 1 MB", types.InvocationTypeEvent, lambda.MaxAsyncPayload + 1,
			"is too large for the Event invocation type (limit 1048576 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.Invoke(context.Background(), &sdklambda.InvokeInput{FunctionName: aws.String(name),
				InvocationType: tt.typ, Payload: jsonOf(tt.size)})
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			var big *types.RequestTooLargeException
			require.ErrorAs(t, err, &big)
			assert.Contains(t, big.ErrorMessage(), tt.wantErr)
		})
	}

	// Without a Content-Length (chunked), the limit is enforced while reading.
	t.Run("chunked body over 6 MB", func(t *testing.T) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
			srv.URL+"/2015-03-31/functions/"+name+"/invocations", struct{ *bytes.Reader }{bytes.NewReader(jsonOf(7 << 20))})
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Zero(t, req.ContentLength, "sent without a Content-Length (chunked)")
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		assert.Equal(t, "RequestTooLargeException", resp.Header.Get("X-Amzn-ErrorType"))
	})
}
