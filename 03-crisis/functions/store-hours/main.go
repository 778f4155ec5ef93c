// Command store-hours is the store-hours function of 2022 (package stores).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/stores"
)

func main() {
	lambda.Start(stores.Hours)
}
