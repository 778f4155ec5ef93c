package asl_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestJSONata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		doc   string
		def   string
		input string
		tasks map[string]taskFunc
		want  string
		err   string
	}{
		{
			name:  "Task Arguments and Output",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"f","Payload":{"total":"{% $sum($states.input.items.price) %}"}},"Output":"{% $states.result.Payload %}","End":true}}}`,
			input: `{"items":[{"price":2},{"price":3.5}]}`,
			want:  `{"total":5.5}`,
		},
		{
			name:  "Pass Output object with expressions at any depth",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":{"name":"{% $uppercase($states.input.name) %}","list":["{% $states.input.n * 2 %}","literal"],"ctx":"{% $states.context.Execution.Name %}"},"End":true}}}`,
			input: `{"name":"ana","n":21}`,
			want:  `{"name":"ANA","list":[42,"literal"],"ctx":"exec-1"}`,
		},
		{
			name:  "Pass without Output passes its input",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
			input: `{"a":1}`,
			want:  `{"a":1}`,
		},
		{
			name:  "Choice Condition",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.age >= 18 %}","Next":"Adult","Output":{"who":"adult"}}],"Default":"Minor"},"Adult":{"Type":"Succeed"},"Minor":{"Type":"Succeed","Output":{"who":"minor"}}}}`,
			input: `{"age":20}`,
			want:  `{"who":"adult"}`,
		},
		{
			name:  "Choice Default",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.age >= 18 %}","Next":"Adult"}],"Default":"Minor"},"Adult":{"Type":"Succeed"},"Minor":{"Type":"Succeed","Output":{"who":"minor"}}}}`,
			input: `{"age":12}`,
			want:  `{"who":"minor"}`,
		},
		{
			name:  "Map Items and ItemSelector",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.orders %}","ItemSelector":{"i":"{% $states.context.Map.Item.Index %}","v":"{% $states.context.Map.Item.Value * 10 %}"},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			input: `{"orders":[1,2]}`,
			want:  `[{"i":0,"v":10},{"i":1,"v":20}]`,
		},
		{
			name:  "Map Items as a literal array",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":[1,"{% 1 + 1 %}"],"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			input: `{}`,
			want:  `[1,2]`,
		},
		{
			name:  "Parallel Arguments and Output",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Parallel","Arguments":{"n":"{% $states.input.n %}"},"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.n + 1 %}","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $states.input.n + 2 %}","End":true}}}],"Output":"{% $sum($states.result) %}","End":true}}}`,
			input: `{"n":1}`,
			want:  `5`,
		},
		{
			name:  "Wait Seconds from an expression",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait","Seconds":"{% $states.input.delay %}","End":true}}}`,
			input: `{"delay":5}`,
			want:  `{"delay":5}`,
		},
		{
			name:  "Fail Error and Cause from expressions",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"F","States":{"F":{"Type":"Fail","Error":"{% $states.input.code %}","Cause":"{% 'bad ' & $states.input.why %}"}}}`,
			input: `{"code":"E42","why":"input"}`,
			err:   "E42",
		},
		{
			name:  "Catch Output with errorOutput",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"Output":{"in":"{% $states.input %}","err":"{% $states.errorOutput.Error %}"},"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`,
			input: `{"a":1}`,
			tasks: map[string]taskFunc{lambdaARN: failWith("Oops", "c")},
			want:  `{"in":{"a":1},"err":"Oops"}`,
		},
		{
			name:  "an undefined result is States.QueryEvaluationError",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.missing %}","End":true}}}`,
			input: `{}`,
			err:   "States.QueryEvaluationError",
		},
		{
			name:  "a runtime error is States.QueryEvaluationError and catchable",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":"{% $error('boom') %}","Catch":[{"ErrorEquals":["States.QueryEvaluationError"],"Next":"H"}],"End":true},"H":{"Type":"Pass","Output":"caught","End":true}}}`,
			input: `{}`,
			want:  `"caught"`,
		},
		{
			name:  "JSONata state in a JSONPath machine",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":2},"Next":"B"},"B":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input.x * 3 %}","End":true}}}`,
			input: `{}`,
			want:  `6`,
		},
		{
			name:  "$partition",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $partition([1,2,3,4,5,6,7,8,9], 3) %}","End":true}}}`,
			input: `{}`,
			want:  `[[1,2,3],[4,5,6],[7,8,9]]`,
		},
		{
			name:  "$range",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $range(0, 10, 2) %}","End":true}}}`,
			input: `{}`,
			want:  `[0,2,4,6,8,10]`,
		},
		{
			name:  "$hash",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $hash('input data', 'SHA-1') %}","End":true}}}`,
			input: `{}`,
			want:  `"aaff4a450a104cd177d28d18d74485e8cae074b7"`,
		},
		{
			name:  "$parse",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $parse($states.input.s) %}","End":true}}}`,
			input: `{"s":"{\"a\":[1,true]}"}`,
			want:  `{"a":[1,true]}`,
		},
		{
			name:  "$random with a seed is repeatable",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $random(7) = $random(7) and $random() < 1 %}","End":true}}}`,
			input: `{}`,
			want:  `true`,
		},
		{
			name:  "TimeoutSeconds from an expression",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html",
			def:   `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":"{% $states.input.t %}","End":true}}}`,
			input: `{"t":3}`,
			tasks: map[string]taskFunc{lambdaARN: blockUntilCancelled},
			err:   "States.Timeout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, tt.def, tt.input, runConfig{tasks: newFakeTasks(tt.tasks)})
			assert.Equal(t, tt.err, r.Error, r.Cause)
			if tt.want != "" {
				assert.JSONEq(t, tt.want, string(r.Output))
			}
		})
	}
}

func TestJSONataUUID(t *testing.T) {
	t.Parallel()
	// $uuid returns a version 4 UUID: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
	r := run(t, `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $uuid() %}","End":true}}}`, `{}`, runConfig{})
	assert.Regexp(t, regexp.MustCompile(`^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`), string(r.Output))
}

func TestVariables(t *testing.T) {
	t.Parallel()
	// Assign, references with $name, scoping and evaluation order:
	// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
	tests := []struct {
		name  string
		def   string
		input string
		want  string
		err   string
	}{
		{
			name:  "JSONPath Assign then a reference in Parameters",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"productName":"product1","count":42,"available":true},"Next":"B"},"B":{"Type":"Pass","Parameters":{"name.$":"$productName","n.$":"$count","ok.$":"$available"},"End":true}}}`,
			input: `{}`,
			want:  `{"name":"product1","n":42,"ok":true}`,
		},
		{
			name:  "JSONPath Assign reads the task result with $",
			def:   `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `","Assign":{"cost.$":"$.price","in.$":"$states.input.id"},"ResultPath":null,"Next":"B"},"B":{"Type":"Pass","Parameters":{"c.$":"$cost","i.$":"$in"},"End":true}}}`,
			input: `{"id":"x","price":9}`,
			want:  `{"c":9,"i":"x"}`,
		},
		{
			name:  "JSONata Assign and Output see the values from before the state",
			def:   `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Next":"B"},"B":{"Type":"Pass","Assign":{"x":"{% $x + 1 %}"},"Output":{"before":"{% $x %}"},"Next":"C"},"C":{"Type":"Pass","Output":{"before":"{% $states.input.before %}","after":"{% $x %}"},"End":true}}}`,
			input: `{}`,
			want:  `{"before":1,"after":2}`,
		},
		{
			// Compiled expressions are kept per text and "$o.n" is read without the library:
			// a reassigned object must still be read afresh by both.
			name:  "JSONata expressions see an object variable reassigned",
			def:   `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"o":{"n":1}},"Next":"B"},"B":{"Type":"Pass","Assign":{"o":{"n":"{% $o.n + 1 %}"}},"Output":{"first":"{% $o.n * 1 %}"},"Next":"C"},"C":{"Type":"Pass","Output":{"first":"{% $states.input.first %}","second":"{% $o.n * 1 %}","path":"{% $o.n %}","keys":"{% $keys($o) %}"},"End":true}}}`,
			input: `{}`,
			want:  `{"first":1,"second":2,"path":2,"keys":"n"}`,
		},
		{
			name:  "Assign values in one block do not see each other",
			def:   `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Next":"B"},"B":{"Type":"Pass","Assign":{"x":5,"y":"{% $x %}"},"Next":"C"},"C":{"Type":"Pass","Output":"{% $y %}","End":true}}}`,
			input: `{}`,
			want:  `1`,
		},
		{
			name:  "a Parallel branch reads outer variables",
			def:   `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"greeting":"hi"},"Next":"P"},"P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $greeting %}","End":true}}}],"End":true}}}`,
			input: `{}`,
			want:  `["hi"]`,
		},
		{
			name:  "a Map iteration reads outer variables",
			def:   `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"factor":3},"Next":"M"},"M":{"Type":"Map","Items":[1,2],"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $states.input * $factor %}","End":true}}},"End":true}}}`,
			input: `{}`,
			want:  `[3,6]`,
		},
		{
			name:  "branch variables stay in the branch",
			def:   `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"inner":1},"End":true}}}],"Next":"After"},"After":{"Type":"Pass","Output":"{% $inner %}","End":true}}}`,
			input: `{}`,
			err:   "States.QueryEvaluationError",
		},
		{
			name:  "each Map iteration has its own scope",
			def:   `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":[1,2],"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"mine":"{% $states.input %}"},"Next":"B"},"B":{"Type":"Pass","Output":"{% $mine %}","End":true}}},"End":true}}}`,
			input: `{}`,
			want:  `[1,2]`,
		},
		{
			name:  "a distributed Map cannot read outer variables",
			def:   `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"factor":3},"Next":"M"},"M":{"Type":"Map","Items":[1],"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $factor %}","End":true}}},"End":true}}}`,
			input: `{}`,
			err:   "States.QueryEvaluationError",
		},
		{
			name:  "Catch Assign",
			def:   `{"QueryLanguage":"JSONata","StartAt":"F","States":{"F":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Fail","Error":"E","Cause":"c"}}}],"Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"why":"{% $states.errorOutput.Cause %}"},"Next":"H"}],"End":true},"H":{"Type":"Pass","Output":"{% $why %}","End":true}}}`,
			input: `{}`,
			want:  `"c"`,
		},
		{
			name:  "Choice rule Assign",
			def:   `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% true %}","Assign":{"picked":"first"},"Next":"D"}]},"D":{"Type":"Pass","Output":"{% $picked %}","End":true}}}`,
			input: `{}`,
			want:  `"first"`,
		},
		{
			name:  "an undefined JSONPath variable is States.Runtime",
			def:   `{"StartAt":"B","States":{"B":{"Type":"Pass","Parameters":{"n.$":"$nope"},"End":true}}}`,
			input: `{}`,
			err:   "States.Runtime",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, tt.def, tt.input, runConfig{})
			assert.Equal(t, tt.err, r.Error, r.Cause)
			if tt.want != "" {
				assert.JSONEq(t, tt.want, string(r.Output))
			}
		})
	}
}

func TestAssignedVariablesInHistory(t *testing.T) {
	t.Parallel()
	// StateExited carries assignedVariables as JSON text:
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateExitedEventDetails.html
	r := run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":{"k":[1]}},"End":true}}}`, `{}`, runConfig{})
	assert.Equal(t, map[string]string{"x": `{"k":[1]}`}, r.events[2].StateExitedEventDetails.AssignedVariables)
}

func TestJSONataExpressionEvaluatedAgainWithoutItsVariable(t *testing.T) {
	t.Parallel()
	// A variable is visible only after the state that assigns it ran
	// (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html): the same
	// expression text, once evaluated with $x assigned, must find $x undefined in a run that
	// never assigned it (the emulator keeps one compiled expression per text).
	def := `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.assign %}","Next":"A"}],"Default":"B"},"A":{"Type":"Pass","Assign":{"cachedProbe":1},"Next":"B"},"B":{"Type":"Pass","Output":"{% $cachedProbe %}","End":true}}}`
	tests := []struct {
		input string
		want  string
		err   string
	}{
		{input: `{"assign":true}`, want: `1`},
		{input: `{"assign":false}`, err: "States.QueryEvaluationError"},
		{input: `{"assign":true}`, want: `1`},
	}
	for _, tt := range tests {
		r := run(t, def, tt.input, runConfig{})
		assert.Equal(t, tt.err, r.Error, r.Cause)
		if tt.want != "" {
			assert.JSONEq(t, tt.want, string(r.Output))
		}
	}
}
