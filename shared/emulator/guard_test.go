package emulator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
)

// send makes one request over the loopback port with the given Host and headers.
func send(t *testing.T, method, url, host, body string, headers ...string) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]string
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// A web page can POST to 127.0.0.1 without a CORS preflight (a form, or fetch with a text/plain
// body), and a DNS-rebinding page reaches it under its own host name. The loopback port takes
// only its own origin and loopback host names; AWS's clients send no Origin. AWS's own
// cross-origin answers stay: AppSync Events answers any origin
// (https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html), an
// API Gateway API the origins its CORS names
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html).
func TestLoopbackPortRefusesForeignHostsAndOrigins(t *testing.T) {
	emu := start(t, nil, "127.0.0.1:0")
	base := emu.URL()
	self := strings.TrimPrefix(base, "http://")
	_, port, err := net.SplitHostPort(self)
	require.NoError(t, err)
	reset := base + "/_emulator/metrics/reset"
	invoke := base + "/2015-03-31/functions/Kitchen-Kitchen/invocations"
	tests := []struct {
		name    string
		method  string
		url     string
		host    string
		headers []string
		want    int
	}{
		{name: "CLI or curl: no Origin", method: "POST", url: reset, want: http.StatusNoContent},
		{name: "same origin", method: "POST", url: reset, headers: []string{"Origin", base}, want: http.StatusNoContent},
		{name: "localhost", method: "POST", url: reset, host: "localhost:" + port, want: http.StatusNoContent},
		{name: "[::1]", method: "POST", url: reset, host: "[::1]:" + port, want: http.StatusNoContent},
		// StartSyncExecution's host prefix in front of localhost, as the AWS CLI sends it
		// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html: sync-states.<region>.amazonaws.com).
		{name: "sync-localhost", method: "POST", url: reset, host: "sync-localhost:" + port, want: http.StatusNoContent},
		{name: "another prefix is foreign", method: "POST", url: reset, host: "data-localhost:" + port, want: http.StatusForbidden},
		{name: "the in-process host name", method: "POST", url: reset, host: "emulator.internal", want: http.StatusNoContent},
		{name: "address bar (Sec-Fetch-Site none)", method: "GET", url: base + "/_emulator/faults", headers: []string{"Sec-Fetch-Site", "none"}, want: http.StatusOK},
		{name: "cross-origin reset", method: "POST", url: reset, headers: []string{"Origin", "https://evil.example"}, want: http.StatusForbidden},
		{name: "cross-origin from another loopback port", method: "POST", url: reset, headers: []string{"Origin", "http://127.0.0.1:1"}, want: http.StatusForbidden},
		{name: "localhost is another origin than 127.0.0.1", method: "POST", url: reset, headers: []string{"Origin", "http://localhost:" + port}, want: http.StatusForbidden},
		{name: "sandboxed page (Origin null)", method: "POST", url: reset, headers: []string{"Origin", "null"}, want: http.StatusForbidden},
		{name: "cross-site without Origin", method: "GET", url: base + "/_emulator/faults", headers: []string{"Sec-Fetch-Site", "cross-site"}, want: http.StatusForbidden},
		{name: "DNS rebinding: foreign Host", method: "POST", url: reset, host: "evil.example:" + port, want: http.StatusForbidden},
		{name: "foreign Host on a GET", method: "GET", url: base + "/_emulator/faults", host: "rebind.evil.example", want: http.StatusForbidden},
		{name: "cross-origin Lambda invoke (text/plain)", method: "POST", url: invoke, headers: []string{"Origin", "https://evil.example", "Content-Type", "text/plain"}, want: http.StatusForbidden},
		{name: "cross-origin order to an API without CORS", method: "POST", url: emu.APIURL() + "/tickets", headers: []string{"Origin", "https://evil.example"}, want: http.StatusForbidden},
		{name: "AppSync Events from any origin", method: "POST", url: base + "/appsync/nope/event", headers: []string{"Origin", "https://app.example"}, want: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, tt.method, tt.url, tt.host, "", tt.headers...)
			assert.Equal(t, tt.want, status, body)
			if tt.want == http.StatusForbidden {
				assert.Equal(t, "AccessDeniedException", body["__type"])
				assert.Contains(t, body["message"], "http://127.0.0.1:", "the message says what to use instead")
			}
		})
	}

	t.Run("the Go SDK over the loopback port", func(t *testing.T) {
		db := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(base),
			Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
		out, err := db.ListTables(context.Background(), &dynamodb.ListTablesInput{})
		require.NoError(t, err)
		assert.Contains(t, out.TableNames, "Kitchen-Tickets")
	})
}

// A client that announces a large body and stalls is cut off at the read timeout instead of
// holding a connection and its buffer (the timeout is shortened for the test; it is 60 s).
func TestLoopbackPortCutsOffAStalledBody(t *testing.T) {
	tmpl, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	emu, err := emulator.New(emulator.Stage{Name: "test", StackName: "Kitchen", Template: tmpl,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen}},
		emulator.Options{Latency: latency.Zero(), Addr: "127.0.0.1:0", ReadTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Close() })
	require.NoError(t, emu.Start(context.Background()))
	host := strings.TrimPrefix(emu.URL(), "http://")
	paths := map[string]string{
		"API Gateway": strings.TrimPrefix(emu.APIURL(), emu.URL()) + "/tickets",
		"Lambda":      "/2015-03-31/functions/Kitchen-Kitchen/invocations",
		"DynamoDB":    "/",
	}
	for name, path := range paths {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", host)
			require.NoError(t, err)
			defer conn.Close()
			_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nAuthorization: AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request\r\nContent-Length: %d\r\n\r\n{\"a\":",
				path, host, 16<<20)
			require.NoError(t, err)
			// The server ends the exchange (an answer or a closed connection) without the rest of
			// the body; the deadline only keeps a broken server from hanging the test.
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
			_, err = io.ReadAll(bufio.NewReader(conn))
			var ne net.Error
			if err != nil && assert.ErrorAs(t, err, &ne) {
				assert.False(t, ne.Timeout(), "the server kept the stalled connection open")
			}
		})
	}
}

// A multi-region emulator's one loopback port has the same guard: its admin API and every
// region's endpoints refuse other origins and foreign hosts, and take the CLI's requests.
func TestGlobalLoopbackPortRefusesForeignHostsAndOrigins(t *testing.T) {
	g := startGlobal(t, "127.0.0.1:0")
	reset := g.URL() + "/_emulator/metrics/reset"
	tests := []struct {
		name    string
		host    string
		headers []string
		want    int
	}{
		{name: "no Origin", want: http.StatusNoContent},
		{name: "another origin", headers: []string{"Origin", "https://evil.example"}, want: http.StatusForbidden},
		{name: "foreign Host", host: "evil.example", want: http.StatusForbidden},
		{name: "a regional AWS host name", host: "dynamodb.eu-west-1.amazonaws.com", want: http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, http.MethodPost, reset, tt.host, "", tt.headers...)
			assert.Equal(t, tt.want, status, body)
		})
	}
}
