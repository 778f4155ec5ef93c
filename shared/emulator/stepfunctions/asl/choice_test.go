package asl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// choiceMachine wraps one Choice Rule: the execution's output says which way it went.
func choiceMachine(rule string) string {
	return `{"StartAt":"C","States":{
		"C":{"Type":"Choice","Choices":[` + rule + `],"Default":"No"},
		"Yes":{"Type":"Pass","Result":"yes","End":true},
		"No":{"Type":"Pass","Result":"no","End":true}}}`
}

func TestChoiceRules(t *testing.T) {
	t.Parallel()
	// Operators and examples from https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
	// and https://states-language.net/spec.html#choice-state.
	tests := []struct {
		name  string
		rule  string
		input string
		want  string
	}{
		{"StringEquals matches", `{"Variable":"$.type","StringEquals":"Private","Next":"Yes"}`, `{"type":"Private"}`, "yes"},
		{"StringEquals differs", `{"Variable":"$.type","StringEquals":"Private","Next":"Yes"}`, `{"type":"Public"}`, "no"},
		{"StringEquals on a number is false", `{"Variable":"$.type","StringEquals":"1","Next":"Yes"}`, `{"type":1}`, "no"},
		{"StringLessThan", `{"Variable":"$.s","StringLessThan":"b","Next":"Yes"}`, `{"s":"a"}`, "yes"},
		{"StringGreaterThan", `{"Variable":"$.s","StringGreaterThan":"b","Next":"Yes"}`, `{"s":"c"}`, "yes"},
		{"StringLessThanEquals equal", `{"Variable":"$.s","StringLessThanEquals":"b","Next":"Yes"}`, `{"s":"b"}`, "yes"},
		{"StringGreaterThanEquals less", `{"Variable":"$.s","StringGreaterThanEquals":"b","Next":"Yes"}`, `{"s":"a"}`, "no"},
		{"StringMatches wildcard", `{"Variable":"$.file","StringMatches":"log-*.txt","Next":"Yes"}`, `{"file":"log-2024-01.txt"}`, "yes"},
		{"StringMatches no match", `{"Variable":"$.file","StringMatches":"log-*.txt","Next":"Yes"}`, `{"file":"data.csv"}`, "no"},
		{"StringMatches escaped star", `{"Variable":"$.s","StringMatches":"a\\*b","Next":"Yes"}`, `{"s":"a*b"}`, "yes"},
		{"StringMatches escaped star is literal", `{"Variable":"$.s","StringMatches":"a\\*b","Next":"Yes"}`, `{"s":"axxb"}`, "no"},
		{"StringMatches star spans slashes", `{"Variable":"$.s","StringMatches":"s3://*","Next":"Yes"}`, `{"s":"s3://bucket/key"}`, "yes"},
		{"NumericEquals", `{"Variable":"$.value","NumericEquals":0,"Next":"Yes"}`, `{"value":0}`, "yes"},
		{"NumericEquals integer and float", `{"Variable":"$.value","NumericEquals":1,"Next":"Yes"}`, `{"value":1.0}`, "yes"},
		{"NumericLessThan", `{"Variable":"$.value","NumericLessThan":0,"Next":"Yes"}`, `{"value":-1}`, "yes"},
		{"NumericGreaterThan", `{"Variable":"$.value","NumericGreaterThan":0,"Next":"Yes"}`, `{"value":0}`, "no"},
		{"NumericGreaterThanEquals", `{"Variable":"$.value","NumericGreaterThanEquals":20,"Next":"Yes"}`, `{"value":20}`, "yes"},
		{"NumericLessThanEquals", `{"Variable":"$.value","NumericLessThanEquals":20.5,"Next":"Yes"}`, `{"value":20.6}`, "no"},
		{"NumericEquals on a string is false", `{"Variable":"$.value","NumericEquals":1,"Next":"Yes"}`, `{"value":"1"}`, "no"},
		{"BooleanEquals", `{"Variable":"$.b","BooleanEquals":false,"Next":"Yes"}`, `{"b":false}`, "yes"},
		{"TimestampEquals across zones", `{"Variable":"$.t","TimestampEquals":"2016-03-14T01:59:00Z","Next":"Yes"}`, `{"t":"2016-03-14T02:59:00+01:00"}`, "yes"},
		{"TimestampLessThan", `{"Variable":"$.t","TimestampLessThan":"2016-03-14T01:59:00Z","Next":"Yes"}`, `{"t":"2016-03-14T01:58:59Z"}`, "yes"},
		{"TimestampGreaterThan", `{"Variable":"$.t","TimestampGreaterThan":"2016-03-14T01:59:00Z","Next":"Yes"}`, `{"t":"2016-03-14T01:59:00.5Z"}`, "yes"},
		{"TimestampGreaterThanEquals", `{"Variable":"$.t","TimestampGreaterThanEquals":"2016-03-14T01:59:00Z","Next":"Yes"}`, `{"t":"2016-03-14T01:59:00Z"}`, "yes"},
		{"TimestampLessThanEquals on a non-timestamp is false", `{"Variable":"$.t","TimestampLessThanEquals":"2016-03-14T01:59:00Z","Next":"Yes"}`, `{"t":"yesterday"}`, "no"},
		{"StringEqualsPath", `{"Variable":"$.a","StringEqualsPath":"$.b","Next":"Yes"}`, `{"a":"x","b":"x"}`, "yes"},
		{"NumericLessThanPath", `{"Variable":"$.a","NumericLessThanPath":"$.b","Next":"Yes"}`, `{"a":1,"b":2}`, "yes"},
		{"NumericGreaterThanEqualsPath", `{"Variable":"$.a","NumericGreaterThanEqualsPath":"$.b","Next":"Yes"}`, `{"a":1,"b":2}`, "no"},
		{"BooleanEqualsPath", `{"Variable":"$.a","BooleanEqualsPath":"$.b","Next":"Yes"}`, `{"a":true,"b":true}`, "yes"},
		{"TimestampLessThanPath", `{"Variable":"$.a","TimestampLessThanPath":"$.b","Next":"Yes"}`, `{"a":"2020-01-01T00:00:00Z","b":"2021-01-01T00:00:00Z"}`, "yes"},
		{"StringGreaterThanPath", `{"Variable":"$.a","StringGreaterThanPath":"$.b","Next":"Yes"}`, `{"a":"b","b":"a"}`, "yes"},
		{"IsPresent true", `{"Variable":"$.a","IsPresent":true,"Next":"Yes"}`, `{"a":null}`, "yes"},
		{"IsPresent false", `{"Variable":"$.missing","IsPresent":false,"Next":"Yes"}`, `{"a":1}`, "yes"},
		{"IsNull", `{"Variable":"$.a","IsNull":true,"Next":"Yes"}`, `{"a":null}`, "yes"},
		{"IsNumeric", `{"Variable":"$.a","IsNumeric":true,"Next":"Yes"}`, `{"a":1.5}`, "yes"},
		{"IsString false", `{"Variable":"$.a","IsString":false,"Next":"Yes"}`, `{"a":1}`, "yes"},
		{"IsBoolean", `{"Variable":"$.a","IsBoolean":true,"Next":"Yes"}`, `{"a":true}`, "yes"},
		{"IsTimestamp", `{"Variable":"$.a","IsTimestamp":true,"Next":"Yes"}`, `{"a":"2016-08-18T17:33:00Z"}`, "yes"},
		{"IsTimestamp on text", `{"Variable":"$.a","IsTimestamp":true,"Next":"Yes"}`, `{"a":"tomorrow"}`, "no"},
		{"And all true", `{"And":[{"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"Yes"}`, `{"value":25}`, "yes"},
		{"And one false", `{"And":[{"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"Yes"}`, `{"value":30}`, "no"},
		{"Or", `{"Or":[{"Variable":"$.a","StringEquals":"x"},{"Variable":"$.a","StringEquals":"y"}],"Next":"Yes"}`, `{"a":"y"}`, "yes"},
		{"Not", `{"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Yes"}`, `{"type":"Public"}`, "yes"},
		{"nested Not inside And", `{"And":[{"Not":{"Variable":"$.a","IsNull":true}},{"Variable":"$.a","IsPresent":true}],"Next":"Yes"}`, `{"a":3}`, "yes"},
		{"context object variable", `{"Variable":"$$.Execution.Name","StringEquals":"exec-1","Next":"Yes"}`, `{}`, "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, choiceMachine(tt.rule), tt.input, runConfig{})
			assert.Equal(t, "SUCCEEDED", r.Status, r.Cause)
			assert.Equal(t, tt.want, r.output(t))
		})
	}
}

func TestChoiceNoMatch(t *testing.T) {
	t.Parallel()
	// Without Default, no matching rule fails with States.NoChoiceMatched:
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
	def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":1,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`
	r := run(t, def, `{"a":2}`, runConfig{})
	assert.Equal(t, "FAILED", r.Status)
	assert.Equal(t, "States.NoChoiceMatched", r.Error)
	assert.Equal(t, []string{"ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"}, r.types())
}

func TestChoiceMissingVariableIsRuntimeError(t *testing.T) {
	t.Parallel()
	// A comparison on a path that is absent is a States.Runtime failure; IsPresent guards it:
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
	r := run(t, choiceMachine(`{"Variable":"$.missing","StringEquals":"x","Next":"Yes"}`), `{}`, runConfig{})
	assert.Equal(t, "FAILED", r.Status)
	assert.Equal(t, "States.Runtime", r.Error)
}
