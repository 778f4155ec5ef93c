// Package offline is the command a stage's own small main hands its template and handlers to.
// It runs the stage in the emulator (local), adds the instructor's dashboard to that (live, see
// package live), or drives a load profile at it in-process or at a deployed URL (load), or runs a
// profile in the emulator and writes what it looked like from inside as Markdown (explain:
// `go run ./0N-x/cmd/offline explain`). Faults can be on from the start (-fault). The Makefile
// picks the stage's main by STAGE=; see `make help`.
//
// A multi-region stage (Stage.Global, 05-global) runs in emulator.NewGlobal: local serves every
// region on the one loopback port and prints each region's resources and API URLs; load sends
// each order to its store's home region, with the stage's Failover, and sums the Lambda totals
// and the bill over the regions; -fault also takes a regional outage, region:us-east-1@down
// (with from=…,for=… windows), and region-qualified faults (eu-west-1:lambda:<function>@throttle).
// Limitations: live and explain show one emulator and refuse a multi-region stage with an error
// saying so; load against a deployed multi-region stage (-target) is not supported yet.
//
// Stages never import each other, and shared code never imports a stage: the stage's main
// (0N-*/cmd/offline) builds a Stage and calls Main.
package offline

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/esm"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Stage is a stage as this command needs it.
type Stage struct {
	emulator.Stage
	// Terminal lists the order statuses that end an order at this stage, as the load tool
	// follows them (e.g. "pending-payment" at stage 01, where payment happens by phone).
	Terminal []string
	// Milestones are statuses whose time from the customer's send the load tool measures per
	// order (e.g. "paid" and "ready" where the answer comes before them).
	Milestones []string
	// AccountConcurrency is the Lambda account concurrency the stage is documented with
	// (0: AWS's default of 1,000).
	AccountConcurrency int
	// Explain, if set, adds the stage's own Markdown to the explain command's output, between the
	// functions' table and the waterfall (03: its hot store counter items).
	Explain func(ctx context.Context, w io.Writer, emu *emulator.Emulator)
	// Global, when set, is a stage deployed to several regions (05-global): local and load run it
	// in emulator.NewGlobal, every region on the one loopback port, and the load tool sends each
	// order to its store's home region. The embedded Stage's template is then unused; its Name
	// defaults to Global's.
	Global *emulator.GlobalStage
	// Failover is how the load tool's store apps find a healthy region when one is down (Route 53
	// health-checked failover records); nil sends every order to its home region. Used with Global.
	Failover *loadgen.Failover
	// PaymentCapacity is how many charges the modelled payment provider works on at once offline
	// (0: the provider's default of 20). 05-global has two regional endpoints of 04's size.
	PaymentCapacity int
}

// Main runs the command with the process's arguments, environment and signals, and exits.
func Main(stage Stage) {
	sim.TuneGC() // the collector as every emulator command runs it (sim.GCPercent)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, stage)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: %[1]s <command> [flags]

commands:
  local    run the stage in the emulator and serve it on a loopback port until Ctrl-C
  load     drive a load profile at the stage (in the emulator, or at TARGET) and write a result file
  live     local, plus a dashboard: the topology live, load profiles and faults at a click
           (a multi-region stage: one region at a time, and a button to take a region down)
  explain  run a load profile in the emulator and write, as Markdown, what it looked like inside
  tune     run one function at several memory sizes with the CPU model on: duration and cost at each
           (a multi-region stage: in its first region)

run '%[1]s <command> -h' for a command's flags
`

// Run is the command, shaped for tests.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, stage Stage) error {
	if stage.Global != nil && stage.Name == "" {
		stage.Name = stage.Global.Name
	}
	name := "make local|load|live STAGE=" + stage.Name
	if len(args) == 0 {
		fmt.Fprintf(stderr, usage, name)
		return errors.New("a command is required: local, load, live or explain")
	}
	switch args[0] {
	case "local":
		if stage.Global != nil {
			return runLocalGlobal(ctx, args[1:], stdout, stderr, stage)
		}
		return runLocal(ctx, args[1:], stdout, stderr, stage)
	case "live":
		return runLive(ctx, args[1:], stdout, stderr, stage)
	case "load":
		return runLoad(ctx, args[1:], getenv, stdout, stderr, stage)
	case "explain":
		return runExplain(ctx, args[1:], stdout, stderr, stage)
	case "tune":
		return runTune(ctx, args[1:], stdout, stderr, stage)
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(stdout, usage, name)
		return nil
	}
	fmt.Fprintf(stderr, usage, name)
	return fmt.Errorf("unknown command %q: use local, load, live or explain", args[0])
}

type modelFlags struct {
	seed   int64
	model  string
	faults faultFlags
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.Int64Var(&m.seed, "seed", 7, "seed for the latency model and the order mix")
	fs.StringVar(&m.model, "model", "aws", "latency model: aws (sourced figures, docs/latency-model.md) or zero (no modelled latency)")
	fs.Var(&m.faults, "fault", faultUsage)
}

// serve starts the stage in the emulator on addr with the model and the faults of the flags. The
// caller closes the emulator.
func (m *modelFlags) serve(ctx context.Context, stage Stage, addr string, stderr io.Writer) (*emulator.Emulator, *latency.Model, error) {
	model, err := m.latency()
	if err != nil {
		return nil, nil, err
	}
	emu, err := m.newSingle(stage, emulator.Options{Seed: m.seed, Latency: model, Addr: addr, AccountConcurrency: stage.AccountConcurrency, Payment: payment.Config{Capacity: stage.PaymentCapacity}}, stderr)
	if err != nil {
		return nil, nil, err
	}
	if err := emu.Start(ctx); err != nil {
		_ = emu.Close()
		return nil, nil, err
	}
	return emu, model, nil
}

// faultTarget is where -fault faults go: one emulator, or every region of a Global.
type faultTarget interface {
	PutFault(resource string, r fault.Rule) error
	ClearFault(resource string)
	SetRegionDown(region string, down bool) error
}

// single is one region's emulator as a faultTarget.
type single struct {
	emu   *emulator.Emulator
	stage string
}

func (s single) PutFault(resource string, r fault.Rule) error { return s.emu.PutFault(resource, r) }
func (s single) ClearFault(resource string)                   { s.emu.Faults().Clear(resource) }
func (s single) SetRegionDown(region string, _ bool) error {
	return fmt.Errorf("stage %s runs in one region (%s); a regional outage (%s%s@down) needs a multi-region stage such as 05-global",
		s.stage, s.emu.Env().Region, regionPrefix, region)
}

// putFaults switches the -fault faults on; an unknown resource is an error that lists the
// stage's names, an unknown region one that lists its regions.
func (m *modelFlags) putFaults(t faultTarget, stderr io.Writer) error {
	for _, f := range m.faults.specs {
		on := func() error { return t.PutFault(f.resource, f.rule) }
		off := func() { t.ClearFault(f.resource) }
		what := f.rule.String()
		if f.down {
			region := strings.TrimPrefix(f.resource, regionPrefix)
			on = func() error { return t.SetRegionDown(region, true) }
			off = func() { _ = t.SetRegionDown(region, false) }
			what = "down (a regional outage)"
		}
		if err := on(); err != nil {
			return fmt.Errorf("-fault: %w", err)
		}
		if f.from == 0 && f.dur == 0 {
			fmt.Fprintf(stderr, "fault on %s: %s\n", f.resource, what)
			continue
		}
		// A window: the name is checked (on above), then the fault goes on and off on the wall clock.
		off()
		time.AfterFunc(f.from, func() {
			_ = on()
			if f.dur > 0 {
				time.AfterFunc(f.dur, off)
			}
		})
		until := "the end"
		if f.dur > 0 {
			until = (f.from + f.dur).String()
		}
		fmt.Fprintf(stderr, "fault on %s from %v to %s: %s\n", f.resource, f.from, until, what)
	}
	return nil
}

func (m *modelFlags) latency() (*latency.Model, error) {
	switch m.model {
	case "aws":
		return latency.Default(m.seed), nil
	case "zero":
		return latency.Zero(), nil
	}
	return nil, fmt.Errorf("-model must be aws or zero, got %q", m.model)
}

func runLocal(ctx context.Context, args []string, stdout, stderr io.Writer, stage Stage) error {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4566", "loopback address for the AWS APIs, the stage's API and the admin API")
	var mf modelFlags
	mf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	emu, model, err := mf.serve(ctx, stage, *addr, stderr)
	if err != nil {
		return err
	}
	defer emu.Close()
	describe(stdout, emu, stage, model)
	<-ctx.Done()
	fmt.Fprintln(stdout, "\nstopping: waiting for running invocations to finish")
	return nil
}

func describe(w io.Writer, emu *emulator.Emulator, stage Stage, model *latency.Model) {
	fmt.Fprintf(w, "Emily's Pastries %s is running in the emulator (latency model %s).\n\n", stage.Name, model.Name())
	fmt.Fprintf(w, "  API           %s\n", emu.APIURL())
	fmt.Fprintf(w, "  AWS endpoint  %s   (aws --endpoint-url %s ..., any credentials)\n", emu.URL(), emu.URL())
	fmt.Fprintf(w, "  admin         %s/_emulator/metrics, /_emulator/traces, /_emulator/faults\n\n", emu.URL())
	fmt.Fprintln(w, "Resources:")
	cdkPath := map[string]string{}
	for _, r := range emu.Resources() {
		cdkPath[r.LogicalID] = r.CDKPath
	}
	// What the services expose (the resources faults, metrics and the dashboard name), by type.
	rs := emu.SimResources()
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Type < rs[j].Type })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Type, r.Physical, cdkPath[r.LogicalID])
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "  (%d resources provisioned; %d AWS-only resources accepted and not emulated)\n\n", len(emu.Resources()), len(emu.Ignored()))
	api := emu.APIURL()
	fmt.Fprintln(w, "Try:")
	fmt.Fprintf(w, "  curl -s %s/menu\n", api)
	fmt.Fprintln(w, "  "+TryOrder(api))
	fmt.Fprintf(w, "  aws --endpoint-url %s lambda list-functions\n", emu.URL())
	fmt.Fprintf(w, "\nCtrl-C stops it.\n")
}

// TryOrder is the curl that places one order at api, for pickup an hour from now. It names the
// JSON content type: a REST API whose integration has only an application/json mapping template
// (04, 05) answers curl's default form type 415 Unsupported Media Type, as API Gateway does.
func TryOrder(api string) string {
	return fmt.Sprintf(`curl -s -X POST %s/orders -H 'Content-Type: application/json' -d '{"store_id":"lon-01","customer":{"name":"Ada","email":"ada@example.com"},"items":[{"item_id":"croissant","quantity":2}],"pickup_at":"%s"}'`,
		api, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
}

func runLoad(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, stage Stage) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profileName := fs.String("profile", "smoke", "load profile: "+strings.Join(loadgen.Profiles(), ", "))
	scale := fs.Float64("scale", 1, "multiplies the profile's rate (1.5 = 50 % more traffic)")
	target := fs.String("target", "", "base URL of a deployed stage's API (https://…/prod); empty runs the stage in the emulator")
	out := fs.String("out", "", "result file (default results/<stage>.<profile>.json; make demo writes docs/results)")
	quiet := fs.Bool("quiet", false, "no live progress line")
	logs := fs.String("logs", "", "where the functions' log lines go, - for standard error (default <temp dir>/emilys-pastries/<stage>.<profile>.log)")
	grace := fs.Duration("grace", 0, "how long an accepted order may take to reach a final status before it counts as lost (default: the profile's grace_s)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof); the load tool's CPU is in it too")
	memProfile := fs.String("memprofile", "", "write a heap profile to this file when the run ends, the emulator still up: what the run keeps alive (go tool pprof -sample_index=inuse_space)")
	var mf modelFlags
	mf.register(fs)
	var ef eventsFlags
	ef.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := ef.check(*target); err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	profile, err := loadgen.LoadProfile(*profileName)
	if err != nil {
		return err
	}
	if *scale <= 0 {
		return fmt.Errorf("-scale must be above 0, got %v", *scale)
	}
	if *grace < 0 {
		return fmt.Errorf("-grace must be a duration of 0 or more, got %v", *grace)
	}
	if *grace > 0 {
		profile.GraceS = grace.Seconds()
	}
	if *target != "" && len(mf.faults.specs) > 0 {
		return fmt.Errorf("-fault needs the emulator; against -target %s, put faults through its admin API (PUT /_emulator/faults/<resource>) or leave -fault out", *target)
	}
	if *out == "" {
		// A run of your own never lands over what make demo published (docs/results): it goes to
		// results/ (not committed), by kind.
		switch {
		case *target != "":
			*out = fmt.Sprintf("results/target/%s.%s.json", stage.Name, profile.Name)
		case len(mf.faults.specs) > 0:
			*out = fmt.Sprintf("results/faults/%s.%s.json", stage.Name, profile.Name)
		case *scale != 1:
			*out = fmt.Sprintf("results/scale/%s.%s.x%g.json", stage.Name, profile.Name, *scale)
		default:
			*out = fmt.Sprintf("results/%s.%s.json", stage.Name, profile.Name)
		}
	}
	cfg := loadgen.Config{
		Profile:  profile,
		Scale:    *scale,
		Seed:     mf.seed,
		Stage:    stage.Name,
		Tracking: loadgen.Tracking{Terminal: stage.Terminal, Milestones: stage.Milestones},
	}
	if !*quiet {
		cfg.Progress = stderr
		cfg.PlainProgress = !isTerminal(stderr)
	}
	command := fmt.Sprintf("make load STAGE=%s PROFILE=%s SEED=%d", stage.Name, profile.Name, mf.seed)
	if *scale != 1 {
		command += fmt.Sprintf(" SCALE=%g", *scale)
	}
	if len(mf.faults.specs) > 0 {
		command += fmt.Sprintf(" FAULT='%s'", mf.faults.String())
	}
	if *grace > 0 {
		command += fmt.Sprintf(" GRACE=%v", *grace)
	}
	var emus []*emulator.Emulator // every region's
	var model *latency.Model
	if *target != "" && stage.Global != nil {
		// A deployed multi-region stage: each region's API, orders sent to their store's home
		// region, the load tool's own health checks failing over as Route 53 would.
		regions, err := regionTargets(*target, stage)
		if err != nil {
			return err
		}
		cfg.Regions = regions
		cfg.Client = &http.Client{Timeout: 60 * time.Second}
		cfg.Failover = stage.Failover
		cfg.Target = *target
		command += " TARGET='" + *target + "'"
	} else if *target != "" {
		cfg.BaseURL = strings.TrimSuffix(*target, "/")
		cfg.Client = &http.Client{Timeout: 60 * time.Second}
		cfg.Target = cfg.BaseURL
		command += " TARGET=" + cfg.BaseURL
		cfg.Tracking.Events = ef.config()
	} else {
		model, err = mf.latency()
		if err != nil {
			return err
		}
		if *logs == "" {
			*logs = filepath.Join(os.TempDir(), "emilys-pastries", stage.Name+"."+profile.Name+".log")
		}
		fl, err := openFunctionLogs(*logs, stderr)
		if err != nil {
			return err
		}
		defer func() {
			fmt.Fprintf(stdout, "function logs: %s\n", fl)
			_ = fl.Close()
		}()
		opts := emulator.Options{Seed: mf.seed, Latency: model, AccountConcurrency: stage.AccountConcurrency, Addr: eventsAddr, Payment: payment.Config{Capacity: stage.PaymentCapacity}}
		if stage.Global != nil {
			g, err := mf.newGlobal(ctx, stage, opts, stderr)
			if err != nil {
				return err
			}
			defer g.Close()
			if err := globalLoadConfig(ctx, g, stage, &cfg, stderr); err != nil {
				return err
			}
			emus = g.Emulators()
		} else {
			emu, err := mf.newSingle(stage, opts, stderr)
			if err != nil {
				return err
			}
			defer emu.Close()
			cfg.BaseURL = emu.APIURL()
			cfg.Client = emu.HTTPClient()
			if err := followEvents(ctx, emu, &cfg, stderr); err != nil {
				return err
			}
			emus = []*emulator.Emulator{emu}
		}
		cfg.Target = "emulator"
		fmt.Fprintf(stderr, "%s: %s profile in the emulator (latency model %s, seed %d, %d cores)\n", stage.Name, profile.Name, model.Name(), mf.seed, runtime.NumCPU())
	}
	if len(emus) > 0 {
		cfg.Gauges = emulatorGauges(emus...)
	}
	var heapErr error
	cfg.After = func(r *loadgen.Result) {
		r.Environment.Command = command
		if len(emus) > 0 {
			r.Environment.LatencyModel = model.Name()
			fillFromEmulator(r, emus...)
		}
		if *memProfile != "" {
			heapErr = writeHeapProfile(*memProfile)
		}
	}
	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if heapErr != nil {
		return heapErr
	}
	if err := loadgen.WriteFile(*out, res); err != nil {
		return err
	}
	if err := loadgen.Summary(stdout, res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "result: %s\n", *out)
	return nil
}

// fillFromEmulator adds the emulator's view of the run: Lambda totals and the modelled bill
// (every metered service of shared/loadgen's price table; API destinations' invocations and
// CloudWatch are not priced),
// summed over the regions of a multi-region stage (the payment provider is theirs in common;
// the maximum concurrency is the highest of the regions', each region having its own account
// limit).
func fillFromEmulator(r *loadgen.Result, emus ...*emulator.Emulator) {
	var l loadgen.Lambda
	var u loadgen.Usage
	for _, emu := range emus {
		arch := map[string]string{}
		for _, f := range emu.Lambda.Functions() {
			arch[f.Name] = f.Architecture
		}
		rest := map[string]bool{}
		for _, a := range emu.APIGateway.APIs() {
			rest[a.ID] = a.Kind == "rest"
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
				l.MaxConcurrency = max(l.MaxConcurrency, s.MaxConcurrent)
			case "apigateway":
				if rest[s.Name] {
					u.RESTRequests += s.Invocations
				} else {
					u.HTTPRequests += s.Invocations
				}
			case "dynamodb":
				u.DynamoDBRRU += counter(s, "rcu")
				u.DynamoDBWRU += counter(s, "wcu")
				// A global table's write is billed again in every replica region that applies it.
				u.DynamoDBReplicatedWRU += counter(s, dynamodb.CounterReplicatedWriteUnits)
			case "sqs":
				// Every API call is a request, pollers' empty receives included (they are billed).
				u.SQSRequests += s.Invocations
			case "events":
				// A bus's own resource counts PutEvents calls (the stages put one entry per call);
				// rules ("<bus>/<rule>") deliver, which is not billed per event.
				if !strings.Contains(s.Name, "/") {
					u.EventBridgeEvents += s.Invocations
				}
			case "states":
				if mbms := s.Counters["ExpressBilledMBms"]; mbms > 0 {
					u.StepFunctionsExpressRequests += s.Counters["ExecutionsStarted"]
					u.StepFunctionsExpressGBHours += float64(mbms) / 1024 / 3.6e6
				} else {
					u.StepFunctionsStandardTransitions += s.Counters["StateTransitions"]
				}
			case "pipes":
				u.PipesRequests += s.Counters["EventCount"]
			case "appsync":
				// Inbound messages, deliveries to subscribers, and connection messages.
				u.AppSyncEventsOperations += s.Counters["published_events"] + s.Counters["delivered_events"] +
					s.Counters["connections_opened"] + s.Counters["subscribes"]
			}
		}
	}
	r.Lambda = &l
	r.SetCost(loadgen.Estimate(u))
	r.Mappings = mappingStats(emus...)
	if st := emus[0].Payment.Stats(); st.Charges+st.RejectedBusy+st.QueueTimeouts+st.Abandoned > 0 {
		r.PaymentProvider = &st
		// Money taken against what the customers were told (the provider is the regions' own).
		r.Reconcile(emus[0].Payment.PaidOrders())
	}
}

// mappingStats sums each event source mapping's invocations and filtered records over the
// regions, by the function's construct id (its logical ID without a CDK path), which is the same
// in every region of a multi-region stage, and names the queue the same way. A function with
// mappings on several queues is listed once per queue, as "<function>/<queue>".
func mappingStats(emus ...*emulator.Emulator) map[string]loadgen.Mapping {
	out := map[string]loadgen.Mapping{}
	sources := map[string]map[string]bool{} // function → queues
	type row struct {
		fn, src    string
		inv, filtd int64
	}
	var rows []row
	for _, emu := range emus {
		ids := map[string]string{} // a function's or queue's physical name → its construct id
		for _, r := range emu.Resources() {
			switch r.Type {
			case "AWS::Lambda::Function":
				ids[r.Physical] = constructID(r)
			case "AWS::SQS::Queue": // physical id: the queue's URL, whose last segment is its name
				ids[r.Physical[strings.LastIndex(r.Physical, "/")+1:]] = constructID(r)
			}
		}
		for _, svc := range emu.Services() {
			m, ok := svc.(*esm.Service)
			if !ok {
				continue
			}
			for _, c := range m.List("", "") {
				mm, ok := m.Mapping(c.UUID)
				if !ok {
					continue
				}
				fn := c.FunctionArn[strings.LastIndex(c.FunctionArn, ":")+1:]
				if id, ok := ids[fn]; ok {
					fn = id
				}
				src := c.EventSourceArn[strings.LastIndex(c.EventSourceArn, ":")+1:]
				if id, ok := ids[src]; ok {
					src = id
				}
				if sources[fn] == nil {
					sources[fn] = map[string]bool{}
				}
				sources[fn][src] = true
				st := mm.Stats()
				rows = append(rows, row{fn, src, st.Invocations, st.Filtered})
			}
		}
	}
	for _, r := range rows {
		key := r.fn
		if len(sources[r.fn]) > 1 {
			key = r.fn + "/" + r.src
		}
		m := out[key]
		m.Source = r.src
		m.Invocations += r.inv
		m.Filtered += r.filtd
		out[key] = m
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// constructID is a resource's construct id from its CDK path ("Stack/PaymentWorker/Resource" →
// "PaymentWorker"), or its logical ID when the template has no CDK metadata.
func constructID(r emulator.Resource) string {
	parts := strings.Split(r.CDKPath, "/")
	if len(parts) >= 3 && parts[len(parts)-1] == "Resource" {
		return parts[len(parts)-2]
	}
	return r.LogicalID
}

func counter(s metrics.Snapshot, name string) float64 {
	return float64(s.Counters[name])
}

// isTerminal reports whether w is a terminal, where the progress line can rewrite itself.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
