package sqsrecord_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqsrecord"
)

// The record reads back as aws-lambda-go's events.SQSMessage, the shape of the example event
// on https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html.
func TestFromMessage(t *testing.T) {
	tests := []struct {
		name    string
		msg     sqsrecord.Message
		wantMD5 string
	}{
		{name: "md5 from the answer", msg: sqsrecord.Message{MessageId: "m1", ReceiptHandle: "r1", Body: "Test message.", MD5OfBody: "abc",
			Attributes:        map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183", "Unlisted": "x"},
			MessageAttributes: map[string]json.RawMessage{"store": json.RawMessage(`{"DataType":"String","StringValue":"lon-01"}`)}}, wantMD5: "abc"},
		{name: "md5 computed", msg: sqsrecord.Message{MessageId: "m2", Body: "Test message."}, wantMD5: "e4e68fb7bd0e697a0ae8f1bb342846b3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := sqsrecord.FromMessage(tt.msg, "arn:aws:sqs:us-east-2:123456789012:my-queue", "us-east-2")
			b, err := json.Marshal(rec)
			require.NoError(t, err)
			var got events.SQSMessage
			require.NoError(t, json.Unmarshal(b, &got))
			assert.Equal(t, tt.msg.MessageId, got.MessageId)
			assert.Equal(t, "aws:sqs", got.EventSource)
			assert.Equal(t, "arn:aws:sqs:us-east-2:123456789012:my-queue", got.EventSourceARN)
			assert.Equal(t, "us-east-2", got.AWSRegion)
			assert.Equal(t, tt.wantMD5, got.Md5OfBody)
			assert.NotContains(t, got.Attributes, "Unlisted")
			if v, ok := got.MessageAttributes["store"]; ok {
				assert.Equal(t, "lon-01", *v.StringValue)
				assert.Equal(t, []string{}, v.StringListValues)
			}
		})
	}
}
