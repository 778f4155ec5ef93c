package apigateway

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The query parameters of SendMessage
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html)
// become the JSON protocol's members, and the answer's members are written in both forms.
func TestSQSPathTranslation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		form    string
		want    string
		wantErr string
	}{
		{name: "body only", form: "Action=SendMessage&MessageBody=hi",
			want: `{"QueueUrl":"q","MessageBody":"hi"}`},
		{name: "empty body is still a body", form: "Action=SendMessage&MessageBody=",
			want: `{"QueueUrl":"q","MessageBody":""}`},
		{name: "delay, group, dedup and two attributes",
			form: "MessageBody=b&DelaySeconds=5&MessageGroupId=g&MessageDeduplicationId=d" +
				"&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v" +
				"&MessageAttribute.2.Name=bin&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AQI%3D",
			want: `{"QueueUrl":"q","MessageBody":"b","DelaySeconds":5,"MessageGroupId":"g","MessageDeduplicationId":"d",` +
				`"MessageAttributes":{"bin":{"DataType":"Binary","BinaryValue":"AQI="},"k":{"DataType":"String","StringValue":"v"}}}`},
		{name: "no body", form: "Action=SendMessage", wantErr: "MessageBody"},
		{name: "bad delay", form: "MessageBody=b&DelaySeconds=soon", wantErr: "DelaySeconds is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form, err := url.ParseQuery(tt.form)
			require.NoError(t, err)
			in, err := sendMessageInput("q", form)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got, err := json.Marshal(in)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
		})
	}

	id, md5 := "m-1", "abc"
	result := sqsSendResult{MessageId: &id, MD5OfMessageBody: &md5}
	assert.Equal(t, `<?xml version="1.0"?><SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult>`+
		`<MD5OfMessageBody>abc</MD5OfMessageBody><MessageId>m-1</MessageId></SendMessageResult>`+
		`<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></SendMessageResponse>`,
		string(sqsXML("SendMessage", result, "r-1")))
}
