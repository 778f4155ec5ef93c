package cfn_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
)

const (
	tableID    = "OrdersTable6D1E2A4F"
	roleID     = "PlaceOrderServiceRole1B5C7A3E"
	policyID   = "PlaceOrderServiceRoleDefaultPolicy3F0C2D9B"
	functionID = "PlaceOrder8E4B2C1D"
	apiID      = "BakeryApi5A1F8C2E"
	ordersID   = "BakeryApiorders9B1C3E5D"
	methodID   = "BakeryApiordersPOST4D2B6E8A"
	deployID   = "BakeryApiDeployment7C3E9A1B0f4d2e8c6b5a3d1f9e7c5b3a1d2e4f6a"
	stageID    = "BakeryApiDeploymentStageprod2E4C6A8B"
	permID     = "BakeryApiordersPOSTApiPermissionBakeryStackBakeryApi5A1F8C2EPOSTorders6F1A3C5E"
	permTestID = "BakeryApiordersPOSTApiPermissionTestBakeryStackBakeryApi5A1F8C2EPOSTorders0B2D4F6A"
	metadataID = "CDKMetadata"

	tableName   = "BakeryStack-OrdersTable6D1E2A4F-1A2B3C4D5E6F"
	tableArn    = "arn:aws:dynamodb:us-east-1:123456789012:table/" + tableName
	roleArn     = "arn:aws:iam::123456789012:role/BakeryStack-PlaceOrderServiceRole1B5C7A3E-9Z8Y7X"
	functionArn = "arn:aws:lambda:us-east-1:123456789012:function:BakeryStack-PlaceOrder8E4B2C1D-Q1W2E3"
	restAPIID   = "a1b2c3d4e5"
)

// provisioner stands in for the emulator: it answers Ref and Fn::GetAtt only for resources it has
// already created, so resolving in the wrong order fails.
type provisioner struct {
	created map[string]bool
}

var (
	physicalIDs = map[string]string{
		tableID: tableName, roleID: "BakeryStack-PlaceOrderServiceRole1B5C7A3E-9Z8Y7X", policyID: "Bakery-Place-1ABC",
		functionID: "BakeryStack-PlaceOrder8E4B2C1D-Q1W2E3", apiID: restAPIID, ordersID: "res456", methodID: "mth789",
		deployID: "dep123", stageID: "prod", permID: "perm1", permTestID: "perm2", metadataID: "meta",
	}
	attributes = map[string]string{
		tableID + ".Arn": tableArn, roleID + ".Arn": roleArn, functionID + ".Arn": functionArn, apiID + ".RootResourceId": "root0",
	}
)

func (p *provisioner) ref(id string) (any, error) {
	if !p.created[id] {
		return nil, fmt.Errorf("resource %s is not created yet", id)
	}
	return physicalIDs[id], nil
}

func (p *provisioner) getAtt(id, attr string) (any, error) {
	if !p.created[id] {
		return nil, fmt.Errorf("resource %s is not created yet", id)
	}
	v, ok := attributes[id+"."+attr]
	if !ok {
		return nil, fmt.Errorf("resource %s has no attribute %s", id, attr)
	}
	return v, nil
}

// lambdaFunction is the shape a Lambda service package might decode into.
type lambdaFunction struct {
	Architectures []string `json:"Architectures"`
	Code          struct {
		S3Bucket string `json:"S3Bucket"`
		S3Key    string `json:"S3Key"`
	} `json:"Code"`
	Environment struct {
		Variables map[string]string `json:"Variables"`
	} `json:"Environment"`
	Handler                      string `json:"Handler"`
	MemorySize                   int    `json:"MemorySize"`
	ReservedConcurrentExecutions *int   `json:"ReservedConcurrentExecutions"`
	Role                         string `json:"Role"`
	Runtime                      string `json:"Runtime"`
	Timeout                      int    `json:"Timeout"`
}

func TestCDKTemplate(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/bakery.template.json")
	require.NoError(t, err)
	tmpl, err := cfn.Parse(data)
	require.NoError(t, err)

	assert.Equal(t, "BakeryStack/PlaceOrder/Resource", tmpl.Resources[functionID].CDKPath())
	assert.Equal(t, "Retain", tmpl.Resources[tableID].DeletionPolicy)
	assert.Equal(t, []string{policyID, roleID}, tmpl.Resources[functionID].DependsOn)

	order, err := tmpl.Order()
	require.NoError(t, err)
	assert.Equal(t, []string{
		apiID, ordersID, metadataID, tableID, roleID, policyID, functionID, methodID, deployID, stageID, permID, permTestID,
	}, logicalIDs(order))

	reserved := 100
	tests := []struct {
		name         string
		region       string
		params       map[string]any
		wantVars     map[string]string
		wantReserved *int
		wantMetadata bool
		wantOutputs  map[string]string
	}{
		{
			name:         "dev in us-east-1",
			region:       "us-east-1",
			wantVars:     map[string]string{"TABLE_NAME": tableName, "STAGE": "dev"},
			wantMetadata: true,
			wantOutputs: map[string]string{
				"BakeryApiEndpoint4F2A6C8E": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/",
				"OrdersTableName":           tableName,
			},
		},
		{
			name:         "prod in a region without CDK metadata",
			region:       "eu-south-2",
			params:       map[string]any{"Stage": "prod"},
			wantVars:     map[string]string{"TABLE_NAME": tableName, "STAGE": "prod", "POWERTOOLS_METRICS_NAMESPACE": "Bakery"},
			wantReserved: &reserved,
			wantOutputs: map[string]string{
				"BakeryApiEndpoint4F2A6C8E": "https://a1b2c3d4e5.execute-api.eu-south-2.amazonaws.com/prod/",
				"OrdersTableName":           tableName,
				"MetricsNamespace":          "Bakery",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &provisioner{created: map[string]bool{}}
			r, err := cfn.NewResolver(tmpl, cfn.Resolver{
				StackName: "BakeryStack", Region: tt.region, AccountID: "123456789012",
				Parameters: tt.params, Ref: p.ref, GetAtt: p.getAtt,
			})
			require.NoError(t, err)

			props := map[string]map[string]any{}
			for _, res := range order {
				include, err := r.Include(res)
				require.NoError(t, err)
				if !include {
					continue
				}
				props[res.LogicalID], err = r.Properties(res)
				require.NoError(t, err, res.LogicalID)
				p.created[res.LogicalID] = true
			}

			_, hasMetadata := props[metadataID]
			assert.Equal(t, tt.wantMetadata, hasMetadata)

			assert.Equal(t, []any{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
				props[roleID]["ManagedPolicyArns"])
			assert.Equal(t, []any{tableArn}, props[policyID]["PolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)["Resource"],
				"AWS::NoValue is dropped from the list")
			assert.Equal(t, []any{map[string]any{"Ref": roleID}}, tmpl.Resources[policyID].Properties["Roles"], "the template is unchanged")
			assert.Equal(t, []any{physicalIDs[roleID]}, props[policyID]["Roles"])

			var fn lambdaFunction
			require.NoError(t, cfn.Decode(tmpl.Resources[functionID], props[functionID], &fn))
			assert.Equal(t, "cdk-hnb659fds-assets-123456789012-"+tt.region, fn.Code.S3Bucket)
			assert.Equal(t, roleArn, fn.Role)
			assert.Equal(t, 256, fn.MemorySize)
			assert.Equal(t, 10, fn.Timeout)
			assert.Equal(t, []string{"arm64"}, fn.Architectures)
			assert.Equal(t, tt.wantVars, fn.Environment.Variables)
			assert.Equal(t, tt.wantReserved, fn.ReservedConcurrentExecutions)

			assert.Equal(t, "root0", props[ordersID]["ParentId"])
			integration := props[methodID]["Integration"].(map[string]any)
			assert.Equal(t, "arn:aws:apigateway:"+tt.region+":lambda:path/2015-03-31/functions/"+functionArn+"/invocations", integration["Uri"])
			assert.Equal(t, "AWS_PROXY", integration["Type"])
			assert.Equal(t, map[string]any{"DeploymentId": "dep123", "RestApiId": restAPIID, "StageName": "prod"}, props[stageID])
			assert.Equal(t, map[string]any{
				"Action":       "lambda:InvokeFunction",
				"FunctionName": functionArn,
				"Principal":    "apigateway.amazonaws.com",
				"SourceArn":    "arn:aws:execute-api:" + tt.region + ":123456789012:a1b2c3d4e5/prod/POST/orders",
			}, props[permID])
			assert.Equal(t, "arn:aws:execute-api:"+tt.region+":123456789012:a1b2c3d4e5/test-invoke-stage/POST/orders", props[permTestID]["SourceArn"])

			outputs, err := r.Outputs()
			require.NoError(t, err)
			assert.Equal(t, tt.wantOutputs, outputs)

			export, err := r.Resolve("Outputs.OrdersTableName.Export.Name", tmpl.Outputs["OrdersTableName"].Export.Name)
			require.NoError(t, err)
			assert.Equal(t, "BakeryStack-OrdersTableName", export)
		})
	}
}

func TestCDKTemplateOutOfOrderFails(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/bakery.template.json")
	require.NoError(t, err)
	tmpl, err := cfn.Parse(data)
	require.NoError(t, err)
	p := &provisioner{created: map[string]bool{}}
	r, err := cfn.NewResolver(tmpl, cfn.Resolver{StackName: "BakeryStack", Region: "us-east-1", AccountID: "123456789012", Ref: p.ref, GetAtt: p.getAtt})
	require.NoError(t, err)

	_, err = r.Properties(tmpl.Resources[methodID])
	assert.EqualError(t, err, "BakeryApiordersPOST4D2B6E8A.Properties.Integration.Uri.Fn::Join[1][5]: "+
		"Fn::GetAtt PlaceOrder8E4B2C1D.Arn: resource PlaceOrder8E4B2C1D is not created yet")
}
