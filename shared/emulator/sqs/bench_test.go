package sqs

import (
	"context"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs/model"
)

// BenchmarkModel is the model's own cost per call, without HTTP.
func BenchmarkModel(b *testing.B) {
	m := model.New(model.Options{})
	defer m.Close()
	if err := m.CreateQueue("q", nil, nil); err != nil {
		b.Fatal(err)
	}
	wait := time.Duration(0)
	in := model.ReceiveInput{WaitTime: &wait}
	ctx := context.Background()
	b.Run("SendMessage", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
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

// BenchmarkSDKInProcess is Send+Receive+Delete through the real SDK v2 client with an in-process
// transport and a zero latency model: the emulator's cost end to end. It reports messages/s and
// the p99 of one call.
func BenchmarkSDKInProcess(b *testing.B) {
	env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Stack", Latency: latency.Zero(), Metrics: &metrics.Registry{}}
	svc := New(env)
	defer svc.Close()
	client := awssqs.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String(DefaultBaseURL), HTTPClient: &http.Client{Transport: inProcess{svc}},
	})
	ctx := context.Background()
	out, err := client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		b.Fatal(err)
	}
	u := out.QueueUrl
	var calls []time.Duration
	timed := func(f func() error) {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		calls = append(calls, time.Since(start))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		timed(func() error {
			_, err := client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: u, MessageBody: aws.String("croissant")})
			return err
		})
		var handle *string
		timed(func() error {
			got, err := client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: u})
			if err == nil && len(got.Messages) == 1 {
				handle = got.Messages[0].ReceiptHandle
			}
			return err
		})
		timed(func() error {
			_, err := client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: u, ReceiptHandle: handle})
			return err
		})
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	sort.Slice(calls, func(i, j int) bool { return calls[i] < calls[j] })
	if len(calls) > 0 {
		b.ReportMetric(float64(calls[len(calls)*99/100].Microseconds()), "p99-µs/call")
	}
}
