// Command offline runs stage 02 in the emulator (make local STAGE=02-split) or drives a load
// profile at it (make load STAGE=02-split). It only hands the stage's template and handlers to
// the shared command.
package main

import (
	"github.com/emilys-pastries/serverless-evolution/02-split/infra/golden"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/bakeryapi"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/inventory"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

// StackName is the stage's CloudFormation stack.
const StackName = "EmilysPastries02Split"

func main() {
	offline.Main(Stage())
}

// Stage is stage 02 as the emulator runs it. The card is charged before the API answers, so an
// order's journey through the API ends paid or failed. The payment provider is the emulator's own
// (payment.internal, served in-process).
func Stage() offline.Stage {
	return offline.Stage{
		Stage: emulator.Stage{
			Name:      "02-split",
			StackName: StackName,
			Template:  golden.Template,
			Handlers: offline.Handlers(StackName, map[string]lambda.Constructor{
				"Order":     offline.Wrap(bakeryapi.New, (*bakeryapi.Handler).Handle),
				"Inventory": offline.Wrap(inventory.New, (*inventory.Handler).Handle),
				"Payment":   offline.Wrap(payments.New, (*payments.Handler).Handle),
			}),
			Parameters: map[string]any{"PaymentProviderUrl": "http://payment.internal"},
		},
		Terminal: []string{"paid", "failed"},
	}
}
