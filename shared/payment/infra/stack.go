package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
	paymentlambda "github.com/emilys-pastries/serverless-evolution/shared/payment/lambda"
)

// StackName is the CloudFormation stack of the provider.
const StackName = "EmilysPastriesPaymentProvider"

// StackProps configures NewStack.
type StackProps struct {
	awscdk.StackProps
	// ProviderDir is shared/payment, the directory holding lambda/. The CDK CLI runs the app from
	// there ("."); the tests run from infra/ ("..").
	ProviderDir string
}

// NewStack defines the provider: one function whose reserved concurrency is the provider's
// capacity, behind a public function URL, and the URL as the output the stages' stacks take.
func NewStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)

	logs := awslogs.NewLogGroup(stack, jsii.String("ProviderLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_TWO_WEEKS,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	dir := filepath.Join(props.ProviderDir, "lambda", "cmd", "bootstrap")
	fn := awslambda.NewFunction(stack, jsii.String("Provider"), &awslambda.FunctionProps{
		Description:  jsii.String("Emily's Pastries: the external card-payment provider, for AWS runs (not part of the shop)"),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code: awslambda.Code_FromAsset(jsii.String(dir), &awss3assets.AssetOptions{
			// Hash the built binary: the code it compiles lives in the packages above it.
			AssetHashType: awscdk.AssetHashType_OUTPUT,
			Bundling: &awscdk.BundlingOptions{
				// Never pulled: local bundling below always answers, or fails loudly.
				Image: awscdk.DockerImage_FromRegistry(jsii.String("local-go-build-only")),
				Local: &goBuild{dir: dir},
			},
		}),
		// A charge waits its service time (300 ms median) and does little else.
		MemorySize: jsii.Number(128),
		Timeout:    awscdk.Duration_Seconds(jsii.Number(10)),
		// Lambda gives an execution environment one request at a time, so the reserved
		// concurrency is the provider's capacity: the charge after the last one is refused with
		// 429, which the payment client reports as busy.
		ReservedConcurrentExecutions: jsii.Number(payment.DefaultCapacity),
		// As offline, load-test cards are approved (only payment.DeclinedTestEmail is declined).
		Environment: &map[string]*string{paymentlambda.EnvDeclineRate: jsii.String("0")},
		LogGroup:    logs,
	})
	// Public, like a third party's API: the stages' payment functions call it without signing.
	url := fn.AddFunctionUrl(&awslambda.FunctionUrlOptions{AuthType: awslambda.FunctionUrlAuthType_NONE})

	awscdk.NewCfnOutput(stack, jsii.String("PaymentProviderUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("Base URL of the payment provider: the PaymentProviderUrl parameter of the stages from 02-split on"),
		Value:       url.Url(),
	})
	return stack
}

// goBuild bundles the provider by cross-compiling it for Lambda's arm64 provided.al2023 runtime
// on this machine: no Docker. The CDK skips it when bundling is switched off (tests, synth).
type goBuild struct {
	dir string
}

// TryBundle builds dir into outputDir/bootstrap.
func (b *goBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w",
		"-o", filepath.Join(*outputDir, "bootstrap"), ".")
	cmd.Dir = b.dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "bundling %s: go build failed (%v); fix the build, Docker is never used\n", b.dir, err)
		return jsii.Bool(false)
	}
	return jsii.Bool(true)
}
