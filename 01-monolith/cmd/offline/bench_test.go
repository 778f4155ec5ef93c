package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

// BenchmarkOrder is what one order costs this stage in CPU, with the zero latency model
// (offline.BenchOrders; `make bench`).
func BenchmarkOrder(b *testing.B) { offline.BenchOrders(b, Stage()) }

// BenchmarkDynamoDBCall separates the emulator's own CPU per call from the SDK client's: the
// same PutItem or GetItem of a 1 KB and a 100 KB item (03-crisis's store counter shape: a list of
// order movements) made b.N times through the real SDK v2 client (it signs, serialises, sends
// in process, parses) and b.N times as the request the SDK built, replayed straight into the
// DynamoDB service's handler. It reports the CPU of each per call (user + system, the whole
// process) and the emulator's share of the SDK path. The service's clock is a fake one moved a
// minute per call, so the token buckets are full: this measures CPU, not the capacity model.
// It runs the collector as every emulator command does (sim.TuneGC); GOGC=100 in the
// environment measures Go's default instead.
func BenchmarkDynamoDBCall(b *testing.B) {
	b.Cleanup(sim.TuneGC())
	for _, op := range []string{"PutItem", "GetItem"} {
		for _, size := range []int{1 << 10, 100 << 10} {
			b.Run(fmt.Sprintf("%s/%dKB", op, size>>10), func(b *testing.B) {
				clock := sim.NewFake(time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC))
				svc := ddb.New(&sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Bench",
					Latency: latency.Zero(), Faults: &fault.Set{}, Metrics: &metrics.Registry{}, Traces: trace.NewRecorder(1), Clock: clock})
				rt := &capture{h: svc}
				client := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", HTTPClient: &http.Client{Transport: rt},
					Credentials: credentials.NewStaticCredentialsProvider("EMULATOR", "EMULATOR", ""), BaseEndpoint: aws.String("http://dynamodb.internal")})
				ctx := context.Background()
				_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("bench"), BillingMode: types.BillingModePayPerRequest,
					AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
					KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}})
				if err != nil {
					b.Fatal(err)
				}
				item := sizedItem(size)
				sdk := func() error {
					clock.Advance(time.Minute)
					if op == "PutItem" {
						_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: item})
						return err
					}
					out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("bench"), Key: map[string]types.AttributeValue{"pk": item["pk"]}})
					if err == nil && len(out.Item) != len(item) {
						err = fmt.Errorf("got %d attributes, want %d", len(out.Item), len(item))
					}
					return err
				}
				if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("bench"), Item: item}); err != nil {
					b.Fatal(err)
				}
				rt.keep = true
				if err := sdk(); err != nil {
					b.Fatal(err)
				}
				rt.keep = false
				req := rt.last

				b.ReportAllocs()
				cpu0 := offline.ProcessCPU()
				for range b.N {
					if err := sdk(); err != nil {
						b.Fatal(err)
					}
				}
				total := offline.ProcessCPU() - cpu0
				cpu0 = offline.ProcessCPU()
				w := &discard{h: http.Header{}}
				for range b.N {
					clock.Advance(time.Minute)
					r, err := http.NewRequestWithContext(ctx, req.method, req.url, bytes.NewReader(req.body))
					if err != nil {
						b.Fatal(err)
					}
					r.Header = req.header
					w.status = 0
					svc.ServeHTTP(w, r)
					if w.status != 0 && w.status != http.StatusOK {
						b.Fatalf("%s answered %d", op, w.status)
					}
				}
				emu := offline.ProcessCPU() - cpu0
				perCall := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 / float64(b.N) }
				b.ReportMetric(perCall(total), "sdk+emulator-cpu-us/call")
				b.ReportMetric(perCall(emu), "emulator-cpu-us/call")
				b.ReportMetric(100*float64(emu)/float64(total), "emulator-%")
			})
		}
	}
}

// sizedItem is an item of about size bytes shaped like 03-crisis's store counter: a list of
// movements (maps of 13 strings and numbers).
func sizedItem(size int) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "STORE#lon-01"}}
	var list []types.AttributeValue
	for n := 40; n < size; n += 190 {
		i := strconv.Itoa(len(list))
		s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
		num := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
		list = append(list, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"order_id": s("o-" + i), "store_id": s("lon-01"), "day": s("2026-12-04"), "item_id": s("croissant"),
			"name": s("Butter croissant"), "quantity": num("2"), "par": num("40"), "unit_price": num("240"),
			"currency": s("GBP"), "action": s("reserved"), "customer": s("c-" + i), "pickup": s("08:15"),
			"at": s("2026-12-04T07:00:00.123456789Z"),
		}})
	}
	item["activity"] = &types.AttributeValueMemberL{Value: list}
	return item
}

// capture hands requests straight to the handler and, while keep is set, keeps the last one.
type capture struct {
	h    http.Handler
	keep bool
	last struct {
		method, url string
		header      http.Header
		body        []byte
	}
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	if c.keep {
		c.last.method, c.last.url, c.last.header, c.last.body = req.Method, req.URL.String(), req.Header.Clone(), body
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	w := &recorder{h: http.Header{}}
	c.h.ServeHTTP(w, req)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return &http.Response{StatusCode: w.status, Status: http.StatusText(w.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.h, Body: io.NopCloser(bytes.NewReader(w.body.Bytes())), ContentLength: int64(w.body.Len()), Request: req}, nil
}

type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

// discard is a ResponseWriter that keeps only the status: the emulator still encodes the answer.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(status int)      { d.status = status }
