package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"

	"github.com/emilys-pastries/serverless-evolution/04-refactor/internal/payments"
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

func orderBody(store, item string, qty int, name, email string) string {
	return fmt.Sprintf(`{"store_id":%q,"customer":{"name":%q,"email":%q},"items":[{"item_id":%q,"quantity":%d}],"pickup_at":%q}`,
		store, name, email, item, qty, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
}

// TestOrderLifecycle places an order and follows it: the customer's answer comes from the
// express workflow at once, then the standard workflow charges it through the nested
// ChargeOrder workflow, the payment queue and the payment worker, prepares it through the
// nested PrepareOrder workflow and the kitchen's pipe, and ends it ready — or failed with the
// reason, the stock given back, when the card is declined or the fraud screen says high risk.
// Each order costs the standard workflow three state transitions when it succeeds
// (https://aws.amazon.com/step-functions/pricing/: billed per transition); a failed one costs
// the failed state and five more (the Map, one line, the status, the event, the Fail state).
func TestOrderLifecycle(t *testing.T) {
	tests := []struct {
		name, customer, email string
		status, reason        string
		charged               int64
		transitions           int
	}{
		{name: "paid and ready", customer: "Ada Lovelace", email: payment.ApprovedTestEmail, status: "ready", charged: 1, transitions: 3},
		{name: "card declined", customer: "Ada Lovelace", email: payment.DeclinedTestEmail, status: "failed",
			reason: "payment: " + payments.ErrorDeclined, transitions: 1 + 5},
		// A disposable domain (60 points) and a name without letters (20): high risk.
		{name: "high risk", customer: "12345", email: "x@mailinator.com", status: "failed",
			reason: "fraud-screen: high risk", transitions: 1 + 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := start(t)
			status, order := send(t, emu, http.MethodPost, "/orders", orderBody("lon-01", "croissant", 2, tt.customer, tt.email))
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
			require.Equal(t, tt.status, got["status"], "%v\n%s", got, dump(emu))
			ps := emu.Payment.Stats()
			assert.Equal(t, tt.charged, ps.Succeeded)
			assert.Zero(t, ps.DuplicateCharges)
			if tt.status == "ready" {
				assert.NotEmpty(t, got["paid_at"])
				assert.Equal(t, int64(1), emu.Kitchen.Stats().Prepared)
				assert.Equal(t, par(t, emu, "lon-01", "croissant")-2, remaining(t, emu, "lon-01", "croissant"), "a paid order keeps its stock")
			} else {
				assert.Equal(t, tt.reason, got["failure_reason"])
				assert.Equal(t, par(t, emu, "lon-01", "croissant"), remaining(t, emu, "lon-01", "croissant"), "a failed order gives its stock back")
			}
			assert.Equal(t, tt.transitions, lifecycleTransitions(t, emu), dump(emu))
		})
	}
}

// lifecycleTransitions counts the states the one OrderLifecycle execution entered: what a
// standard workflow is billed for.
func lifecycleTransitions(t *testing.T, emu *emulator.Emulator) int {
	t.Helper()
	ctx := context.Background()
	client := sfn.NewFromConfig(emu.Config())
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

// remaining is the stock left of one item at a store, over every day the Stock table holds.
func remaining(t *testing.T, emu *emulator.Emulator, store, item string) int {
	t.Helper()
	ctx := context.Background()
	db := dynamodb.NewFromConfig(emu.Config())
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	n, found := 0, false
	for _, name := range tables.TableNames {
		if !strings.Contains(name, "Stock") {
			continue
		}
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(name)})
		require.NoError(t, err)
		for _, it := range out.Items {
			pk, _ := it["pk"].(*ddbtypes.AttributeValueMemberS)
			id, _ := it["item_id"].(*ddbtypes.AttributeValueMemberS)
			left, _ := it["remaining"].(*ddbtypes.AttributeValueMemberN)
			if pk == nil || id == nil || left == nil || id.Value != item || !strings.HasPrefix(pk.Value, store+"#") {
				continue
			}
			v, err := strconv.Atoi(left.Value)
			require.NoError(t, err)
			n, found = n+v, true
		}
	}
	require.True(t, found, "no stock of %s at %s in any Stock table of %v", item, store, tables.TableNames)
	return n
}

// par is what a store bakes of an item a day, as PlaceOrder computes it when it creates the
// day's stock: the item's par scaled by the store's scale_percent.
func par(t *testing.T, emu *emulator.Emulator, store, item string) int {
	t.Helper()
	ctx := context.Background()
	db := dynamodb.NewFromConfig(emu.Config())
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	number := func(table, pk, sk, attr string) int {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: pk}, "sk": &ddbtypes.AttributeValueMemberS{Value: sk}}})
		require.NoError(t, err)
		v, ok := out.Item[attr].(*ddbtypes.AttributeValueMemberN)
		require.True(t, ok, "%s %s/%s has no number %s: %v", table, pk, sk, attr, out.Item)
		n, err := strconv.Atoi(v.Value)
		require.NoError(t, err)
		return n
	}
	for _, name := range tables.TableNames {
		if strings.Contains(name, "Catalog") {
			return number(name, "ITEM#"+item, "PRICE", "par") * number(name, "STORE#"+store, "PROFILE", "scale_percent") / 100
		}
	}
	t.Fatalf("no Catalog table in %v", tables.TableNames)
	return 0
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

// TestSoldOut: an order for more than a store has left is refused with 409 and reserves
// nothing, whether none, one or some of its lines could be reserved. (JSONata gives a filter
// that matches one line as that line, not an array, and one that matches none as nothing, so the
// release Map's Items must be wrapped in an array constructor:
// https://docs.jsonata.org/predicate, https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html.)
func TestSoldOut(t *testing.T) {
	item := func(id string, qty int) string { return fmt.Sprintf(`{"item_id":%q,"quantity":%d}`, id, qty) }
	body := func(items ...string) string {
		return fmt.Sprintf(`{"store_id":"lon-01","customer":{"name":"Ada","email":%q},"items":[%s],"pickup_at":%q}`,
			payment.ApprovedTestEmail, strings.Join(items, ","), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}
	emu := start(t)
	tarts := par(t, emu, "lon-01", "lemon-tart")
	require.Less(t, tarts, 50, "one line can ask for more than the store has (the API allows 50)")
	tests := []struct {
		name  string
		items []string
	}{
		{"the only line sold out", []string{item("lemon-tart", tarts+1)}},
		{"one line reserved, one sold out", []string{item("pain-au-chocolat", 1), item("lemon-tart", tarts+1)}},
		{"two lines reserved, one sold out", []string{item("pain-au-chocolat", 1), item("baguette", 1), item("lemon-tart", tarts+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, answer := send(t, emu, http.MethodPost, "/orders", body(tt.items...))
			assert.Equal(t, http.StatusConflict, status, "%v", answer)
		})
	}
	// The lines reserved before the sold-out one were given back (the sold-out one reserved nothing).
	for _, it := range []string{"pain-au-chocolat", "baguette"} {
		assert.Equal(t, par(t, emu, "lon-01", it), remaining(t, emu, "lon-01", it), "%s: every reservation given back", it)
	}
}

// TestPrintedCurlPlacesAnOrder: the curl make local prints places an order at this stage. It
// names the JSON content type because the REST API's integration has only an application/json
// mapping template and passes nothing else through: curl's default form type gets 415, as on
// AWS (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html).
func TestPrintedCurlPlacesAnOrder(t *testing.T) {
	emu := start(t)
	args := shellWords(offline.TryOrder(emu.APIURL()))
	require.Equal(t, "curl", args[0])
	var method, url, body string
	header := http.Header{}
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case "-s":
		case "-X":
			i++
			method = args[i]
		case "-H":
			i++
			k, v, _ := strings.Cut(args[i], ": ")
			header.Set(k, v)
		case "-d":
			i++
			body = args[i]
		default:
			url = args[i]
		}
	}
	if header.Get("Content-Type") == "" && body != "" {
		header.Set("Content-Type", "application/x-www-form-urlencoded") // what curl -d sends unless told
	}
	tests := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"as printed", header, http.StatusCreated},
		{"without the content type (curl -d's default form type)", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
			require.NoError(t, err)
			req.Header = tt.header
			resp, err := emu.HTTPClient().Do(req)
			require.NoError(t, err)
			data, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode, "%s", data)
		})
	}
}

// shellWords splits a command line as sh would for plain words and single-quoted strings,
// which is all TryOrder writes.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, in := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}
