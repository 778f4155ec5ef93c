// Package payment is the external card-payment provider that every stage from 02-split on calls:
// a third-party API with a fixed capacity, whose latency grows with load the way a real
// provider's does. It is not an AWS service.
//
// The Provider is the behaviour without HTTP. Capacity workers each process one charge at a
// time; a charge that finds them all busy waits in a first-come-first-served queue of at most
// QueueLimit charges, and is turned away (*BusyError, 503 with Retry-After) when the queue is
// full or when it has waited QueueTimeout. Once a worker takes a charge it spends the charge's
// ServiceTime and decides: the card is declined for a fixed share of customers, chosen by their
// email address so the same customer is always declined (ApprovedTestEmail never is,
// DeclinedTestEmail always is). A caller who gives up while queued drops the charge; a caller who
// gives up once a worker has it does not stop it (the provider cannot know): the charge
// completes and counts as orphaned. A charge with an Idempotency-Key seen before returns
// the first answer without charging again; without a key every call charges, and a second
// successful charge for the same order_id counts in Stats.DuplicateCharges: retries without
// idempotency take money twice.
//
// Handler serves the wire API, POST /v1/charges and GET /v1/stats, in JSON shaped like common
// card providers' APIs; Client calls it with typed errors and no retries of its own.
//
// Offline, the emulator serves Handler for requests whose host is InternalHost ("payment.internal")
// in-process, and implements ServiceTime with its latency model component "payment.charge"
// (median 300 ms, p99 1200 ms; its "payment" fault can add latency or fail the Spend), so
// handlers reach the provider through the aws.Config HTTPClient they already have:
//
//	c := payment.NewClient("http://"+payment.InternalHost, cfg.HTTPClient)
//	ch, err := c.Charge(ctx, payment.ChargeRequest{OrderID: id, Amount: 1234, Currency: "GBP",
//		CustomerEmail: email}, "charge-"+id)
//
// On AWS the same Provider runs as a Lambda function behind a function URL (package
// shared/payment/lambda), with Lognormal as its ServiceTime: the one place in the project that
// waits on purpose, because it imitates somebody else's server.
//
// Limitations: idempotency keys, the set of paid orders and the statistics live in memory for
// the provider's lifetime (keys never expire, and a long run holds one entry per key and per
// order); a key's first request is compared field by field with later ones and a different
// request is refused, as card providers do, but keys are not scoped per merchant; declines depend
// only on the email address (no card numbers, no 3-D Secure, no fraud rules); charges are
// captured at once (no authorise-then-capture, refunds or disputes); only common ISO 4217
// currencies are accepted; Retry-After is a fixed advice (Config.RetryAfter), not an estimate of
// the queue. On AWS each execution environment is its own provider with capacity 1, so Lambda's
// 429 throttle at the reserved concurrency replaces the queue (no waiting, no QueueTimeout), and
// idempotency keys, duplicate detection and /v1/stats are per execution environment: a retry
// that lands on another environment charges again.
package payment
