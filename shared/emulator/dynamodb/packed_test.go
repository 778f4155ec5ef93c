package dynamodb_test

import (
	"context"
	"errors"
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

// TestPackedItemsAnswerAsValues stores one item twice: with PutItem, whose documents the
// emulator keeps packed (as the JSON the SDK sent), and with UpdateItem's SET from expression
// values, which it keeps as values. Every read and write below must answer alike for both.
// Expressions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
func TestPackedItemsAnswerAsValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	doc := func() map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"buyer": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"given": s("Ada"), "visits": n("3"),
				"addr": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"town": s("Lyon")}},
			}},
			"basket": &types.AttributeValueMemberL{Value: []types.AttributeValue{
				&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": s("croissant"), "units": n("2")}},
				&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": s("baguette"), "units": n("1")}},
			}},
			"status": s("placed"),
		}
	}
	_, c, _ := newService(t)
	createSimple(t, c, "docs")
	packed := map[string]types.AttributeValue{"pk": s("packed")}
	plain := map[string]types.AttributeValue{"pk": s("plain")}
	item := doc()
	item["pk"] = packed["pk"]
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("docs"), Item: item})
	require.NoError(t, err)
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: plain,
		UpdateExpression:          aws.String("SET buyer = :c, #i = :i, #s = :s"),
		ExpressionAttributeNames:  map[string]string{"#i": "basket", "#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": doc()["buyer"], ":i": doc()["basket"], ":s": doc()["status"]}})
	require.NoError(t, err)
	// The steps run in turn on both basket, each seeing what the ones before it did.
	for _, tt := range []struct {
		name string
		call func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error)
	}{
		{"GetItem", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("docs"), Key: key, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			return pick(out, err, func(o *dynamodb.GetItemOutput) any { return []any{o.Item, o.ConsumedCapacity.CapacityUnits} })
		}},
		{"GetItem projecting into documents", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("docs"), Key: key,
				ProjectionExpression: aws.String("buyer.addr.town, basket[1].sku, #s"), ExpressionAttributeNames: map[string]string{"#s": "status"}})
			return pick(out, err, func(o *dynamodb.GetItemOutput) any { return o.Item })
		}},
		{"a condition on a nested value, true", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: key,
				UpdateExpression:          aws.String("SET #s = :s"),
				ConditionExpression:       aws.String("buyer.visits = :three AND basket[0].sku = :c"),
				ExpressionAttributeNames:  map[string]string{"#s": "status"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("paid"), ":three": n("3"), ":c": s("croissant")},
				ReturnValues:              types.ReturnValueAllNew})
			return pick(out, err, func(o *dynamodb.UpdateItemOutput) any { return o.Attributes })
		}},
		{"a condition on a nested value, false", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("docs"), Key: key,
				ConditionExpression:                 aws.String("size(basket) > :n"),
				ExpressionAttributeValues:           map[string]types.AttributeValue{":n": n("2")},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
			return nil, err
		}},
		{"list_append, a copy of a document, a document set inside another", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: key,
				UpdateExpression: aws.String("SET basket = list_append(basket, :more), twin = buyer, buyer.earlier = basket"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":more": &types.AttributeValueMemberL{Value: []types.AttributeValue{
					&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"sku": s("tart"), "units": n("4")}}}}},
				ReturnValues: types.ReturnValueUpdatedNew})
			return pick(out, err, func(o *dynamodb.UpdateItemOutput) any { return o.Attributes })
		}},
		{"then a read into what was set", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("docs"), Key: key,
				ProjectionExpression: aws.String("buyer.earlier[1].sku, twin.addr, basket[2]")})
			return pick(out, err, func(o *dynamodb.GetItemOutput) any { return o.Item })
		}},
		{"SET inside a document", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: key,
				UpdateExpression:          aws.String("SET buyer.addr.postcode = :z, basket[1].units = basket[1].units + :one"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":z": s("69001"), ":one": n("1")},
				ReturnValues:              types.ReturnValueAllNew, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
			return pick(out, err, func(o *dynamodb.UpdateItemOutput) any { return []any{o.Attributes, o.ConsumedCapacity.CapacityUnits} })
		}},
		{"REMOVE inside a document", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: key,
				UpdateExpression: aws.String("REMOVE basket[0], buyer.addr"), ReturnValues: types.ReturnValueAllOld})
			return pick(out, err, func(o *dynamodb.UpdateItemOutput) any { return o.Attributes })
		}},
		{"ADD to a document is a type error", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: key,
				UpdateExpression: aws.String("ADD buyer :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}})
			return nil, err
		}},
		{"a path into a list that is not there", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("docs"), Key: key,
				UpdateExpression: aws.String("SET buyer.given.initial = :x"), ExpressionAttributeValues: map[string]types.AttributeValue{":x": s("A")}})
			return nil, err
		}},
		{"a scan filtered on a nested value", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("docs"),
				FilterExpression:          aws.String("pk = :pk AND contains(buyer.#n, :a)"),
				ExpressionAttributeNames:  map[string]string{"#n": "given"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": key["pk"], ":a": s("Ad")}})
			return pick(out, err, func(o *dynamodb.ScanOutput) any { return o.Items })
		}},
		{"DeleteItem returning the old item", func(c *dynamodb.Client, key map[string]types.AttributeValue) (any, error) {
			out, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("docs"), Key: key, ReturnValues: types.ReturnValueAllOld})
			return pick(out, err, func(o *dynamodb.DeleteItemOutput) any { return o.Attributes })
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := tt.call(c, plain)
			got, gotErr := tt.call(c, packed)
			assert.Equal(t, errorOf(wantErr), errorOf(gotErr))
			assert.Equal(t, renameKey(want, "plain", "packed"), got)
		})
	}
}

// pick returns what the test compares of an answer, or the error.
func pick[O any](out *O, err error, what func(*O) any) (any, error) {
	if err != nil {
		return nil, err
	}
	return what(out), nil
}

// errorOf is an error's code and message ("" for none).
func errorOf(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// renameKey replaces the partition key value from in whatever an answer holds.
func renameKey(v any, from, to string) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = renameKey(x[i], from, to)
		}
	case []map[string]types.AttributeValue:
		for i := range x {
			renameKey(x[i], from, to)
		}
	case map[string]types.AttributeValue:
		if pk, ok := x["pk"].(*types.AttributeValueMemberS); ok && pk.Value == from {
			x["pk"] = s(to)
		}
	}
	return v
}

// TestPackedItemsInTransactionTokens sends one TransactWriteItems three times with one
// ClientRequestToken: the same item with its map's keys in another order is the same request,
// a changed nested value is another one.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#DDB-TransactWriteItems-request-ClientRequestToken
func TestPackedItemsInTransactionTokens(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "docs")
	send := func(doc string) (int, string) {
		body := `{"ClientRequestToken":"tok-1","TransactItems":[{"Put":{"TableName":"docs","Item":{"pk":{"S":"a"},"doc":` + doc + `}}}]}`
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.TransactWriteItems")
		req.Header.Set("Authorization", testAuth)
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	for _, tt := range []struct {
		name, doc string
		status    int
		answer    string
	}{
		{"first", `{"M":{"a":{"S":"x"},"b":{"L":[{"N":"1"}]}}}`, 200, "{}"},
		{"keys in another order", `{"M":{"b":{"L":[{"N":"1"}]},"a":{"S":"x"}}}`, 200, "{}"},
		{"a nested value changed", `{"M":{"a":{"S":"x"},"b":{"L":[{"N":"2"}]}}}`, 400, "IdempotentParameterMismatch"},
	} {
		status, answer := send(tt.doc)
		assert.Equal(t, tt.status, status, tt.name)
		assert.Contains(t, answer, tt.answer, tt.name)
	}
}
