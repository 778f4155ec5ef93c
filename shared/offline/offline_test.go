package offline_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

func stage(t *testing.T) offline.Stage {
	t.Helper()
	tmpl, err := os.ReadFile("../emulator/testdata/kitchen.template.json")
	require.NoError(t, err)
	ok := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{StatusCode: 200}, nil
		}), nil
	}
	return offline.Stage{Stage: emulator.Stage{Name: "00-test", StackName: "Kitchen", Template: tmpl,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": ok}}}
}

func TestRunRejectsBadUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "a command is required"},
		{"unknown command", []string{"deploy"}, `unknown command "deploy"`},
		{"unknown profile", []string{"load", "-profile", "lunch"}, "smoke"},
		{"bad scale", []string{"load", "-scale", "0"}, "-scale must be above 0"},
		{"bad model", []string{"local", "-model", "fast"}, "-model must be aws or zero"},
		{"public address", []string{"local", "-addr", "0.0.0.0:0", "-model", "zero"}, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := offline.Run(context.Background(), tt.args, func(string) string { return "" }, &out, &errOut, stage(t))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLocalPrintsWhereEverythingIs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan error)
	go func() {
		done <- offline.Run(ctx, []string{"local", "-addr", "127.0.0.1:0", "-model", "zero"}, func(string) string { return "" }, &out, &errOut, stage(t))
	}()
	cancel()
	require.NoError(t, <-done)
	s := out.String()
	for _, want := range []string{"API           http://127.0.0.1:", "AWS endpoint  http://127.0.0.1:", "Kitchen-Kitchen", "Kitchen-Tickets", "/_emulator/metrics"} {
		assert.True(t, strings.Contains(s, want), "output lacks %q:\n%s", want, s)
	}
}
