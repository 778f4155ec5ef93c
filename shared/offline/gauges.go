package offline

import (
	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// emulatorGauges reads what a load result keeps second by second (loadgen.Gauges) from the
// emulators of a stage's regions, summed over them: Lambda concurrency of every account,
// Lambda and DynamoDB throttles, and the messages in every queue (visible and in flight).
func emulatorGauges(emus ...*emulator.Emulator) func() loadgen.Gauges {
	return func() loadgen.Gauges {
		var g loadgen.Gauges
		for _, emu := range emus {
			for _, m := range emu.Metrics().Snapshot() {
				switch m.Kind {
				case "lambda-account":
					g.LambdaConcurrency += m.Concurrent
				case "lambda":
					g.LambdaThrottles += m.Throttles
				case "dynamodb":
					g.DynamoDBThrottles += m.Throttles
				}
			}
			for _, svc := range emu.Services() {
				q, ok := svc.(*sqs.Service)
				if !ok {
					continue
				}
				for _, name := range q.Model().Names() {
					g.Queues = true
					if st, err := q.Stats(name); err == nil {
						g.QueueDepth += int64(st.Visible + st.InFlight)
					}
				}
			}
		}
		return g
	}
}
