// Package loadgen drives the same order traffic at every stage of Emily's Pastries and measures
// what a customer feels (latency, failures, abandonment), what the business loses (lost orders,
// cost per 1,000 orders) and writes it as one JSON Result per (stage, profile).
//
// # Profiles
//
// A Profile is data: the embedded files profiles/*.json, described in profiles/README.md. Each has
// a piecewise-linear rate curve in orders per second ([t_s, rps] points), a duration, the
// customers' patience, the grace period for async orders and the order mix (items per order,
// quantities, pickup window, and the share of orders going to a few popular stores and items, so
// that hot keys exist). The shipped profiles are smoke, steady, morning-rush and holiday-spike
// (40× the steady rate); [LoadProfile] returns one, [Profiles] lists them, [ParseProfile] reads a
// custom one. Config.Scale multiplies the rate curve; Config.Seed makes the order mix repeatable.
// Orders come from the 60 stores and the menu of package bakery.
//
// # The runner
//
// [Run] is an open model: arrival k is due when the integral of the rate curve reaches k + ½, and
// it is sent then whether or not earlier requests have finished; there is no worker pool to
// saturate. Latency is measured from the intended send time, not from when the request left, so a
// stall that delays sending still shows up in full (no coordinated omission). Percentiles come
// from HDR histograms (1 µs to 1 h, 3 significant digits; 2 per timeline second).
//
// Every request goes to POST {BaseURL}/orders through the caller's *http.Client: the emulator's
// in-process transport or a real HTTPS URL, with the same code. Each offered order is counted once
// in Outcomes:
//
//	ok                   2xx
//	sold_out             409: a business refusal, not a failure
//	rejected_4xx         any other 4xx
//	throttled_429        429
//	server_5xx           5xx except 504, transport errors and unexpected codes (kept as samples in Errors)
//	gateway_timeout_504  504
//	abandoned            no answer within the customer's patience
//
// failure_rate is (rejected_4xx + throttled_429 + server_5xx + gateway_timeout_504) / offered;
// abandonment_rate is abandoned / offered. An abandoned customer counts with their patience as
// latency. Their request is not cancelled: its answer, when it comes, is counted in late_answers
// (and late_latency_ms). After the last arrival the run waits for stragglers until the last
// customer's patience has run out plus Config.Drain; requests still unanswered then are cancelled
// and counted as late_answers.unanswered.
//
// # Tracking and reconciliation
//
// When a 2xx answer's "status" is not terminal (Tracking.Terminal; by default paid, ready,
// picked-up and failed), the order is followed with GET {BaseURL}/orders/{order_id}, backing off
// from 200 ms to 1 s, until it is terminal; its end-to-end time runs from the intended send time to
// the poll that saw it terminal, so it is late by up to one poll interval. An order not terminal
// within the profile's grace period of its send time is lost, and a few appear in lost_sample with
// the last status seen. At the end accepted = completed + lost + pending (pending only when a
// cancelled run stopped tracking early). Accepted orders are the 2xx answers customers saw: a late
// 2xx, after the customer left, is not tracked. When every answer is already terminal, as in a
// stage where payment happens by phone and "pending-payment" is added to Terminal, nothing is
// polled and end_to_end_ms is null; otherwise it covers every completed order, those terminal at
// once with their POST latency.
//
// # Following orders over their status channels
//
// With Tracking.Events set (an AppSync Events real-time URL and API key, see [EventsConfig]), an
// accepted order whose answer names a "channel" is followed as the customer's phone follows it:
// by subscribing to that channel over the Event API's WebSocket protocol
// (https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html) instead
// of polling, which at a rush would itself be throttled by the API. The subscription is sent as
// soon as the 201 arrives, since an event published before it is not delivered. Connections
// offer the subprotocols "aws-appsync-event-ws" and "header-<base64url {host, x-api-key}>", send
// connection_init and wait for connection_ack; they are pooled, each holding up to
// EventsConfig.MaxSubscriptions (100, AppSync's default quota) and fewer if the service answers
// MaxSubscriptionsReachedError; a connection silent for longer than the ack's
// connectionTimeoutMs ("ka" keep-alives count) is closed. Each "data" message's event is read as
// JSON {"status", "at"}; a milestone's time is the event's "at" (or "<status>_at"), and when that
// time has whole seconds, as EventBridge's event time does, the arrival time within that second.
// A terminal event ends the order; the subscription ends with it (unsubscribe) unless an expected
// status has not come yet, which it awaits until the grace ends (EventBridge does not promise
// order: ready may overtake preparing). If no terminal event has come shortly before the
// grace ends (a tenth of it, at most 2 s), one GET {BaseURL}/orders/{order_id} reconciles it: a
// terminal answer completes the order (events.reconciled); otherwise a terminal event may still
// come until the grace ends, and the order is lost if none does. An expected event counts as
// missed only if it has not come by the end of the grace. One GET also
// reads a milestone whose event was missed, or a failed order's reason. When a connection drops,
// its orders subscribe again on another; when subscribing fails, the order is polled
// (events.polled), as are answers without a channel. The result's "events" counts orders
// subscribed, events received, expected statuses missed (the terminal one, the milestones before
// it in Tracking.Milestones, and any milestone a GET showed) and orders with gaps.
//
// Cancelling Run's context stops the arrivals, waits for the answers in flight up to the
// customers' patience, stops tracking and returns the partial result with Partial set.
//
// # Regions and failover
//
// With Config.Regions (region → API base URL), each order goes to POST {its store's home
// region}/orders (bakery.Store.Region) and is followed, by polling or by its status channel
// (Tracking.RegionEvents), in the region that accepted it. Config.Failover models how the store
// apps find a healthy region when theirs is down, as with Route 53 failover records and health
// checks (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html):
// one health checker per region sends GET {region}{Failover.Path} (default /menu) Interval after
// the previous check was answered, and a check fails without a 2xx or 3xx within 6 s (4 s to
// connect, 2 s to answer); a region is marked unhealthy after Threshold consecutive failed
// checks and healthy again after Threshold passing ones, and starts healthy. Each store's app
// resolves its record (the home region while it is healthy, else the other region) and keeps
// the answer for TTL. Orders sent to a region that does not answer fail and are counted (they
// are not lost: lost means accepted and never final); the client does not retry them. The
// result's "regions" section has, per region, the orders its stores placed (home_orders), sent
// there, accepted, failed with their reasons, split into failed before detection (the health
// check still said healthy) and after it (a cached answer still named the region), failed over
// in and out, the health checks sent and failed, and each status change with its time and, for
// a region going unhealthy, the detection time from the first failure seen (a failed check, or
// an order answered with a 5xx or not at all).
//
// After the run (after Config.After, so that the emulator's meters do not count them), every
// order a customer saw accepted, late answers included, is read back with GET /orders/{id} in
// every region, eight reads at a time; orders whose regions disagree (another status, missing,
// or no usable answer) are read again every second until they agree or Config.ReconcileWait
// (default 30 s) has passed. regions.reconciliation counts the orders checked, agreed and
// disagreed, with a few examples.
//
// Limitations of the failover model: one health checker per region where Route 53 runs several
// from different locations and takes the status most of them report; every store's app
// resolves on its own, with no resolver shared between stores and no resolver that ignores the
// TTL; with every region unhealthy, the home region is answered; the follow-up of an accepted
// order stays in its region even while it is down (it polls on until the grace ends); the
// clients never retry a failed order in another region by themselves.
//
// # Progress
//
// With Config.Progress set, Run keeps one line on it up to date, rewritten in place with \r four
// times a second: elapsed and total time, orders offered, the current rate, p99 so far, failures
// and abandonments so far, and the orders still being tracked.
//
// # Results
//
// [WriteFile] writes a Result as indented JSON, [ReadFile] reads it back, [Summary] prints it as a
// small table. The JSON field names are stable. One bucket of the timeline is one second of
// intended send time. Lambda and Cost come from the emulator through Config.After; they stay null
// against a deployed URL.
//
// # Cost model
//
// [Estimate] prices a [Usage] (counters the emulator meters: API Gateway REST and HTTP API
// requests, Lambda requests and GB-seconds on arm64 and x86_64, DynamoDB on-demand read and write
// request units, SQS requests, EventBridge events, Pipes requests, Step Functions Standard
// transitions, Express requests and GB-hours, AppSync Events operations) with the embedded
// prices.json: us-east-1 on-demand list prices, each with its source and the table's date
// ([Prices] returns them). It uses the first pricing tier and ignores free tiers, which suits runs
// far below a month's volume; Express GB-hours must already be rounded as AWS bills them (100 ms,
// 64 MB). [Result.SetCost] records the estimate and divides it by the offered orders: every
// offered order costs, whatever its outcome, and every stage is offered the same orders.
//
// Limitations: status channels need API_KEY authorization (no IAM, Cognito, OIDC or Lambda
// authorizers); events are expected as JSON objects with a "status" (and an optional "at" or
// "<status>_at"); only one subscription per order, so an event published during a reconnection
// is missed (and counted) rather than replayed; the WebSockets are dialled with EventsConfig's
// HTTP client, so the emulator's in-process transport cannot carry them and the emulator must
// listen; a connection is only replaced once it has dropped, never renewed ahead of time.
package loadgen
