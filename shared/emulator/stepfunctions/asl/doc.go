// Package asl interprets Amazon States Language state machines
// (https://states-language.net/spec.html) the way AWS Step Functions runs them, as a pure
// library for the emulator's Step Functions service: no HTTP, no storage.
//
// Parse validates a definition and answers problems with the messages CreateStateMachine
// returns as InvalidDefinition (a *DefinitionError). Machine.Start runs an execution in its
// own goroutine and Machine.Run waits for it. RunOptions supplies the context object's
// identities, the Tasks that do the work of Task states, the Clock that Wait states, Retry
// intervals and timeouts take their time from, a Listener that receives every history event
// (GetExecutionHistory's types and fields), an OnState hook called for every state visit on
// the goroutine that runs it and outside any lock (where the service spends a transition's
// latency and opens the state's trace span; the context it returns is the parent of the
// visit's Tasks.Invoke context), and the TaskTokens registry through which
// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat reach tasks that wait for a token.
//
// Both query languages are supported: JSONPath (InputPath, Parameters, ResultSelector,
// ResultPath, OutputPath, intrinsic functions, through the jsonpath package) and JSONata (Arguments, Output, Assign,
// Condition, Items, ItemSelector and "{% %}" expressions with $states), with workflow
// variables scoped as AWS scopes them: Parallel branches and Map iterations read outer
// variables and cannot assign them. JSONata is evaluated by github.com/blues/jsonata-go, with
// Step Functions' $partition, $range, $hash, $random, $uuid and $parse registered in that
// library's package-level registry.
//
// Limitations:
//   - Map's ItemReader and ResultWriter (distributed Map reading S3) are not supported; a
//     Map with an ItemReader fails with States.ItemReaderFailed. A DISTRIBUTED Map runs its
//     items like an inline Map (with ItemBatcher, tolerated failures and Label) and emits
//     MapState events, not MapRun events; failed iterations appear as {"Error","Cause"} in
//     its output.
//   - Every task emits Task* events: Lambda function ARNs and activities do not get the
//     LambdaFunction* or Activity* events AWS records for them. Activities wait on a token
//     like ".waitForTaskToken" tasks. ".sync" resources are left to Tasks.Invoke.
//   - JSONata's $now() and $millis() read the wall clock, not Clock. The library's evaluations
//     are serialised process-wide (it races on its shared built-in functions).
//   - A Task without TimeoutSeconds never times out (AWS's default is 99999999 s).
//   - Problem messages follow AWS's codes and shape; their wording is not byte-identical to
//     AWS's for every case.
//   - Payload size (256 KiB) is checked on the execution's input, task results, every state's
//     output and the execution output, whether or not a Listener is set.
//   - Most JSONata expressions are evaluated without the library: a variable and field names
//     ("$order.id", evalPath), literals and paths joined by "&" (evalConcat), and a subset of
//     the language that follows the library's evaluation step by step (jsonata_quick.go:
//     literals, paths, filters and indexes, objects, blocks and assignments, conditionals,
//     arithmetic, comparisons, and, or, "&", and $string, $number, $floor, $trim, $lowercase,
//     $substring, $hash, $sum, $count, $exists, $not, $lookup, $fromMillis, $toMillis, $now and
//     $millis). Each declines what it does not take and the library answers it, so the
//     library's answers stand, quirks included. One of them: jsonata-go answers a field that
//     holds null as undefined (an error here), where jsonata-js gives null. Another: it panics
//     on most filters over arrays of arrays, which is a States.QueryEvaluationError here.
//   - Redrive, versions and aliases, EvaluationFailed events and execution-level
//     Credentials are not modelled.
package asl
