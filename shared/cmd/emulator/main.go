// Command emulator serves any CloudFormation template in the offline AWS emulator on a loopback
// port, for the AWS CLI, boto3 or an SDK: a template whose resources need no Lambda handlers
// (queues, buses, rules, tables, state machines, Event APIs) runs as it is.
//
//	go run ./shared/cmd/emulator -template shared/emulator/testdata/messaging.template.json
//	aws --endpoint-url http://127.0.0.1:4566 --region us-east-1 sqs list-queues
//
// A stage, with its handlers, runs with make local STAGE=… instead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

func main() {
	sim.TuneGC() // the collector as every emulator command runs it (sim.GCPercent)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(1)
	}
}

// params collects repeated -param Key=Value flags.
type params map[string]any

func (p params) String() string { return fmt.Sprint(map[string]any(p)) }

func (p params) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("-param wants Key=Value, got %q", v)
	}
	p[k] = val
	return nil
}

// ready, when set by a test, is told the emulator's URL once it listens.
var ready func(url string)

func run(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./shared/cmd/emulator -template FILE [-addr 127.0.0.1:4566] [-stack NAME] [-param Key=Value]... [-model zero|aws]\n\n")
		fs.PrintDefaults()
	}
	template := fs.String("template", "", "the CloudFormation template (JSON) to serve")
	addr := fs.String("addr", "127.0.0.1:4566", "loopback address to serve the AWS APIs on")
	stack := fs.String("stack", "Emulated", "the stack name, used in physical names")
	region := fs.String("region", "us-east-1", "the emulated region")
	model := fs.String("model", "aws", "latency model: aws (sourced) or zero")
	ps := params{}
	fs.Var(ps, "param", "a template parameter, Key=Value (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *template == "" {
		fs.Usage()
		return errors.New("-template is required")
	}
	body, err := os.ReadFile(*template)
	if err != nil {
		return fmt.Errorf("read the template: %w", err)
	}
	opts := emulator.Options{Addr: *addr, Region: *region, Seed: 1}
	switch *model {
	case "aws":
	case "zero":
		opts.Latency = latency.Zero()
	default:
		return fmt.Errorf("-model must be aws or zero, got %q", *model)
	}
	emu, err := emulator.New(emulator.Stage{Name: *template, StackName: *stack, Template: body, Parameters: ps}, opts)
	if err != nil {
		return err
	}
	defer emu.Close()
	if err := emu.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Serving %s on %s (region %s, any credentials).\n\nResources:\n", *template, emu.URL(), *region)
	rs := emu.SimResources()
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Type < rs[j].Type })
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, r := range rs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Type, r.Physical, r.ID)
	}
	_ = tw.Flush()
	if len(emu.Outputs()) > 0 {
		fmt.Fprintln(stdout, "\nOutputs:")
		keys := make([]string, 0, len(emu.Outputs()))
		for k := range emu.Outputs() {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(stdout, "  %s = %v\n", k, emu.Outputs()[k])
		}
	}
	fmt.Fprintf(stdout, "\nTry: aws --endpoint-url %s --region %s sqs list-queues\nCtrl-C stops it.\n", emu.URL(), *region)
	if ready != nil {
		ready(emu.URL())
	}
	<-ctx.Done()
	return nil
}
