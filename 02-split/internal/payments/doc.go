// Package payments is the payment function of 2021: the only code that talks to the card-payment
// provider (package shared/payment, a third party with a fixed capacity). The order function
// invokes it synchronously (Lambda Invoke, RequestResponse) with an order's total; it charges the
// customer's card with the order id as the idempotency key and answers charged, declined or busy.
//
// The idempotency key matters because every hop before the provider can run twice: the Lambda
// client retries an invocation that was throttled or lost in transit, and the provider then sees
// the same order again. With the key it answers the first charge instead of taking the money twice.
//
// The function waits for the provider at most PAYMENT_PROVIDER_TIMEOUT, and never past its own
// deadline: Lambda's context carries the function timeout, and the client timeout is derived from
// it (see New).
package payments
