package apigateway

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Integration URIs as API Gateway documents them
// (https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html, uri): the service may
// carry a subdomain, as StartSyncExecution's "sync.states" does in what the CDK synthesizes.
func TestParseAWSURI(t *testing.T) {
	tests := []struct {
		uri, service, action string
	}{
		{"arn:aws:apigateway:us-east-1:states:action/StartExecution", "states", "StartExecution"},
		{"arn:aws:apigateway:eu-west-1:sync.states:action/StartSyncExecution", "states", "StartSyncExecution"},
		{"arn:aws:apigateway:us-east-1:dynamodb:action/GetItem", "dynamodb", "GetItem"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			var m mappedIntegration
			require.NoError(t, m.parseAWSURI(tt.uri))
			assert.Equal(t, tt.service, m.service)
			assert.Equal(t, tt.action, m.action)
		})
	}
}
