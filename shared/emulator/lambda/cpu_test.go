package lambda_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Lambda allocates CPU in proportion to memory, one vCPU at 1,769 MB
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), up to 6 vCPUs at
// the 10,240 MB maximum (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
func TestVCPUs(t *testing.T) {
	tests := []struct {
		memoryMB int
		want     float64
	}{
		{128, 128.0 / 1769},
		{1769, 1},
		{3008, 3008.0 / 1769},
		{3538, 2},
		{10240, 10240.0 / 1769},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.memoryMB), func(t *testing.T) {
			assert.InDelta(t, tt.want, lambda.VCPUs(tt.memoryMB), 1e-9)
			assert.LessOrEqual(t, lambda.VCPUs(tt.memoryMB), 6.0)
		})
	}
	assert.InDelta(t, 13.82, 1/lambda.VCPUs(128), 0.01, "128 MB is 1/13.8 of a vCPU")
}

func TestModelledCPUTime(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name      string
		cpu, busy time.Duration
		memoryMB  int
		want      time.Duration
	}{
		{"one goroutine at 128 MB takes 13.8 times its CPU", 10 * ms, 10 * ms, 128, time.Duration(float64(10*ms) * 1769 / 128)},
		{"one goroutine at 1,769 MB runs at its own pace", 10 * ms, 10 * ms, 1769, 10 * ms},
		{"one goroutine gains nothing above one vCPU", 10 * ms, 10 * ms, 3008, 10 * ms},
		{"one goroutine gains nothing at 10,240 MB", 10 * ms, 10 * ms, 10240, 10 * ms},
		{"a busy host (busy > CPU) is still one goroutine", 10 * ms, 15 * ms, 1769, 10 * ms},
		{"four parallel goroutines at 1,769 MB share one vCPU", 40 * ms, 10 * ms, 1769, 40 * ms},
		{"four parallel goroutines at 3,538 MB use two", 40 * ms, 10 * ms, 3538, 20 * ms},
		{"four parallel goroutines at 10,240 MB use four", 40 * ms, 10 * ms, 10240, 10 * ms},
		{"four parallel goroutines at 128 MB gain nothing", 40 * ms, 10 * ms, 128, time.Duration(float64(40*ms) * 1769 / 128)},
		{"no CPU, no time", 0, 10 * ms, 128, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lambda.ModelledCPUTime(tt.cpu, tt.busy, lambda.VCPUs(tt.memoryMB))
			assert.InDelta(t, float64(tt.want), float64(got), float64(time.Microsecond))
		})
	}
}

var workBuf = bytes.Repeat([]byte("croissant"), 1<<17) // about 1.1 MB

// hashWork is real CPU work: SHA-256 over a 1.1 MB buffer, passes times, chaining each sum into
// the buffer so no pass can be skipped. It never sleeps and allocates nothing (no GC work to
// blur the measurement).
func hashWork(passes int) [32]byte {
	buf := make([]byte, len(workBuf))
	copy(buf, workBuf)
	var sum [32]byte
	for range passes {
		sum = sha256.Sum256(buf)
		copy(buf, sum[:])
	}
	return sum
}

// cpuBound hashes on the handler goroutine; parallel hashes on that many goroutines and waits.
func cpuBound(passes, goroutines int) lambda.Constructor {
	return func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(context.Context, json.RawMessage) (string, error) {
			if goroutines <= 1 {
				sum := hashWork(passes)
				return string(sum[:4]), nil
			}
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() { hashWork(passes / goroutines) })
			}
			wg.Wait()
			return "ok", nil
		}), nil
	}
}

// autoAdvance moves a fake clock forward in small steps whenever something beyond the
// invocation's two own timers (the handler context's and Lambda's timeout) waits on it: the CPU
// model's wait, or a modelled service latency.
func autoAdvance(t *testing.T, clock *sim.Fake, step time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for clock.WaitForTimers(ctx, 3) == nil {
			clock.Advance(step)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// invokeAt provisions the handler once per memory size on a fake clock with the CPU model on,
// warms each, then invokes them in turn runs times (interleaved, so a host that slows down part
// way slows every size alike) and returns each size's results.
func invokeAt(t *testing.T, ctor lambda.Constructor, sizes []int, runs int) map[int][]lambda.Result {
	t.Helper()
	clock := sim.NewFake(epoch)
	env := newEnv()
	env.Clock = clock
	autoAdvance(t, clock, 50*time.Microsecond)
	registry := map[string]lambda.Constructor{}
	for _, mb := range sizes {
		registry["Test/Fn"+strconv.Itoa(mb)] = ctor
	}
	svc := lambda.New(env, registry, lambda.Options{CPUModel: true})
	t.Cleanup(func() { _ = svc.Close() })
	names := map[int]string{}
	for _, mb := range sizes {
		names[mb] = provision(t, svc, "Fn"+strconv.Itoa(mb), map[string]any{"Timeout": 900, "MemorySize": mb})
	}
	out := map[int][]lambda.Result{}
	for i := range runs + 1 {
		for _, mb := range sizes {
			res, err := svc.Invoke(context.Background(), names[mb], []byte(`{}`))
			require.NoError(t, err)
			require.Empty(t, res.FunctionError, string(res.Payload))
			if i == 0 {
				continue // the cold start
			}
			// On the fake clock the handler's real run takes no time: the duration is the
			// model's figure (plus at most one step of the clock).
			require.InDelta(t, float64(res.CPU.Modelled), float64(res.Duration), float64(100*time.Microsecond))
			out[mb] = append(out[mb], res)
		}
	}
	return out
}

func median(rs []lambda.Result) time.Duration {
	ds := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		ds = append(ds, r.Duration)
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// A CPU-bound handler's duration scales with 1/share below one vCPU and not above it: 128 MB is
// 1/13.8 of a vCPU, 1,769 MB one, 3,538 MB two, which single-threaded code cannot use
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). On the fake clock
// the durations are the model's figures from the measured CPU time, so the ratios hold on a busy
// host; the tolerance covers CPU time itself varying between runs (caches, frequency, GC).
func TestCPUModelSingleGoroutine(t *testing.T) {
	skipUnderRace(t)
	rs := invokeAt(t, cpuBound(12, 1), []int{128, 1769, 3538}, 5)
	d := map[int]time.Duration{}
	for mb, r := range rs {
		d[mb] = median(r)
		ps := make([]float64, 0, len(r))
		for _, res := range r {
			ps = append(ps, res.CPU.Parallelism)
		}
		slices.Sort(ps)
		// Stray CPU elsewhere in the process blurs a single run; the median is one goroutine's.
		assert.Less(t, ps[len(ps)/2], 1.3, "%d MB: one goroutine", mb)
	}
	t.Logf("median durations: 128 MB %v, 1,769 MB %v, 3,538 MB %v", d[128], d[1769], d[3538])
	// Each invocation's duration against the CPU it measured: the CPU time itself varies between
	// invocations on a busy host (other tests, caches, the collector), the model's stretch does not.
	stretch := func(mb int) float64 {
		ratios := make([]float64, 0, len(rs[mb]))
		for _, res := range rs[mb] {
			require.Positive(t, res.CPU.CPU, "%d MB: the handler's CPU is measured", mb)
			ratios = append(ratios, float64(res.Duration)/float64(res.CPU.CPU))
		}
		slices.Sort(ratios)
		return ratios[len(ratios)/2]
	}
	assert.InEpsilon(t, 1769.0/128, stretch(128), 0.05, "128 MB: 13.8 times the CPU time")
	assert.InEpsilon(t, 1.0, stretch(1769), 0.05, "1,769 MB: one vCPU, the CPU time itself")
	assert.InDelta(t, 0.9, stretch(3538), 0.15, "3,538 MB: no faster than one vCPU for one goroutine (at most its measured parallelism)")
}

var (
	serviceBuf = bytes.Repeat([]byte("eclair"), 1<<17)
	serviceSum [32]byte
)

// sleepyDynamoDB answers every request after a modelled 20 ms on the clock, and spends real CPU
// (hashing) as a service would: that CPU is the service's, not the handler's.
type sleepyDynamoDB struct{ clock sim.Clock }

func (s sleepyDynamoDB) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := sim.Sleep(req.Context(), s.clock, 20*time.Millisecond); err != nil {
		return nil, err
	}
	for range 4 {
		serviceSum = sha256.Sum256(serviceBuf)
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body: io.NopCloser(strings.NewReader(`{}`)), Request: req}, nil
}

// A handler that spends its time waiting on SDK calls is barely slowed at 128 MB: only its own
// small CPU (the SDK's marshalling) is stretched, not the service latency and not the CPU the
// emulated service spends answering in-process.
func TestCPUModelIOBoundNotStretched(t *testing.T) {
	skipUnderRace(t)
	clock := sim.NewFake(epoch)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""),
		HTTPClient: &http.Client{Transport: sleepyDynamoDB{clock: clock}}, RetryMaxAttempts: 1}
	ctor := func(_ context.Context, cfg aws.Config, _ func(string) string) (lambdago.Handler, error) {
		db := dynamodb.NewFromConfig(cfg)
		return lambdago.NewHandler(func(ctx context.Context, _ json.RawMessage) (string, error) {
			for i := range 5 {
				_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Orders"),
					Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: strconv.Itoa(i)}}})
				if err != nil {
					return "", err
				}
			}
			return "ok", nil
		}), nil
	}
	// invokeAt uses its own clock; this test needs the transport's clock to be the service's.
	env := newEnv()
	env.Clock = clock
	autoAdvance(t, clock, 50*time.Microsecond)
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Fn": ctor}, lambda.Options{CPUModel: true, Config: func() aws.Config { return cfg }})
	defer svc.Close()
	name := provision(t, svc, "Fn", map[string]any{"Timeout": 900})
	f, err := svc.Lookup(name)
	require.NoError(t, err)
	d := map[int]lambda.Result{}
	for _, mb := range []int{128, 1769} {
		require.NoError(t, f.SetMemory(mb))
		for range 3 {
			res, err := svc.Invoke(context.Background(), name, []byte(`{}`))
			require.NoError(t, err)
			require.Empty(t, res.FunctionError, string(res.Payload))
			d[mb] = res
		}
	}
	t.Logf("128 MB: %v (CPU %v modelled as %v, services %v); 1,769 MB: %v (CPU %v)", d[128].Duration, d[128].CPU.CPU,
		d[128].CPU.Modelled, d[128].CPU.Services, d[1769].Duration, d[1769].CPU.CPU)
	// The model's identity, not the machine's speed: the five 20 ms calls count once at every
	// size, and only the handler's own CPU is stretched (13.8 times at 128 MB). A ratio of the
	// two durations would measure how much CPU the SDK's marshalling took on a busy machine.
	for _, mb := range []int{128, 1769} {
		assert.InDelta(t, float64(100*time.Millisecond), float64(d[mb].Duration-d[mb].CPU.Modelled), float64(5*time.Millisecond),
			"%d MB: the duration is the calls' 100 ms plus the modelled CPU", mb)
	}
	assert.Greater(t, d[128].CPU.Modelled, d[128].CPU.CPU, "at 128 MB the handler's CPU is stretched")
	assert.Greater(t, d[128].CPU.Services, d[128].CPU.CPU, "the service's hashing is counted as the service's")
}

// Goroutines doing CPU work in parallel gain from memory only above one vCPU, and only up to
// min(share, their parallelism). This host has 2 cores, so two goroutines can show at most 2x:
// the test asserts the model's own figures per run (CPU attributed to the goroutines, duration =
// CPU / min(share, measured parallelism)) rather than wall time across sizes, which this busy
// 2-core host cannot show reliably.
func TestCPUModelParallelGoroutines(t *testing.T) {
	skipUnderRace(t)
	rs := invokeAt(t, cpuBound(12, 2), []int{128, 1769, 3538}, 3)
	for _, mb := range []int{128, 1769, 3538} {
		for _, res := range rs[mb] {
			u := res.CPU
			t.Logf("%d MB: %v (CPU %v, in goroutines %v, parallelism %.2f)", mb, res.Duration, u.CPU, u.Goroutines, u.Parallelism)
			require.True(t, u.Attributed, "the invocation ran alone")
			assert.Greater(t, u.Goroutines, u.CPU/2, "%d MB: the work is in the goroutines", mb)
			// The duration is the CPU at min(share, parallelism) vCPUs: below one vCPU, parallel
			// code is as slow as serial code with the same CPU; above, it gains what it showed.
			rate := min(lambda.VCPUs(mb), u.Parallelism)
			assert.InEpsilon(t, rate, float64(u.CPU)/float64(res.Duration), 0.02, "%d MB", mb)
		}
	}
	// The wall-clock gain from 1,769 to 3,538 MB is CPU/min(2, parallelism) per run, asserted
	// above; comparing durations across sizes is not, since two goroutines on this shared 2-core
	// host use more CPU time in some runs than others (one hyperthread slows the other).
	t.Logf("median durations: 1,769 MB %v, 3,538 MB %v", median(rs[1769]), median(rs[3538]))
}

// A handler at 128 MB that needs more CPU than its timeout allows times out, as on Lambda.
func TestCPUModelStarvedHandlerTimesOut(t *testing.T) {
	clock := sim.NewFake(epoch)
	env := newEnv()
	env.Clock = clock
	autoAdvance(t, clock, time.Millisecond)
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Fn": cpuBound(48, 1)}, lambda.Options{CPUModel: true})
	defer svc.Close()
	name := provision(t, svc, "Fn", map[string]any{"Timeout": 1, "MemorySize": 128})
	// Measure the handler's CPU at 1,769 MB first; at 128 MB it needs 13.8 times that.
	f, err := svc.Lookup(name)
	require.NoError(t, err)
	require.NoError(t, f.SetMemory(1769))
	res, err := svc.Invoke(context.Background(), name, []byte(`{}`))
	require.NoError(t, err)
	assert.True(t, res.Cold)
	assert.False(t, res.TimedOut)
	// Garbage other tests left behind is collected on whichever thread allocates: collect it
	// first, or a collection inside one measurement inflates its CPU and the prediction below
	// (seen under -race with the whole package running).
	runtime.GC()
	res, err = svc.Invoke(context.Background(), name, []byte(`{}`))
	require.NoError(t, err)
	if res.CPU.CPU*1769/128 < 1500*time.Millisecond {
		t.Skipf("this host hashes too fast (%v of CPU) to need well over 1 s at 128 MB", res.CPU.CPU)
	}
	require.NoError(t, f.SetMemory(128))
	runtime.GC()
	res, err = svc.Invoke(context.Background(), name, []byte(`{}`))
	require.NoError(t, err)
	assert.True(t, res.TimedOut)
	assert.Equal(t, time.Second, res.Duration)
}

// Each invocation under the CPU model holds an OS thread while its handler runs; a few hundred
// concurrent invocations stay far below Go's 10,000-thread limit (runtime/debug.SetMaxThreads).
func TestCPUModelThreadsStaySane(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs Linux's /proc")
	}
	const n = 300
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(n)
	ctor := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(ctx context.Context, _ json.RawMessage) (string, error) {
			entered.Done()
			<-release
			return "ok", nil
		}), nil
	}
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Fn": ctor}, lambda.Options{CPUModel: true})
	defer svc.Close()
	name := provision(t, svc, "Fn", nil)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := svc.Invoke(context.Background(), name, []byte(`{}`))
			assert.NoError(t, err)
		})
	}
	entered.Wait()
	threads := osThreads(t)
	t.Logf("%d invocations in flight: %d OS threads", n, threads)
	assert.Less(t, threads, 2*n, "one thread per running handler, plus the runtime's")
	close(release)
	wg.Wait()
}

func osThreads(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("no Threads line")
	return 0
}

// BenchmarkCPUModel measures what the CPU model adds to an invocation: a warm invocation of a
// trivial handler with the model off and on.
func BenchmarkCPUModel(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run("model="+strconv.FormatBool(on), func(b *testing.B) {
			svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{CPUModel: on})
			defer svc.Close()
			name := provision(b, svc, "Echo", map[string]any{"MemorySize": 1769})
			payload := []byte(`{"Name":"Ada"}`)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Invoke(context.Background(), name, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// skipUnderRace skips a test that compares measured CPU times: the race detector's
// instrumentation changes them (make test runs these tests without it).
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("measured CPU times are distorted by the race detector; go test without -race runs this")
	}
}
