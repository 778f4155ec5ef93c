package loadgen

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// The load tool, the emulator and the stage's handlers share one process and the laptop's cores.
// When that process needs more CPU than the machine has, timers fire late and goroutines queue,
// and the latencies a run measures grow by time the latency model never put there. The same
// happens when other programs (a compiler, a browser) take the cores. So every run records the
// process's CPU use second by second, and on Linux the whole machine's too, and a run that kept
// the cores busy is marked: its latencies say more about the laptop than about the architecture.

// CPUBoundShare and CPUBoundSeconds are the rule that marks a run CPU-bound: during at least
// CPUBoundSeconds of the run's seconds, together or apart, the process used more than
// CPUBoundShare of the usable cores (the fewer of runtime.NumCPU and GOMAXPROCS), or the machine
// as a whole (every process, from /proc/stat) was busier than CPUBoundShare of its cores. One
// busy second is a garbage collection or a burst of cold starts; five are a stretch of the run
// whose timing the machine distorted.
const (
	CPUBoundShare   = 0.8
	CPUBoundSeconds = 5
)

// CPU is the process's CPU use during a run: the load tool, and in the emulator the emulated
// services and the stage's handlers too (they run in the same process).
type CPU struct {
	Cores      int     `json:"cores"`      // runtime.NumCPU()
	GOMAXPROCS int     `json:"gomaxprocs"` // runtime.GOMAXPROCS(0) during the run
	UserS      float64 `json:"user_s"`     // user CPU time over the whole run
	SystemS    float64 `json:"system_s"`   // system CPU time over the whole run
	// PerSecond is, for each whole second of the run's wall time, the cores the process kept busy
	// ((user + system CPU time) / wall time): 2 is two cores all second.
	PerSecond []float64 `json:"per_second"`
	// BusySeconds counts the seconds above CPUBoundShare of the usable cores.
	BusySeconds int `json:"busy_seconds"`
	// MachinePerSecond is, for the same seconds, the cores the whole machine kept busy, every
	// process included; omitted where /proc/stat cannot be read.
	MachinePerSecond []float64 `json:"machine_per_second,omitempty"`
	// MachineBusySeconds counts the seconds the machine was busier than CPUBoundShare of Cores.
	MachineBusySeconds int `json:"machine_busy_seconds"`
	// Bound is the mark: BusySeconds or MachineBusySeconds reached CPUBoundSeconds.
	Bound bool `json:"cpu_bound"`
}

// Usable is the number of cores the process could use: the fewer of Cores and GOMAXPROCS.
func (c *CPU) Usable() int {
	if c.GOMAXPROCS > 0 && c.GOMAXPROCS < c.Cores {
		return c.GOMAXPROCS
	}
	return c.Cores
}

// Mean is the cores the process kept busy on average over the seconds sampled.
func (c *CPU) Mean() float64 {
	if len(c.PerSecond) == 0 {
		return 0
	}
	sum := 0.0
	for _, s := range c.PerSecond {
		sum += s
	}
	return sum / float64(len(c.PerSecond))
}

// Peak is the busiest second, in cores.
func (c *CPU) Peak() float64 {
	peak := 0.0
	for _, s := range c.PerSecond {
		peak = max(peak, s)
	}
	return peak
}

// judge counts the busy seconds and sets the mark.
func (c *CPU) judge() {
	limit := CPUBoundShare * float64(c.Usable())
	c.BusySeconds = 0
	for _, s := range c.PerSecond {
		if s > limit {
			c.BusySeconds++
		}
	}
	c.MachineBusySeconds = 0
	for _, s := range c.MachinePerSecond {
		if s > CPUBoundShare*float64(c.Cores) {
			c.MachineBusySeconds++
		}
	}
	c.Bound = c.BusySeconds >= CPUBoundSeconds || c.MachineBusySeconds >= CPUBoundSeconds
}

// machineCPU reads the whole machine's busy and total CPU time so far, in clock ticks, from the
// first line of /proc/stat (user nice system idle iowait irq softirq steal …); idle and iowait
// are not busy. ok is false where there is no /proc/stat.
func machineCPU() (busy, total uint64, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	fields := bytes.Fields(line)
	if len(fields) < 5 || string(fields[0]) != "cpu" {
		return 0, 0, false
	}
	for i, f := range fields[1:] {
		if i >= 8 { // guest and guest_nice are already counted in user and nice
			break
		}
		n, err := strconv.ParseUint(string(f), 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, total, true
}

// cpuPeriod is how often the meter reads the process's CPU time and cpuUnit the "second" its
// figures are per; tests shorten both to squeeze a run into a fraction of the time.
var cpuPeriod, cpuUnit = time.Second, time.Second

// cpuMeter samples the process's CPU time every period until stopped and charges it to the
// units (seconds) of the run the samples span.
type cpuMeter struct {
	period  time.Duration
	unit    time.Duration
	clock   func() time.Time
	usage   func() (user, sys time.Duration, ok bool)
	machine func() (busy, total uint64, ok bool)
	stopped chan struct{}
	done    sync.WaitGroup

	mu     sync.Mutex
	start  time.Time
	user0  time.Duration
	sys0   time.Duration
	last   time.Duration // CPU time at the last sample
	lastAt time.Time
	perSec []float64 // CPU time used in each unit of the run, in units
	ok     bool

	mBusy, mTotal uint64    // the machine's ticks at the last sample
	mOK           bool      // the machine's CPU can be read
	mPerSec       []float64 // the machine's busy cores in each unit
}

// startCPU starts sampling the process's CPU time once a second.
func startCPU() *cpuMeter {
	m := &cpuMeter{period: cpuPeriod, unit: cpuUnit, clock: time.Now, usage: processCPU, machine: machineCPU, stopped: make(chan struct{})}
	m.begin()
	return m
}

func (m *cpuMeter) begin() {
	m.start = m.clock()
	m.lastAt = m.start
	m.user0, m.sys0, m.ok = m.usage()
	m.last = m.user0 + m.sys0
	if m.machine != nil {
		m.mBusy, m.mTotal, m.mOK = m.machine()
	}
	if !m.ok {
		return
	}
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(m.period)
		defer t.Stop()
		for {
			select {
			case <-m.stopped:
				return
			case <-t.C:
				m.sample()
			}
		}
	}()
}

// sample charges the CPU time used since the last sample to the seconds of the run it spans,
// in proportion to the wall time.
func (m *cpuMeter) sample() {
	u, s, ok := m.usage()
	if !ok {
		return
	}
	var busy, total uint64
	if m.mOK {
		busy, total, _ = m.machine()
	}
	now := m.clock()
	m.mu.Lock()
	defer m.mu.Unlock()
	// The machine's share of busy ticks over the interval, as cores.
	machineCores := -1.0
	if m.mOK && total > m.mTotal {
		machineCores = float64(busy-m.mBusy) / float64(total-m.mTotal) * float64(runtime.NumCPU())
		m.mBusy, m.mTotal = busy, total
	}
	unit := m.unit.Seconds()
	used := (u + s - m.last).Seconds() / unit
	from, to := m.lastAt.Sub(m.start).Seconds()/unit, now.Sub(m.start).Seconds()/unit
	m.last, m.lastAt = u+s, now
	if to <= from {
		return
	}
	for sec := int(from); float64(sec) < to; sec++ {
		lo, hi := max(from, float64(sec)), min(to, float64(sec+1))
		for len(m.perSec) <= sec {
			m.perSec = append(m.perSec, 0)
		}
		m.perSec[sec] += used * (hi - lo) / (to - from)
		if machineCores >= 0 {
			for len(m.mPerSec) <= sec {
				m.mPerSec = append(m.mPerSec, 0)
			}
			m.mPerSec[sec] += machineCores * (hi - lo)
		}
	}
}

// stop ends the sampling and returns the run's CPU, or nil where the process's CPU time cannot
// be read. Only whole seconds appear in PerSecond: a last fraction of a second is too short to
// say how busy the cores were.
func (m *cpuMeter) stop() *CPU {
	if !m.ok {
		return nil
	}
	close(m.stopped)
	m.done.Wait()
	m.sample()
	u, s, _ := m.usage()
	m.mu.Lock()
	defer m.mu.Unlock()
	whole := int(m.lastAt.Sub(m.start) / m.unit)
	c := &CPU{
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		UserS:      round3((u - m.user0).Seconds()),
		SystemS:    round3((s - m.sys0).Seconds()),
		PerSecond:  make([]float64, 0, whole),
	}
	for i := 0; i < whole && i < len(m.perSec); i++ {
		c.PerSecond = append(c.PerSecond, round3(m.perSec[i]))
	}
	for i := 0; m.mOK && i < whole && i < len(m.mPerSec); i++ {
		c.MachinePerSecond = append(c.MachinePerSecond, round3(m.mPerSec[i]))
	}
	c.judge()
	return c
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }
