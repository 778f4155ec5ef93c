package lambda_test

import (
	"context"
	"testing"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cpupart"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
)

// A handler's CPU is the handler's, whoever invoked it, and its context carries the label, so
// that its SDK calls come back to it after the emulator served them (cpupart; make bench's
// emulator-cpu-ms/order and handler-cpu-ms/order rest on this).
func TestHandlersAreLabelledTheirOwn(t *testing.T) {
	tests := []struct {
		name    string
		invoker context.Context
	}{
		{"invoked by the emulator", context.Background()},
		{"invoked by a client", cpupart.With(context.Background(), cpupart.Client)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var during, fromContext string
			ctor := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
				return lambdago.NewHandler(func(ctx context.Context) (string, error) {
					during = cpupart.Current()
					cpupart.EnterEmulator() // as the in-process transport does while it serves a call
					cpupart.Return(ctx)
					fromContext = cpupart.Current()
					return "ok", nil
				}), nil
			}
			svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Fn": ctor}, lambda.Options{})
			defer svc.Close()
			name := provision(t, svc, "Fn", nil)
			cpupart.Enter(tt.invoker)
			res, err := svc.Invoke(tt.invoker, name, []byte(`{}`))
			require.NoError(t, err)
			require.Empty(t, res.FunctionError, string(res.Payload))
			assert.Equal(t, cpupart.Handler, during)
			assert.Equal(t, cpupart.Handler, fromContext, "after a served call the goroutine is the handler's again")
		})
	}
}
