package main

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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/table"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// The README block the explain command rewrites with -readme.
const (
	explainBegin = "<!-- explain:begin -->"
	explainEnd   = "<!-- explain:end -->"
)

// runExplain runs a profile against the stage in the emulator, like make load, and then writes
// what the run looked like from inside as Markdown: the outcome, the Lambda, DynamoDB and payment
// provider counters, every function's metrics, the store counters' sizes and the waterfall of
// one slow order.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profileName := fs.String("profile", "morning-rush", "load profile: "+strings.Join(loadgen.Profiles(), ", "))
	scale := fs.Float64("scale", 1, "multiplies the profile's rate")
	seed := fs.Int64("seed", 7, "seed for the latency model and the order mix")
	modelName := fs.String("model", "aws", "latency model: aws or zero")
	out := fs.String("out", "", "also write the load result file here")
	readme := fs.String("readme", "", "rewrite the block between "+explainBegin+" and "+explainEnd+" in this file")
	pick := fs.String("trace", "slowest-ok", "the order to draw: slowest-ok (the slowest order that was paid) or slowest")
	quiet := fs.Bool("quiet", false, "no live progress line")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
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
	stage := Stage()
	emu, err := emulator.New(stage.Stage, emulator.Options{Seed: *seed, Latency: model, AccountConcurrency: stage.AccountConcurrency})
	if err != nil {
		return err
	}
	defer emu.Close()
	command := fmt.Sprintf("go run ./03-crisis/cmd/offline explain -profile %s -seed %d", profile.Name, *seed)
	if *scale != 1 {
		command += fmt.Sprintf(" -scale %g", *scale)
	}
	cfg := loadgen.Config{
		BaseURL:  emu.APIURL(),
		Client:   emu.HTTPClient(),
		Profile:  profile,
		Scale:    *scale,
		Seed:     *seed,
		Stage:    stage.Name,
		Target:   "emulator",
		Tracking: loadgen.Tracking{Terminal: stage.Terminal},
		After: func(r *loadgen.Result) {
			r.Environment.Command = command
			r.Environment.LatencyModel = model.Name()
			fillFromEmulator(r, emu)
		},
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	fmt.Fprintf(stderr, "%s: %s profile in the emulator (latency model %s, seed %d, %d cores)\n", stage.Name, profile.Name, model.Name(), *seed, runtime.NumCPU())
	sampler := startSampler(emu, time.Second)
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
	writeExplanation(ctx, &b, emu, res, samples, command, *pick)
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	if *readme != "" {
		return replaceBlock(*readme, b.String())
	}
	return nil
}

// fillFromEmulator adds what the load command adds from the emulator: the Lambda totals and the
// modelled bill, DynamoDB's request units taken from the counters its service records (rcu, wcu).
func fillFromEmulator(r *loadgen.Result, emu *emulator.Emulator) {
	var l loadgen.Lambda
	var u loadgen.Usage
	arch := map[string]string{}
	for _, f := range emu.Lambda.Functions() {
		arch[f.Name] = f.Architecture
	}
	for _, s := range emu.Metrics().Snapshot() {
		switch s.Kind {
		case "lambda":
			l.Functions++
			l.Invocations += s.Invocations
			l.ColdStarts += s.ColdStarts
			l.Throttles += s.Throttles
			l.Errors += s.Errors
			l.Timeouts += s.Timeouts
			l.GBSeconds += s.GBSeconds
			u.LambdaRequests += s.Invocations - s.Throttles
			if arch[s.Name] == "arm64" {
				u.LambdaGBSecondsARM += s.GBSeconds
			} else {
				u.LambdaGBSecondsX86 += s.GBSeconds
			}
		case "lambda-account":
			l.MaxConcurrency = s.MaxConcurrent
		case "apigateway":
			u.RESTRequests += s.Invocations
		case "dynamodb":
			u.DynamoDBRRU += float64(s.Counters["rcu"])
			u.DynamoDBWRU += float64(s.Counters["wcu"])
		}
	}
	r.Lambda = &l
	r.SetCost(loadgen.Estimate(u))
}

func writeExplanation(ctx context.Context, w io.Writer, emu *emulator.Emulator, res *loadgen.Result, samples []sample, command, pick string) {
	fmt.Fprintf(w, "Generated by `%s` (%d cores, load average at the end %s).\n\n", command, runtime.NumCPU(), loadAverage())
	writeOutcome(w, emu, res)
	writeTimeline(w, res, samples)
	writeFunctions(w, emu)
	writeCounters(ctx, w, emu)
	writeWaterfall(w, emu, pick)
}

func writeOutcome(w io.Writer, emu *emulator.Emulator, res *loadgen.Result) {
	o, l, lat := res.Outcomes, res.Lambda, res.LatencyMS
	ps := emu.Payment.Stats()
	var dynamoThrottles int64
	for _, s := range emu.Metrics().Snapshot() {
		if s.Kind == "dynamodb" {
			dynamoThrottles += s.Throttles
		}
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
			functionSeconds(emu)/float64(paid), float64(l.Invocations-l.Throttles)/float64(paid))
	}
	fmt.Fprintf(tw, "dynamodb\t%d throttled requests\n", dynamoThrottles)
	fmt.Fprintf(tw, "payment provider\t%d charges, %d succeeded, %d duplicate charges, %d orphaned, %d dropped while queued, %d queue timeouts, %d turned away\n",
		ps.Charges, ps.Succeeded, ps.DuplicateCharges, ps.Orphaned, ps.Abandoned, ps.QueueTimeouts, ps.RejectedBusy)
	fmt.Fprintf(tw, "provider queue\tmax %d waiting, wait p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", ps.MaxQueued, ps.WaitMS.P50, ps.WaitMS.P99, ps.WaitMS.Max)
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

// writeFunctions is one row per function, the most invoked first.
func writeFunctions(w io.Writer, emu *emulator.Emulator) {
	names := functionNames(emu)
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
	fmt.Fprintf(w, "<details><summary>Every function: invocations, throttles, errors, timeouts, cold starts, concurrency, duration</summary>\n\n")
	fmt.Fprintln(w, "| function | invocations | throttles | errors | timeouts | cold starts | max concurrent | p50 ms | p99 ms |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range rows {
		s := r.s
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %d | %.0f | %.0f |\n", r.name, s.Invocations, s.Throttles, s.Errors, s.Timeouts,
			s.ColdStarts, s.MaxConcurrent, s.DurationMS.P50, s.DurationMS.P99)
	}
	fmt.Fprintf(w, "\n</details>\n\n")
}

// writeCounters reads the busiest stores' live counters: the hot keys.
func writeCounters(ctx context.Context, w io.Writer, emu *emulator.Emulator) {
	name, _ := emu.Outputs()["TableName"].(string)
	db := dynamodb.NewFromConfig(emu.Config())
	type counter struct {
		store     string
		movements int64
		kb        float64
	}
	var cs []counter
	for _, st := range bakery.Stores() {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &name, Key: table.Key("STORE#"+st.ID, "COUNTER"), ConsistentRead: aws.Bool(true)})
		if err != nil || out.Item == nil {
			continue
		}
		var c struct {
			Movements int64 `json:"movements"`
		}
		_ = table.Unmarshal(out.Item, &c)
		cs = append(cs, counter{st.ID, c.Movements, float64(itemSize(out.Item)) / 1024})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].kb > cs[j].kb })
	fmt.Fprintln(w, "| store counter item | movements | size at the end | WCU per write at the end |")
	fmt.Fprintln(w, "|---|--:|--:|--:|")
	for _, c := range cs[:min(5, len(cs))] {
		fmt.Fprintf(w, "| STORE#%s | %d | %.1f KB | %.0f |\n", c.store, c.movements, c.kb, max(1, ceil(c.kb)))
	}
	fmt.Fprintln(w)
}

func writeWaterfall(w io.Writer, emu *emulator.Emulator, pick string) {
	t := pickTrace(emu.Traces(), pick)
	if t == nil {
		fmt.Fprintln(w, "No trace was kept.")
		return
	}
	names := functionNames(emu)
	spans := t.Spans()
	total := t.Total
	const width = 40
	fmt.Fprintf(w, "The %s order: %s, %s in total, %d hops.\n\n", map[string]string{"slowest-ok": "slowest paid", "slowest": "slowest"}[pick],
		t.Outcome, total.Round(time.Millisecond), len(spans))
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
func functionNames(emu *emulator.Emulator) map[string]string {
	out := map[string]string{}
	for _, f := range emu.Lambda.Functions() {
		id := strings.TrimSuffix(strings.TrimPrefix(f.CDKPath, StackName+"/"), "/Resource")
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

func ceil(x float64) float64 {
	if x == float64(int64(x)) {
		return x
	}
	return float64(int64(x) + 1)
}

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

// itemSize is an item's size as DynamoDB counts it: names and values in bytes, numbers at about
// one byte per two digits, three bytes of overhead per list or map and one per element.
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)/2 + 1
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		return 3 + itemSize(v.Value) + len(v.Value)
	}
	return 0
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

// startSampler reads the emulator's metrics every period until stop.
func startSampler(emu *emulator.Emulator, period time.Duration) *sampler {
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
			x := sample{at: time.Since(start)}
			for _, m := range emu.Metrics().Snapshot() {
				switch m.Kind {
				case "lambda-account":
					x.concurrency = m.Concurrent
				case "lambda":
					x.throttles += m.Throttles
					x.timeouts += m.Timeouts
				case "dynamodb":
					x.dynamo += m.Throttles
				}
			}
			ps := emu.Payment.Stats()
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
