// Package cpupart labels goroutines with whom the CPU they spend is for: the emulator, a
// function's handler (the stage's own code and its SDK clients) or a client of the emulator
// (the load tool, a benchmark), so that a CPU profile of the one process splits its CPU between
// them (runtime/pprof labels, key Label). The emulator itself, its services and the modelled
// third parties it serves (the payment provider, the kitchen) count as Emulator.
//
// Where the label changes: the in-process transport labels the goroutine Emulator while a
// request is served and gives it back the caller's part (read from the request's context)
// afterwards; a Lambda invocation labels its handler's goroutine Handler, and its context, so
// that the SDK calls it makes come back to Handler; workers label each task Emulator.
// Goroutines inherit their creator's labels. What no label covers (the collector's own workers,
// the runtime) is nobody's part.
package cpupart

import (
	"bytes"
	"context"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
)

// Label is the profile label's key.
const Label = "part"

// The parts.
const (
	Emulator = "emulator"
	Handler  = "handler"
	Client   = "client"
)

var emulatorCtx = With(context.Background(), Emulator)

// With returns ctx carrying the label part.
func With(ctx context.Context, part string) context.Context {
	return pprof.WithLabels(ctx, pprof.Labels(Label, part))
}

// Enter labels the calling goroutine with ctx's labels.
func Enter(ctx context.Context) { pprof.SetGoroutineLabels(ctx) }

// EnterEmulator labels the calling goroutine Emulator.
func EnterEmulator() { pprof.SetGoroutineLabels(emulatorCtx) }

// Return gives the calling goroutine back the part of ctx, a request's context, once the
// emulator has served the request (EnterEmulator before it). A ctx without a part leaves the
// goroutine the emulator's: a caller that never labelled itself was the emulator's already.
func Return(ctx context.Context) {
	if _, ok := pprof.Label(ctx, Label); ok {
		pprof.SetGoroutineLabels(ctx)
	}
}

var labelsLine = regexp.MustCompile(`# labels: \{.*"` + Label + `":"([^"]*)".*\}`)

// Current returns the part the calling goroutine is labelled with, "" for none. It reads the
// whole goroutine profile (the one place the runtime shows a goroutine's labels): for tests.
func Current() string {
	pc, _, _, _ := runtime.Caller(1) // a frame only the caller's goroutine is in
	fn := runtime.FuncForPC(pc).Name() + "+"
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		return ""
	}
	for _, rec := range strings.Split(b.String(), "\n\n") {
		if strings.Contains(rec, fn) {
			if m := labelsLine.FindStringSubmatch(rec); m != nil {
				return m[1]
			}
			return ""
		}
	}
	return ""
}
