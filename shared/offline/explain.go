package offline

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// The README block the explain command rewrites with -readme.
const (
	explainBegin = "<!-- explain:begin -->"
	explainEnd   = "<!-- explain:end -->"
)

// regionEmu is one region's emulator as explain reads it; a single-region stage has one, named "".
type regionEmu struct {
	name      string
	stackName string // for the functions' names: their CDK paths start with it
	emu       *emulator.Emulator
}

func emulatorsOf(regions []regionEmu) []*emulator.Emulator {
	out := make([]*emulator.Emulator, len(regions))
	for i, r := range regions {
		out[i] = r.emu
	}
	return out
}

// runExplain runs a profile against the stage in the emulator, like make load, and then writes
// what the run looked like from inside as Markdown: the outcome, the Lambda, DynamoDB and payment
// provider counters, every function's metrics, the store counters' sizes and the waterfall of
// one slow order. A multi-region stage runs in every region, each order sent to its store's home
// region as make load sends it; the functions are listed per region and the waterfall is the
// slowest order of any region.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer, stage Stage) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: explain [flags]: run a profile and write what it looked like inside")
		fs.PrintDefaults()
	}
	profileName := fs.String("profile", "morning-rush", "load profile: "+strings.Join(loadgen.Profiles(), ", "))
	scale := fs.Float64("scale", 1, "multiplies the profile's rate")
	seed := fs.Int64("seed", 7, "seed for the latency model and the order mix")
	modelName := fs.String("model", "aws", "latency model: aws or zero")
	out := fs.String("out", "", "also write the load result file here")
	readme := fs.String("readme", "", "rewrite the block between "+explainBegin+" and "+explainEnd+" in this file")
	pick := fs.String("trace", "slowest-ok", "the order to draw: slowest-ok (the slowest order that was paid) or slowest")
	quiet := fs.Bool("quiet", false, "no live progress line")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	var mf modelFlags
	fs.Var(&mf.faults, "fault", faultUsage)
	if err := fs.Parse(args); err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	if *pick != "slowest-ok" && *pick != "slowest" {
		return fmt.Errorf("-trace must be slowest-ok or slowest, got %q", *pick)
	}
	profile, err := loadgen.LoadProfile(*profileName)
	if err != nil {
		return err
	}
	var model *latency.Model
	switch *modelName {
	case "aws":
		model = latency.Default(*seed)
	case "zero":
		model = latency.Zero()
	default:
		return fmt.Errorf("-model must be aws or zero, got %q", *modelName)
	}
	opts := emulator.Options{Seed: *seed, Latency: model, AccountConcurrency: stage.AccountConcurrency, Payment: payment.Config{Capacity: stage.PaymentCapacity}}
	var regions []regionEmu
	var g *emulator.Global
	if stage.Global != nil {
		if g, err = mf.newGlobal(ctx, stage, opts, stderr); err != nil {
			return err
		}
		defer g.Close()
		for i, r := range g.Regions() {
			regions = append(regions, regionEmu{r, stage.Global.Stacks[i].StackName, g.Region(r)})
		}
	} else {
		emu, err := mf.newSingle(stage, opts, stderr)
		if err != nil {
			return err
		}
		defer emu.Close()
		regions = []regionEmu{{"", stage.StackName, emu}}
	}
	emus := emulatorsOf(regions)
	command := fmt.Sprintf("go run ./%s/cmd/offline explain -profile %s -seed %d", stage.Name, profile.Name, *seed)
	if *scale != 1 {
		command += fmt.Sprintf(" -scale %g", *scale)
	}
	if f := mf.faults.String(); f != "" {
		command += fmt.Sprintf(" -fault '%s'", f)
	}
	cfg := loadgen.Config{
		Profile:  profile,
		Scale:    *scale,
		Seed:     *seed,
		Stage:    stage.Name,
		Target:   "emulator",
		Tracking: loadgen.Tracking{Terminal: stage.Terminal, Milestones: stage.Milestones},
		After: func(r *loadgen.Result) {
			r.Environment.Command = command
			r.Environment.LatencyModel = model.Name()
			fillFromEmulator(r, emus...)
		},
		Gauges: emulatorGauges(emus...),
	}
	if g != nil {
		if err := globalLoadConfig(ctx, g, stage, &cfg, stderr); err != nil {
			return err
		}
	} else {
		cfg.BaseURL, cfg.Client = regions[0].emu.APIURL(), regions[0].emu.HTTPClient()
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	fmt.Fprintf(stderr, "%s: %s profile in the emulator (latency model %s, seed %d, %d cores)\n", stage.Name, profile.Name, model.Name(), *seed, runtime.NumCPU())
	sampler := startSampler(time.Second, emus...)
	res, err := loadgen.Run(ctx, cfg)
	samples := sampler.stop()
	if err != nil {
		return err
	}
	if *out != "" {
		if err := loadgen.WriteFile(*out, res); err != nil {
			return err
		}
	}
	var b strings.Builder
	writeExplanation(ctx, &b, stage, regions, res, samples, command, *pick)
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	if *readme != "" {
		return replaceBlock(*readme, b.String())
	}
	return nil
}

func writeExplanation(ctx context.Context, w io.Writer, stage Stage, regions []regionEmu, res *loadgen.Result, samples []sample, command, pick string) {
	fmt.Fprintf(w, "Generated by `%s` (%d cores, load average at the end %s).\n\n", command, runtime.NumCPU(), loadAverage())
	writeOutcome(w, regions, res)
	if len(regions) > 1 {
		fmt.Fprintln(w, "Both regions together, second by second (concurrency is the sum of the regions' accounts).")
		fmt.Fprintln(w)
	}
	writeTimeline(w, res, samples)
	for _, r := range regions {
		writeFunctions(w, r)
	}
	if stage.Explain != nil && len(regions) == 1 {
		stage.Explain(ctx, w, regions[0].emu)
	}
	writeWaterfall(w, regions, pick)
}

func writeOutcome(w io.Writer, regions []regionEmu, res *loadgen.Result) {
	o, l, lat := res.Outcomes, res.Lambda, res.LatencyMS
	ps := regions[0].emu.Payment.Stats() // the regions share the provider
	dynamoThrottles := readCounts(emulatorsOf(regions), false).dynamo
	var seconds float64
	for _, r := range regions {
		seconds += functionSeconds(r.emu)
	}
	fmt.Fprintln(w, "```text")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "orders offered\t%d (%s, scale %g, seed %d)\n", res.Offered, res.Profile, res.Scale, res.Seed)
	fmt.Fprintf(tw, "answered in time\tok %d, sold out %d, 4xx %d, 429 %d, 5xx %d, 504 %d\n", o.OK, o.SoldOut, o.Rejected4xx, o.Throttled429, o.Server5xx, o.GatewayTimeout504)
	fmt.Fprintf(tw, "failure rate\t%.1f %%\n", 100*res.FailureRate)
	fmt.Fprintf(tw, "abandoned\t%d = %.1f %% (no answer within %g s)\n", o.Abandoned, 100*res.Abandonment, res.PatienceS)
	fmt.Fprintf(tw, "late answers\tok %d, 5xx %d, 504 %d, unanswered %d\n", res.Late.OK, res.Late.Server5xx, res.Late.GatewayTimeout504, res.Late.Unanswered)
	fmt.Fprintf(tw, "latency\tp50 %.0f ms, p95 %.0f ms, p99 %.0f ms (an abandoned order counts as %g s)\n", lat.P50, lat.P95, lat.P99, res.PatienceS)
	if ll := res.LateLatencyMS; ll != nil {
		fmt.Fprintf(tw, "latency of late answers\tp50 %.0f ms, p99 %.0f ms, max %.0f ms\n", ll.P50, ll.P99, ll.Max)
	}
	fmt.Fprintf(tw, "lambda\t%d invocations, %d throttles, %d timeouts, %d errors, %d cold starts, max concurrency %d\n",
		l.Invocations, l.Throttles, l.Timeouts, l.Errors, l.ColdStarts, l.MaxConcurrency)
	if paid := res.Outcomes.OK + res.Late.OK; paid > 0 {
		fmt.Fprintf(tw, "lambda time\t%.1f s of execution and %.0f invocations per paid order (failed work included)\n",
			seconds/float64(paid), float64(l.Invocations-l.Throttles)/float64(paid))
	}
	fmt.Fprintf(tw, "dynamodb\t%d throttled requests\n", dynamoThrottles)
	fmt.Fprintf(tw, "payment provider\t%d charges, %d succeeded, %d duplicate charges, %d orphaned, %d dropped while queued, %d queue timeouts, %d turned away\n",
		ps.Charges, ps.Succeeded, ps.DuplicateCharges, ps.Orphaned, ps.Abandoned, ps.QueueTimeouts, ps.RejectedBusy)
	fmt.Fprintf(tw, "provider queue\tmax %d waiting, wait p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", ps.MaxQueued, ps.WaitMS.P50, ps.WaitMS.P99, ps.WaitMS.Max)
	if rs := res.Regions; rs != nil {
		for _, r := range regions {
			if st := rs.ByRegion[r.name]; st != nil {
				fmt.Fprintf(tw, "%s\thome %d, sent %d, accepted %d, failed %d, failed over in %d, out %d\n",
					r.name, st.HomeOrders, st.Sent, st.Accepted, st.Failed, st.FailedOverIn, st.FailedOverOut)
			}
		}
	}
	fmt.Fprintf(tw, "load tool\tmax send lag %.1f ms\n", res.MaxSendLagMS)
	_ = tw.Flush()
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
}

// functionSeconds is the time all functions ran, from their billed GB-seconds and memory sizes.
func functionSeconds(emu *emulator.Emulator) float64 {
	memory := map[string]int{}
	for _, f := range emu.Lambda.Functions() {
		memory[f.Name] = f.MemoryMB
	}
	var sum float64
	for _, s := range emu.Metrics().Snapshot() {
		if s.Kind == "lambda" && memory[s.Name] > 0 {
			sum += s.GBSeconds * 1024 / float64(memory[s.Name])
		}
	}
	return sum
}

// writeFunctions is one row per function of a region, the most invoked first.
func writeFunctions(w io.Writer, r regionEmu) {
	emu := r.emu
	names := functionNames(r.stackName, emu)
	type row struct {
		name string
		s    metrics.Snapshot
	}
	var rows []row
	for _, s := range emu.Metrics().Snapshot() {
		if s.Kind == "lambda" {
			rows = append(rows, row{names[s.Name], s})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].s.Invocations > rows[j].s.Invocations || rows[i].s.Invocations == rows[j].s.Invocations && rows[i].name < rows[j].name
	})
	in := ""
	if r.name != "" {
		in = " in " + r.name + " (the reconciliation's reads after the run included)"
	}
	fmt.Fprintf(w, "<details><summary>Every function%s: invocations, throttles, errors, timeouts, cold starts, concurrency, duration</summary>\n\n", in)
	fmt.Fprintln(w, "| function | invocations | throttles | errors | timeouts | cold starts | max concurrent | p50 ms | p99 ms |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range rows {
		s := r.s
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %d | %.0f | %.0f |\n", r.name, s.Invocations, s.Throttles, s.Errors, s.Timeouts,
			s.ColdStarts, s.MaxConcurrent, s.DurationMS.P50, s.DurationMS.P99)
	}
	fmt.Fprintf(w, "\n</details>\n\n")
}

// writeWaterfall draws the slowest order of every region's kept traces.
func writeWaterfall(w io.Writer, regions []regionEmu, pick string) {
	var t *trace.Trace
	var from regionEmu
	for _, r := range regions {
		if c := pickTrace(r.emu.Traces(), pick); c != nil && (t == nil || c.Total > t.Total) {
			t, from = c, r
		}
	}
	if t == nil {
		fmt.Fprintln(w, "No trace was kept.")
		return
	}
	names := functionNames(from.stackName, from.emu)
	spans := t.Spans()
	total := t.Total
	const width = 40
	in := ""
	if from.name != "" {
		in = " (in " + from.name + ")"
	}
	fmt.Fprintf(w, "The %s order%s: %s, %s in total, %d hops.\n\n", map[string]string{"slowest-ok": "slowest paid", "slowest": "slowest"}[pick],
		in, t.Outcome, total.Round(time.Millisecond), len(spans))
	fmt.Fprintln(w, "```text")
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "hop\tstart ms\tms\toutcome\t0 s%*s\n", width+2-3, fmt.Sprintf("%.1f s", total.Seconds()))
	for _, s := range spans {
		from := int(float64(width) * float64(s.Start) / float64(total))
		n := max(1, int(float64(width)*float64(s.Duration)/float64(total)))
		from = min(from, width-1)
		n = min(n, width-from)
		bar := strings.Repeat(" ", from) + strings.Repeat("█", n) + strings.Repeat(" ", width-from-n)
		fmt.Fprintf(tw, "%s%s\t%.0f\t%.0f\t%s\t|%s|\n", strings.Repeat("  ", s.Depth), hopName(s, names), ms(s.Start), ms(s.Duration), s.Outcome, bar)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "```")
	if t.Dropped > 0 {
		fmt.Fprintf(w, "\n(%d more hops were not kept.)\n", t.Dropped)
	}
}

// pickTrace finds the slowest order (POST), or the slowest one that was paid.
func pickTrace(r *trace.Recorder, pick string) *trace.Trace {
	for _, t := range r.Slowest(200) {
		if !strings.HasPrefix(t.Name, "POST ") {
			continue
		}
		if pick == "slowest" || t.Outcome == "ok" {
			return t
		}
	}
	return nil
}

func hopName(s trace.Span, names map[string]string) string {
	switch {
	case strings.HasPrefix(s.Resource, "lambda:"):
		return names[strings.TrimPrefix(s.Resource, "lambda:")]
	case strings.HasPrefix(s.Resource, "dynamodb:"):
		return "DynamoDB " + s.Op
	case s.Resource == "payment":
		return "payment provider"
	case strings.HasPrefix(s.Resource, "apigateway:"):
		return "API Gateway " + s.Op
	}
	return s.Resource + " " + s.Op
}

// functionNames maps physical function names to the names of their functions/ directories.
func functionNames(stackName string, emu *emulator.Emulator) map[string]string {
	out := map[string]string{}
	for _, f := range emu.Lambda.Functions() {
		id := strings.TrimSuffix(strings.TrimPrefix(f.CDKPath, stackName+"/"), "/Resource")
		out[f.Name] = kebab(id)
	}
	return out
}

// kebab turns "OrderApi" into "order-api".
func kebab(id string) string {
	var b strings.Builder
	for i, r := range id {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// loadAverage reads the one-minute load average, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

// replaceBlock puts block between the explain markers of the file at path.
func replaceBlock(path, block string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(doc)
	begin, end := strings.Index(s, explainBegin), strings.Index(s, explainEnd)
	if begin < 0 || end < begin {
		return fmt.Errorf("%s: want %s followed by %s", path, explainBegin, explainEnd)
	}
	s = s[:begin+len(explainBegin)] + "\n" + block + s[end:]
	return os.WriteFile(path, []byte(s), 0o644)
}

// sample is the emulator's state at one moment of the run.
type sample struct {
	at          time.Duration
	concurrency int64 // Lambda, the whole account
	throttles   int64 // Lambda, since the start
	timeouts    int64 // Lambda, since the start
	dynamo      int64 // DynamoDB throttles, since the start
	charging    int64 // the payment provider's charges in progress
	queued      int64 // charges waiting for a provider worker
}

type sampler struct {
	done chan struct{}
	out  chan []sample
}

// startSampler reads the emulators' metrics every period until stop, summed over them.
func startSampler(period time.Duration, emus ...*emulator.Emulator) *sampler {
	s := &sampler{done: make(chan struct{}), out: make(chan []sample, 1)}
	start := time.Now()
	go func() {
		var got []sample
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				s.out <- got
				return
			case <-t.C:
			}
			c := readCounts(emus, false)
			x := sample{at: time.Since(start), concurrency: c.concurrency, throttles: c.throttles, timeouts: c.timeouts, dynamo: c.dynamo}
			ps := emus[0].Payment.Stats()
			x.charging, x.queued = ps.InFlight, ps.Queued
			got = append(got, x)
		}
	}()
	return s
}

func (s *sampler) stop() []sample {
	close(s.done)
	return <-s.out
}

// writeTimeline shows, second by second while orders arrive, what the customers got and what
// the emulator was doing.
func writeTimeline(w io.Writer, res *loadgen.Result, samples []sample) {
	fmt.Fprintln(w, "Second by second: the orders by the second they were sent and what became of them; the other columns are the")
	fmt.Fprintln(w, "emulator in that second of the run (concurrency and the provider at its end, throttles and timeouts during it).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| s | orders | ok | failed | abandoned | p50 ms | Lambda concurrency | Lambda throttles | timeouts | DynamoDB throttles | provider busy + queued |")
	fmt.Fprintln(w, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	var prev sample
	for i, b := range res.Timeline {
		var x sample
		if i < len(samples) {
			x = samples[i]
		}
		fmt.Fprintf(w, "| %d | %d | %d | %d | %d | %.0f | %d | %d | %d | %d | %d + %d |\n", b.T, b.Offered, b.OK, b.Failed, b.Abandoned, b.P50MS,
			x.concurrency, x.throttles-prev.throttles, x.timeouts-prev.timeouts, x.dynamo-prev.dynamo, x.charging, x.queued)
		prev = x
	}
	fmt.Fprintln(w)
}

// startCPUProfile profiles the process into path until stop is called ("" profiles nothing).
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("-cpuprofile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// writeHeapProfile collects garbage and writes the heap that is still live to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-memprofile: %w", err)
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		_ = f.Close()
		return fmt.Errorf("-memprofile %s: %w", path, err)
	}
	return f.Close()
}
