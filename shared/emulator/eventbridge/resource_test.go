package eventbridge

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Ref and GetAtt as CloudFormation documents them; a rule's Ref on a custom bus is
// "<bus>|<rule>" (cloudformation-coverage-roadmap#1131); EventPattern as object or string.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-eventbus.html
func TestProvision(t *testing.T) {
	f := newFixture(t, Options{})
	bus := f.provision(t, "Bus", TypeEventBus, map[string]any{"Name": "orders"})
	assert.Equal(t, "orders", bus.Ref)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:event-bus/orders", bus.Attrs["Arn"])

	_, queueARN := f.queue(t, "q")
	custom := f.provision(t, "OnOrders", TypeRule, map[string]any{
		"EventBusName": bus.Attrs["Arn"],
		"EventPattern": map[string]any{"source": []any{"bakery.orders"}},
		"Targets": []any{map[string]any{"Id": "q", "Arn": queueARN, "InputTransformer": map[string]any{
			"InputPathsMap": map[string]any{"o": "$.detail.order"}, "InputTemplate": `{"o": <o>}`},
			"RetryPolicy": map[string]any{"MaximumRetryAttempts": "3"}}},
	})
	assert.Equal(t, "orders|Stack-OnOrders", custom.Ref)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/orders/Stack-OnOrders", custom.Attrs["Arn"])

	def := f.provision(t, "OnDefault", TypeRule, map[string]any{"Name": "on-default", "EventPattern": `{"source":["x"]}`, "State": "DISABLED"})
	assert.Equal(t, "on-default", def.Ref)

	arch := f.provision(t, "Archive", TypeArchive, map[string]any{"SourceArn": bus.Attrs["Arn"], "RetentionDays": 7})
	assert.Equal(t, "Stack-Archive", arch.Ref)
	assert.Equal(t, "arn:aws:events:us-east-1:123456789012:archive/Stack-Archive", arch.Attrs["Arn"])

	ids := map[string][]string{}
	for _, r := range f.svc.Resources() {
		for _, tgt := range r.Targets {
			ids[string(r.ID)] = append(ids[string(r.ID)], string(tgt))
		}
	}
	assert.Equal(t, []string{"sqs:q"}, ids["events:orders/Stack-OnOrders"])
	assert.Equal(t, []string{"events:orders/Stack-OnOrders"}, ids["events:orders"])

	errs := []struct {
		name, typ string
		props     map[string]any
		want      string
	}{
		{name: "unknown property", typ: TypeRule, props: map[string]any{"EventPattern": `{"source":["x"]}`, "Colour": "red"}, want: `resource Bad (AWS::Events::Rule): property "Colour" is not supported`},
		{name: "unsupported target property", typ: TypeRule, props: map[string]any{"EventPattern": `{"source":["x"]}`, "Targets": []any{map[string]any{"Id": "e", "Arn": queueARN, "EcsParameters": map[string]any{}}}}, want: `"Targets[0].EcsParameters" is not supported`},
		{name: "invalid pattern", typ: TypeRule, props: map[string]any{"EventPattern": map[string]any{"source": "x"}}, want: "Event pattern is not valid"},
		{name: "oauth connection", typ: TypeConnection, props: map[string]any{"AuthorizationType": "OAUTH_CLIENT_CREDENTIALS"}, want: `"AuthorizationType"`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Bad", Type: tt.typ}, tt.props)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "Bad")
		})
	}
}

// recorder is an HTTP endpoint that answers with the statuses it is given, in turn.
type recorder struct {
	mu       sync.Mutex
	statuses []int
	requests []*http.Request
	bodies   []string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests = append(rc.requests, r)
	rc.bodies = append(rc.bodies, string(b))
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	w.WriteHeader(status)
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.requests)
}

// An API destination gets the event with the connection's API key header, its invocation
// parameters and the target's HttpParameters; 429 and 5xx are retried, other 4xx are not.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html
func TestAPIDestination(t *testing.T) {
	tests := []struct {
		name      string
		auth      map[string]any
		authType  string
		statuses  []int
		wantCalls int
		wantDLQ   string
		check     func(t *testing.T, r *http.Request)
	}{
		{name: "api key", authType: "API_KEY", auth: map[string]any{"ApiKeyAuthParameters": map[string]any{"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"},
			"InvocationHttpParameters": map[string]any{"QueryStringParameters": []any{map[string]any{"Key": "v", "Value": "1"}}}},
			wantCalls: 1, check: func(t *testing.T, r *http.Request) {
				assert.Equal(t, "secret", r.Header.Get("x-api-key"))
				assert.Equal(t, "Amazon/EventBridge/ApiDestinations", r.Header.Get("User-Agent"))
				assert.Equal(t, "application/json; charset=utf-8", r.Header.Get("Content-Type"))
				assert.Equal(t, "store-1", r.Header.Get("X-Store"))
				assert.Equal(t, "/event/orders/o-1", r.URL.Path)
				assert.Equal(t, "1", r.URL.Query().Get("v"))
			}},
		{name: "basic", authType: "BASIC", auth: map[string]any{"BasicAuthParameters": map[string]any{"Username": "u", "Password": "p"}},
			wantCalls: 1, check: func(t *testing.T, r *http.Request) {
				assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("u:p")), r.Header.Get("Authorization"))
			}},
		{name: "5xx then ok is retried", authType: "API_KEY", auth: map[string]any{"ApiKeyAuthParameters": map[string]any{"ApiKeyName": "k", "ApiKeyValue": "v"}},
			statuses: []int{503, 429, 200}, wantCalls: 3},
		{name: "400 is not retried", authType: "API_KEY", auth: map[string]any{"ApiKeyAuthParameters": map[string]any{"ApiKeyName": "k", "ApiKeyValue": "v"}},
			statuses: []int{400}, wantCalls: 1, wantDLQ: "SDK_CLIENT_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &recorder{statuses: tt.statuses}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			f := newFixture(t, Options{HTTPClient: srv.Client()})
			conn := f.provision(t, "Conn", TypeConnection, map[string]any{"AuthorizationType": tt.authType, "AuthParameters": tt.auth})
			assert.Contains(t, conn.Attrs["SecretArn"], "arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/Stack-Conn/")
			dest := f.provision(t, "Dest", TypeApiDestination, map[string]any{"ConnectionArn": conn.Attrs["Arn"], "InvocationEndpoint": srv.URL + "/event/*/*",
				"HttpMethod": "POST", "InvocationRateLimitPerSecond": 10})
			dlqURL, dlqARN := f.queue(t, "dlq")
			f.provision(t, "Rule", TypeRule, map[string]any{"EventPattern": map[string]any{"source": []any{"bakery.orders"}},
				"Targets": []any{map[string]any{"Id": "api", "Arn": dest.Attrs["Arn"], "RoleArn": "arn:aws:iam::123456789012:role/r", "InputPath": "$.detail",
					"DeadLetterConfig": map[string]any{"Arn": dlqARN},
					"HttpParameters":   map[string]any{"PathParameterValues": []any{"orders", "o-1"}, "HeaderParameters": map[string]any{"X-Store": "store-1"}}}}})
			f.put(t, entry("bakery.orders", "OrderPaid", `{"order":"o-1"}`))
			f.drive(t, 10*time.Minute, func() bool { return rc.count() >= tt.wantCalls })
			if tt.wantDLQ != "" {
				m := f.receive(t, dlqURL, 1)[0]
				assert.Equal(t, tt.wantDLQ, attr(m, "ERROR_CODE"))
				assert.Equal(t, "0", attr(m, "RETRY_ATTEMPTS"))
			}
			time.Sleep(20 * time.Millisecond)
			assert.Equal(t, tt.wantCalls, rc.count())
			assert.JSONEq(t, `{"order":"o-1"}`, rc.bodies[0])
			if tt.check != nil {
				tt.check(t, rc.requests[0])
			}
		})
	}
}

// A Step Functions target starts an execution with the event as input.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html
func TestStateMachineTarget(t *testing.T) {
	f := newFixture(t, Options{})
	states := &fakeStates{}
	f.env.Register("states", states)
	sm := f.env.ARN("states", "stateMachine:Fulfil")
	f.provision(t, "Rule", TypeRule, map[string]any{"EventPattern": `{"source":["s"]}`, "Targets": []any{map[string]any{"Id": "sm", "Arn": sm, "Input": `{"fixed":true}`}}})
	f.put(t, entry("s", "t", `{}`))
	require.Eventually(t, func() bool { return states.count() == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.JSONEq(t, `{"stateMachineArn":"`+sm+`","input":"{\"fixed\":true}"}`, states.inputs[0])
	assert.Equal(t, "StartExecution", states.ops[0])
}

type fakeStates struct {
	mu          sync.Mutex
	ops, inputs []string
}

func (s *fakeStates) Call(_ context.Context, op string, input []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops = append(s.ops, op)
	s.inputs = append(s.inputs, string(input))
	return []byte(`{"executionArn":"x","startDate":1}`), nil
}

func (s *fakeStates) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ops)
}

// InvokeApiDestination is the emulator's own operation for Pipes: the connection's key is
// added and the endpoint's status and body come back, whatever the status.
func TestInvokeApiDestinationForPipes(t *testing.T) {
	for _, tt := range []struct {
		name       string
		statuses   []int
		dest       string
		wantStatus int
		wantCode   string
	}{
		{name: "ok", statuses: []int{200}, wantStatus: 200},
		{name: "a 400 is an answer, not an error", statuses: []int{400}, wantStatus: 400},
		{name: "unknown destination", dest: "arn:aws:events:us-east-1:123456789012:api-destination/nope/x", wantCode: "ResourceNotFoundException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rc := &recorder{statuses: tt.statuses}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			f := newFixture(t, Options{HTTPClient: srv.Client()})
			conn := f.provision(t, "Conn", TypeConnection, map[string]any{"AuthorizationType": "API_KEY",
				"AuthParameters": map[string]any{"ApiKeyAuthParameters": map[string]any{"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"}}})
			dest := f.provision(t, "Dest", TypeApiDestination, map[string]any{"ConnectionArn": conn.Attrs["Arn"], "InvocationEndpoint": srv.URL + "/tickets",
				"HttpMethod": "POST", "InvocationRateLimitPerSecond": 10})
			arn := dest.Attrs["Arn"].(string)
			if tt.dest != "" {
				arn = tt.dest
			}
			in, _ := json.Marshal(map[string]any{"ApiDestinationArn": arn, "Body": `{"order_id":"o-1"}`})
			out, err := f.env.Call(context.Background(), "events", "InvokeApiDestination", in)
			if tt.wantCode != "" {
				var apiErr *sim.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.wantCode, apiErr.Code)
				return
			}
			require.NoError(t, err)
			var r struct {
				StatusCode int
				Body       string
			}
			require.NoError(t, json.Unmarshal(out, &r))
			assert.Equal(t, tt.wantStatus, r.StatusCode)
			rc.mu.Lock()
			defer rc.mu.Unlock()
			require.Len(t, rc.bodies, 1)
			assert.JSONEq(t, `{"order_id":"o-1"}`, rc.bodies[0])
			assert.Equal(t, "secret", rc.requests[0].Header.Get("x-api-key"))
		})
	}
}
