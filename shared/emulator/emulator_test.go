package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	sdklambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// kitchen is the test stack's handler: it stores a ticket through the real SDK DynamoDB client,
// or, for a ticket named "stall", waits until its context ends (a handler that overruns).
func kitchen(_ context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
	db := dynamodb.NewFromConfig(cfg)
	table := getenv("TABLE_NAME")
	return lambdago.NewHandler(func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		if req.Body == "stall" {
			<-ctx.Done()
			return events.APIGatewayProxyResponse{StatusCode: 500}, nil
		}
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(table),
			Item:      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: req.Body}},
		})
		if err != nil {
			return events.APIGatewayProxyResponse{}, err
		}
		return events.APIGatewayProxyResponse{StatusCode: 201, Body: `{"ticket":"` + req.Body + `"}`}, nil
	}), nil
}

func start(t testing.TB, params map[string]any, addr string) *emulator.Emulator {
	t.Helper()
	tmpl, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	emu, err := emulator.New(emulator.Stage{
		Name: "test", StackName: "Kitchen", Template: tmpl,
		Handlers:   map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen},
		Parameters: params,
	}, emulator.Options{Latency: latency.Zero(), Addr: addr})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Close() })
	require.NoError(t, emu.Start(context.Background()))
	return emu
}

func post(t testing.TB, c *http.Client, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestProvisionsTheTemplate(t *testing.T) {
	emu := start(t, nil, "")
	types := map[string]string{}
	for _, r := range emu.Resources() {
		types[r.LogicalID] = r.Type
	}
	assert.Equal(t, "AWS::Lambda::Function", types["Kitchen"])
	assert.Equal(t, "AWS::DynamoDB::Table", types["Tickets"])
	ignored := []string{}
	for _, r := range emu.Ignored() {
		ignored = append(ignored, r.LogicalID)
	}
	assert.ElementsMatch(t, []string{"KitchenRole", "CDKMetadata"}, ignored)
	assert.Equal(t, "Kitchen-Tickets", emu.Outputs()["TableName"])
}

func TestRejectsWhatItCannotHonour(t *testing.T) {
	base, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown type", `"Type": "AWS::DynamoDB::Table"`, `"Type": "AWS::Kinesis::Stream"`, []string{"Tickets", "AWS::Kinesis::Stream", "does not support this type"}},
		{"unknown property", `"MemorySize": 256,`, `"MemorySize": 256, "SnapStart": {"ApplyOn": "PublishedVersions"},`, []string{"Kitchen", "AWS::Lambda::Function", "SnapStart"}},
		{"unregistered handler", `"Kitchen/Kitchen/Resource"`, `"Kitchen/Oven/Resource"`, []string{"Kitchen", "no handler registered", "Kitchen/Oven"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := bytes.Replace(base, []byte(tt.from), []byte(tt.to), 1)
			require.NotEqual(t, base, tmpl, "the test's replacement must apply")
			_, err := emulator.New(emulator.Stage{Name: "test", StackName: "Kitchen", Template: tmpl,
				Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen}}, emulator.Options{Latency: latency.Zero()})
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestAPIThroughHandlerToTable(t *testing.T) {
	emu := start(t, nil, "")
	status, body := post(t, emu.HTTPClient(), emu.APIURL()+"/tickets", "croissants-for-12")
	require.Equal(t, http.StatusCreated, status, body)

	db := dynamodb.NewFromConfig(emu.Config())
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String("Kitchen-Tickets"),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "croissants-for-12"}},
	})
	require.NoError(t, err)
	assert.NotEmpty(t, out.Item, "the handler's real SDK client wrote through the emulator")

	slow := emu.Traces().Slowest(1)
	require.Len(t, slow, 1)
	resources := []string{}
	for _, s := range slow[0].Spans() {
		resources = append(resources, strings.SplitN(s.Resource, ":", 2)[0])
	}
	assert.Equal(t, []string{"apigateway", "lambda", "dynamodb"}, resources, "one trace, every hop")
}

func TestIntegrationTimeoutAnswers504(t *testing.T) {
	emu := start(t, map[string]any{"IntegrationTimeout": "50"}, "")
	status, body := post(t, emu.HTTPClient(), emu.APIURL()+"/tickets", "stall")
	assert.Equal(t, http.StatusGatewayTimeout, status)
	assert.JSONEq(t, `{"message": "Endpoint request timed out"}`, body)
}

func TestLoopbackServesAWSAPIsAndAdmin(t *testing.T) {
	emu := start(t, nil, "127.0.0.1:0")
	require.True(t, strings.HasPrefix(emu.URL(), "http://127.0.0.1:"))
	c := &http.Client{}
	status, _ := post(t, c, emu.APIURL()+"/tickets", "over-the-wire")
	require.Equal(t, http.StatusCreated, status)

	cfg := emu.Config()
	cfg.HTTPClient = c
	cfg.BaseEndpoint = aws.String(emu.URL())
	fns, err := sdklambda.NewFromConfig(cfg).ListFunctions(context.Background(), &sdklambda.ListFunctionsInput{})
	require.NoError(t, err)
	require.Len(t, fns.Functions, 1)
	assert.Equal(t, "Kitchen-Kitchen", aws.ToString(fns.Functions[0].FunctionName))

	req, err := http.NewRequestWithContext(context.Background(), http.MethodPut, emu.URL()+"/_emulator/faults/lambda:Kitchen-Kitchen", strings.NewReader(`{"throttle":true}`))
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	status, body := post(t, c, emu.APIURL()+"/tickets", "throttled")
	assert.Equal(t, http.StatusInternalServerError, status, "API Gateway answers 500 when Lambda throttles")
	assert.JSONEq(t, `{"message": "Internal server error"}`, body)

	resp, err = c.Get(emu.URL() + "/_emulator/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	var snaps []struct {
		Kind, Name  string
		Invocations int64 `json:"invocations"`
		Throttles   int64 `json:"throttles"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&snaps))
	found := false
	for _, s := range snaps {
		if s.Kind == "lambda" && s.Name == "Kitchen-Kitchen" {
			found = true
			assert.Equal(t, int64(1), s.Throttles)
		}
	}
	assert.True(t, found)
}

func TestStartRejectsNonLoopback(t *testing.T) {
	tmpl, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	emu, err := emulator.New(emulator.Stage{Name: "test", StackName: "Kitchen", Template: tmpl,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen}}, emulator.Options{Latency: latency.Zero(), Addr: "0.0.0.0:0"})
	require.NoError(t, err)
	defer emu.Close()
	err = emu.Start(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "loopback")
}

func Example() {
	tmpl, _ := os.ReadFile("testdata/kitchen.template.json")
	emu, err := emulator.New(emulator.Stage{
		Name: "example", StackName: "Kitchen", Template: tmpl,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen},
	}, emulator.Options{Latency: latency.Zero()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer emu.Close()
	resp, err := emu.HTTPClient().Post(emu.APIURL()+"/tickets", "text/plain", strings.NewReader("table-7"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 201 {"ticket":"table-7"}
}

func TestPutFaultNeedsAResourceOfTheStage(t *testing.T) {
	emu := start(t, nil, "")
	tests := []struct {
		resource string
		wantErr  string
	}{
		{"payment", ""},
		{"lambda:Kitchen-Kitchen", ""},
		{"dynamodb:Kitchen-Tickets", ""},
		{"dynamodb:Kitchen-Tickets/TICKET#1", ""},
		{"lambda:Kitchen-Kitchn", `no resource "lambda:Kitchen-Kitchn" to put a fault on in stage test; the resources are `},
		{"dynamodb:Tickets/TICKET#1", `no resource "dynamodb:Tickets/TICKET#1"`},
		{"sqs:Orders", `no resource "sqs:Orders"`},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			err := emu.PutFault(tt.resource, fault.Rule{Throttle: true})
			if tt.wantErr == "" {
				require.NoError(t, err)
				_, on := emu.Faults().Lookup(tt.resource)
				assert.True(t, on)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Contains(t, err.Error(), "lambda:Kitchen-Kitchen", "the error lists the names")
			_, on := emu.Faults().Lookup(tt.resource)
			assert.False(t, on, "a rejected fault changes nothing")
		})
	}
	for _, r := range emu.Resources() {
		if r.Type == "AWS::ApiGateway::RestApi" {
			assert.Contains(t, emu.FaultResources(), "apigateway:"+r.Physical)
		}
	}
}

// An output whose Condition is false is not part of the stack's outputs
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html).
func TestOutputsHonourTheirCondition(t *testing.T) {
	base, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	tmpl := bytes.Replace(base, []byte(`"Outputs": {`), []byte(`"Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
  "Outputs": {
    "Hidden": {"Condition": "Never", "Value": {"Ref": "Tickets"}},`), 1)
	require.NotEqual(t, base, tmpl)
	emu, err := emulator.New(emulator.Stage{Name: "test", StackName: "Kitchen", Template: tmpl,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen}}, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	defer emu.Close()
	assert.Equal(t, map[string]any{"TableName": "Kitchen-Tickets"}, emu.Outputs())
}

// fakeService is a service added through Options.Services, as a new package would be through
// the registry: it provisions its type, answers its requests, lists its resource and is closed.
type fakeService struct{ closed bool }

func (f *fakeService) Types() []string { return []string{"AWS::Fake::Thing"} }
func (f *fakeService) Provision(context.Context, *cfn.Resource, map[string]any) (sim.Physical, error) {
	return sim.Physical{Ref: "thing-1"}, nil
}
func (f *fakeService) Name() string                { return "fake" }
func (f *fakeService) Serves(r *http.Request) bool { return r.URL.Path == "/fake" }
func (f *fakeService) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	_, _ = io.WriteString(w, "fake")
}
func (f *fakeService) Resources() []sim.Resource {
	return []sim.Resource{{ID: "fake:thing-1", Type: "AWS::Fake::Thing", Physical: "thing-1"}}
}
func (f *fakeService) Close() error { f.closed = true; return nil }

func TestAServiceIsOneEntry(t *testing.T) {
	base, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	tmpl := bytes.Replace(base, []byte(`"Resources": {`), []byte(`"Resources": {
    "Thing": {"Type": "AWS::Fake::Thing"},`), 1)
	require.NotEqual(t, base, tmpl)
	fake := &fakeService{}
	emu, err := emulator.New(emulator.Stage{Name: "test", StackName: "Kitchen", Template: tmpl,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen}},
		emulator.Options{Latency: latency.Zero(), Services: []emulator.NewService{
			func(*sim.Env, emulator.Deps) sim.Service { return fake },
		}})
	require.NoError(t, err)
	assert.Contains(t, emu.FaultResources(), "fake:thing-1")
	require.NoError(t, emu.PutFault("fake:thing-1", fault.Rule{Throttle: true}))
	status, body := post(t, emu.HTTPClient(), "http://emulator.internal/fake", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "fake", body)
	names := []string{}
	for _, s := range emu.Services() {
		names = append(names, s.Name())
	}
	assert.Equal(t, []string{"esm", "lambda", "dynamodb", "apigateway", "sqs", "events", "states", "appsync", "pipes", "cloudformation", "fake"}, names)
	require.NoError(t, emu.Close())
	assert.True(t, fake.closed)
}

// namedFake is a service that only records when it was closed.
type namedFake struct {
	name   string
	closed *[]string
}

func (f namedFake) Types() []string { return nil }
func (f namedFake) Provision(context.Context, *cfn.Resource, map[string]any) (sim.Physical, error) {
	return sim.Physical{}, nil
}
func (f namedFake) Name() string                                 { return f.name }
func (f namedFake) Serves(*http.Request) bool                    { return false }
func (f namedFake) ServeHTTP(http.ResponseWriter, *http.Request) {}
func (f namedFake) Resources() []sim.Resource                    { return nil }
func (f namedFake) Close() error                                 { *f.closed = append(*f.closed, f.name); return nil }

// TestPollersCloseFirst: services that take work from queues on their own (event source
// mappings, pipes) are closed before the others, whatever their place in the list, so a backlog
// cannot keep Lambda invoking while Close waits for it; the others close in reverse order.
func TestPollersCloseFirst(t *testing.T) {
	tmpl, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	var closed []string
	fakes := []emulator.NewService{}
	for _, name := range []string{"early", "esm", "late"} {
		fakes = append(fakes, func(*sim.Env, emulator.Deps) sim.Service { return namedFake{name, &closed} })
	}
	emu, err := emulator.New(emulator.Stage{Name: "test", StackName: "Kitchen", Template: tmpl,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen}},
		emulator.Options{Latency: latency.Zero(), Services: fakes})
	require.NoError(t, err)
	require.NoError(t, emu.Close())
	assert.Equal(t, []string{"esm", "late", "early"}, closed, "the poller first, then the rest in reverse order")
}
