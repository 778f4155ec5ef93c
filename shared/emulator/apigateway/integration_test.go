package apigateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

// fakeStates stands in for Step Functions behind Env.Call: it records each StartSyncExecution
// input and answers with what answer returns.
type fakeStates struct {
	mu     sync.Mutex
	calls  []map[string]any
	answer func(in map[string]any) ([]byte, error)
}

func (f *fakeStates) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	var in map[string]any
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, sim.Errorf(http.StatusBadRequest, "SerializationException", "bad input %q: %v", input, err)
	}
	in["op"] = op
	f.mu.Lock()
	f.calls = append(f.calls, in)
	f.mu.Unlock()
	return f.answer(in)
}

func (f *fakeStates) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeStates) last() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

// workflow answers StartSyncExecution as an express workflow that echoes the order: SUCCEEDED
// with an output, FAILED when the note says "fail", and a 400 error when it says "reject".
func workflow(in map[string]any) ([]byte, error) {
	input, _ := in["input"].(string)
	switch {
	case strings.Contains(input, "reject"):
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidExecutionInput", "the input was rejected")
	case strings.Contains(input, "fail"):
		return json.Marshal(map[string]any{"executionArn": "arn:aws:states:us-east-1:000000000000:express:OrderFlow:x:1",
			"status": "FAILED", "error": "OutOfFlour", "cause": `no "flour" left`})
	}
	return json.Marshal(map[string]any{"executionArn": "arn:aws:states:us-east-1:000000000000:express:OrderFlow:x:1",
		"status": "SUCCEEDED", "output": `{"orderId":"o-1","state":"ACCEPTED"}`})
}

// ordersStack is the test template deployed into one env: the real SQS and DynamoDB, a fake
// Step Functions, and the API Gateway service.
type ordersStack struct {
	env    *sim.Env
	svc    *apigateway.Service
	sqs    *sqs.Service
	ddb    *dynamodb.Service
	states *fakeStates
	apiID  string
	base   string // the prod stage's invoke path prefix
}

func newOrdersStack(t testing.TB, clock sim.Clock) *ordersStack {
	t.Helper()
	env := newEnv()
	env.Clock = clock
	st := &ordersStack{env: env, states: &fakeStates{answer: workflow}}
	env.Register("states", st.states)
	st.sqs = sqs.New(env)
	t.Cleanup(func() { _ = st.sqs.Close() })
	st.ddb = dynamodb.New(env)
	t.Cleanup(func() { _ = st.ddb.Close() })
	st.svc = apigateway.New(env, nil, apigateway.WithAccountThrottle(1e9, 1e9))
	outputs := deploy(t, env, "testdata/orders.template.json", st.svc, st.sqs, st.ddb)
	st.apiID = outputs["ApiId"]
	st.base = "/restapis/" + st.apiID + "/prod/_user_request_"
	return st
}

// deploy provisions a template's resources in dependency order with the services that own
// their types, as the emulator core does, and returns the template's outputs.
func deploy(t testing.TB, env *sim.Env, path string, services ...sim.Provisioner) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	tmpl, err := cfn.Parse(data)
	require.NoError(t, err)
	order, err := tmpl.Order()
	require.NoError(t, err)
	owner := map[string]sim.Provisioner{}
	for _, s := range services {
		for _, typ := range s.Types() {
			owner[typ] = s
		}
	}
	created := map[string]sim.Physical{}
	r, err := cfn.NewResolver(tmpl, cfn.Resolver{StackName: "Test", Region: env.Region, AccountID: env.AccountID,
		Ref: func(id string) (any, error) { return created[id].Ref, nil },
		GetAtt: func(id, attr string) (any, error) {
			v, ok := created[id].Attrs[attr]
			if !ok {
				return nil, fmt.Errorf("%s has no attribute %s", id, attr)
			}
			return v, nil
		}})
	require.NoError(t, err)
	for _, res := range order {
		props, err := r.Properties(res)
		require.NoError(t, err, res.LogicalID)
		s := owner[res.Type]
		require.NotNil(t, s, "no service provisions %s", res.Type)
		phys, err := s.Provision(context.Background(), res, props)
		require.NoError(t, err, res.LogicalID)
		created[res.LogicalID] = phys
	}
	outputs, err := r.Outputs()
	require.NoError(t, err)
	return outputs
}

const validOrder = `{"customerId": "c-42", "items": [{"sku": "croissant", "quantity": 2}], "note": "extra butter"}`

// A POST goes through the request template into StartSyncExecution and back through a response
// template that branches on $input.path('$.status'); a backend error is chosen by the
// SelectionPattern 4\d{2}, matched against the backend's status code
// (https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html: "For all other
// HTTP and AWS back ends, the HTTP status code is matched"), and $context.responseOverride.status
// changes the status
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html).
func TestStartSyncExecutionThroughTemplates(t *testing.T) {
	tests := []struct {
		name   string
		note   string
		status int
		body   string
		header map[string]string
	}{
		{name: "succeeded", note: "extra butter", status: http.StatusOK, body: `{"orderId":"o-1","state":"ACCEPTED"}`,
			header: map[string]string{"X-Execution-Arn": "arn:aws:states:us-east-1:000000000000:express:OrderFlow:x:1", "Content-Type": "application/json"}},
		{name: "failed workflow overrides the status", note: "fail", status: http.StatusInternalServerError,
			body: `{"error": "OutOfFlour", "cause": "no \"flour\" left"}`},
		{name: "backend 400 selects the 4xx response", note: "reject", status: http.StatusBadRequest,
			body: `{"error": "InvalidExecutionInput", "message": "the input was rejected"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newOrdersStack(t, nil)
			body := `{"customerId": "c-42", "items": [{"sku": "croissant", "quantity": 2}], "note": "` + tt.note + `"}`
			rec := do(t, st.svc, http.MethodPost, "http://emulator.internal"+st.base+"/orders", body, "Content-Type", "application/json")
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.body, strings.TrimSpace(rec.Body.String()))
			for k, v := range tt.header {
				assert.Equal(t, v, rec.Header().Get(k), k)
			}
			require.Equal(t, 1, st.states.count())
			in := st.states.last()
			assert.Equal(t, "StartSyncExecution", in["op"])
			assert.Equal(t, "arn:aws:states:us-east-1:000000000000:stateMachine:OrderFlow", in["stateMachineArn"])
			assert.JSONEq(t, body, in["input"].(string), "the input is the method request body, escaped by $util.escapeJavaScript")
			assert.Equal(t, rec.Header().Get("X-Amzn-Requestid"), in["name"], "$context.requestId")
		})
	}
}

// Request validation runs before the integration: an invalid body is 400 {"message": "Invalid
// request body"}, a missing required header 400 "Missing required request parameters: [...]",
// and the backend is never called
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html;
// the messages as https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-set-up.html shows them).
func TestRequestValidation(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   string
		header []string
		want   string
	}{
		{name: "required property missing", path: "/orders", body: `{"items": [{"sku": "croissant", "quantity": 1}]}`, want: `{"message": "Invalid request body"}`},
		{name: "wrong type", path: "/orders", body: `{"customerId": 42, "items": [{"sku": "croissant", "quantity": 1}]}`, want: `{"message": "Invalid request body"}`},
		{name: "pattern", path: "/orders", body: `{"customerId": "x-1", "items": [{"sku": "croissant", "quantity": 1}]}`, want: `{"message": "Invalid request body"}`},
		{name: "enum through $ref", path: "/orders", body: `{"customerId": "c-1", "items": [{"sku": "pizza", "quantity": 1}]}`, want: `{"message": "Invalid request body"}`},
		{name: "integer with a fraction", path: "/orders", body: `{"customerId": "c-1", "items": [{"sku": "eclair", "quantity": 1.5}]}`, want: `{"message": "Invalid request body"}`},
		{name: "maximum", path: "/orders", body: `{"customerId": "c-1", "items": [{"sku": "eclair", "quantity": 51}]}`, want: `{"message": "Invalid request body"}`},
		{name: "minItems", path: "/orders", body: `{"customerId": "c-1", "items": []}`, want: `{"message": "Invalid request body"}`},
		{name: "additionalProperties false", path: "/orders", body: `{"customerId": "c-1", "items": [{"sku": "eclair", "quantity": 1}], "coupon": "x"}`, want: `{"message": "Invalid request body"}`},
		{name: "maxLength counts characters", path: "/orders", body: `{"customerId": "c-1", "items": [{"sku": "eclair", "quantity": 1}], "note": "` + strings.Repeat("é", 141) + `"}`, want: `{"message": "Invalid request body"}`},
		{name: "not JSON", path: "/orders", body: `{"customerId": `, want: `{"message": "Invalid request body"}`},
		{name: "empty body", path: "/orders", body: ``, want: `{"message": "Invalid request body"}`},
		{name: "missing header", path: "/jobs", body: `{"bake": "bread"}`, want: `{"message": "Missing required request parameters: [Idempotency-Key]"}`},
		{name: "blank header", path: "/jobs", body: `{"bake": "bread"}`, header: []string{"Idempotency-Key", " "}, want: `{"message": "Missing required request parameters: [Idempotency-Key]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newOrdersStack(t, nil)
			header := append([]string{"Content-Type", "application/json"}, tt.header...)
			rec := do(t, st.svc, http.MethodPost, "http://emulator.internal"+st.base+tt.path, tt.body, header...)
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.Equal(t, tt.want, rec.Body.String())
			assert.Equal(t, "BadRequestException", rec.Header().Get("X-Amzn-Errortype"))
			assert.Zero(t, st.states.count(), "the workflow must not start")
			stats, err := st.sqs.Stats("jobs")
			require.NoError(t, err)
			assert.Zero(t, stats.Visible, "no message may be sent")
		})
	}
	t.Run("a valid body passes", func(t *testing.T) {
		st := newOrdersStack(t, nil)
		rec := do(t, st.svc, http.MethodPost, "http://emulator.internal"+st.base+"/orders", validOrder, "Content-Type", "application/json")
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, 1, st.states.count())
	})
	t.Run("no model for the content type: not validated", func(t *testing.T) {
		// "If no matching content type is found, request validation is not performed" — but
		// PassthroughBehavior NEVER then refuses the unmapped content type with 415.
		st := newOrdersStack(t, nil)
		rec := do(t, st.svc, http.MethodPost, "http://emulator.internal"+st.base+"/orders", "not json", "Content-Type", "text/plain")
		assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)
		assert.Zero(t, st.states.count())
	})
}

// GET /orders/{id} reads the real DynamoDB through GetItem; the response template answers 404
// through $context.responseOverride.status when there is no Item
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html).
func TestGetItemThroughTemplates(t *testing.T) {
	st := newOrdersStack(t, nil)
	_, err := st.env.Call(context.Background(), "dynamodb", "PutItem",
		[]byte(`{"TableName": "Orders", "Item": {"id": {"S": "o-1"}, "status": {"S": "BAKING"}}}`))
	require.NoError(t, err)
	tests := []struct {
		name   string
		id     string
		status int
		body   string
	}{
		{name: "found", id: "o-1", status: http.StatusOK, body: `{"id": "o-1", "status": "BAKING"}`},
		{name: "not found", id: "o-2", status: http.StatusNotFound, body: `{"message": "order o-2 not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, st.svc, http.MethodGet, "http://emulator.internal"+st.base+"/orders/"+tt.id, "")
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.body, strings.TrimSpace(rec.Body.String()))
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		})
	}
}

// POST /jobs sends to the real SQS through an sqs:path/<account>/<queue> integration whose
// template writes the query request (Action=SendMessage&MessageBody=…, the SQS query API:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-xml.html);
// PassthroughBehavior NEVER refuses a content type without a template with 415
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
func TestSQSPathIntegration(t *testing.T) {
	st := newOrdersStack(t, nil)
	rec := do(t, st.svc, http.MethodPost, "http://emulator.internal"+st.base+"/jobs", `{"bake": "bread & butter"}`,
		"Content-Type", "application/json", "Idempotency-Key", "k-1")
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	var answer struct{ JobID string }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &answer))
	assert.NotEmpty(t, answer.JobID)
	assert.NotEmpty(t, rec.Header().Get("X-Request-Id"), "integration.response.body.<JSONPath> mapped to a header")

	out, err := st.env.Call(context.Background(), "sqs", "ReceiveMessage",
		[]byte(`{"QueueUrl": "`+st.sqs.QueueURL("jobs")+`", "MessageAttributeNames": ["All"]}`))
	require.NoError(t, err)
	var got struct {
		Messages []struct {
			MessageId, Body   string
			MessageAttributes map[string]struct{ StringValue string }
		}
	}
	require.NoError(t, json.Unmarshal(out, &got))
	require.Len(t, got.Messages, 1)
	assert.Equal(t, answer.JobID, got.Messages[0].MessageId)
	assert.Equal(t, `{"bake": "bread & butter"}`, got.Messages[0].Body)
	assert.Equal(t, "k-1", got.Messages[0].MessageAttributes["idempotencyKey"].StringValue)

	t.Run("NEVER passthrough", func(t *testing.T) {
		rec := do(t, st.svc, http.MethodPost, "http://emulator.internal"+st.base+"/jobs", `<bake/>`,
			"Content-Type", "application/xml", "Idempotency-Key", "k-2")
		assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)
		assert.Equal(t, `{"message": "Unsupported Media Type"}`, rec.Body.String())
		assert.Equal(t, "UnsupportedMediaTypeException", rec.Header().Get("X-Amzn-Errortype"))
	})
}

// A MOCK integration's request template chooses the status code that selects the integration
// response (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html),
// and a stage's MethodSettings throttle one method with its own token bucket
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
func TestMockAndMethodThrottle(t *testing.T) {
	clock := sim.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	st := newOrdersStack(t, clock)
	url := "http://emulator.internal" + st.base + "/health"
	rec := do(t, st.svc, http.MethodGet, url, "")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, `{"ok": true, "stage": "prod"}`, rec.Body.String())
	rec = do(t, st.svc, http.MethodGet, url+"?fail=yes", "")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, `{"ok": false}`, rec.Body.String())
	assert.Equal(t, "30", rec.Header().Get("Retry-After"))

	// The burst of 2 is spent: the third request in the same instant is throttled.
	rec = do(t, st.svc, http.MethodGet, url, "")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, `{"message":"Too Many Requests"}`, rec.Body.String())
	// Other methods have no stage limit.
	rec = do(t, st.svc, http.MethodGet, "http://emulator.internal"+st.base+"/orders/o-9", "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	// One second refills one token at 1 request per second.
	clock.Advance(time.Second)
	rec = do(t, st.svc, http.MethodGet, url, "")
	assert.Equal(t, http.StatusOK, rec.Code)
}

// The integration timeout (TimeoutInMillis) gives 504 {"message": "Endpoint request timed out"}
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html, "Maximum integration timeout").
func TestAWSIntegrationTimeout(t *testing.T) {
	clock := sim.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	env := newEnv()
	env.Clock = clock
	env.Register("states", &fakeStates{answer: func(map[string]any) ([]byte, error) {
		select {} // never answers; the gateway gives up on its own
	}})
	blocked := &blockingCaller{}
	env.Register("events", blocked)
	svc := apigateway.New(env, nil)
	api := provision(t, svc, "Api", apigateway.TypeRestAPI, map[string]any{"Name": "Api"})
	apiID := api.Ref.(string)
	res := provision(t, svc, "Events", apigateway.TypeResource, map[string]any{"RestApiId": apiID, "ParentId": api.Attrs["RootResourceId"], "PathPart": "events"})
	provision(t, svc, "Put", apigateway.TypeMethod, map[string]any{"RestApiId": apiID, "ResourceId": res.Ref, "HttpMethod": "POST",
		"Integration": map[string]any{"Type": "AWS", "IntegrationHttpMethod": "POST", "TimeoutInMillis": 50,
			"Uri":                  "arn:aws:apigateway:us-east-1:events:action/PutEvents",
			"IntegrationResponses": []any{map[string]any{"StatusCode": "200"}}}})
	dep := provision(t, svc, "Dep", apigateway.TypeDeployment, map[string]any{"RestApiId": apiID})
	provision(t, svc, "Stage", apigateway.TypeStage, map[string]any{"RestApiId": apiID, "DeploymentId": dep.Ref, "StageName": "prod"})

	done := make(chan int)
	go func() {
		rec := do(t, svc, http.MethodPost, "http://emulator.internal/restapis/"+apiID+"/prod/_user_request_/events", `{"Entries": []}`)
		done <- rec.Code
	}()
	require.NoError(t, clock.WaitForTimers(context.Background(), 1))
	clock.Advance(50 * time.Millisecond)
	assert.Equal(t, http.StatusGatewayTimeout, <-done)
}

// blockingCaller answers when its context ends.
type blockingCaller struct{}

func (blockingCaller) Call(ctx context.Context, _ string, _ []byte) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
