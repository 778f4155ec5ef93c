package stepfunctions_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

const (
	region  = "us-east-1"
	account = "123456789012"
	role    = "arn:aws:iam::123456789012:role/sfn"
)

// fixture is Step Functions with the real DynamoDB, SQS and EventBridge and a fake Lambda in
// one sim.Env, behind an httptest server the SDK clients talk to.
type fixture struct {
	env    *sim.Env
	svc    *stepfunctions.Service
	lambda *fakeLambda
	sfn    *sfn.Client
	ddb    *awsddb.Client
	sqs    *awssqs.Client
	cfg    aws.Config
}

type options struct {
	clock  sim.Clock
	traces bool
}

func newFixture(t testing.TB, o options) *fixture {
	t.Helper()
	env := &sim.Env{Region: region, AccountID: account, StackName: "Stack", Latency: latency.Zero(), Metrics: &metrics.Registry{}, Clock: o.clock}
	if o.traces {
		env.Traces = trace.NewRecorder(10)
	}
	fl := &fakeLambda{fns: map[string]lambdaFunc{}, calls: map[string]int{}}
	env.Register("lambda", fl)
	ddb := dynamodb.New(env)
	q := sqs.New(env)
	eb := eventbridge.New(env, eventbridge.Options{})
	svc := stepfunctions.New(env)
	services := []sim.Service{svc, ddb, q, eb}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, s := range services {
			if s.Serves(r) {
				s.ServeHTTP(w, r)
				return
			}
		}
		http.Error(w, "no service", http.StatusNotFound)
	}))
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, svc.Close())
		require.NoError(t, eb.Close())
		require.NoError(t, q.Close())
	})
	addr := srv.Listener.Addr().String()
	// Any host reaches the server: the SDK sends StartSyncExecution and TestState to
	// "sync-<host>".
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String("http://localhost.emulator:4566"), HTTPClient: client,
		Retryer: func() aws.Retryer { return aws.NopRetryer{} }}
	return &fixture{env: env, svc: svc, lambda: fl, sfn: sfn.NewFromConfig(cfg), ddb: awsddb.NewFromConfig(cfg), sqs: awssqs.NewFromConfig(cfg), cfg: cfg}
}

// machine creates a state machine and returns its ARN.
func (f *fixture) machine(t testing.TB, name, typ, def string) string {
	t.Helper()
	out, err := f.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(role), Type: sfntypes.StateMachineType(typ)})
	require.NoError(t, err)
	return aws.ToString(out.StateMachineArn)
}

// run starts a standard execution and waits (in real time) for it to end.
func (f *fixture) run(t testing.TB, smArn, input string) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx := context.Background()
	st, err := f.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Input: aws.String(input)})
	require.NoError(t, err)
	return f.wait(t, aws.ToString(st.ExecutionArn))
}

func (f *fixture) wait(t testing.TB, execArn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	var d *sfn.DescribeExecutionOutput
	require.Eventually(t, func() bool {
		var err error
		d, err = f.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
		require.NoError(t, err)
		return d.Status != sfntypes.ExecutionStatusRunning
	}, 5*time.Second, 2*time.Millisecond)
	return d
}

// sync runs an express state machine with StartSyncExecution.
func (f *fixture) sync(t testing.TB, smArn, input string) *sfn.StartSyncExecutionOutput {
	t.Helper()
	out, err := f.sfn.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(smArn), Input: aws.String(input)})
	require.NoError(t, err)
	return out
}

// table creates a DynamoDB table with a string partition key "pk".
func (f *fixture) table(t testing.TB, name string, items ...map[string]ddbtypes.AttributeValue) {
	t.Helper()
	ctx := context.Background()
	_, err := f.ddb.CreateTable(ctx, &awsddb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	require.NoError(t, err)
	for _, it := range items {
		_, err := f.ddb.PutItem(ctx, &awsddb.PutItemInput{TableName: aws.String(name), Item: it})
		require.NoError(t, err)
	}
}

func (f *fixture) queue(t testing.TB, name string) string {
	t.Helper()
	out, err := f.sqs.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl)
}

// receive waits for one message on a queue and deletes it.
func (f *fixture) receive(t testing.TB, url string) string {
	t.Helper()
	var body string
	require.Eventually(t, func() bool {
		out, err := f.sqs.ReceiveMessage(context.Background(), &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1})
		require.NoError(t, err)
		if len(out.Messages) == 0 {
			return false
		}
		body = aws.ToString(out.Messages[0].Body)
		_, err = f.sqs.DeleteMessage(context.Background(), &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle})
		require.NoError(t, err)
		return true
	}, 5*time.Second, 5*time.Millisecond)
	return body
}

// history returns an execution's event types.
func (f *fixture) history(t testing.TB, execArn string) []sfntypes.HistoryEvent {
	t.Helper()
	out, err := f.sfn.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execArn), MaxResults: 1000})
	require.NoError(t, err)
	return out.Events
}

// code is an SDK error's code.
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// jsonEq compares JSON texts.
func jsonEq(t testing.TB, expected, actual string) {
	t.Helper()
	require.JSONEq(t, expected, actual)
}

// lambdaFunc answers one invocation: the payload, or a function error type with its payload.
type lambdaFunc func(ctx context.Context, payload []byte) (out []byte, functionError string, err error)

// fakeLambda stands in for Lambda, whose real service needs stage handlers: it answers Invoke
// as lambda.Service.Call does.
type fakeLambda struct {
	mu    sync.Mutex
	fns   map[string]lambdaFunc
	calls map[string]int
}

func (f *fakeLambda) handle(name string, fn lambdaFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fns[name] = fn
}

func (f *fakeLambda) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *fakeLambda) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	var in struct {
		FunctionName   string
		InvocationType string
		Payload        json.RawMessage
	}
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	name := in.FunctionName
	if strings.HasPrefix(name, "arn:") {
		name = strings.Split(name, ":")[6]
	}
	f.mu.Lock()
	fn := f.fns[name]
	f.calls[name]++
	f.mu.Unlock()
	if fn == nil {
		return nil, &sim.APIError{Status: http.StatusNotFound, Code: "ResourceNotFoundException", Message: "Function not found: " + in.FunctionName}
	}
	out, fnErr, err := fn(ctx, in.Payload)
	if err != nil {
		return nil, err
	}
	if in.InvocationType == "Event" {
		return []byte(`{"StatusCode":202}`), nil
	}
	res := map[string]any{"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": json.RawMessage(out)}
	if fnErr != "" {
		res["FunctionError"] = fnErr
	}
	return json.Marshal(res)
}
