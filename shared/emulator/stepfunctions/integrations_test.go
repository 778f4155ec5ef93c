package stepfunctions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

func item(pk, name string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}, "name": &ddbtypes.AttributeValueMemberS{Value: name}}
}

func echo(_ context.Context, p []byte) ([]byte, string, error) {
	return []byte(fmt.Sprintf(`{"echo":%s}`, p)), "", nil
}

// task wraps one Task state in a definition.
func task(resource, params string, extra string) string {
	return fmt.Sprintf(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":%q,"Parameters":%s%s,"End":true}}}`, resource, params, extra)
}

// Each integration's request and result shapes.
func TestIntegrations(t *testing.T) {
	f := newFixture(t, options{})
	f.lambda.handle("bake", echo)
	f.table(t, "Stock", item("croissant", "Croissant"))
	url := f.queue(t, "orders")
	events := f.queue(t, "events")
	_, err := eventbridge.NewFromConfig(f.cfg).PutRule(context.Background(), &eventbridge.PutRuleInput{Name: aws.String("all"), EventPattern: aws.String(`{"source":["bakery"]}`)})
	require.NoError(t, err)
	_, err = eventbridge.NewFromConfig(f.cfg).PutTargets(context.Background(), &eventbridge.PutTargetsInput{Rule: aws.String("all"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:events")}}})
	require.NoError(t, err)
	child := f.machine(t, "child", "EXPRESS", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}`)
	childStd := f.machine(t, "childstd", "STANDARD", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)

	tests := []struct {
		name, def, input string
		check            func(t *testing.T, output map[string]any)
	}{
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
			name: "lambda:invoke", input: `{"n":1}`,
			def: task("arn:aws:states:::lambda:invoke", `{"FunctionName":"bake","Payload.$":"$"}`, ""),
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, map[string]any{"echo": map[string]any{"n": 1.0}}, out["Payload"])
				assert.Equal(t, 200.0, out["StatusCode"])
				assert.Equal(t, "$LATEST", out["ExecutedVersion"])
				assert.Contains(t, out, "SdkHttpMetadata")
				assert.Contains(t, out, "SdkResponseMetadata")
			},
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html (the legacy function ARN form)
			name: "lambda function ARN", input: `{"n":2}`,
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:bake","End":true}}}`,
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, map[string]any{"echo": map[string]any{"n": 2.0}}, out)
			},
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
			name: "dynamodb:getItem",
			def:  task("arn:aws:states:::dynamodb:getItem", `{"TableName":"Stock","Key":{"pk":{"S":"croissant"}}}`, `,"ResultSelector":{"name.$":"$.Item.name.S"}`),
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, map[string]any{"name": "Croissant"}, out)
			},
		},
		{
			name: "dynamodb:putItem then aws-sdk:dynamodb:getItem",
			def: `{"StartAt":"Put","States":{
				"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"Stock","Item":{"pk":{"S":"baguette"},"name":{"S":"Baguette"}}},"ResultPath":null,"Next":"Update"},
				"Update":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:updateItem","Parameters":{"TableName":"Stock","Key":{"pk":{"S":"baguette"}},"UpdateExpression":"SET qty = :q","ExpressionAttributeValues":{":q":{"N":"3"}}},"ResultPath":null,"Next":"Get"},
				"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:getItem","Parameters":{"TableName":"Stock","Key":{"pk":{"S":"baguette"}}},"Next":"Delete"},
				"Delete":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:deleteItem","Parameters":{"TableName":"Stock","Key":{"pk":{"S":"baguette"}}},"ResultPath":null,"End":true}}}`,
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, map[string]any{"Item": map[string]any{"pk": map[string]any{"S": "baguette"}, "name": map[string]any{"S": "Baguette"}, "qty": map[string]any{"N": "3"}}}, out,
					"aws-sdk results carry no SdkHttpMetadata")
			},
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html
			name: "sqs:sendMessage", input: `{"id":"o-1"}`,
			def: task("arn:aws:states:::sqs:sendMessage", fmt.Sprintf(`{"QueueUrl":%q,"MessageBody.$":"$"}`, url), ""),
			check: func(t *testing.T, out map[string]any) {
				assert.NotEmpty(t, out["MessageId"])
				assert.NotEmpty(t, out["MD5OfMessageBody"])
				assert.Equal(t, `{"id":"o-1"}`, f.receive(t, url), "an object body is sent as its JSON text")
			},
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
			name: "events:putEvents", input: `{"id":"o-2"}`,
			def: task("arn:aws:states:::events:putEvents", `{"Entries":[{"Source":"bakery","DetailType":"OrderPlaced","Detail.$":"$"}]}`, ""),
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, 0.0, out["FailedEntryCount"])
				var ev map[string]any
				require.NoError(t, json.Unmarshal([]byte(f.receive(t, events)), &ev))
				assert.Equal(t, map[string]any{"id": "o-2"}, ev["detail"])
			},
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
			name: "states:startExecution.sync:2 of an express child", input: `{"n":21}`,
			def: task("arn:aws:states:::states:startExecution.sync:2", fmt.Sprintf(`{"StateMachineArn":%q,"Input.$":"$"}`, child), ""),
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, "SUCCEEDED", out["Status"])
				assert.Equal(t, map[string]any{"doubled": 42.0}, out["Output"], ".sync:2 answers the output as JSON")
				assert.Equal(t, map[string]any{"n": 21.0}, out["Input"])
				assert.Contains(t, out["ExecutionArn"], ":express:child:")
			},
		},
		{
			name: "states:startExecution.sync of a standard child", input: `{"n":1}`,
			def: task("arn:aws:states:::states:startExecution.sync", fmt.Sprintf(`{"StateMachineArn":%q,"Input.$":"$"}`, childStd), ""),
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, "SUCCEEDED", out["Status"])
				assert.Equal(t, `{"n":1}`, out["Output"], ".sync answers the output as a string")
				assert.IsType(t, 0.0, out["StartDate"])
			},
		},
		{
			name: "states:startExecution", input: `{}`,
			def: task("arn:aws:states:::states:startExecution", fmt.Sprintf(`{"StateMachineArn":%q,"Name":"started-by-parent"}`, childStd), ""),
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:childstd:started-by-parent", out["ExecutionArn"])
				assert.Equal(t, sfntypes.ExecutionStatusSucceeded, f.wait(t, out["ExecutionArn"].(string)).Status)
			},
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
			name: "aws-sdk:sfn:describeStateMachine",
			def:  task("arn:aws:states:::aws-sdk:sfn:describeStateMachine", fmt.Sprintf(`{"StateMachineArn":%q}`, child), `,"ResultSelector":{"Name.$":"$.Name","Type.$":"$.Type"}`),
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, map[string]any{"Name": "child", "Type": "EXPRESS"}, out)
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := f.machine(t, fmt.Sprintf("m%d", i), "STANDARD", tt.def)
			in := tt.input
			if in == "" {
				in = "{}"
			}
			d := f.run(t, arn, in)
			require.Equal(t, sfntypes.ExecutionStatusSucceeded, d.Status, "%s: %s", aws.ToString(d.Error), aws.ToString(d.Cause))
			var out map[string]any
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(d.Output)), &out))
			tt.check(t, out)
		})
	}
}

// Integration errors carry AWS's names, so that a definition's Retry and Catch work as on AWS.
func TestIntegrationErrors(t *testing.T) {
	f := newFixture(t, options{})
	f.table(t, "Stock", item("croissant", "Croissant"))
	f.lambda.handle("broken", func(context.Context, []byte) ([]byte, string, error) {
		return []byte(`{"errorType":"OvenOffError","errorMessage":"the oven is off"}`), "Unhandled", nil
	})
	f.lambda.handle("crash", func(context.Context, []byte) ([]byte, string, error) {
		return []byte(`{"errorMessage":"Runtime exited"}`), "Unhandled", nil
	})
	f.lambda.handle("down", func(context.Context, []byte) ([]byte, string, error) {
		return nil, "", &sim.APIError{Status: http.StatusInternalServerError, Code: "ServiceException", Message: "internal"}
	})
	catchAll := `,"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Caught"}]`
	withCatch := func(resource, params string) string {
		return fmt.Sprintf(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":%q,"Parameters":%s%s,"End":true},"Caught":{"Type":"Pass","End":true}}}`, resource, params, catchAll)
	}
	tests := []struct {
		name, def      string
		status         sfntypes.ExecutionStatus
		errName, cause string
		output         string
	}{
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-handling-error-conditions.html
			name:   "a function error is named by its errorType",
			def:    task("arn:aws:states:::lambda:invoke", `{"FunctionName":"broken"}`, ""),
			status: sfntypes.ExecutionStatusFailed, errName: "OvenOffError", cause: `{"errorType":"OvenOffError","errorMessage":"the oven is off"}`,
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
			name:   "an error without a type is Lambda.Unknown",
			def:    task("arn:aws:states:::lambda:invoke", `{"FunctionName":"crash"}`, ""),
			status: sfntypes.ExecutionStatusFailed, errName: "Lambda.Unknown",
		},
		{
			name:   "a Lambda 500 is Lambda.ServiceException",
			def:    task("arn:aws:states:::lambda:invoke", `{"FunctionName":"down"}`, ""),
			status: sfntypes.ExecutionStatusFailed, errName: "Lambda.ServiceException",
		},
		{
			name:   "an unknown function is Lambda.ResourceNotFoundException",
			def:    task("arn:aws:states:::lambda:invoke", `{"FunctionName":"nope"}`, ""),
			status: sfntypes.ExecutionStatusFailed, errName: "Lambda.ResourceNotFoundException",
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
			name:   "DynamoDB.ConditionalCheckFailedException is caught",
			def:    withCatch("arn:aws:states:::dynamodb:putItem", `{"TableName":"Stock","Item":{"pk":{"S":"croissant"}},"ConditionExpression":"attribute_not_exists(pk)"}`),
			status: sfntypes.ExecutionStatusSucceeded,
		},
		{
			name:   "DynamoDB.ResourceNotFoundException for a missing table",
			def:    task("arn:aws:states:::dynamodb:getItem", `{"TableName":"Nope","Key":{"pk":{"S":"x"}}}`, ""),
			status: sfntypes.ExecutionStatusFailed, errName: "DynamoDB.ResourceNotFoundException",
		},
		{
			// https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html#use-awssdk-integ-handle-exception
			name:   "aws-sdk errors are prefixed with the SDK's service name",
			def:    task("arn:aws:states:::aws-sdk:dynamodb:putItem", `{"TableName":"Stock","Item":{"pk":{"S":"croissant"}},"ConditionExpression":"attribute_not_exists(pk)"}`, ""),
			status: sfntypes.ExecutionStatusFailed, errName: "DynamoDb.ConditionalCheckFailedException",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := f.machine(t, fmt.Sprintf("e%d", i), "STANDARD", tt.def)
			d := f.run(t, arn, `{}`)
			assert.Equal(t, tt.status, d.Status, "%s: %s", aws.ToString(d.Error), aws.ToString(d.Cause))
			if tt.errName != "" {
				assert.Equal(t, tt.errName, aws.ToString(d.Error))
			}
			if tt.cause != "" {
				assert.Equal(t, tt.cause, aws.ToString(d.Cause))
			}
			if tt.output != "" {
				assert.Equal(t, tt.output, aws.ToString(d.Output))
			}
		})
	}

	// The caught error's name and cause are in the output at the Catch's ResultPath.
	arn := f.machine(t, "caught", "STANDARD", withCatch("arn:aws:states:::dynamodb:putItem", `{"TableName":"Stock","Item":{"pk":{"S":"croissant"}},"ConditionExpression":"attribute_not_exists(pk)"}`))
	d := f.run(t, arn, `{}`)
	var out struct{ Error struct{ Error, Cause string } }
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(d.Output)), &out))
	assert.Equal(t, "DynamoDB.ConditionalCheckFailedException", out.Error.Error)
	assert.Contains(t, out.Error.Cause, "Status Code: 400; Error Code: ConditionalCheckFailedException")
}

// A 429 from Lambda is Lambda.TooManyRequestsException, which the definition's Retry retries
// (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
func TestLambdaThrottleRetried(t *testing.T) {
	clock := sim.NewFake(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	f := newFixture(t, options{clock: clock})
	var throttles atomic.Int32
	f.lambda.handle("busy", func(ctx context.Context, p []byte) ([]byte, string, error) {
		if throttles.Add(1) <= 2 {
			return nil, "", &sim.APIError{Status: http.StatusTooManyRequests, Code: "TooManyRequestsException", Message: "Rate Exceeded."}
		}
		return []byte(`"baked"`), "", nil
	})
	arn := f.machine(t, "retry", "STANDARD", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"busy"},
		"Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":1,"MaxAttempts":3,"BackoffRate":2}],"OutputPath":"$.Payload","End":true}}}`)
	st, err := f.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	for _, d := range []time.Duration{time.Second, 2 * time.Second} {
		require.NoError(t, clock.WaitForTimers(context.Background(), 1))
		clock.Advance(d)
	}
	d := f.wait(t, aws.ToString(st.ExecutionArn))
	assert.Equal(t, sfntypes.ExecutionStatusSucceeded, d.Status, "%s: %s", aws.ToString(d.Error), aws.ToString(d.Cause))
	assert.Equal(t, `"baked"`, aws.ToString(d.Output))
	assert.Equal(t, 3, f.lambda.count("busy"), "two throttles and one success")
	var failed []string
	for _, e := range f.history(t, aws.ToString(st.ExecutionArn)) {
		if e.TaskFailedEventDetails != nil {
			failed = append(failed, aws.ToString(e.TaskFailedEventDetails.Error))
		}
	}
	assert.Equal(t, []string{"Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException"}, failed)
}

// The callback pattern: the task waits until a consumer calls SendTaskSuccess with its token
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token).
func TestTaskTokenRoundTrip(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	url := f.queue(t, "approvals")

	t.Run("an SQS consumer answers SendTaskSuccess", func(t *testing.T) {
		arn := f.machine(t, "approve", "STANDARD", task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
			fmt.Sprintf(`{"QueueUrl":%q,"MessageBody":{"order.$":"$.order","token.$":"$$.Task.Token"}}`, url), ""))
		st, err := f.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"order":"o-9"}`)})
		require.NoError(t, err)
		var msg struct{ Order, Token string }
		require.NoError(t, json.Unmarshal([]byte(f.receive(t, url)), &msg))
		assert.Equal(t, "o-9", msg.Order)
		_, err = f.sfn.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(msg.Token), Output: aws.String(`{"approved":true}`)})
		require.NoError(t, err)
		d := f.wait(t, aws.ToString(st.ExecutionArn))
		assert.Equal(t, sfntypes.ExecutionStatusSucceeded, d.Status)
		assert.Equal(t, `{"approved":true}`, aws.ToString(d.Output))

		_, err = f.sfn.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(msg.Token), Output: aws.String(`{}`)})
		assert.Equal(t, "TaskDoesNotExist", code(err), "a used token")
		_, err = f.sfn.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("made-up")})
		assert.Equal(t, "InvalidToken", code(err))
		var types []sfntypes.HistoryEventType
		for _, e := range f.history(t, aws.ToString(st.ExecutionArn)) {
			types = append(types, e.Type)
		}
		assert.Contains(t, types, sfntypes.HistoryEventTypeTaskSubmitted)
	})

	t.Run("a Lambda consumer answers SendTaskFailure, which Catch handles", func(t *testing.T) {
		f.lambda.handle("reviewer", func(_ context.Context, p []byte) ([]byte, string, error) {
			var in struct{ Token string }
			if err := json.Unmarshal(p, &in); err != nil {
				return nil, "", err
			}
			body, _ := json.Marshal(map[string]string{"taskToken": in.Token, "error": "Rejected", "cause": "too expensive"})
			// The function answers through the emulator, as its SDK client would.
			go func() { _, _ = f.env.Call(context.Background(), "states", "SendTaskFailure", body) }()
			return []byte(`null`), "", nil
		})
		arn := f.machine(t, "review", "STANDARD", `{"StartAt":"T","States":{
			"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"reviewer","Payload":{"Token.$":"$$.Task.Token"}},
			     "Catch":[{"ErrorEquals":["Rejected"],"Next":"No"}],"End":true},
			"No":{"Type":"Pass","End":true}}}`)
		d := f.run(t, arn, `{}`)
		assert.Equal(t, sfntypes.ExecutionStatusSucceeded, d.Status)
		jsonEq(t, `{"Error":"Rejected","Cause":"too expensive"}`, aws.ToString(d.Output))
	})
}
