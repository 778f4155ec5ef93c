package stepfunctions_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions"
)

// tenStates is the 04 order check in miniature: Pass, Choice, a Parallel of two DynamoDB
// getItem tasks, and Pass states around them (ten states entered per execution).
const tenStates = `{"StartAt":"Prepare","States":{
  "Prepare":{"Type":"Pass","Parameters":{"id.$":"$.id","qty.$":"$.qty"},"Next":"Valid?"},
  "Valid?":{"Type":"Choice","Choices":[{"Variable":"$.qty","NumericGreaterThan":0,"Next":"Check"}],"Default":"Reject"},
  "Reject":{"Type":"Fail","Error":"InvalidOrder"},
  "Check":{"Type":"Parallel","Next":"Merge","ResultPath":"$.checks","Branches":[
    {"StartAt":"Stock","States":{
      "Stock":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"Stock","Key":{"pk":{"S.$":"$.id"}}},"ResultSelector":{"name.$":"$.Item.name.S"},"Next":"StockOk"},
      "StockOk":{"Type":"Pass","End":true}}},
    {"StartAt":"Price","States":{
      "Price":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"Prices","Key":{"pk":{"S.$":"$.id"}}},"ResultSelector":{"name.$":"$.Item.name.S"},"Next":"PriceOk"},
      "PriceOk":{"Type":"Pass","End":true}}}]},
  "Merge":{"Type":"Pass","Parameters":{"id.$":"$.id","stock.$":"$.checks[0].name","price.$":"$.checks[1].name"},"Next":"Total"},
  "Total":{"Type":"Pass","Result":"priced","ResultPath":"$.state","Next":"Done"},
  "Done":{"Type":"Succeed"}}}`

// inProcess is an http.RoundTripper that serves requests with a handler, without sockets.
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, r)
	return w.Result(), nil
}

// BenchmarkStartSyncExecution runs tenStates with StartSyncExecution through the SDK v2 client
// in process with the zero latency model. ns/op is one execution; executions/s = 1e9 / ns/op
// across the parallel clients; p99-µs/execution is the 99th percentile of one round trip,
// contended by the other clients on the machine's cores.
func BenchmarkStartSyncExecution(b *testing.B) {
	env := &sim.Env{Region: region, AccountID: account, Latency: latency.Zero(), Metrics: &metrics.Registry{}}
	ddb := dynamodb.New(env)
	svc := stepfunctions.New(env)
	b.Cleanup(func() { _ = svc.Close() })
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if svc.Serves(r) {
			svc.ServeHTTP(w, r)
			return
		}
		ddb.ServeHTTP(w, r)
	})
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		BaseEndpoint: aws.String("http://emulator.internal"), HTTPClient: &http.Client{Transport: inProcess{h}}}
	ctx := context.Background()
	dc := awsddb.NewFromConfig(cfg)
	for _, table := range []string{"Stock", "Prices"} {
		_, err := dc.CreateTable(ctx, &awsddb.CreateTableInput{TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := dc.PutItem(ctx, &awsddb.PutItemInput{TableName: aws.String(table), Item: item("croissant", "Croissant")}); err != nil {
			b.Fatal(err)
		}
	}
	client := sfn.NewFromConfig(cfg)
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("check"), Type: sfntypes.StateMachineTypeExpress,
		RoleArn: aws.String(role), Definition: aws.String(tenStates)})
	if err != nil {
		b.Fatal(err)
	}
	in := &sfn.StartSyncExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"id":"croissant","qty":2}`)}
	durations := make(chan []time.Duration, 64)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var ds []time.Duration
		for pb.Next() {
			start := time.Now()
			out, err := client.StartSyncExecution(ctx, in)
			if err != nil && strings.Contains(err.Error(), "ThrottlingException") {
				// Past the express StartExecution bucket (6,000/s): AWS's cap, not a failure.
				time.Sleep(time.Millisecond)
				continue
			}
			ds = append(ds, time.Since(start))
			if err != nil {
				b.Error(err)
				return
			}
			if out.Status != sfntypes.SyncExecutionStatusSucceeded {
				b.Errorf("%s: %s %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
				return
			}
		}
		durations <- ds
	})
	b.StopTimer()
	close(durations)
	var all []time.Duration
	for ds := range durations {
		all = append(all, ds...)
	}
	if len(all) > 0 {
		slices.Sort(all)
		p99 := all[len(all)*99/100]
		b.ReportMetric(float64(p99.Microseconds()), "p99-µs/execution")
	}
	var out struct {
		Counters map[string]int64 `json:"counters"`
	}
	raw, _ := json.Marshal(env.Metrics.Resource("states", "check").Snapshot())
	_ = json.Unmarshal(raw, &out)
	b.ReportMetric(float64(out.Counters["ExecutionsSucceeded"])/b.Elapsed().Seconds(), "executions/s")
	if got, want := out.Counters["StateTransitions"], 10*out.Counters["ExecutionsSucceeded"]; got != want {
		b.Errorf("%d transitions for %d executions, want 10 each", got, out.Counters["ExecutionsSucceeded"])
	}
}

// BenchmarkStateOverhead is the service's cost per state: an express workflow of 50 Pass states
// run one at a time with StartSyncExecution through Env.Call (no HTTP), zero latency model.
// p99-µs/state is the 99th percentile of one execution's time divided by its 50 states.
func BenchmarkStateOverhead(b *testing.B) {
	env := &sim.Env{Region: region, AccountID: account, Latency: latency.Zero(), Metrics: &metrics.Registry{}}
	svc := stepfunctions.New(env)
	b.Cleanup(func() { _ = svc.Close() })
	const n = 50
	states := map[string]any{}
	for i := range n {
		st := map[string]any{"Type": "Pass", "Parameters": map[string]any{"i": i, "id.$": "$.id"}}
		if i == n-1 {
			st["End"] = true
		} else {
			st["Next"] = "S" + strconv.Itoa(i+1)
		}
		states["S"+strconv.Itoa(i)] = st
	}
	def, _ := json.Marshal(map[string]any{"StartAt": "S0", "States": states})
	ctx := context.Background()
	create, _ := json.Marshal(map[string]any{"name": "chain", "type": "EXPRESS", "roleArn": role, "definition": string(def)})
	out, err := svc.Call(ctx, "CreateStateMachine", create)
	if err != nil {
		b.Fatal(err)
	}
	var sm struct{ StateMachineArn string }
	_ = json.Unmarshal(out, &sm)
	start, _ := json.Marshal(map[string]string{"stateMachineArn": sm.StateMachineArn, "input": `{"id":"croissant"}`})
	ds := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for {
			t0 := time.Now()
			_, err := svc.Call(ctx, "StartSyncExecution", start)
			if err == nil {
				ds = append(ds, time.Since(t0))
				break
			}
			// Faster than the express StartExecution bucket refills (6,000/s): wait for it.
			if !strings.Contains(err.Error(), "ThrottlingException") {
				b.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
	}
	b.StopTimer()
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds())/1000/n, "p99-µs/state")
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds())/1000/n, "p50-µs/state")
}
