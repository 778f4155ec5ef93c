// Command currency-router is the currency-router function of 2022 (package catalog).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/catalog"
)

func main() {
	lambda.Start(catalog.CurrencyRouter)
}
