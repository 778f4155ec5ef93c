package stepfunctions

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
)

// TestServiceFailureNames: an integration's error is "<service>.<exception>" as the service's
// SDK names it; a server error its SDK does not model (AWS's common errors InternalFailure and
// ServiceUnavailable) is the SDK's base exception, which a Retry on it catches
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html).
func TestServiceFailureNames(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"modelled exception", &sim.APIError{Status: 400, Code: "ConditionalCheckFailedException"}, "DynamoDB.ConditionalCheckFailedException"},
		{"code without the suffix", &sim.APIError{Status: 400, Code: "RequestLimitExceeded"}, "DynamoDB.RequestLimitExceededException"},
		{"namespaced code", &sim.APIError{Status: 400, Code: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"}, "DynamoDB.ResourceNotFoundException"},
		{"internal failure", &sim.APIError{Status: 500, Code: "InternalFailure"}, "DynamoDB.AmazonDynamoDBException"},
		{"service unavailable (a region down)", &sim.APIError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"}, "DynamoDB.AmazonDynamoDBException"},
		{"no code", &sim.APIError{Status: 500}, "DynamoDB.AmazonDynamoDBException"},
		{"not an API error", errors.New("connection refused"), "DynamoDB.SdkClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *asl.Failure
			require.ErrorAs(t, serviceFailure(tt.err, "DynamoDB", "AmazonDynamoDBException", "DynamoDb"), &f)
			assert.Equal(t, tt.want, f.Name)
		})
	}
}
