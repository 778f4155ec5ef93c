// Package stepfunctions is the emulated AWS Step Functions of the emulator: the AWS JSON 1.0
// API (X-Amz-Target AWSStepFunctions.*), Env.Call for the services that start executions
// (EventBridge targets, Pipes, API Gateway integrations), AWS::StepFunctions::StateMachine
// for CloudFormation, and the task integrations that reach Lambda, DynamoDB, SQS,
// EventBridge and Step Functions itself through Env.Call, so that their latency, limits and
// faults apply. The asl package interprets the definitions.
//
// STANDARD executions run asynchronously and keep their history (GetExecutionHistory,
// DescribeExecution, ListExecutions); EXPRESS executions run for at most five minutes, keep
// nothing, and answer StartSyncExecution with billingDetails (64 MB steps, 100 ms rounding).
// StartExecution is throttled by the account's token buckets (standard 1,300 burst refilled
// at 300/s, express 6,000 at 6,000/s) with ThrottlingException; standard state transitions
// take tokens from a 5,000 burst refilled at 1,500/s and wait when it is empty. Each state
// transition waits the latency model's "stepfunctions.<type>.transition" component and
// StartSyncExecution "stepfunctions.StartSyncExecution"; the waits are taken in the
// interpreter's per-state hook, so Parallel branches and Map iterations wait at the same time.
// An execution is a trace span on its state machine; each state visit is a span under it and a
// task's calls nest under its own visit's span.
//
// Integrations: arn:aws:states:::lambda:invoke (and .waitForTaskToken), bare Lambda function
// ARNs, dynamodb:getItem/putItem/updateItem/deleteItem, sqs:sendMessage (and
// .waitForTaskToken), events:putEvents (and .waitForTaskToken), states:startExecution (.sync,
// .sync:2, .waitForTaskToken) and aws-sdk:dynamodb, aws-sdk:sqs, aws-sdk:eventbridge,
// aws-sdk:lambda:invoke and aws-sdk:sfn.
//
// Limitations:
//   - Versions, aliases, redrive, activities, map runs, encryption and CloudWatch logging are
//     not modelled; logging and tracing configurations are stored and described, not acted
//     on. Tags (at creation, TagResource, UntagResource, ListTagsForResource) are kept per
//     state machine, at most 50; an activity's ARN answers ResourceNotFound.
//     DescribeStateMachineForExecution answers the version an execution started with.
//   - Other services' optimized integrations (SNS, ECS, Glue, Batch, Athena, HTTP tasks …) and
//     aws-sdk integrations of services the emulator lacks fail the task with
//     States.TaskFailed naming the resource.
//   - Express executions are not kept, so DescribeExecution and GetExecutionHistory answer
//     ExecutionDoesNotExist for them and ListExecutions StateMachineTypeNotSupported.
//   - Express billed memory is estimated from the definition and payload sizes (the first
//     64 MB step for any execution within the payload limits).
//   - TestState: variables, mocks and the context field are not supported; inspectionData
//     is recomputed from the state's fields (afterInputPath, afterParameters,
//     afterResultSelector, afterResultPath for JSONPath; afterArguments and result for
//     JSONata) and has no request/response details at TRACE.
//   - Execution names are unique per state machine for as long as the service runs (AWS
//     keeps closed executions for 90 days).
package stepfunctions
