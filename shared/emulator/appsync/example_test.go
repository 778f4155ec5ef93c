package appsync_test

import (
	"context"
	"fmt"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
)

// An Event API provisioned from its CloudFormation properties, and the URLs a listening
// emulator serves it on.
func ExampleService_Endpoints() {
	svc := appsync.New(newEnv(nil))
	defer svc.Close()
	api, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "EventApi", Type: appsync.TypeAPI}, map[string]any{
		"Name":        "orders-events",
		"EventConfig": map[string]any{"AuthProviders": []any{map[string]any{"AuthType": "API_KEY"}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	httpURL, realtimeURL := svc.Endpoints(api.Attrs["ApiId"].(string), "http://127.0.0.1:4566")
	fmt.Println(api.Attrs["Dns.Http"])
	fmt.Println(httpURL)
	fmt.Println(realtimeURL)
	// Output:
	// emulator.internal/appsync/updothbwvz3o4gdfeu2xqw2eyj
	// http://127.0.0.1:4566/appsync/updothbwvz3o4gdfeu2xqw2eyj/event
	// ws://127.0.0.1:4566/appsync/updothbwvz3o4gdfeu2xqw2eyj/event/realtime
}
