package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
)

// Destinations and dead-letter queues for asynchronous invocations, as
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html describes
// them: an invocation record to an SQS destination (OnSuccess or OnFailure), and the original
// event with RequestID, ErrorCode and ErrorMessage attributes to a dead-letter queue.
func TestAsyncDestinationsAndDeadLetterQueue(t *testing.T) {
	tests := []struct {
		name       string
		fail       bool
		onSuccess  bool
		onFailure  bool
		deadLetter bool
		wantQueues map[string]string // queue → what its one message must contain
	}{
		{name: "success record", onSuccess: true, wantQueues: map[string]string{"success": `"condition":"Success"`}},
		{name: "failure record", fail: true, onFailure: true, wantQueues: map[string]string{"failure": `"condition":"RetriesExhausted"`}},
		{name: "dead-letter queue gets the event", fail: true, deadLetter: true, wantQueues: map[string]string{"dlq": `{"order_id":"o-1"}`}},
		{name: "both", fail: true, onFailure: true, deadLetter: true, wantQueues: map[string]string{"failure": `"approximateInvokeCount":3`, "dlq": `{"order_id":"o-1"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv()
			queues := sqs.New(env)
			defer queues.Close()
			fn := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
				return lambdago.NewHandler(func() error {
					if tt.fail {
						return errors.New("printer jammed")
					}
					return nil
				}), nil
			}
			svc := lambda.New(env, map[string]lambda.Constructor{"Test/Receipt": fn}, lambda.Options{AsyncRetryDelays: []time.Duration{time.Millisecond}})
			defer svc.Close()
			arn := map[string]string{}
			for _, q := range []string{"success", "failure", "dlq"} {
				in, _ := json.Marshal(map[string]string{"QueueName": q})
				_, err := env.Call(context.Background(), "sqs", "CreateQueue", in)
				require.NoError(t, err)
				arn[q] = "arn:aws:sqs:us-east-1:000000000000:" + q
			}
			props := map[string]any{}
			if tt.deadLetter {
				props["DeadLetterConfig"] = map[string]any{"TargetArn": arn["dlq"]}
			}
			name := provision(t, svc, "Receipt", props)
			dest := map[string]any{}
			if tt.onSuccess {
				dest["OnSuccess"] = map[string]any{"Destination": arn["success"]}
			}
			if tt.onFailure {
				dest["OnFailure"] = map[string]any{"Destination": arn["failure"]}
			}
			_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Cfg", Type: "AWS::Lambda::EventInvokeConfig"},
				map[string]any{"FunctionName": name, "Qualifier": "$LATEST", "DestinationConfig": dest})
			require.NoError(t, err)

			_, err = svc.InvokeAsync(context.Background(), name, []byte(`{"order_id":"o-1"}`))
			require.NoError(t, err)
			for q, want := range tt.wantQueues {
				var got map[string]any
				require.Eventually(t, func() bool {
					in, _ := json.Marshal(map[string]any{"QueueUrl": "http://emulator.internal/000000000000/" + q, "MessageAttributeNames": []string{"All"}})
					out, err := env.Call(context.Background(), "sqs", "ReceiveMessage", in)
					if err != nil {
						return false
					}
					var r struct{ Messages []map[string]any }
					_ = json.Unmarshal(out, &r)
					if len(r.Messages) == 0 {
						return false
					}
					got = r.Messages[0]
					return true
				}, 10*time.Second, 5*time.Millisecond, "queue %s", q)
				assert.Contains(t, got["Body"], want, "queue %s", q)
				if q == "dlq" {
					attrs := got["MessageAttributes"].(map[string]any)
					assert.Contains(t, attrs["ErrorMessage"].(map[string]any)["StringValue"], "printer jammed")
					assert.Equal(t, "200", attrs["ErrorCode"].(map[string]any)["StringValue"])
					assert.NotEmpty(t, attrs["RequestID"].(map[string]any)["StringValue"])
				}
			}
		})
	}
}

func TestDestinationsRefuseWhatIsNotEmulated(t *testing.T) {
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	defer svc.Close()
	_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Echo", Type: "AWS::Lambda::Function", Metadata: map[string]any{"aws:cdk:path": "Test/Echo/Resource"}},
		map[string]any{"Runtime": "provided.al2023", "DeadLetterConfig": map[string]any{"TargetArn": "arn:aws:sns:us-east-1:000000000000:alerts"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DeadLetterConfig.TargetArn")
	name := provision(t, svc, "Echo", nil)
	_, err = svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Cfg", Type: "AWS::Lambda::EventInvokeConfig"},
		map[string]any{"FunctionName": name, "DestinationConfig": map[string]any{"OnSuccess": map[string]any{"Destination": "arn:aws:s3:::bucket"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DestinationConfig.OnSuccess.Destination")
}
