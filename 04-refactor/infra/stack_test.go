package main

import (
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/cdktest"
)

// All CDK tests of the stage live in this one package: each CDK test binary starts its own node
// process (~500 MB, a few seconds).

var stack = &cdktest.Harness{
	Stage:     "04-refactor",
	StackName: StackName,
	New: func(app awscdk.App) awscdk.Stack {
		return NewStack(app, StackName, &StackProps{StageDir: ".."})
	},
	// cdk-nag's AwsSolutions pack, as infra/main.go adds it: TestNag fails on its findings.
	Aspects: func() []awscdk.IAspect { return []awscdk.IAspect{cdknag.NewAwsSolutionsChecks(nil)} },
}

func TestMain(m *testing.M) { stack.Main(m) }

func TestGoldenTemplate(t *testing.T) { stack.Golden(t) }

type obj = map[string]any
type arr = []any

func TestStack(t *testing.T) {
	tmpl := assertions.Template_FromStack(stack.Synth(t).Stack, nil)
	tests := []struct {
		name  string
		check func()
	}{
		{"exactly ten functions", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(10))
		}},
		{"every function arm64 on provided.al2023", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Lambda::Function"), obj{"Runtime": "provided.al2023", "Architectures": arr{"arm64"}}, jsii.Number(10))
		}},
		{"the payment mapping: batch 5, partial failures, concurrency × parallel charges = the provider's capacity", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), obj{
				"BatchSize": PaymentBatch, "FunctionResponseTypes": arr{"ReportBatchItemFailures"},
				"ScalingConfig": obj{"MaximumConcurrency": ProviderCapacity / PaymentParallel},
			})
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{"Environment": obj{"Variables": assertions.Match_ObjectLike(&map[string]any{"MAX_PARALLEL_CHARGES": "1"})}})
		}},
		{"every event source mapping reports batch item failures and caps its concurrency", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::EventSourceMapping"), jsii.Number(4))
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Lambda::EventSourceMapping"), obj{
				"FunctionResponseTypes": arr{"ReportBatchItemFailures"}, "ScalingConfig": obj{"MaximumConcurrency": assertions.Match_AnyValue()},
			}, jsii.Number(4))
		}},
		{"the loyalty mapping filters", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), obj{"FilterCriteria": obj{"Filters": assertions.Match_AnyValue()}})
		}},
		{"express and standard state machines, both JSONata", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::StepFunctions::StateMachine"), obj{"StateMachineType": "EXPRESS"})
			tmpl.HasResourceProperties(jsii.String("AWS::StepFunctions::StateMachine"), obj{"StateMachineType": "STANDARD"})
		}},
		{"the kitchen pipe", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::Pipes::Pipe"), jsii.Number(1))
			tmpl.HasResourceProperties(jsii.String("AWS::Pipes::Pipe"), obj{
				"SourceParameters": obj{"FilterCriteria": assertions.Match_AnyValue(), "SqsQueueParameters": obj{"BatchSize": 1}},
				"TargetParameters": obj{"InputTemplate": assertions.Match_StringLikeRegexp(jsii.String("task_token"))},
			})
		}},
		{"the AppSync Events API with API key auth and the orders namespace", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::AppSync::Api"), jsii.Number(1))
			tmpl.HasResourceProperties(jsii.String("AWS::AppSync::ChannelNamespace"), obj{"Name": "orders"})
			tmpl.ResourceCountIs(jsii.String("AWS::AppSync::ApiKey"), jsii.Number(1))
		}},
		{"a rule sends every order event to the Events API through an API destination", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), obj{
				"EventPattern": obj{"detail-type": arr{"OrderPlaced", "OrderPaid", "OrderPreparing", "OrderReady", "OrderFailed"}},
				"Targets": arr{assertions.Match_ObjectLike(&map[string]any{
					"Arn":              obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^StatusPublish")), "Arn"}},
					"InputTransformer": assertions.Match_AnyValue(), "DeadLetterConfig": assertions.Match_AnyValue(),
				})},
			})
		}},
		{"the bus has an archive", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::Events::Archive"), jsii.Number(1))
		}},
		{"every asynchronous function has an OnFailure destination", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Lambda::EventInvokeConfig"), obj{
				"DestinationConfig": obj{"OnFailure": obj{"Destination": assertions.Match_AnyValue()}},
			}, jsii.Number(5))
		}},
		{"the catalog is seeded by a custom resource backed by the seeder", func() {
			tmpl.HasResourceProperties(jsii.String("Custom::CatalogSeed"), obj{
				"ServiceToken": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^CatalogSeeder")), "Arn"}},
			})
		}},
		{"direct integrations only: no Lambda proxy in the API", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(4))
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"Integration": obj{"Type": "AWS"}}, jsii.Number(4))
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), obj{"HttpMethod": "POST", "RequestValidatorId": assertions.Match_AnyValue(),
				"Integration": obj{"Uri": obj{"Fn::Join": arr{"", assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("sync.states:action/StartSyncExecution"))})}}}})
		}},
		{"the outputs", func() {
			for _, o := range []string{"ApiUrl", "EventsHttpUrl", "EventsRealtimeUrl", "EventsApiKey", "PaymentQueueUrl", "PaymentDlqUrl", "BusName"} {
				tmpl.HasOutput(jsii.String(o), obj{"Value": assertions.Match_AnyValue()})
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { cdktest.Must(t, tt.check) })
	}
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// TestQueues checks the talk's rules on every queue: a work queue's visibility timeout is at
// least six times its consumer's timeout, and it has a DLQ after 3 to 5 receives; the other
// queues are dead-letter queues themselves.
func TestQueues(t *testing.T) {
	tmpl := cdktest.Parse(t, stack.Synth(t).Template)
	dlqs := map[string]bool{}
	for _, r := range tmpl.Resources {
		if r.Type != "AWS::SQS::Queue" {
			continue
		}
		if rp, ok := r.Properties["RedrivePolicy"].(map[string]any); ok {
			ga, _ := rp["deadLetterTargetArn"].(map[string]any)["Fn::GetAtt"].([]any)
			require.Len(t, ga, 2)
			dlqs[ga[0].(string)] = true
		}
	}
	// The consumer of each queue, and its timeout.
	timeouts := map[string]float64{}
	for _, r := range tmpl.Resources {
		if r.Type != "AWS::Lambda::EventSourceMapping" {
			continue
		}
		fn := r.Properties["FunctionName"].(map[string]any)["Ref"].(string)
		queue := r.Properties["EventSourceArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		timeouts[queue] = VisibilityFactor*num(tmpl.Resources[fn].Properties["Timeout"]) + num(r.Properties["MaximumBatchingWindowInSeconds"])
	}
	final := 0
	for id, r := range tmpl.Resources {
		if r.Type != "AWS::SQS::Queue" {
			continue
		}
		t.Run(id, func(t *testing.T) {
			rp, ok := r.Properties["RedrivePolicy"].(map[string]any)
			if !ok {
				final++
				assert.True(t, dlqs[id] || strings.HasPrefix(id, "AsyncFailures") || strings.HasPrefix(id, "EventsDlq"), "%s has no DLQ and is not one", id)
				assert.Equal(t, float64(14*24*3600), num(r.Properties["MessageRetentionPeriod"]), "a DLQ keeps messages 14 days")
				return
			}
			assert.GreaterOrEqual(t, num(rp["maxReceiveCount"]), 3.0)
			assert.LessOrEqual(t, num(rp["maxReceiveCount"]), 5.0)
			if consumer, ok := timeouts[id]; ok {
				assert.GreaterOrEqual(t, num(r.Properties["VisibilityTimeout"]), consumer, "visibility ≥ 6 × the consumer's timeout (+ batching window)")
			}
		})
	}
	assert.Equal(t, 7, final, "five DLQs, the Lambda failure destination and the EventBridge targets' DLQ")
}

// TestNag runs cdk-nag's AwsSolutions pack: every finding is fixed or suppressed with a reason.
func TestNag(t *testing.T) { stack.NoErrors(t, "AwsSolutions-.*") }

// TestConstructPaths pins the identities the emulator maps to handlers.
func TestConstructPaths(t *testing.T) {
	paths := cdktest.Parse(t, stack.Synth(t).Template).Paths()
	for _, f := range functions {
		assert.Equal(t, "AWS::Lambda::Function", paths[StackName+"/"+constructID(f.dir)+"/Resource"], f.dir)
	}
	assert.Equal(t, "AWS::ApiGateway::RestApi", paths[StackName+"/Api/Resource"])
	assert.Equal(t, "AWS::StepFunctions::StateMachine", paths[StackName+"/PlaceOrder/Resource"])
	assert.Equal(t, "AWS::StepFunctions::StateMachine", paths[StackName+"/OrderLifecycle/Resource"])
}

// TestFunctionDirs keeps the function list and functions/ in step.
func TestFunctionDirs(t *testing.T) {
	entries, err := os.ReadDir("../functions")
	require.NoError(t, err)
	var dirs, listed []string
	for _, e := range entries {
		dirs = append(dirs, e.Name())
	}
	for _, f := range functions {
		listed = append(listed, f.dir)
	}
	assert.ElementsMatch(t, dirs, listed)
}
