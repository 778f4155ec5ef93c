// Command offline runs stage 01 in the emulator (make local STAGE=01-monolith) or drives a load
// profile at it (make load STAGE=01-monolith). It only hands the stage's template and handlers to
// the shared command.
package main

import (
	"github.com/emilys-pastries/serverless-evolution/01-monolith/infra/golden"
	"github.com/emilys-pastries/serverless-evolution/01-monolith/internal/bakeryapi"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

// StackName is the stage's CloudFormation stack.
const StackName = "EmilysPastries01Monolith"

func main() {
	offline.Main(Stage())
}

// Stage is stage 01 as the emulator runs it. Payment is taken by phone, so an order's journey
// through the API ends at pending-payment.
func Stage() offline.Stage {
	return offline.Stage{
		Stage: emulator.Stage{
			Name:      "01-monolith",
			StackName: StackName,
			Template:  golden.Template,
			Handlers: offline.Handlers(StackName, map[string]lambda.Constructor{
				"Bakery": offline.Wrap(bakeryapi.New, (*bakeryapi.Handler).Handle),
			}),
		},
		Terminal: []string{"pending-payment", "paid", "failed"},
	}
}
