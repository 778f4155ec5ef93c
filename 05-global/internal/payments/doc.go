// Package payments is the payment-worker function: it takes payment requests from the payment
// queue in batches, charges each one at the card provider with the order id as the idempotency
// key, and answers the waiting OrderLifecycle execution through its task token.
//
// A charge the provider approves ends the task with SendTaskSuccess; a decline ends it with
// SendTaskFailure (error Payment.Declined), which the workflow catches. A provider that is busy,
// slow or down is not the workflow's problem: the record is reported as a batch item failure,
// comes back after the queue's visibility timeout and, after the queue's maxReceiveCount, waits in
// the dead-letter queue for a redrive. Retries never charge twice because the idempotency key is
// the order id. A charge that succeeds after its execution gave up (the task timed out) is
// announced as PaymentOrphaned, for the refund-reconciler.
//
// Limitations: the provider has no lookup or refund API (see shared/payment), so an orphaned
// charge is reported, not refunded, here; records are charged in parallel up to the batch size,
// and the stack sizes the event source mapping's MaximumConcurrency so that the product stays
// within the provider's capacity.
package payments
