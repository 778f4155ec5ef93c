package offline

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/live"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// runLive is local plus the instructor's dashboard on a second loopback port.
func runLive(ctx context.Context, args []string, stdout, stderr io.Writer, stage Stage) error {
	fs := flag.NewFlagSet("live", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: live [flags]: local plus the dashboard (a multi-region stage shows one region at a time, and can take a region down)")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:4566", "loopback address for the AWS APIs, the stage's API and the admin API")
	ui := fs.String("ui", "127.0.0.1:8080", "loopback address for the dashboard")
	var mf modelFlags
	mf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*ui)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("-ui must be a loopback address such as 127.0.0.1:8080, got %q: the dashboard switches faults and starts load, so it is not for the network", *ui)
	}
	cfg := live.Config{Stage: stage.Name, Seed: mf.seed,
		Tracking: loadgen.Tracking{Terminal: stage.Terminal, Milestones: stage.Milestones}}
	var describeStage func()
	if stage.Global != nil {
		g, model, err := mf.serveGlobal(ctx, stage, *addr, stderr)
		if err != nil {
			return err
		}
		defer g.Close()
		cfg.Global, cfg.Templates = g, map[string][]byte{}
		for _, s := range stage.Global.Stacks {
			cfg.Templates[s.Region] = s.Template
		}
		// Each order goes to its store's home region and fails over as the load command's do.
		var targets loadgen.Config
		if err := globalLoadConfig(ctx, g, stage, &targets, io.Discard); err != nil {
			return err
		}
		cfg.Targets = func(c *loadgen.Config) {
			c.Regions, c.Client, c.Failover = targets.Regions, targets.Client, targets.Failover
			c.Tracking.RegionEvents = targets.Tracking.RegionEvents
		}
		describeStage = func() { describeGlobal(stdout, g, stage, model) }
	} else {
		emu, model, err := mf.serve(ctx, stage, *addr, stderr)
		if err != nil {
			return err
		}
		defer emu.Close()
		cfg.Emulator, cfg.Template = emu, stage.Template
		cfg.Tracking.Events = eventsTracking(emu) // the dashboard's load follows orders as phones do
		describeStage = func() { describe(stdout, emu, stage, model) }
	}
	dash, err := live.New(cfg)
	if err != nil {
		return err
	}
	defer dash.Close()
	ln, err := net.Listen("tcp", *ui)
	if err != nil {
		return fmt.Errorf("dashboard: %w (another make live running? pick another port with UI=127.0.0.1:8081)", err)
	}
	srv := emulator.NewServer(dash, 0) // timeouts; dash refuses foreign hosts and origins itself
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	describeStage()
	fmt.Fprintf(stdout, "\nDashboard: http://%s/  (the topology live; start a profile, click a resource to switch a fault on)\n", ln.Addr())
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("dashboard: %w", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "\nstopping: waiting for running invocations to finish")
	return nil
}
