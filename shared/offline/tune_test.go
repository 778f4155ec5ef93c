package offline_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

// hashing is a CPU-bound handler: SHA-256 chained over a 256 KB buffer, rounds times. It never
// sleeps.
func hashing(rounds int) lambda.Constructor {
	return func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(context.Context, json.RawMessage) (string, error) {
			buf := bytes.Repeat([]byte("brioche"), 1<<15)
			var sum [32]byte
			for range rounds {
				sum = sha256.Sum256(buf)
				copy(buf, sum[:])
			}
			return string(sum[:2]), nil
		}), nil
	}
}

// make tune runs the function at each memory size with the CPU model on: a CPU-bound handler is
// about 13.8 times slower at 128 MB than at 1,769 MB (Lambda gives 1 vCPU at 1,769 MB and CPU in
// proportion to memory, https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html),
// and no faster at 3,538 MB, where it costs twice as much per invocation.
func TestTuneCPUBoundFunction(t *testing.T) {
	st := stage(t)
	st.Handlers = map[string]lambda.Constructor{"Kitchen/Kitchen": hashing(40)}
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	require.NoError(t, os.WriteFile(event, []byte(`{"order":"o-1"}`), 0o644))
	var out, errOut bytes.Buffer
	err := offline.Run(context.Background(), []string{"tune", "-function", "kitchen", "-event", event, "-model", "zero",
		"-memory", "3538,128,1769", "-n", "3", "-out", dir}, func(string) string { return "" }, &out, &errOut, st)
	require.NoError(t, err, errOut.String())
	t.Log(out.String())

	b, err := os.ReadFile(filepath.Join(dir, "00-test.kitchen.json"))
	require.NoError(t, err)
	var res offline.TuneResult
	require.NoError(t, json.Unmarshal(b, &res))
	require.Len(t, res.Rows, 3)
	rows := map[int]offline.TuneRow{}
	for _, r := range res.Rows {
		rows[r.MemoryMB] = r
		assert.Equal(t, 3, r.Invocations)
		assert.Zero(t, r.Errors)
		assert.Positive(t, r.CPUMS)
	}
	assert.Equal(t, []int{128, 1769, 3538}, []int{res.Rows[0].MemoryMB, res.Rows[1].MemoryMB, res.Rows[2].MemoryMB}, "sorted by memory")
	// At 128 MB the duration is the model's 13.8 times the measured CPU (the real clock adds a
	// little: timers, the invoke path).
	assert.InEpsilon(t, 1769.0/128, rows[128].MeanMS/rows[128].CPUMS, 0.3)
	assert.Greater(t, rows[128].MeanMS, 4*rows[1769].MeanMS, "128 MB is much slower")
	assert.Less(t, rows[3538].MeanMS, 2*rows[1769].MeanMS, "one goroutine gains nothing from a second vCPU")
	assert.NotEqual(t, 128, res.Fastest)
	assert.Greater(t, rows[3538].USDARM, rows[1769].USDARM)
	assert.Equal(t, "arm64", res.Architecture)
	assert.Contains(t, out.String(), "cheapest")

	svg, err := os.ReadFile(filepath.Join(dir, "00-test.kitchen.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "<svg")
	assert.Contains(t, string(svg), "1769")
	assert.Contains(t, errOut.String(), "tune: kitchen at 128 MB", "progress on stderr")
}

func TestTuneRejectsBadUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no function", []string{"tune"}, "-function is required"},
		{"missing event file", []string{"tune", "-function", "kitchen", "-model", "zero", "-event", "testdata-missing.json"}, "-event"},
		{"bad memory", []string{"tune", "-function", "kitchen", "-memory", "64"}, "not a memory size from 128 to 10240 MB"},
		{"bad count", []string{"tune", "-function", "kitchen", "-n", "0"}, "-n must be 1 or more"},
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

// FUNCTION names the function as its directory under functions/ does; a wrong name lists the
// stage's functions.
func TestTuneUnknownFunctionListsTheStagesFunctions(t *testing.T) {
	event := filepath.Join(t.TempDir(), "event.json")
	require.NoError(t, os.WriteFile(event, []byte(`{}`), 0o644))
	var out, errOut bytes.Buffer
	err := offline.Run(context.Background(), []string{"tune", "-function", "kitchn", "-model", "zero", "-event", event},
		func(string) string { return "" }, &out, &errOut, stage(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no function "kitchn" in this stage; its functions are: kitchen`)
}
