package apigateway_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// BenchmarkSQSThroughTemplates is a REST request through a request template into SQS
// SendMessage (the real emulated SQS, in process) and back through a response template, with
// the zero latency model: what the emulator itself costs per request. p50-µs and p99-µs are
// the per-request wall times, with the garbage collector set as the emulator's commands set it
// (sim.TuneGC; GOGC=100 in the environment measures Go's default instead).
func BenchmarkSQSThroughTemplates(b *testing.B) {
	b.Cleanup(sim.TuneGC()) // the collector as the emulator's commands run it
	st := newOrdersStack(b, nil)
	url := "http://emulator.internal" + st.base + "/jobs"
	times := make([]time.Duration, 0, 100_000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%1000 == 999 {
			// A consumer keeps a real queue short; without one, the collector would scan a
			// backlog of every message sent so far and the tail would measure that backlog.
			st.sqs.Model().Empty()
		}
		req, rec := request(http.MethodPost, url, `{"bake": "bread", "loaves": 12}`,
			"Content-Type", "application/json", "Idempotency-Key", "k-1")
		start := time.Now()
		st.svc.ServeHTTP(rec, req)
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
	b.Cleanup(sim.TuneGC())
	st := newOrdersStack(b, nil)
	url := "http://emulator.internal" + st.base + "/orders"
	times := make([]time.Duration, 0, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		req, rec := request(http.MethodPost, url, validOrder, "Content-Type", "application/json")
		start := time.Now()
		st.svc.ServeHTTP(rec, req)
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
	reportPercentiles(b, times)
}

// request builds a request and its recorder outside the timed part: the client's cost of
// writing a request is not the emulator's.
func request(method, url, body string, header ...string) (*http.Request, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	return req, httptest.NewRecorder()
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
