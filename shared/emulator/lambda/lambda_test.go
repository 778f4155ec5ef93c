package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdklambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

func newEnv() *sim.Env {
	return &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Test",
		Latency: latency.Zero(), Faults: &fault.Set{}, Metrics: &metrics.Registry{}, Traces: trace.NewRecorder(10)}
}

// gate is a handler whose invocations wait until released, so tests control concurrency exactly.
type gate struct {
	inits   atomic.Int32
	entered chan struct{}
	release chan struct{}
}

func newGate() *gate { return &gate{entered: make(chan struct{}, 100), release: make(chan struct{})} }

func (g *gate) constructor(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
	g.inits.Add(1)
	return lambdago.NewHandler(func(ctx context.Context, in json.RawMessage) (string, error) {
		g.entered <- struct{}{}
		select {
		case <-g.release:
		case <-ctx.Done():
		}
		return "done", nil
	}), nil
}

func echo(_ context.Context, _ aws.Config, getenv func(string) string) (lambdago.Handler, error) {
	greeting := getenv("GREETING")
	return lambdago.NewHandler(func(in struct{ Name string }) (string, error) {
		if in.Name == "" {
			return "", errors.New("name is required")
		}
		return greeting + ", " + in.Name, nil
	}), nil
}

// overrun ignores its context's deadline until released, like handler code that blocks.
func overrun(release <-chan struct{}, calls *atomic.Int32) lambda.Constructor {
	return func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(ctx context.Context) (string, error) {
			calls.Add(1)
			<-ctx.Done()
			<-release
			return "late", nil
		}), nil
	}
}

func provision(t testing.TB, svc *lambda.Service, logicalID string, props map[string]any) string {
	t.Helper()
	base := map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []any{"arm64"}, "Code": map[string]any{"S3Bucket": "b", "S3Key": "k"}}
	for k, v := range props {
		base[k] = v
	}
	res := &cfn.Resource{LogicalID: logicalID, Type: "AWS::Lambda::Function", Metadata: map[string]any{"aws:cdk:path": "Test/" + logicalID + "/Resource"}}
	phys, err := svc.Provision(context.Background(), res, base)
	require.NoError(t, err)
	return phys.Ref.(string)
}

func TestColdThenWarm(t *testing.T) {
	env := newEnv()
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	defer svc.Close()
	name := provision(t, svc, "Echo", map[string]any{"Environment": map[string]any{"Variables": map[string]any{"GREETING": "Hello"}}})

	first, err := svc.Invoke(context.Background(), name, []byte(`{"Name":"Emily"}`))
	require.NoError(t, err)
	assert.True(t, first.Cold)
	assert.JSONEq(t, `"Hello, Emily"`, string(first.Payload))

	second, err := svc.Invoke(context.Background(), name, []byte(`{"Name":"Ada"}`))
	require.NoError(t, err)
	assert.False(t, second.Cold)

	failed, err := svc.Invoke(context.Background(), name, []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", failed.FunctionError)
	assert.JSONEq(t, `{"errorMessage":"name is required","errorType":"errorString"}`, string(failed.Payload))

	m := env.Metrics.Resource("lambda", name).Snapshot()
	assert.Equal(t, int64(3), m.Invocations)
	assert.Equal(t, int64(1), m.ColdStarts)
	assert.Equal(t, int64(1), m.Errors)
	assert.Positive(t, m.GBSeconds)
}

// An answer's payload stays as the handler wrote it after the environment's next invocation:
// aws-lambda-go reuses its output buffer, so the emulator must not hand that buffer out.
func TestAnswersKeepTheirPayloadAfterTheNextInvocation(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts lambda.Options
	}{
		{"wall clock", lambda.Options{}},
		{"CPU model", lambda.Options{CPUModel: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo}, tc.opts)
			defer svc.Close()
			name := provision(t, svc, "Echo", map[string]any{"Environment": map[string]any{"Variables": map[string]any{"GREETING": "Hi"}}})
			names := []string{"Emily", "Bo", "Alexandra", "Li"}
			var results []lambda.Result
			for _, n := range names {
				res, err := svc.Invoke(context.Background(), name, []byte(`{"Name":"`+n+`"}`))
				require.NoError(t, err)
				results = append(results, res)
			}
			for i, n := range names {
				assert.JSONEq(t, `"Hi, `+n+`"`, string(results[i].Payload), "answer %d", i)
			}
		})
	}
}

func TestConcurrencyLimits(t *testing.T) {
	tests := []struct {
		name       string
		account    int
		reserved   any // nil: unreserved
		admit      int
		wantReason string
	}{
		{"reserved concurrency is a ceiling", 1000, 3, 3, "ReservedFunctionConcurrentInvocationLimitExceeded"},
		{"account limit caps unreserved functions", 105, nil, 105, "ConcurrentInvocationLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGate()
			svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Gate": g.constructor}, lambda.Options{AccountConcurrency: tt.account})
			props := map[string]any{}
			if tt.reserved != nil {
				props["ReservedConcurrentExecutions"] = tt.reserved
			}
			name := provision(t, svc, "Gate", props)
			var wg sync.WaitGroup
			for range tt.admit {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := svc.Invoke(context.Background(), name, []byte(`{}`))
					assert.NoError(t, err)
				}()
				<-g.entered
			}
			_, err := svc.Invoke(context.Background(), name, []byte(`{}`))
			var te *lambda.ThrottleError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.wantReason, te.Reason)
			close(g.release)
			wg.Wait()
			svc.Close()
		})
	}
}

func TestAccountLimitIsSharedAcrossFunctions(t *testing.T) {
	g := newGate()
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/A": g.constructor, "Test/B": g.constructor}, lambda.Options{AccountConcurrency: 101})
	a := provision(t, svc, "A", nil)
	b := provision(t, svc, "B", nil)
	var wg sync.WaitGroup
	for i := range 101 {
		wg.Add(1)
		fn := a
		if i%2 == 1 {
			fn = b
		}
		go func() {
			defer wg.Done()
			_, _ = svc.Invoke(context.Background(), fn, []byte(`{}`))
		}()
		<-g.entered
	}
	_, err := svc.Invoke(context.Background(), b, []byte(`{}`))
	var te *lambda.ThrottleError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "ConcurrentInvocationLimitExceeded", te.Reason)
	close(g.release)
	wg.Wait()
	svc.Close()
}

func TestReservedConcurrencyMustLeaveUnreserved(t *testing.T) {
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Gate": newGate().constructor}, lambda.Options{AccountConcurrency: 200})
	res := &cfn.Resource{LogicalID: "Gate", Type: "AWS::Lambda::Function", Metadata: map[string]any{"aws:cdk:path": "Test/Gate/Resource"}}
	_, err := svc.Provision(context.Background(), res, map[string]any{"Runtime": "provided.al2023", "ReservedConcurrentExecutions": 150})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ReservedConcurrentExecutions 150 leaves less than 100")
}

func TestTimeoutEndsInvocationAndDiscardsEnvironment(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	env := newEnv()
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Slow": overrun(release, &calls)}, lambda.Options{})
	name := provision(t, svc, "Slow", map[string]any{"Timeout": 1})

	res, err := svc.Invoke(context.Background(), name, []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", res.FunctionError)
	assert.Contains(t, string(res.Payload), "Task timed out after 1.00 seconds")
	assert.True(t, res.Cold)

	// The timed-out environment is never reused, even before its goroutine ends.
	second, err := svc.Invoke(context.Background(), name, []byte(`{}`))
	require.NoError(t, err)
	assert.True(t, second.Cold)
	close(release)
	svc.Close()
	m := env.Metrics.Resource("lambda", name).Snapshot()
	assert.Equal(t, int64(2), m.Timeouts)
	assert.Equal(t, int64(2), m.ColdStarts)
	assert.Equal(t, int64(0), m.Concurrent)
}

// A handler that waits on its context answers at the deadline, racing Lambda's timer. Lambda
// discards such an answer: the invocation timed out, whichever goroutine came first.
func TestAnswerAtTheDeadlineIsATimeout(t *testing.T) {
	const n = 16
	env := newEnv()
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Deadline": func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(ctx context.Context) (string, error) {
			<-ctx.Done()
			return "", ctx.Err()
		}), nil
	}}, lambda.Options{})
	name := provision(t, svc, "Deadline", map[string]any{"Timeout": 1})
	results := make(chan lambda.Result, n)
	for range n {
		go func() {
			res, err := svc.Invoke(context.Background(), name, []byte(`{}`))
			assert.NoError(t, err)
			results <- res
		}()
	}
	for range n {
		res := <-results
		assert.True(t, res.TimedOut, "payload %s", res.Payload)
		assert.Contains(t, string(res.Payload), "Task timed out after 1.00 seconds")
	}
	svc.Close()
	assert.Equal(t, int64(n), env.Metrics.Resource("lambda", name).Snapshot().Timeouts)
}

func TestCallerGivingUpDoesNotStopTheFunction(t *testing.T) {
	g := newGate()
	env := newEnv()
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Gate": g.constructor}, lambda.Options{})
	name := provision(t, svc, "Gate", nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := svc.Invoke(ctx, name, []byte(`{}`))
		done <- err
	}()
	<-g.entered
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, int64(1), env.Metrics.Resource("lambda", name).Snapshot().Concurrent, "the function still runs")
	close(g.release)
	svc.Close()
	assert.Equal(t, int64(0), env.Metrics.Resource("lambda", name).Snapshot().Concurrent)
}

func TestAsyncRetriesThenOnFailureDestination(t *testing.T) {
	var attempts atomic.Int32
	failing := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func() error {
			attempts.Add(1)
			return errors.New("kitchen printer offline")
		}), nil
	}
	records := make(chan map[string]any, 1)
	sink := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(rec map[string]any) error {
			records <- rec
			return nil
		}), nil
	}
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Ticket": failing, "Test/Dead": sink},
		lambda.Options{AsyncRetryDelays: []time.Duration{time.Millisecond, 2 * time.Millisecond}})
	defer svc.Close()
	name := provision(t, svc, "Ticket", nil)
	dead := provision(t, svc, "Dead", nil)
	deadFn, err := svc.Lookup(dead)
	require.NoError(t, err)
	_, err = svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Cfg", Type: "AWS::Lambda::EventInvokeConfig"}, map[string]any{
		"FunctionName": name, "Qualifier": "$LATEST",
		"DestinationConfig": map[string]any{"OnFailure": map[string]any{"Destination": deadFn.ARN}},
	})
	require.NoError(t, err)

	_, err = svc.InvokeAsync(context.Background(), name, []byte(`{"order_id":"o-1"}`))
	require.NoError(t, err)
	select {
	case rec := <-records:
		assert.Equal(t, int32(3), attempts.Load(), "one attempt and two retries")
		rc := rec["requestContext"].(map[string]any)
		assert.Equal(t, "RetriesExhausted", rc["condition"])
		assert.EqualValues(t, 3, rc["approximateInvokeCount"])
		assert.Equal(t, map[string]any{"order_id": "o-1"}, rec["requestPayload"])
	case <-time.After(10 * time.Second):
		t.Fatal("no failure record reached the destination")
	}
}

func TestProvisionRejects(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]any
		want  string
	}{
		{"unknown property", map[string]any{"SnapStart": map[string]any{"ApplyOn": "PublishedVersions"}}, `"SnapStart"`},
		{"node runtime", map[string]any{"Runtime": "nodejs20.x"}, `Runtime "nodejs20.x" is not supported`},
		{"memory", map[string]any{"MemorySize": 64}, "MemorySize must be 128–10240 MB, got 64"},
		{"timeout", map[string]any{"Timeout": 901}, "Timeout must be 1–900 seconds, got 901"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
			props := map[string]any{"Runtime": "provided.al2023"}
			for k, v := range tt.props {
				props[k] = v
			}
			_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Echo", Type: "AWS::Lambda::Function", Metadata: map[string]any{"aws:cdk:path": "Test/Echo/Resource"}}, props)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Echo")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("no handler registered", func(t *testing.T) {
		svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Other": echo}, lambda.Options{})
		_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Echo", Type: "AWS::Lambda::Function", Metadata: map[string]any{"aws:cdk:path": "Test/Echo/Resource"}}, map[string]any{"Runtime": "provided.al2023"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `"Test/Echo"`)
		assert.Contains(t, err.Error(), "registered: Test/Other")
	})
}

// TestWireAPIWithSDKClient drives the service through the real SDK lambda client over HTTP.
func TestWireAPIWithSDKClient(t *testing.T) {
	g := newGate()
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo, "Test/Gate": g.constructor}, lambda.Options{})
	echoName := provision(t, svc, "Echo", map[string]any{"Environment": map[string]any{"Variables": map[string]any{"GREETING": "Hi"}}})
	gateName := provision(t, svc, "Gate", map[string]any{"ReservedConcurrentExecutions": 1})
	srv := httptest.NewServer(svc)
	defer srv.Close()
	client := sdklambda.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""),
	}, func(o *sdklambda.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.RetryMaxAttempts = 1
	})
	ctx := context.Background()

	out, err := client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String(echoName), Payload: []byte(`{"Name":"Emily"}`)})
	require.NoError(t, err)
	assert.JSONEq(t, `"Hi, Emily"`, string(out.Payload))
	assert.Nil(t, out.FunctionError)

	out, err = client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String(echoName), Payload: []byte(`{}`)})
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))

	async, err := client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String(echoName), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"Name":"x"}`)})
	require.NoError(t, err)
	assert.Equal(t, int32(202), async.StatusCode)

	_, err = client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &nf)

	conc, err := client.GetFunctionConcurrency(ctx, &sdklambda.GetFunctionConcurrencyInput{FunctionName: aws.String(gateName)})
	require.NoError(t, err)
	assert.Equal(t, aws.Int32(1), conc.ReservedConcurrentExecutions)
	conc, err = client.GetFunctionConcurrency(ctx, &sdklambda.GetFunctionConcurrencyInput{FunctionName: aws.String(echoName)})
	require.NoError(t, err)
	assert.Nil(t, conc.ReservedConcurrentExecutions, "no reservation: the unreserved pool")

	list, err := client.ListFunctions(ctx, &sdklambda.ListFunctionsInput{})
	require.NoError(t, err)
	names := []string{}
	for _, f := range list.Functions {
		names = append(names, aws.ToString(f.FunctionName))
	}
	assert.ElementsMatch(t, []string{echoName, gateName}, names)

	go func() { _, _ = client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String(gateName)}) }()
	<-g.entered
	_, err = client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String(gateName)})
	var tm *types.TooManyRequestsException
	require.ErrorAs(t, err, &tm)
	assert.Equal(t, types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded, tm.Reason)
	var re *awshttp.ResponseError
	require.ErrorAs(t, err, &re)
	assert.NotEmpty(t, re.ServiceRequestID(), "errors carry a request id, as Lambda's do")
	close(g.release)
	svc.Close()
}

func BenchmarkInvokeWarm(b *testing.B) {
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	defer svc.Close()
	name := provision(b, svc, "Echo", nil)
	payload := []byte(`{"Name":"Emily"}`)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.Invoke(ctx, name, payload); err != nil {
				panic(fmt.Sprint(err))
			}
		}
	})
}

// BenchmarkInvokeOverhead measures what the emulator adds to one warm synchronous invoke with the
// zero latency model: admission, environment reuse, the goroutine that runs the handler, billing
// and metrics. The handler does nothing, so the figure is the emulator's own cost.
func BenchmarkInvokeOverhead(b *testing.B) {
	noop := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return handlerFunc(func(context.Context, []byte) ([]byte, error) { return []byte(`{}`), nil }), nil
	}
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Noop": noop}, lambda.Options{})
	defer svc.Close()
	name := provision(b, svc, "Noop", nil)
	payload := []byte(`{}`)
	ctx := context.Background()
	h := hdrhistogram.New(1, int64(time.Second), 3)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := svc.Invoke(ctx, name, payload); err != nil {
			b.Fatal(err)
		}
		_ = h.RecordValue(time.Since(start).Nanoseconds())
	}
	b.ReportMetric(float64(h.ValueAtQuantile(50))/1e3, "p50-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99))/1e3, "p99-µs")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
}

type handlerFunc func(context.Context, []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, p []byte) ([]byte, error) { return f(ctx, p) }
