package pipes

import (
	"context"
	"strconv"
	"testing"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// answers is a caller that answers every operation with the same JSON, standing in for SQS and
// Lambda so that only the pipe's own work is measured.
type answers []byte

func (a answers) Call(context.Context, string, []byte) ([]byte, error) { return a, nil }

// BenchmarkExecution measures the pipe's own cost per event with a zero latency model: a batch
// of 10 received messages goes through filtering, the target template and delivery, with SQS
// and Lambda answering at once.
//
//	go test -run '^$' -bench BenchmarkExecution ./shared/emulator/pipes/
func BenchmarkExecution(b *testing.B) {
	cases := []struct {
		name string
		in   Input
	}{
		{"no filter to lambda", Input{Target: "arn:aws:lambda:us-east-1:000000000000:function:Worker"}},
		{"filter and template to lambda", Input{Target: "arn:aws:lambda:us-east-1:000000000000:function:Worker",
			SourceParameters: &SourceParameters{FilterCriteria: &FilterCriteria{Filters: []Filter{{Pattern: `{"body":{"type":["paid"]}}`}}}},
			TargetParameters: &TargetParameters{InputTemplate: ptr(`{"order": <$.body.order>, "pipe": <aws.pipes.pipe-name>}`)}}},
		{"filter and template to sqs", Input{Target: "arn:aws:sqs:us-east-1:000000000000:out",
			SourceParameters: &SourceParameters{FilterCriteria: &FilterCriteria{Filters: []Filter{{Pattern: `{"body":{"type":["paid"]}}`}}}},
			TargetParameters: &TargetParameters{InputTemplate: ptr(`{"order": <$.body.order>, "pipe": <aws.pipes.pipe-name>}`)}}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", Latency: latency.Zero(), Metrics: &metrics.Registry{}}
			env.Register("sqs", answers(`{"QueueUrl":"http://emulator.internal/000000000000/q"}`))
			env.Register("lambda", answers(`{"StatusCode":200,"Payload":null}`))
			s := New(env, Options{})
			in := tc.in
			in.Name, in.RoleArn, in.Source, in.DesiredState = "bench", "arn:aws:iam::000000000000:role/r", "arn:aws:sqs:us-east-1:000000000000:orders", StateStopped
			if _, err := s.Create(context.Background(), in); err != nil {
				b.Fatal(err)
			}
			p, _ := s.lookup("bench")
			c := p.config()
			batch := make([]message, 10)
			for i := range batch {
				id := strconv.Itoa(i)
				batch[i] = message{MessageId: "m-" + id, ReceiptHandle: "h-" + id, Body: `{"type":"paid","order":"o-` + id + `"}`,
					Attributes: map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183", "SenderId": "AIDA"}}
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += len(batch) {
				p.execute(ctx, c, batch)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
		})
	}
}

func ptr[T any](v T) *T { return &v }
