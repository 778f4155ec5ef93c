// Package lambda emulates AWS Lambda: functions provisioned from a template's
// AWS::Lambda::Function resources, whose code is the stage's real Go handler running in-process.
//
// What is modelled, with AWS's documented numbers:
//   - Execution environments. A request with no idle environment is a cold start: the modelled
//     platform time plus the modelled Go runtime init, then a real run of the function's handler
//     constructor (its init code) in a fresh environment. Idle environments are reused last in,
//     first out, and reclaimed after Options.IdleTimeout without use.
//   - Concurrency. Reserved concurrency is the function's floor and ceiling; functions without it
//     share what the account limit (1,000 by default) leaves unreserved. Past either, Invoke fails
//     with 429 TooManyRequestsException and the reason Lambda gives
//     (ReservedFunctionConcurrentInvocationLimitExceeded or ConcurrentInvocationLimitExceeded).
//   - Scaling rate: each function may add 1,000 environments per 10 s, refilled continuously; a
//     cold start beyond it is throttled (reason FunctionInvocationRateLimitExceeded — AWS documents
//     a 429 here but not the reason code, so this one is an assumption).
//   - Timeouts. At the function's timeout the caller gets Lambda's own error payload ("Task timed
//     out after N.00 seconds", X-Amz-Function-Error: Unhandled), billing stops, the concurrency is
//     released and the environment is discarded. The handler's context is cancelled; its goroutine
//     ends when its code notices.
//   - A caller that gives up (its context is cancelled, e.g. an SDK client timeout or an API
//     Gateway integration timeout) does not stop the function: it runs to the end and is billed.
//   - Billing: duration rounded up to 1 ms, GB-seconds by configured memory, INIT billed as on
//     provided.* runtimes.
//   - CPU share, when Options.CPUModel is on (off by default). "Lambda allocates CPU power in
//     proportion to the amount of memory configured"; at 1,769 MB a function has one vCPU
//     (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), and at most 6
//     at 10,240 MB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
//     VCPUs(memory) = memory / 1,769, at most 6 (5.79 at 10,240 MB). The emulator measures the
//     CPU time the handler's own code used in the invocation and stretches the invocation to
//     what that CPU takes at the function's share: ModelledCPUTime = CPU / min(share,
//     parallelism), where parallelism is CPU / the handler's busy wall time on the host, at
//     least 1. So single-threaded code at 128 MB takes 13.8 times its CPU time, gains nothing
//     above 1,769 MB, and goroutines computing in parallel gain only above one vCPU and only up
//     to the share. The extra time is waited on the emulator's clock, in the handler's
//     goroutine, before each SDK call the handler makes (so a starved handler's writes go out
//     when they would on Lambda) and at its end; it counts in Duration, in the billed duration
//     and against the timeout (a CPU-starved handler at 128 MB times out as on Lambda), shows
//     as a "CPU at N vCPU" span in traces and as the cpu_us and cpu_wait_us counters in metrics,
//     and Result.CPU reports every figure (CPUUsage). How the CPU is measured: Go has no
//     per-goroutine CPU clock (golang/go#41554), so the handler's goroutine is locked to one OS
//     thread for the call (runtime.LockOSThread) and that thread's CPU clock (clock_gettime CLOCK_THREAD_CPUTIME_ID, Linux) is read before
//     and after. The handler's SDK and HTTP calls go through the emulator in-process on the
//     same goroutine; the aws.Config handed to the constructor carries a wrapped HTTP client
//     that reads the thread's CPU clock around each call, and what the emulated services (and
//     the payment provider) spent serving it is subtracted, as is the wall time the call took
//     (its latency is the latency model's). The SDK's own client-side work (marshalling,
//     signing) stays the handler's, as on Lambda. Goroutines the handler starts run on other
//     threads: their CPU is the process's CPU (CLOCK_PROCESS_CPUTIME_ID) beyond the handler's
//     thread, which is theirs only when no other invocation overlapped this one (make tune, the
//     tests); under concurrent load it cannot be attributed and only the handler goroutine's
//     own CPU is modelled (CPUUsage.Attributed says which). Each running handler holds one OS
//     thread: a few hundred concurrent invocations are a few hundred threads, far below Go's
//     10,000-thread limit. Without CPUModel the handler runs at the host's speed whatever its
//     memory.
//
// Time comes from the emulator's clock (sim.Env.Clock): idle reclaim, timeouts, the scaling
// rate's refill and asynchronous retries' backoff all run on it, so a test with a sim.Fake
// advances past a 15-minute timeout without waiting.
//
// Other services invoke functions through sim.Env.Call ("lambda" or a function ARN, operation
// "Invoke"); Service.Call documents its JSON input and output, which are the members of Lambda's
// Invoke request and what Step Functions' lambda:invoke task returns. Resources are identified
// as "lambda:<function name>" in metrics, faults, traces and the dashboard.
//   - Asynchronous (Event) invocations: an internal queue (modelled dwell time), function errors
//     retried MaximumRetryAttempts times (2 by default, after about 1 and 2 minutes: see
//     Options.AsyncRetryDelays), throttles retried with backoff until MaximumEventAgeInSeconds,
//     then the OnFailure destination of an AWS::Lambda::EventInvokeConfig and the function's
//     DeadLetterConfig queue (both, when both are set); a success goes to OnSuccess.
//     Destinations may be SQS queues, Lambda functions or EventBridge buses (an invocation
//     record; to a bus as "Lambda Function Invocation Result - Success/Failure" events); the
//     dead-letter queue gets the original event with RequestID, ErrorCode and ErrorMessage
//     attributes. SNS and S3 destinations are refused at provisioning.
//
// The wire API (Invoke, ListFunctions, GetFunction, GetFunctionConfiguration and
// GetFunctionConcurrency) speaks Lambda's REST-JSON protocol, so the SDK's lambda client and the
// AWS CLI work against it. A FunctionName outside the documented pattern or longer than 170
// characters is a 400 ValidationException; a well-formed one that names no function a 404
// ResourceNotFoundException, as is a version or alias other than $LATEST (in the name or as
// ?Qualifier=), since there are none. Other operations under /2015-03-31/functions (CreateFunction,
// DeleteFunction …) answer InvalidRequestContentException naming what is supported.
//
// Limitations: no versions, aliases or provisioned concurrency; no layers, container images,
// SnapStart, function URLs, or event source mappings (later issues add SQS); OnSuccess destinations
// and destinations other than Lambda functions are rejected; a panicking handler is reported as
// Runtime.ExitError and its environment discarded; the per-function request-rate cap (10 x
// concurrency) is not modelled; memory size is not enforced (a handler may use more); the CPU model
// (when on) takes the host's CPU as Lambda's vCPU (an arm64 Graviton vCPU and a laptop core are
// not the same speed), cannot make a run faster than the host ran it (a busy host's slowness
// stays in the duration), does not model init code's CPU, shows no more parallelism than the
// host's cores, counts the Go runtime's GC work (assists, sweeping) against whichever goroutine
// allocates (so the emulator's own garbage can land on a handler), and off Linux, without
// per-thread CPU clocks, takes the handler goroutine's busy wall time as its CPU time.
package lambda
