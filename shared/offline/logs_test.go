package offline

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFunctionLogsGoToAFileTaggedWithTheFunction(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"inside an invocation", lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
			InvokedFunctionArn: "arn:aws:lambda:eu-west-1:000000000000:function:EmilysPastries02Split-Payment848C592B",
		}), `level=WARN msg="order not paid" order=abc function=EmilysPastries02Split-Payment848C592B`},
		{"outside one", context.Background(), `level=WARN msg="order not paid" order=abc` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slog.Default()
			path := filepath.Join(t.TempDir(), "logs", "run.log")
			fl, err := openFunctionLogs(path, nil)
			require.NoError(t, err)
			slog.WarnContext(tt.ctx, "order not paid", "order", "abc")
			require.NoError(t, fl.Close())
			assert.Same(t, before, slog.Default(), "Close restores the previous logger")

			b, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Contains(t, string(b), tt.want)
			assert.Equal(t, path+" (1 line)", fl.String())
		})
	}
}
