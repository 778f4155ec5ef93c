// Command stock-update is the stock-update function of 2022 (package stock).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/stock"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	h, err := stock.NewCounting(ctx, cfg, os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Update)
}
