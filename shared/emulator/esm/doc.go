// Package esm is Lambda's event source mappings for Amazon SQS: the pollers that read a queue,
// filter, batch and invoke a function synchronously, delete what succeeded and leave the rest to
// the queue's visibility timeout and redrive policy. It reaches SQS and Lambda only through
// sim.Env.Call (the JSON bodies of their APIs), so its calls are timed, faulted, measured and
// traced like any other. The pollers' SQS side (receiving a batch within the batching window,
// deleting what was handled, the loop) is package sqspoll, which EventBridge Pipes shares.
//
// What is modelled, from the Lambda developer guide (with-sqs.html, services-sqs-scaling.html,
// services-sqs-errorhandling.html, invocation-eventfiltering.html, services-sqs-parameters.html):
//   - AWS::Lambda::EventSourceMapping and the Lambda API's Create/Get/List/Update/Delete
//     EventSourceMapping on /2015-03-31/event-source-mappings/;
//   - BatchSize 1–10,000 (10 for FIFO queues), above 10 only with MaximumBatchingWindowInSeconds
//     ≥ 1; MaximumBatchingWindowInSeconds 0–300; a batch also ends at Lambda's 6 MB payload;
//   - FilterCriteria with EventBridge's pattern language, applied to each record with its body
//     parsed when it is JSON; records that match no filter are deleted, as AWS does;
//   - FunctionResponseTypes ReportBatchItemFailures: only the listed messages return to the
//     queue; a response that names an id not in the batch, or an empty id, fails the whole batch;
//   - on-demand scaling for standard queues: 5 concurrent batches at first, up to 300 more per
//     minute while messages wait, at most 1,250; ScalingConfig.MaximumConcurrency (2–1,000) caps
//     it; ProvisionedPollerConfig (MinimumPollers 2–200, MaximumPollers ≤ 2,000) scales about
//     1,000 per minute up to 20,000 and is exclusive with MaximumConcurrency. The talk's "1,500"
//     is the older figure; the docs' 1,250 wins here;
//   - a failed or throttled batch is not deleted: its messages come back after the queue's
//     visibility timeout with ApproximateReceiveCount raised, and the queue's redrive policy
//     moves them to the dead-letter queue after maxReceiveCount receives;
//   - creating a mapping whose function timeout exceeds the queue's visibility timeout is
//     refused with InvalidParameterValueException, as AWS refuses it.
//
// Limitations: SQS sources only (no Kinesis, DynamoDB Streams, Kafka, MQ); no
// DestinationConfig on the mapping (SQS sources do not support it on AWS either); no metrics
// config, tags or KMS key for filter criteria; FIFO queues are polled like standard ones except
// the batch limit (ordering within a group comes from the queue, which keeps one batch of a group
// in flight); the scale-down when the queue empties is immediate rather than gradual. In
// provisioned mode an emulated poller runs one batch at a time, so MaximumPollers caps the
// mapping's concurrent invocations; AWS sizes a poller by throughput (about 5 MB/s,
// https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html), not by
// invocations, and a real poller may keep more than one in flight.
package esm
