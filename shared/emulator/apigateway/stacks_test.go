package apigateway_test

import (
	"testing"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
)

// restStack provisions a REST API in the shapes the CDK synthesizes for
//
//	POST /orders          -> CreateOrder
//	OPTIONS /orders       -> MOCK (defaultCorsPreflightOptions)
//	GET /orders/special   -> SpecialOrders
//	GET /orders/{id}      -> GetOrder (TimeoutInMillis from timeoutMillis when set)
//	ANY /{proxy+}         -> Fallback
//
// with the stage "prod" (stage variable env=test, plus methodSettings when given), and returns
// the stage's invoke path prefix and the API id.
func restStack(t testing.TB, svc *apigateway.Service, timeoutMillis any, methodSettings ...any) (base, apiID string) {
	t.Helper()
	api := provision(t, svc, "OrdersApi1A2B3C4D", apigateway.TypeRestAPI, map[string]any{"Name": "OrdersApi"})
	apiID = api.Ref.(string)
	root := api.Attrs["RootResourceId"]
	orders := provision(t, svc, "OrdersApiorders5E6F7A8B", apigateway.TypeResource,
		map[string]any{"ParentId": root, "PathPart": "orders", "RestApiId": apiID}).Ref
	orderID := provision(t, svc, "OrdersApiordersid9C0D1E2F", apigateway.TypeResource,
		map[string]any{"ParentId": orders, "PathPart": "{id}", "RestApiId": apiID}).Ref
	special := provision(t, svc, "OrdersApiordersspecial3A4B5C6D", apigateway.TypeResource,
		map[string]any{"ParentId": orders, "PathPart": "special", "RestApiId": apiID}).Ref
	proxy := provision(t, svc, "OrdersApiproxy7E8F9A0B", apigateway.TypeResource,
		map[string]any{"ParentId": root, "PathPart": "{proxy+}", "RestApiId": apiID}).Ref

	method := func(logicalID string, resourceID any, httpMethod, function string, timeout any) {
		integration := map[string]any{"IntegrationHttpMethod": "POST", "Type": "AWS_PROXY", "Uri": invocationURI(function)}
		if timeout != nil {
			integration["TimeoutInMillis"] = timeout
		}
		provision(t, svc, logicalID, apigateway.TypeMethod, map[string]any{
			"AuthorizationType": "NONE", "HttpMethod": httpMethod, "Integration": integration,
			"ResourceId": resourceID, "RestApiId": apiID,
		})
	}
	method("OrdersApiordersPOST1B2C3D4E", orders, "POST", "CreateOrder", nil)
	method("OrdersApiordersidGET5F6A7B8C", orderID, "GET", "GetOrder", timeoutMillis)
	method("OrdersApiordersspecialGET9D0E1F2A", special, "GET", "SpecialOrders", nil)
	method("OrdersApiproxyANY3B4C5D6E", proxy, "ANY", "Fallback", nil)
	provision(t, svc, "OrdersApiordersOPTIONS7F8A9B0C", apigateway.TypeMethod, map[string]any{
		"ApiKeyRequired": false, "AuthorizationType": "NONE", "HttpMethod": "OPTIONS",
		"Integration": map[string]any{
			"IntegrationResponses": []any{map[string]any{
				"ResponseParameters": map[string]any{
					"method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'",
					"method.response.header.Access-Control-Allow-Origin":  "'*'",
					"method.response.header.Access-Control-Allow-Methods": "'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD'",
				},
				"StatusCode": "204",
			}},
			"RequestTemplates": map[string]any{"application/json": "{ statusCode: 200 }"},
			"Type":             "MOCK",
		},
		"MethodResponses": []any{map[string]any{
			"ResponseParameters": map[string]any{
				"method.response.header.Access-Control-Allow-Headers": true,
				"method.response.header.Access-Control-Allow-Origin":  true,
				"method.response.header.Access-Control-Allow-Methods": true,
			},
			"StatusCode": "204",
		}},
		"ResourceId": orders, "RestApiId": apiID,
	})
	deployment := provision(t, svc, "OrdersApiDeploymentA1B2C3D4e5f6", apigateway.TypeDeployment,
		map[string]any{"Description": "Automatically created by the RestApi construct", "RestApiId": apiID}).Ref
	stage := map[string]any{"DeploymentId": deployment, "RestApiId": apiID, "StageName": "prod",
		"Variables": map[string]any{"env": "test"}}
	if len(methodSettings) > 0 {
		stage["MethodSettings"] = methodSettings
	}
	provision(t, svc, "OrdersApiDeploymentStageprod1A2B3C4D", apigateway.TypeStage, stage)
	provision(t, svc, "OrdersApiAccount5E6F7A8B", apigateway.TypeAccount,
		map[string]any{"CloudWatchRoleArn": "arn:aws:iam::000000000000:role/Test-OrdersApiCloudWatchRole"})
	return "/restapis/" + apiID + "/prod/_user_request_", apiID
}

// httpStack provisions an HTTP API as the CDK's HttpApi with HttpLambdaIntegrations synthesizes
// it: GET /orders/{id} (format 2.0), ANY /files/{proxy+} (format 1.0), and a $default stage with
// auto-deploy. withDefault adds a $default route; stage may carry throttling settings.
func httpStack(t testing.TB, svc *apigateway.Service, withDefault bool, timeoutMillis any, stageExtra map[string]any) (base, apiID string) {
	t.Helper()
	api := provision(t, svc, "HttpApiF5A9A8A7", apigateway.TypeHTTPAPI, map[string]any{"Name": "HttpApi", "ProtocolType": "HTTP"})
	apiID = api.Ref.(string)
	integrationProps := map[string]any{"ApiId": apiID, "IntegrationType": "AWS_PROXY",
		"IntegrationUri": functionARN("GetOrder"), "PayloadFormatVersion": "2.0"}
	if timeoutMillis != nil {
		integrationProps["TimeoutInMillis"] = timeoutMillis
	}
	getOrder := provision(t, svc, "HttpApiGETordersidGetOrderIntegration1A2B3C4D", apigateway.TypeIntegration, integrationProps).Ref.(string)
	files := provision(t, svc, "HttpApiANYfilesproxyFilesIntegration5E6F7A8B", apigateway.TypeIntegration, map[string]any{
		"ApiId": apiID, "IntegrationType": "AWS_PROXY", "IntegrationUri": functionARN("Files"), "PayloadFormatVersion": "1.0"}).Ref.(string)
	provision(t, svc, "HttpApiGETordersid9C0D1E2F", apigateway.TypeRoute, map[string]any{
		"ApiId": apiID, "AuthorizationType": "NONE", "RouteKey": "GET /orders/{id}", "Target": "integrations/" + getOrder})
	provision(t, svc, "HttpApiANYfilesproxy3A4B5C6D", apigateway.TypeRoute, map[string]any{
		"ApiId": apiID, "AuthorizationType": "NONE", "RouteKey": "ANY /files/{proxy+}", "Target": "integrations/" + files})
	if withDefault {
		catchAll := provision(t, svc, "HttpApiDefaultIntegration7E8F9A0B", apigateway.TypeIntegration, map[string]any{
			"ApiId": apiID, "IntegrationType": "AWS_PROXY", "IntegrationUri": invocationURI("CatchAll"), "PayloadFormatVersion": "2.0"}).Ref.(string)
		provision(t, svc, "HttpApiDefaultRoute1B2C3D4E", apigateway.TypeRoute, map[string]any{
			"ApiId": apiID, "AuthorizationType": "NONE", "RouteKey": "$default", "Target": "integrations/" + catchAll})
	}
	stage := map[string]any{"ApiId": apiID, "StageName": "$default", "AutoDeploy": true}
	for k, v := range stageExtra {
		stage[k] = v
	}
	provision(t, svc, "HttpApiDefaultStage5F6A7B8C", apigateway.TypeHTTPStage, stage)
	return "/apis/" + apiID + "/_user_request_", apiID
}
