package eventbridge

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

// inProcess is an http.RoundTripper that calls the handler directly, as the emulator's own
// in-process transport does.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil {
		req.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	res := rec.Result()
	res.ContentLength = int64(rec.Body.Len())
	res.Header.Set("Content-Length", strconv.Itoa(rec.Body.Len()))
	res.Request = req
	return res, nil
}

// typicalPattern is rule i of a bus with 100 rules: source, detail-type and one detail field.
func typicalPattern(i int) string {
	return fmt.Sprintf(`{"source":["bakery.domain%d"],"detail-type":["Event%d"],"detail":{"store":["store-%d"]}}`, i%10, i%7, i)
}

// BenchmarkPutEvents sends one-entry PutEvents through the SDK v2 client in process to a bus of
// 100 rules, one of which matches and sends to an SQS queue; the figure is events/s including
// delivery (the benchmark waits for the queue to hold every event).
//
//	go test -run '^$' -bench BenchmarkPutEvents -benchtime 20000x ./shared/emulator/eventbridge/
func BenchmarkPutEvents(b *testing.B) {
	env := &sim.Env{Region: "us-east-1", AccountID: "123456789012", StackName: "Stack", Latency: latency.Zero(), Metrics: &metrics.Registry{}, Clock: sim.Real{}}
	q := sqs.New(env)
	svc := New(env, Options{})
	defer func() { _ = svc.Close(); _ = q.Close() }()
	client := eb.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String("http://events.local"), HTTPClient: &http.Client{Transport: inProcess{svc}}, RetryMaxAttempts: 1})
	ctx := context.Background()
	if _, err := q.Call(ctx, "CreateQueue", []byte(`{"QueueName":"sink"}`)); err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		if _, err := client.PutRule(ctx, &eb.PutRuleInput{Name: aws.String(fmt.Sprintf("rule-%03d", i)), EventPattern: aws.String(typicalPattern(i))}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := client.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("rule-042"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(env.ARN("sqs", "sink"))}}}); err != nil {
		b.Fatal(err)
	}
	in := &eb.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("bakery.domain2"), DetailType: aws.String("Event0"),
		Detail: aws.String(`{"store":"store-42","order":"o-1","total":12.5,"items":[{"sku":"croissant","qty":2}]}`)}}}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		out, err := client.PutEvents(ctx, in)
		if err != nil || out.FailedEntryCount != 0 {
			b.Fatal(err, out)
		}
	}
	for {
		st, err := q.Stats("sink")
		if err != nil {
			b.Fatal(err)
		}
		if st.Visible >= b.N {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkMatch100Rules matches one event against the 100 compiled rules of a bus, as PutEvents
// does, and reports the p99 of single matches.
//
//	go test -run '^$' -bench BenchmarkMatch100Rules ./shared/emulator/eventbridge/
func BenchmarkMatch100Rules(b *testing.B) {
	var rules []*pattern.Pattern
	for i := range 100 {
		rules = append(rules, pattern.MustCompile(typicalPattern(i)))
	}
	detail, _ := pattern.ParseEvent([]byte(`{"store":"store-42","order":"o-1","total":12.5,"items":[{"sku":"croissant","qty":2}]}`))
	ev := map[string]any{"version": "0", "id": "x", "detail-type": "Event0", "source": "bakery.domain2", "account": "123456789012",
		"time": "2026-03-02T08:00:00Z", "region": "us-east-1", "resources": []any{}, "detail": detail}
	samples := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		n := 0
		for _, r := range rules {
			if r.MatchValue(ev) {
				n++
			}
		}
		samples = append(samples, time.Since(t0))
		if n != 1 {
			b.Fatalf("matched %d rules, want 1", n)
		}
	}
	b.StopTimer()
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds())/1000, "p99-µs")
}
