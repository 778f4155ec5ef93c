package dynamodb_test

import (
	"context"
	"fmt"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// A table provisioned from its CloudFormation properties, then used in process with the
// wire API's JSON (the same bodies an SDK sends to ServeHTTP).
func ExampleService() {
	ctx := context.Background()
	svc := dynamodb.New(&sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Demo", Latency: latency.Zero()})
	phys, err := svc.Provision(ctx, &cfn.Resource{LogicalID: "Orders", Type: dynamodb.TypeTable}, map[string]any{
		"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
		"BillingMode":          "PAY_PER_REQUEST",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(phys.Ref, phys.Attrs["Arn"])

	put := `{"TableName":"Demo-Orders","Item":{"pk":{"S":"o-1"},"status":{"S":"NEW"}},"ConditionExpression":"attribute_not_exists(pk)"}`
	out, err := svc.Call(ctx, "PutItem", []byte(put))
	fmt.Println(string(out), err)
	_, err = svc.Call(ctx, "PutItem", []byte(put))
	fmt.Println(err)
	out, _ = svc.Call(ctx, "GetItem", []byte(`{"TableName":"Demo-Orders","Key":{"pk":{"S":"o-1"}},"ProjectionExpression":"#s","ExpressionAttributeNames":{"#s":"status"}}`))
	fmt.Println(string(out))
	// Output:
	// Demo-Orders arn:aws:dynamodb:us-east-1:000000000000:table/Demo-Orders
	// {} <nil>
	// ConditionalCheckFailedException: The conditional request failed
	// {"Item":{"status":{"S":"NEW"}}}
}
