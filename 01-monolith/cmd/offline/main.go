// Command offline runs stage 01 in the emulator (make local STAGE=01-monolith) or drives a load
// profile at it (make load STAGE=01-monolith). It only hands the stage's template and handlers to
// the shared command.
package main

import (
	"context"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/01-monolith/infra/golden"
	"github.com/emilys-pastries/serverless-evolution/01-monolith/internal/bakeryapi"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

func main() {
	offline.Main(Stage())
}

// Stage is stage 01 as the emulator runs it. Payment is taken by phone, so an order's journey
// through the API ends at pending-payment.
func Stage() offline.Stage {
	return offline.Stage{
		Stage: emulator.Stage{
			Name:      "01-monolith",
			StackName: "EmilysPastries01Monolith",
			Template:  golden.Template,
			Handlers: map[string]lambda.Constructor{
				"EmilysPastries01Monolith/Bakery": func(ctx context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
					h, err := bakeryapi.New(ctx, cfg, getenv)
					if err != nil {
						return nil, err
					}
					return lambdago.NewHandler(h.Handle), nil
				},
			},
		},
		Terminal: []string{"pending-payment", "paid", "failed"},
	}
}
