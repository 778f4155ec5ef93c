package lambda

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	lambdago "github.com/aws/aws-lambda-go/lambda"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cpupart"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/workers"
)

// Constructor builds a function's handler, as the function's main does on Lambda: it receives the
// emulator's aws.Config and a getenv over the function's own environment (never the process's).
// Each new execution environment runs it once; that is the function's init code.
type Constructor func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error)

// Limits documented by AWS.
const (
	DefaultAccountConcurrency = 1000
	MinUnreserved             = 100
	ScalingBurst              = 1000 // new environments per function
	ScalingWindow             = 10 * time.Second
	// MaxSyncPayload and MaxAsyncPayload are Invoke's request payload limits: 6 MB for
	// RequestResponse, 1 MB for Event (raised from 256 KB in 2025)
	// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
	MaxSyncPayload  = 6 * 1024 * 1024
	MaxAsyncPayload = 1024 * 1024
	InitTimeout     = 10 * time.Second
	mbPerVCPU       = 1769
)

// Options tune the service. The zero value means AWS's defaults.
type Options struct {
	// AccountConcurrency is the account's concurrency limit (1,000 by default).
	AccountConcurrency int
	// IdleTimeout reclaims environments unused for this long. AWS does not document it; 10 minutes
	// is within what people observe (5–15 min).
	IdleTimeout time.Duration
	// AsyncRetryDelays are the waits before the retries of a failed asynchronous invocation
	// (AWS: about 1 minute, then about 2 minutes).
	AsyncRetryDelays []time.Duration
	// Config returns the aws.Config handed to handler constructors.
	Config func() aws.Config
	// CPUModel makes memory buy CPU as on Lambda: the handler's own measured CPU time is
	// stretched to what the function's vCPU share (VCPUs) would take, waited on the emulator's
	// clock, billed and counted against the timeout (see the package doc and CPUUsage). Off by
	// default: the handler then runs at the host's speed whatever its memory.
	CPUModel bool
}

func (o Options) withDefaults() Options {
	if o.AccountConcurrency == 0 {
		o.AccountConcurrency = DefaultAccountConcurrency
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = 10 * time.Minute
	}
	if o.AsyncRetryDelays == nil {
		o.AsyncRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}
	}
	if o.Config == nil {
		o.Config = func() aws.Config { return aws.Config{Region: "us-east-1"} }
	}
	return o
}

// Service is the emulated Lambda service of one account and region.
type Service struct {
	env      *sim.Env
	opts     Options
	registry map[string]Constructor
	account  *metrics.Resource

	mu        sync.RWMutex
	functions map[string]*Function // by name
	reserved  int                  // sum of reserved concurrency

	mux                *http.ServeMux
	unreservedInFlight atomic.Int64
	background         sync.WaitGroup
	closed             atomic.Bool
	closing            chan struct{} // closed by Close: ends the waits between asynchronous retries
}

// New returns an empty service. registry maps a function's identity in the template (its
// construct path without the trailing "/Resource", its full aws:cdk:path, or its logical ID) to its
// handler constructor.
//
// New registers the service with env for Env.Call (see Call).
func New(env *sim.Env, registry map[string]Constructor, opts Options) *Service {
	s := &Service{
		closing:   make(chan struct{}),
		env:       env,
		opts:      opts.withDefaults(),
		registry:  registry,
		account:   env.Metrics.Resource("lambda-account", "ConcurrentExecutions"),
		functions: map[string]*Function{},
	}
	s.mux = s.routes()
	env.Register(ServiceName, s)
	return s
}

// Function is one provisioned function.
type Function struct {
	Name, ARN, LogicalID, CDKPath  string
	Description                    string
	Runtime, Architecture, Handler string
	MemoryMB                       int
	Timeout                        time.Duration
	Reserved                       *int // nil: shares the unreserved pool
	Environment                    map[string]string

	id      sim.ID // "lambda:<name>": metrics, faults, spans, the dashboard's node
	async   asyncConfig
	ctor    Constructor
	metrics *metrics.Resource
	svc     *Service

	mu          sync.Mutex
	idle        []*environment
	inFlight    int
	scaleTokens float64
	lastRefill  time.Time
	envSeq      int
}

// CPUShare is the vCPU share Lambda gives the function's memory size (1,769 MB = 1 vCPU, at most 6).
func (f *Function) CPUShare() float64 {
	return VCPUs(f.MemoryMB)
}

type asyncConfig struct {
	maxRetries int
	maxAge     time.Duration
	onFailure  string // destination ARN
	onSuccess  string // destination ARN
	deadLetter string // DeadLetterConfig's target (an SQS queue ARN)
}

type environment struct {
	id       int
	handler  lambdago.Handler
	lastUsed time.Time
}

// ThrottleError is Lambda's 429 TooManyRequestsException.
type ThrottleError struct {
	Function string
	Reason   string
}

func (e *ThrottleError) Error() string {
	return fmt.Sprintf("lambda %s: Rate Exceeded. (TooManyRequestsException, reason %s)", e.Function, e.Reason)
}

// NotFoundError is Lambda's ResourceNotFoundException.
type NotFoundError struct{ Function string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("Function not found: %s", e.Function)
}

// Result is a finished synchronous invocation as Lambda reports it.
type Result struct {
	Payload       []byte
	FunctionError string // "Unhandled" when the function failed, timed out or crashed
	RequestID     string
	Cold          bool
	TimedOut      bool // Lambda ended the invocation at the function's timeout
	Duration      time.Duration
	Billed        time.Duration
	CPU           CPUUsage // what the CPU model measured and added (Options.CPUModel)
}

// Functions lists the provisioned functions sorted by name.
func (s *Service) Functions() []*Function {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Function, 0, len(s.functions))
	for _, f := range s.functions {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a function by name, ARN (qualified with $LATEST or not) or partial ARN.
func (s *Service) Lookup(nameOrARN string) (*Function, error) {
	name := functionName(nameOrARN)
	s.mu.RLock()
	f := s.functions[name]
	s.mu.RUnlock()
	if f == nil {
		return nil, &NotFoundError{Function: s.env.ARN("lambda", "function:"+name)}
	}
	return f, nil
}

// functionName accepts "name", "name:$LATEST", "123456789012:function:name" and full ARNs.
func functionName(s string) string { return sim.FunctionName(s) }

// Invoke runs the function synchronously (RequestResponse). A throttle or an unknown function is
// an error; a failed, crashed or timed-out function is a Result with FunctionError set. Invoke
// returns when the invocation ends or ctx is done; in the second case the function goes on.
func (s *Service) Invoke(ctx context.Context, nameOrARN string, payload []byte) (Result, error) {
	f, err := s.Lookup(nameOrARN)
	if err != nil {
		return Result{}, err
	}
	if len(payload) > MaxSyncPayload {
		return Result{}, &PayloadTooLargeError{Size: len(payload), Limit: MaxSyncPayload}
	}
	ctx, hop := s.env.Open(ctx, f.id, f.metrics, "Invoke")
	res, err := f.invoke(ctx, &hop, payload)
	o := outcome(res, err)
	// The call counts its throttles; the execution records its duration, error and timeout
	// itself when it ends (finish), which may be after its caller gave up.
	hop.EndWith(o, sim.Tally{Throttled: o == sim.Throttled})
	return res, err
}

// okCold is the outcome of an invocation that started a new execution environment.
const okCold sim.Outcome = "ok (cold)"

// outcome is how an invocation ended for its caller, as its trace span shows it.
func outcome(res Result, err error) sim.Outcome {
	var te *ThrottleError
	switch {
	case errors.As(err, &te):
		return sim.Throttled
	case err != nil:
		return sim.Failed
	case res.TimedOut:
		return sim.TimedOut
	case res.FunctionError != "":
		return sim.Failed
	case res.Cold:
		return okCold
	}
	return sim.OK
}

// PayloadTooLargeError is Lambda's RequestTooLargeException (HTTP 413). Its messages are
// Lambda's: "Request must be smaller than 6291456 bytes for the InvokeFunction operation" for a
// synchronous invocation, "<n> byte payload is too large for the Event invocation type (limit
// <limit> bytes)" for an asynchronous one. (Lambda's wire error type is
// RequestEntityTooLargeException, https://github.com/aws/aws-sdk/issues/45; the API reference and
// the SDKs name it RequestTooLargeException, which is what the emulator sends so that SDKs
// return their typed error.)
type PayloadTooLargeError struct {
	Size, Limit int
	Event       bool // an asynchronous (Event) invocation
}

func (e *PayloadTooLargeError) Error() string {
	if e.Event {
		return fmt.Sprintf("%d byte payload is too large for the Event invocation type (limit %d bytes)", e.Size, e.Limit)
	}
	return fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", e.Limit)
}

type execution struct {
	res  Result
	done chan struct{}
}

// invoke admits and starts one synchronous invocation; Invoke ends its hop (a ThrottleError
// counts as a throttle there).
func (f *Function) invoke(ctx context.Context, hop *sim.Hop, payload []byte) (Result, error) {
	s := f.svc
	// The Lambda front end: authentication, routing, placement. A caller who gives up during it
	// is not counted as an invocation. A latency fault on the function is not waited here: it is
	// the function that is slow, so the handler waits it (run), inside its timeout.
	if err := s.env.Spend(ctx, "lambda.invoke", ""); err != nil {
		return Result{}, err
	}
	hop.Count()
	// A throttle fault refuses the call; an error-rate fault fails the handler (a function
	// error, not an API error).
	rule, injectErr, faulted := hop.Fault()
	if faulted && rule.Throttle {
		return Result{}, &ThrottleError{Function: f.Name, Reason: "ReservedFunctionConcurrentInvocationLimitExceeded"}
	}
	env, cold, err := f.acquire()
	if err != nil {
		return Result{}, err
	}
	ex := &execution{done: make(chan struct{})}
	ex.res.RequestID = newRequestID()
	ex.res.Cold = cold
	s.background.Add(1)
	go f.run(context.WithoutCancel(ctx), ex, env, payload, injectErr)
	select {
	case <-ex.done:
		return ex.res, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// acquire admits one invocation: a concurrency slot and an environment (reused or new).
func (f *Function) acquire() (*environment, bool, error) {
	s := f.svc
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Reserved != nil {
		if f.inFlight >= *f.Reserved {
			return nil, false, &ThrottleError{Function: f.Name, Reason: "ReservedFunctionConcurrentInvocationLimitExceeded"}
		}
	} else {
		limit := int64(s.opts.AccountConcurrency - s.reserved)
		for {
			n := s.unreservedInFlight.Load()
			if n >= limit {
				return nil, false, &ThrottleError{Function: f.Name, Reason: "ConcurrentInvocationLimitExceeded"}
			}
			if s.unreservedInFlight.CompareAndSwap(n, n+1) {
				break
			}
		}
	}
	now := s.env.Now()
	var env *environment
	for len(f.idle) > 0 && env == nil {
		last := f.idle[len(f.idle)-1]
		f.idle = f.idle[:len(f.idle)-1]
		if now.Sub(last.lastUsed) < s.opts.IdleTimeout {
			env = last
		}
	}
	// Environments idle past the timeout at the bottom of the stack are reclaimed too.
	for len(f.idle) > 0 && now.Sub(f.idle[0].lastUsed) >= s.opts.IdleTimeout {
		f.idle = f.idle[1:]
	}
	cold := env == nil
	if cold {
		f.refill(now)
		if f.scaleTokens < 1 {
			if f.Reserved == nil {
				s.unreservedInFlight.Add(-1)
			}
			return nil, false, &ThrottleError{Function: f.Name, Reason: "FunctionInvocationRateLimitExceeded"}
		}
		f.scaleTokens--
		f.envSeq++
		env = &environment{id: f.envSeq}
	}
	f.inFlight++
	f.metrics.Enter()
	s.account.Enter()
	return env, cold, nil
}

func (f *Function) refill(now time.Time) {
	if f.lastRefill.IsZero() {
		f.scaleTokens, f.lastRefill = ScalingBurst, now
		return
	}
	f.scaleTokens = math.Min(ScalingBurst, f.scaleTokens+now.Sub(f.lastRefill).Seconds()*ScalingBurst/ScalingWindow.Seconds())
	f.lastRefill = now
}

// release ends an invocation's hold on concurrency; a healthy environment goes back to the pool.
func (f *Function) release(env *environment, reuse bool) {
	f.mu.Lock()
	f.inFlight--
	if reuse && !f.svc.closed.Load() {
		env.lastUsed = f.svc.env.Now()
		f.idle = append(f.idle, env)
	}
	f.mu.Unlock()
	if f.Reserved == nil {
		f.svc.unreservedInFlight.Add(-1)
	}
	f.metrics.Exit()
	f.svc.account.Exit()
}

// run executes one invocation in its environment; ex.done closes when the caller may read the
// result (the end of the handler, or its timeout).
func (f *Function) run(ctx context.Context, ex *execution, env *environment, payload []byte, injectErr bool) {
	s := f.svc
	defer s.background.Done()
	clock := s.env.Clock
	if clock == nil {
		clock = sim.Real{}
	}
	start := clock.Now()
	deadline := start.Add(f.Timeout)
	var initBilled time.Duration

	if env.handler == nil {
		initStart := clock.Now()
		_ = s.env.Spend(ctx, "lambda.init.platform", "")
		runtimeInit := "lambda.init.go." + f.Architecture
		_ = s.env.Spend(ctx, runtimeInit, "")
		f.metrics.ColdStarted()
		h, err := f.initEnvironment(ctx, clock)
		initBilled = clock.Now().Sub(initStart)
		if err != nil {
			ex.res.FunctionError = "Unhandled"
			ex.res.Payload = errorPayload("Runtime.InitError", err.Error())
			f.finish(ex, start, initBilled, false)
			close(ex.done)
			f.release(env, false)
			return
		}
		env.handler = h
		// The init phase does not count against the function timeout on Lambda.
		deadline = clock.Now().Add(f.Timeout)
	}

	hctx, cancel := sim.WithTimeout(ctx, clock, deadline.Sub(clock.Now()))
	hctx = lambdacontext.NewContext(hctx, &lambdacontext.LambdaContext{
		AwsRequestID:       ex.res.RequestID,
		InvokedFunctionArn: f.ARN,
	})
	hctx = cpupart.With(hctx, cpupart.Handler) // the handler's CPU, and its SDK calls' once answered
	type answer struct {
		out   []byte
		err   error
		crash bool
		cpu   CPUUsage
	}
	answers := make(chan answer, 1)
	workers.Go(func() {
		defer func() {
			if p := recover(); p != nil {
				answers <- answer{err: fmt.Errorf("%v", p), crash: true}
			}
		}()
		if rule, ok := s.env.Faults.Lookup(string(f.id)); ok && rule.Latency > 0 {
			_ = s.env.SleepFault(hctx, 0, string(f.id)) // ends early if the fault is removed meanwhile
		}
		if injectErr {
			answers <- answer{err: errors.New("injected fault: function error")}
			return
		}
		cpupart.Enter(hctx)
		// aws-lambda-go (v1.55) answers with the bytes of a pooled buffer that the environment's
		// next Invoke writes over, maybe while this caller still reads them: each answer keeps a
		// copy of its own.
		if !s.opts.CPUModel {
			out, err := env.handler.Invoke(hctx, payload)
			answers <- answer{out: bytes.Clone(out), err: err}
			return
		}
		// The CPU model: the handler goroutine keeps one OS thread for the call, whose CPU clock
		// is then this invocation's CPU time (see cpu.go).
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		m := startCPUMeter(f.CPUShare(), clock, string(f.id))
		defer m.end()
		out, err := env.handler.Invoke(context.WithValue(hctx, cpuKey{}, m), payload)
		u := m.finish(hctx)
		f.metrics.Add("cpu_us", u.CPU.Microseconds())
		f.metrics.Add("cpu_wait_us", u.Wait.Microseconds())
		answers <- answer{out: bytes.Clone(out), err: err, cpu: u}
	})

	timer := clock.NewTimer(deadline.Sub(clock.Now()))
	defer timer.Stop()
	var a answer
	timedOut := false
	select {
	case a = <-answers:
		// A handler whose context ran out answers at the deadline, racing the timer. On Lambda
		// an answer that comes at or after the timeout is discarded: the invocation timed out.
		timedOut = !clock.Now().Before(deadline)
	case <-timer.C():
		timedOut = true
	}
	cancel()
	if !timedOut {
		reuse := true
		switch {
		case a.crash:
			ex.res.FunctionError = "Unhandled"
			ex.res.Payload = errorPayload("Runtime.ExitError", "the handler panicked: "+a.err.Error())
			reuse = false
		case a.err != nil:
			ex.res.FunctionError = "Unhandled"
			ex.res.Payload = errorPayload(errorType(a.err), a.err.Error())
		default:
			ex.res.Payload = a.out
		}
		ex.res.CPU = a.cpu
		f.finish(ex, start, initBilled, ex.res.FunctionError != "")
		// Back in the pool before the caller has its answer, so its next call finds it warm.
		f.release(env, reuse)
		close(ex.done)
	} else {
		ex.res.FunctionError = "Unhandled"
		ex.res.TimedOut = true
		ex.res.Payload = errorPayload("", fmt.Sprintf("%s %s Task timed out after %.2f seconds",
			clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"), ex.res.RequestID, f.Timeout.Seconds()))
		f.finish(ex, start, initBilled, true)
		// Lambda ends the environment at the timeout: the concurrency is free again, and the
		// environment is never reused. The handler goroutine ends when its code sees hctx done.
		f.release(env, false)
		close(ex.done)
	}
}

func (f *Function) initEnvironment(ctx context.Context, clock sim.Clock) (h lambdago.Handler, err error) {
	ictx, cancel := sim.WithTimeout(ctx, clock, InitTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("init panicked: %v", p)
		}
	}()
	getenv := f.getenv()
	cfg := f.svc.opts.Config()
	if f.svc.opts.CPUModel {
		cfg.HTTPClient = meteredHTTPClient(cfg.HTTPClient)
	}
	h, err = f.ctor(ictx, cfg, getenv)
	if err == nil && h == nil {
		err = errors.New("the handler constructor returned no handler")
	}
	return h, err
}

// getenv answers from the function's template environment plus the variables Lambda itself sets.
func (f *Function) getenv() func(string) string {
	vars := map[string]string{
		"AWS_REGION":                      f.svc.env.Region,
		"AWS_DEFAULT_REGION":              f.svc.env.Region,
		"AWS_LAMBDA_FUNCTION_NAME":        f.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(f.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_" + f.Runtime,
		"LAMBDA_TASK_ROOT":                "/var/task",
	}
	for k, v := range f.Environment {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

// finish records how an execution ended, in its Result and in the function's metrics: its
// duration, a failure as an error and a timeout (ex.res.TimedOut) as a timeout too, as the
// invocation's hop would (sim.Tally), and its billing.
func (f *Function) finish(ex *execution, start time.Time, initBilled time.Duration, failed bool) {
	d := f.svc.env.Now().Sub(start)
	ex.res.Duration = d
	billed := time.Duration(math.Ceil(float64(d)/float64(time.Millisecond))) * time.Millisecond
	ex.res.Billed = billed
	sim.Tally{Observe: true, Duration: d, Errored: failed, TimedOut: ex.res.TimedOut}.AddTo(f.metrics)
	f.metrics.Billed(f.MemoryMB, billed)
	if initBilled > 0 {
		f.metrics.Add("init_billed_ms", initBilled.Milliseconds())
	}
}

func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

func errorPayload(typ, msg string) []byte {
	body := map[string]string{"errorMessage": msg}
	if typ != "" {
		body["errorType"] = typ
	}
	b, _ := json.Marshal(body)
	return b
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Close stops asynchronous retries (an event waiting for its next attempt is dropped) and waits
// for running invocations to end. It never fails; the error is sim.Service's.
func (s *Service) Close() error {
	if !s.closed.Swap(true) {
		close(s.closing)
	}
	s.background.Wait()
	return nil
}
