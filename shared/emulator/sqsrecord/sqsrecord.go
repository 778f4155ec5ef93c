// Package sqsrecord is the one place that turns a received SQS message (the JSON protocol's
// Message) into the record Lambda's event source mappings and EventBridge Pipes hand on: the
// shape of aws-lambda-go's events.SQSMessage, as
// https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html and
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html show it.
//
// Limitations: message attribute values of custom types keep their data type but are not
// checked; a record's attributes are the system attributes the docs list, nothing else.
package sqsrecord

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
)

// Message is one message as ReceiveMessage answers it in the JSON protocol.
type Message struct {
	MessageId              string                     `json:"MessageId"` //nolint:revive // the wire name
	ReceiptHandle          string                     `json:"ReceiptHandle"`
	MD5OfBody              string                     `json:"MD5OfBody"`
	Body                   string                     `json:"Body"`
	Attributes             map[string]string          `json:"Attributes"`
	MD5OfMessageAttributes string                     `json:"MD5OfMessageAttributes"`
	MessageAttributes      map[string]json.RawMessage `json:"MessageAttributes"`
}

// Record is one message as a function or a pipe receives it.
type Record struct {
	MessageID              string               `json:"messageId"`
	ReceiptHandle          string               `json:"receiptHandle"`
	Body                   string               `json:"body"`
	Attributes             map[string]string    `json:"attributes"`
	MessageAttributes      map[string]AttrValue `json:"messageAttributes"`
	MD5OfBody              string               `json:"md5OfBody"`
	MD5OfMessageAttributes *string              `json:"md5OfMessageAttributes,omitempty"`
	EventSource            string               `json:"eventSource"`
	EventSourceARN         string               `json:"eventSourceARN"`
	AWSRegion              string               `json:"awsRegion"`
}

// AttrValue is a message attribute in a record. The list fields are always present, as in
// Lambda's events.
type AttrValue struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// SystemAttributes are the attributes a record carries when the message has them.
var SystemAttributes = []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
	"SequenceNumber", "MessageGroupId", "MessageDeduplicationId", "AWSTraceHeader", "DeadLetterQueueSourceArn"}

// FromMessage builds the record of msg read from the queue source (its ARN) in region.
func FromMessage(msg Message, source, region string) Record {
	rec := Record{
		MessageID: msg.MessageId, ReceiptHandle: msg.ReceiptHandle, Body: msg.Body,
		Attributes: map[string]string{}, MessageAttributes: map[string]AttrValue{},
		MD5OfBody: msg.MD5OfBody, EventSource: "aws:sqs", EventSourceARN: source, AWSRegion: region,
	}
	if rec.MD5OfBody == "" {
		sum := md5.Sum([]byte(msg.Body))
		rec.MD5OfBody = hex.EncodeToString(sum[:])
	}
	for _, k := range SystemAttributes {
		if v, ok := msg.Attributes[k]; ok {
			rec.Attributes[k] = v
		}
	}
	for name, raw := range msg.MessageAttributes {
		var a struct {
			DataType         string
			StringValue      *string
			BinaryValue      []byte
			StringListValues []string
			BinaryListValues [][]byte
		}
		if json.Unmarshal(raw, &a) != nil {
			continue
		}
		v := AttrValue{StringValue: a.StringValue, BinaryValue: a.BinaryValue, StringListValues: a.StringListValues,
			BinaryListValues: a.BinaryListValues, DataType: a.DataType}
		if v.StringListValues == nil {
			v.StringListValues = []string{}
		}
		if v.BinaryListValues == nil {
			v.BinaryListValues = [][]byte{}
		}
		rec.MessageAttributes[name] = v
	}
	if msg.MD5OfMessageAttributes != "" {
		v := msg.MD5OfMessageAttributes
		rec.MD5OfMessageAttributes = &v
	}
	return rec
}
