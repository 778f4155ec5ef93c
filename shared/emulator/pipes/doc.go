// Package pipes emulates Amazon EventBridge Pipes for the offline emulator: pipes from an Amazon
// SQS queue through optional filtering and enrichment to a target, the Pipes REST API
// (CreatePipe, DescribePipe, ListPipes, UpdatePipe, StartPipe, StopPipe, DeletePipe on
// /v1/pipes/{Name}) and the CloudFormation type AWS::Pipes::Pipe.
//
// A running pipe's pollers (package sqspoll's, shared with Lambda's event source mappings)
// long-poll the source queue through Env.Call (ReceiveMessage with WaitTimeSeconds 20,
// DeleteMessageBatch), gather a batch (BatchSize 1–10,000, default 10, and
// MaximumBatchingWindowInSeconds 0–300), and run each batch as one execution, timed by
// Env.Begin on the resource "pipes:<name>" with the latency component ComponentDeliver
// ("pipes.deliver") or, when the model lacks it, ComponentSQS ("pipes.sqs"). Every other
// service is reached through Env.Call with the JSON of its API: Lambda Invoke, Step Functions
// StartSyncExecution and StartExecution, SQS SendMessageBatch, EventBridge PutEvents and
// InvokeApiDestination.
//
// What is modelled, from the EventBridge user guide's Pipes pages:
//   - eb-pipes-sqs.html: records in the shape of its example events (messageId,
//     receiptHandle, body, attributes, messageAttributes, md5OfBody, eventSource "aws:sqs",
//     eventSourceARN, awsRegion); five batches at once per pipe; a failed batch is not deleted,
//     so it returns after the queue's visibility timeout and the source queue's redrive policy
//     moves it to its dead-letter queue; the success and failure conditions of
//     batchItemFailures.
//   - eb-pipes-event-filtering.html: FilterCriteria (at most 5 patterns) in EventBridge's
//     pattern language, evaluated on the record with a JSON body parsed in place; messages
//     that match no filter are deleted and never reach the enrichment or target.
//   - eb-pipes.html: enrichment by a Lambda function, an Express state machine or an API
//     destination, invoked synchronously; an empty answer ("", {}, [], null) skips the target;
//     an array answer is the target's batch; API destination enrichments take batches of 1;
//     DesiredState RUNNING or STOPPED; Lambda and Step Functions targets with InvocationType
//     REQUEST_RESPONSE (default) or FIRE_AND_FORGET.
//   - eb-pipes-batching-concurrency.html: Lambda and Step Functions receive the whole batch
//     as one JSON array, cut into executions whose array stays within the payload limit of the
//     enrichment and target (262,144 characters when either is a state machine, else 6 MB); SQS queues and event buses take at most 10 events per batch through
//     their batch APIs (a larger source batch size is refused at creation); input templates
//     apply to each event; partial batch failure from SQS and event bus failed entries and
//     from Lambda and Step Functions batchItemFailures; an execution lasts at most 5 minutes.
//   - eb-pipes-input-transformation.html: InputTemplate with <$.path> placeholders (dot names,
//     [n], * and [*]) and the reserved variables <aws.pipes.pipe-arn>, <aws.pipes.pipe-name>,
//     <aws.pipes.source-arn>, <aws.pipes.enrichment-arn>, <aws.pipes.target-arn>,
//     <aws.pipes.event.ingestion-time>, <aws.pipes.event> and <aws.pipes.event.json>; see
//     Template for how values are quoted.
//   - eb-pipes-event-target.html: dynamic "$." values in SqsQueueParameters,
//     EventBridgeEventBusParameters and HttpParameters.
//   - eb-pipes-monitoring.html: counters per pipe under the metrics resource ("pipes", name):
//     Invocations, EventCount (after filtering), ExecutionFailed, ExecutionThrottled,
//     ExecutionTimeout, ExecutionPartiallyFailed, EnrichmentStageFailed, TargetStageFailed.
//
// CreatePipe, UpdatePipe, StartPipe, StopPipe and DeletePipe answer with the transitional state
// (CREATING, UPDATING, STARTING, STOPPING, DELETING) and the emulator completes the transition
// at once, so DescribePipe shows RUNNING, STOPPED or the pipe gone. A source queue that does not
// exist leaves the pipe CREATE_FAILED with a StateReason, as AWS's asynchronous check does.
// Errors have the REST-JSON shape the SDK reads: X-Amzn-ErrorType ValidationException (400,
// with fieldList), NotFoundException (404) or ConflictException (409).
//
// Limitations:
//   - Sources other than SQS (Kinesis, DynamoDB Streams, Amazon MQ, Kafka) and targets or
//     enrichments other than SQS, Lambda, Step Functions, event buses and API destinations
//     (API Gateway, SNS, Kinesis, Firehose, CloudWatch Logs, ECS, Batch, Redshift, SageMaker,
//     Timestream) are refused with a ValidationException.
//   - Scaling is a fixed number of pollers per pipe (Options.Pollers, default 5); the
//     documented growth of 60 more per minute up to 1,250 is not modelled, nor the gradual
//     back-off after customer errors or the automatic stop after continuous 4xx errors.
//   - FIFO sources are polled like standard ones; ordering within a message group comes from
//     the queue, which keeps one batch of a group in flight.
//   - API destinations: the emulator's EventBridge has no InvokeApiDestination operation yet;
//     until it has, the pipe reads the destination and connection with DescribeApiDestination
//     and DescribeConnection (which the emulator's EventBridge does not answer either, so API
//     destination enrichments and targets fail there) and calls the endpoint itself with
//     Options.HTTPClient, without the destination's rate limit. AWS's DescribeConnection
//     hides secrets, so the direct call sends an API key or password only if the answer has
//     them.
//   - A STANDARD state machine as enrichment or REQUEST_RESPONSE target is not detected at
//     creation; its StartSyncExecution fails at run time instead of stopping the pipe.
//   - The event bus entry defaults (source "Pipe <name>", detail-type "Event from aws:sqs")
//     are what AWS sends but are not documented.
//   - Quoting inside a quoted string of a JSON template writes strings escaped and objects with
//     their quotes removed (as EventBridge's InputTransformer does); the guide does not spell
//     this case out.
//   - Tag operations (/tags/{arn}), LogConfiguration, KmsKeyIdentifier and the execution role
//     are accepted and not acted on; ValidationException messages for ranges follow the
//     service's schema wording, the others are the emulator's own.
package pipes
