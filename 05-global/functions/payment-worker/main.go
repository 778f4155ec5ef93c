// Command payment-worker is the payment-worker function of 2024 (package payments): charges the payment queue's batches at the provider and answers the waiting workflows.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/payments"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	h, err := payments.NewWorker(ctx, cfg, os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
