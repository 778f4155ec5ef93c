package asl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	// Problem codes and message shape of CreateStateMachine's InvalidDefinition:
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
	// and the structure rules of https://states-language.net/spec.html.
	tests := []struct {
		name string
		def  string
		want []string // the problems, in order
	}{
		{"Next not a string",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","Next":1}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The value for the field 'Next' must be a STRING at /States/X/Next"}},
		{"missing Next target",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"Nowhere"}}}`,
			[]string{"MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/X/Next"}},
		{"unreachable state",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","End":true},"Y":{"Type":"Pass","End":true}}}`,
			[]string{"UNREACHABLE_STATE: State 'Y' is not reachable at /States/Y"}},
		{"unknown state type",
			`{"StartAt":"X","States":{"X":{"Type":"Sleep","End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The value for the field 'Type' must be one of [Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map] at /States/X/Type"}},
		{"missing Type",
			`{"StartAt":"X","States":{"X":{"End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /States/X"}},
		{"neither Next nor End",
			`{"StartAt":"X","States":{"X":{"Type":"Pass"}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: These fields are required: [Next or End] at /States/X"}},
		{"both Next and End",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"Y","End":true},"Y":{"Type":"Succeed"}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: Only one of the fields [Next, End] may be present at /States/X"}},
		{"field not allowed for the type",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The field 'Resource' is not supported by Step Functions at /States/X"}},
		{"JSONPath field in a JSONata state",
			`{"QueryLanguage":"JSONata","StartAt":"X","States":{"X":{"Type":"Pass","Parameters":{},"End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The field 'Parameters' is not supported when the QueryLanguage is JSONata at /States/X"}},
		{"JSONata field in a JSONPath state",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","Output":{},"End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The field 'Output' is not supported when the QueryLanguage is JSONPath at /States/X"}},
		{"JSONPath state inside a JSONata machine",
			`{"QueryLanguage":"JSONata","StartAt":"X","States":{"X":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: A state cannot use JSONPath when the state machine's QueryLanguage is JSONata at /States/X/QueryLanguage"}},
		{"bad InputPath",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","InputPath":"foo","End":true}}}`,
			[]string{"INVALID_JSON_PATH: The value for the field 'InputPath' must be a valid JSONPath at /States/X/InputPath"}},
		{"ResultPath must be a reference path",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}`,
			[]string{"INVALID_JSON_PATH: The value for the field 'ResultPath' must be a valid ReferencePath at /States/X/ResultPath"}},
		{"bad path in Parameters",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","Parameters":{"a.$":"nope"},"End":true}}}`,
			[]string{"INVALID_JSON_PATH: The value for the field 'a.$' must be a valid JSONPath at /States/X/Parameters/a.$"}},
		{"bad JSONata",
			`{"QueryLanguage":"JSONata","StartAt":"X","States":{"X":{"Type":"Pass","Output":"{% $states.input. %}","End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The JSONata expression '{% $states.input. %}' specified for the field 'Output' is invalid"}},
		{"Task without Resource",
			`{"StartAt":"X","States":{"X":{"Type":"Task","End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: These fields are required: [Resource] at /States/X"}},
		{"missing StartAt target",
			`{"StartAt":"Nope","States":{"X":{"Type":"Succeed"}}}`,
			[]string{"MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /StartAt", "UNREACHABLE_STATE: State 'X' is not reachable at /States/X"}},
		{"missing StartAt and States",
			`{"Comment":"empty"}`,
			[]string{"SCHEMA_VALIDATION_FAILED: These fields are required: [StartAt] at /", "SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /"}},
		{"unknown top-level field",
			`{"Coment":"typo","StartAt":"X","States":{"X":{"Type":"Succeed"}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The field 'Coment' is not supported by Step Functions at /"}},
		{"duplicate state name across a branch",
			`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"P","States":{"P":{"Type":"Succeed"}}}],"End":true}}}`,
			[]string{"DUPLICATE_STATE_NAME: Duplicate State name: 'P' (also at /States/P) at /States/P/Branches[0]/States/P"}},
		{"duplicate state name in one States object",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","End":true},"X":{"Type":"Succeed"}}}`,
			[]string{"DUPLICATE_STATE_NAME: Duplicate State name: 'X' at /States/X"}},
		{"States.ALL not last",
			`{"StartAt":"X","States":{"X":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["E"]}],"End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: States.ALL must appear alone in ErrorEquals and in the last Retrier or Catcher at /States/X/Retry[0]/ErrorEquals"}},
		{"Catch Next missing target",
			`{"StartAt":"X","States":{"X":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Gone"}],"End":true}}}`,
			[]string{"MISSING_TRANSITION_TARGET: Missing 'Next' target: Gone at /States/X/Catch[0]/Next"}},
		{"Choice rule with two operators",
			`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","StringEquals":"x","NumericEquals":1,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: A Choice Rule must have exactly one comparison operator at /States/C/Choices[0]"}},
		{"Choice operand of the wrong type",
			`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":"1","Next":"Y"}]},"Y":{"Type":"Succeed"}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The value for the field 'NumericEquals' must be a NUMBER at /States/C/Choices[0]/NumericEquals"}},
		{"Wait with two durations",
			`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: Exactly one of the fields [Seconds, Timestamp, SecondsPath, TimestampPath] must be present at /States/W"}},
		{"Retry BackoffRate below one",
			`{"StartAt":"X","States":{"X":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["E"],"BackoffRate":0.5}],"End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The value for the field 'BackoffRate' must be a NUMBER greater than or equal to 1.0 at /States/X/Retry[0]/BackoffRate"}},
		{"bad intrinsic function",
			`{"StartAt":"X","States":{"X":{"Type":"Pass","Parameters":{"a.$":"States.Format('{}', $.x"},"End":true}}}`,
			[]string{"INVALID_JSON_PATH: The value for the field 'a.$' must be a valid JSONPath at /States/X/Parameters/a.$"}},
		{"nested scope assigns an outer variable",
			`{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Next":"P"},"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"x":2},"End":true}}}]}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The variable 'x' is assigned in an outer scope and cannot be assigned in a nested Parallel or Map state at /States/P/Branches[0]/States/B/Assign/x"}},
		{"reserved variable name",
			`{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"states":1},"End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The variable name 'states' is invalid at /States/A/Assign/states"}},
		{"no terminal state",
			`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}`,
			[]string{"MISSING_END_STATE: Workflow has no terminal state at /States"}},
		{"Resource not an ARN",
			`{"StartAt":"X","States":{"X":{"Type":"Task","Resource":"my-function","End":true}}}`,
			[]string{"INVALID_RESOURCE: Resource 'my-function' is not a valid ARN at /States/X/Resource"}},
		{"state name too long",
			`{"StartAt":"` + strings.Repeat("n", 81) + `","States":{"` + strings.Repeat("n", 81) + `":{"Type":"Succeed"}}}`,
			[]string{"INVALID_STATE_NAME: State name '" + strings.Repeat("n", 81) + "' must be 1 to 80 characters without control characters"}},
		{"not JSON",
			`{"StartAt":`,
			[]string{"INVALID_JSON_DESCRIPTION: Invalid JSON: unexpected EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := asl.Parse([]byte(tt.def))
			var de *asl.DefinitionError
			require.True(t, errors.As(err, &de), "want a DefinitionError, got %v", err)
			require.Len(t, de.Problems, len(tt.want), "%q", de.Problems)
			for i, w := range tt.want {
				assert.Contains(t, de.Problems[i], w)
			}
		})
	}
}

func TestParseErrorMessageJoinsProblems(t *testing.T) {
	t.Parallel()
	// AWS lists every problem in one InvalidDefinition message, each quoted, joined by ", ":
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
	_, err := asl.Parse([]byte(`{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"A"},"Y":{"Type":"Pass","End":true}}}`))
	require.Error(t, err)
	assert.Equal(t, "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: A at /States/X/Next', 'UNREACHABLE_STATE: State 'Y' is not reachable at /States/Y'", err.Error())
}

func TestParseDiagnostics(t *testing.T) {
	t.Parallel()
	// The parts of each problem, as ValidateStateMachineDefinition reports them:
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html
	_, err := asl.Parse([]byte(`{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"A"}}}`))
	var de *asl.DefinitionError
	require.True(t, errors.As(err, &de))
	assert.Equal(t, []asl.Diagnostic{{Code: "MISSING_TRANSITION_TARGET", Message: "Missing 'Next' target: A", Location: "/States/X/Next"}}, de.Diagnostics)
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	// Complete examples from https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
	// and the state pages; each must parse.
	tests := []struct {
		name string
		def  string
	}{
		{"hello world", `{"Comment":"A Hello World example of the Amazon States Language using a Pass state","StartAt":"HelloWorld","States":{"HelloWorld":{"Type":"Pass","End":true}}}`},
		{"JSONata machine", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"f","Payload":"{% $states.input %}"},"Output":"{% $states.result.Payload %}","TimeoutSeconds":"{% $states.input.t %}","End":true}}}`},
		{"JSONata state in a JSONPath machine", `{"StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% 1 + 1 %}","End":true}}}`},
		{"Map with ItemProcessor", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`},
		{"Map with legacy Iterator and Parameters", `{"StartAt":"M","States":{"M":{"Type":"Map","Parameters":{"v.$":"$$.Map.Item.Value"},"Iterator":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`},
		{"Fail with paths", `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('bad {}', $.c)"}}}`},
		{"variables in Parameters", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Next":"B"},"B":{"Type":"Pass","Parameters":{"y.$":"$x"},"End":true}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := asl.Parse([]byte(tt.def))
			assert.NoError(t, err)
		})
	}
}
