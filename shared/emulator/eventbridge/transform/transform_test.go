package transform_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/transform"
)

// The pages these tests come from:
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
//   - https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html

// ec2Event is the guide's example event.
const ec2Event = `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2015-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": [
    "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"
  ],
  "detail": {
    "instance-id": "i-0123456789",
    "state": "RUNNING"
  }
}`

// docPaths is the guide's Input Path.
var docPaths = map[string]string{
	"timestamp": "$.time",
	"instance":  "$.detail.instance-id",
	"state":     "$.detail.state",
}

var docVars = transform.Reserved{
	RuleARN:       "arn:aws:events:us-east-2:123456789012:rule/example",
	RuleName:      "example",
	IngestionTime: time.Date(2015, 11, 11, 21, 29, 55, 0, time.UTC),
}

// TestDocumentedExamples reproduces the guide's table of templates and outputs
// (docTransform, "Input transform examples").
func TestDocumentedExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		template string
		want     string
		jsonEq   bool // the guide pretty-prints this output differently from its template
	}{
		{"simple string", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`, false},
		{"string with escaped quotes", `"instance \"<instance>\" is in <state>"`, `"instance \"i-0123456789\" is in RUNNING"`, false},
		{"simple JSON", "{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}", "{\n  \"instance\" : \"i-0123456789\",\n  \"state\": \"RUNNING\"\n}", false},
		{"JSON with strings and variables", "{\n \"instance\" : <instance>,\n \"state\": \"<state>\",\n \"instanceStatus\": \"instance \\\"<instance>\\\" is in <state>\"\n}",
			"{\n \"instance\" : \"i-0123456789\",\n \"state\": \"RUNNING\",\n \"instanceStatus\": \"instance \\\"i-0123456789\\\" is in RUNNING\"\n}", false},
		{"JSON with a mix of variables and static information", "{\n  \"instance\" : <instance>,\n  \"state\": [ 9, <state>, true ],\n  \"Transformed\" : \"Yes\"\n}",
			"{\n  \"instance\" : \"i-0123456789\",\n  \"state\": [\n    9,\n    \"RUNNING\",\n    true\n  ],\n  \"Transformed\" : \"Yes\"\n}", true},
		{"including reserved variables in a string", `"<aws.events.rule-name> triggered"`, `"example triggered"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, err := transform.New(docPaths, tt.template)
			require.NoError(t, err)
			got, err := tr.Apply([]byte(ec2Event), docVars)
			require.NoError(t, err)
			if tt.jsonEq {
				assert.JSONEq(t, tt.want, string(got))
				return
			}
			assert.Equal(t, tt.want, string(got))
		})
	}
}

// The guide's "Including reserved variables in JSON" example, with the original event
// elided there; <aws.events.event> is the event without its detail field and
// <aws.events.event.json> the whole event (docTransform, "Predefined variables").
func TestReservedVariablesInJSON(t *testing.T) {
	t.Parallel()
	tmpl := "{\n  \"instance\" : <instance>,\n  \"state\": <state>,\n  \"ruleArn\" : <aws.events.rule-arn>,\n  \"ruleName\" : <aws.events.rule-name>,\n  \"originalEvent\" : <aws.events.event>\n}"
	tr, err := transform.New(docPaths, tmpl)
	require.NoError(t, err)
	got, err := tr.Apply([]byte(ec2Event), docVars)
	require.NoError(t, err)
	assert.JSONEq(t, `{
	  "instance": "i-0123456789", "state": "RUNNING",
	  "ruleArn": "arn:aws:events:us-east-2:123456789012:rule/example", "ruleName": "example",
	  "originalEvent": {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}
	}`, string(got))

	tr, err = transform.New(nil, `{"full": <aws.events.event.json>, "at": <aws.events.event.ingestion-time>}`)
	require.NoError(t, err)
	got, err = tr.Apply([]byte(ec2Event), docVars)
	require.NoError(t, err)
	assert.JSONEq(t, `{"full": `+ec2Event+`, "at": "2015-11-11T21:29:55Z"}`, string(got))
}

// Values of every JSON type, as a JSON value and inside a string (docTransform, "Common
// issues with transforming input").
func TestValueInsertion(t *testing.T) {
	t.Parallel()
	event := `{"detail":{"n":42.50,"b":true,"z":null,"s":"say \"hi\"","o":{"state":"running","n":1},"a":["x",{"y":2}],"items":[{"sku":"croissant"},{"sku":"eclair"}]}}`
	paths := map[string]string{
		"n": "$.detail.n", "b": "$.detail.b", "z": "$.detail.z", "s": "$.detail.s",
		"o": "$.detail.o", "a": "$.detail.a", "missing": "$.detail.nope",
		"first": "$.detail.items[0].sku", "second": "$.detail.items[1]", "outOfRange": "$.detail.items[5]",
		"skus": "$.detail.items[*].sku",
	}
	tests := []struct {
		name     string
		template string
		want     string
	}{
		{"number as value", `{"v": <n>}`, `{"v": 42.50}`},
		{"boolean as value", `{"v": <b>}`, `{"v": true}`},
		{"null as value", `{"v": <z>}`, `{"v": null}`},
		{"object as value", `{"v": <o>}`, `{"v": {"state":"running","n":1}}`},
		{"array as value", `{"v": <a>}`, `{"v": ["x",{"y":2}]}`},
		{"missing path as value is null", `{"v": <missing>}`, `{"v": null}`},
		{"missing path in a string is empty", `{"v": "[<missing>]"}`, `{"v": "[]"}`},
		{"number in a string", `"n=<n>"`, `"n=42.50"`},
		{"boolean in a string", `"b=<b>"`, `"b=true"`},
		{"null in a string", `"z=<z>"`, `"z=null"`},
		{"object in a string loses its quotes", `"Detail is <o>"`, `"Detail is {state:running,n:1}"`},
		{"string value is not escaped in a string", `"s=<s>"`, `"s=say "hi""`},
		{"string value is escaped as a value", `{"s": <s>}`, `{"s": "say \"hi\""}`},
		{"array index", `{"v": <first>}`, `{"v": "croissant"}`},
		{"array element object", `{"v": <second>}`, `{"v": {"sku":"eclair"}}`},
		{"array index out of range", `{"v": <outOfRange>}`, `{"v": null}`},
		{"wildcard collects", `{"v": <skus>}`, `{"v": ["croissant","eclair"]}`},
		{"plain text template quotes strings", `Order of <first>`, `Order of "croissant"`},
		{"placeholder twice", `"<first> and <first>"`, `"croissant and croissant"`},
		{"undefined placeholder stays", `"<first> <nobody>"`, `"croissant <nobody>"`},
		{"template without placeholders", `{"static": true}`, `{"static": true}`},
		{"angle brackets that are not placeholders", `"a < b > c"`, `"a < b > c"`},
	}
	tr := func(tmpl string) *transform.Transformer {
		x, err := transform.New(paths, tmpl)
		require.NoError(t, err)
		return x
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tr(tt.template).Apply([]byte(event), transform.Reserved{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

// PutTargets refuses bad InputPathsMaps (docPutTarget; docTransform "Predefined variables":
// reserved names can't be variable names; up to 100 variables).
func TestInvalidTransformers(t *testing.T) {
	t.Parallel()
	tooMany := map[string]string{}
	for i := 0; i <= transform.MaxInputPaths; i++ {
		tooMany[fmt.Sprintf("v%d", i)] = "$.detail"
	}
	hundred := map[string]string{}
	for i := 0; i < transform.MaxInputPaths; i++ {
		hundred[fmt.Sprintf("v%d", i)] = "$.detail"
	}
	_, err := transform.New(hundred, `<v0>`)
	require.NoError(t, err, "100 paths are allowed")

	tests := []struct {
		name     string
		paths    map[string]string
		template string
	}{
		{"101 paths", tooMany, `<v0>`},
		{"reserved rule-arn", map[string]string{"aws.events.rule-arn": "$.detail"}, `<aws.events.rule-arn>`},
		{"reserved event", map[string]string{"aws.events.event": "$.detail"}, `<aws.events.event>`},
		{"key with a dot", map[string]string{"a.b": "$.detail"}, `<a.b>`},
		{"empty key", map[string]string{"": "$.detail"}, `x`},
		{"key with a space", map[string]string{"my var": "$.x"}, `x`},
		{"path without $", map[string]string{"v": "detail.state"}, `<v>`},
		{"path bracket notation for a name", map[string]string{"v": "$['detail']"}, `<v>`},
		{"path unclosed bracket", map[string]string{"v": "$.items[0"}, `<v>`},
		{"path negative index", map[string]string{"v": "$.items[-1]"}, `<v>`},
		{"path empty name", map[string]string{"v": "$..detail"}, `<v>`},
		{"event inside a string", nil, `"was <aws.events.event>"`},
		{"event json inside a string", nil, `{"x": "was <aws.events.event.json>"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := transform.New(tt.paths, tt.template)
			require.Error(t, err)
			var ve *transform.ValidationError
			assert.True(t, errors.As(err, &ve), "error type %T: %v", err, err)
		})
	}
}

// InputPath passes only part of the event to the target (docTargets; the path syntax is the
// one docTransform lists).
func TestSelectPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		want string
	}{
		{"whole event", "$", `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING"}}`},
		{"detail keeps field order", "$.detail", `{"instance-id":"i-0123456789","state":"RUNNING"}`},
		{"a string", "$.detail.state", `"RUNNING"`},
		{"array element", "$.resources[0]", `"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"`},
		{"wildcard over object", "$.detail.*", `["i-0123456789","RUNNING"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := transform.SelectPath([]byte(ec2Event), tt.path)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}

	_, err := transform.SelectPath([]byte(ec2Event), "$.detail.nope")
	assert.Error(t, err, "a path that finds nothing")
	_, err = transform.SelectPath([]byte(ec2Event), "detail")
	var ve *transform.ValidationError
	assert.ErrorAs(t, err, &ve, "a path that is not JSONPath")
}

// An event that is not JSON cannot be transformed.
func TestApplyInvalidEvent(t *testing.T) {
	t.Parallel()
	tr, err := transform.New(docPaths, `<state>`)
	require.NoError(t, err)
	_, err = tr.Apply([]byte(`{"detail":`), docVars)
	assert.Error(t, err)
}
