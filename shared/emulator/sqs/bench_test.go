package sqs

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs/model"
)

// BenchmarkModel is the model's own cost per call, without HTTP.
func BenchmarkModel(b *testing.B) {
	clock := sim.NewFake(time.Unix(0, 0))
	m := model.New(model.Options{Clock: clock})
	defer m.Close()
	if err := m.CreateQueue("q", nil, nil); err != nil {
		b.Fatal(err)
	}
	wait := time.Duration(0)
	in := model.ReceiveInput{WaitTime: &wait}
	ctx := context.Background()
	b.Run("SendMessage", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if i%10000 == 0 { // keep the queue small, as a consumer would
				b.StopTimer()
				clock.Advance(model.PurgeInterval)
				_ = m.PurgeQueue("q")
				b.StartTimer()
			}
			if _, err := m.Send("q", model.SendInput{Body: "croissant"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReceiveMessage+DeleteMessage", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if i%1000 == 0 {
				b.StopTimer()
				for j := 0; j < 1000; j++ {
					_, _ = m.Send("q", model.SendInput{Body: "croissant"})
				}
				b.StartTimer()
			}
			msgs, err := m.Receive(ctx, "q", in)
			if err != nil || len(msgs) != 1 {
				b.Fatal(err, len(msgs))
			}
			if err := m.Delete("q", msgs[0].ReceiptHandle); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// timedHandler records how long the emulator's own handler takes per call.
type timedHandler struct {
	h     http.Handler
	mu    sync.Mutex
	calls []time.Duration
}

func (t *timedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	t.h.ServeHTTP(w, r)
	d := time.Since(start)
	t.mu.Lock()
	t.calls = append(t.calls, d)
	t.mu.Unlock()
}

func (t *timedHandler) p99() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.calls) == 0 {
		return 0
	}
	sort.Slice(t.calls, func(i, j int) bool { return t.calls[i] < t.calls[j] })
	return t.calls[len(t.calls)*99/100]
}

func sdkClient(b *testing.B) (*awssqs.Client, *timedHandler, *string) {
	// The collector as the emulator's commands run it (sim.TuneGC); GOGC=100 in the environment
	// measures Go's default instead.
	b.Cleanup(sim.TuneGC())
	env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Stack", Latency: latency.Zero(), Metrics: &metrics.Registry{}}
	svc := New(env)
	b.Cleanup(func() { _ = svc.Close() })
	th := &timedHandler{h: svc}
	client := awssqs.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(DefaultBaseURL), HTTPClient: &http.Client{Transport: inProcess{th}},
	})
	out, err := client.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		b.Fatal(err)
	}
	th.calls = nil
	return client, th, out.QueueUrl
}

// BenchmarkSDKInProcess is Send+Receive+Delete of one message through the real SDK v2 client
// (checksum validation on) with an in-process transport and a zero latency model, from as many
// goroutines as GOMAXPROCS. msgs/s is end to end; emulator-p99-µs is the p99 of the emulator's
// own handler per call, without the SDK's client-side cost.
func BenchmarkSDKInProcess(b *testing.B) {
	client, th, u := sdkClient(b)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: u, MessageBody: aws.String("croissant")}); err != nil {
				b.Error(err)
				return
			}
			got, err := client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: u})
			if err != nil || len(got.Messages) == 0 {
				continue // another goroutine took it; it deletes it
			}
			if _, err := client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: u, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(th.p99().Microseconds()), "emulator-p99-µs")
}

// BenchmarkSDKInProcessBatch moves 10 messages per iteration with SendMessageBatch,
// ReceiveMessage (10) and DeleteMessageBatch, as a producer and consumer would at volume.
func BenchmarkSDKInProcessBatch(b *testing.B) {
	client, th, u := sdkClient(b)
	ctx := context.Background()
	entries := make([]types.SendMessageBatchRequestEntry, 10)
	for i := range entries {
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("croissant")}
	}
	moved := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: u, Entries: entries}); err != nil {
			b.Fatal(err)
		}
		got, err := client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: u, MaxNumberOfMessages: 10})
		if err != nil {
			b.Fatal(err)
		}
		del := make([]types.DeleteMessageBatchRequestEntry, len(got.Messages))
		for j, m := range got.Messages {
			del[j] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), ReceiptHandle: m.ReceiptHandle}
		}
		if _, err := client.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: u, Entries: del}); err != nil {
			b.Fatal(err)
		}
		moved += len(del)
	}
	b.StopTimer()
	b.ReportMetric(float64(moved)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(th.p99().Microseconds()), "emulator-p99-µs")
}
