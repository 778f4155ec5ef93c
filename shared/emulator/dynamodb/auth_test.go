package dynamodb_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHealthAndAuthentication checks the endpoint's answers before any operation: GET / is
// DynamoDB's health check (200, "healthy: dynamodb.<region>.amazonaws.com ", trailing space
// included), and a request without SigV4 authentication is refused with 400
// MissingAuthenticationTokenException, as recorded against DynamoDB by dynalite
// (https://github.com/architect/dynalite/blob/main/index.js; the error is listed in
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html). Any
// signature is accepted: the emulator does not check credentials.
func TestHealthAndAuthentication(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	body := `{"TableName":"tbl","Key":{"pk":{"S":"a"}}}`
	tests := []struct {
		name, method, url, auth string
		status                  int
		want                    string
	}{
		{"health check", http.MethodGet, "/", "", 200, "healthy: dynamodb.us-east-1.amazonaws.com "},
		{"no Authorization", http.MethodPost, "/", "", 400,
			`{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`},
		{"not SigV4", http.MethodPost, "/", "Basic dXNlcjpwYXNz", 400,
			`{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`},
		{"signed", http.MethodPost, "/", testAuth, 200, `{}`},
		{"presigned", http.MethodPost, "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261204%2Fus-east-1%2Fdynamodb%2Faws4_request", "", 200, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.url, strings.NewReader(body))
			if tt.method == http.MethodPost {
				req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			svc.ServeHTTP(w, req)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.want, w.Body.String())
		})
	}
}
