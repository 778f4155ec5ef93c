// Command pickup-reminder is the pickup-reminder function of 2024 (package reminders): reminds customers whose order still waits on the counter.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/reminders"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	h, err := reminders.NewReminder(ctx, cfg, os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
