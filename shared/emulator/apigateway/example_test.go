package apigateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-lambda-go/events"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// greeter stands in for the Lambda service: it answers a REST proxy event with a greeting.
type greeter struct{}

func (greeter) Invoke(_ context.Context, _ string, payload []byte) (apigateway.InvokeResult, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return apigateway.InvokeResult{}, err
	}
	answer, err := json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: "Hello, " + ev.PathParameters["name"]})
	return apigateway.InvokeResult{Payload: answer}, err
}

func Example() {
	env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Bakery",
		Latency: latency.Zero(), Faults: &fault.Set{}, Metrics: &metrics.Registry{}, Traces: trace.NewRecorder(10)}
	svc := apigateway.New(env, greeter{})

	// The emulator core provisions these from the template, with intrinsics resolved.
	provision := func(logicalID, typ string, props map[string]any) sim.Physical {
		phys, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: logicalID, Type: typ}, props)
		if err != nil {
			panic(err)
		}
		return phys
	}
	api := provision("BakeryApi", apigateway.TypeRestAPI, map[string]any{"Name": "Bakery"})
	id := api.Ref.(string)
	hello := provision("BakeryApihello", apigateway.TypeResource,
		map[string]any{"RestApiId": id, "ParentId": api.Attrs["RootResourceId"], "PathPart": "hello"})
	name := provision("BakeryApihelloname", apigateway.TypeResource,
		map[string]any{"RestApiId": id, "ParentId": hello.Ref, "PathPart": "{name}"})
	provision("BakeryApihellonameGET", apigateway.TypeMethod, map[string]any{
		"RestApiId": id, "ResourceId": name.Ref, "HttpMethod": "GET", "AuthorizationType": "NONE",
		"Integration": map[string]any{"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
			"Uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:Hello/invocations"},
	})
	deployment := provision("BakeryApiDeployment", apigateway.TypeDeployment, map[string]any{"RestApiId": id})
	provision("BakeryApiStageprod", apigateway.TypeStage, map[string]any{"RestApiId": id, "DeploymentId": deployment.Ref, "StageName": "prod"})

	for _, a := range svc.APIs() {
		fmt.Println(a.Kind, a.Stage, a.Path)
	}
	for _, path := range []string{"/hello/Emily", "/goodbye"} {
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, svc.APIs()[0].Path+path, nil))
		body, _ := io.ReadAll(rec.Body)
		fmt.Println(rec.Code, string(body))
	}
	// Output:
	// rest prod /restapis/ckcrvl9lhq/prod/_user_request_
	// 200 Hello, Emily
	// 403 {"message":"Missing Authentication Token"}
}
