// Command offline runs stage 03 in the emulator (make local STAGE=03-crisis), drives a load
// profile at it (make load STAGE=03-crisis), or runs a profile and explains it: the waterfall of
// the slowest order, the payment provider's counters and every function's metrics
// (go run ./03-crisis/cmd/offline explain). It hands the stage's template, handlers and its hot
// store counters (for explain) to the shared command.
package main

import (
	"os"
	"runtime/debug"

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
		Explain:  writeCounters,
	}
}
