package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// StackName is the CloudFormation stack of this stage.
const StackName = "EmilysPastries03Crisis"

// StackProps configures NewStack.
type StackProps struct {
	awscdk.StackProps
	// StageDir is the stage directory, the one holding functions/. The CDK CLI runs the app from
	// there ("."); the tests run from infra/ ("..").
	StageDir string
}

// NewStack defines the 2022 system: 42 functions calling each other synchronously, the table
// they all share, and the REST API in front of order-api.
func NewStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)

	// One table for everything, on-demand; every function that touches data may read and write
	// all of it. DESTROY so that `make destroy` leaves nothing behind in a workshop account.
	table := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:       &awsdynamodb.Attribute{Name: jsii.String("sk"), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})

	// The external card-payment provider, as in 2021: a parameter. The emulator passes
	// http://payment.internal; make deploy deploys the project's provider first and passes its URL.
	providerURL := awscdk.NewCfnParameter(stack, jsii.String("PaymentProviderUrl"), &awscdk.CfnParameterProps{
		Type: jsii.String("String"),
		Description: jsii.String("Base URL of the card-payment provider. For a workshop account, deploy the provider " +
			"first (make deploy-provider) and pass its PaymentProviderUrl output; make deploy STAGE=03-crisis does both."),
		AllowedPattern:        jsii.String("https?://.+"),
		ConstraintDescription: jsii.String("must be an http(s) URL, such as https://abc123.lambda-url.eu-west-1.on.aws/"),
	}).ValueAsString()

	// The functions, then their wiring: each caller gets its callees' names (Ref) in its
	// environment and the permission to invoke them. No dead-letter queue, no failure
	// destination, no alarm: a failed call is an error its caller passes up.
	fns := make(map[string]awslambda.Function, len(functions))
	for _, f := range functions {
		fns[f.dir] = newFunction(stack, props.StageDir, f)
	}
	for _, f := range functions {
		fn := fns[f.dir]
		for _, callee := range f.calls {
			target, ok := fns[callee]
			if !ok {
				panic(fmt.Sprintf("function %s calls %s, which is not defined", f.dir, callee))
			}
			fn.AddEnvironment(jsii.String(envName(callee)), target.FunctionName(), nil)
			target.GrantInvoke(fn)
		}
		if f.table {
			fn.AddEnvironment(jsii.String("TABLE_NAME"), table.TableName(), nil)
			table.GrantReadWriteData(fn)
		}
		if f.payment {
			fn.AddEnvironment(jsii.String("PAYMENT_PROVIDER_URL"), providerURL, nil)
		}
	}

	api := awsapigateway.NewRestApi(stack, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName:    jsii.String("emilys-pastries-03-crisis"),
		Description:    jsii.String("Emily's Pastries 2022: order-api behind every route"),
		EndpointTypes:  &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		CloudWatchRole: jsii.Bool(false), // an account-wide setting; a stage must not change it
		DeployOptions:  &awsapigateway.StageOptions{StageName: jsii.String("prod")},
	})
	entry := awsapigateway.NewLambdaIntegration(fns["order-api"], &awsapigateway.LambdaIntegrationOptions{AllowTestInvoke: jsii.Bool(false)})
	api.Root().AddResource(jsii.String("menu"), nil).AddMethod(jsii.String("GET"), entry, nil)
	orders := api.Root().AddResource(jsii.String("orders"), nil)
	orders.AddMethod(jsii.String("POST"), entry, nil)
	orders.AddResource(jsii.String("{id}"), nil).AddMethod(jsii.String("GET"), entry, nil)

	api.Node().TryRemoveChild(jsii.String("Endpoint"))
	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("Base URL of the API, ending in /prod/"),
		Value:       api.Url(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("TableName"), &awscdk.CfnOutputProps{
		Description: jsii.String("The DynamoDB table all 42 functions share"),
		Value:       table.TableName(),
	})
	return stack
}

// newFunction defines one function with its log group.
func newFunction(stack awscdk.Stack, stageDir string, f function) awslambda.Function {
	id := constructID(f.dir)
	logs := awslogs.NewLogGroup(stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_TWO_WEEKS,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	props := &awslambda.FunctionProps{
		Description:  jsii.String("Emily's Pastries 2022, " + f.dir + ": " + f.description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         goCode(filepath.Join(stageDir, "functions", f.dir)),
		LogGroup:     logs,
	}
	if f.memory != 0 {
		props.MemorySize = jsii.Number(f.memory)
	}
	if f.timeout != 0 {
		props.Timeout = awscdk.Duration_Seconds(jsii.Number(f.timeout))
	}
	if f.reserved != 0 {
		props.ReservedConcurrentExecutions = jsii.Number(f.reserved)
	}
	return awslambda.NewFunction(stack, jsii.String(id), props)
}

// goCode is a function's code: its main package cross-compiled for arm64 by goBuild.
func goCode(dir string) awslambda.Code {
	return awslambda.Code_FromAsset(jsii.String(dir), &awss3assets.AssetOptions{
		// Hash the built binary, not the directory: the code it compiles lives in internal/.
		AssetHashType: awscdk.AssetHashType_OUTPUT,
		Bundling: &awscdk.BundlingOptions{
			// Never pulled: local bundling below always answers, or fails loudly.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("local-go-build-only")),
			Local: &goBuild{dir: dir},
		},
	})
}

// constructID turns "order-api" into "OrderApi".
func constructID(dir string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(dir, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// envName is the environment variable that names a callee: "order-api" → "ORDER_API_FUNCTION".
func envName(dir string) string {
	return strings.ToUpper(strings.ReplaceAll(dir, "-", "_")) + "_FUNCTION"
}

// goBuild bundles a function by cross-compiling it for Lambda's arm64 provided.al2023 runtime on
// this machine: no Docker. The CDK skips it when bundling is switched off (tests, make synth).
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
