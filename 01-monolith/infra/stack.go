package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

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
const StackName = "EmilysPastries01Monolith"

// StackProps configures NewStack.
type StackProps struct {
	awscdk.StackProps
	// StageDir is the stage directory, the one holding functions/. The CDK CLI runs the app from
	// there ("."); the tests run from infra/ ("..").
	StageDir string
}

// NewStack defines the whole 2020 shop: the Bakery function, its Table and the Api in front.
func NewStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)

	// One table for orders and stock. On-demand: 40 orders a month cost next to nothing, and there
	// is no capacity to plan. DESTROY, so that `make destroy` leaves nothing behind in a workshop
	// account; a real shop would RETAIN its orders.
	table := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:       &awsdynamodb.Attribute{Name: jsii.String("sk"), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})

	// An explicit log group with a retention, instead of one Lambda creates and keeps forever.
	logs := awslogs.NewLogGroup(stack, jsii.String("BakeryLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_TWO_WEEKS,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})

	// The one function. 256 MB is plenty for a Go handler that waits on DynamoDB; 10 s is far above
	// the few tens of milliseconds it takes, and below API Gateway's 29 s, so a stuck call fails
	// with a Lambda timeout the logs explain rather than a gateway timeout.
	dir := filepath.Join(props.StageDir, "functions", "bakery")
	fn := awslambda.NewFunction(stack, jsii.String("Bakery"), &awslambda.FunctionProps{
		Description:  jsii.String("Emily's Pastries 2020: menu, orders, stock and payments in one function"),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code: awslambda.Code_FromAsset(jsii.String(dir), &awss3assets.AssetOptions{
			// Hash the built binary, not functions/bakery: the code it compiles lives in internal/.
			AssetHashType: awscdk.AssetHashType_OUTPUT,
			Bundling: &awscdk.BundlingOptions{
				// Never pulled: local bundling below always answers, or fails loudly.
				Image: awscdk.DockerImage_FromRegistry(jsii.String("local-go-build-only")),
				Local: &goBuild{dir: dir},
			},
		}),
		MemorySize:  jsii.Number(256),
		Timeout:     awscdk.Duration_Seconds(jsii.Number(10)),
		Environment: &map[string]*string{"TABLE_NAME": table.TableName()},
		LogGroup:    logs,
	})
	table.GrantReadWriteData(fn)

	// A REST API with one method per route, each proxied to the same function. No CORS: the API is
	// called by curl, the load tool and the shop's own server, not by browsers on other origins.
	api := awsapigateway.NewRestApi(stack, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName:    jsii.String("emilys-pastries-01-monolith"),
		Description:    jsii.String("Emily's Pastries 2020: one function behind every route"),
		EndpointTypes:  &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		CloudWatchRole: jsii.Bool(false), // an account-wide setting; a stage must not change it
		DeployOptions:  &awsapigateway.StageOptions{StageName: jsii.String("prod")},
	})
	// No test-invoke permissions: they double the permissions for a console button curl replaces.
	bakery := awsapigateway.NewLambdaIntegration(fn, &awsapigateway.LambdaIntegrationOptions{AllowTestInvoke: jsii.Bool(false)})
	menu := api.Root().AddResource(jsii.String("menu"), nil)
	menu.AddMethod(jsii.String("GET"), bakery, nil)
	orders := api.Root().AddResource(jsii.String("orders"), nil)
	orders.AddMethod(jsii.String("POST"), bakery, nil)
	order := orders.AddResource(jsii.String("{id}"), nil)
	order.AddMethod(jsii.String("GET"), bakery, nil)
	payment := order.AddResource(jsii.String("payment"), nil)
	payment.AddMethod(jsii.String("POST"), bakery, nil)

	// RestApi adds its own output, named Endpoint plus a hash; ApiUrl replaces it with a name that
	// scripts can rely on.
	api.Node().TryRemoveChild(jsii.String("Endpoint"))
	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("Base URL of the API, ending in /prod/"),
		Value:       api.Url(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("TableName"), &awscdk.CfnOutputProps{
		Description: jsii.String("The DynamoDB table of orders and stock"),
		Value:       table.TableName(),
	})
	return stack
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
