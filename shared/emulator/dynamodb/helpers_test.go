package dynamodb_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"

	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// newEnv is an emulator environment with the zero latency model.
func newEnv() *sim.Env {
	return &sim.Env{
		Region:    "us-east-1",
		AccountID: "000000000000",
		StackName: "Test",
		Latency:   latency.Zero(),
		Faults:    &fault.Set{},
		Metrics:   &metrics.Registry{},
		Traces:    trace.NewRecorder(10),
	}
}

// inProcess is an http.RoundTripper that calls a handler directly: no sockets, no goroutines.
type inProcess struct {
	h     http.Handler
	calls atomic.Int64
}

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	t.calls.Add(1)
	w := recorderPool.Get().(*recorder)
	w.reset()
	t.h.ServeHTTP(w, req)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		// As net/http's transport does: a caller that gave up gets its context's error.
		recorderPool.Put(w)
		return nil, err
	}
	body := bytes.Clone(w.body.Bytes())
	resp := &http.Response{
		Status:        strconv.Itoa(w.status) + " " + http.StatusText(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
	recorderPool.Put(w)
	return resp, nil
}

type recorder struct {
	header http.Header
	body   bytes.Buffer
	status int
}

var recorderPool = sync.Pool{New: func() any { return &recorder{header: http.Header{}} }}

func (r *recorder) reset() {
	clear(r.header)
	r.body.Reset()
	r.status = 0
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// clientFor returns a real SDK v2 DynamoDB client wired to the service in process.
func clientFor(tb testing.TB, h http.Handler, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, *inProcess) {
	tb.Helper()
	tr := &inProcess{h: h}
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  &http.Client{Transport: tr},
	}
	opts := append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String("http://dynamodb.emulator.local")
	}}, optFns...)
	return dynamodb.NewFromConfig(cfg, opts...), tr
}

// newService returns a service with the zero latency model and a client for it.
func newService(tb testing.TB) (*ddb.Service, *dynamodb.Client, *sim.Env) {
	tb.Helper()
	env := newEnv()
	svc := ddb.New(env)
	c, _ := clientFor(tb, svc)
	return svc, c, env
}

func s(v string) types.AttributeValue   { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue   { return &types.AttributeValueMemberN{Value: v} }
func str(v types.AttributeValue) string { return v.(*types.AttributeValueMemberS).Value }

// createOrders creates the "orders" table: pk store (S), sk order (S), GSI byStatus on status
// (S) and createdAt (N), on demand.
func createOrders(tb testing.TB, c *dynamodb.Client, name string) {
	tb.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("store"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("order"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("status"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("createdAt"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("store"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("order"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("byStatus"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("status"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("createdAt"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	require.NoError(tb, err)
}

// createSimple creates a table keyed by pk (S) only.
func createSimple(tb testing.TB, c *dynamodb.Client, name string) {
	tb.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	require.NoError(tb, err)
}

func newServiceFor(tb testing.TB, env *sim.Env) *ddb.Service {
	tb.Helper()
	return ddb.New(env)
}

// testAuth is a SigV4 Authorization header for requests a test builds by hand: the service
// requires one (any credentials) as DynamoDB does.
const testAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0123456789abcdef"
