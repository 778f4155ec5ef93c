package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/cdktest"
)

// All CDK tests of the stage live in this one package: each CDK test binary starts its own node
// process (~500 MB, a few seconds).

var stack = &cdktest.Harness{
	Stage:     "01-monolith",
	StackName: StackName,
	New: func(app awscdk.App) awscdk.Stack {
		return NewStack(app, StackName, &StackProps{StageDir: ".."})
	},
}

func TestMain(m *testing.M) { stack.Main(m) }

func TestGoldenTemplate(t *testing.T) { stack.Golden(t) }

type obj = map[string]any
type arr = []any

func TestStack(t *testing.T) {
	tmpl := assertions.Template_FromStack(stack.Synth(t).Stack, nil)
	var table, function string
	cdktest.Must(t, func() { table = *tmpl.GetResourceId(jsii.String("AWS::DynamoDB::Table"), obj{}) })
	cdktest.Must(t, func() { function = *tmpl.GetResourceId(jsii.String("AWS::Lambda::Function"), obj{}) })
	require.NotEmpty(t, table)
	require.NotEmpty(t, function)
	ref := func(id string) obj { return obj{"Ref": id} }
	arn := func(id string) obj { return obj{"Fn::GetAtt": arr{id, "Arn"}} }

	tests := []struct {
		name  string
		check func()
	}{
		{"one function", func() { tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(1)) }},
		{"one table", func() { tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1)) }},
		{"the table is on-demand, keyed by pk and sk", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), obj{
				"BillingMode":           "PAY_PER_REQUEST",
				"ProvisionedThroughput": assertions.Match_Absent(),
				"KeySchema":             arr{obj{"AttributeName": "pk", "KeyType": "HASH"}, obj{"AttributeName": "sk", "KeyType": "RANGE"}},
			})
		}},
		{"the function is arm64 on provided.al2023", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{
				"Architectures": arr{"arm64"}, "Runtime": "provided.al2023", "Handler": "bootstrap",
			})
		}},
		{"the function has explicit memory and timeout", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{"MemorySize": 256, "Timeout": 10})
		}},
		{"the function's environment is the table name and nothing else", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{
				"Environment": obj{"Variables": assertions.Match_ObjectEquals(&obj{"TABLE_NAME": ref(table)})},
			})
		}},
		{"the function may read and write the table", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": obj{"Statement": assertions.Match_ArrayWith(&arr{
				obj{"Effect": "Allow", "Resource": arr{arn(table)},
					"Action": assertions.Match_ArrayWith(&arr{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"})},
			})}})
		}},
		{"one regional REST API", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::RestApi"), jsii.Number(1))
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), obj{"EndpointConfiguration": obj{"Types": arr{"REGIONAL"}}})
		}},
		{"its stage is prod", func() {
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), obj{"StageName": "prod"})
		}},
		{"no account-wide CloudWatch role", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Account"), jsii.Number(0))
		}},
		{"four methods and no CORS preflight", func() {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(4))
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"HttpMethod": "OPTIONS"}, jsii.Number(0))
		}},
		{"every method is a Lambda proxy to the function", func() {
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), obj{"Integration": obj{
				"Type": "AWS_PROXY",
				"Uri":  obj{"Fn::Join": arr{"", assertions.Match_ArrayWith(&arr{arn(function)})}},
			}}, jsii.Number(4))
			tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(4))
		}},
		{"outputs are the API URL and the table name", func() {
			tmpl.HasOutput(jsii.String("ApiUrl"), obj{"Value": assertions.Match_AnyValue()})
			tmpl.HasOutput(jsii.String("TableName"), obj{"Value": ref(table)})
			assert.Len(t, *tmpl.FindOutputs(jsii.String("*"), obj{}), 2)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { cdktest.Must(t, tt.check) })
	}
}

func TestRoutes(t *testing.T) {
	assert.Equal(t, []string{"GET /menu", "GET /orders/{id}", "POST /orders", "POST /orders/{id}/payment"},
		cdktest.Parse(t, stack.Synth(t).Template).Routes())
}

// TestConstructPaths pins the identities the emulator maps to handlers.
func TestConstructPaths(t *testing.T) {
	paths := cdktest.Parse(t, stack.Synth(t).Template).Paths()
	for path, typ := range map[string]string{
		"EmilysPastries01Monolith/Bakery/Resource": "AWS::Lambda::Function",
		"EmilysPastries01Monolith/Table/Resource":  "AWS::DynamoDB::Table",
		"EmilysPastries01Monolith/Api/Resource":    "AWS::ApiGateway::RestApi",
	} {
		assert.Equal(t, typ, paths[path], path)
	}
	for p := range paths {
		assert.True(t, strings.HasPrefix(p, StackName+"/"), p)
	}
}
