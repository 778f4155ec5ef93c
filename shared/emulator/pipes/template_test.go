package pipes

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
)

// The SQS record of eb-pipes-sqs.html's example, with a JSON body for the implicit parsing.
func exampleRecord(body string) *Event {
	return sourceEvent(message{
		MessageId: "059f36b4-87a3-44ab-83d2-661975830a7d", ReceiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...", Body: body,
		Attributes: map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183", "SenderId": "AIDAIENQZJOLO23YVJ4VO",
			"ApproximateFirstReceiveTimestamp": "1545082649185"},
	}, "arn:aws:sqs:us-east-2:123456789012:my-queue", "us-east-2")
}

// The EC2 event of eb-pipes-input-transformation.html's "Input transform example", as an
// enrichment would return it.
const ec2Event = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification",
"source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1",
"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING"}}`

var templateVars = Vars{
	PipeARN: "arn:aws:pipes:us-east-1:123456789012:pipe/example", PipeName: "example",
	SourceARN: "arn:aws:sqs:us-east-2:123456789012:my-queue", TargetARN: "arn:aws:sqs:us-east-2:123456789012:out",
	IngestionTime: time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC),
}

// Every case is from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html
// unless it says otherwise.
func TestTemplateRender(t *testing.T) {
	tests := []struct {
		name     string
		template string
		event    *Event
		want     string
		json     bool // compare as JSON
	}{
		{"static string", `"Hello, sender"`, exampleRecord("Test message."), `"Hello, sender"`, false},
		{"JSON path gives the value as text", `<$.attributes.SenderId>`, exampleRecord("Test message."), `AIDAIENQZJOLO23YVJ4VO`, false},
		{"dynamic string", `"Hello, <$.attributes.SenderId>"`, exampleRecord("Test message."), `"Hello, AIDAIENQZJOLO23YVJ4VO"`, false},
		{"static JSON", `{"key1": "value1", "key2": "value2"}`, exampleRecord("x"), `{"key1": "value1", "key2": "value2"}`, false},
		{"dynamic JSON quotes a string value and fills the ingestion time",
			`{"key1": "value1", "key2": <$.body.key>, "d": <aws.pipes.event.ingestion-time>}`, exampleRecord(`{"key":"k-1"}`),
			`{"key1": "value1", "key2": "k-1", "d": "2026-12-04T07:00:00Z"}`, false},
		{"square brackets reach an array item", `{"key2": <$.body.Records[1]>}`, exampleRecord(`{"Records":["a",{"n":2}]}`), `{"key2": {"n":2}}`, false},
		{"the transform example with reserved variables and the whole event",
			`{"instance" : <$.detail.instance-id>, "state": <$.detail.state>, "pipeArn" : <aws.pipes.pipe-arn>, "pipeName" : <aws.pipes.pipe-name>, "originalEvent" : <aws.pipes.event.json>}`,
			itemEvent([]byte(ec2Event)),
			`{"instance":"i-0123456789","state":"RUNNING","pipeArn":"arn:aws:pipes:us-east-1:123456789012:pipe/example","pipeName":"example","originalEvent":` + ec2Event + `}`, true},
		{"implicit body parsing: a bare <$.body> loses its quotes", `<$.body>`, exampleRecord(`{"key": "value"}`), `{key:value}`, false},
		{"implicit body parsing: wrapping keeps the JSON", `{"data": <$.body>}`, exampleRecord(`{"key": "value"}`), `{"data": {"key":"value"}}`, false},
		{"a plain-string body stays a string", `{"data": <$.body>}`, exampleRecord(`Test message.`), `{"data": "Test message."}`, false},
		{"numbers and booleans stay unquoted (eb-pipes.html example outputs)", `{"n": <$.body.n>, "ok": <$.body.ok>}`, exampleRecord(`{"n": 1.50, "ok": true}`), `{"n": 1.50, "ok": true}`, false},
		{"a missing path is null as a value and nothing in a string (emulator's reading)", `{"a": <$.body.nope>, "b": "x<$.body.nope>y"}`, exampleRecord(`{}`), `{"a": null, "b": "xy"}`, false},
		{"a string value inside quotes is escaped so the output stays JSON", `{"msg": "said <$.body.s>"}`, exampleRecord(`{"s": "a \"quoted\" word"}`), `{"msg": "said a \"quoted\" word"}`, false},
		{"aws.pipes.event is the record with its body still a string", `{"e": <aws.pipes.event>}`, exampleRecord(`{"k":1}`), "", true},
		{"wildcard collects values", `{"ids": <$.body.items[*].id>}`, exampleRecord(`{"items":[{"id":"a"},{"id":"b"}]}`), `{"ids": ["a","b"]}`, false},
		{"text that is no placeholder stays", `<b>bold</b> <$.body.k>`, exampleRecord(`{"k":"v"}`), `<b>bold</b> v`, false},
		{"an enrichment answer that is not JSON is text in a text template", `got <aws.pipes.event>`, itemEvent([]byte(`plain answer`)), `got plain answer`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := ParseTemplate(tt.template)
			require.NoError(t, err)
			got := string(tmpl.Render(tt.event, templateVars))
			switch {
			case tt.want == "":
				var v struct{ E map[string]any }
				require.NoError(t, json.Unmarshal([]byte(got), &v), got)
				assert.Equal(t, `{"k":1}`, v.E["body"])
				assert.Equal(t, "aws:sqs", v.E["eventSource"])
			case tt.json:
				assert.JSONEq(t, tt.want, got)
			default:
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct {
		name, template, want string
	}{
		// eb-pipes-input-transformation.html: aws.pipes.event.json "can only be used as a value
		// for a JSON field".
		{"event.json inside a string", `{"a": "x <aws.pipes.event.json>"}`, "can only be used as the value of a JSON field"},
		{"event.json in a text template", `all: <aws.pipes.event.json>`, "can only be used as the value of a JSON field"},
		{"unknown reserved variable", `{"a": <aws.pipes.rule-arn>}`, "not a reserved variable"},
		{"not an index", `{"a": <$.body[x]>}`, "not an array index"},
		{"unsupported path syntax", `{"a": <$..body>}`, "invalid field name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTemplate(tt.template)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// eb-pipes-event-target.html#pipes-targets-dynamic-parms: a parameter that is a whole JSON path
// takes its value from the event; anything else is literal.
func TestDynamicParameters(t *testing.T) {
	ev := exampleRecord(`{"group":"g-7","n":3}`)
	tests := []struct{ value, want string }{
		{"$.body.group", "g-7"},
		{"$.body.n", "3"},
		{"$.attributes.SenderId", "AIDAIENQZJOLO23YVJ4VO"},
		{"static-group", "static-group"},
		{"SELECT * FROM $.body.group", "SELECT * FROM $.body.group"},
		{"$.body.missing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			assert.Equal(t, tt.want, dynamic(tt.value, ev))
		})
	}
}

// eb-pipes-event-filtering.html, "Properly filtering Amazon SQS messages": the format of the
// message body and of the pattern's body decide; a mismatch drops the message, no body pattern
// filters on the other properties only. And "Message and data fields": a JSON body is filtered
// "as if the body was not escaped".
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html#pipes-filter-sqs
func TestFilterOnSQSBody(t *testing.T) {
	const sender = `"attributes": {"SenderId": ["AIDAIENQZJOLO23YVJ4VO"]}`
	tests := []struct {
		name, body, pattern string
		want                bool
	}{
		{"plain string body, plain string pattern", `Test message.`, `{"body": ["Test message."]}`, true},
		{"plain string body, prefix pattern", `Test message.`, `{"body": [{"prefix": "Test"}]}`, true},
		{"plain string body, no body pattern", `Test message.`, `{` + sender + `}`, true},
		{"plain string body, JSON pattern: dropped", `Test message.`, `{"body": {"key": ["value"]}}`, false},
		{"JSON body, plain string pattern: dropped", `{"key": "value"}`, `{"body": ["{\"key\": \"value\"}"]}`, false},
		{"JSON body, string prefix pattern: dropped", `{"key": "value"}`, `{"body": [{"prefix": "{"}]}`, false},
		{"JSON body, no body pattern", `{"key": "value"}`, `{` + sender + `}`, true},
		{"JSON body, JSON pattern", `{"key": "value"}`, `{"body": {"key": ["value"]}}`, true},
		{"JSON body, JSON pattern that does not match", `{"key": "other"}`, `{"body": {"key": ["value"]}}`, false},
		{"JSON body, nested and numeric", `{"order": {"total": 42, "items": ["a", "b"]}}`, `{"body": {"order": {"total": [{"numeric": [">", 40]}], "items": ["b"]}}}`, true},
		{"JSON body, metadata and data together", `{"key": "value"}`, `{` + sender + `, "body": {"key": ["value"]}}`, true},
		{"a body that only starts like JSON is a plain string", `{"key": `, `{"body": [{"prefix": "{"}]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := pattern.Compile([]byte(tt.pattern))
			require.NoError(t, err)
			assert.Equal(t, tt.want, pattern.MatchesAny([]*pattern.Pattern{p}, exampleRecord(tt.body).view))
		})
	}
}

// The current eb-pipes-input-transformation.html: the supported JSONPath syntax (dot notation,
// dashes, underscores, alphanumeric characters, array indices, wildcards, forward slashes), and
// "put quotes around variables that refer to JSON path parameters, but do not put quotes around
// variables that refer to JSON objects or arrays".
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html
func TestTemplatePathSyntaxAndQuoting(t *testing.T) {
	ev := exampleRecord(`{"name": "Ann", "order_id": "o-1", "a/b": "slash", "Records": ["r0", "r1", "r2", {"n": 3}], "items": [{"id": 1}, {"id": 2}]}`)
	tests := []struct{ name, template, want string }{
		{"quoted string placeholder", `{"name": "<$.body.name>"}`, `{"name": "Ann"}`},
		{"unquoted object placeholder", `{"r": <$.body.Records[3]>}`, `{"r": {"n":3}}`},
		{"unquoted array placeholder", `{"ids": <$.body.items[*].id>}`, `{"ids": [1,2]}`},
		{"underscore", `{"o": "<$.body.order_id>"}`, `{"o": "o-1"}`},
		{"forward slash", `{"s": "<$.body.a/b>"}`, `{"s": "slash"}`},
		{"array index", `{"r": "<$.body.Records[1]>"}`, `{"r": "r1"}`},
		{"pipe name and quoted ARN", `{"pipe": "<aws.pipes.pipe-name>", "arn": <aws.pipes.pipe-arn>}`, `{"pipe": "example", "arn": "arn:aws:pipes:us-east-1:123456789012:pipe/example"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := ParseTemplate(tt.template)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(tmpl.Render(ev, templateVars)))
		})
	}
}
