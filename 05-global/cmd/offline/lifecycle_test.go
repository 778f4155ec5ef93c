package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/esm"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
)

// start runs the stage's two regions from their golden templates with no modelled latency.
func start(t *testing.T) *emulator.Global {
	t.Helper()
	g, err := emulator.NewGlobal(*Global(), emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	return g
}

func send(t *testing.T, g *emulator.Global, region, method, path, body string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, g.APIURL(region)+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := g.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(data, &v), "%s %s in %s answered %d: %s", method, path, region, resp.StatusCode, data)
	return resp.StatusCode, v
}

func orderBody(store, item string, qty int) string {
	return fmt.Sprintf(`{"store_id":%q,"customer":{"name":"Ada Lovelace","email":"ada@example.com"},"items":[{"item_id":%q,"quantity":%d}],"pickup_at":%q}`,
		store, item, qty, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
}

// await polls GET /orders/{id} in region until done accepts the order.
func await(t *testing.T, g *emulator.Global, region, id string, done func(map[string]any) bool) map[string]any {
	t.Helper()
	var got map[string]any
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, o := send(t, g, region, http.MethodGet, "/orders/"+id, "")
		if code == http.StatusOK {
			got = o
			if done(o) {
				return o
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s in %s: last seen %v\n%s", id, region, got, dump(g.Region(region)))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func final(o map[string]any) bool { return o["status"] == "ready" || o["status"] == "failed" }

// TestOneOrderInEachRegion places an order at a store of each region, in its home region, and
// follows it to ready there: the express workflow answers, the standard workflow takes the
// payment through the region's queue and worker, the kitchen prepares it through the pipe. The
// other region then reads the same order from its replica of the global table
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html).
func TestOneOrderInEachRegion(t *testing.T) {
	g := start(t)
	tests := []struct{ store, home, other string }{
		{"lon-01", PrimaryRegion, SecondaryRegion},
		{"nyc-01", SecondaryRegion, PrimaryRegion},
	}
	for _, tt := range tests {
		t.Run(tt.store, func(t *testing.T) {
			status, order := send(t, g, tt.home, http.MethodPost, "/orders", orderBody(tt.store, "croissant", 2))
			require.Equal(t, http.StatusCreated, status, "%v", order)
			assert.Equal(t, "pending-payment", order["status"])
			id, _ := order["order_id"].(string)
			require.NotEmpty(t, id)

			got := await(t, g, tt.home, id, final)
			assert.Equal(t, "ready", got["status"], "%v", got)
			assert.NotEmpty(t, got["paid_at"])
			replica := await(t, g, tt.other, id, func(o map[string]any) bool { return o["status"] == got["status"] })
			assert.Equal(t, got["paid_at"], replica["paid_at"], "the replica converges on the accepting region's version")
			item := orderItem(t, g, tt.other, id)
			assert.Equal(t, tt.home, item["region"], "the order names its only writer")
			// The standard workflow waits; its steps run in nested express workflows.
			assert.Equal(t, 3, lifecycleTransitions(t, g, tt.home), "standard transitions billed for the order")
		})
	}
	ps := g.Region(PrimaryRegion).Payment.Stats()
	assert.Equal(t, int64(2), ps.Succeeded, "one provider for both regions")
	assert.Zero(t, ps.DuplicateCharges)
}

// TestFailoverOrderUsesTheOtherRegionsStock: a store's orders accepted by the other region (its
// home region down, Route 53 failing over) reserve that region's own stock items, never the home
// region's, so no stock item has two writing regions.
func TestFailoverOrderUsesTheOtherRegionsStock(t *testing.T) {
	g := start(t)
	status, order := send(t, g, SecondaryRegion, http.MethodPost, "/orders", orderBody("lon-01", "croissant", 1))
	require.Equal(t, http.StatusCreated, status, "%v", order)
	id, _ := order["order_id"].(string)
	item := orderItem(t, g, SecondaryRegion, id)
	assert.Equal(t, SecondaryRegion, item["region"])
	assert.Regexp(t, `^lon-01#\d{4}-\d{2}-\d{2}@`+SecondaryRegion+`$`, item["stock_pk"])

	status, home := send(t, g, PrimaryRegion, http.MethodPost, "/orders", strings.Replace(orderBody("lon-01", "croissant", 1), "ada@", "grace@", 1))
	require.Equal(t, http.StatusCreated, status, "%v", home)
	hid, _ := home["order_id"].(string)
	assert.Regexp(t, `^lon-01#\d{4}-\d{2}-\d{2}$`, orderItem(t, g, PrimaryRegion, hid)["stock_pk"])
}

// lifecycleTransitions counts the states region's one OrderLifecycle execution entered: what a
// standard workflow is billed for
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html).
func lifecycleTransitions(t *testing.T, g *emulator.Global, region string) int {
	t.Helper()
	ctx := context.Background()
	client := sfn.NewFromConfig(g.Config(region))
	ms, err := client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	n := 0
	for _, m := range ms.StateMachines {
		if m.Type != sfntypes.StateMachineTypeStandard {
			continue
		}
		ex, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: m.StateMachineArn})
		require.NoError(t, err)
		require.Len(t, ex.Executions, 1)
		h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.Executions[0].ExecutionArn})
		require.NoError(t, err)
		for _, ev := range h.Events {
			if ev.StateEnteredEventDetails != nil {
				n++
			}
		}
	}
	return n
}

// orderItem reads an order's item in region's replica, strings only.
func orderItem(t *testing.T, g *emulator.Global, region, id string) map[string]string {
	t.Helper()
	out, err := dynamodb.NewFromConfig(g.Config(region)).GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String("emilys-pastries-05-orders"), Key: map[string]ddbtypes.AttributeValue{"orderId": &ddbtypes.AttributeValueMemberS{Value: id}}})
	require.NoError(t, err)
	m := map[string]string{}
	for k, v := range out.Item {
		if sv, ok := v.(*ddbtypes.AttributeValueMemberS); ok {
			m[k] = sv.Value
		}
	}
	return m
}

// dump lists the resources that did something, for a failure message.
func dump(emu *emulator.Emulator) string {
	var b strings.Builder
	for _, s := range emu.Metrics().Snapshot() {
		if s.Invocations == 0 && s.Errors == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s/%s inv=%d err=%d thr=%d %v\n", s.Kind, s.Name, s.Invocations, s.Errors, s.Throttles, s.Counters)
	}
	for _, svc := range emu.Services() {
		if m, ok := svc.(*esm.Service); ok {
			for _, c := range m.List("", "") {
				mm, _ := m.Mapping(c.UUID)
				fmt.Fprintf(&b, "esm %s → %s %+v\n", c.EventSourceArn[strings.LastIndex(c.EventSourceArn, ":")+1:], c.FunctionArn[strings.LastIndex(c.FunctionArn, ":")+1:], mm.Stats())
			}
		}
	}
	q := sqs.NewFromConfig(emu.Config())
	qs, _ := q.ListQueues(context.Background(), &sqs.ListQueuesInput{})
	for _, u := range qs.QueueUrls {
		a, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
		if err != nil {
			fmt.Fprintf(&b, "queue %s: %v\n", u, err)
			continue
		}
		fmt.Fprintf(&b, "queue %s visible=%s inflight=%s\n", u[strings.LastIndex(u, "/")+1:], a.Attributes["ApproximateNumberOfMessages"], a.Attributes["ApproximateNumberOfMessagesNotVisible"])
	}
	client := sfn.NewFromConfig(emu.Config())
	ms, _ := client.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{})
	for _, m := range ms.StateMachines {
		ex, err := client.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: m.StateMachineArn})
		if err != nil {
			continue
		}
		for _, e := range ex.Executions {
			d, _ := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
			fmt.Fprintf(&b, "execution %s %s error=%s cause=%.300s\n", aws.ToString(e.Name), e.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
			h, _ := client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: e.ExecutionArn})
			for _, ev := range h.Events {
				fmt.Fprintf(&b, "  %d %s", ev.Id, ev.Type)
				if ev.StateEnteredEventDetails != nil {
					fmt.Fprintf(&b, " %s", aws.ToString(ev.StateEnteredEventDetails.Name))
				}
				if ev.TaskFailedEventDetails != nil {
					fmt.Fprintf(&b, " %s %.300s", aws.ToString(ev.TaskFailedEventDetails.Error), aws.ToString(ev.TaskFailedEventDetails.Cause))
				}
				if ev.TaskScheduledEventDetails != nil {
					fmt.Fprintf(&b, " %s %.400s", aws.ToString(ev.TaskScheduledEventDetails.Resource), aws.ToString(ev.TaskScheduledEventDetails.Parameters))
				}
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}
