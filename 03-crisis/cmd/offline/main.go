// Command offline runs stage 03 in the emulator (make local STAGE=03-crisis), drives a load
// profile at it (make load STAGE=03-crisis), or runs a profile and explains it: the waterfall of
// the slowest order, the payment provider's counters and every function's metrics
// (go run ./03-crisis/cmd/offline explain). It hands the stage's template and handlers to the
// shared command for the first two.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/infra/golden"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// StackName is the stage's CloudFormation stack.
const StackName = "EmilysPastries03Crisis"

func main() {
	// Forty-two functions in one process allocate a lot; collecting less often keeps the
	// emulator's own CPU use, not the laptop, out of the numbers. GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if len(os.Args) > 1 && os.Args[1] == "explain" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := runExplain(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		if err != nil {
			if !errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(os.Stderr, "error:", err)
			}
			os.Exit(1)
		}
		return
	}
	offline.Main(Stage())
}

// Stage is stage 03 as the emulator runs it. The order API answers only when the whole chain
// is done, with the order paid or failed.
func Stage() offline.Stage {
	return offline.Stage{
		Stage: emulator.Stage{
			Name:       "03-crisis",
			StackName:  StackName,
			Template:   golden.Template,
			Handlers:   Handlers(),
			Parameters: map[string]any{"PaymentProviderUrl": "http://" + payment.InternalHost},
		},
		Terminal: []string{"paid", "failed"},
	}
}
