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
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/esm"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
)

// start runs the stage from its golden template with no modelled latency.
func start(t *testing.T) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.New(Stage().Stage, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

func send(t *testing.T, emu *emulator.Emulator, method, path, body string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, emu.APIURL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := emu.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(data, &v), "%s %s answered %d: %s", method, path, resp.StatusCode, data)
	return resp.StatusCode, v
}

func orderBody(store, item string, qty int) string {
	return fmt.Sprintf(`{"store_id":%q,"customer":{"name":"Ada Lovelace","email":"ada@example.com"},"items":[{"item_id":%q,"quantity":%d}],"pickup_at":%q}`,
		store, item, qty, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
}

// TestOneOrderFromPlacedToReady places an order and follows it: the customer's answer comes
// from the express workflow at once, then the standard workflow takes the payment through the
// queue and the payment worker, the kitchen prepares it through the pipe, and the order ends
// ready with every event on the way.
func TestOneOrderFromPlacedToReady(t *testing.T) {
	emu := start(t)
	status, order := send(t, emu, http.MethodPost, "/orders", orderBody("lon-01", "croissant", 2))
	require.Equal(t, http.StatusCreated, status, "%v", order)
	assert.Equal(t, "pending-payment", order["status"])
	id, _ := order["order_id"].(string)
	require.NotEmpty(t, id)

	var got map[string]any
	deadline := time.Now().Add(30 * time.Second)
	for got["status"] != "ready" && got["status"] != "failed" {
		if time.Now().After(deadline) {
			t.Fatalf("the order did not reach a final status: %v\n%s", got, dump(emu))
		}
		time.Sleep(20 * time.Millisecond)
		_, got = send(t, emu, http.MethodGet, "/orders/"+id, "")
	}
	assert.Equal(t, "ready", got["status"], "%v", got)
	assert.NotEmpty(t, got["paid_at"])
	ps := emu.Payment.Stats()
	assert.Equal(t, int64(1), ps.Succeeded)
	assert.Zero(t, ps.DuplicateCharges)
	assert.Equal(t, int64(1), emu.Kitchen.Stats().Prepared)
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
