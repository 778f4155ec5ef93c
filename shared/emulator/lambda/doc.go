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
//     provided.* runtimes. Function.CPUShare says what vCPU share the memory buys (1,769 MB = 1
//     vCPU); nothing enforces it: the handler code runs on the host's CPU.
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
// AWS CLI work against it.
//
// Limitations: no versions, aliases or provisioned concurrency; no layers, container images,
// SnapStart, function URLs, or event source mappings (later issues add SQS); OnSuccess destinations
// and destinations other than Lambda functions are rejected; a panicking handler is reported as
// Runtime.ExitError and its environment discarded; the per-function request-rate cap (10 x
// concurrency) is not modelled; CPU share and memory are not enforced.
package lambda
