package pipes

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqsrecord"
)

// maxPayload bounds a batch's size and an API destination's answer: Lambda's 6 MB invocation
// payload (eb-pipes-batching-concurrency.html).
const maxPayload = 6 << 20

// maxStatesPayload is a Step Functions enrichment's or target's batch limit: 262,144
// characters (eb-pipes-batching-concurrency.html), the input limit of an execution.
const maxStatesPayload = 262144

// message is one received SQS message in the JSON protocol's shape.
type message = sqsrecord.Message

// record is a message as a pipe hands it on: the shape of eb-pipes-sqs.html's example events
// (the same as Lambda's SQS event records).
type record = sqsrecord.Record

// Event is one event as it travels through a pipe.
type Event struct {
	// Raw is the event as received: a source record's JSON (the SQS body as a string) or one
	// item of an enrichment's answer, which need not be JSON.
	Raw []byte
	// view is Raw decoded, with an SQS body that is a JSON object or array parsed in place
	// (the "implicit body data parsing" of filters and input templates); nil when Raw is not
	// JSON.
	view any
	// id is the SQS message id, which batchItemFailures name.
	id string
}

// sourceEvent turns a received message into the pipe's source event.
func sourceEvent(msg message, source, region string) *Event {
	rec := sqsrecord.FromMessage(msg, source, region)
	return &Event{Raw: marshal(rec), view: recordView(rec), id: msg.MessageId}
}

// recordView is the record as filters and templates see it, built directly rather than by
// decoding its JSON: the body parsed in place when it is a JSON object or array.
func recordView(rec record) map[string]any {
	attrs := make(map[string]any, len(rec.Attributes))
	for k, v := range rec.Attributes {
		attrs[k] = v
	}
	mattrs := make(map[string]any, len(rec.MessageAttributes))
	for k, v := range rec.MessageAttributes {
		a := map[string]any{"dataType": v.DataType, "stringListValues": []any{}, "binaryListValues": []any{}}
		if v.StringValue != nil {
			a["stringValue"] = *v.StringValue
		}
		mattrs[k] = a
	}
	view := map[string]any{
		"messageId": rec.MessageID, "receiptHandle": rec.ReceiptHandle, "body": rec.Body,
		"attributes": attrs, "messageAttributes": mattrs, "md5OfBody": rec.MD5OfBody,
		"eventSource": rec.EventSource, "eventSourceARN": rec.EventSourceARN, "awsRegion": rec.AWSRegion,
	}
	if rec.MD5OfMessageAttributes != nil {
		view["md5OfMessageAttributes"] = *rec.MD5OfMessageAttributes
	}
	if b := strings.TrimSpace(rec.Body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
		if parsed, err := decode([]byte(b)); err == nil {
			view["body"] = parsed
		}
	}
	return view
}

// itemEvent is one item of an enrichment's answer.
func itemEvent(raw []byte) *Event {
	ev := &Event{Raw: raw}
	if v, err := decode(raw); err == nil {
		ev.view = v
		if m, ok := v.(map[string]any); ok {
			if id, ok := m["messageId"].(string); ok {
				ev.id = id
			}
		}
	}
	return ev
}

// decode parses JSON keeping numbers' text, as the pattern package expects.
func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errTrailing
	}
	return v, nil
}

var errTrailing = errors.New("trailing data after the JSON value")
