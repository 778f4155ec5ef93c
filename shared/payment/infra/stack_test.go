package main

import (
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// The CDK's Go bindings run the CDK in a node process (~500 MB, a few seconds): one synth for the
// whole package, skipped with -short.

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

type obj = map[string]any
type arr = []any

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

func TestStack(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the CDK synth (needs node, takes seconds)")
	}
	ctx := map[string]any{"aws:cdk:bundling-stacks": []any{}} // no Go cross-compile in tests
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()), Context: &ctx})
	tmpl := assertions.Template_FromStack(NewStack(app, StackName, &StackProps{ProviderDir: ".."}), nil)
	var function string
	must(t, func() { function = *tmpl.GetResourceId(jsii.String("AWS::Lambda::Function"), obj{}) })

	tests := []struct {
		name  string
		check func()
	}{
		{"one arm64 function on provided.al2023", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(1))
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{
				"Architectures": arr{"arm64"}, "Runtime": "provided.al2023", "Handler": "bootstrap",
			})
		}},
		{"its reserved concurrency is the provider's capacity", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{"ReservedConcurrentExecutions": payment.DefaultCapacity})
		}},
		{"load-test cards are approved, as offline", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{
				"Environment": obj{"Variables": assertions.Match_ObjectEquals(&obj{"PAYMENT_DECLINE_RATE": "0"})},
			})
		}},
		{"a public function URL", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Url"), obj{
				"AuthType": "NONE", "TargetFunctionArn": obj{"Fn::GetAtt": arr{function, "Arn"}},
			})
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), obj{
				"Action": "lambda:InvokeFunctionUrl", "Principal": "*", "FunctionUrlAuthType": "NONE",
			})
		}},
		{"the output is the URL the stages take", func() {
			tmpl.HasOutput(jsii.String("PaymentProviderUrl"), obj{
				"Value": obj{"Fn::GetAtt": arr{assertions.Match_AnyValue(), "FunctionUrl"}},
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { must(t, tt.check) })
	}
}
