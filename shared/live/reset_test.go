package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/live"
)

const stockAtStart = 1000

// seededKitchen is the test kitchen with its table seeded by a custom resource (a stock item),
// as the stages seed theirs, and a function that records every order and takes it from the
// stock: the state a second run must not inherit from the first.
func seededKitchen(t *testing.T) (*httptest.Server, *emulator.Emulator) {
	t.Helper()
	var tmpl map[string]any
	b, err := os.ReadFile("../emulator/testdata/kitchen.template.json")
	require.NoError(t, err)
	b = []byte(strings.Replace(string(b), `"PathPart": "tickets"`, `"PathPart": "orders"`, 1))
	require.NoError(t, json.Unmarshal(b, &tmpl))
	res := tmpl["Resources"].(map[string]any)
	seederFn := map[string]any{}
	fb, _ := json.Marshal(res["Kitchen"])
	require.NoError(t, json.Unmarshal(fb, &seederFn))
	seederFn["Metadata"] = map[string]any{"aws:cdk:path": "Kitchen/Seeder/Resource"}
	res["Seeder"] = seederFn
	res["Seed"] = map[string]any{"Type": "Custom::Seed", "DependsOn": []string{"Tickets"},
		"Properties": map[string]any{"ServiceToken": map[string]any{"Fn::GetAtt": []string{"Seeder", "Arn"}}}}
	body, err := json.Marshal(tmpl)
	require.NoError(t, err)

	var seq atomic.Int64
	orders := func(_ context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
		db, table := dynamodb.NewFromConfig(cfg), aws.String(getenv("TABLE_NAME"))
		return lambdago.NewHandler(func(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			id := fmt.Sprintf("order-%d", seq.Add(1)) // never the same twice in a session, as real order ids
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: id}}}); err != nil {
				return events.APIGatewayProxyResponse{}, err
			}
			if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table,
				Key:                       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "stock"}},
				UpdateExpression:          aws.String("SET n = n - :one"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}}); err != nil {
				return events.APIGatewayProxyResponse{}, err
			}
			return events.APIGatewayProxyResponse{StatusCode: 201, Body: `{"status":"paid","order_id":"` + id + `"}`}, nil
		}), nil
	}
	seeder := func(_ context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
		db := dynamodb.NewFromConfig(cfg)
		return lambdago.NewHandler(func(ctx context.Context, ev map[string]any) error {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(getenv("TABLE_NAME")), Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: "stock"}, "n": &types.AttributeValueMemberN{Value: fmt.Sprint(stockAtStart)}}}); err != nil {
				return err
			}
			answer, _ := json.Marshal(map[string]any{"Status": "SUCCESS", "PhysicalResourceId": "seed", "StackId": ev["StackId"],
				"RequestId": ev["RequestId"], "LogicalResourceId": ev["LogicalResourceId"]})
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, ev["ResponseURL"].(string), bytes.NewReader(answer))
			if err != nil {
				return err
			}
			resp, err := cfg.HTTPClient.Do(req)
			if err != nil {
				return err
			}
			return resp.Body.Close()
		}), nil
	}
	emu, err := emulator.New(emulator.Stage{Name: "00-test", StackName: "Kitchen", Template: body,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": orders, "Kitchen/Seeder": seeder}}, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Close() })
	require.NoError(t, emu.Start(context.Background()))
	d, err := live.New(live.Config{Emulator: emu, Stage: "00-test", Template: body, Seed: 7})
	require.NoError(t, err)
	t.Cleanup(d.Close)
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return srv, emu
}

// tableState is what a run leaves in the table: the orders it holds and the stock left.
type tableState struct {
	Orders int
	Stock  string
}

func stateOf(t *testing.T, emu *emulator.Emulator) tableState {
	t.Helper()
	out, err := dynamodb.NewFromConfig(emu.Config()).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("Kitchen-Tickets")})
	require.NoError(t, err)
	var s tableState
	for _, it := range out.Items {
		switch pk := it["pk"].(*types.AttributeValueMemberS).Value; {
		case pk == "stock":
			s.Stock = it["n"].(*types.AttributeValueMemberN).Value
		case strings.HasPrefix(pk, "order-"):
			s.Orders++
		}
	}
	return s
}

// TestTwoRunsStartFromTheSameState runs the smoke profile twice from the dashboard's load
// button, as an instructor does twice in one make live session: the second run finds the table
// as the stage seeded it, not as the first run left it, so both runs end in the same state and
// the page says what was reset.
func TestTwoRunsStartFromTheSameState(t *testing.T) {
	if testing.Short() {
		t.Skip("two 10 s smoke runs; skipped with -short")
	}
	srv, emu := seededKitchen(t)
	require.Equal(t, tableState{Stock: fmt.Sprint(stockAtStart)}, stateOf(t, emu), "seeded at start")

	run := func() (tableState, live.LoadState) {
		status, body := do(t, http.MethodPost, srv.URL+"/api/load?profile=smoke")
		require.Equal(t, http.StatusAccepted, status, body)
		assert.Contains(t, body, "Reset before the run")
		var m live.Metrics
		require.Eventually(t, func() bool {
			_, body := do(t, http.MethodGet, srv.URL+"/api/metrics")
			require.NoError(t, json.Unmarshal([]byte(body), &m))
			return !m.Load.Running
		}, 60*time.Second, 100*time.Millisecond)
		return stateOf(t, emu), m.Load
	}
	first, load1 := run()
	second, load2 := run()

	require.Positive(t, first.Orders, "the first run took orders")
	assert.Equal(t, fmt.Sprint(stockAtStart-first.Orders), first.Stock)
	assert.Equal(t, first, second, "the second run starts from the seeded table, not from the first run's")
	assert.Contains(t, load1.Reset, "(1 items removed, 1 put back)", "the first reset finds the table as seeded")
	assert.Contains(t, load2.Reset, fmt.Sprintf("(%d items removed, 1 put back)", first.Orders+1), "the second reset removes the first run's orders")
	assert.Equal(t, 2, load2.Runs)
}
