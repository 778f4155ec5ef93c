// Command offline runs stage 02 in the emulator (make local STAGE=02-split) or drives a load
// profile at it (make load STAGE=02-split). It only hands the stage's template and handlers to
// the shared command.
package main

import (
	"context"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/02-split/infra/golden"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/bakeryapi"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/inventory"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

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
			StackName: "EmilysPastries02Split",
			Template:  golden.Template,
			Handlers: map[string]lambda.Constructor{
				"EmilysPastries02Split/Order": func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
					h, err := bakeryapi.New(ctx, cfg, getenv)
					if err != nil {
						return nil, err
					}
					return lambdago.NewHandler(h.Handle), nil
				},
				"EmilysPastries02Split/Inventory": func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
					h, err := inventory.New(ctx, cfg, getenv)
					if err != nil {
						return nil, err
					}
					return lambdago.NewHandler(h.Handle), nil
				},
				"EmilysPastries02Split/Payment": func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
					h, err := payments.New(ctx, cfg, getenv)
					if err != nil {
						return nil, err
					}
					return lambdago.NewHandler(h.Handle), nil
				},
			},
			Parameters: map[string]any{"PaymentProviderUrl": "http://payment.internal"},
		},
		Terminal: []string{"paid", "failed"},
	}
}
