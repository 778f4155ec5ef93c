package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/infra/golden"
)

// All CDK tests of the stage live in this one package: each CDK test binary starts its own node
// process (~500 MB, a few seconds).

var update = flag.Bool("update", false, "rewrite golden/template.json from a fresh synth")

const goldenPath = "golden/template.json"

// synthContext is what `cdk synth` would pass (see ../cdk.json), with bundling switched off so no
// Go cross-compile runs; `make synth` passes the same through CDK_CONTEXT_JSON.
var synthContext = map[string]any{
	"aws:cdk:enable-path-metadata":  true,
	"aws:cdk:enable-asset-metadata": true,
	"aws:cdk:version-reporting":     false,
	"aws:cdk:bundling-stacks":       []any{},
}

type synthesized struct {
	stack    awscdk.Stack
	template []byte // as written to the cloud assembly
	err      error
}

var (
	synthOnce sync.Once
	synthDir  string
	synthOut  synthesized
)

func TestMain(m *testing.M) {
	// JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION must come from outside (the Makefile sets it):
	// the jsii runtime fixes its node process's environment while packages initialise.
	flag.Parse()
	code := m.Run()
	if synthDir != "" {
		jsii.Close()
		_ = os.RemoveAll(synthDir)
	}
	os.Exit(code)
}

// synth synthesizes the stack once per test binary.
func synth(t *testing.T) synthesized {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the CDK synth (needs node, takes seconds)")
	}
	synthOnce.Do(func() {
		synthDir, synthOut.err = os.MkdirTemp("", "cdk-04-refactor-")
		if synthOut.err != nil {
			return
		}
		ctx := synthContext
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(synthDir), Context: &ctx})
		synthOut.stack = NewStack(app, StackName, &StackProps{StageDir: ".."})
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
		app.Synth(nil)
		synthOut.template, synthOut.err = os.ReadFile(filepath.Join(synthDir, StackName+".template.json"))
	})
	require.NoError(t, synthOut.err)
	return synthOut
}

var assetHash = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

// normalise removes from a template what legitimately differs between edits and checkouts: asset
// hashes (they follow the code) and the absolute paths of the stage and of the repository in asset
// metadata.
func normalise(t *testing.T, template []byte) []byte {
	t.Helper()
	out := template
	// The stage first (its paths become relative to it), then the repository around it.
	for _, p := range []struct{ dir, to string }{{"..", `"`}, {"../..", `"../`}} {
		abs, err := filepath.Abs(p.dir)
		require.NoError(t, err)
		quoted, err := json.Marshal(abs + string(filepath.Separator))
		require.NoError(t, err)
		out = bytes.ReplaceAll(out, bytes.TrimSuffix(quoted, []byte(`"`)), []byte(p.to))
	}
	return assetHash.ReplaceAll(out, []byte("ASSET_HASH"))
}

func TestGoldenTemplate(t *testing.T) {
	got := normalise(t, synth(t).template)
	if *update {
		require.NoError(t, os.WriteFile(goldenPath, got, 0o644))
		t.Logf("wrote %s", goldenPath)
		return
	}
	assert.Equal(t, string(normalise(t, golden.Template)), string(got),
		"the stack changed: review the diff, then run `make golden STAGE=04-refactor`")
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	assert.NotContains(t, string(golden.Template), root, "no machine paths in the golden file")
	assert.True(t, json.Valid(golden.Template))
}

// must runs a CDK assertion, which panics when it fails.
func must(t *testing.T, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	assertion()
}

type obj = map[string]any
type arr = []any

func TestStack(t *testing.T) {
	tmpl := assertions.Template_FromStack(synth(t).stack, nil)
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
		t.Run(tt.name, func(t *testing.T) { must(t, tt.check) })
	}
}

// cfnTemplate is the part of a template the checks below read.
type cfnTemplate struct {
	Resources map[string]struct {
		Type       string
		Properties map[string]any
		Metadata   map[string]any
	}
}

func parse(t *testing.T, b []byte) cfnTemplate {
	t.Helper()
	var tmpl cfnTemplate
	require.NoError(t, json.Unmarshal(b, &tmpl))
	return tmpl
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// TestQueues checks the talk's rules on every queue: a work queue's visibility timeout is at
// least six times its consumer's timeout, and it has a DLQ after 3 to 5 receives; the other
// queues are dead-letter queues themselves.
func TestQueues(t *testing.T) {
	tmpl := parse(t, synth(t).template)
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
func TestNag(t *testing.T) {
	stack := synth(t).stack
	must(t, func() {
		errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
		for _, e := range *errs {
			t.Errorf("%s: %v", *e.Id, e.Entry.Data) //nolint:staticcheck // SynthesisMessage.Id is the rule's path; its replacement is not in the served aws-cdk-go

		}
	})
}

// TestConstructPaths pins the identities the emulator maps to handlers.
func TestConstructPaths(t *testing.T) {
	tmpl := parse(t, synth(t).template)
	paths := map[string]string{}
	for _, r := range tmpl.Resources {
		if p, ok := r.Metadata["aws:cdk:path"].(string); ok {
			paths[p] = r.Type
		}
	}
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
