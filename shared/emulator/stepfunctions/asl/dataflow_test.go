package asl_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

const docInput = `{"comment":"An input comment.","data":{"val1":23,"val2":17},"extra":"foo","lambda":{"who":"AWS Step Functions"}}`

func TestJSONPathDataFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		doc    string // the page the case comes from
		def    string
		input  string
		tasks  map[string]taskFunc
		want   string
		status string
		err    string
	}{
		{
			name:  "Pass Result into ResultPath",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"x-datum":0.381018,"y-datum":622.2269926397355},"ResultPath":"$.coords","End":true}}}`,
			input: `{"georefOf":"Home"}`,
			want:  `{"georefOf":"Home","coords":{"x-datum":0.381018,"y-datum":622.2269926397355}}`,
		},
		{
			name:  "Pass without Result passes its input",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
			input: docInput,
			want:  docInput,
		},
		{
			name:  "ResultPath $ replaces the input",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"Hello, AWS Step Functions!","ResultPath":"$","End":true}}}`,
			input: docInput,
			want:  `"Hello, AWS Step Functions!"`,
		},
		{
			name:  "ResultPath adds the result to the input",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"Hello, AWS Step Functions!","ResultPath":"$.taskresult","End":true}}}`,
			input: docInput,
			want:  `{"comment":"An input comment.","data":{"val1":23,"val2":17},"extra":"foo","lambda":{"who":"AWS Step Functions"},"taskresult":"Hello, AWS Step Functions!"}`,
		},
		{
			name:  "ResultPath into a nested node",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"Hello, AWS Step Functions!","ResultPath":"$.strings.lambdaresult","End":true}}}`,
			input: `{"comment":"c","strings":{"a":"x"}}`,
			want:  `{"comment":"c","strings":{"a":"x","lambdaresult":"Hello, AWS Step Functions!"}}`,
		},
		{
			name:  "ResultPath null discards the result",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"ignored","ResultPath":null,"End":true}}}`,
			input: docInput,
			want:  docInput,
		},
		{
			name:  "InputPath selects, Parameters reshape, OutputPath filters",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-example.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.data","Parameters":{"sum.$":"States.MathAdd($.val1, $.val2)","static":"x"},"ResultPath":"$.out","End":true}}}`,
			input: docInput,
			want:  `{"comment":"An input comment.","data":{"val1":23,"val2":17},"extra":"foo","lambda":{"who":"AWS Step Functions"},"out":{"sum":40,"static":"x"}}`,
		},
		{
			name:  "OutputPath selects part of the output",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-outputpath.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":"$.lambda","End":true}}}`,
			input: docInput,
			want:  `{"who":"AWS Step Functions"}`,
		},
		{
			name:  "InputPath null gives an empty object",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":null,"End":true}}}`,
			input: docInput,
			want:  `{}`,
		},
		{
			name:  "OutputPath null gives an empty object",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-outputpath.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":null,"End":true}}}`,
			input: docInput,
			want:  `{}`,
		},
		{
			name:  "Parameters read the context object",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"execution.$":"$$.Execution.Id","state.$":"$$.State.Name","sm.$":"$$.StateMachine.Name","entered.$":"$$.State.EnteredTime","retries.$":"$$.State.RetryCount"},"End":true}}}`,
			input: `{}`,
			want:  `{"execution":"arn:aws:states:us-east-1:123456789012:execution:machine:exec-1","state":"P","sm":"machine","entered":"2026-01-02T03:04:05.000Z","retries":0}`,
		},
		{
			name:  "intrinsic functions in Parameters",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('Hello, {}', $.name)","ids.$":"States.Array($.a, $.b)","json.$":"States.JsonToString($.obj)","parsed.$":"States.StringToJson($.str)"},"End":true}}}`,
			input: `{"name":"Ana","a":1,"b":"two","obj":{"k":1},"str":"{\"z\":[1]}"}`,
			want:  `{"greeting":"Hello, Ana","ids":[1,"two"],"json":"{\"k\":1}","parsed":{"z":[1]}}`,
		},
		{
			name:  "Task ResultSelector then ResultPath",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html#input-output-resultselector",
			def:   `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::elasticmapreduce:createCluster.sync","ResultSelector":{"ClusterId.$":"$.output.ClusterId","ResourceType.$":"$.resourceType"},"ResultPath":"$.EMROutput","End":true}}}`,
			input: `{"cluster":"c"}`,
			tasks: map[string]taskFunc{"arn:aws:states:::elasticmapreduce:createCluster.sync": func(context.Context, any, string) (any, error) {
				return []byte(`{"resourceType":"elasticmapreduce","resource":"createCluster.sync","output":{"SdkHttpMetadata":{"HttpStatusCode":200},"ClusterId":"AKIAIOSFODNN7EXAMPLE"}}`), nil
			}},
			want: `{"cluster":"c","EMROutput":{"ClusterId":"AKIAIOSFODNN7EXAMPLE","ResourceType":"elasticmapreduce"}}`,
		},
		{
			name:  "Task receives Parameters",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html",
			def:   `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"End":true}}}`,
			input: `{"a":1}`,
			want:  `{"FunctionName":"f","Payload":{"a":1}}`,
		},
		{
			name:   "InputPath that matches nothing is States.Runtime",
			doc:    "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
			def:    `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.missing","End":true}}}`,
			input:  `{}`,
			status: "FAILED",
			err:    "States.Runtime",
		},
		{
			name:   "ResultPath into a string is States.ResultPathMatchFailure",
			doc:    "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
			def:    `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"ResultPath":"$.a.b","End":true}}}`,
			input:  `{"a":"text"}`,
			status: "FAILED",
			err:    "States.ResultPathMatchFailure",
		},
		{
			name:   "Fail state with Error and Cause",
			doc:    "https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html",
			def:    `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"ErrorA","Cause":"Kaiju attack"}}}`,
			input:  `{}`,
			status: "FAILED",
			err:    "ErrorA",
		},
		{
			name:   "Fail state with ErrorPath and CausePath",
			doc:    "https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html",
			def:    `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('because {}', $.why)"}}}`,
			input:  `{"e":"CustomError","why":"reasons"}`,
			status: "FAILED",
			err:    "CustomError",
		},
		{
			name:  "Succeed with OutputPath",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html",
			def:   `{"StartAt":"S","States":{"S":{"Type":"Succeed","OutputPath":"$.data"}}}`,
			input: docInput,
			want:  `{"val1":23,"val2":17}`,
		},
		{
			name:  "task result numbers keep their precision",
			doc:   "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html",
			def:   `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
			input: `{"big":12345678901234567890,"f":0.1}`,
			want:  `{"big":12345678901234567890,"f":0.1}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, tt.def, tt.input, runConfig{tasks: newFakeTasks(tt.tasks)})
			if tt.status == "" {
				tt.status = "SUCCEEDED"
			}
			assert.Equal(t, tt.status, r.Status, r.Cause)
			assert.Equal(t, tt.err, r.Error)
			if tt.want != "" {
				assert.JSONEq(t, tt.want, string(r.Output))
			}
		})
	}
}

func TestFailCause(t *testing.T) {
	t.Parallel()
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
	r := run(t, `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('because {}', $.why)"}}}`, `{"e":"CustomError","why":"reasons"}`, runConfig{})
	assert.Equal(t, "because reasons", r.Cause)
	assert.Equal(t, []string{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"}, r.types())
}

func TestWait(t *testing.T) {
	t.Parallel()
	// Seconds, Timestamp, SecondsPath and TimestampPath:
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
	tests := []struct {
		name  string
		wait  string
		input string
		want  time.Duration
	}{
		{"Seconds", `"Seconds":10`, `{}`, 10 * time.Second},
		{"Timestamp", `"Timestamp":"2026-01-02T04:04:05Z"`, `{}`, time.Hour},
		{"SecondsPath", `"SecondsPath":"$.wait"`, `{"wait":300}`, 5 * time.Minute},
		{"TimestampPath", `"TimestampPath":"$.until"`, `{"until":"2026-01-02T03:05:05Z"}`, time.Minute},
		{"Timestamp in the past does not wait", `"Timestamp":"2020-01-01T00:00:00Z"`, `{}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			start := clock.Now()
			r := run(t, `{"StartAt":"W","States":{"W":{"Type":"Wait",`+tt.wait+`,"Next":"D"},"D":{"Type":"Succeed"}}}`, tt.input, runConfig{clock: clock})
			assert.Equal(t, "SUCCEEDED", r.Status, r.Cause)
			assert.Equal(t, tt.want, clock.Now().Sub(start))
			assert.JSONEq(t, tt.input, string(r.Output))
		})
	}
}

func TestHistoryEvents(t *testing.T) {
	t.Parallel()
	// Event types and linking of GetExecutionHistory:
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":1,"Next":"C"},"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":1,"Next":"T"}]},"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":30000000,"End":true}}}`
	r := run(t, def, `{"a":1}`, runConfig{})
	assert.Equal(t, []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited",
		"ChoiceStateEntered", "ChoiceStateExited", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}, r.types())
	for i, e := range r.events {
		assert.Equal(t, int64(i+1), e.ID)
		assert.Equal(t, int64(i), e.PreviousEventID)
	}
	assert.Equal(t, int64(4), r.Transitions)
	sched := r.events[8].TaskScheduledEventDetails
	if assert.NotNil(t, sched) {
		assert.Equal(t, "lambda", sched.ResourceType)
		assert.Equal(t, "invoke", sched.Resource)
		assert.Equal(t, "us-east-1", sched.Region)
		assert.Equal(t, `{"a":1}`, sched.Parameters)
		assert.Equal(t, int64(30000000), sched.TimeoutInSeconds)
	}
	assert.Equal(t, `{"a":1}`, r.events[0].ExecutionStartedEventDetails.Input)
	assert.Equal(t, "P", r.events[1].StateEnteredEventDetails.Name)
}
