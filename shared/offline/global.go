package offline

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

func stageRegions(stage Stage) []string {
	var out []string
	for _, s := range stage.Global.Stacks {
		out = append(out, s.Region)
	}
	return out
}

// runLocalGlobal is local for a multi-region stage: every region on the one loopback port.
func runLocalGlobal(ctx context.Context, args []string, stdout, stderr io.Writer, stage Stage) error {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4566", "loopback address for every region's AWS APIs, the stage's APIs and the admin API")
	var mf modelFlags
	mf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	g, model, err := mf.serveGlobal(ctx, stage, *addr, stderr)
	if err != nil {
		return err
	}
	defer g.Close()
	describeGlobal(stdout, g, stage, model)
	<-ctx.Done()
	fmt.Fprintln(stdout, "\nstopping: waiting for running invocations to finish")
	return nil
}

// serveGlobal starts every region of a multi-region stage on addr, once the seed data has
// replicated, with the model and the faults of the flags. The caller closes it.
func (m *modelFlags) serveGlobal(ctx context.Context, stage Stage, addr string, stderr io.Writer) (*emulator.Global, *latency.Model, error) {
	model, err := m.latency()
	if err != nil {
		return nil, nil, err
	}
	g, err := m.newGlobal(ctx, stage, emulator.Options{Seed: m.seed, Latency: model, Addr: addr, AccountConcurrency: stage.AccountConcurrency, Payment: payment.Config{Capacity: stage.PaymentCapacity}}, stderr)
	if err != nil {
		return nil, nil, err
	}
	if err := g.Start(ctx); err != nil {
		_ = g.Close()
		return nil, nil, err
	}
	return g, model, nil
}

// newGlobal builds every region of a multi-region stage, waits until the seed data has
// replicated, and switches the -fault faults on. The caller closes it.
func (m *modelFlags) newGlobal(ctx context.Context, stage Stage, opts emulator.Options, stderr io.Writer) (*emulator.Global, error) {
	g, err := emulator.NewGlobal(*stage.Global, opts)
	if err != nil {
		return nil, err
	}
	err = waitReplicated(ctx, g)
	if err == nil {
		err = m.putFaults(g, stderr)
	}
	if err != nil {
		_ = g.Close()
		return nil, err
	}
	return g, nil
}

// newSingle builds a single-region stage and switches the -fault faults on. The caller closes it.
func (m *modelFlags) newSingle(stage Stage, opts emulator.Options, stderr io.Writer) (*emulator.Emulator, error) {
	emu, err := emulator.New(stage.Stage, opts)
	if err != nil {
		return nil, err
	}
	if err := m.putFaults(single{emu, stage.Name}, stderr); err != nil {
		_ = emu.Close()
		return nil, err
	}
	return emu, nil
}

// describeGlobal prints where each region's API and resources are.
func describeGlobal(w io.Writer, g *emulator.Global, stage Stage, model *latency.Model) {
	fmt.Fprintf(w, "Emily's Pastries %s is running in the emulator in %s (latency model %s).\n\n", stage.Name, strings.Join(g.Regions(), " and "), model.Name())
	for _, r := range g.Regions() {
		fmt.Fprintf(w, "  API %-10s %s\n", r, g.APIURL(r))
	}
	fmt.Fprintf(w, "  AWS endpoint   %s   (aws --endpoint-url %s --region <region> ..., any credentials: the signature's region picks the region)\n", g.URL(), g.URL())
	fmt.Fprintf(w, "  admin          %s/_emulator/regions, /_emulator/metrics?region=<region>, /_emulator/faults\n", g.URL())
	fmt.Fprintf(w, "  outage         curl -X PUT %s/_emulator/faults/region:%s -d '{\"down\":true}'   (DELETE brings it back)\n", g.URL(), g.Regions()[len(g.Regions())-1])
	for _, r := range g.Regions() {
		emu := g.Region(r)
		fmt.Fprintf(w, "\nResources in %s:\n", r)
		cdkPath := map[string]string{}
		for _, res := range emu.Resources() {
			cdkPath[res.LogicalID] = res.CDKPath
		}
		rs := emu.SimResources()
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Type < rs[j].Type })
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, res := range rs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", res.Type, res.Physical, cdkPath[res.LogicalID])
		}
		_ = tw.Flush()
		fmt.Fprintf(w, "  (%d resources provisioned; %d AWS-only resources accepted and not emulated)\n", len(emu.Resources()), len(emu.Ignored()))
	}
	fmt.Fprintln(w, "\nTry:")
	for _, r := range g.Regions() {
		fmt.Fprintf(w, "  curl -s %s/menu\n", g.APIURL(r))
	}
	fmt.Fprintln(w, "  "+TryOrder(g.APIURL(g.Regions()[0])))
	for _, r := range g.Regions() {
		fmt.Fprintf(w, "  aws --endpoint-url %s --region %s dynamodb list-tables\n", g.URL(), r)
	}
	fmt.Fprintf(w, "\nCtrl-C stops it.\n")
}

// globalLoadConfig points the load tool at every region: each order goes to its store's home
// region (loadgen.Config.Regions) with the stage's failover, and orders are followed over each
// region's Event API when the stage has one (the emulator then listens for the WebSockets).
func globalLoadConfig(ctx context.Context, g *emulator.Global, stage Stage, cfg *loadgen.Config, stderr io.Writer) error {
	cfg.Regions = map[string]string{}
	for _, r := range g.Regions() {
		u := g.APIURL(r)
		if u == "" {
			return fmt.Errorf("stage %s has no API in %s: the load tool sends orders to every region's API", stage.Name, r)
		}
		cfg.Regions[r] = u
	}
	cfg.Client = g.HTTPClient()
	cfg.Failover = stage.Failover
	var withEvents []string
	for _, r := range g.Regions() {
		if svc, _, _ := eventAPI(g.Region(r)); svc != nil {
			withEvents = append(withEvents, r)
		}
	}
	if len(withEvents) == 0 {
		return nil
	}
	if g.URL() == "" { // not listening yet (make local and make live already are)
		if err := g.Start(ctx); err != nil {
			return fmt.Errorf("listen for the AppSync Events WebSockets: %w", err)
		}
	}
	cfg.Tracking.RegionEvents = map[string]*loadgen.EventsConfig{}
	for _, r := range withEvents {
		if ev := eventsTracking(g.Region(r)); ev != nil {
			cfg.Tracking.RegionEvents[r] = ev
			fmt.Fprintf(stderr, "orders accepted in %s are followed over AppSync Events at %s\n", r, ev.RealtimeURL)
		}
	}
	return nil
}

// waitReplicated waits, for a minute at most, until the seed data the stacks wrote while they
// were provisioned has reached every region, as it has on AWS before any traffic.
func waitReplicated(ctx context.Context, g *emulator.Global) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := g.WaitReplicated(ctx); err != nil {
		return fmt.Errorf("global tables: %w", err)
	}
	return nil
}

// regionTargets reads -target for a multi-region stage: "<region>=<API URL>" for each of the
// stage's regions, comma-separated (the ApiUrl output of each regional stack).
func regionTargets(target string, stage Stage) (map[string]string, error) {
	want := stageRegions(stage)
	example := make([]string, len(want))
	for i, r := range want {
		example[i] = r + "=https://…/prod"
	}
	usage := fmt.Sprintf("stage %s runs in %s: give each region's API as -target '%s' (make load TARGET=…)",
		stage.Name, strings.Join(want, " and "), strings.Join(example, ","))
	out := map[string]string{}
	for part := range strings.SplitSeq(target, ",") {
		region, u, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !slices.Contains(want, region) {
			return nil, fmt.Errorf("-target %q: %s", part, usage)
		}
		if _, dup := out[region]; dup {
			return nil, fmt.Errorf("-target names %s twice: %s", region, usage)
		}
		parsed, err := url.Parse(u)
		if err != nil || parsed.Scheme != "https" && parsed.Scheme != "http" || parsed.Host == "" {
			return nil, fmt.Errorf("-target %s=%q is not an http(s) URL: %s", region, u, usage)
		}
		out[region] = strings.TrimSuffix(u, "/")
	}
	for _, r := range want {
		if out[r] == "" {
			return nil, fmt.Errorf("-target has no URL for %s: %s", r, usage)
		}
	}
	return out, nil
}
