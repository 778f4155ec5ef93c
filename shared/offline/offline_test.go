package offline_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
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
		{"fault without a rule", []string{"local", "-fault", "payment"}, "must look like RESOURCE@RULE"},
		{"fault with a bad latency", []string{"load", "-fault", "payment@latency=2"}, "latency must be a duration above zero"},
		{"fault with a bad rate", []string{"load", "-fault", "payment@error_rate=1.5"}, "error_rate must be a number above 0 and at most 1"},
		{"fault with an unknown rule", []string{"load", "-fault", "payment@slow"}, `unknown rule "slow"`},
		{"fault on a resource the stage lacks", []string{"local", "-addr", "127.0.0.1:0", "-model", "zero", "-fault", "lambda:Kitchen-Kitchn@throttle"},
			`no resource "lambda:Kitchen-Kitchn" to put a fault on in stage 00-test; the resources are apigateway:`},
		{"fault against a deployed stage", []string{"load", "-target", "https://example.com/prod", "-fault", "payment@throttle"}, "-fault needs the emulator"},
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

// A fault given on the command line is on from the first request: every order is throttled at
// the function, API Gateway answers 500, and the result says which fault the run had.
func TestLoadWithAFault(t *testing.T) {
	dir := t.TempDir()
	out := dir + "/result.json"
	var stdout, stderr bytes.Buffer
	args := []string{"load", "-profile", "smoke", "-model", "zero", "-quiet", "-logs", dir + "/fn.log", "-out", out,
		"-fault", "lambda:Kitchen-Kitchen@throttle;payment@latency=1s"}
	st := stage(t)
	// The load tool places orders: serve the kitchen's function at POST /orders.
	st.Template = bytes.Replace(st.Template, []byte(`"PathPart": "tickets"`), []byte(`"PathPart": "orders"`), 1)
	require.NoError(t, offline.Run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr, st))

	assert.Contains(t, stderr.String(), "fault on lambda:Kitchen-Kitchen: throttled")
	assert.Contains(t, stderr.String(), "fault on payment: +1s a call")
	res, err := loadgen.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, res.Offered, res.Outcomes.Server5xx, "every order answered 500")
	assert.Equal(t, "make load STAGE=00-test PROFILE=smoke SEED=7 FAULT='lambda:Kitchen-Kitchen@throttle;payment@latency=1s'", res.Environment.Command)
}

// Any stage can be explained: the run's outcome, its functions and a waterfall as Markdown, with
// the stage's own section between the functions and the waterfall.
func TestExplain(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a ten-second load run")
	}
	st := stage(t)
	st.Template = bytes.Replace(st.Template, []byte(`"PathPart": "tickets"`), []byte(`"PathPart": "orders"`), 1)
	st.Explain = func(_ context.Context, w io.Writer, emu *emulator.Emulator) {
		fmt.Fprintf(w, "the stage's own section: %d functions\n\n", len(emu.Lambda.Functions()))
	}
	var stdout, stderr bytes.Buffer
	args := []string{"explain", "-profile", "smoke", "-scale", "0.2", "-model", "zero", "-quiet"}
	require.NoError(t, offline.Run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr, st))
	out := stdout.String()
	for _, want := range []string{
		"Generated by `go run ./00-test/cmd/offline explain -profile smoke -seed 7 -scale 0.2`",
		"orders offered", "| s | orders |", "| kitchen |", "the stage's own section: 1 functions", "order:",
	} {
		assert.Contains(t, out, want)
	}
	assert.Less(t, strings.Index(out, "| kitchen |"), strings.Index(out, "the stage's own section"))
}
