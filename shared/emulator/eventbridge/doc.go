// Package eventbridge emulates Amazon EventBridge for the offline emulator: event buses, rules
// with event patterns and rate schedules, targets (Lambda, SQS, Step Functions, another bus, API
// destinations) with Input, InputPath and InputTransformer, per-target retry policies and
// dead-letter queues, archives and replay, and the CloudFormation types AWS::Events::EventBus,
// Rule, Archive, Connection and ApiDestination.
//
// The wire API is the AWS JSON 1.1 protocol (X-Amz-Target "AWSEvents.<Op>") and the same
// operations are reachable in process through Env.Call("events", op, body), which is how Step
// Functions' events:putEvents task publishes. Patterns are compiled by the pattern package and
// inputs shaped by the transform package.
//
// Delivery is asynchronous: PutEvents answers once the events are accepted, then every enabled
// rule of the bus whose pattern matches gets the event, and each target of the rule is invoked
// in its own goroutine. The hop from ingestion to the first attempt waits the latency
// component ComponentDeliver ("eventbridge.delivery"); PutEvents itself waits ComponentPut
// ("eventbridge.PutEvents"); either is skipped when the latency model lacks it. Retries follow the
// target's RetryPolicy (default 185 retries, 24 hours) with exponential backoff and jitter on
// the emulator's clock; when retries are exhausted, or at once for errors that retrying cannot
// fix (a target that does not exist, a bad parameter, an API destination's 4xx other than
// 429), the original event goes to the target's dead-letter queue with the message attributes
// RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION and
// RETRY_ATTEMPTS, or is dropped and counted (Service.Dropped). Counters per rule, under the
// metrics resource ("events", "<bus>/<rule>"): MatchedEvents, TriggeredRules, Invocations,
// FailedInvocations, DeadLetterInvocations, InvocationsFailedToBeSentToDLQ,
// InvocationAttempts; the rule's duration histogram is IngestionToInvocationStartLatency.
//
// Documented facts this package follows: PutEvents takes 1–10 entries and at most 1 MiB of
// entry data per request (raised from 256 KB on 2026-01-29, AWS Compute Blog "serverless
// services now support payloads up to 1 MB"; the size is counted as eb-putevent-size.html
// describes); per-entry failures are answered in Entries with ErrorCode InvalidArgument or
// MalformedDetail, not as an exception; a rule has at most 5 targets; DeleteRule refuses a
// rule that still has targets; a rule's Ref in CloudFormation is its name on the default bus
// and "<bus>|<rule>" on a custom bus (cloudformation-coverage-roadmap#1131), with GetAtt Arn.
//
// Limitations:
//   - cron() schedules are accepted and stored but never fire; rate() schedules fire on the
//     emulator's clock.
//   - Targets other than Lambda, SQS, Step Functions, event buses and API destinations are
//     refused by PutTargets (FailedEntries) and by CloudFormation.
//   - Connections support API_KEY and BASIC authorization only (no OAuth); there are no
//     Connection or ApiDestination API operations, only CloudFormation. Secrets are kept in
//     the emulator, not in Secrets Manager.
//   - The backoff schedule is the emulator's choice (1 s doubling to a 10-minute cap, equal
//     jitter); AWS documents only "exponential back off and jitter". The mapping of errors to
//     ERROR_CODE values is the emulator's reading of the documented list.
//   - Event bus policies, permissions, IAM roles, KMS, partner event buses (a bus name with
//     "/" is refused, as for custom buses) and global endpoints, UpdateArchive and archive
//     SizeBytes are not modelled; archived events never expire before a replay reads them
//     beyond RetentionDays.
//   - Tags: rules and event buses keep them (PutRule on creation only, CreateEventBus,
//     CloudFormation, TagResource, UntagResource, ListTagsForResource), at most 50; AWS does
//     not document the error for the 51st, and the emulator answers ValidationException.
//   - The exact wording of some error messages (TestEventPattern's invalid event, unknown
//     buses in PutEvents) is not documented; the emulator's own is used.
//   - The 5-second timeout of an API destination request runs on the wall clock (it bounds real
//     network I/O); every other time comes from the emulator's clock.
//   - Replay re-delivers as fast as the targets take the events, not at the original pace.
//   - An API destination's InvocationRateLimitPerSecond spaces its calls evenly, one every
//     1/rate of a second on the emulator's clock with no burst, and an event (a pipe's too)
//     waits for its slot in arrival order however long that takes: AWS documents only that
//     events beyond the rate may miss the 24-hour retry window (DescribeApiDestination's
//     InvocationRateLimitPerSecond), not how it holds them back, so the wait is neither a retry
//     nor cut short by MaximumEventAgeInSeconds.
package eventbridge
