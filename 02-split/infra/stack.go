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
const StackName = "EmilysPastries02Split"

// The figures the stage's lesson turns on; the tests and the README refer to them.
const (
	// PaymentReservedConcurrency caps the payment function: the provider's 20 concurrent charges
	// plus a queue of 20.
	PaymentReservedConcurrency = 40
	// OrderTimeoutSeconds is the order function's timeout: what a customer waits, at most.
	OrderTimeoutSeconds = 3
)

// StackProps configures NewStack.
type StackProps struct {
	awscdk.StackProps
	// StageDir is the stage directory, the one holding functions/. The CDK CLI runs the app from
	// there ("."); the tests run from infra/ ("..").
	StageDir string
}

// NewStack defines the 2021 shop: the Order function behind the Api, the Inventory and Payment
// functions it invokes synchronously, and one table per domain: Orders and Stock.
func NewStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)

	// The card-payment provider is somebody else's service: its address is an input of the stack.
	providerURL := awscdk.NewCfnParameter(stack, jsii.String("PaymentProviderUrl"), &awscdk.CfnParameterProps{
		Type: jsii.String("String"),
		Description: jsii.String("Base URL of the card-payment provider. For a workshop account, deploy the provider " +
			"first (make deploy-provider) and pass its PaymentProviderUrl output; make deploy STAGE=02-split does both."),
		AllowedPattern:        jsii.String("https?://.+"),
		ConstraintDescription: jsii.String("must be an http(s) URL, such as https://abc123.lambda-url.eu-west-1.on.aws/"),
	})

	// One table per domain, each written by one function only. On-demand and DESTROY as in 2020.
	orders := newTable(stack, "Orders")
	stock := newTable(stack, "Stock")

	// The inventory function: a few DynamoDB calls per order. 128 MB is Lambda's smallest size and
	// enough for Go; 3 s, Lambda's default, is a hundred times the tens of milliseconds it takes.
	inventory := newFunction(stack, props.StageDir, "Inventory", functionProps{
		description: "Emily's Pastries 2021: reserves and releases the day's stock",
		memoryMB:    128,
		timeout:     3,
		env:         map[string]*string{"TABLE_NAME": stock.TableName()},
	})
	stock.GrantReadWriteData(inventory)

	// The payment function: one call to the provider, whose charges take 300 ms (p99 1.2 s by its
	// own figures). It keeps Lambda's default 3 s timeout and waits for the provider 2.5 s, about
	// twice that p99, so that it answers with what happened before Lambda would stop it.
	//
	// Reserved concurrency 40 is the team protecting the provider: its contract allows 20 charges
	// at once and queues the rest, so at most 40 payment functions at a time keep its queue at 20
	// (under 400 ms of waiting). The 41st concurrent invocation is throttled instead
	// (TooManyRequestsException), and the order function's SDK client retries it with backoff.
	payment := newFunction(stack, props.StageDir, "Payment", functionProps{
		description: "Emily's Pastries 2021: charges the customer's card with the payment provider",
		memoryMB:    128,
		timeout:     3,
		reserved:    PaymentReservedConcurrency,
		env: map[string]*string{
			"PAYMENT_PROVIDER_URL":     providerURL.ValueAsString(),
			"PAYMENT_PROVIDER_TIMEOUT": jsii.String("2500ms"),
		},
	})

	// The order function: the API. A normal order takes half a second, so the team gives it 3 s,
	// Lambda's default, for what a customer at the counter will wait; API Gateway would wait 29.
	// That budget has to cover both calls and the Lambda client's retries of a throttled payment
	// (3 attempts, backing off up to 1 s and then 2 s): at the rush it does not, and Lambda stops
	// the order function mid-order. 256 MB as the 2020 function had.
	order := newFunction(stack, props.StageDir, "Order", functionProps{
		description: "Emily's Pastries 2021: the API; reserves stock and charges the card through the other functions",
		memoryMB:    256,
		timeout:     OrderTimeoutSeconds,
		env: map[string]*string{
			"TABLE_NAME":              orders.TableName(),
			"INVENTORY_FUNCTION_NAME": inventory.FunctionName(),
			"PAYMENT_FUNCTION_NAME":   payment.FunctionName(),
		},
	})
	orders.GrantReadWriteData(order)
	inventory.GrantInvoke(order)
	payment.GrantInvoke(order)

	// A REST API with one method per route, each proxied to the order function. No CORS: the API is
	// called by curl, the load tool and the shop's own server, not by browsers on other origins.
	api := awsapigateway.NewRestApi(stack, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName:    jsii.String("emilys-pastries-02-split"),
		Description:    jsii.String("Emily's Pastries 2021: the order function behind every route"),
		EndpointTypes:  &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		CloudWatchRole: jsii.Bool(false), // an account-wide setting; a stage must not change it
		DeployOptions:  &awsapigateway.StageOptions{StageName: jsii.String("prod")},
	})
	// No test-invoke permissions: they double the permissions for a console button curl replaces.
	integration := awsapigateway.NewLambdaIntegration(order, &awsapigateway.LambdaIntegrationOptions{AllowTestInvoke: jsii.Bool(false)})
	menu := api.Root().AddResource(jsii.String("menu"), nil)
	menu.AddMethod(jsii.String("GET"), integration, nil)
	ordersResource := api.Root().AddResource(jsii.String("orders"), nil)
	ordersResource.AddMethod(jsii.String("POST"), integration, nil)
	orderResource := ordersResource.AddResource(jsii.String("{id}"), nil)
	orderResource.AddMethod(jsii.String("GET"), integration, nil)

	// RestApi adds its own output, named Endpoint plus a hash; ApiUrl replaces it with a name that
	// scripts can rely on.
	api.Node().TryRemoveChild(jsii.String("Endpoint"))
	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("Base URL of the API, ending in /prod/"),
		Value:       api.Url(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("OrdersTableName"), &awscdk.CfnOutputProps{
		Description: jsii.String("The order function's DynamoDB table of orders"),
		Value:       orders.TableName(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("StockTableName"), &awscdk.CfnOutputProps{
		Description: jsii.String("The inventory function's DynamoDB table of stock and reservations"),
		Value:       stock.TableName(),
	})
	return stack
}

// newTable is an on-demand table keyed by pk and sk. On-demand: there is still no capacity worth
// planning. DESTROY, so that `make destroy` leaves nothing behind in a workshop account; a real
// shop would RETAIN its orders.
func newTable(stack awscdk.Stack, id string) awsdynamodb.Table {
	return awsdynamodb.NewTable(stack, jsii.String(id), &awsdynamodb.TableProps{
		PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:       &awsdynamodb.Attribute{Name: jsii.String("sk"), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
}

type functionProps struct {
	description string
	memoryMB    float64
	timeout     float64 // seconds
	env         map[string]*string
	reserved    float64 // reserved concurrency; 0 for none
}

// newFunction is one Go function built from functions/<lower-case id>, arm64 on provided.al2023,
// with explicit memory and timeout and a log group with a retention (instead of one Lambda creates
// and keeps forever).
func newFunction(stack awscdk.Stack, stageDir, id string, p functionProps) awslambda.Function {
	logs := awslogs.NewLogGroup(stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_TWO_WEEKS,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	dir := filepath.Join(stageDir, "functions", strings.ToLower(id))
	return awslambda.NewFunction(stack, jsii.String(id), &awslambda.FunctionProps{
		Description:  jsii.String(p.description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code: awslambda.Code_FromAsset(jsii.String(dir), &awss3assets.AssetOptions{
			// Hash the built binary, not functions/<name>: the code it compiles lives in internal/.
			AssetHashType: awscdk.AssetHashType_OUTPUT,
			Bundling: &awscdk.BundlingOptions{
				// Never pulled: local bundling below always answers, or fails loudly.
				Image: awscdk.DockerImage_FromRegistry(jsii.String("local-go-build-only")),
				Local: &goBuild{dir: dir},
			},
		}),
		MemorySize:  jsii.Number(p.memoryMB),
		Timeout:     awscdk.Duration_Seconds(jsii.Number(p.timeout)),
		Environment: &p.env,
		LogGroup:    logs,
		// nil leaves the property out: the function draws on the account's unreserved pool.
		ReservedConcurrentExecutions: reserved(p.reserved),
	})
}

func reserved(n float64) *float64 {
	if n == 0 {
		return nil
	}
	return jsii.Number(n)
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
