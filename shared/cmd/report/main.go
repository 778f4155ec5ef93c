// Command report turns the load result files into docs/results.md, the SVG charts in docs/charts
// and the "Measured" block of every stage README.
//
//	go run ./shared/cmd/report [-results docs/results] [-docs docs] [-root .] [-table]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/emilys-pastries/serverless-evolution/shared/report"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// run follows the project's CLI shape. The report is quick and local, so it neither watches ctx
// nor reads the environment.
func run(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	resultsDir := fs.String("results", "docs/results", "directory of load result files (*.json)")
	docsDir := fs.String("docs", "docs", "directory that gets results.md and charts/")
	root := fs.String("root", ".", "repository root, holding the stage directories and their READMEs")
	table := fs.Bool("table", false, "also print each profile's comparison table")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: the report takes flags only", fs.Args())
	}

	rep, err := report.Build(*resultsDir, *docsDir, *root)
	if err != nil {
		return err
	}
	for _, path := range rep.Written {
		fmt.Fprintln(stdout, "wrote", path)
	}
	for _, path := range rep.READMEs {
		fmt.Fprintln(stdout, "refreshed", path)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(stdout, "skipped %s: %s\n", s.Path, s.Reason)
	}
	if !*table {
		return nil
	}
	profiles := map[string]bool{}
	for _, r := range rep.Results {
		if profiles[r.Profile] {
			continue
		}
		profiles[r.Profile] = true
		fmt.Fprintln(stdout)
		if err := report.Table(stdout, rep.Results, r.Profile); err != nil {
			return fmt.Errorf("print table: %w", err)
		}
	}
	return nil
}
