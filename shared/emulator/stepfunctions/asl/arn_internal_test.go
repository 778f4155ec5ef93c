package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A TaskScheduled event names an optimized integration by its service and the rest of the
// resource ("arn:aws:states:::lambda:invoke" is type lambda, resource invoke), and any other
// resource by its ARN's service and the whole ARN
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskScheduledEventDetails.html,
// ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
func TestSplitResource(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, typ, res string }{
		{"arn:aws:states:::lambda:invoke", "lambda", "invoke"},
		{"arn:aws:states:::lambda:invoke.waitForTaskToken", "lambda", "invoke.waitForTaskToken"},
		{"arn:aws:states:::aws-sdk:dynamodb:getItem", "aws-sdk", "dynamodb:getItem"},
		{"arn:aws:states:::states:startExecution.sync:2", "states", "startExecution.sync:2"},
		{"arn:aws:lambda:us-east-1:000000000000:function:Bake", "lambda", "arn:aws:lambda:us-east-1:000000000000:function:Bake"},
		{"arn:aws:states:us-east-1:000000000000:activity:Decorate", "states", "arn:aws:states:us-east-1:000000000000:activity:Decorate"},
		{"arn:aws:states:::lambda", "states", "arn:aws:states:::lambda"},
		{"not-an-arn", "", "not-an-arn"},
	}
	for _, tt := range tests {
		typ, res := splitResource(tt.in)
		assert.Equal(t, tt.typ, typ, tt.in)
		assert.Equal(t, tt.res, res, tt.in)
	}
}

// A task waits for a token with the .waitForTaskToken pattern and on an activity, whose ARN is
// arn:aws:states:<region>:<account>:activity:<name>
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token,
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html).
func TestWaitsForToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"arn:aws:states:::lambda:invoke.waitForTaskToken", true},
		{"arn:aws:states:::sqs:sendMessage.waitForTaskToken", true},
		{"arn:aws:states:us-east-1:000000000000:activity:Decorate", true},
		{"arn:aws:states:::lambda:invoke", false},
		{"arn:aws:lambda:us-east-1:000000000000:function:Bake", false},
		{"arn:aws:states:us-east-1:000000000000:stateMachine:activity", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, waitsForToken(tt.in), tt.in)
	}
}
