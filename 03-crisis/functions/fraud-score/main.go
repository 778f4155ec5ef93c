// Command fraud-score is the fraud-score function of 2022 (package payments).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/payments"
)

func main() {
	lambda.Start(payments.FraudScore)
}
