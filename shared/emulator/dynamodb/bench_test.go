package dynamodb_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Run with:
//
//	go test -run '^$' -bench . -benchmem ./shared/emulator/dynamodb/
//
// The table is pre-warmed (WarmThroughput) so that the benchmarks measure the emulator, not
// the capacity model's throttling; keys are spread so that no partition is hot.

const benchKeys = 4096

func benchService(b *testing.B) *ddb.Service {
	b.Helper()
	svc := ddb.New(newEnv())
	_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Bench", Type: ddb.TypeTable}, props(b, `{
		"TableName": "bench",
		"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
		"BillingMode": "PAY_PER_REQUEST",
		"WarmThroughput": {"ReadUnitsPerSecond": 100000000, "WriteUnitsPerSecond": 100000000}
	}`))
	require.NoError(b, err)
	c, _ := clientFor(b, svc)
	for i := range benchKeys {
		_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: orderItem(i)})
		require.NoError(b, err)
	}
	return svc
}

// orderItem is a realistic order of about 350 bytes.
func orderItem(i int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk":        s(fmt.Sprintf("order-%06d", i%benchKeys)),
		"store":     s("paris-rivoli"),
		"status":    s("PENDING"),
		"createdAt": n("1767225600123"),
		"total":     n("12.40"),
		"customer":  s("c-8c2f61d4"),
		"items": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": s("croissant"), "qty": n("2"), "price": n("1.80")}},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": s("pain-au-chocolat"), "qty": n("3"), "price": n("2.20")}},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": s("baguette"), "qty": n("1"), "price": n("2.20")}},
		}},
		"pickupAt": s("2026-01-01T08:15:00Z"),
	}
}

func getBody(i int) []byte {
	return fmt.Appendf(nil, `{"TableName":"bench","Key":{"pk":{"S":"order-%06d"}}}`, i%benchKeys)
}

func putBody(i int) []byte {
	return fmt.Appendf(nil, `{"TableName":"bench","Item":{"pk":{"S":"order-%06d"},"store":{"S":"paris-rivoli"},"status":{"S":"PENDING"},"createdAt":{"N":"1767225600123"},"total":{"N":"12.40"},"customer":{"S":"c-8c2f61d4"},"items":{"L":[{"M":{"sku":{"S":"croissant"},"qty":{"N":"2"},"price":{"N":"1.80"}}},{"M":{"sku":{"S":"pain-au-chocolat"},"qty":{"N":"3"},"price":{"N":"2.20"}}},{"M":{"sku":{"S":"baguette"},"qty":{"N":"1"},"price":{"N":"2.20"}}}]},"pickupAt":{"S":"2026-01-01T08:15:00Z"}}}`, i%benchKeys)
}

// discard is a ResponseWriter that keeps nothing but the status.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(status int)      { d.status = status }

func serveDirect(b *testing.B, op string, body func(int) []byte) {
	svc := benchService(b)
	bodies := make([][]byte, benchKeys)
	for i := range bodies {
		bodies[i] = body(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, _ := http.NewRequest(http.MethodPost, "http://dynamodb.local/", nil)
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		req.Header.Set("Authorization", testAuth)
		w := &discard{h: http.Header{}}
		rd := &bytes.Reader{}
		i := 0
		for pb.Next() {
			rd.Reset(bodies[i%benchKeys])
			req.Body = io.NopCloser(rd)
			req.ContentLength = int64(rd.Len())
			clear(w.h)
			svc.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
			i += 7
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkGetItem is the emulator alone: a GetItem straight into ServeHTTP.
func BenchmarkGetItem(b *testing.B) { serveDirect(b, "GetItem", getBody) }

// BenchmarkPutItem is the emulator alone: a PutItem of a 350-byte order into ServeHTTP.
func BenchmarkPutItem(b *testing.B) { serveDirect(b, "PutItem", putBody) }

func sdkParallel(b *testing.B, call func(c *dynamodb.Client, i int) error) {
	svc := benchService(b)
	c, _ := clientFor(b, svc)
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(c, int(next.Add(1))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkSDKGetItem is what a handler sees: the real SDK v2 client, in-process transport.
func BenchmarkSDKGetItem(b *testing.B) {
	sdkParallel(b, func(c *dynamodb.Client, i int) error {
		_, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("bench"),
			Key: map[string]types.AttributeValue{"pk": s(fmt.Sprintf("order-%06d", i%benchKeys))}})
		return err
	})
}

// BenchmarkSDKPutItem is the same for a PutItem of a 350-byte order.
func BenchmarkSDKPutItem(b *testing.B) {
	sdkParallel(b, func(c *dynamodb.Client, i int) error {
		_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: orderItem(i)})
		return err
	})
}

// canned answers every request with one fixed GetItem answer: the SDK's own cost, for scale.
type canned struct{ body []byte }

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: req}, nil
}

// BenchmarkSDKCannedGetItem is the SDK client alone, answered from a canned response.
func BenchmarkSDKCannedGetItem(b *testing.B) {
	c := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: &http.Client{Transport: canned{body: []byte(
		`{"Item":{"pk":{"S":"order-000001"},"store":{"S":"paris-rivoli"},"status":{"S":"PENDING"},"total":{"N":"12.40"}}}`)}},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "a", SecretAccessKey: "b"}, nil
		}),
	}, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String("http://dynamodb.local") })
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("bench"),
				Key: map[string]types.AttributeValue{"pk": s("order-000001")}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkOverhead records each emulated call's duration in an HDR histogram and reports the
// percentiles: the emulator's overhead per call with the zero latency model, straight into
// ServeHTTP (direct) and through the SDK (sdk).
func BenchmarkOverhead(b *testing.B) {
	for _, op := range []struct {
		name string
		body func(int) []byte
	}{{"GetItem", getBody}, {"PutItem", putBody}} {
		b.Run("direct/"+op.name, func(b *testing.B) {
			svc := benchService(b)
			h := hdrhistogram.New(1, int64(time.Second/time.Nanosecond), 3)
			req, _ := http.NewRequest(http.MethodPost, "http://dynamodb.local/", nil)
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op.name)
			req.Header.Set("Authorization", testAuth)
			w := &discard{h: http.Header{}}
			rd := &bytes.Reader{}
			bodies := make([][]byte, benchKeys)
			for i := range bodies {
				bodies[i] = op.body(i)
			}
			b.ResetTimer()
			for i := range b.N {
				rd.Reset(bodies[i%benchKeys])
				req.Body = io.NopCloser(rd)
				req.ContentLength = int64(rd.Len())
				clear(w.h)
				start := time.Now()
				svc.ServeHTTP(w, req)
				_ = h.RecordValue(time.Since(start).Nanoseconds())
			}
			reportPercentiles(b, h)
		})
	}
	b.Run("sdk/GetItem", func(b *testing.B) {
		svc := benchService(b)
		c, _ := clientFor(b, svc)
		h := hdrhistogram.New(1, int64(time.Second/time.Nanosecond), 3)
		var mu sync.Mutex
		b.ResetTimer()
		for i := range b.N {
			start := time.Now()
			_, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("bench"),
				Key: map[string]types.AttributeValue{"pk": s(fmt.Sprintf("order-%06d", i%benchKeys))}})
			if err != nil {
				b.Fatal(err)
			}
			mu.Lock()
			_ = h.RecordValue(time.Since(start).Nanoseconds())
			mu.Unlock()
		}
		reportPercentiles(b, h)
	})
}

func reportPercentiles(b *testing.B, h *hdrhistogram.Histogram) {
	b.ReportMetric(float64(h.ValueAtQuantile(50))/1000, "p50-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99))/1000, "p99-µs")
	b.ReportMetric(float64(h.ValueAtQuantile(99.9))/1000, "p99.9-µs")
}

// BenchmarkQueryLargeTable queries one partition (10 items) of a 50,000-item table through a
// GSI: the cost depends on the partition, not the table (minidyn's own table took ~42 ms for a
// Query on 10,000 items).
func BenchmarkQueryLargeTable(b *testing.B) {
	svc := ddb.New(newEnv())
	_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Big", Type: ddb.TypeTable}, props(b, `{
		"TableName": "big",
		"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "store", "AttributeType": "S"}, {"AttributeName": "at", "AttributeType": "N"}],
		"BillingMode": "PAY_PER_REQUEST",
		"WarmThroughput": {"ReadUnitsPerSecond": 100000000, "WriteUnitsPerSecond": 100000000},
		"GlobalSecondaryIndexes": [{"IndexName": "byStore", "Projection": {"ProjectionType": "ALL"},
			"WarmThroughput": {"ReadUnitsPerSecond": 100000000, "WriteUnitsPerSecond": 100000000},
			"KeySchema": [{"AttributeName": "store", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}]}]
	}`))
	require.NoError(b, err)
	ctx := context.Background()
	for i := range 50000 {
		_, err := svc.Call(ctx, "PutItem", fmt.Appendf(nil, `{"TableName":"big","Item":{"pk":{"S":"o-%d"},"store":{"S":"s-%d"},"at":{"N":"%d"}}}`, i, i%5000, i))
		require.NoError(b, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		out, err := svc.Call(ctx, "Query", fmt.Appendf(nil, `{"TableName":"big","IndexName":"byStore","KeyConditionExpression":"#s = :s","ExpressionAttributeNames":{"#s":"store"},"ExpressionAttributeValues":{":s":{"S":"s-%d"}}}`, i%5000))
		if err != nil || !bytes.Contains(out, []byte(`"Count":10`)) {
			b.Fatal(err, string(out))
		}
	}
}

// BenchmarkPutItemNewKeys inserts new keys into an ever-growing table (one more item per
// iteration): the cost stays flat as the table grows.
func BenchmarkPutItemNewKeys(b *testing.B) {
	svc := benchService(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := svc.Call(ctx, "PutItem", fmt.Appendf(nil, `{"TableName":"bench","Item":{"pk":{"S":"new-%09d"},"v":{"N":"%d"}}}`, i*7919%1000000007, i)); err != nil {
			b.Fatal(err)
		}
	}
}

// counterBody is a PutItem of an item of about size bytes shaped like 03-crisis's store
// counter (the shape of 01's BenchmarkDynamoDBCall): a list of movements, maps of 13 strings
// and numbers.
func counterBody(size int) []byte {
	b := []byte(`{"TableName":"bench","Item":{"pk":{"S":"STORE#lon-01"},"activity":{"L":[`)
	for n, i := 40, 0; n < size; n, i = n+190, i+1 {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"M":{"order_id":{"S":"o-%d"},"store_id":{"S":"lon-01"},"day":{"S":"2026-12-04"},"item_id":{"S":"croissant"},`+
			`"name":{"S":"Butter croissant"},"quantity":{"N":"2"},"par":{"N":"40"},"unit_price":{"N":"240"},"currency":{"S":"GBP"},`+
			`"action":{"S":"reserved"},"customer":{"S":"c-%d"},"pickup":{"S":"08:15"},"at":{"S":"2026-12-04T07:00:00.123456789Z"}}}`, i, i)
	}
	return append(b, "]}}}"...)
}

// BenchmarkPutItemSized is the emulator alone, one call at a time: a PutItem of a 1 KB and a
// 100 KB store counter straight into ServeHTTP (profile it with -cpuprofile).
func BenchmarkPutItemSized(b *testing.B) {
	for _, size := range []int{1 << 10, 100 << 10} {
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			// A fake clock moved a minute per call keeps the token buckets full (a 100 KB write
			// is 100 units: ten a second exhaust a partition).
			clock := sim.NewFake(time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC))
			env := newEnv()
			env.Clock = clock
			svc := ddb.New(env)
			_, err := svc.Call(context.Background(), "CreateTable", []byte(`{"TableName":"bench","BillingMode":"PAY_PER_REQUEST",`+
				`"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}`))
			require.NoError(b, err)
			body := counterBody(size)
			req, _ := http.NewRequest(http.MethodPost, "http://dynamodb.local/", nil)
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
			req.Header.Set("Authorization", testAuth)
			w := &discard{h: http.Header{}}
			rd := &bytes.Reader{}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for range b.N {
				clock.Advance(time.Minute)
				rd.Reset(body)
				req.Body = io.NopCloser(rd)
				req.ContentLength = int64(rd.Len())
				clear(w.h)
				svc.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}
