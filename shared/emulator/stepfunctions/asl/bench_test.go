package asl_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
)

// benchDefinition enters ten states: four Pass, two Choice, a Parallel of two Tasks and a
// Succeed.
const benchDefinition = `{"StartAt":"Start","States":{
	"Start":{"Type":"Pass","Result":{"limit":10},"ResultPath":"$.config","Next":"Shape"},
	"Shape":{"Type":"Pass","Parameters":{"order.$":"$.order","limit.$":"$.config.limit","exec.$":"$$.Execution.Name"},"Next":"Route"},
	"Route":{"Type":"Choice","Choices":[{"Variable":"$.order.quantity","NumericLessThanEqualsPath":"$.limit","Next":"Fanout"}],"Default":"TooMany"},
	"Fanout":{"Type":"Parallel","ResultPath":"$.results","Next":"Merge","Branches":[
		{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"charge","Payload.$":"$.order"},"End":true}}},
		{"StartAt":"Reserve","States":{"Reserve":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"stock","Item":{"id":{"S.$":"$.order.id"}}},"ResultSelector":{"ok":true},"End":true}}}]},
	"Merge":{"Type":"Pass","Parameters":{"order.$":"$.order","charged.$":"$.results[0]"},"Next":"Check"},
	"Check":{"Type":"Choice","Choices":[{"Variable":"$.charged","IsPresent":true,"Next":"Done"}],"Default":"TooMany"},
	"Done":{"Type":"Pass","OutputPath":"$.order","Next":"End"},
	"End":{"Type":"Succeed"},
	"TooMany":{"Type":"Fail","Error":"TooMany"}}}`

const benchInput = `{"order":{"id":"o-1","item":"croissant","quantity":3}}`

const benchStates = 10

// noopTasks answers every task with a fixed result.
type noopTasks struct{}

func (noopTasks) Invoke(context.Context, string, any, string, time.Duration, time.Duration) (any, error) {
	return map[string]any{"StatusCode": "200"}, nil
}

func benchRun(b *testing.B, listener asl.Listener) {
	m, err := asl.Parse([]byte(benchDefinition))
	if err != nil {
		b.Fatal(err)
	}
	opts := asl.RunOptions{ExecutionName: "bench", Tasks: noopTasks{}, Listener: listener}
	ctx := context.Background()
	input := []byte(benchInput)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		res, err := m.Run(ctx, input, opts)
		lat = append(lat, time.Since(start))
		if err != nil || res.Status != asl.StatusSucceeded || res.Transitions != benchStates {
			b.Fatalf("run: %v %+v", err, res)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		p50 := lat[len(lat)/2]
		p99 := lat[len(lat)*99/100]
		b.ReportMetric(float64(p50.Nanoseconds())/benchStates, "p50-ns/state")
		b.ReportMetric(float64(p99.Nanoseconds())/benchStates, "p99-ns/state")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchStates, "ns/state")
}

// BenchmarkRun measures the interpreter's overhead per state with tasks that do nothing, with
// a history listener as the service will have one (payloads are encoded for the events).
func BenchmarkRun(b *testing.B) {
	b.Run("listener", func(b *testing.B) { benchRun(b, func(asl.HistoryEvent) {}) })
	b.Run("no-listener", func(b *testing.B) { benchRun(b, nil) })
}

// BenchmarkParse measures validating the benchmark definition.
func BenchmarkParse(b *testing.B) {
	def := []byte(benchDefinition)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := asl.Parse(def); err != nil {
			b.Fatal(err)
		}
	}
}
