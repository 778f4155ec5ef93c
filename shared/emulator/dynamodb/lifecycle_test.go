package dynamodb_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
)

// stepClock is a clock a test moves by hand (or that moves a step at each reading).
type stepClock struct {
	ns   atomic.Int64
	step time.Duration
}

func newStepClock(step time.Duration) *stepClock {
	c := &stepClock{step: step}
	c.ns.Store(time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *stepClock) now() time.Time          { return time.Unix(0, c.ns.Add(int64(c.step))).UTC() }
func (c *stepClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// transitioning is a service whose tables take 2 s to change state, on a clock the test moves.
func transitioning(t *testing.T) (*dynamodb.Client, *stepClock) {
	t.Helper()
	svc, c, _ := newService(t)
	clock := newStepClock(0)
	ddb.SetClock(svc, clock.now)
	ddb.SetTableTransition(svc, 2*time.Second)
	return c, clock
}

var simpleTable = &dynamodb.CreateTableInput{
	TableName:            aws.String("Lifecycle"),
	BillingMode:          types.BillingModePayPerRequest,
	AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
	KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
}

// TestTableLifecycle checks the table states of
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html:
// CreateTable answers CREATING and reads and writes work only once the table is ACTIVE
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html);
// UpdateTable answers UPDATING and the table stays available for reads and writes; a table being
// created or updated cannot be updated or deleted (ResourceInUseException,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html#API_DeleteTable_Errors);
// DeleteTable answers DELETING and the table is gone after the same transition.
func TestTableLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, clock := transitioning(t)

	out, err := c.CreateTable(ctx, simpleTable)
	require.NoError(t, err)
	assert.Equal(t, types.TableStatusCreating, out.TableDescription.TableStatus)

	put := func() error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Lifecycle"), Item: map[string]types.AttributeValue{"pk": s("a")}})
		return err
	}
	status := func() types.TableStatus {
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Lifecycle")})
		require.NoError(t, err)
		return d.Table.TableStatus
	}
	update := func() error {
		_, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("Lifecycle"), BillingMode: types.BillingModeProvisioned,
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)}})
		return err
	}
	steps := []struct {
		name    string
		advance time.Duration
		status  types.TableStatus
		act     func() error
		errType any // nil: the action succeeds
	}{
		{"a write to a CREATING table is not found", 0, types.TableStatusCreating, put, new(*types.ResourceNotFoundException)},
		{"a CREATING table cannot be updated", time.Second, types.TableStatusCreating, update, new(*types.ResourceInUseException)},
		{"a CREATING table cannot be deleted", 0, types.TableStatusCreating, func() error {
			_, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("Lifecycle")})
			return err
		}, new(*types.ResourceInUseException)},
		{"the table is ACTIVE after the transition and takes writes", time.Second, types.TableStatusActive, put, nil},
		{"UpdateTable starts an update", 0, types.TableStatusActive, update, nil},
		{"an UPDATING table takes writes", 0, types.TableStatusUpdating, put, nil},
		{"an UPDATING table cannot be updated again", time.Second, types.TableStatusUpdating, update, new(*types.ResourceInUseException)},
		{"the update ends", time.Second, types.TableStatusActive, put, nil},
	}
	for _, st := range steps {
		clock.advance(st.advance)
		assert.Equal(t, st.status, status(), st.name)
		err := st.act()
		if st.errType == nil {
			assert.NoError(t, err, st.name)
			continue
		}
		assert.ErrorAs(t, err, st.errType, st.name)
	}
	// DeleteTable: DELETING for the transition, still answering reads and writes, a second
	// DeleteTable is no error, the name cannot be reused yet; then the table is gone
	// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html).
	del, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("Lifecycle")})
	require.NoError(t, err)
	assert.Equal(t, types.TableStatusDeleting, del.TableDescription.TableStatus)
	assert.Equal(t, types.TableStatusDeleting, status(), "DescribeTable during the deletion")
	assert.NoError(t, put(), "DynamoDB may go on accepting writes while a table is DELETING")
	again, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("Lifecycle")})
	require.NoError(t, err, "deleting a DELETING table is no error")
	assert.Equal(t, types.TableStatusDeleting, again.TableDescription.TableStatus)
	_, err = c.CreateTable(ctx, simpleTable)
	var inUse *types.ResourceInUseException
	assert.ErrorAs(t, err, &inUse, "the name is taken until the deletion completes")
	list, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	assert.Contains(t, list.TableNames, "Lifecycle")

	clock.advance(2 * time.Second) // the table transition
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Lifecycle")})
	var nf *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &nf)
	assert.ErrorAs(t, put(), &nf, "gone: writes are not found")
	list, err = c.ListTables(ctx, &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	assert.NotContains(t, list.TableNames, "Lifecycle")
	_, err = c.CreateTable(ctx, simpleTable)
	assert.NoError(t, err, "the name is free again")
}

// TestTableExistsWaiter checks that the SDK's waiter, which polls DescribeTable until
// TableStatus is ACTIVE
// (https://docs.aws.amazon.com/cli/latest/reference/dynamodb/wait/table-exists.html), waits out
// CREATING. The service's clock moves 100 ms at each reading, so the table becomes ACTIVE after
// a few polls without the test waiting in real time.
func TestTableExistsWaiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, c, _ := newService(t)
	ddb.SetClock(svc, newStepClock(100*time.Millisecond).now)
	ddb.SetTableTransition(svc, 2*time.Second)
	out, err := c.CreateTable(ctx, simpleTable)
	require.NoError(t, err)
	require.Equal(t, types.TableStatusCreating, out.TableDescription.TableStatus)

	polls := 0
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
		o.LogWaitAttempts = false
		o.Retryable = counting(&polls, o.Retryable)
	})
	require.NoError(t, w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Lifecycle")}, 10*time.Second))
	assert.Greater(t, polls, 1, "the waiter saw the table CREATING before it was ACTIVE")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Lifecycle"), Item: map[string]types.AttributeValue{"pk": s("a")}})
	assert.NoError(t, err)
}

// TestTableNotExistsWaiter: the SDK's table-not-exists waiter polls DescribeTable until it answers
// ResourceNotFoundException
// (https://docs.aws.amazon.com/cli/latest/reference/dynamodb/wait/table-not-exists.html), so it
// waits out DELETING.
func TestTableNotExistsWaiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, c, _ := newService(t)
	ddb.SetTableTransition(svc, 0)
	_, err := c.CreateTable(ctx, simpleTable)
	require.NoError(t, err)
	ddb.SetClock(svc, newStepClock(100*time.Millisecond).now)
	ddb.SetTableTransition(svc, 2*time.Second)
	del, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("Lifecycle")})
	require.NoError(t, err)
	require.Equal(t, types.TableStatusDeleting, del.TableDescription.TableStatus)

	polls := 0
	w := dynamodb.NewTableNotExistsWaiter(c, func(o *dynamodb.TableNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
		o.Retryable = counting(&polls, o.Retryable)
	})
	require.NoError(t, w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Lifecycle")}, 10*time.Second))
	assert.Greater(t, polls, 1, "the waiter saw the table DELETING before it was gone")
}

// counting wraps a DescribeTable waiter's Retryable so that the test sees how often it polled.
func counting(polls *int, next func(context.Context, *dynamodb.DescribeTableInput, *dynamodb.DescribeTableOutput, error) (bool, error)) func(context.Context, *dynamodb.DescribeTableInput, *dynamodb.DescribeTableOutput, error) (bool, error) {
	return func(ctx context.Context, in *dynamodb.DescribeTableInput, out *dynamodb.DescribeTableOutput, err error) (bool, error) {
		*polls++
		return next(ctx, in, out, err)
	}
}

// TestProvisionedTablesActiveAtOnce checks that a stack's tables are ACTIVE when the stack is
// up, as CloudFormation reports a table CREATE_COMPLETE only once it is ACTIVE
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html),
// so that a stage starts without waiting.
func TestProvisionedTablesActiveAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, c, _ := newService(t)
	ddb.SetClock(svc, newStepClock(0).now)
	ddb.SetTableTransition(svc, time.Hour)
	_, err := svc.Provision(ctx, &cfn.Resource{LogicalID: "Orders", Type: ddb.TypeTable}, props(t, ordersProps))
	require.NoError(t, err)
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Test-Orders")})
	require.NoError(t, err)
	assert.Equal(t, types.TableStatusActive, d.Table.TableStatus)
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Test-Orders"),
		Item: map[string]types.AttributeValue{"pk": s("a"), "sk": s("b")}})
	assert.NoError(t, err)
}

// TestIndexBackfilling: a global secondary index added to an existing table by UpdateTable is
// CREATING with Backfilling true, then ACTIVE with Backfilling false; an index created with its
// table has no Backfilling member
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GlobalSecondaryIndexDescription.html).
func TestIndexBackfilling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, clock := transitioning(t)
	gsi := func(name string) types.GlobalSecondaryIndex {
		return types.GlobalSecondaryIndex{IndexName: aws.String(name), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("day"), KeyType: types.KeyTypeHash}}}
	}
	in := *simpleTable
	in.AttributeDefinitions = append(slices.Clone(in.AttributeDefinitions), types.AttributeDefinition{AttributeName: aws.String("day"), AttributeType: types.ScalarAttributeTypeS})
	in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{gsi("with-table")}
	_, err := c.CreateTable(ctx, &in)
	require.NoError(t, err)
	clock.advance(2 * time.Second)

	describe := func() map[string]types.GlobalSecondaryIndexDescription {
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Lifecycle")})
		require.NoError(t, err)
		out := map[string]types.GlobalSecondaryIndexDescription{}
		for _, g := range d.Table.GlobalSecondaryIndexes {
			out[*g.IndexName] = g
		}
		return out
	}
	assert.Nil(t, describe()["with-table"].Backfilling, "created with the table: no Backfilling member")
	add := gsi("added")
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("Lifecycle"),
		AttributeDefinitions:        in.AttributeDefinitions,
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: add.IndexName, KeySchema: add.KeySchema, Projection: add.Projection}}}})
	require.NoError(t, err)
	added := describe()["added"]
	assert.Equal(t, types.IndexStatusCreating, added.IndexStatus)
	assert.Equal(t, aws.Bool(true), added.Backfilling)
	assert.Equal(t, types.IndexStatusActive, describe()["with-table"].IndexStatus)

	clock.advance(2 * time.Second)
	added = describe()["added"]
	assert.Equal(t, types.IndexStatusActive, added.IndexStatus)
	assert.Equal(t, aws.Bool(false), added.Backfilling)
}
