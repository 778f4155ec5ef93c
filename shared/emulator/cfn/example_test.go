package cfn_test

import (
	"fmt"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
)

// The emulator's provisioning loop: create resources in dependency order, skip those whose
// condition is false, and answer Ref and Fn::GetAtt from what has been created.
func Example() {
	tmpl, err := cfn.Parse([]byte(`{
		"Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
		"Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
		"Resources": {
			"Orders": {"Type": "AWS::SQS::Queue", "Properties": {
				"QueueName": {"Fn::Sub": "${AWS::StackName}-orders-${Stage}"},
				"VisibilityTimeout": "30"
			}},
			"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Condition": "IsProd"},
			"PlaceOrder": {"Type": "AWS::Lambda::Function", "Properties": {
				"Environment": {"Variables": {
					"QUEUE_URL": {"Ref": "Orders"},
					"QUEUE_ARN": {"Fn::GetAtt": ["Orders", "Arn"]},
					"DEBUG": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "true"]}
				}}
			}}
		},
		"Outputs": {"QueueUrl": {"Value": {"Ref": "Orders"}}}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	order, err := tmpl.Order()
	if err != nil {
		fmt.Println(err)
		return
	}

	created := map[string]map[string]any{} // logical ID → resolved properties
	r, err := cfn.NewResolver(tmpl, cfn.Resolver{
		StackName: "bakery", Region: "eu-west-1", AccountID: "123456789012",
		Ref: func(id string) (any, error) {
			props, ok := created[id]
			if !ok {
				return nil, fmt.Errorf("%s is not created", id)
			}
			return "https://sqs.eu-west-1.amazonaws.com/123456789012/" + props["QueueName"].(string), nil
		},
		GetAtt: func(id, attr string) (any, error) {
			props := created[id]
			return "arn:aws:sqs:eu-west-1:123456789012:" + props["QueueName"].(string), nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range order {
		include, err := r.Include(res)
		if err != nil {
			fmt.Println(err)
			return
		}
		if !include {
			fmt.Println("skip", res.LogicalID)
			continue
		}
		props, err := r.Properties(res)
		if err != nil {
			fmt.Println(err)
			return
		}
		created[res.LogicalID] = props
		fmt.Println("create", res.LogicalID, props)
	}
	outputs, err := r.Outputs()
	fmt.Println(outputs, err)
	// Output:
	// skip Alarm
	// create Orders map[QueueName:bakery-orders-dev VisibilityTimeout:30]
	// create PlaceOrder map[Environment:map[Variables:map[DEBUG:true QUEUE_ARN:arn:aws:sqs:eu-west-1:123456789012:bakery-orders-dev QUEUE_URL:https://sqs.eu-west-1.amazonaws.com/123456789012/bakery-orders-dev]]]
	// map[QueueUrl:https://sqs.eu-west-1.amazonaws.com/123456789012/bakery-orders-dev] <nil>
}

func ExampleResolver_Resolve() {
	tmpl, err := cfn.Parse([]byte(`{
		"Resources": {
			"Orders": {"Type": "AWS::DynamoDB::Table"},
			"PlaceOrder": {
				"Type": "AWS::Lambda::Function",
				"Properties": {"Environment": {"Variables": {
					"TABLE_ARN": {"Fn::GetAtt": ["Orders", "Arn"]},
					"QUEUE_URL": {"Fn::Sub": "https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/orders"}
				}}}
			}
		}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := cfn.NewResolver(tmpl, cfn.Resolver{
		StackName: "Bakery", Region: "eu-west-1", AccountID: "123456789012",
		GetAtt: func(id, attr string) (any, error) {
			return "arn:aws:dynamodb:eu-west-1:123456789012:table/" + id, nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	vars, err := r.Resolve("PlaceOrder.Properties.Environment.Variables",
		tmpl.Resources["PlaceOrder"].Properties["Environment"].(map[string]any)["Variables"])
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range []string{"QUEUE_URL", "TABLE_ARN"} {
		fmt.Println(k, vars.(map[string]any)[k])
	}
	// Output:
	// QUEUE_URL https://sqs.eu-west-1.amazonaws.com/123456789012/orders
	// TABLE_ARN arn:aws:dynamodb:eu-west-1:123456789012:table/Orders
}

// A service's CloudFormation resource decodes its properties and so rejects what it cannot honour.
func ExampleDecode() {
	type queueProps struct {
		QueueName         string `json:"QueueName"`
		VisibilityTimeout int    `json:"VisibilityTimeout"`
	}
	res := &cfn.Resource{LogicalID: "Orders", Type: "AWS::SQS::Queue"}

	var q queueProps
	err := cfn.Decode(res, map[string]any{"QueueName": "orders", "VisibilityTimeout": "30"}, &q)
	fmt.Printf("%+v %v\n", q, err)

	err = cfn.Decode(res, map[string]any{"QueueName": "orders", "FifoQueue": true}, &q)
	fmt.Println(err)
	// Output:
	// {QueueName:orders VisibilityTimeout:30} <nil>
	// resource Orders (AWS::SQS::Queue): property "FifoQueue" is not supported by the emulator
}
