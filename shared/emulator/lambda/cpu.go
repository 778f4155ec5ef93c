package lambda

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// The CPU model (Options.CPUModel): what a function's memory size buys in CPU.
//
// Lambda allocates CPU power in proportion to the memory configured; at 1,769 MB a function has
// the equivalent of one vCPU (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html),
// and memory goes up to 10,240 MB, where a function gets up to 6 vCPUs
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).

const (
	// MinMemoryMB and MaxMemoryMB bound a function's memory (1 MB steps).
	MinMemoryMB = 128
	MaxMemoryMB = 10240
	maxVCPUs    = 6
)

// VCPUs is the vCPU share Lambda gives memoryMB of memory: memoryMB / 1,769, at most 6
// (10,240 MB gives 5.79).
func VCPUs(memoryMB int) float64 {
	return math.Min(float64(memoryMB)/mbPerVCPU, maxVCPUs)
}

// ModelledCPUTime is how long the computing part of an invocation takes on share vCPUs, when the
// handler used cpu of CPU time over busy of wall time on the host (its time outside SDK calls).
//
// The handler's parallelism is p = cpu / busy, at least 1 (one goroutine's code cannot use less
// than one CPU at a time; if it ran slower than its CPU time, the host was busy). Its work then
// runs at min(share, p) vCPUs: below one vCPU everything is slowed by the share; above it, only
// code that ran on several cores at once gains, and never more than the share. The result is
// cpu / min(share, p), which is also max(busy, cpu / share) whenever p ≤ share: a handler that
// mostly waits for goroutines doing I/O is not slowed until its CPU at the share outlasts the
// wait.
func ModelledCPUTime(cpu, busy time.Duration, share float64) time.Duration {
	if cpu <= 0 || share <= 0 {
		return 0
	}
	p := 1.0
	if busy > 0 {
		p = math.Max(1, float64(cpu)/float64(busy))
	}
	return time.Duration(float64(cpu) / math.Min(share, p))
}

// CPUUsage is what the CPU model measured in one invocation and what it added. All zero when
// Options.CPUModel is off.
type CPUUsage struct {
	// CPU is the CPU time the handler's own code used: its goroutine's, plus Goroutines.
	CPU time.Duration
	// Goroutines is the CPU time of goroutines the handler started. Only attributable when the
	// invocation ran alone in the process (Attributed); otherwise 0.
	Goroutines time.Duration
	Attributed bool
	// Services is the CPU time the emulated services (and the payment provider) spent serving
	// the handler's SDK and HTTP calls in-process; it is not the handler's and is not counted.
	Services time.Duration
	// Busy is the handler's wall time on the host outside SDK calls and modelled waits.
	Busy time.Duration
	// Share is the function's vCPUs; Parallelism is CPU / Busy, at least 1.
	Share, Parallelism float64
	// Modelled is ModelledCPUTime(CPU, Busy, Share); Wait is what the emulator waited on its
	// clock on top of the real run to get there (never negative: a host slower than the model
	// cannot be sped up).
	Modelled, Wait time.Duration
}

// cpuKey marks a handler's context with its invocation's meter, so the SDK calls it makes can
// report what the emulated services spent serving them.
type cpuKey struct{}

// Invocations being metered, and how many have started: an invocation whose start saw none in
// flight and whose end sees no later start ran alone, and the process's CPU beyond its own
// thread's is its goroutines'.
var (
	cpuInFlight atomic.Int64
	cpuStarted  atomic.Uint64
)

// cpuMeter accounts one invocation's CPU. The handler goroutine runs locked to one OS thread, so
// that thread's CPU clock is the goroutine's CPU time.
type cpuMeter struct {
	share  float64
	clock  sim.Clock
	span   string // the function's sim.ID, for the wait's trace span
	tid    int
	alone  bool
	epoch  uint64
	thread time.Duration // thread CPU at the start
	proc   time.Duration // process CPU at the start
	host   time.Time     // host monotonic time at the start (the busy time's clock)
	start  time.Time     // emulated time at the start

	mu           sync.Mutex
	done         bool
	mainService  time.Duration // services' CPU on the handler's thread
	otherService time.Duration // services' CPU on the threads of goroutines it started
	ioHost       time.Duration // the handler goroutine's time inside SDK calls, host clock
	ioClock      time.Duration // the same on the emulated clock
	waitHost     time.Duration // modelled waits so far, host clock
	waitClock    time.Duration // modelled waits so far, emulated clock
	waitProc     time.Duration // process CPU during modelled waits (others', not the handler's)
}

// startCPUMeter begins metering on the calling goroutine, which must be locked to its thread.
func startCPUMeter(share float64, clock sim.Clock, span string) *cpuMeter {
	m := &cpuMeter{share: share, clock: clock, span: span, tid: threadID()}
	m.alone = cpuInFlight.Add(1) == 1
	m.epoch = cpuStarted.Add(1)
	m.host, m.start = time.Now(), clock.Now()
	m.proc, m.thread = processCPU(), threadCPU()
	return m
}

// measure returns the usage so far. Goroutines' CPU is counted only when final.
func (m *cpuMeter) measure(final bool) CPUUsage {
	thread := threadCPU() - m.thread
	var proc time.Duration
	if final {
		proc = processCPU() - m.proc
	}
	hostNow, clockNow := time.Now(), m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	u := CPUUsage{Share: m.share, Services: m.mainService + m.otherService}
	u.Busy = hostNow.Sub(m.host) - m.ioHost - m.waitHost
	u.CPU = thread - m.mainService
	if !cpuClocks {
		u.CPU = u.Busy
	}
	if final && cpuClocks && m.alone && cpuStarted.Load() == m.epoch {
		u.Attributed = true
		u.Goroutines = max(0, proc-thread-m.otherService-m.waitProc)
		u.CPU += u.Goroutines
	}
	u.CPU = max(0, u.CPU)
	u.Parallelism = 1
	if u.Busy > 0 {
		u.Parallelism = math.Max(1, float64(u.CPU)/float64(u.Busy))
	}
	u.Modelled = ModelledCPUTime(u.CPU, u.Busy, m.share)
	busyClock := clockNow.Sub(m.start) - m.ioClock - m.waitClock
	owed := u.Modelled - busyClock - m.waitClock
	if owed > 0 {
		u.Wait = owed // what settle will add now; settle reports the total
	}
	u.Wait += m.waitClock
	return u
}

// settle waits on the emulated clock for what the model says the handler's computing so far
// should have taken beyond what it did. It runs on the handler goroutine: before each SDK call
// (so a starved handler's writes go out when they would on Lambda, and a timeout stops the rest)
// and at the end (final, with its goroutines' CPU).
func (m *cpuMeter) settle(ctx context.Context, final bool) (CPUUsage, error) {
	u := m.measure(final)
	m.mu.Lock()
	owed := u.Wait - m.waitClock
	m.mu.Unlock()
	if owed <= 0 {
		return u, nil
	}
	sctx, end := trace.Begin(ctx, m.span, fmt.Sprintf("CPU at %.2f vCPU", m.share))
	h0, c0, p0 := time.Now(), m.clock.Now(), processCPU()
	err := sim.Sleep(sctx, m.clock, owed)
	m.mu.Lock()
	m.waitHost += time.Since(h0)
	m.waitClock += m.clock.Now().Sub(c0)
	m.waitProc += processCPU() - p0
	u.Wait = m.waitClock
	m.mu.Unlock()
	if err != nil {
		end("timeout")
	} else {
		end("ok")
	}
	return u, err
}

// finish settles the whole invocation and stops metering.
func (m *cpuMeter) finish(ctx context.Context) CPUUsage {
	u, _ := m.settle(ctx, true)
	m.end()
	return u
}

func (m *cpuMeter) end() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.done {
		m.done = true
		cpuInFlight.Add(-1)
	}
}

// call runs one of the handler's SDK or HTTP calls through the emulator's in-process transport,
// so that the services' CPU serving it is not counted as the handler's.
func (m *cpuMeter) call(req *http.Request, do func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	m.mu.Lock()
	done := m.done
	m.mu.Unlock()
	if done {
		return do(req)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	main := threadID() == m.tid
	if main {
		if _, err := m.settle(req.Context(), false); err != nil {
			return nil, err
		}
	}
	h0, c0, t0 := time.Now(), m.clock.Now(), threadCPU()
	resp, err := do(req)
	spent := threadCPU() - t0
	m.mu.Lock()
	if main {
		m.mainService += spent
		m.ioHost += time.Since(h0)
		m.ioClock += m.clock.Now().Sub(c0)
	} else {
		m.otherService += spent
	}
	m.mu.Unlock()
	return resp, err
}

// cpuTransport and cpuDoer put a handler's calls through cpuMeter.call when its context carries
// a meter.
type cpuTransport struct{ inner http.RoundTripper }

func (t cpuTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if m, ok := req.Context().Value(cpuKey{}).(*cpuMeter); ok {
		return m.call(req, t.inner.RoundTrip)
	}
	return t.inner.RoundTrip(req)
}

type cpuDoer struct{ inner aws.HTTPClient }

func (d cpuDoer) Do(req *http.Request) (*http.Response, error) {
	if m, ok := req.Context().Value(cpuKey{}).(*cpuMeter); ok {
		return m.call(req, d.inner.Do)
	}
	return d.inner.Do(req)
}

// meteredHTTPClient wraps the handlers' HTTP client so their calls report to the meter. An
// *http.Client stays one (handlers may use it for plain HTTP, e.g. the payment provider).
func meteredHTTPClient(c aws.HTTPClient) aws.HTTPClient {
	switch hc := c.(type) {
	case nil:
		return nil
	case *http.Client:
		cp := *hc
		rt := hc.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		cp.Transport = cpuTransport{inner: rt}
		return &cp
	default:
		return cpuDoer{inner: c}
	}
}

// SetMemory changes the function's memory size, as UpdateFunctionConfiguration does: idle
// execution environments are dropped, so the next invocation starts a new one at the new size.
func (f *Function) SetMemory(mb int) error {
	if mb < MinMemoryMB || mb > MaxMemoryMB {
		return fmt.Errorf("function %s: memory must be %d to %d MB, got %d", f.Name, MinMemoryMB, MaxMemoryMB, mb)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.MemoryMB = mb
	f.idle = nil
	return nil
}
