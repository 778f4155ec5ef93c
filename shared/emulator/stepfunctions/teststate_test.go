package stepfunctions_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestState runs one state and reports its data at each processing step
// (https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html,
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html).
func TestTestState(t *testing.T) {
	f := newFixture(t, options{})
	f.table(t, "Stock", item("croissant", "Croissant"))
	tests := []struct {
		name, def, input string
		level            sfntypes.InspectionLevel
		status           sfntypes.TestExecutionStatus
		output           string
		next             string
		errName          string
		inspection       map[string]string // field → JSON
	}{
		{
			name:  "Pass with InputPath, Parameters and ResultPath",
			def:   `{"Type":"Pass","InputPath":"$.b","Parameters":{"x.$":"$.c"},"ResultPath":"$.out","Next":"Done"}`,
			input: `{"a":1,"b":{"c":2}}`, level: sfntypes.InspectionLevelDebug,
			status: sfntypes.TestExecutionStatusSucceeded, output: `{"a":1,"b":{"c":2},"out":{"x":2}}`, next: "Done",
			inspection: map[string]string{"Input": `{"a":1,"b":{"c":2}}`, "AfterInputPath": `{"c":2}`, "AfterParameters": `{"x":2}`},
		},
		{
			name: "a Task really calls its integration",
			def: `{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"Stock","Key":{"pk":{"S.$":"$.id"}}},
				"ResultSelector":{"name.$":"$.Item.name.S"},"ResultPath":"$.stock","End":true}`,
			input: `{"id":"croissant"}`, level: sfntypes.InspectionLevelDebug,
			status: sfntypes.TestExecutionStatusSucceeded, output: `{"id":"croissant","stock":{"name":"Croissant"}}`,
			inspection: map[string]string{
				"AfterParameters":     `{"TableName":"Stock","Key":{"pk":{"S":"croissant"}}}`,
				"AfterResultSelector": `{"name":"Croissant"}`,
				"AfterResultPath":     `{"id":"croissant","stock":{"name":"Croissant"}}`,
			},
		},
		{
			name:   "Choice answers the next state",
			def:    `{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":10,"Next":"Big"}],"Default":"Small"}`,
			input:  `{"n":12}`,
			status: sfntypes.TestExecutionStatusSucceeded, output: `{"n":12}`, next: "Big",
		},
		{
			name: "a caught error is CAUGHT_ERROR with the catcher's Next",
			def: `{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"Nope","Key":{"pk":{"S":"x"}}},
				"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Recover"}],"End":true}`,
			status: sfntypes.TestExecutionStatusCaughtError, next: "Recover", errName: "DynamoDB.ResourceNotFoundException",
		},
		{
			name: "an error a retrier matches is RETRIABLE",
			def: `{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"Nope","Key":{"pk":{"S":"x"}}},
				"Retry":[{"ErrorEquals":["DynamoDB.ResourceNotFoundException"]}],"End":true}`,
			status: sfntypes.TestExecutionStatusRetriable, errName: "DynamoDB.ResourceNotFoundException",
		},
		{
			name:   "Fail",
			def:    `{"Type":"Fail","Error":"OutOfFlour","Cause":"none left"}`,
			status: sfntypes.TestExecutionStatusFailed, errName: "OutOfFlour",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.input
			if in == "" {
				in = "{}"
			}
			out, err := f.sfn.TestState(context.Background(), &sfn.TestStateInput{Definition: aws.String(tt.def), RoleArn: aws.String(role),
				Input: aws.String(in), InspectionLevel: tt.level})
			require.NoError(t, err)
			assert.Equal(t, tt.status, out.Status, "%s: %s", aws.ToString(out.Error), aws.ToString(out.Cause))
			if tt.output != "" {
				jsonEq(t, tt.output, aws.ToString(out.Output))
			}
			assert.Equal(t, tt.next, aws.ToString(out.NextState))
			assert.Equal(t, tt.errName, aws.ToString(out.Error))
			if tt.level == "" {
				assert.Nil(t, out.InspectionData, "INFO has no inspectionData")
				return
			}
			require.NotNil(t, out.InspectionData)
			got := map[string]*string{
				"Input": out.InspectionData.Input, "AfterInputPath": out.InspectionData.AfterInputPath, "AfterParameters": out.InspectionData.AfterParameters,
				"AfterResultSelector": out.InspectionData.AfterResultSelector, "AfterResultPath": out.InspectionData.AfterResultPath,
			}
			for k, want := range tt.inspection {
				require.NotNil(t, got[k], k)
				jsonEq(t, want, aws.ToString(got[k]))
			}
		})
	}
}
