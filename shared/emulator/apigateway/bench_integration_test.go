package apigateway_test

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkSQSThroughTemplates is a REST request through a request template into SQS
// SendMessage (the real emulated SQS, in process) and back through a response template, with
// the zero latency model: what the emulator itself costs per request. p50-µs and p99-µs are
// the per-request wall times.
func BenchmarkSQSThroughTemplates(b *testing.B) {
	st := newOrdersStack(b, nil)
	url := "http://emulator.internal" + st.base + "/jobs"
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		rec := do(b, st.svc, http.MethodPost, url, `{"bake": "bread", "loaves": 12}`,
			"Content-Type", "application/json", "Idempotency-Key", "k-1")
		times = append(times, time.Since(start))
		if rec.Code != http.StatusAccepted {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
	reportPercentiles(b, times)
}

// BenchmarkStartSyncExecutionThroughTemplates is POST /orders: validation against the model,
// the request template, a fake Step Functions and the branching response template.
func BenchmarkStartSyncExecutionThroughTemplates(b *testing.B) {
	st := newOrdersStack(b, nil)
	url := "http://emulator.internal" + st.base + "/orders"
	var times []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		rec := do(b, st.svc, http.MethodPost, url, validOrder, "Content-Type", "application/json")
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
	reportPercentiles(b, times)
}

func reportPercentiles(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	at := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(p*float64(len(times))))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}
