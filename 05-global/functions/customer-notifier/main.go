// Command customer-notifier is the customer-notifier function of 2024 (package notify): writes a failed order's apology into the outbox.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/notify"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	h, err := notify.NewNotifier(ctx, cfg, os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
