package pipes_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/pipes"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

// BenchmarkPipe measures a pipe's cost per event with a zero latency model on the wall clock:
// b.N messages wait in the source queue, then the pipe is started and the clock runs until
// every one has been delivered and deleted. The SQS calls (receive, delete, send) are
// included; the Lambda target is a no-op fake.
//
//	go test -run '^$' -bench BenchmarkPipe -benchtime 20000x ./shared/emulator/pipes/
func BenchmarkPipe(b *testing.B) {
	cases := []struct {
		name string
		in   pipes.Input
		done func(f *fixture) bool
	}{
		{"sqs to lambda", pipes.Input{Target: workerFn}, nil},
		{"sqs filter and template to sqs", pipes.Input{Target: out,
			SourceParameters: &pipes.SourceParameters{FilterCriteria: &pipes.FilterCriteria{Filters: []pipes.Filter{{Pattern: `{"body":{"type":["paid"]}}`}}}},
			TargetParameters: &pipes.TargetParameters{InputTemplate: ptr(`{"order": <$.body.order>, "pipe": <aws.pipes.pipe-name>}`)}}, nil},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			env := &sim.Env{Region: "us-east-1", AccountID: account, StackName: "Bench", Latency: latency.Zero()}
			f := &fixture{env: env, sqs: sqs.New(env), lambda: &fakeService{}}
			f.lambda.answer = func(string, map[string]any) (any, error) { return lambdaAnswer(nil, nil) }
			env.Register("lambda", f.lambda)
			f.pipes = pipes.New(env, pipes.Options{})
			b.Cleanup(func() { _ = f.pipes.Close(); _ = f.sqs.Close() })
			f.orders = f.create(b, "orders", nil)
			f.out = f.create(b, "out", nil)
			bodies := make([]string, b.N)
			for i := range bodies {
				bodies[i] = `{"type":"paid","order":"o-` + strconv.Itoa(i) + `"}`
			}
			f.send(b, bodies...)
			in := tc.in
			in.Name, in.RoleArn, in.Source, in.DesiredState = "bench", role, orders, pipes.StateStopped
			_, err := f.pipes.Create(context.Background(), in)
			require.NoError(b, err)
			stats := func() (int, int) {
				st, err := f.sqs.Stats("orders")
				require.NoError(b, err)
				return st.Visible, st.InFlight
			}
			b.ResetTimer()
			_, err = f.pipes.Start("bench")
			require.NoError(b, err)
			for {
				v, n := stats()
				if v == 0 && n == 0 {
					break
				}
				time.Sleep(100 * time.Microsecond)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
		})
	}
}
