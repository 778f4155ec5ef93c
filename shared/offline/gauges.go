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
		c := readCounts(emus, true)
		return loadgen.Gauges{LambdaConcurrency: c.concurrency, LambdaThrottles: c.throttles, DynamoDBThrottles: c.dynamo,
			QueueDepth: c.queued, Queues: c.queues}
	}
}

// counts are the emulators' metrics a run is followed by, summed over the regions.
type counts struct {
	concurrency int64 // Lambda, every account
	throttles   int64 // Lambda, since the start
	timeouts    int64 // Lambda, since the start
	dynamo      int64 // DynamoDB throttles, since the start
	queued      int64 // messages in every queue, visible and in flight
	queues      bool  // whether there is any queue
}

// readCounts reads counts from emus; the queues only when withQueues.
func readCounts(emus []*emulator.Emulator, withQueues bool) counts {
	var c counts
	for _, emu := range emus {
		for _, m := range emu.Metrics().Counts() {
			switch m.Kind {
			case "lambda-account":
				c.concurrency += m.Concurrent
			case "lambda":
				c.throttles += m.Throttles
				c.timeouts += m.Timeouts
			case "dynamodb":
				c.dynamo += m.Throttles
			}
		}
		if !withQueues {
			continue
		}
		for _, svc := range emu.Services() {
			q, ok := svc.(*sqs.Service)
			if !ok {
				continue
			}
			for _, name := range q.Model().Names() {
				c.queues = true
				if st, err := q.Stats(name); err == nil {
					c.queued += int64(st.Visible + st.InFlight)
				}
			}
		}
	}
	return c
}
