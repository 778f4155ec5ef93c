package stepfunctions

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// An optimized integration's resource is arn:aws:states:::<service>:<action>[.<pattern>], an ARN
// without region or account
// (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html); anything else
// (a Lambda function's ARN, an activity's) is not one.
func TestIntegration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, rest string
		ok       bool
	}{
		{"arn:aws:states:::lambda:invoke", "lambda:invoke", true},
		{"arn:aws:states:::sqs:sendMessage.waitForTaskToken", "sqs:sendMessage.waitForTaskToken", true},
		{"arn:aws:states:::aws-sdk:dynamodb:getItem", "aws-sdk:dynamodb:getItem", true},
		{"arn:aws:states:::", "", true},
		{"arn:aws:lambda:us-east-1:000000000000:function:Bake", "", false},
		{"arn:aws:states:us-east-1:000000000000:activity:Decorate", "", false},
		{"arn:aws-cn:states:::lambda:invoke", "", false},
		{"lambda:invoke", "", false},
	}
	for _, tt := range tests {
		rest, ok := integration(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.rest, rest, tt.in)
	}
}
