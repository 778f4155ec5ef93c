// Command bootstrap is the payment provider's Lambda function for AWS runs (see package
// paymentlambda for its environment variables).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	paymentlambda "github.com/emilys-pastries/serverless-evolution/shared/payment/lambda"
)

func main() {
	h, err := paymentlambda.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(h.Handle)
}
