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

// stacks is the app's two stacks, one per region, keyed by region: their golden templates are
// golden/<region>.json.
var stacks = &cdktest.Harness{
	Stage: "05-global",
	NewStacks: func(app awscdk.App) map[string]awscdk.Stack {
		out := map[string]awscdk.Stack{}
		for i, stack := range NewStacks(app, "..") {
			out[Regions[i]] = stack
		}
		return out
	},
	// cdk-nag's AwsSolutions pack, as infra/main.go adds it: TestNag fails on its findings.
	Aspects: func() []awscdk.IAspect { return []awscdk.IAspect{cdknag.NewAwsSolutionsChecks(nil)} },
}

func TestMain(m *testing.M) { stacks.Main(m) }

// TestGoldenTemplate compares each region's template, in a subtest named by the region.
func TestGoldenTemplate(t *testing.T) { stacks.Golden(t) }

type obj = map[string]any
type arr = []any

func TestStack(t *testing.T) {
	out := stacks.Synth(t)
	for _, region := range Regions {
		t.Run(region, func(t *testing.T) { testStack(t, region, assertions.Template_FromStack(out.Stacks[region], nil)) })
	}
}

// functionCount is a region's number of functions: the catalog-seeder runs in the primary only
// (the catalog reaches the other region as a replica).
func functionCount(region string) int {
	if region == PrimaryRegion {
		return 10
	}
	return 9
}

func testStack(t *testing.T, region string, tmpl assertions.Template) {
	n := jsii.Number(float64(functionCount(region)))
	tests := []struct {
		name  string
		check func()
	}{
		{"ten functions in the primary, nine in the other region", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), n)
		}},
		{"every function arm64 on provided.al2023", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Lambda::Function"), obj{"Runtime": "provided.al2023", "Architectures": arr{"arm64"}}, n)
		}},
		{"the payment mapping: batches of 5 charged in parallel, partial failures, concurrency × parallel charges = the region's share", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), obj{
				"BatchSize": PaymentBatch, "FunctionResponseTypes": arr{"ReportBatchItemFailures"},
				"ScalingConfig": obj{"MaximumConcurrency": PaymentConcurrency},
			})
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{"Environment": obj{"Variables": assertions.Match_ObjectLike(&map[string]any{"MAX_PARALLEL_CHARGES": "5"})}})
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
			}, jsii.Number(float64(functionCount(region)-5)))
		}},
		{"direct integrations only: no Lambda proxy in the API", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(4))
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"Integration": obj{"Type": "AWS"}}, jsii.Number(4))
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), obj{"HttpMethod": "POST", "RequestValidatorId": assertions.Match_AnyValue(),
				"Integration": obj{"Uri": obj{"Fn::Join": arr{"", assertions.Match_ArrayWith(&[]any{assertions.Match_StringLikeRegexp(jsii.String("sync.states:action/StartSyncExecution"))})}}}})
		}},
		{"the outputs", func() {
			for _, o := range []string{"ApiUrl", "EventsHttpUrl", "EventsRealtimeUrl", "EventsApiKey", "PaymentQueueUrl", "PaymentDlqUrl", "BusName", "Region"} {
				tmpl.HasOutput(jsii.String(o), obj{"Value": assertions.Match_AnyValue()})
			}
		}},
		{"the regional endpoint of the payment provider is a parameter of each stack", func() {
			tmpl.HasParameter(jsii.String("PaymentProviderUrl"), obj{"Type": "String"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { cdktest.Must(t, tt.check) })
	}
	// The workflows carry the region as a literal (the stack's env names it): the order's only
	// writer, and the lifecycle's condition on it.
	text := string(stacks.Synth(t).Templates[region])
	assert.Contains(t, text, `\"region\":{\"S\":\"`+region+`\"}`, "ClaimOrder stamps the accepting region")
	assert.Contains(t, text, `\"ConditionExpression\":\"#r = :here\"`, "the lifecycle writes only its region's orders")
}

// TestGlobalTables: the primary stack owns orders, catalog, stock and sales as global tables with
// a replica in the other region (AWS::DynamoDB::GlobalTable, which TableV2 synthesizes:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-globaltable.html);
// the other stack refers to its replicas by name, with no cross-region reference (no
// Fn::ImportValue, no custom resource) and the catalog seeded only once.
func TestGlobalTables(t *testing.T) {
	out := stacks.Synth(t)
	primary := assertions.Template_FromStack(out.Stacks[PrimaryRegion], nil)
	secondary := assertions.Template_FromStack(out.Stacks[SecondaryRegion], nil)
	replica := func(region string) any {
		return assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Region": region})})
	}
	tests := []struct {
		name  string
		check func()
	}{
		{"four global tables in the primary, each replicated to both regions", func() {
			primary.ResourceCountIs(jsii.String("AWS::DynamoDB::GlobalTable"), jsii.Number(4))
			for _, name := range []string{OrdersTableName, CatalogTableName, StockTableName, SalesTableName} {
				for _, region := range Regions {
					primary.HasResourceProperties(jsii.String("AWS::DynamoDB::GlobalTable"), obj{"TableName": name, "Replicas": replica(region), "BillingMode": "PAY_PER_REQUEST"})
				}
			}
		}},
		{"the other region defines no global table, only its regional ones", func() {
			secondary.ResourceCountIs(jsii.String("AWS::DynamoDB::GlobalTable"), jsii.Number(0))
			secondary.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(2))
		}},
		{"the catalog is seeded once, in the primary", func() {
			primary.HasResourceProperties(jsii.String("Custom::CatalogSeed"), obj{
				"ServiceToken": obj{"Fn::GetAtt": arr{assertions.Match_StringLikeRegexp(jsii.String("^CatalogSeeder")), "Arn"}},
			})
			secondary.ResourceCountIs(jsii.String("Custom::CatalogSeed"), jsii.Number(0))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { cdktest.Must(t, tt.check) })
	}
	for _, region := range Regions {
		text := string(out.Templates[region])
		assert.NotContains(t, text, "Fn::ImportValue", "%s: no cross-stack reference", region)
		assert.NotContains(t, text, "Custom::CrossRegion", "%s: no cross-region custom resource", region)
	}
	// The other region's grants name its own replicas.
	assert.Contains(t, string(out.Templates[SecondaryRegion]), ":dynamodb:"+SecondaryRegion+":")
	assert.Contains(t, string(out.Templates[SecondaryRegion]), "table/"+OrdersTableName)
}

// TestPaymentSizing: in flight per region = MaximumConcurrency × parallel charges = the region's
// share, and the shares add up to the provider's capacity.
func TestPaymentSizing(t *testing.T) {
	t.Parallel()
	assert.Equal(t, ProviderShare, PaymentConcurrency*PaymentParallel)
	assert.Equal(t, ProviderCapacity, ProviderShare*len(Regions))
	assert.GreaterOrEqual(t, PaymentConcurrency, 2, "MaximumConcurrency is at least 2")
	assert.LessOrEqual(t, PaymentParallel, PaymentBatch)
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// TestQueues checks the talk's rules on every queue: a work queue's visibility timeout is at
// least six times its consumer's timeout, and it has a DLQ after 3 to 5 receives; the other
// queues are dead-letter queues themselves.
func TestQueues(t *testing.T) {
	out := stacks.Synth(t)
	for _, region := range Regions {
		t.Run(region, func(t *testing.T) { testQueues(t, cdktest.Parse(t, out.Templates[region])) })
	}
}

func testQueues(t *testing.T, tmpl cdktest.Template) {
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

// TestNag runs cdk-nag's AwsSolutions pack on both stacks: every finding is fixed or suppressed
// with a reason.
func TestNag(t *testing.T) { stacks.NoErrors(t, "AwsSolutions-.*") }

// TestConstructPaths pins the identities the emulator maps to handlers.
func TestConstructPaths(t *testing.T) {
	for _, region := range Regions {
		paths := cdktest.Parse(t, stacks.Synth(t).Templates[region]).Paths()
		name := StackName(region)
		for _, f := range functions {
			if f.dir == "catalog-seeder" && region != PrimaryRegion {
				assert.Empty(t, paths[name+"/"+constructID(f.dir)+"/Resource"], f.dir)
				continue
			}
			assert.Equal(t, "AWS::Lambda::Function", paths[name+"/"+constructID(f.dir)+"/Resource"], f.dir)
		}
		assert.Equal(t, "AWS::ApiGateway::RestApi", paths[name+"/Api/Resource"])
		assert.Equal(t, "AWS::StepFunctions::StateMachine", paths[name+"/PlaceOrder/Resource"])
		assert.Equal(t, "AWS::StepFunctions::StateMachine", paths[name+"/OrderLifecycle/Resource"])
	}
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
