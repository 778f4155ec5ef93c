package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
)

const (
	eu = "eu-west-1"
	us = "us-east-1"
)

// startGlobal runs the kitchen and messaging templates in eu-west-1 and us-east-1 (the same
// stack names, so the same table and queue names in both), listening on addr when not "".
func startGlobal(t testing.TB, addr string) *emulator.Global {
	t.Helper()
	kitchenTmpl, err := os.ReadFile("testdata/kitchen.template.json")
	require.NoError(t, err)
	messaging, err := os.ReadFile("testdata/messaging.template.json")
	require.NoError(t, err)
	// One template with both stacks' resources: the messaging resources join the kitchen's.
	var k, m map[string]any
	require.NoError(t, json.Unmarshal(kitchenTmpl, &k))
	require.NoError(t, json.Unmarshal(messaging, &m))
	for id, r := range m["Resources"].(map[string]any) {
		k["Resources"].(map[string]any)[id] = r
	}
	tmpl, err := json.Marshal(k)
	require.NoError(t, err)
	g, err := emulator.NewGlobal(emulator.GlobalStage{
		Name: "global-test",
		Stacks: []emulator.RegionalStack{
			{Region: eu, StackName: "Kitchen", Template: tmpl},
			{Region: us, StackName: "Kitchen", Template: tmpl},
		},
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": kitchen},
	}, emulator.Options{Latency: latency.Zero(), Addr: addr})
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	require.NoError(t, g.Start(context.Background()))
	return g
}

// configs returns an SDK config per region: in process, or at the loopback port (as the AWS
// CLI's --endpoint-url and --region make it) when url is not "".
func configs(g *emulator.Global, url string) map[string]aws.Config {
	out := map[string]aws.Config{}
	for _, r := range g.Regions() {
		cfg := g.Config(r)
		if url != "" {
			cfg.HTTPClient = http.DefaultClient
			cfg.BaseEndpoint = aws.String(url)
		}
		cfg.RetryMaxAttempts = 1
		out[r] = cfg
	}
	return out
}

func scanKeys(t *testing.T, cfg aws.Config, table string) []string {
	t.Helper()
	out, err := dynamodb.NewFromConfig(cfg).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	require.NoError(t, err)
	var keys []string
	for _, it := range out.Items {
		keys = append(keys, it["pk"].(*types.AttributeValueMemberS).Value)
	}
	return keys
}

// A client reaches the region its config names: the same table and queue names in two regions
// are two tables and two queues. AWS signs every request with a credential scope naming the
// region (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
// and each region's resources are its own
// (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/regions.html).
func TestGlobalSignedRequestsReachTheirRegion(t *testing.T) {
	g := startGlobal(t, "127.0.0.1:0")
	for _, tt := range []struct {
		name string
		url  string
	}{{"in process", ""}, {"loopback port", g.URL()}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			cfgs := configs(g, tt.url)
			for _, r := range g.Regions() {
				_, err := dynamodb.NewFromConfig(cfgs[r]).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Kitchen-Tickets"),
					Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: tt.name + " in " + r}}})
				require.NoError(t, err)
				q := sqs.NewFromConfig(cfgs[r])
				url, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
				require.NoError(t, err)
				assert.Contains(t, *url.QueueUrl, "orders")
				_, err = q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url.QueueUrl, MessageBody: aws.String(tt.name + " from " + r)})
				require.NoError(t, err)
			}
			for _, r := range g.Regions() {
				assert.Contains(t, scanKeys(t, cfgs[r], "Kitchen-Tickets"), tt.name+" in "+r)
				for _, other := range g.Regions() {
					if other != r {
						assert.NotContains(t, scanKeys(t, cfgs[r], "Kitchen-Tickets"), tt.name+" in "+other)
					}
				}
				q := sqs.NewFromConfig(cfgs[r])
				url, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
				require.NoError(t, err)
				msgs, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10})
				require.NoError(t, err)
				require.Len(t, msgs.Messages, 1, "each region's queue holds its own message")
				assert.Equal(t, tt.name+" from "+r, *msgs.Messages[0].Body)
			}
		})
	}
}

// An API's invoke URL names its id, so it reaches the region that owns the API, and the
// function behind it writes to its own region's table through its region's SDK config.
func TestGlobalAPIInvokeURLsReachTheOwningRegion(t *testing.T) {
	g := startGlobal(t, "127.0.0.1:0")
	require.NotEqual(t, g.APIURL(eu), g.APIURL(us), "one template, two regions: two API ids")
	assert.Empty(t, g.APIURL("ap-south-1"))
	for _, tt := range []struct {
		name   string
		client *http.Client
	}{{"in process", g.HTTPClient()}, {"loopback port", http.DefaultClient}} {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range g.Regions() {
				code, body := post(t, tt.client, g.APIURL(r)+"/tickets", tt.name+" "+r)
				require.Equal(t, http.StatusCreated, code, body)
			}
			for _, r := range g.Regions() {
				keys := scanKeys(t, g.Config(r), "Kitchen-Tickets")
				assert.Contains(t, keys, tt.name+" "+r)
				assert.Len(t, keys, 1+map[bool]int{true: 0, false: 1}[tt.name == "in process"], "only this region's tickets: %v", keys)
			}
		})
	}
	// Each region counts its own requests.
	for _, r := range g.Regions() {
		var api int64
		for _, s := range g.Region(r).Metrics().Snapshot() {
			if s.Kind == "apigateway" {
				api += s.Invocations
			}
		}
		assert.EqualValues(t, 2, api, "region %s", r)
	}
}

// A request signed for a region the stage is not deployed in is refused with 403, as AWS
// refuses a credential scoped to the wrong region ("Credential should be scoped to a valid
// region", https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html),
// and the message names the regions there are.
func TestGlobalRefusesAnUnknownRegion(t *testing.T) {
	g := startGlobal(t, "127.0.0.1:0")
	for _, tt := range []struct {
		name string
		cfg  aws.Config
	}{
		{"in process", g.Config("ap-south-1")},
		{"loopback port", func() aws.Config {
			c := g.Config("ap-south-1")
			c.HTTPClient, c.BaseEndpoint = http.DefaultClient, aws.String(g.URL())
			return c
		}()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dynamodb.NewFromConfig(tt.cfg).ListTables(context.Background(), &dynamodb.ListTablesInput{})
			require.Error(t, err)
			var re interface{ HTTPStatusCode() int }
			require.ErrorAs(t, err, &re)
			assert.Equal(t, http.StatusForbidden, re.HTTPStatusCode())
			var api smithy.APIError
			require.ErrorAs(t, err, &api)
			assert.Equal(t, "InvalidSignatureException", api.ErrorCode())
			assert.Contains(t, api.ErrorMessage(), "not 'ap-south-1'")
			assert.Contains(t, api.ErrorMessage(), "eu-west-1, us-east-1")
		})
	}
}

// While a region is down its endpoints fail, as during a regional outage
// (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/regions.html):
// in process the connection is refused (an error the SDK's retryer retries,
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html), on the loopback
// port the answer is 503 ServiceUnavailable; calls between the region's own services fail with
// 503 too; the other region keeps working, and the region answers again once it is back.
func TestGlobalRegionDown(t *testing.T) {
	g := startGlobal(t, "127.0.0.1:0")
	ctx := context.Background()
	require.ErrorContains(t, g.SetRegionDown("ap-south-1", true), "its regions are eu-west-1, us-east-1")

	list := func(cfg aws.Config) error {
		_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
		return err
	}
	inProcess, loopback := configs(g, ""), configs(g, g.URL())
	require.NoError(t, g.SetRegionDown(us, true))
	assert.True(t, g.RegionDown(us))
	assert.False(t, g.RegionDown(eu))

	err := list(inProcess[us])
	require.Error(t, err)
	var api smithy.APIError
	assert.False(t, errors.As(err, &api), "no answer comes back from a region that is down: %v", err)
	assert.Contains(t, err.Error(), "region us-east-1 is down")

	err = list(loopback[us])
	var re interface{ HTTPStatusCode() int }
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusServiceUnavailable, re.HTTPStatusCode())

	code, _ := post(t, http.DefaultClient, g.APIURL(us)+"/tickets", "while down")
	assert.Equal(t, http.StatusServiceUnavailable, code, "the API's invoke URL is down too")
	_, err = g.Region(us).Env().Call(ctx, "dynamodb", "ListTables", []byte(`{}`))
	assert.ErrorContains(t, err, "ServiceUnavailable", "calls inside the region fail")

	for _, cfg := range []aws.Config{inProcess[eu], loopback[eu]} {
		assert.NoError(t, list(cfg), "the other region is unaffected")
	}
	code, body := post(t, g.HTTPClient(), g.APIURL(eu)+"/tickets", "eu while us is down")
	assert.Equal(t, http.StatusCreated, code, body)

	require.NoError(t, g.SetRegionDown(us, false))
	for _, cfg := range []aws.Config{inProcess[us], loopback[us]} {
		assert.NoError(t, list(cfg), "the region is back")
	}
	code, body = post(t, http.DefaultClient, g.APIURL(us)+"/tickets", "after")
	assert.Equal(t, http.StatusCreated, code, body)
}

// The admin API switches a region's outage on and off, and names the regions when one is
// misspelt; region-qualified faults land in one region only.
func TestGlobalAdminFaults(t *testing.T) {
	g := startGlobal(t, "127.0.0.1:0")
	do := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, g.URL()+path, strings.NewReader(body))
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
		down                     bool
	}{
		{"outage on", http.MethodPut, "/_emulator/faults/region:eu-west-1", `{"down":true}`, http.StatusOK, `"down": true`, true},
		{"listed", http.MethodGet, "/_emulator/faults", "", http.StatusOK, `"region:eu-west-1"`, true},
		{"regions", http.MethodGet, "/_emulator/regions", "", http.StatusOK, `"down": true`, true},
		{"unknown region", http.MethodPut, "/_emulator/faults/region:mars-1", `{"down":true}`, http.StatusBadRequest, "its regions are eu-west-1, us-east-1", true},
		{"a region fault is only down", http.MethodPut, "/_emulator/faults/region:eu-west-1", `{"throttle":true}`, http.StatusBadRequest, `{\"down\":true}`, true},
		{"outage off", http.MethodDelete, "/_emulator/faults/region:eu-west-1", "", http.StatusNoContent, "", false},
		{"down elsewhere", http.MethodPut, "/_emulator/faults/payment", `{"down":true}`, http.StatusBadRequest, "is a regional outage: PUT it on region:", false},
		{"one region's function", http.MethodPut, "/_emulator/faults/us-east-1:lambda:Kitchen-Kitchen", `{"throttle":true}`, http.StatusOK, "", false},
		{"misspelt resource", http.MethodPut, "/_emulator/faults/lambda:Kitchen-Kitchn", `{"throttle":true}`, http.StatusBadRequest, "eu-west-1:lambda:Kitchen-Kitchen", false},
		{"one region's admin", http.MethodGet, "/_emulator/faults?region=us-east-1", "", http.StatusOK, `"lambda:Kitchen-Kitchen"`, false},
		{"unknown admin region", http.MethodGet, "/_emulator/metrics?region=mars-1", "", http.StatusBadRequest, "its regions are", false},
		{"reset before the seed data replicated", http.MethodPost, "/_emulator/reset", "", http.StatusBadRequest, "no baseline yet", false},
		{"one region reset", http.MethodPost, "/_emulator/reset?region=us-east-1", "", http.StatusBadRequest, "are reset together", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(tt.method, tt.path, tt.body)
			assert.Equal(t, tt.status, code, body)
			assert.Contains(t, body, tt.want)
			assert.Equal(t, tt.down, g.RegionDown(eu))
		})
	}
	_, euFault := g.Region(eu).Faults().Lookup("lambda:Kitchen-Kitchen")
	_, usFault := g.Region(us).Faults().Lookup("lambda:Kitchen-Kitchen")
	assert.False(t, euFault)
	assert.True(t, usFault)
	require.NoError(t, g.PutFault("lambda:Kitchen-Kitchen", fault.Rule{Throttle: true}))
	_, euFault = g.Region(eu).Faults().Lookup("lambda:Kitchen-Kitchen")
	assert.True(t, euFault, "unqualified: every region that has it")

	require.NoError(t, g.WaitReplicated(context.Background()))
	code, body := do(http.MethodPost, "/_emulator/reset", "")
	assert.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, `"items_restored"`)
	_, euFault = g.Region(eu).Faults().Lookup("lambda:Kitchen-Kitchen")
	assert.True(t, euFault, "faults stay through a reset")
}

// A stage needs a region in every stack and one stack per region.
func TestNewGlobalRejectsBadStages(t *testing.T) {
	tmpl, err := os.ReadFile("testdata/messaging.template.json")
	require.NoError(t, err)
	tests := []struct {
		name   string
		stacks []emulator.RegionalStack
		want   string
	}{
		{"no stacks", nil, "at least one regional stack"},
		{"no region", []emulator.RegionalStack{{StackName: "A", Template: tmpl}}, "has no Region"},
		{"two stacks in a region", []emulator.RegionalStack{{Region: eu, StackName: "A", Template: tmpl}, {Region: eu, StackName: "B", Template: tmpl}}, "two stacks in region eu-west-1"},
		{"bad template", []emulator.RegionalStack{{Region: eu, StackName: "A", Template: tmpl}, {Region: us, StackName: "B", Template: []byte("{")}}, "region us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := emulator.NewGlobal(emulator.GlobalStage{Name: "bad", Stacks: tt.stacks}, emulator.Options{Latency: latency.Zero()})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// The AWS CLI's --region picks the region on the one endpoint (skipped where the CLI is not
// installed, as in CI): a table created in one region is listed there only.
func TestGlobalAWSCLIRegion(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed: " + err.Error())
	}
	g := startGlobal(t, "127.0.0.1:0")
	_, err = dynamodb.NewFromConfig(g.Config(eu)).CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: awsString("OnlyInEurope"), BillingMode: types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: awsString("pk"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: awsString("pk"), AttributeType: types.ScalarAttributeTypeS}},
	})
	require.NoError(t, err)
	tables := map[string]string{}
	for _, r := range g.Regions() {
		cmd := exec.Command(aws, "--endpoint-url", g.URL(), "--region", r, "--output", "json", "dynamodb", "list-tables")
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		tables[r] = string(out)
	}
	assert.Contains(t, tables[eu], "OnlyInEurope")
	assert.NotContains(t, tables[us], "OnlyInEurope")
	assert.Contains(t, tables[us], "Kitchen-Tickets")
}

// boto3's region_name picks the region likewise (skipped without python3 and boto3).
func TestGlobalBoto3Region(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Skipf("boto3 does not import: %s", out)
	}
	g := startGlobal(t, "127.0.0.1:0")
	_, err = dynamodb.NewFromConfig(g.Config(us)).CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: awsString("OnlyInAmerica"), BillingMode: types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: awsString("pk"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: awsString("pk"), AttributeType: types.ScalarAttributeTypeS}},
	})
	require.NoError(t, err)
	script := fmt.Sprintf(`import boto3, json
out = {}
for r in ["eu-west-1", "us-east-1"]:
    c = boto3.client("dynamodb", endpoint_url=%q, region_name=r, aws_access_key_id="test", aws_secret_access_key="test")
    out[r] = c.list_tables()["TableNames"]
print(json.dumps(out))`, g.URL())
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	var tables map[string][]string
	require.NoError(t, json.Unmarshal(out, &tables), string(out))
	assert.Contains(t, tables[us], "OnlyInAmerica")
	assert.NotContains(t, tables[eu], "OnlyInAmerica")
}

func awsString(s string) *string { return &s }

// A global table provisioned in the first region's stack has a replica in every region it lists
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-globaltable.html);
// NewGlobal links the regions before provisioning, so writes replicate, and while a region is
// down replication to it is held and catches up once it is back
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html).
// ordersGlobalTable is a global table "orders" with replicas in eu-west-1 and us-east-1.
var ordersGlobalTable = []byte(`{"Resources": {"Orders": {"Type": "AWS::DynamoDB::GlobalTable", "Properties": {
	"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
	"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
	"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
	"StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
	"Replicas": [{"Region": "eu-west-1"}, {"Region": "us-east-1"}]}}}}`)

func TestGlobalTableAcrossRegions(t *testing.T) {
	euTmpl := ordersGlobalTable
	usTmpl, err := os.ReadFile("testdata/messaging.template.json")
	require.NoError(t, err)
	g, err := emulator.NewGlobal(emulator.GlobalStage{Name: "tables", Stacks: []emulator.RegionalStack{
		{Region: eu, StackName: "Europe", Template: euTmpl},
		{Region: us, StackName: "America", Template: usTmpl},
	}}, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	ctx := context.Background()
	put := func(region, key string) {
		_, err := dynamodb.NewFromConfig(g.Config(region)).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
			Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}}})
		require.NoError(t, err)
	}
	has := func(region, key string) func() bool {
		return func() bool {
			out, err := dynamodb.NewFromConfig(g.Config(region)).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"),
				Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}}})
			return err == nil && out.Item != nil
		}
	}
	put(eu, "written in europe")
	assert.Eventually(t, has(us, "written in europe"), 5*time.Second, 10*time.Millisecond, "replicated to us-east-1")
	put(us, "written in america")
	assert.Eventually(t, has(eu, "written in america"), 5*time.Second, 10*time.Millisecond, "replicated to eu-west-1")

	require.NoError(t, g.SetRegionDown(us, true))
	put(eu, "during the outage")
	assert.Equal(t, 1, g.Region(eu).DynamoDB.ReplicationPending("orders"), "held for the region that is down")
	require.NoError(t, g.SetRegionDown(us, false))
	assert.Eventually(t, has(us, "during the outage"), 5*time.Second, 10*time.Millisecond, "caught up after the outage")

	// WaitReplicated returns once every write has reached every replica: the offline commands
	// wait for it so a run's first orders in the secondary region find the seed data.
	for i := range 20 {
		put(eu, fmt.Sprintf("batch %d", i))
	}
	require.NoError(t, g.WaitReplicated(ctx))
	assert.Zero(t, g.Region(eu).DynamoDB.ReplicationPendingAll())
	for i := range 20 {
		assert.True(t, has(us, fmt.Sprintf("batch %d", i))(), "batch %d replicated when WaitReplicated returned", i)
	}
	require.NoError(t, g.SetRegionDown(us, true))
	put(eu, "held")
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, g.WaitReplicated(short), context.DeadlineExceeded, "a region down holds replication, so the wait ends with its context")
	require.NoError(t, g.SetRegionDown(us, false))
}

// TestGlobalReset: a reset puts every region back to the data it held once the seed data had
// replicated (the baseline WaitReplicated records), and a write still held for a region that is
// down is dropped rather than landing after the reset.
func TestGlobalReset(t *testing.T) {
	euTmpl := ordersGlobalTable
	g, err := emulator.NewGlobal(emulator.GlobalStage{Name: "tables", Stacks: []emulator.RegionalStack{
		{Region: eu, StackName: "Europe", Template: euTmpl},
		{Region: us, StackName: "America", Template: []byte(`{"Resources": {"Topic": {"Type": "AWS::SQS::Queue"}}}`)},
	}}, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	ctx := context.Background()
	_, err = g.Reset()
	require.ErrorContains(t, err, "no baseline yet", "before WaitReplicated there is nothing to reset to")

	put := func(region, key string) {
		_, err := dynamodb.NewFromConfig(g.Config(region)).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"),
			Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}}})
		require.NoError(t, err)
	}
	count := func(region string) int32 {
		out, err := dynamodb.NewFromConfig(g.Config(region)).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("orders")})
		require.NoError(t, err)
		return out.Count
	}
	put(eu, "seed")
	require.NoError(t, g.WaitReplicated(ctx))
	require.Equal(t, int32(1), count(us), "the seed item replicated before the baseline")

	put(eu, "a run's order")
	require.NoError(t, g.WaitReplicated(ctx))
	require.NoError(t, g.SetRegionDown(us, true))
	put(eu, "held for the region that is down")

	got, err := g.Reset()
	require.NoError(t, err)
	assert.Equal(t, 5, got.ItemsRemoved, "three items in Europe, two in America")
	assert.Equal(t, 2, got.ItemsRestored, "the seed item in each region")
	assert.Zero(t, g.Region(eu).DynamoDB.ReplicationPendingAll(), "the held write is dropped")
	require.NoError(t, g.SetRegionDown(us, false))
	require.NoError(t, g.WaitReplicated(ctx))
	assert.Equal(t, int32(1), count(eu))
	assert.Equal(t, int32(1), count(us), "nothing from before the reset lands after it")
	_, err = g.Region(eu).Reset()
	assert.ErrorContains(t, err, "Global.Reset", "one region is not reset on its own")
}

// BenchmarkGlobalAPIToLambdaToTable is BenchmarkAPIToLambdaToTable in one region of a
// two-region emulator: the invoke URL is routed by its API id and the handler's SDK PutItem by
// its signature's region, so the difference between the two is the cost of the routing.
func BenchmarkGlobalAPIToLambdaToTable(b *testing.B) {
	g := startGlobal(b, "")
	c := g.HTTPClient()
	url := g.APIURL(eu) + "/tickets"
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		resp, err := c.Post(url, "text/plain", strings.NewReader(fmt.Sprint("t-", i)))
		if err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
