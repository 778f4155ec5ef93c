package emulator_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSharedPortRouting checks that DynamoDB's endpoint answers on the shared loopback port only
// what is DynamoDB's, and everything else is routed as before: a plain GET / is DynamoDB's health
// check (issue 11 quotes DynamoDB's answer), a DynamoDB target with another media type gets
// DynamoDB's 404 (https://github.com/huseyinbabal/taws/issues/165), while SQS query requests
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html),
// Lambda's REST paths, the admin API and requests that name no service keep their answers, and
// a page of another origin is still refused.
func TestSharedPortRouting(t *testing.T) {
	emu := start(t, nil, "127.0.0.1:0")
	const sqsAuth = "AWS4-HMAC-SHA256 Credential=AKID/20261205/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		wantStatus               int
		wantBody                 string // a part of the answer
	}{
		{name: "health check", method: http.MethodGet, path: "/",
			wantStatus: 200, wantBody: "healthy: dynamodb.us-east-1.amazonaws.com "},
		{name: "health check from another origin", method: http.MethodGet, path: "/", header: map[string]string{"Origin": "http://evil.example"},
			wantStatus: 403},
		{name: "DynamoDB target, x-amz-json-1.1", method: http.MethodPost, path: "/", body: "{}",
			header:     map[string]string{"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.1"},
			wantStatus: 404, wantBody: "<title>Page Not Found</title>"},
		{name: "SQS query GET", method: http.MethodGet, path: "/?Action=ListQueues&Version=2012-11-05", header: map[string]string{"Authorization": sqsAuth},
			wantStatus: 200, wantBody: "<ListQueuesResponse"},
		{name: "SQS query POST", method: http.MethodPost, path: "/", body: "Action=ListQueues&Version=2012-11-05",
			header:     map[string]string{"Authorization": sqsAuth, "Content-Type": "application/x-www-form-urlencoded"},
			wantStatus: 200, wantBody: "<ListQueuesResponse"},
		{name: "Lambda REST path", method: http.MethodGet, path: "/2015-03-31/functions/",
			wantStatus: 200, wantBody: "Kitchen-Kitchen"},
		{name: "admin API", method: http.MethodGet, path: "/_emulator/metrics",
			wantStatus: 200},
		{name: "POST naming no service", method: http.MethodPost, path: "/", body: "{}", header: map[string]string{"Content-Type": "application/json"},
			wantStatus: 400, wantBody: "the emulator does not serve POST /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), tt.method, emu.URL()+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, string(body))
			assert.Contains(t, string(body), tt.wantBody)
		})
	}
}
