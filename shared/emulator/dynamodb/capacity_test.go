package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	ddb "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
)

// countAttempts adds a middleware after the SDK's retry middleware, so it runs once per attempt.
func countAttempts(attempts *atomic.Int64) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("countAttempts",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					attempts.Add(1)
					return next.HandleFinalize(ctx, in)
				}), middleware.After)
		})
	}
}

// fastRetries keeps the SDK's standard retryer but with short back-offs and no retry quota,
// so tests finish quickly.
func fastRetries(maxAttempts int) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = maxAttempts
			so.MaxBackoff = 20 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	}
}

func noRetries(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} }

// tick makes the service's clock advance by step each time the capacity model reads it, so
// that buckets refill in proportion to the requests made, however fast the machine runs them.
func tick(svc *ddb.Service, step time.Duration) {
	start := time.Now()
	var reads atomic.Int64
	ddb.SetClock(svc, func() time.Time { return start.Add(time.Duration(reads.Add(1)) * step) })
}

// freeze holds the service's clock still: buckets never refill, so a test's throttling does not
// depend on how fast the machine runs it.
func freeze(svc *ddb.Service) {
	at := time.Now()
	ddb.SetClock(svc, func() time.Time { return at })
}

// blob is an item attribute of size bytes: an item carrying it costs about size/1024 WCU.
func blob(size int) types.AttributeValue { return s(strings.Repeat("x", size)) }

// writeConcurrently runs workers × each PutItem calls of the item that key(worker, i) makes and
// returns the errors.
func writeConcurrently(c *dynamodb.Client, table string, workers, each int, item func(w, i int) map[string]types.AttributeValue) []error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item(w, i)})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return errs
}

func TestHotKeyThrottlesAndSDKRetries(t *testing.T) {
	t.Parallel()
	env := newEnv()
	svc := newServiceFor(t, env)
	tick(svc, time.Millisecond) // 1 WCU of refill per request against 50 WCU per write
	var attempts atomic.Int64
	c, _ := clientFor(t, svc, fastRetries(10), countAttempts(&attempts))
	createSimple(t, c, "hot")
	attempts.Store(0)

	// 10 writers × 5 writes of ~50 KB to one key: 2,500 WCU against the key's 1,000 per second.
	const workers, each = 10, 5
	errs := writeConcurrently(c, "hot", workers, each, func(w, i int) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": s("croissant"), "blob": blob(50 * 1024)}
	})

	snap := env.Metrics.Resource("dynamodb", "hot").Snapshot()
	t.Logf("%d calls, %d attempts, %d throttled attempts, %d calls failed after retries", workers*each, attempts.Load(), snap.Throttles, len(errs))
	assert.Positive(t, snap.Throttles, "the hot key is throttled")
	assert.Greater(t, attempts.Load(), int64(workers*each), "the SDK retried the throttled writes")
	assert.Less(t, len(errs), workers*each, "retried writes get through")
	assert.Positive(t, snap.Counters["wcu"])
}

func TestHotKeyErrorShape(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	freeze(svc)
	c, _ := clientFor(t, svc, noRetries)
	createSimple(t, c, "hot")
	var throttled *types.ThrottlingException
	for i := range 30 { // 30 × 100 KB = 3,000 WCU on one key
		_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("hot"),
			Item: map[string]types.AttributeValue{"pk": s("k"), "n": n(fmt.Sprint(i)), "blob": blob(100 * 1024)}})
		if errors.As(err, &throttled) {
			break
		}
		require.NoError(t, err)
	}
	require.NotNil(t, throttled, "writes over 1,000 WCU/s on one key are throttled")
	assert.Equal(t, "ThrottlingException", throttled.ErrorCode())
	assert.Contains(t, throttled.ErrorMessage(), "Throughput exceeds the current capacity of your table or index")
	require.Len(t, throttled.ThrottlingReasons, 1)
	assert.Equal(t, "TableWriteKeyRangeThroughputExceeded", aws.ToString(throttled.ThrottlingReasons[0].Reason))
	assert.Equal(t, "arn:aws:dynamodb:us-east-1:000000000000:table/hot", aws.ToString(throttled.ThrottlingReasons[0].Resource))

	// The throttled write changed nothing: the item holds the last admitted write.
	got, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("hot"), Key: map[string]types.AttributeValue{"pk": s("k")}, ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	assert.NotNil(t, got.Item)
}

func TestSpreadKeysAreNotThrottled(t *testing.T) {
	t.Parallel()
	env := newEnv()
	svc := newServiceFor(t, env)
	var attempts atomic.Int64
	c, _ := clientFor(t, svc, fastRetries(10), countAttempts(&attempts))
	createSimple(t, c, "spread")
	attempts.Store(0)

	// The same 2,500 WCU as the hot key test, over 50 keys: under the table's 4,000.
	const workers, each = 10, 5
	errs := writeConcurrently(c, "spread", workers, each, func(w, i int) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": s(fmt.Sprintf("order-%d-%d", w, i)), "blob": blob(50 * 1024)}
	})
	assert.Empty(t, errs)
	assert.Equal(t, int64(0), env.Metrics.Resource("dynamodb", "spread").Snapshot().Throttles)
	assert.Equal(t, int64(workers*each), attempts.Load(), "no retries")
}

func TestTableLevelLimit(t *testing.T) {
	t.Parallel()
	svc, _, env := newService(t)
	freeze(svc)
	c, _ := clientFor(t, svc, noRetries)
	createSimple(t, c, "busy")
	// 20 × ~390 KB items on 20 keys: 7,800 WCU, no key over 1,000, the table over its 4,000.
	var throttled *types.ThrottlingException
	for i := range 20 {
		_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("busy"),
			Item: map[string]types.AttributeValue{"pk": s(fmt.Sprint(i)), "blob": blob(390 * 1024)}})
		if errors.As(err, &throttled) {
			break
		}
		require.NoError(t, err)
	}
	require.NotNil(t, throttled, "a new on-demand table serves 4,000 WCU/s")
	assert.Positive(t, env.Metrics.Resource("dynamodb", "busy").Snapshot().Throttles)
}

// TestProvisionedCapacity checks a provisioned table's throughput: it keeps up to 300 seconds of
// unused capacity as burst capacity
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html)
// and serves its provisioned rate beyond that, answering ProvisionedThroughputExceededException
// with the 2025 throttling reasons
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TroubleshootingThrottling.html).
// The model starts a new table's burst full.
func TestProvisionedCapacity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newService(t)
	clock := newStepClock(0)
	ddb.SetClock(svc, clock.now)
	c, _ := clientFor(t, svc, noRetries)
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("small"), BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	})
	require.NoError(t, err)
	key := 0
	// writes puts 1-WCU items on fresh keys until one is throttled, and returns how many passed.
	writes := func() (int, *types.ProvisionedThroughputExceededException) {
		for ok := 0; ; ok++ {
			key++
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("small"), Item: map[string]types.AttributeValue{"pk": s(fmt.Sprint(key))}})
			var pte *types.ProvisionedThroughputExceededException
			if errors.As(err, &pte) {
				return ok, pte
			}
			require.NoError(t, err)
		}
	}
	steps := []struct {
		name    string
		advance time.Duration
		want    int
	}{
		{"a new 5-WCU table bursts 300 s of capacity at once", 0, 5 * 300},
		{"then serves its provisioned 5 WCU per second", time.Second, 5},
		{"unused capacity builds up for at most 300 s", 400 * time.Second, 5 * 300},
	}
	for _, st := range steps {
		clock.advance(st.advance)
		got, pte := writes()
		assert.Equal(t, st.want, got, st.name)
		require.NotNil(t, pte, st.name)
		assert.Equal(t, "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.", pte.ErrorMessage())
		require.Len(t, pte.ThrottlingReasons, 1)
		assert.Equal(t, "TableWriteProvisionedThroughputExceeded", aws.ToString(pte.ThrottlingReasons[0].Reason))
	}
}

func TestHotIndexPartitionThrottlesWrites(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	freeze(svc)
	c, _ := clientFor(t, svc, noRetries)
	createOrders(t, c, "orders")
	// Every order lands in the index partition status=PENDING: 100 KB × 15 = 1,500 WCU there.
	var throttled *types.ThrottlingException
	for i := range 15 {
		_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{
			"store": s(fmt.Sprintf("store-%d", i)), "order": s("o"), "status": s("PENDING"), "createdAt": n(fmt.Sprint(i)), "blob": blob(100 * 1024),
		}})
		if errors.As(err, &throttled) {
			break
		}
		require.NoError(t, err)
	}
	require.NotNil(t, throttled)
	require.Len(t, throttled.ThrottlingReasons, 1)
	assert.Equal(t, "IndexWriteKeyRangeThroughputExceeded", aws.ToString(throttled.ThrottlingReasons[0].Reason))
	assert.Equal(t, "arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/byStatus", aws.ToString(throttled.ThrottlingReasons[0].Resource))
}

func TestBatchWriteLeavesThrottledItemsUnprocessed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, env := newService(t)
	c, _ := clientFor(t, svc, noRetries)
	createSimple(t, c, "batch")
	require.NoError(t, env.Faults.Put("dynamodb:batch/hot", fault.Rule{Throttle: true}))
	out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch": {
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("hot")}}},
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("cold")}}},
	}}})
	require.NoError(t, err)
	require.Len(t, out.UnprocessedItems["batch"], 1)
	assert.Equal(t, "hot", str(out.UnprocessedItems["batch"][0].PutRequest.Item["pk"]))

	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"batch": {
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("hot")}}},
	}}})
	var throttled *types.ThrottlingException
	assert.ErrorAs(t, err, &throttled, "a batch with every item throttled is throttled")
}

func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	item := func(pk string) *dynamodb.PutItemInput {
		return &dynamodb.PutItemInput{TableName: aws.String("faulty"), Item: map[string]types.AttributeValue{"pk": s(pk)}}
	}

	t.Run("throttle on a key", func(t *testing.T) {
		svc, _, env := newService(t)
		c, _ := clientFor(t, svc, noRetries)
		createSimple(t, c, "faulty")
		require.NoError(t, env.Faults.Put("dynamodb:faulty/hot", fault.Rule{Throttle: true}))
		_, err := c.PutItem(ctx, item("hot"))
		var throttled *types.ThrottlingException
		require.ErrorAs(t, err, &throttled)
		_, err = c.PutItem(ctx, item("cold"))
		require.NoError(t, err)
		_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("faulty"), Key: map[string]types.AttributeValue{"pk": s("hot")}})
		require.ErrorAs(t, err, &throttled, "reads of the key are throttled too")
		env.Faults.Clear("")
		_, err = c.PutItem(ctx, item("hot"))
		require.NoError(t, err)
	})

	t.Run("throttle on a table", func(t *testing.T) {
		svc, _, env := newService(t)
		c, _ := clientFor(t, svc, noRetries)
		createSimple(t, c, "faulty")
		require.NoError(t, env.Faults.Put("dynamodb:faulty", fault.Rule{Throttle: true}))
		_, err := c.PutItem(ctx, item("any"))
		var throttled *types.ThrottlingException
		require.ErrorAs(t, err, &throttled)
	})

	t.Run("error rate 1 answers 500 and the SDK retries", func(t *testing.T) {
		svc, _, env := newService(t)
		var attempts atomic.Int64
		c, _ := clientFor(t, svc, fastRetries(3), countAttempts(&attempts))
		createSimple(t, c, "faulty")
		require.NoError(t, env.Faults.Put("dynamodb:faulty", fault.Rule{ErrorRate: 1}))
		attempts.Store(0)
		_, err := c.PutItem(ctx, item("a"))
		var ise *types.InternalServerError
		require.ErrorAs(t, err, &ise)
		assert.Equal(t, int64(3), attempts.Load())
		assert.Equal(t, int64(3), env.Metrics.Resource("dynamodb", "faulty").Snapshot().Errors)
	})

	t.Run("latency honours the caller's deadline", func(t *testing.T) {
		svc, _, env := newService(t)
		c, _ := clientFor(t, svc, noRetries)
		createSimple(t, c, "faulty")
		require.NoError(t, env.Faults.Put("dynamodb:faulty/slow", fault.Rule{Latency: 10 * time.Minute}))
		ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		_, err := c.PutItem(ctx, item("slow"))
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		env.Faults.Clear("")
		got, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("faulty"), Key: map[string]types.AttributeValue{"pk": s("slow")}})
		require.NoError(t, err)
		assert.Nil(t, got.Item, "an abandoned write is not applied")
	})
}

func TestConsumedCapacityMetrics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, env := newService(t)
	createSimple(t, c, "units")
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("units"), Item: map[string]types.AttributeValue{"pk": s("a"), "blob": blob(2500)}})
	require.NoError(t, err)
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("units"), Key: map[string]types.AttributeValue{"pk": s("a")}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	require.NoError(t, err)
	assert.Equal(t, 0.5, aws.ToFloat64(out.ConsumedCapacity.CapacityUnits), "an eventually consistent read of under 4 KB")
	for range 3 {
		_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("units"), Key: map[string]types.AttributeValue{"pk": s("a")}})
		require.NoError(t, err)
	}
	snap := env.Metrics.Resource("dynamodb", "units").Snapshot()
	assert.Equal(t, int64(3), snap.Counters["wcu"], "2.5 KB costs 3 WCU")
	assert.Equal(t, int64(2), snap.Counters["rcu"], "4 eventually consistent reads cost 2 RCU")
	assert.Equal(t, int64(5), snap.Invocations)
}
