package dynamodb_test

import (
	"context"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
)

// TestErrorShape pins DynamoDB's error answers, which the service writes through the shared AWS
// JSON protocol layer (awsjson): the status, the headers and the body byte for byte, and the
// typed error the Go SDK decodes each to.
//
// The body is {"__type": "<namespace>#<code>", "message": …} with the namespaces DynamoDB uses
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.Components
// shows com.amazonaws.dynamodb.v20120810#ResourceNotFoundException; validation errors come from
// com.amazon.coral.validate and on-demand throttles from com.amazon.coral.availability), and
// DynamoDB adds the members its API model gives the error (throttlingReasons, 2025:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TroubleshootingThrottling.html).
//
// DynamoDB sends no X-Amzn-ErrorType header, unlike most AWS JSON services: recorded answers of
// dynamodb.us-east-2.amazonaws.com (a 400 ValidationException in February 2024 and a 400
// TransactionCanceledException in July 2025, in the Go CDK's replay files
// google/go-cloud docstore/awsdynamodb/testdata/TestQueryErrors.replay and
// TestConformance/AtomicWritesFail.replay) carry Content-Type, Content-Length, Date, Server,
// X-Amz-Crc32 and X-Amzn-Requestid only. The SDKs read the code from the body's __type when
// the header is absent (the Go SDK's awsJson1_0 deserializers, botocore's JSON parser).
func TestErrorShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, c, env := newService(t)
	createSimple(t, c, "tbl")
	createSimple(t, c, "hot")
	require.NoError(t, env.Faults.Put("dynamodb:hot", fault.Rule{Throttle: true}))
	sdk, _ := clientFor(t, svc, noRetries)

	tests := []struct {
		name, op, body string
		call           func() error
		status         int
		want           string
		// typed checks the SDK's decoded error.
		typed func(t *testing.T, err error)
	}{
		{
			name: "validation", op: "GetItem", body: `{"TableName":"tbl","Key":{}}`,
			call: func() error {
				_, err := sdk.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tbl"), Key: map[string]types.AttributeValue{}})
				return err
			},
			status: http.StatusBadRequest,
			want:   `{"__type":"com.amazon.coral.validate#ValidationException","message":"The provided key element does not match the schema"}`,
			typed: func(t *testing.T, err error) {
				// DynamoDB's API model has no ValidationException shape: the SDK answers a
				// generic API error with the code.
				var ae smithy.APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, "ValidationException", ae.ErrorCode())
				assert.Equal(t, "The provided key element does not match the schema", ae.ErrorMessage())
			},
		},
		{
			name: "resource not found", op: "GetItem", body: `{"TableName":"nope","Key":{"pk":{"S":"a"}}}`,
			call: func() error {
				_, err := sdk.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: map[string]types.AttributeValue{"pk": s("a")}})
				return err
			},
			status: http.StatusBadRequest,
			want:   `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`,
			typed: func(t *testing.T, err error) {
				var rnf *types.ResourceNotFoundException
				require.ErrorAs(t, err, &rnf)
				assert.Equal(t, "Requested resource not found", rnf.ErrorMessage())
			},
		},
		{
			name: "throttling", op: "PutItem", body: `{"TableName":"hot","Item":{"pk":{"S":"a"}}}`,
			call: func() error {
				_, err := sdk.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("hot"), Item: map[string]types.AttributeValue{"pk": s("a")}})
				return err
			},
			status: http.StatusBadRequest,
			want: `{"__type":"com.amazon.coral.availability#ThrottlingException","message":"` + throttleMessage +
				`","throttlingReasons":[{"reason":"TableWriteKeyRangeThroughputExceeded","resource":"arn:aws:dynamodb:us-east-1:000000000000:table/hot"}]}`,
			typed: func(t *testing.T, err error) {
				var throttled *types.ThrottlingException
				require.ErrorAs(t, err, &throttled)
				assert.Equal(t, throttleMessage, throttled.ErrorMessage())
				require.Len(t, throttled.ThrottlingReasons, 1)
				assert.Equal(t, "TableWriteKeyRangeThroughputExceeded", aws.ToString(throttled.ThrottlingReasons[0].Reason))
			},
		},
		{
			name: "transaction canceled (Message, CancellationReasons)", op: "TransactWriteItems",
			body: `{"TransactItems":[{"ConditionCheck":{"TableName":"tbl","Key":{"pk":{"S":"none"}},"ConditionExpression":"attribute_exists(pk)"}}]}`,
			call: func() error {
				_, err := sdk.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{ConditionCheck: &types.ConditionCheck{
					TableName: aws.String("tbl"), Key: map[string]types.AttributeValue{"pk": s("none")}, ConditionExpression: aws.String("attribute_exists(pk)"),
				}}}})
				return err
			},
			status: http.StatusBadRequest,
			want: `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
				`"Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]",` +
				`"CancellationReasons":[{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}`,
			typed: func(t *testing.T, err error) {
				var tce *types.TransactionCanceledException
				require.ErrorAs(t, err, &tce)
				require.Len(t, tce.CancellationReasons, 1)
				assert.Equal(t, "ConditionalCheckFailed", aws.ToString(tce.CancellationReasons[0].Code))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810."+tt.op)
			r.Header.Set("Authorization", testAuth)
			r.Header.Set("Content-Type", "application/x-amz-json-1.0")
			w := httptest.NewRecorder()
			svc.ServeHTTP(w, r)

			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.want, w.Body.String(), "the body, byte for byte")
			h := w.Header()
			assert.Equal(t, "application/x-amz-json-1.0", h.Get("Content-Type"))
			assert.Regexp(t, `^[0-9A-Z]{52}$`, h.Get("X-Amzn-Requestid"))
			assert.Equal(t, strconv.FormatUint(uint64(crc32.ChecksumIEEE(w.Body.Bytes())), 10), h.Get("X-Amz-Crc32"))
			assert.Equal(t, strconv.Itoa(w.Body.Len()), h.Get("Content-Length"))
			_, present := h["X-Amzn-Errortype"]
			assert.False(t, present, "DynamoDB sends no X-Amzn-ErrorType")

			err := tt.call()
			require.Error(t, err)
			tt.typed(t, err)
		})
	}
}

// throttleMessage is what DynamoDB answers an on-demand table's throttle with.
const throttleMessage = "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
