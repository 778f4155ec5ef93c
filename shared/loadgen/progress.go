package loadgen

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// startProgress draws the live one-line display until the returned func is called, which draws
// the last line and ends it with a newline.
func (r *run) startProgress() (stop func()) {
	w := r.cfg.Progress
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		// The start of the run is the first sample, so that the first line has a rate.
		p := progress{w: w, plain: r.cfg.PlainProgress, every: progressEvery, offered: []int64{0}, sampleAt: []time.Time{r.start}}
		if p.plain {
			p.every = plainProgressEvery
		}
		tick := time.NewTicker(p.every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				p.draw(r.progressLine(&p))
				if !p.plain {
					fmt.Fprintln(w)
				}
				return
			case <-tick.C:
				p.draw(r.progressLine(&p))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// plainProgressEvery is how often PlainProgress writes a line.
const plainProgressEvery = 5 * time.Second

// progress rewrites one line in place, or writes one line after the other when plain.
type progress struct {
	w        io.Writer
	plain    bool
	every    time.Duration
	width    int
	offered  []int64 // the last second of samples, for the current rate
	sampleAt []time.Time
}

func (p *progress) draw(line string) {
	if p.plain {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := max(p.width-len(line), 0)
	p.width = len(line)
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
}

// rate is the offered rate over about the last second.
func (p *progress) rate(offered int64, now time.Time) float64 {
	p.offered = append(p.offered, offered)
	p.sampleAt = append(p.sampleAt, now)
	if len(p.offered) > max(int(time.Second/p.every)+1, 2) {
		p.offered, p.sampleAt = p.offered[1:], p.sampleAt[1:]
	}
	dt := now.Sub(p.sampleAt[0]).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(offered-p.offered[0]) / dt
}

func (r *run) progressLine(p *progress) string {
	now := time.Now()
	offered := r.offered.Load()
	r.mu.Lock()
	p99 := quantile(r.latency, 99)
	r.mu.Unlock()
	rate := fmt.Sprintf("rate %.1f/s", p.rate(offered, now))
	if !r.sending.Load() {
		rate = "sent all"
	}
	line := fmt.Sprintf("%s %s  %5.1f/%.0f s  offered %d  %s  in flight %d  p99 %s  failed %d  abandoned %d",
		r.cfg.Stage, r.prof.Name, min(now.Sub(r.start).Seconds(), 9999), r.prof.DurationS,
		offered, rate, r.inFlight.Load(), p99.Round(time.Millisecond), r.failed.Load(), r.abandoned.Load())
	if n := r.tracking.Load(); n > 0 {
		line += fmt.Sprintf("  tracking %d", n)
	}
	return line
}
