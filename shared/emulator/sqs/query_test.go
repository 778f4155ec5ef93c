package sqs

import (
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const form = "application/x-www-form-urlencoded"

// The query protocol's answers have the shape of the API reference's examples, e.g.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_Examples
// (<SendMessageResponse><SendMessageResult><MD5OfMessageBody>fafb00f5732ab283681e124bf8747ed1…
// for the body "This is a test message").
func TestQuerySendReceiveDelete(t *testing.T) {
	f := newFixture(t)
	status, _, body := f.post(t, "/", form, "", "Action=CreateQueue&Version=2012-11-05&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40&Tag.1.Key=team&Tag.1.Value=bakery")
	require.Equal(t, 200, status, body)
	var created struct {
		XMLName  xml.Name `xml:"CreateQueueResponse"`
		QueueURL string   `xml:"CreateQueueResult>QueueUrl"`
		ReqID    string   `xml:"ResponseMetadata>RequestId"`
	}
	require.NoError(t, xml.Unmarshal([]byte(body), &created))
	assert.Equal(t, f.server.URL+"/000000000000/q", created.QueueURL)
	assert.NotEmpty(t, created.ReqID)

	// The query protocol may post to the queue's URL instead of naming it.
	v := url.Values{"Action": {"SendMessage"}, "Version": {"2012-11-05"}, "MessageBody": {"This is a test message"},
		"MessageAttribute.1.Name": {"my_attribute_name_1"}, "MessageAttribute.1.Value.StringValue": {"my_attribute_value_1"},
		"MessageAttribute.1.Value.DataType": {"String"}}
	status, _, body = f.post(t, "/000000000000/q", form, "", v.Encode())
	require.Equal(t, 200, status, body)
	var sent struct {
		XMLName   xml.Name `xml:"SendMessageResponse"`
		MD5Body   string   `xml:"SendMessageResult>MD5OfMessageBody"`
		MD5Attrs  string   `xml:"SendMessageResult>MD5OfMessageAttributes"`
		MessageID string   `xml:"SendMessageResult>MessageId"`
		ReqID     string   `xml:"ResponseMetadata>RequestId"`
	}
	require.NoError(t, xml.Unmarshal([]byte(body), &sent))
	assert.Equal(t, "fafb00f5732ab283681e124bf8747ed1", sent.MD5Body)
	assert.Len(t, sent.MD5Attrs, 32)
	assert.NotEmpty(t, sent.MessageID)

	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html#API_ReceiveMessage_Examples
	status, _, body = f.post(t, "/", form, "", "Action=ReceiveMessage&Version=2012-11-05&QueueUrl="+url.QueryEscape(created.QueueURL)+"&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=5")
	require.Equal(t, 200, status, body)
	var got struct {
		XMLName  xml.Name `xml:"ReceiveMessageResponse"`
		Messages []struct {
			MessageID     string `xml:"MessageId"`
			ReceiptHandle string
			MD5OfBody     string
			Body          string
			Attributes    []struct{ Name, Value string } `xml:"Attribute"`
			MD5Attrs      string                         `xml:"MD5OfMessageAttributes"`
			MessageAttrs  []struct {
				Name  string
				Value struct{ StringValue, DataType string }
			} `xml:"MessageAttribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	require.NoError(t, xml.Unmarshal([]byte(body), &got))
	require.Len(t, got.Messages, 1)
	m := got.Messages[0]
	assert.Equal(t, sent.MessageID, m.MessageID)
	assert.Equal(t, "This is a test message", m.Body)
	assert.Equal(t, sent.MD5Body, m.MD5OfBody)
	assert.Equal(t, sent.MD5Attrs, m.MD5Attrs)
	assert.Contains(t, m.Attributes, struct{ Name, Value string }{"ApproximateReceiveCount", "1"})
	require.Len(t, m.MessageAttrs, 1)
	assert.Equal(t, "my_attribute_value_1", m.MessageAttrs[0].Value.StringValue)

	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html#API_DeleteMessage_Examples
	status, _, body = f.post(t, "/000000000000/q", form, "", url.Values{"Action": {"DeleteMessage"}, "ReceiptHandle": {m.ReceiptHandle}}.Encode())
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "<DeleteMessageResponse")
	assert.NotContains(t, body, "DeleteMessageResult", "DeleteMessage answers metadata only")

	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html#API_GetQueueAttributes_Examples
	status, _, body = f.post(t, "/000000000000/q", form, "", "Action=GetQueueAttributes&AttributeName.1=VisibilityTimeout&AttributeName.2=QueueArn")
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "<GetQueueAttributesResult><Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:000000000000:q</Value></Attribute><Attribute><Name>VisibilityTimeout</Name><Value>40</Value></Attribute></GetQueueAttributesResult>")

	status, _, body = f.post(t, "/", form, "", "Action=ListQueueTags&QueueUrl="+url.QueryEscape(created.QueueURL))
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "<Tag><Key>team</Key><Value>bakery</Value></Tag>")
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html#API_SendMessageBatch_Examples
func TestQueryBatch(t *testing.T) {
	f := newFixture(t)
	f.createQueue(t, "q", nil)
	v := url.Values{"Action": {"SendMessageBatch"}, "Version": {"2012-11-05"},
		"SendMessageBatchRequestEntry.1.Id": {"test_msg_001"}, "SendMessageBatchRequestEntry.1.MessageBody": {"test message body 1"},
		"SendMessageBatchRequestEntry.2.Id": {"test_msg_002"}, "SendMessageBatchRequestEntry.2.MessageBody": {"test message body 2"},
		"SendMessageBatchRequestEntry.2.DelaySeconds": {"60"}}
	status, _, body := f.post(t, "/000000000000/q", form, "", v.Encode())
	require.Equal(t, 200, status, body)
	var out struct {
		Entries []struct {
			ID        string `xml:"Id"`
			MessageID string `xml:"MessageId"`
			MD5       string `xml:"MD5OfMessageBody"`
		} `xml:"SendMessageBatchResult>SendMessageBatchResultEntry"`
	}
	require.NoError(t, xml.Unmarshal([]byte(body), &out))
	require.Len(t, out.Entries, 2)
	assert.Equal(t, "test_msg_001", out.Entries[0].ID)
	st, err := f.svc.Stats("q")
	require.NoError(t, err)
	assert.Equal(t, 1, st.Delayed)
}

// Errors in the query protocol's shape, with AWS's codes and statuses; bad input changes nothing.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html
func TestQueryErrors(t *testing.T) {
	f := newFixture(t)
	f.createQueue(t, "q", nil)
	tests := []struct {
		name   string
		path   string
		body   string
		status int
		code   string
	}{
		{"non-existent queue", "/000000000000/gone", "Action=SendMessage&MessageBody=x", 400, "AWS.SimpleQueueService.NonExistentQueue"},
		{"duplicate batch id", "/000000000000/q", "Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.2.Id=a&SendMessageBatchRequestEntry.2.MessageBody=y", 400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
		{"oversized message", "/000000000000/q", "Action=SendMessage&MessageBody=" + strings.Repeat("x", 1<<20+1), 400, "InvalidParameterValue"},
		{"wrong receipt handle", "/000000000000/q", "Action=DeleteMessage&ReceiptHandle=abc", 404, "ReceiptHandleIsInvalid"},
		{"missing body", "/000000000000/q", "Action=SendMessage", 400, "MissingParameter"},
		{"malformed number", "/000000000000/q", "Action=ReceiveMessage&MaxNumberOfMessages=ten", 400, "InvalidParameterValue"},
		{"unknown action", "/", "Action=Fly", 400, "InvalidAction"},
		{"eleven entries", "/000000000000/q", elevenDeletes(), 400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.post(t, tt.path, form, "", tt.body+"&Version=2012-11-05")
			assert.Equal(t, tt.status, status)
			var e struct {
				XMLName xml.Name `xml:"ErrorResponse"`
				Type    string   `xml:"Error>Type"`
				Code    string   `xml:"Error>Code"`
				Message string   `xml:"Error>Message"`
				ReqID   string   `xml:"RequestId"`
			}
			require.NoError(t, xml.Unmarshal([]byte(body), &e), body)
			assert.Equal(t, "Sender", e.Type)
			assert.Equal(t, tt.code, e.Code)
			assert.NotEmpty(t, e.Message)
			assert.NotEmpty(t, e.ReqID)
			st, err := f.svc.Stats("q")
			require.NoError(t, err)
			assert.Zero(t, st.Visible+st.Delayed+st.InFlight)
		})
	}
}

func elevenDeletes() string {
	v := url.Values{"Action": {"DeleteMessageBatch"}}
	for i := 1; i <= 11; i++ {
		n := strings.Repeat("1", i)
		v.Set("DeleteMessageBatchRequestEntry."+strconv.Itoa(i)+".Id", "id"+n)
		v.Set("DeleteMessageBatchRequestEntry."+strconv.Itoa(i)+".ReceiptHandle", "h")
	}
	return v.Encode()
}

// The JSON protocol's errors: __type, message and the x-amzn-query-error header.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html
func TestJSONErrorShape(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, target, body string
		status             int
		typ, query         string
	}{
		{"non-existent queue", "AmazonSQS.GetQueueUrl", `{"QueueName":"nope"}`, 400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender"},
		{"malformed body", "AmazonSQS.SendMessage", `{"QueueUrl":`, 400, "SerializationException", "SerializationException;Sender"},
		{"invalid parameter", "AmazonSQS.CreateQueue", `{"QueueName":"bad name"}`, 400, "com.amazon.coral.service#InvalidParameterValueException", "InvalidParameterValue;Sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := f.post(t, "/", "application/x-amz-json-1.0", tt.target, tt.body)
			assert.Equal(t, tt.status, status)
			assert.Contains(t, body, `"__type":"`+tt.typ+`"`)
			assert.Equal(t, tt.query, h.Get("x-amzn-query-error"))
		})
	}
	assert.Empty(t, f.svc.Model().Names())
}
