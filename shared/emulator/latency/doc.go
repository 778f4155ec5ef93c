// Package latency is the emulator's latency model: one entry per component (an API Gateway hop, a
// Lambda invoke, a DynamoDB call, a cold start, …), each a lognormal distribution fitted to a
// median and a p99, with an optional rare tail, and each with its source and a tag saying whether
// the figure is AWS's, an independent measurement, or an estimate.
//
// The model lives in a data file (model.json, embedded) so that every number can be read, traced to
// its source and changed without touching code. Default returns it; Zero returns a model in which
// every component takes no time, for tests and benchmarks of the emulator's own overhead.
//
// Sampling is seeded, and each component draws from its own stream: the n-th sample of a
// component (the n-th payment charge, the n-th cold start) is the same in two runs with the same
// seed, whatever the other components drew in between. Which request is the n-th still depends on
// goroutine scheduling, so two runs are alike, not identical.
//
// Limitations: components are independent (no correlation between hops of one request), and a
// component's latency does not grow with load; load-dependent latency comes from the mechanisms that
// the services model (concurrency limits, queues, throttling, the payment provider's capacity).
package latency
