package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// The forms of FunctionName the Lambda API accepts
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#lambda-Invoke-request-FunctionName).
func TestFunctionName(t *testing.T) {
	t.Parallel()
	tests := []struct{ ref, want string }{
		{"order-api", "order-api"},
		{"order-api:$LATEST", "order-api"},
		{"123456789012:function:order-api", "order-api"},
		{"arn:aws:lambda:us-east-1:123456789012:function:order-api", "order-api"},
		{"arn:aws:lambda:us-east-1:123456789012:function:order-api:prod", "order-api"},
		{"arn:aws:lambda:us-east-1:123456789012:function:activity", "activity"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sim.FunctionName(tt.ref), tt.ref)
	}
}

func TestARNResource(t *testing.T) {
	t.Parallel()
	tests := []struct{ ref, want string }{
		{"arn:aws:sqs:us-east-1:123456789012:PaymentQueue", "PaymentQueue"},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/Orders", "table/Orders"},
		{"PaymentQueue", "PaymentQueue"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sim.ARNResource(tt.ref), tt.ref)
	}
}
