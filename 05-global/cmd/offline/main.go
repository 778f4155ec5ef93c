// Command offline runs stage 04 in the emulator (make local STAGE=04-refactor) or drives a load
// profile at it (make load STAGE=04-refactor): it hands the stage's template and handlers to the
// shared command.
package main

import (
	"github.com/emilys-pastries/serverless-evolution/05-global/infra/golden"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// StackName is the stage's CloudFormation stack.
const StackName = "EmilysPastries04Refactor"

// KitchenHost is the modelled kitchen's host offline, like payment.InternalHost for the provider.
const KitchenHost = "kitchen.internal"

func main() {
	offline.Main(Stage())
}

// Stage is stage 04 as the emulator runs it. POST /orders answers 201 "pending-payment" at
// once; the load tool follows GET /orders/{id} until the kitchen has marked the order ready or it
// failed. Paid is not terminal any more: payment happens after the answer.
func Stage() offline.Stage {
	return offline.Stage{
		Stage: emulator.Stage{
			Name:      "04-refactor",
			StackName: StackName,
			Template:  golden.Template,
			Handlers:  Handlers(),
			Parameters: map[string]any{
				"PaymentProviderUrl":   "http://" + payment.InternalHost,
				"KitchenDisplayUrl":    "http://" + KitchenHost,
				"KitchenDisplayApiKey": "offline-kitchen-key",
			},
		},
		Terminal:   []string{"ready", "picked-up", "failed"},
		Milestones: []string{"paid", "ready"},
	}
}
