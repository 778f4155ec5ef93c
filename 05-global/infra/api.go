package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
)

const jsonType = "application/json"

// VTL templates. API Gateway has no JSON encoder for objects in VTL, so the workflow answers its
// body as JSON text and the template prints it.
const (
	placeOrderRequest = `#set($key = $input.params().header.get('Idempotency-Key'))
#if("$!key" == "")#set($key = $context.requestId)#end
{
  "stateMachineArn": "${StateMachineArn}",
  "input": "{\"body\": $util.escapeJavaScript($input.json('$')).replaceAll("\\'", "'"), \"idempotencyKey\": \"$util.escapeJavaScript($key)\", \"requestId\": \"$context.requestId\", \"requestTimeEpoch\": $context.requestTimeEpoch}"
}`
	placeOrderResponse = `#set($r = $input.path('$'))
#if($r.status == "SUCCEEDED")
#set($out = $util.parseJson($r.output))
#set($context.responseOverride.status = $out.statusCode)
$out.body
#else
#set($context.responseOverride.status = 503)
{"error": "the order could not be placed ($util.escapeJavaScript($r.error)); try again with the same Idempotency-Key"}
#end`
	getOrderRequest = `{"TableName": "${Table}", "Key": {"orderId": {"S": "$util.escapeJavaScript($input.params('id'))"}}, "ConsistentRead": true}`
	// A missing order is a 200 from DynamoDB with no Item: the template turns it into a 404.
	getOrderResponse = `#set($it = $input.path('$.Item'))
#if("$!it" == "")
#set($context.responseOverride.status = 404)
{"error": "order $util.escapeJavaScript($input.params('id')) not found"}
#else
{"order_id": "$it.orderId.S", "status": "$it.status.S",#if("$!it.failure_reason.S" != "") "failure_reason": "$util.escapeJavaScript($it.failure_reason.S)",#end
 "store_id": "$!it.store_id.S", "customer": #if("$!it.customer_json.S" != "")$it.customer_json.S#{else}null#end,
 "items": #if("$!it.items_json.S" != "")$it.items_json.S#{else}[]#end, "currency": "$!it.currency.S",
 "subtotal": #if("$!it.subtotal.N" != "")$it.subtotal.N#{else}0#end, "tax": #if("$!it.tax.N" != "")$it.tax.N#{else}0#end,
 "total": #if("$!it.total.N" != "")$it.total.N#{else}0#end, "pickup_at": "$!it.pickup_at.S", "created_at": "$!it.created_at.S"#if("$!it.paid_at.S" != ""), "paid_at": "$it.paid_at.S"#end#if("$!it.payment_ref.S" != ""), "payment_ref": "$it.payment_ref.S"#end,
 "channel": "/orders/$it.orderId.S"}
#end`
	menuRequest   = `{"TableName": "${Table}", "KeyConditionExpression": "pk = :menu", "ExpressionAttributeValues": {":menu": {"S": "MENU"}}}`
	menuResponse  = `{"items": [#foreach($it in $input.path('$.Items')){"item_id": "$it.sk.S", "name": "$it.name.S", "category": "$it.category.S", "prices": {#foreach($c in $it.prices.M.keySet())"$c": $it.prices.M.get($c).N#if($foreach.hasNext), #end#end}}#if($foreach.hasNext), #end#end]}`
	readyRequest  = `{"taskToken": "$util.escapeJavaScript($input.path('$.task_token'))", "output": "{\"order_id\": \"$util.escapeJavaScript($input.path('$.order_id'))\", \"ready_at\": \"$context.requestTime\"}"}`
	readyResponse = `{"order_id": "$util.escapeJavaScript($input.path('$.order_id'))", "status": "ready"}`
	goneResponse  = `{"error": "the order no longer waits for the kitchen (it was marked ready before, failed or timed out)"}`
	errorResponse = `{"error": "the service is busy; try again"}`
)

func sub(template string, vars map[string]*string) *string {
	return awscdk.Fn_Sub(jsii.String(template), &vars)
}

func methodResponses(codes ...string) *[]*awsapigateway.MethodResponse {
	var out []*awsapigateway.MethodResponse
	for _, c := range codes {
		out = append(out, &awsapigateway.MethodResponse{StatusCode: jsii.String(c)})
	}
	return &out
}

// newAPI is the customer's REST API and the kitchen's route, every method a direct AWS
// integration: no function between API Gateway and the data.
func newAPI(r *resources, placeOrder, lifecycle sfn.StateMachine) awsapigateway.RestApi {
	st := r.stack
	api := awsapigateway.NewRestApi(st, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName:    jsii.String("emilys-pastries-05-global"),
		Description:    jsii.String("Emily's Pastries 2025: direct integrations with Step Functions and DynamoDB, one API per region"),
		EndpointTypes:  &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		CloudWatchRole: jsii.Bool(false), // an account-wide setting; a stage must not change it
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String("prod"),
			TracingEnabled:       jsii.Bool(true),
			ThrottlingRateLimit:  jsii.Number(500),
			ThrottlingBurstLimit: jsii.Number(1000),
		},
	})
	api.Node().TryRemoveChild(jsii.String("Endpoint"))

	role := awsiam.NewRole(st, jsii.String("ApiRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		Description: jsii.String("What the API's direct integrations may do: run PlaceOrder, read orders and the menu, answer kitchen tokens"),
	})
	placeOrder.GrantStartSyncExecution(role)
	r.orders.Grant(role, jsii.String("dynamodb:GetItem"))
	r.catalog.Grant(role, jsii.String("dynamodb:Query"))
	lifecycle.GrantTaskResponse(role)

	errorIR := &awsapigateway.IntegrationResponse{SelectionPattern: jsii.String(`4\d{2}|5\d{2}`), StatusCode: jsii.String("503"),
		ResponseTemplates: &map[string]*string{jsonType: jsii.String(errorResponse)}}

	// POST /orders: validated, then the express workflow, synchronously.
	model := api.AddModel(jsii.String("OrderRequest"), &awsapigateway.ModelOptions{
		ContentType: jsii.String(jsonType),
		ModelName:   jsii.String("OrderRequest"),
		Schema:      orderRequestSchema(),
	})
	validator := api.AddRequestValidator(jsii.String("BodyValidator"), &awsapigateway.RequestValidatorOptions{
		RequestValidatorName: jsii.String("body-and-parameters"), ValidateRequestBody: jsii.Bool(true), ValidateRequestParameters: jsii.Bool(true),
	})
	orders := api.Root().AddResource(jsii.String("orders"), nil)
	orders.AddMethod(jsii.String("POST"), awsapigateway.NewAwsIntegration(&awsapigateway.AwsIntegrationProps{
		Service: jsii.String("states"), Subdomain: jsii.String("sync"), Action: jsii.String("StartSyncExecution"),
		IntegrationHttpMethod: jsii.String("POST"),
		Options: &awsapigateway.IntegrationOptions{
			CredentialsRole:     role,
			PassthroughBehavior: awsapigateway.PassthroughBehavior_NEVER,
			RequestTemplates:    &map[string]*string{jsonType: sub(placeOrderRequest, map[string]*string{"StateMachineArn": placeOrder.StateMachineArn()})},
			IntegrationResponses: &[]*awsapigateway.IntegrationResponse{
				{StatusCode: jsii.String("200"), ResponseTemplates: &map[string]*string{jsonType: jsii.String(placeOrderResponse)}},
				errorIR,
			},
		},
	}), &awsapigateway.MethodOptions{
		RequestValidator: validator,
		RequestModels:    &map[string]awsapigateway.IModel{jsonType: model},
		MethodResponses:  methodResponses("200", "201", "400", "409", "503"),
	})

	// GET /orders/{id}: DynamoDB GetItem.
	orders.AddResource(jsii.String("{id}"), nil).AddMethod(jsii.String("GET"), awsapigateway.NewAwsIntegration(&awsapigateway.AwsIntegrationProps{
		Service: jsii.String("dynamodb"), Action: jsii.String("GetItem"), IntegrationHttpMethod: jsii.String("POST"),
		Options: &awsapigateway.IntegrationOptions{
			CredentialsRole:     role,
			PassthroughBehavior: awsapigateway.PassthroughBehavior_NEVER,
			RequestTemplates:    &map[string]*string{jsonType: sub(getOrderRequest, map[string]*string{"Table": r.orders.TableName()})},
			IntegrationResponses: &[]*awsapigateway.IntegrationResponse{
				{StatusCode: jsii.String("200"), ResponseTemplates: &map[string]*string{jsonType: jsii.String(getOrderResponse)}},
				errorIR,
			},
		},
	}), &awsapigateway.MethodOptions{MethodResponses: methodResponses("200", "404", "503")})

	// GET /menu: DynamoDB Query on the MENU partition.
	api.Root().AddResource(jsii.String("menu"), nil).AddMethod(jsii.String("GET"), awsapigateway.NewAwsIntegration(&awsapigateway.AwsIntegrationProps{
		Service: jsii.String("dynamodb"), Action: jsii.String("Query"), IntegrationHttpMethod: jsii.String("POST"),
		Options: &awsapigateway.IntegrationOptions{
			CredentialsRole:     role,
			PassthroughBehavior: awsapigateway.PassthroughBehavior_NEVER,
			RequestTemplates:    &map[string]*string{jsonType: sub(menuRequest, map[string]*string{"Table": r.catalog.TableName()})},
			IntegrationResponses: &[]*awsapigateway.IntegrationResponse{
				{StatusCode: jsii.String("200"), ResponseTemplates: &map[string]*string{jsonType: jsii.String(menuResponse)}},
				errorIR,
			},
		},
	}), &awsapigateway.MethodOptions{MethodResponses: methodResponses("200", "503")})

	// POST /kitchen/ready: the kitchen's tablet answers the order's task token.
	readyModel := api.AddModel(jsii.String("ReadyRequest"), &awsapigateway.ModelOptions{
		ContentType: jsii.String(jsonType),
		ModelName:   jsii.String("ReadyRequest"),
		Schema: &awsapigateway.JsonSchema{
			Schema: awsapigateway.JsonSchemaVersion_DRAFT4, Type: awsapigateway.JsonSchemaType_OBJECT,
			Required: jsii.Strings("order_id", "task_token"),
			Properties: &map[string]*awsapigateway.JsonSchema{
				"order_id":   {Type: awsapigateway.JsonSchemaType_STRING, Pattern: jsii.String("^o-[0-9a-f]{20}$")},
				"task_token": {Type: awsapigateway.JsonSchemaType_STRING, MinLength: jsii.Number(1), MaxLength: jsii.Number(2048)},
			},
		},
	})
	api.Root().AddResource(jsii.String("kitchen"), nil).AddResource(jsii.String("ready"), nil).AddMethod(jsii.String("POST"),
		awsapigateway.NewAwsIntegration(&awsapigateway.AwsIntegrationProps{
			Service: jsii.String("states"), Action: jsii.String("SendTaskSuccess"), IntegrationHttpMethod: jsii.String("POST"),
			Options: &awsapigateway.IntegrationOptions{
				CredentialsRole:     role,
				PassthroughBehavior: awsapigateway.PassthroughBehavior_NEVER,
				RequestTemplates:    &map[string]*string{jsonType: jsii.String(readyRequest)},
				IntegrationResponses: &[]*awsapigateway.IntegrationResponse{
					{StatusCode: jsii.String("200"), ResponseTemplates: &map[string]*string{jsonType: jsii.String(readyResponse)}},
					{SelectionPattern: jsii.String("400"), StatusCode: jsii.String("410"), ResponseTemplates: &map[string]*string{jsonType: jsii.String(goneResponse)}},
					errorIR,
				},
			},
		}), &awsapigateway.MethodOptions{
			RequestValidator: validator,
			RequestModels:    &map[string]awsapigateway.IModel{jsonType: readyModel},
			MethodResponses:  methodResponses("200", "410", "503"),
		})

	return api
}

// orderRequestSchema is bakery.OrderRequest as a draft-4 JSON schema: API Gateway refuses what
// does not match with a 400 before anything runs.
func orderRequestSchema() *awsapigateway.JsonSchema {
	str := func(min, max float64) *awsapigateway.JsonSchema {
		return &awsapigateway.JsonSchema{Type: awsapigateway.JsonSchemaType_STRING, MinLength: jsii.Number(min), MaxLength: jsii.Number(max)}
	}
	rfc3339 := `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`
	return &awsapigateway.JsonSchema{
		Schema: awsapigateway.JsonSchemaVersion_DRAFT4, Title: jsii.String("OrderRequest"), Type: awsapigateway.JsonSchemaType_OBJECT,
		Required: jsii.Strings("store_id", "customer", "items", "pickup_at"),
		Properties: &map[string]*awsapigateway.JsonSchema{
			"store_id": {Type: awsapigateway.JsonSchemaType_STRING, Pattern: jsii.String("^[a-z]{3}-[0-9]{2}$")},
			"customer": {
				Type: awsapigateway.JsonSchemaType_OBJECT, Required: jsii.Strings("name", "email"),
				Properties: &map[string]*awsapigateway.JsonSchema{
					"name":  {Type: awsapigateway.JsonSchemaType_STRING, MinLength: jsii.Number(1), MaxLength: jsii.Number(100), Pattern: jsii.String(`\S`)},
					"email": {Type: awsapigateway.JsonSchemaType_STRING, MinLength: jsii.Number(3), MaxLength: jsii.Number(254), Pattern: jsii.String(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)},
				},
			},
			"items": {
				Type: awsapigateway.JsonSchemaType_ARRAY, MinItems: jsii.Number(1), MaxItems: jsii.Number(20),
				Items: &awsapigateway.JsonSchema{
					Type: awsapigateway.JsonSchemaType_OBJECT, Required: jsii.Strings("item_id", "quantity"),
					Properties: &map[string]*awsapigateway.JsonSchema{
						"item_id":  str(1, 40),
						"quantity": {Type: awsapigateway.JsonSchemaType_INTEGER, Minimum: jsii.Number(1), Maximum: jsii.Number(50)},
					},
				},
			},
			"pickup_at": {Type: awsapigateway.JsonSchemaType_STRING, Pattern: jsii.String(rfc3339)},
		},
	}
}
