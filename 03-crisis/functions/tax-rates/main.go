// Command tax-rates is the tax-rates function of 2022 (package pricing).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/pricing"
)

func main() {
	lambda.Start(pricing.TaxRates)
}
