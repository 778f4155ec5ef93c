// Command request-parser is the request-parser function of 2022 (package api).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/api"
)

func main() {
	lambda.Start(api.ParseRequestBody)
}
