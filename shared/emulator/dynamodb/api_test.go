package dynamodb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCRUD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	createOrders(t, c, "orders")

	put, err := c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("orders"),
		Item: map[string]types.AttributeValue{
			"store": s("paris-1"), "order": s("o-1"), "status": s("PENDING"), "createdAt": n("100"),
			"items": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("croissant")}},
			"total": n("4.50"),
		},
	})
	require.NoError(t, err)
	assert.Nil(t, put.Attributes, "PutItem without ReturnValues returns no Attributes")

	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("orders"),
		Key:       map[string]types.AttributeValue{"store": s("paris-1"), "order": s("o-1")},
	})
	require.NoError(t, err)
	assert.Equal(t, "PENDING", str(got.Item["status"]))
	assert.Equal(t, "4.5", got.Item["total"].(*types.AttributeValueMemberN).Value, "DynamoDB trims a number's trailing zeros")

	upd, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("orders"),
		Key:                       map[string]types.AttributeValue{"store": s("paris-1"), "order": s("o-1")},
		UpdateExpression:          aws.String("SET #s = :paid, #t = #t + :tip REMOVE #i"),
		ExpressionAttributeNames:  map[string]string{"#s": "status", "#i": "items", "#t": "total"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":paid": s("PAID"), ":tip": n("0.5")},
	})
	require.NoError(t, err)
	assert.Nil(t, upd.Attributes, "UpdateItem without ReturnValues returns no Attributes")

	got, err = c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String("orders"),
		Key:            map[string]types.AttributeValue{"store": s("paris-1"), "order": s("o-1")},
		ConsistentRead: aws.Bool(true),
	})
	require.NoError(t, err)
	assert.Equal(t, "PAID", str(got.Item["status"]))
	assert.Equal(t, "5", got.Item["total"].(*types.AttributeValueMemberN).Value)
	assert.NotContains(t, got.Item, "items", "REMOVE deletes a top-level attribute")

	del, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:    aws.String("orders"),
		Key:          map[string]types.AttributeValue{"store": s("paris-1"), "order": s("o-1")},
		ReturnValues: types.ReturnValueAllOld,
	})
	require.NoError(t, err)
	assert.Equal(t, "PAID", str(del.Attributes["status"]))

	got, err = c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String("orders"),
		Key:       map[string]types.AttributeValue{"store": s("paris-1"), "order": s("o-1")},
	})
	require.NoError(t, err)
	assert.Nil(t, got.Item)
}

func TestReturnValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	createSimple(t, c, "tbl")
	key := map[string]types.AttributeValue{"pk": s("a")}
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{"pk": s("a"), "x": n("1"), "y": s("keep")}})
	require.NoError(t, err)

	// Each row adds one to x, which starts at 1.
	tests := []struct {
		name string
		rv   types.ReturnValue
		want map[string]string // attribute → its S or N value; nil means no Attributes
	}{
		{"none", types.ReturnValueNone, nil},
		{"all old", types.ReturnValueAllOld, map[string]string{"pk": "a", "x": "2", "y": "keep"}},
		{"updated old", types.ReturnValueUpdatedOld, map[string]string{"x": "3"}},
		{"updated new", types.ReturnValueUpdatedNew, map[string]string{"x": "5"}},
		{"all new", types.ReturnValueAllNew, map[string]string{"pk": "a", "x": "6", "y": "keep"}},
	}
	for _, tt := range tests {
		out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String("tbl"), Key: key, ReturnValues: tt.rv,
			UpdateExpression:          aws.String("ADD x :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")},
		})
		require.NoError(t, err, tt.name)
		if tt.want == nil {
			assert.Nil(t, out.Attributes, tt.name)
			continue
		}
		got := map[string]string{}
		for k, v := range out.Attributes {
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				got[k] = v.Value
			case *types.AttributeValueMemberN:
				got[k] = v.Value
			}
		}
		assert.Equal(t, tt.want, got, tt.name)
	}
}

func TestConditionalPutFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, env := newService(t)
	createSimple(t, c, "orders")
	item := map[string]types.AttributeValue{"pk": s("o-1"), "status": s("NEW")}
	put := func(rv types.ReturnValuesOnConditionCheckFailure) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String("orders"), Item: item,
			ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
			ReturnValuesOnConditionCheckFailure: rv,
		})
		return err
	}
	require.NoError(t, put(""))

	err := put("")
	var ccf *types.ConditionalCheckFailedException
	require.ErrorAs(t, err, &ccf)
	assert.Equal(t, "The conditional request failed", ccf.ErrorMessage())
	assert.Nil(t, ccf.Item)

	err = put(types.ReturnValuesOnConditionCheckFailureAllOld)
	require.ErrorAs(t, err, &ccf)
	assert.Equal(t, "NEW", str(ccf.Item["status"]))

	// The condition is checked before the update is evaluated: decrementing a missing
	// attribute of a missing item fails the condition, not the update expression.
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"pk": s("o-404")},
		UpdateExpression:          aws.String("SET stock = stock - :one"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")},
	})
	require.ErrorAs(t, err, &ccf)

	snap := env.Metrics.Resource("dynamodb", "orders").Snapshot()
	assert.Equal(t, int64(3), snap.Counters["conditional_check_failed"])
	assert.Equal(t, int64(0), snap.Errors, "a failed condition is an answer, not an error")
}

func TestTransactWriteItemsCancellation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	createSimple(t, c, "stock")
	createSimple(t, c, "orders")
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("stock"), Item: map[string]types.AttributeValue{"pk": s("croissant"), "left": n("1")}})
	require.NoError(t, err)

	order := func(id string) *dynamodb.TransactWriteItemsInput {
		return &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"pk": s(id)}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{Update: &types.Update{
				TableName: aws.String("stock"), Key: map[string]types.AttributeValue{"pk": s("croissant")},
				UpdateExpression:                    aws.String("SET #l = #l - :one"),
				ConditionExpression:                 aws.String("#l >= :one"),
				ExpressionAttributeNames:            map[string]string{"#l": "left"},
				ExpressionAttributeValues:           map[string]types.AttributeValue{":one": n("1")},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
		}}
	}
	_, err = c.TransactWriteItems(ctx, order("o-1"))
	require.NoError(t, err)

	_, err = c.TransactWriteItems(ctx, order("o-2"))
	var tce *types.TransactionCanceledException
	require.ErrorAs(t, err, &tce)
	require.Len(t, tce.CancellationReasons, 2)
	assert.Equal(t, "None", aws.ToString(tce.CancellationReasons[0].Code))
	assert.Equal(t, "ConditionalCheckFailed", aws.ToString(tce.CancellationReasons[1].Code))
	assert.Equal(t, "0", tce.CancellationReasons[1].Item["left"].(*types.AttributeValueMemberN).Value)
	assert.Contains(t, tce.ErrorMessage(), "[None, ConditionalCheckFailed]")

	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"pk": s("o-2")}})
	require.NoError(t, err)
	assert.Nil(t, got.Item, "a cancelled transaction writes nothing")

	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"pk": s("o-3")}}},
		{Delete: &types.Delete{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"pk": s("o-3")}}},
	}})
	var ve smithy.APIError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "ValidationException", ve.ErrorCode())
	assert.Equal(t, "Transaction request cannot include multiple operations on one item", ve.ErrorMessage())
}

func TestTransactGetItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	createSimple(t, c, "tbl")
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{"pk": s("a"), "v": s("x")}})
	require.NoError(t, err)
	out, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("tbl"), Key: map[string]types.AttributeValue{"pk": s("a")}}},
		{Get: &types.Get{TableName: aws.String("tbl"), Key: map[string]types.AttributeValue{"pk": s("missing")}}},
	}})
	require.NoError(t, err)
	require.Len(t, out.Responses, 2)
	assert.Equal(t, "x", str(out.Responses[0].Item["v"]))
	assert.Nil(t, out.Responses[1].Item)
}

func TestQueryByKeyAndGSI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	createOrders(t, c, "orders")
	for i := range 12 {
		status := "PENDING"
		if i%3 == 0 {
			status = "READY"
		}
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{
			"store": s(fmt.Sprintf("store-%d", i%2)), "order": s(fmt.Sprintf("o-%02d", i)),
			"status": s(status), "createdAt": n(fmt.Sprint(100 - i)),
		}})
		require.NoError(t, err)
	}
	// An item without the index's sort key is not in the (sparse) index.
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{
		"store": s("store-0"), "order": s("o-99"), "status": s("READY"),
	}})
	require.NoError(t, err)

	tests := []struct {
		name string
		in   dynamodb.QueryInput
		want []string // order ids in answer order
	}{
		{"partition", dynamodb.QueryInput{
			KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "store"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("store-1")},
		}, []string{"o-01", "o-03", "o-05", "o-07", "o-09", "o-11"}},
		{"sort range backwards", dynamodb.QueryInput{
			KeyConditionExpression:   aws.String("#s = :s AND #o BETWEEN :a AND :b"),
			ExpressionAttributeNames: map[string]string{"#s": "store", "#o": "order"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":s": s("store-0"), ":a": s("o-02"), ":b": s("o-06"),
			},
			ScanIndexForward: aws.Bool(false),
		}, []string{"o-06", "o-04", "o-02"}},
		{"begins_with and filter", dynamodb.QueryInput{
			KeyConditionExpression:   aws.String("#s = :s AND begins_with(#o, :p)"),
			FilterExpression:         aws.String("#st = :ready"),
			ExpressionAttributeNames: map[string]string{"#s": "store", "#o": "order", "#st": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":s": s("store-0"), ":p": s("o-0"), ":ready": s("READY"),
			},
		}, []string{"o-00", "o-06"}},
		{"GSI by numeric sort key", dynamodb.QueryInput{
			IndexName:                aws.String("byStatus"),
			KeyConditionExpression:   aws.String("#st = :ready AND createdAt < :t"),
			ExpressionAttributeNames: map[string]string{"#st": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":ready": s("READY"), ":t": n("100"),
			},
		}, []string{"o-09", "o-06", "o-03"}}, // createdAt 91, 94, 97: numeric order
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.TableName = aws.String("orders")
			out, err := c.Query(ctx, &in)
			require.NoError(t, err)
			var ids []string
			for _, it := range out.Items {
				ids = append(ids, str(it["order"]))
			}
			assert.Equal(t, tt.want, ids)
			assert.Equal(t, int32(len(tt.want)), out.Count)
		})
	}

	t.Run("paginates with Limit", func(t *testing.T) {
		var ids []string
		p := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{
			TableName: aws.String("orders"), Limit: aws.Int32(4),
			KeyConditionExpression:    aws.String("#s = :s"),
			ExpressionAttributeNames:  map[string]string{"#s": "store"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("store-0")},
		})
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			require.NoError(t, err)
			pages++
			for _, it := range out.Items {
				ids = append(ids, str(it["order"]))
			}
		}
		assert.Equal(t, []string{"o-00", "o-02", "o-04", "o-06", "o-08", "o-10", "o-99"}, ids)
		assert.Equal(t, 2, pages)
	})

	t.Run("count", func(t *testing.T) {
		out, err := c.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String("orders"), IndexName: aws.String("byStatus"), Select: types.SelectCount,
			KeyConditionExpression:    aws.String("#st = :p"),
			ExpressionAttributeNames:  map[string]string{"#st": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("PENDING")},
		})
		require.NoError(t, err)
		assert.Equal(t, int32(8), out.Count)
		assert.Nil(t, out.Items)
	})
}

func TestScanPaginatesOverAllItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	createSimple(t, c, "tbl")
	for i := range 50 {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{"pk": s(fmt.Sprint(i))}})
		require.NoError(t, err)
	}
	seen := map[string]bool{}
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String("tbl"), Limit: aws.Int32(7)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, it := range out.Items {
			assert.False(t, seen[str(it["pk"])], "each item once")
			seen[str(it["pk"])] = true
		}
	}
	assert.Len(t, seen, 50)

	segs := map[string]bool{}
	for seg := range 3 {
		out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("tbl"), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(3)})
		require.NoError(t, err)
		for _, it := range out.Items {
			segs[str(it["pk"])] = true
		}
	}
	assert.Len(t, segs, 50, "the segments cover the table")
}

func TestBatchOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	createSimple(t, c, "tbl")
	var writes []types.WriteRequest
	for i := range 25 {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s(fmt.Sprint(i))}}})
	}
	out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"tbl": writes}})
	require.NoError(t, err)
	assert.Empty(t, out.UnprocessedItems)

	got, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"tbl": {Keys: []map[string]types.AttributeValue{{"pk": s("1")}, {"pk": s("2")}, {"pk": s("nope")}}},
	}})
	require.NoError(t, err)
	assert.Len(t, got.Responses["tbl"], 2)
	assert.Empty(t, got.UnprocessedKeys)

	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"tbl": {
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("1")}}},
		{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"pk": s("1")}}},
	}}})
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "Provided list of item keys contains duplicates", ae.ErrorMessage())
}

func TestListAndDescribeTables(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	for _, name := range []string{"b-table", "a-table", "c-table"} {
		createSimple(t, c, name)
	}
	createOrders(t, c, "orders")

	all, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a-table", "b-table", "c-table", "orders"}, all.TableNames)
	assert.Nil(t, all.LastEvaluatedTableName)

	page, err := c.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(2), ExclusiveStartTableName: aws.String("a-table")})
	require.NoError(t, err)
	assert.Equal(t, []string{"b-table", "c-table"}, page.TableNames)
	assert.Equal(t, "c-table", aws.ToString(page.LastEvaluatedTableName))

	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{
		"store": s("x"), "order": s("1"), "status": s("NEW"), "createdAt": n("1"),
	}})
	require.NoError(t, err)
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	require.NoError(t, err)
	tbl := d.Table
	assert.Equal(t, types.TableStatusActive, tbl.TableStatus)
	assert.Equal(t, "arn:aws:dynamodb:us-east-1:000000000000:table/orders", aws.ToString(tbl.TableArn))
	assert.Equal(t, types.BillingModePayPerRequest, tbl.BillingModeSummary.BillingMode)
	assert.Equal(t, int64(1), aws.ToInt64(tbl.ItemCount))
	assert.Len(t, tbl.AttributeDefinitions, 4)
	require.Len(t, tbl.KeySchema, 2)
	assert.Equal(t, types.KeyTypeHash, tbl.KeySchema[0].KeyType)
	require.Len(t, tbl.GlobalSecondaryIndexes, 1)
	assert.Equal(t, "byStatus", aws.ToString(tbl.GlobalSecondaryIndexes[0].IndexName))
	assert.Equal(t, types.IndexStatusActive, tbl.GlobalSecondaryIndexes[0].IndexStatus)
	assert.Equal(t, int64(1), aws.ToInt64(tbl.GlobalSecondaryIndexes[0].ItemCount))
	assert.NotNil(t, tbl.CreationDateTime)

	w := dynamodb.NewTableExistsWaiter(c)
	require.NoError(t, w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")}, 1e9))

	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("nope")})
	var rnf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &rnf)
	assert.Equal(t, "Requested resource not found: Table: nope not found", rnf.ErrorMessage())
}

func TestValidationMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	createOrders(t, c, "orders")
	key := map[string]types.AttributeValue{"store": s("a"), "order": s("1")}
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"missing key attribute", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"store": s("a")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Missing the key order in the item"},
		{"key type mismatch", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"store": s("a"), "order": n("1")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for key order expected: S actual: N"},
		{"key does not match schema", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"store": s("a")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"unknown table", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: key})
			return err
		}, "ResourceNotFoundException", "Requested resource not found"},
		{"unused value", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: key,
				ConditionExpression:       aws.String("attribute_not_exists(placed_by)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":x": s("1")}})
			return err
		}, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"},
		{"undefined value", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: key, UpdateExpression: aws.String("SET a = :a")})
			return err
		}, "ValidationException", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :a"},
		{"reserved word", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("byStatus"),
				KeyConditionExpression:    aws.String("status = :s"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("x")}})
			return err
		}, "ValidationException", "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"query without partition key", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"),
				KeyConditionExpression:    aws.String("#o = :o"),
				ExpressionAttributeNames:  map[string]string{"#o": "order"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":o": s("x")}})
			return err
		}, "ValidationException", "Query condition missed key schema element: store"},
		{"update a key attribute", func() error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: key,
				UpdateExpression: aws.String("SET #o = :o"), ExpressionAttributeNames: map[string]string{"#o": "order"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":o": s("2")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Cannot update attribute order. This attribute is part of the key"},
		{"index key type", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{
				"store": s("a"), "order": s("1"), "createdAt": s("yesterday")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key createdAt Expected: N Actual: S IndexName: byStatus"},
		{"consistent read on a GSI", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("byStatus"), ConsistentRead: aws.Bool(true),
				KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("x")}})
			return err
		}, "ValidationException", "Consistent reads are not supported on global secondary indexes"},
		{"existing table", func() error {
			createErr := func() error {
				_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("orders"), BillingMode: types.BillingModePayPerRequest,
					AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
					KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}})
				return err
			}
			return createErr()
		}, "ResourceInUseException", "Table already exists: orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae smithy.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.code, ae.ErrorCode())
			assert.Equal(t, tt.msg, ae.ErrorMessage())
		})
	}
}

// TestWireShapes checks raw answers where the SDK would hide a difference from AWS.
func TestWireShapes(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	post := func(op, body string) (int, http.Header, string) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		req.Header.Set("Authorization", testAuth)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, resp.Header, string(data)
	}
	tests := []struct {
		name, op, body string
		status         int
		want           string
	}{
		{"put answers an empty object", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"a"},"v":{"N":"1"}}}`, 200, `{}`},
		{"put ALL_OLD", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"a"}},"ReturnValues":"ALL_OLD"}`, 200, `{"Attributes":{`},
		{"delete answers an empty object", "DeleteItem", `{"TableName":"tbl","Key":{"pk":{"S":"a"}}}`, 200, `{}`},
		{"not found", "GetItem", `{"TableName":"nope","Key":{"pk":{"S":"a"}}}`, 400,
			`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`},
		{"validation namespace", "GetItem", `{"TableName":"tbl","Key":{}}`, 400,
			`{"__type":"com.amazon.coral.validate#ValidationException","message":"The provided key element does not match the schema"}`},
		{"conditional check", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"b"}},"ConditionExpression":"attribute_exists(pk)"}`, 400,
			`{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`},
		{"unknown operation", "Frobnicate", `{}`, 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"`},
		{"bad JSON", "GetItem", `{"TableName":`, 400, `{"__type":"com.amazon.coral.service#SerializationException"`},
		{"consumed capacity", "GetItem", `{"TableName":"tbl","Key":{"pk":{"S":"zz"}},"ReturnConsumedCapacity":"TOTAL"}`, 200,
			`{"ConsumedCapacity":{"TableName":"tbl","CapacityUnits":0.5}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := post(tt.op, tt.body)
			assert.Equal(t, tt.status, status)
			assert.True(t, strings.HasPrefix(body, tt.want), "body %s", body)
			assert.Equal(t, "application/x-amz-json-1.0", h.Get("Content-Type"))
			assert.NotEmpty(t, h.Get("X-Amz-Crc32"))
			assert.NotEmpty(t, h.Get("X-Amzn-Requestid"))
		})
	}
}

// TestLoopbackSDK drives the service through a real HTTP server on loopback, the way the AWS
// CLI and curl reach it.
func TestLoopbackSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := newService(t)
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	c := dynamodb.NewFromConfig(aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "x", SecretAccessKey: "y"}, nil
		}),
	}, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(srv.URL) })

	createSimple(t, c, "loop")
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("loop"), Item: map[string]types.AttributeValue{"pk": s("k"), "v": s("hello \"world\" ✓")}})
	require.NoError(t, err)
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("loop"), Key: map[string]types.AttributeValue{"pk": s("k")}})
	require.NoError(t, err)
	assert.Equal(t, "hello \"world\" ✓", str(got.Item["v"]))
	scan, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("loop")})
	require.NoError(t, err)
	assert.Equal(t, int32(1), scan.Count)
	list, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	assert.Equal(t, []string{"loop"}, list.TableNames)
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("loop")})
	require.NoError(t, err)
	assert.Equal(t, types.TableStatusActive, d.Table.TableStatus)

	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: map[string]types.AttributeValue{"pk": s("k")}})
	var rnf *types.ResourceNotFoundException
	assert.True(t, errors.As(err, &rnf))
}

// streamEvent is what TestStreamRecords reads of a stream record.
type streamEvent struct {
	EventName string `json:"eventName"`
	Dynamodb  struct {
		Keys           map[string]map[string]any `json:"Keys"`
		NewImage       map[string]map[string]any `json:"NewImage"`
		OldImage       map[string]map[string]any `json:"OldImage"`
		SequenceNumber string                    `json:"SequenceNumber"`
		StreamViewType string                    `json:"StreamViewType"`
	} `json:"dynamodb"`
	EventSource string `json:"eventSource"`
}

// readStream reads every record of a table's stream from TRIM_HORIZON, through ListStreams,
// DescribeStream, GetShardIterator and GetRecords.
func readStream(t *testing.T, svc interface {
	Call(context.Context, string, []byte) ([]byte, error)
}, table string) []streamEvent {
	t.Helper()
	call := func(op string, in any, out any) {
		body, err := json.Marshal(in)
		require.NoError(t, err)
		raw, err := svc.Call(t.Context(), "streams:"+op, body)
		require.NoError(t, err, op)
		require.NoError(t, json.Unmarshal(raw, out), op)
	}
	var list struct{ Streams []struct{ StreamArn string } }
	call("ListStreams", map[string]string{"TableName": table}, &list)
	require.Len(t, list.Streams, 1)
	arn := list.Streams[0].StreamArn
	var desc struct {
		StreamDescription struct {
			StreamStatus string
			Shards       []struct{ ShardId string }
		}
	}
	call("DescribeStream", map[string]string{"StreamArn": arn}, &desc)
	require.Equal(t, "ENABLED", desc.StreamDescription.StreamStatus)
	require.Len(t, desc.StreamDescription.Shards, 1)
	var it struct{ ShardIterator string }
	call("GetShardIterator", map[string]string{"StreamArn": arn, "ShardId": desc.StreamDescription.Shards[0].ShardId, "ShardIteratorType": "TRIM_HORIZON"}, &it)
	var page struct {
		Records           []streamEvent
		NextShardIterator string
	}
	call("GetRecords", map[string]any{"ShardIterator": it.ShardIterator}, &page)
	require.NotEmpty(t, page.NextShardIterator, "an open shard always has a next iterator")
	return page.Records
}

// TestStreamRecords checks that a table's stream records each write that changes an item, in
// order, as INSERT, MODIFY or REMOVE with the item's key, and the images its view type asks for
// (KEYS_ONLY: none, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES), whichever operation wrote it; a
// write that changes nothing writes no record
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html,
// https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/API_StreamRecord.html,
// https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/API_Record.html).
func TestStreamRecords(t *testing.T) {
	t.Parallel()
	writes := []struct{ op, body string }{
		{"PutItem", `{"TableName":"%s","Item":{"pk":{"S":"a"},"v":{"N":"1"}}}`},
		{"UpdateItem", `{"TableName":"%s","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"N":"2"}}}`},
		{"PutItem", `{"TableName":"%s","Item":{"pk":{"S":"a"},"v":{"N":"2"}}}`}, // changes nothing
		{"BatchWriteItem", `{"RequestItems":{"%s":[{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}}`},
		{"TransactWriteItems", `{"TransactItems":[{"Delete":{"TableName":"%s","Key":{"pk":{"S":"a"}}}}]}`},
		{"DeleteItem", `{"TableName":"%s","Key":{"pk":{"S":"missing"}}}`}, // deletes nothing
	}
	type want struct {
		event, key     string
		newImg, oldImg bool
	}
	tests := []struct {
		viewType string
		want     []want
	}{
		{"KEYS_ONLY", []want{{"INSERT", "a", false, false}, {"MODIFY", "a", false, false}, {"INSERT", "b", false, false}, {"REMOVE", "a", false, false}}},
		{"NEW_IMAGE", []want{{"INSERT", "a", true, false}, {"MODIFY", "a", true, false}, {"INSERT", "b", true, false}, {"REMOVE", "a", false, false}}},
		{"OLD_IMAGE", []want{{"INSERT", "a", false, false}, {"MODIFY", "a", false, true}, {"INSERT", "b", false, false}, {"REMOVE", "a", false, true}}},
		{"NEW_AND_OLD_IMAGES", []want{{"INSERT", "a", true, false}, {"MODIFY", "a", true, true}, {"INSERT", "b", true, false}, {"REMOVE", "a", false, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.viewType, func(t *testing.T) {
			t.Parallel()
			svc, _, _ := newService(t)
			table := "streamed"
			_, err := svc.Call(t.Context(), "CreateTable", []byte(`{"TableName":"streamed","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
				"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
				"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"`+tt.viewType+`"}}`))
			require.NoError(t, err)
			for _, w := range writes {
				_, err := svc.Call(t.Context(), w.op, []byte(fmt.Sprintf(w.body, table)))
				require.NoError(t, err, w.op)
			}
			got := readStream(t, svc, table)
			require.Len(t, got, len(tt.want))
			for i, w := range tt.want {
				r := got[i]
				assert.Equal(t, w.event, r.EventName, "record %d", i)
				assert.Equal(t, map[string]map[string]any{"pk": {"S": w.key}}, r.Dynamodb.Keys, "record %d", i)
				assert.Equal(t, w.newImg, r.Dynamodb.NewImage != nil, "record %d NewImage", i)
				assert.Equal(t, w.oldImg, r.Dynamodb.OldImage != nil, "record %d OldImage", i)
				assert.Equal(t, tt.viewType, r.Dynamodb.StreamViewType)
				assert.Equal(t, "aws:dynamodb", r.EventSource)
				if i > 0 {
					assert.Less(t, got[i-1].Dynamodb.SequenceNumber, r.Dynamodb.SequenceNumber, "sequence numbers grow")
				}
			}
		})
	}
}

// TestStreamIterators checks GetShardIterator's positions and the Streams API's errors: LATEST
// reads only what is written after it, AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER start at
// and after a record, an iterator type outside the valid values is a ValidationException, a
// stream that does not exist a ResourceNotFoundException
// (https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/API_GetShardIterator.html,
// https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/API_GetRecords.html).
func TestStreamIterators(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	_, err := svc.Call(t.Context(), "CreateTable", []byte(`{"TableName":"iter","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
		"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}`))
	require.NoError(t, err)
	put := func(pk string) {
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"iter","Item":{"pk":{"S":"`+pk+`"}}}`))
		require.NoError(t, err)
	}
	put("one")
	put("two")
	raw, err := svc.Call(t.Context(), "streams:ListStreams", []byte(`{}`))
	require.NoError(t, err)
	var list struct{ Streams []struct{ StreamArn string } }
	require.NoError(t, json.Unmarshal(raw, &list))
	require.Len(t, list.Streams, 1)
	arn := list.Streams[0].StreamArn
	raw, err = svc.Call(t.Context(), "streams:DescribeStream", []byte(`{"StreamArn":"`+arn+`"}`))
	require.NoError(t, err)
	var desc struct {
		StreamDescription struct{ Shards []struct{ ShardId string } }
	}
	require.NoError(t, json.Unmarshal(raw, &desc))
	shard := desc.StreamDescription.Shards[0].ShardId
	keysFrom := func(t *testing.T, kind, seq string) ([]string, error) {
		in := map[string]string{"StreamArn": arn, "ShardId": shard, "ShardIteratorType": kind}
		if seq != "" {
			in["SequenceNumber"] = seq
		}
		body, _ := json.Marshal(in)
		raw, err := svc.Call(t.Context(), "streams:GetShardIterator", body)
		if err != nil {
			return nil, err
		}
		var it struct{ ShardIterator string }
		require.NoError(t, json.Unmarshal(raw, &it))
		raw, err = svc.Call(t.Context(), "streams:GetRecords", []byte(`{"ShardIterator":"`+it.ShardIterator+`"}`))
		require.NoError(t, err)
		var page struct{ Records []streamEvent }
		require.NoError(t, json.Unmarshal(raw, &page))
		var keys []string
		for _, r := range page.Records {
			keys = append(keys, r.Dynamodb.Keys["pk"]["S"].(string))
		}
		return keys, nil
	}
	first := "000000000000000000001"
	tests := []struct {
		name, kind, seq string
		want            []string
		err             string
	}{
		{"TRIM_HORIZON reads from the oldest record", "TRIM_HORIZON", "", []string{"one", "two"}, ""},
		{"LATEST reads nothing already written", "LATEST", "", nil, ""},
		{"AT_SEQUENCE_NUMBER starts at the record", "AT_SEQUENCE_NUMBER", first, []string{"one", "two"}, ""},
		{"AFTER_SEQUENCE_NUMBER starts after it", "AFTER_SEQUENCE_NUMBER", first, []string{"two"}, ""},
		{"an iterator type outside the valid values", "OLDEST", "", nil,
			"ValidationException: 1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keysFrom(t, tt.kind, tt.seq)
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, tt.err, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err = svc.Call(t.Context(), "streams:DescribeStream", []byte(`{"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:table/iter/stream/2000-01-01T00:00:00.000"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ResourceNotFoundException")
}

// TestStreamsTarget checks that the DynamoDB Streams API answers on DynamoDB's endpoint under its
// own target prefix (DynamoDBStreams_20120810.<Op>, as its SDK clients send it,
// https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/API_ListStreams.html), and
// that its operations are no DynamoDB operations.
func TestStreamsTarget(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	tests := []struct {
		target string
		status int
		want   string
	}{
		{"DynamoDBStreams_20120810.ListStreams", 200, `{"Streams":[]}`},
		{"DynamoDB_20120810.ListStreams", 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"DynamoDBStreams_20120810.GetItem", 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(`{}`))
			require.NoError(t, err)
			req.Header.Set("X-Amz-Target", tt.target)
			req.Header.Set("Authorization", testAuth)
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
			assert.True(t, svc.Serves(req))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, tt.want, string(data))
		})
	}
}
