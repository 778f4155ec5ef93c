package dynamodb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// cdkOrdersProps are the properties the CDK (aws-cdk-go v2.276.0) synthesizes for
// awsdynamodb.NewTableV2 in an eu-west-1 stack with a GSI, a stream, TTL, point-in-time recovery,
// a tag and Replicas: [{Region: us-east-1}] (synthesized with a throwaway program; the tag lands
// on the stack region's replica only, as the CDK writes it).
const cdkOrdersProps = `{
  "AttributeDefinitions": [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
    {"AttributeName": "status", "AttributeType": "S"},
    {"AttributeName": "createdAt", "AttributeType": "N"}
  ],
  "BillingMode": "PAY_PER_REQUEST",
  "GlobalSecondaryIndexes": [{
    "IndexName": "byStatus",
    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "ALL"}
  }],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "Replicas": [
    {"GlobalSecondaryIndexes": [{"IndexName": "byStatus"}], "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}, "Region": "us-east-1"},
    {"GlobalSecondaryIndexes": [{"IndexName": "byStatus"}], "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}, "Region": "eu-west-1",
     "Tags": [{"Key": "stage", "Value": "05-global"}]}
  ],
  "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
  "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": true}
}`

// cdkMenuProps are what the same CDK synthesizes for a TableV2 with Billing.provisioned (read
// Capacity.fixed(10), write Capacity.autoscaled({maxCapacity: 20})) and a us-east-1 replica.
const cdkMenuProps = `{
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
  "BillingMode": "PROVISIONED",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "Replicas": [
    {"ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 10}, "Region": "us-east-1"},
    {"ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 10}, "Region": "eu-west-1"}
  ],
  "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
  "WriteProvisionedThroughputSettings": {
    "WriteCapacityAutoScalingSettings": {"MaxCapacity": 20, "MinCapacity": 1, "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70}}
  }
}`

const (
	eu = "eu-west-1"
	us = "us-east-1"
)

// region is one region of a two-region test: its service, a real SDK client and its env.
type region struct {
	svc *ddb.Service
	c   *dynamodb.Client
	env *sim.Env
	tr  *inProcess
}

// twoRegions builds DynamoDB services for eu-west-1 and us-east-1 on one fake clock with the
// zero latency model, links them, fixes the replication lag and provisions the CDK's orders
// global table from the eu-west-1 stack. It returns the regions and the table's name.
func twoRegions(t *testing.T, lag time.Duration) (a, b region, clock *sim.Fake, table string) {
	t.Helper()
	clock = sim.NewFake(time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC))
	mk := func(name string) region {
		env := &sim.Env{Region: name, AccountID: "000000000000", StackName: "Global", Latency: latency.Zero(),
			Faults: &fault.Set{}, Metrics: &metrics.Registry{}, Traces: trace.NewRecorder(10), Clock: clock}
		svc := ddb.New(env)
		ddb.SetReplicationLag(svc, lag)
		c, tr := clientFor(t, svc)
		t.Cleanup(func() { _ = svc.Close() })
		return region{svc: svc, c: c, env: env, tr: tr}
	}
	a, b = mk(eu), mk(us)
	ddb.Link(map[string]*ddb.Service{eu: a.svc, us: b.svc})
	phys, err := a.svc.Provision(context.Background(), &cfn.Resource{LogicalID: "OrdersA9B65338", Type: ddb.TypeGlobalTable}, props(t, cdkOrdersProps))
	require.NoError(t, err)
	return a, b, clock, phys.Ref.(string)
}

// get reads an item with a strongly consistent read; nil when absent.
func get(t *testing.T, c *dynamodb.Client, table, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": s(pk), "sk": s(sk)}})
	require.NoError(t, err)
	return out.Item
}

// status is an item's status attribute, "" when the item is absent.
func status(t *testing.T, c *dynamodb.Client, table, pk, sk string) string {
	t.Helper()
	item := get(t, c, table, pk, sk)
	if item == nil {
		return ""
	}
	return str(item["status"])
}

func put(t *testing.T, c *dynamodb.Client, table, pk, sk, st string) {
	t.Helper()
	_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": s(pk), "sk": s(sk), "status": s(st), "createdAt": n("1")}})
	require.NoError(t, err)
}

// eventually waits for the replicas' delivery goroutines (fired by the fake clock) to apply.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, time.Millisecond, msg)
}

// Provisioning follows the CloudFormation reference of AWS::DynamoDB::GlobalTable:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-globaltable.html
// and DescribeTable's Replicas and GlobalTableVersion for version 2019.11.21:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
func TestGlobalTableProvision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b, _, table := twoRegions(t, time.Second)
	assert.Equal(t, "Global-OrdersA9B65338", table, "without TableName the stack's physical name, the same in every region")

	for _, tt := range []struct {
		r            region
		other, tagOn string
	}{{a, us, "05-global"}, {b, eu, ""}} {
		d, err := tt.r.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		require.NoError(t, err, tt.r.env.Region)
		assert.Equal(t, "2019.11.21", aws.ToString(d.Table.GlobalTableVersion))
		require.Len(t, d.Table.Replicas, 1, "the other replica")
		assert.Equal(t, tt.other, aws.ToString(d.Table.Replicas[0].RegionName))
		assert.Equal(t, types.ReplicaStatusActive, d.Table.Replicas[0].ReplicaStatus)
		assert.Equal(t, "arn:aws:dynamodb:"+tt.r.env.Region+":000000000000:table/"+table, aws.ToString(d.Table.TableArn))
		require.Len(t, d.Table.GlobalSecondaryIndexes, 1)
		assert.True(t, aws.ToBool(d.Table.StreamSpecification.StreamEnabled))
		tags, err := tt.r.c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.Table.TableArn})
		require.NoError(t, err)
		if tt.tagOn == "" {
			assert.Empty(t, tags.Tags, "each replica has its own tags")
		} else {
			require.Len(t, tags.Tags, 1)
			assert.Equal(t, tt.tagOn, aws.ToString(tags.Tags[0].Value))
		}
	}

	// GetAtt answers for the stack region's replica; the provisioned table appears in both.
	menu, err := a.svc.Provision(ctx, &cfn.Resource{LogicalID: "Menu", Type: ddb.TypeGlobalTable}, props(t, cdkMenuProps))
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:dynamodb:eu-west-1:000000000000:table/Global-Menu", menu.Attrs["Arn"])
	assert.Regexp(t, `^arn:aws:dynamodb:eu-west-1:000000000000:table/Global-Menu/stream/`, menu.Attrs["StreamArn"])
	assert.NotEmpty(t, menu.Attrs["TableId"])
	d, err := b.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Global-Menu")})
	require.NoError(t, err)
	assert.Equal(t, types.BillingModeProvisioned, d.Table.BillingModeSummary.BillingMode)
	assert.Equal(t, int64(10), aws.ToInt64(d.Table.ProvisionedThroughput.ReadCapacityUnits))
	assert.Equal(t, int64(1), aws.ToInt64(d.Table.ProvisionedThroughput.WriteCapacityUnits), "auto scaling is not modelled: the minimum capacity")

	var kinds []string
	for _, r := range b.svc.Resources() {
		kinds = append(kinds, r.Physical+" "+r.Type)
	}
	assert.ElementsMatch(t, []string{"Global-Menu " + ddb.TypeGlobalTable, table + " " + ddb.TypeGlobalTable}, kinds)
}

// A global table whose only replica is the stack's region is a plain table, linked or not
// (the CloudFormation reference: "You can instead use the GlobalTable resource to create a new
// table in a single Region"):
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-globaltable.html
func TestGlobalTableSingleRegion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, c, _ := newService(t) // us-east-1, not linked
	_, err := svc.Provision(ctx, &cfn.Resource{LogicalID: "Orders", Type: ddb.TypeGlobalTable}, props(t, `{
		"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
		"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
		"Replicas": [{"Region": "us-east-1"}]}`))
	require.NoError(t, err)
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	require.NoError(t, err)
	assert.Empty(t, d.Table.Replicas)
	assert.Nil(t, d.Table.GlobalTableVersion)
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"pk": s("a")}})
	require.NoError(t, err)
	assert.Zero(t, svc.ReplicationPending("orders"))
}

// Errors name the resource and the property, as the emulator's CloudFormation rules require;
// the constraints are the CloudFormation reference's (the stack's region must be a replica,
// PROVISIONED needs WriteProvisionedThroughputSettings):
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-globaltable.html
func TestGlobalTableProvisionErrors(t *testing.T) {
	t.Parallel()
	const keys = `"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]`
	tests := []struct {
		name, props string
		link        bool
		want        string
	}{
		{"replica region without a linked service", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST", "Replicas": [{"Region": "eu-west-1"}, {"Region": "ap-southeast-2"}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas[1].Region" names region ap-southeast-2, which has no DynamoDB service linked to this region's (dynamodb.Link): the emulator runs regions [eu-west-1 us-east-1]`},
		{"replica region in a single-region emulator", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST", "Replicas": [{"Region": "eu-west-1"}, {"Region": "us-east-1"}]}`, false,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas[1].Region" names region us-east-1, which has no DynamoDB service linked to this region's (dynamodb.Link): the emulator runs regions [eu-west-1]`},
		{"stack region not a replica", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST", "Replicas": [{"Region": "us-east-1"}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas" has no replica in the stack's region eu-west-1 (CloudFormation requires one)`},
		{"no replicas", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST"}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas" must list at least the stack's region eu-west-1`},
		{"repeated region", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST", "Replicas": [{"Region": "eu-west-1"}, {"Region": "eu-west-1"}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas[1].Region" repeats region eu-west-1`},
		{"provisioned by default without write settings", `{` + keys + `, "Replicas": [{"Region": "eu-west-1", "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 5}}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "WriteProvisionedThroughputSettings" with a write capacity above 0 is required when BillingMode is PROVISIONED (CloudFormation's default)`},
		{"provisioned without read settings", `{` + keys + `, "BillingMode": "PROVISIONED", "WriteProvisionedThroughputSettings": {"WriteCapacityAutoScalingSettings": {"MinCapacity": 1, "MaxCapacity": 5}}, "Replicas": [{"Region": "eu-west-1"}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas[0].ReadProvisionedThroughputSettings" with a read capacity above 0 is required when BillingMode is PROVISIONED`},
		{"strong consistency", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST", "MultiRegionConsistency": "STRONG", "Replicas": [{"Region": "eu-west-1"}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "MultiRegionConsistency" STRONG (MRSC) is not supported by the emulator: only multi-Region eventual consistency is modelled`},
		{"replica index not defined", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST", "Replicas": [{"Region": "eu-west-1", "GlobalSecondaryIndexes": [{"IndexName": "nope"}]}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas[0].GlobalSecondaryIndexes[0].IndexName" names index "nope", which GlobalSecondaryIndexes does not define`},
		{"witnesses", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST", "GlobalTableWitnesses": [{"Region": "us-east-2"}], "Replicas": [{"Region": "eu-west-1"}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "GlobalTableWitnesses" is not supported by the emulator`},
		{"kinesis streaming", `{` + keys + `, "BillingMode": "PAY_PER_REQUEST", "Replicas": [{"Region": "eu-west-1", "KinesisStreamSpecification": {"StreamArn": "arn"}}]}`, true,
			`resource Bad (AWS::DynamoDB::GlobalTable): property "Replicas[0].KinesisStreamSpecification" is not supported by the emulator`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mk := func(name string) *ddb.Service {
				env := newEnv()
				env.Region = name
				return ddb.New(env)
			}
			svc := mk(eu)
			if tt.link {
				ddb.Link(map[string]*ddb.Service{eu: svc, us: mk(us)})
			}
			_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Bad", Type: ddb.TypeGlobalTable}, props(t, tt.props))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// A write to one replica reaches the others asynchronously, after the replication lag
// ("usually within a second"), and a replicated write is not replicated again:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
func TestGlobalTableReplicationLag(t *testing.T) {
	t.Parallel()
	const lag = 800 * time.Millisecond
	a, b, clock, table := twoRegions(t, lag)
	put(t, a.c, table, "store-1", "o-1", "NEW")
	assert.Equal(t, "NEW", status(t, a.c, table, "store-1", "o-1"))
	assert.Equal(t, 1, a.svc.ReplicationPending(table))

	clock.Advance(lag - time.Millisecond)
	assert.Empty(t, status(t, b.c, table, "store-1", "o-1"), "not in the other region before the lag")
	assert.Equal(t, 1, a.svc.ReplicationPending(table))

	clock.Advance(time.Millisecond)
	eventually(t, func() bool { return status(t, b.c, table, "store-1", "o-1") == "NEW" }, "in the other region after the lag")
	eventually(t, func() bool { return a.svc.ReplicationPending(table) == 0 }, "nothing left to replicate")
	assert.Zero(t, b.svc.ReplicationPending(table), "a replicated write does not replicate back")

	// The replica counts replicated write units (rWRU) apart from its own writes, and the
	// replication latency; its request metrics are untouched.
	m := b.env.Metrics.Resource("dynamodb", table).Snapshot()
	assert.Equal(t, int64(1), m.Counters[ddb.CounterReplicatedWrites])
	assert.Equal(t, int64(2), m.Counters[ddb.CounterReplicatedWriteUnits], "1 for the table and 1 for the index entry")
	assert.Zero(t, m.Counters["wcu"])
	assert.Equal(t, b.tr.calls.Load(), m.Invocations, "only the test's own GetItems")
	r := b.env.Metrics.Resource(ddb.ReplicationKind, table).Snapshot()
	assert.Equal(t, int64(1), r.Invocations)
	assert.InDelta(t, float64(lag.Milliseconds()), r.DurationMS.Max, 1, "ReplicationLatency from the write to its application")
	assert.Equal(t, int64(2), a.env.Metrics.Resource("dynamodb", table).Snapshot().Counters["wcu"], "the writer's own units")
}

// Concurrent writes to one item in two regions resolve last-writer-wins, and every replica
// converges on the same item; a delete is a write like any other, so an older put arriving later
// does not bring the item back:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
func TestGlobalTableLastWriterWins(t *testing.T) {
	t.Parallel()
	const lag = 500 * time.Millisecond
	tests := []struct {
		name  string
		first func(a, b region, table string) // at t0
		gap   time.Duration
		then  func(a, b region, table string) // at t0 + gap
		want  string                          // the status everywhere at the end, "" for deleted
	}{
		{"later write in the other region wins", func(a, _ region, table string) { put(t, a.c, table, "s", "o", "FROM-EU") }, 10 * time.Millisecond,
			func(_, b region, table string) { put(t, b.c, table, "s", "o", "FROM-US") }, "FROM-US"},
		{"later write in the first region wins", func(_, b region, table string) { put(t, b.c, table, "s", "o", "FROM-US") }, 10 * time.Millisecond,
			func(a, _ region, table string) { put(t, a.c, table, "s", "o", "FROM-EU") }, "FROM-EU"},
		{"same instant: the region that sorts last wins", func(a, _ region, table string) { put(t, a.c, table, "s", "o", "FROM-EU") }, 0,
			func(_, b region, table string) { put(t, b.c, table, "s", "o", "FROM-US") }, "FROM-US"},
		{"same instant, written in the other order", func(_, b region, table string) { put(t, b.c, table, "s", "o", "FROM-US") }, 0,
			func(a, _ region, table string) { put(t, a.c, table, "s", "o", "FROM-EU") }, "FROM-US"},
		{"delete after an older put in the other region", func(_, b region, table string) { put(t, b.c, table, "s", "o", "FROM-US") }, 10 * time.Millisecond,
			func(a, _ region, table string) {
				_, err := a.c.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(table),
					Key: map[string]types.AttributeValue{"pk": s("s"), "sk": s("o")}})
				require.NoError(t, err)
			}, ""},
		{"put after a delete in the other region", func(a, _ region, table string) {
			_, err := a.c.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(table),
				Key: map[string]types.AttributeValue{"pk": s("s"), "sk": s("o")}})
			require.NoError(t, err)
		}, 10 * time.Millisecond, func(_, b region, table string) { put(t, b.c, table, "s", "o", "FROM-US") }, "FROM-US"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b, clock, table := twoRegions(t, lag)
			tt.first(a, b, table)
			clock.Advance(tt.gap)
			tt.then(a, b, table)
			clock.Advance(lag)
			eventually(t, func() bool {
				return a.svc.ReplicationPending(table) == 0 && b.svc.ReplicationPending(table) == 0
			}, "replication done")
			assert.Equal(t, tt.want, status(t, a.c, table, "s", "o"), eu)
			assert.Equal(t, tt.want, status(t, b.c, table, "s", "o"), us)
		})
	}
}

// While a region is down, replication to and from it waits, in order, and catches up after it
// returns (the guidance's "evacuating a Region": writes accepted elsewhere replicate once the
// Region recovers):
// https://docs.aws.amazon.com/prescriptive-guidance/latest/dynamodb-global-tables/evacuation.html
func TestGlobalTableRegionDown(t *testing.T) {
	t.Parallel()
	const lag = 500 * time.Millisecond
	a, b, clock, table := twoRegions(t, lag)
	put(t, a.c, table, "s", "in-flight", "EARLY") // on its way when the region goes down
	clock.Advance(lag / 2)
	b.svc.SetRegionDown(true)
	assert.True(t, b.svc.RegionDown())
	for _, st := range []string{"V1", "V2", "V3"} {
		put(t, a.c, table, "s", "o", st)
		clock.Advance(10 * time.Millisecond)
	}
	put(t, a.c, table, "s", "other", "EU")
	put(t, b.c, table, "s", "written-in-us", "US") // a write the region took before it went dark
	clock.Advance(time.Minute)
	assert.Equal(t, 5, a.svc.ReplicationPending(table), "held while us-east-1 is down")
	assert.Equal(t, 1, b.svc.ReplicationPending(table), "held while us-east-1 is down")
	assert.Empty(t, status(t, b.c, table, "s", "o"))
	assert.Empty(t, status(t, a.c, table, "s", "written-in-us"))

	b.svc.SetRegionDown(false)
	clock.Advance(lag - time.Millisecond)
	assert.Empty(t, status(t, b.c, table, "s", "o"), "the lag counts from the recovery")
	assert.Empty(t, status(t, b.c, table, "s", "in-flight"))
	assert.Equal(t, 5, a.svc.ReplicationPending(table))
	clock.Advance(time.Millisecond)
	eventually(t, func() bool {
		return a.svc.ReplicationPending(table) == 0 && b.svc.ReplicationPending(table) == 0
	}, "caught up")
	assert.Equal(t, "V3", status(t, b.c, table, "s", "o"))
	assert.Equal(t, "EU", status(t, b.c, table, "s", "other"))
	assert.Equal(t, "EARLY", status(t, b.c, table, "s", "in-flight"))
	assert.Equal(t, "US", status(t, a.c, table, "s", "written-in-us"))
	repl := b.env.Metrics.Resource(ddb.ReplicationKind, table).Snapshot()
	assert.Equal(t, int64(5), repl.Invocations, "every held write applied")
	assert.Zero(t, repl.Counters["superseded"], "in order: no older version arrived after a newer one")
	assert.GreaterOrEqual(t, repl.DurationMS.Max, float64(time.Minute.Milliseconds()), "the outage shows in the replication latency")
}

// Every write operation replicates, item by item (transactions are atomic only in the region
// that took them), and so do writes other services make through env.Call:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
func TestGlobalTableReplicatesEveryWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const lag = 300 * time.Millisecond
	key := func(pk, sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": s(pk), "sk": s(sk)}
	}
	item := func(pk, sk, st string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": s(pk), "sk": s(sk), "status": s(st), "createdAt": n("2")}
	}
	tests := []struct {
		name  string
		write func(t *testing.T, a region, table string)
		want  map[string]string // sort key → status in the other region ("" = absent)
	}{
		{"UpdateItem without ReturnValues", func(t *testing.T, a region, table string) {
			out, err := a.c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("s", "seed"),
				UpdateExpression: aws.String("SET #s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("PAID")}})
			require.NoError(t, err)
			assert.Empty(t, out.Attributes, "the caller asked for no attributes")
		}, map[string]string{"seed": "PAID"}},
		{"UpdateItem with UPDATED_OLD", func(t *testing.T, a region, table string) {
			out, err := a.c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("s", "seed"),
				UpdateExpression: aws.String("SET #s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("PAID")}, ReturnValues: types.ReturnValueUpdatedOld})
			require.NoError(t, err)
			assert.Equal(t, "SEED", str(out.Attributes["status"]))
		}, map[string]string{"seed": "PAID"}},
		{"failed condition", func(t *testing.T, a region, table string) {
			_, err := a.c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item("s", "seed", "NO"),
				ConditionExpression: aws.String("attribute_not_exists(pk)")})
			require.Error(t, err)
		}, map[string]string{"seed": "SEED"}},
		{"BatchWriteItem", func(t *testing.T, a region, table string) {
			_, err := a.c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: {
				{PutRequest: &types.PutRequest{Item: item("s", "b1", "B1")}},
				{PutRequest: &types.PutRequest{Item: item("s", "b2", "B2")}},
				{DeleteRequest: &types.DeleteRequest{Key: key("s", "seed")}},
			}}})
			require.NoError(t, err)
		}, map[string]string{"b1": "B1", "b2": "B2", "seed": ""}},
		{"TransactWriteItems", func(t *testing.T, a region, table string) {
			_, err := a.c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String(table), Item: item("s", "t1", "T1")}},
				{Update: &types.Update{TableName: aws.String(table), Key: key("s", "seed"), UpdateExpression: aws.String("SET #s = :s"),
					ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("T2")}}},
				{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table), Key: key("s", "none"), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			}, ClientRequestToken: aws.String("tx-1")})
			require.NoError(t, err)
		}, map[string]string{"t1": "T1", "seed": "T2", "none": ""}},
		{"DeleteItem through env.Call", func(t *testing.T, a region, table string) {
			body, err := json.Marshal(map[string]any{"TableName": table, "Key": map[string]any{"pk": map[string]string{"S": "s"}, "sk": map[string]string{"S": "seed"}}})
			require.NoError(t, err)
			_, err = a.env.Call(ctx, "dynamodb", "DeleteItem", body)
			require.NoError(t, err)
		}, map[string]string{"seed": ""}},
		{"PutItem through env.Call", func(t *testing.T, a region, table string) {
			body := `{"TableName": "` + table + `", "Item": {"pk": {"S": "s"}, "sk": {"S": "c1"}, "status": {"S": "CALLED"}}}`
			_, err := a.env.Call(ctx, "dynamodb", "PutItem", []byte(body))
			require.NoError(t, err)
		}, map[string]string{"c1": "CALLED", "seed": "SEED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b, clock, table := twoRegions(t, lag)
			put(t, a.c, table, "s", "seed", "SEED")
			clock.Advance(lag)
			eventually(t, func() bool { return status(t, b.c, table, "s", "seed") == "SEED" }, "seed replicated")

			tt.write(t, a, table)
			clock.Advance(lag)
			eventually(t, func() bool { return a.svc.ReplicationPending(table) == 0 }, "replicated")
			for sk, want := range tt.want {
				eventually(t, func() bool { return status(t, b.c, table, "s", sk) == want }, sk+" in "+us)
				assert.Equal(t, status(t, a.c, table, "s", sk), status(t, b.c, table, "s", sk), "both regions agree on "+sk)
			}
		})
	}
}

// Deleting a replica table removes it from the global table: the other replicas stop
// replicating to it (DynamoDB, "Deleting a replica"):
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
func TestGlobalTableDeleteReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b, clock, table := twoRegions(t, time.Second)
	_, err := b.c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	require.NoError(t, err)
	d, err := a.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	require.NoError(t, err)
	assert.Empty(t, d.Table.Replicas)
	put(t, a.c, table, "s", "o", "ALONE")
	assert.Zero(t, a.svc.ReplicationPending(table))
	clock.Advance(time.Second)
	_, err = b.c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	require.Error(t, err)
}

// BenchmarkGlobalTablePutItem measures what replication adds to a write: a PutItem of a 350-byte
// order straight into ServeHTTP, on a regional table and on a global table with a replica in a
// second linked region (zero latency model, wall clock, so each write is applied in the other
// region at once by a delivery goroutine). The global case's time includes applying every write
// in the other region: the timer stops only once nothing is pending. cpu-ns/op is the process's
// CPU time (user + system, every goroutine) per write, steadier than wall time on a busy host.
//
//	go test -run '^$' -bench GlobalTable -benchmem ./shared/emulator/dynamodb/
func BenchmarkGlobalTablePutItem(b *testing.B) {
	const tableProps = `{
		"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
		"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
		"WarmThroughput": {"ReadUnitsPerSecond": 100000000, "WriteUnitsPerSecond": 100000000},
		"Replicas": [{"Region": "eu-west-1"}%s]}`
	for _, tt := range []struct {
		name, replicas string
		link           bool
	}{{"regional", "", false}, {"global", `, {"Region": "us-east-1"}`, true}} {
		b.Run(tt.name, func(b *testing.B) {
			mk := func(name string) *ddb.Service {
				env := newEnv()
				env.Region = name
				svc := ddb.New(env)
				b.Cleanup(func() { _ = svc.Close() })
				return svc
			}
			svc := mk(eu)
			if tt.link {
				ddb.Link(map[string]*ddb.Service{eu: svc, us: mk(us)})
			}
			_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Bench", Type: ddb.TypeGlobalTable},
				props(b, fmt.Sprintf(tableProps, tt.replicas)))
			require.NoError(b, err)
			bodies := make([][]byte, benchKeys)
			for i := range bodies {
				bodies[i] = putBody(i)
			}
			req, _ := http.NewRequest(http.MethodPost, "http://dynamodb.local/", nil)
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
			req.Header.Set("Authorization", testAuth)
			w := &discard{h: http.Header{}}
			rd := &bytes.Reader{}
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := range b.N {
				rd.Reset(bodies[i%benchKeys])
				req.Body = io.NopCloser(rd)
				req.ContentLength = int64(rd.Len())
				clear(w.h)
				svc.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			for svc.ReplicationPending("bench") > 0 {
				time.Sleep(50 * time.Microsecond)
			}
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
