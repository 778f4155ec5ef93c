package offline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cpupart"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// BenchOrders places orders through the whole stage in process with the zero latency model,
// one at a time, rotating over the 60 stores, and follows each to a final status: what an order
// costs the emulator, the stage's handlers and their SDK clients in CPU, with no modelled waiting.
// It reports CPU per order (user + system, the whole process: GC and every goroutine included),
// the calls the emulator counted per order (API requests, Lambda invocations, DynamoDB, SQS, …
// operations: every resource's invocations), CPU per such call, and the bytes and objects the
// process allocated per order (-benchmem's columns, every goroutine's), and how much of the CPU
// per order was the emulator's and how much the stage's handlers' (their code and SDK clients):
// emulator-cpu-ms/order and handler-cpu-ms/order, the CPU per order shared out as a CPU profile
// taken meanwhile splits it by cpupart's labels. The rest is the benchmark's own client, the
// collector's workers and the runtime. At 100 samples a CPU second the shares are rough below a
// second of CPU (BENCHTIME=1000x gives several seconds); under go test -cpuprofile they are not
// reported (one CPU profile at a time). Each stage's
// cmd/offline/bench_test.go calls it from its BenchmarkOrder; `make bench` runs them. It runs
// the collector as the offline commands do (sim.TuneGC; GOGC=100 in the environment measures
// Go's default). Its ns/op is wall time, which the zero model does not make CPU: a stage's own
// rate limits still space its calls (04's kitchen API destination takes 50 tickets a second, so
// 04 measures 20 ms an order there whatever its CPU; docs/emulator.md).
//
// It follows an order as the load tool does: where the stage answers a live status channel
// (04's "channel") and has an AppSync Event API, by subscribing to the channel over the
// emulator's loopback WebSocket with the load tool's client (loadgen.Subscriber) until a final
// status arrives; otherwise, or when none has come within followTimeout, by polling
// GET /orders/{id} (polls/order counts them).
func BenchOrders(b *testing.B, stage Stage) {
	b.Cleanup(sim.TuneGC())
	// The emulator's goroutines are labelled its own from the start (cpupart); this one then
	// places the orders as the client.
	cpupart.EnterEmulator()
	// The loopback port serves the status channels' WebSocket; the API calls stay in process
	// (HTTPClient), whatever host APIURL names.
	emu, err := emulator.New(stage.Stage, emulator.Options{Latency: latency.Zero(), Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emu.Close() })
	if err := emu.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx := cpupart.With(context.Background(), cpupart.Client)
	cpupart.Enter(ctx)
	var subscriber *loadgen.Subscriber
	if cfg := eventsTracking(emu); cfg != nil {
		if subscriber, err = loadgen.NewSubscriber(*cfg); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(subscriber.Close)
	}
	terminal := map[string]bool{}
	for _, s := range stage.Terminal {
		terminal[s] = true
	}
	stores := bakery.Stores()
	items := []string{"croissant", "cappuccino", "pain-au-chocolat", "espresso"}
	c := emu.HTTPClient()
	var polls, soldOut int
	place := func(i int) {
		body := fmt.Sprintf(`{"store_id":%q,"customer":{"name":"Ada Lovelace","email":"ada@example.com"},"items":[{"item_id":%q,"quantity":1}],"pickup_at":%q}`,
			stores[i%len(stores)].ID, items[(i/len(stores))%len(items)], time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		code, v := benchCall(ctx, b, c, http.MethodPost, emu.APIURL()+"/orders", body)
		if code == http.StatusConflict {
			soldOut++
			return
		}
		if code != http.StatusCreated {
			b.Fatalf("order %d: %d %v", i, code, v)
		}
		id, _ := v["order_id"].(string)
		if channel, _ := v["channel"].(string); subscriber != nil && channel != "" && !terminal[fmt.Sprint(v["status"])] {
			if benchFollow(ctx, b, subscriber, channel, terminal) {
				return
			}
		}
		for wait := time.Millisecond; !terminal[fmt.Sprint(v["status"])]; wait = min(2*wait, 50*time.Millisecond) {
			time.Sleep(wait) // the load tool's polling, shortened: the zero model has no waits to poll through
			polls++
			if code, v = benchCall(ctx, b, c, http.MethodGet, emu.APIURL()+"/orders/"+id, ""); code != http.StatusOK {
				b.Fatalf("order %s: %d %v", id, code, v)
			}
		}
	}
	place(0) // cold starts and first-time setup are not what an order costs
	polls, soldOut = 0, 0
	b.ReportAllocs() // process-wide, like the CPU: a steadier measure than CPU on a noisy machine
	var prof bytes.Buffer
	profiling := pprof.StartCPUProfile(&prof) == nil // not when go test's -cpuprofile already is
	calls0, cpu0 := benchEmulatedCalls(emu), ProcessCPU()
	n := 0
	for b.Loop() {
		n++
		place(n)
	}
	cpu, calls := ProcessCPU()-cpu0, benchEmulatedCalls(emu)-calls0
	perOrder := float64(cpu.Microseconds()) / 1000 / float64(n)
	if profiling {
		pprof.StopCPUProfile()
		shares, err := CPUParts(&prof)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(shares[cpupart.Emulator]*perOrder, "emulator-cpu-ms/order")
		b.ReportMetric(shares[cpupart.Handler]*perOrder, "handler-cpu-ms/order")
	}
	b.ReportMetric(perOrder, "cpu-ms/order")
	b.ReportMetric(float64(calls)/float64(n), "calls/order")
	if calls > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(calls), "cpu-us/call")
	}
	b.ReportMetric(float64(polls)/float64(n), "polls/order")
	if soldOut > 0 {
		b.ReportMetric(float64(soldOut)/float64(n), "sold-out/order")
	}
}

// followTimeout bounds waiting for an order's final status on its channel, after which it is
// polled: a status published before the subscription was acknowledged never arrives.
const followTimeout = 5 * time.Second

// benchFollow subscribes to an order's status channel and waits for a final status; false when
// none came within followTimeout.
func benchFollow(ctx context.Context, b *testing.B, s *loadgen.Subscriber, channel string, terminal map[string]bool) bool {
	ctx, cancel := context.WithTimeout(ctx, followTimeout)
	defer cancel()
	sub, err := s.Subscribe(ctx, channel)
	if err != nil {
		b.Fatalf("subscribing to %s: %v", channel, err)
	}
	defer sub.Close()
	for {
		status, err := sub.Next(ctx)
		if err != nil {
			return false
		}
		if terminal[status] {
			return true
		}
	}
}

func benchCall(ctx context.Context, b *testing.B, c *http.Client, method, url, body string) (int, map[string]any) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	var v map[string]any
	_ = json.Unmarshal(data, &v)
	return resp.StatusCode, v
}

// CPUParts reads a CPU profile (runtime/pprof's) and returns each cpupart label's share of its
// CPU time; samples without one (the collector's workers, the runtime) count in the total only.
func CPUParts(r io.Reader) (map[string]float64, error) {
	p, err := profile.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("read the CPU profile: %w", err)
	}
	cpuIndex := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			cpuIndex = i
		}
	}
	if cpuIndex < 0 {
		return nil, errors.New("the CPU profile has no cpu sample type")
	}
	parts := map[string]float64{}
	var total float64
	for _, s := range p.Sample {
		v := float64(s.Value[cpuIndex])
		total += v
		if l := s.Label[cpupart.Label]; len(l) > 0 {
			parts[l[0]] += v
		}
	}
	if total == 0 {
		return parts, nil
	}
	for k, v := range parts {
		parts[k] = v / total
	}
	return parts, nil
}

// benchEmulatedCalls is every call the emulator's resources counted so far.
func benchEmulatedCalls(emu *emulator.Emulator) int64 {
	var n int64
	for _, s := range emu.Metrics().Snapshot() {
		n += s.Invocations
	}
	return n
}

// ProcessCPU is the user and system CPU time the process has used so far.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
