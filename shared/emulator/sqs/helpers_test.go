package sqs

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type fixture struct {
	svc    *Service
	clock  *sim.Fake
	env    *sim.Env
	server *httptest.Server
	client *awssqs.Client
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clock := sim.NewFake(epoch)
	env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Stack", Latency: latency.Zero(), Metrics: &metrics.Registry{}, Clock: clock}
	svc := New(env)
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, svc.Close())
	})
	client := awssqs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
	})
	return &fixture{svc: svc, clock: clock, env: env, server: srv, client: client}
}

// createQueue makes a queue through the SDK and returns its URL.
func (f *fixture) createQueue(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	out, err := f.client.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl)
}

// post sends a raw request and returns the status, the headers and the body.
func (f *fixture) post(t testing.TB, path, contentType, target, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.server.URL+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	res, err := f.server.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, string(b)
}

// inProcess is an http.RoundTripper that calls the handler directly, as the emulator's own
// in-process transport does.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil {
		req.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	res := rec.Result()
	res.ContentLength = int64(rec.Body.Len())
	res.Header.Set("Content-Length", strconv.Itoa(rec.Body.Len()))
	res.Request = req
	return res, nil
}
