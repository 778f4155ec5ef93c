// Package model is the state and behaviour of the emulated Amazon SQS, without net/http: queues
// (standard and FIFO), their attributes and tags, messages with visibility timeouts, delays,
// retention, long polling, dead-letter queues and redrive, and message move tasks. Every time
// comes from the Options.Clock, so tests drive a 30-second visibility timeout with a sim.Fake.
//
// The wire protocols live in the parent package sqs; Lambda event source mappings call Receive,
// Delete, ChangeVisibility, Notify and Stats directly.
//
// Semantics and limits, from the SQS documentation:
//   - Visibility timeout 0 s–12 h (default 30 s), per queue, per receive and per message
//     (ChangeMessageVisibility), never more than 12 h after the receive:
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
//   - Delay 0–15 min per queue and per message (standard queues only):
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
//   - Retention 60 s–14 days (default 4 days); expired messages disappear:
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
//   - Messages and whole batches up to 1 MiB (1,048,576 bytes, since August 2025; body plus
//     message attributes' names, types and values), MaximumMessageSize 1 KiB–1 MiB, default 1 MiB:
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
//   - Batches of 1–10 entries with distinct ids of up to 80 alphanumerics, hyphens and
//     underscores; up to 10 message attributes:
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
//   - MD5OfMessageBody and MD5OfMessageAttributes as AWS computes them:
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
//   - Dead-letter queues: a message received maxReceiveCount times moves to the dead-letter
//     queue at the next receive attempt; RedriveAllowPolicy allowAll, denyAll or byQueue:
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
//   - 120,000 messages in flight per queue: OverLimit for standard queues, an empty answer for
//     FIFO ones: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
//   - FIFO: MessageGroupId required, order within a group, a group blocked while any of its
//     messages is in flight, deduplication by MessageDeduplicationId or the SHA-256 of the body
//     for 5 minutes (per queue or per group with DeduplicationScope messageGroup):
//     https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
//   - PurgeQueue once per 60 s; a deleted queue's name is reusable after 60 s.
//
// Limitations: one lock serves the whole model (fine for an emulator's load, not for many
// cores). Standard queues deliver every visible message (no sampling of servers, no duplicate
// deliveries) in roughly send order. ReceiveRequestAttemptId, FifoThroughputLimit, the queue
// Policy, KMS settings and AddPermission/RemovePermission are stored or ignored, never enforced.
// Fair queues (MessageGroupId on standard queues) only carry the group id. A purge deletes at
// once rather than over 60 seconds. Move tasks without a rate move everything at once; moved
// messages keep their message id. A message moved to a dead-letter queue keeps its receive
// count; one redriven out of it starts again from zero. Notify does not fire by itself when a
// delay or visibility timeout runs out (Receive's long poll does wake then).
package model
