package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
)

// seeder is a custom resource's function, as the stages seed their tables: on Create it writes
// the seed items, then PUTs its answer to the ResponseURL with the HTTP client of its aws.Config
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
func seeder(_ context.Context, cfg aws.Config, getenv func(string) string) (lambdago.Handler, error) {
	db := dynamodb.NewFromConfig(cfg)
	return lambdago.NewHandler(func(ctx context.Context, ev map[string]any) error {
		for _, pk := range []string{"stock", "menu"} {
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(getenv("TABLE_NAME")), Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: pk}, "n": &types.AttributeValueMemberN{Value: "10"},
			}}); err != nil {
				return err
			}
		}
		body, _ := json.Marshal(map[string]any{"Status": "SUCCESS", "PhysicalResourceId": "seed", "StackId": ev["StackId"],
			"RequestId": ev["RequestId"], "LogicalResourceId": ev["LogicalResourceId"]})
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, ev["ResponseURL"].(string), bytes.NewReader(body))
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

// seededStage is the test kitchen with its table seeded by a custom resource, and the messaging
// template's queues.
func seededStage(t *testing.T) *emulator.Emulator {
	t.Helper()
	var kitchenT, messagingT struct {
		Resources map[string]any `json:"Resources"`
		Rest      map[string]any `json:"-"`
	}
	var raw map[string]any
	b, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &raw))
	require.NoError(t, json.Unmarshal(b, &kitchenT))
	b, err = os.ReadFile("testdata/messaging.template.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &messagingT))
	res := kitchenT.Resources
	for id, r := range messagingT.Resources {
		if id == "Orders" || id == "OrdersDLQ" {
			res[id] = r
		}
	}
	fn := map[string]any{}
	b, _ = json.Marshal(res["Kitchen"])
	require.NoError(t, json.Unmarshal(b, &fn))
	fn["Metadata"] = map[string]any{"aws:cdk:path": "Kitchen/Seeder/Resource"}
	res["Seeder"] = fn
	res["Seed"] = map[string]any{"Type": "Custom::Seed", "DependsOn": []string{"Tickets"},
		"Properties": map[string]any{"ServiceToken": map[string]any{"Fn::GetAtt": []string{"Seeder", "Arn"}}}}
	raw["Resources"] = res
	tmpl, err := json.Marshal(raw)
	require.NoError(t, err)

	ok := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func() (map[string]any, error) { return map[string]any{"statusCode": 201}, nil }), nil
	}
	emu, err := emulator.New(emulator.Stage{Name: "test", StackName: "Kitchen", Template: tmpl,
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": ok, "Kitchen/Seeder": seeder}},
		emulator.Options{Latency: latency.Zero(), Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Close() })
	require.NoError(t, emu.Start(context.Background()))
	return emu
}

// items is the table's content as pk → n.
func items(t *testing.T, db *dynamodb.Client) map[string]string {
	t.Helper()
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("Kitchen-Tickets")})
	require.NoError(t, err)
	got := map[string]string{}
	for _, it := range out.Items {
		n := ""
		if v, ok := it["n"].(*types.AttributeValueMemberN); ok {
			n = v.Value
		}
		got[it["pk"].(*types.AttributeValueMemberS).Value] = n
	}
	return got
}

// Reset is the emulator's own (no AWS API resets an account); what it must leave is what a stage
// had just after its stack was created. A queue it empties behaves as after PurgeQueue
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html) but
// without PurgeQueue's once-a-minute limit, and a function starts cold as a new execution
// environment does (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
func TestReset(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		dirty func(t *testing.T, emu *emulator.Emulator, db *dynamodb.Client, q *sqs.Client, queueURL string)
		check func(t *testing.T, emu *emulator.Emulator, db *dynamodb.Client, q *sqs.Client, queueURL string, res emulator.ResetResult)
	}{
		{
			name: "items written since the start are deleted, seeded items changed or deleted come back",
			dirty: func(t *testing.T, _ *emulator.Emulator, db *dynamodb.Client, _ *sqs.Client, _ string) {
				_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Kitchen-Tickets"), Item: map[string]types.AttributeValue{
					"pk": &types.AttributeValueMemberS{Value: "order-1"}}})
				require.NoError(t, err)
				_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Kitchen-Tickets"),
					Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "stock"}},
					UpdateExpression: aws.String("SET n = n - :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}})
				require.NoError(t, err)
				_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("Kitchen-Tickets"),
					Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "menu"}}})
				require.NoError(t, err)
				require.Equal(t, map[string]string{"order-1": "", "stock": "9"}, items(t, db))
			},
			check: func(t *testing.T, _ *emulator.Emulator, db *dynamodb.Client, _ *sqs.Client, _ string, res emulator.ResetResult) {
				assert.Equal(t, map[string]string{"stock": "10", "menu": "10"}, items(t, db))
				assert.Equal(t, 2, res.ItemsRemoved)
				assert.Equal(t, 2, res.ItemsRestored)
			},
		},
		{
			name: "queues are empty, and a queue can be emptied again at once",
			dirty: func(t *testing.T, _ *emulator.Emulator, _ *dynamodb.Client, q *sqs.Client, url string) {
				for range 3 {
					_, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("order")})
					require.NoError(t, err)
				}
			},
			check: func(t *testing.T, _ *emulator.Emulator, _ *dynamodb.Client, q *sqs.Client, url string, res emulator.ResetResult) {
				assert.Equal(t, 3, res.Messages)
				out, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
				require.NoError(t, err)
				assert.Equal(t, "0", out.Attributes["ApproximateNumberOfMessages"])
			},
		},
		{
			name: "the function starts cold again and the metrics start from zero; faults stay on",
			dirty: func(t *testing.T, emu *emulator.Emulator, _ *dynamodb.Client, _ *sqs.Client, _ string) {
				status, _ := post(t, emu.HTTPClient(), emu.APIURL()+"/tickets", "warm-up")
				require.Equal(t, http.StatusCreated, status)
				require.NoError(t, emu.PutFault("lambda:Kitchen-Seeder", fault.Rule{ErrorRate: 0.5}))
			},
			check: func(t *testing.T, emu *emulator.Emulator, _ *dynamodb.Client, _ *sqs.Client, _ string, res emulator.ResetResult) {
				assert.GreaterOrEqual(t, res.Environments, 1, "the kitchen's warm environment is dropped")
				for _, s := range emu.Metrics().Snapshot() {
					assert.Zero(t, s.Invocations, "%s %s", s.Kind, s.Name)
				}
				assert.Contains(t, emu.Faults().List(), "lambda:Kitchen-Seeder")
				status, _ := post(t, emu.HTTPClient(), emu.APIURL()+"/tickets", "after")
				require.Equal(t, http.StatusCreated, status)
				var cold int64
				for _, s := range emu.Metrics().Snapshot() {
					if s.Kind == "lambda" && s.Name == "Kitchen-Kitchen" {
						cold = s.ColdStarts
					}
				}
				assert.Equal(t, int64(1), cold, "the first invocation after a reset is a cold start")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := seededStage(t)
			db := dynamodb.NewFromConfig(emu.Config())
			q := sqs.NewFromConfig(emu.Config())
			url := queueURL(t, emu)
			tt.dirty(t, emu, db, q, url)

			// Over the admin API, as make local's users and the dashboard reach it.
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, emu.URL()+"/_emulator/reset", nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			var res emulator.ResetResult
			require.NoError(t, json.Unmarshal(body, &res))
			tt.check(t, emu, db, q, url, res)

			again, err := emu.Reset()
			require.NoError(t, err, "a second reset at once is allowed")
			assert.Zero(t, again.Messages)
		})
	}
}

// queueURL is the template's Orders queue (a queue's Ref is its URL).
func queueURL(t *testing.T, emu *emulator.Emulator) string {
	t.Helper()
	for _, r := range emu.Resources() {
		if r.LogicalID == "Orders" {
			return r.Physical
		}
	}
	require.Fail(t, "no Orders queue")
	return ""
}
