package dynamodb_test

import (
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
)

// pageNotFound is the 404 page DynamoDB's endpoint answers a request it cannot route, as quoted
// in https://github.com/rusoto/rusoto/issues/215.
const pageNotFound = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
  <title>Page Not Found</title>
</head>
<body>Page Not Found</body>
</html>`

// TestFrontEnd checks what DynamoDB's endpoint answers before any operation runs: the health
// check, the 404 page, and the errors of the body, the target and the authentication, in the
// order DynamoDB makes its checks (a body that is not JSON before an unknown operation, an
// unknown operation before a missing signature), each with DynamoDB's headers and the media type
// of the request's body.
func TestFrontEnd(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	const (
		listTables = "DynamoDB_20120810.ListTables"
		amzJSON    = "application/x-amz-json-1.0"
		missing    = `{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`
		serial     = `{"__type":"com.amazon.coral.service#SerializationException"}`
		unknownOp  = `{"__type":"com.amazon.coral.service#UnknownOperationException"}`
	)
	incomplete := func(msg string) string {
		return `{"__type":"com.amazon.coral.service#IncompleteSignatureException","message":"` + msg + `"}`
	}
	tests := []struct {
		name, method, url, target, contentType, auth, date, body string
		wantStatus                                               int
		wantType, want                                           string
	}{
		// The health check, DynamoDB's answer as the project's issue 11 quotes it.
		{name: "GET is the health check", method: http.MethodGet, url: "/",
			wantStatus: 200, wantType: "text/plain", want: "healthy: dynamodb.us-east-1.amazonaws.com "},
		// A media type other than DynamoDB's JSON ones is 404 with the page DynamoDB answers
		// (https://github.com/rusoto/rusoto/issues/215, and in 2026
		// https://github.com/huseyinbabal/taws/issues/165: application/x-amz-json-1.1).
		{name: "x-amz-json-1.1 body", target: listTables, contentType: "application/x-amz-json-1.1", auth: testAuth, body: "{}",
			wantStatus: 404, want: pageNotFound},
		{name: "form body", target: listTables, contentType: "application/x-www-form-urlencoded", auth: testAuth, body: "{}",
			wantStatus: 404, want: pageNotFound},
		{name: "PUT", method: http.MethodPut, target: listTables, auth: testAuth, body: "{}",
			wantStatus: 404, want: pageNotFound},
		// application/json is taken too (https://github.com/jonsaw/amazon-cognito-identity-dart/issues/41),
		// and answered as application/json.
		{name: "application/json with parameters", target: listTables, contentType: "application/json; charset=utf-8", auth: testAuth, body: "{}",
			wantStatus: 200, wantType: "application/json", want: `{"TableNames":[]}`},
		{name: "x-amz-json-1.0", target: listTables, contentType: amzJSON, auth: testAuth, body: "{}",
			wantStatus: 200, wantType: amzJSON, want: `{"TableNames":[]}`},
		// A body that is not JSON: SerializationException without a message
		// (https://github.com/amazon-archives/aws-sdk-unity/issues/54), before the target and the
		// signature are looked at.
		{name: "not JSON", target: listTables, contentType: amzJSON, auth: testAuth, body: "hi",
			wantStatus: 400, wantType: amzJSON, want: serial},
		{name: "not JSON, unknown operation, unsigned", target: "DynamoDB_20120810.ListTable", contentType: "application/json;blah", body: "hi",
			wantStatus: 400, wantType: "application/json", want: serial},
		// An operation DynamoDB does not have: the bare coral UnknownOperationException (as
		// coral services answer it, https://github.com/aws/aws-sdk-go/issues/3689), before the
		// signature is looked at.
		{name: "unknown operation, unsigned", target: "DynamoDB_20120810.ListTable", contentType: amzJSON, body: "{}",
			wantStatus: 400, wantType: amzJSON, want: unknownOp},
		{name: "signed for dynamodb without a target", contentType: amzJSON, auth: testAuth, body: "{}",
			wantStatus: 400, wantType: amzJSON, want: unknownOp},
		// No SigV4 authentication (https://github.com/awslabs/aws-sdk-ios-samples/issues/111).
		{name: "no Authorization", target: listTables,
			wantStatus: 400, wantType: "application/json", want: missing},
		{name: "not SigV4", target: listTables, contentType: amzJSON, auth: "AWS4", body: "{}",
			wantStatus: 400, wantType: amzJSON, want: missing},
		// A SigV4 header without its parts, worded as AWS's SigV4 front end words it
		// (https://github.com/aws/chalice/issues/828, https://github.com/nordcloud/cognitocurl/issues/28).
		{name: "AWS4- alone", target: listTables, auth: "AWS4-",
			wantStatus: 400, wantType: "application/json", want: incomplete("Authorization header requires 'Credential' parameter. " +
				"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-")},
		{name: "no SignedHeaders", target: listTables, auth: "AWS4-HMAC-SHA256 Signature=b, Credential=a", date: "20261205T120000Z",
			wantStatus: 400, wantType: "application/json", want: incomplete("Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization=AWS4-HMAC-SHA256 Signature=b, Credential=a")},
		// A part that is no Key=value, as DynamoDB words it
		// (https://github.com/awslabs/fhir-works-on-aws-deployment/issues/379).
		{name: "a space in the credential", target: listTables, date: "20261205T120000Z",
			auth:       "AWS4-HMAC-SHA256 Credential=AKID /20261205/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc",
			wantStatus: 400, wantType: "application/json", want: incomplete("'/20261205/us-east-1/dynamodb/aws4_request' not a valid key=value pair " +
				"(missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKID /20261205/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc'.")},
		// The host must be signed (https://github.com/aws/aws-sdk-php/issues/2469).
		{name: "host not signed", target: listTables, date: "20261205T120000Z",
			auth:       "AWS4-HMAC-SHA256 Credential=AKID/20261205/us-east-1/dynamodb/aws4_request, SignedHeaders=x-amz-date;x-amz-target, Signature=abc",
			wantStatus: 400, wantType: "application/json",
			want: `{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}`},
		{name: "presigned", url: "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261205%2Fus-east-1%2Fdynamodb%2Faws4_request",
			target: listTables, contentType: amzJSON, body: "{}",
			wantStatus: 200, wantType: amzJSON, want: `{"TableNames":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, url := tt.method, tt.url
			if method == "" {
				method = http.MethodPost
			}
			if url == "" {
				url = "/"
			}
			req := httptest.NewRequest(method, url, strings.NewReader(tt.body))
			for k, v := range map[string]string{"X-Amz-Target": tt.target, "Content-Type": tt.contentType, "Authorization": tt.auth, "X-Amz-Date": tt.date} {
				if v != "" {
					req.Header.Set(k, v)
				}
			}
			require.True(t, svc.Serves(req), "the request is DynamoDB's")
			w := httptest.NewRecorder()
			svc.ServeHTTP(w, req)
			assert.Equal(t, tt.wantStatus, w.Code)
			assert.Equal(t, tt.want, w.Body.String())
			if tt.wantType != "" {
				assert.Equal(t, tt.wantType, w.Header().Get("Content-Type"))
			}
			assert.Equal(t, strconv.FormatUint(uint64(crc32.ChecksumIEEE(w.Body.Bytes())), 10), w.Header().Get("X-Amz-Crc32"))
			assert.Equal(t, strconv.Itoa(w.Body.Len()), w.Header().Get("Content-Length"))
			assert.Regexp(t, `^[0-9A-Z]{52}$`, w.Header().Get("X-Amzn-Requestid"))
		})
	}
}

// TestServesSharedPort checks which requests on the emulator's shared port are DynamoDB's: those whose
// target names a DynamoDB API version or whose SigV4 credential scope names dynamodb
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
// and a plain GET /, DynamoDB's health check. Others' requests stay theirs.
func TestServesSharedPort(t *testing.T) {
	t.Parallel()
	svc := ddb.New(newEnv())
	tests := []struct {
		name, method, url, target, auth string
		want                            bool
	}{
		{"DynamoDB target", http.MethodPost, "/", "DynamoDB_20120810.GetItem", "", true},
		{"DynamoDB target, unknown operation", http.MethodPost, "/", "DynamoDB_20120810.Nope", "", true},
		{"dynamodb scope, no target", http.MethodPost, "/", "", testAuth, true},
		{"dynamodb scope, presigned", http.MethodPost, "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261205%2Fus-east-1%2Fdynamodb%2Faws4_request", "", "", true},
		{"health check", http.MethodGet, "/", "", "", true},
		{"SQS query GET", http.MethodGet, "/?Action=ListQueues", "", "", false},
		{"GET / signed for SQS", http.MethodGet, "/", "", strings.Replace(testAuth, "/dynamodb/", "/sqs/", 1), false},
		{"SQS JSON", http.MethodPost, "/", "AmazonSQS.ListQueues", strings.Replace(testAuth, "/dynamodb/", "/sqs/", 1), false},
		{"Step Functions", http.MethodPost, "/", "AWSStepFunctions.StartExecution", "", false},
		{"unsigned POST without target", http.MethodPost, "/", "", "", false},
		{"API Gateway invoke URL", http.MethodGet, "/restapis/abc/prod/_user_request_/orders", "", "", false},
		{"another path signed for dynamodb", http.MethodPost, "/2015-03-31/functions", "", testAuth, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.url, nil)
			if tt.target != "" {
				req.Header.Set("X-Amz-Target", tt.target)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			assert.Equal(t, tt.want, svc.Serves(req))
		})
	}
}
