package live

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// stage04 is stage 04's shape, hand-built: the API starts an express workflow, which emits to
// the bus; a rule starts the standard workflow, which queues the payment (read by the payment
// worker through an event source mapping) and the kitchen's ticket (carried by a pipe to the
// kitchen's API destination). Queues have DLQs; the default bus has no rules.
func stage04() ([]sim.Resource, []emulator.Resource, []*lambda.Function, []byte) {
	const s = "EmilysPastries04Refactor-"
	res := []sim.Resource{
		{ID: "esm:00000001-0000-4000-8000-000000000001", Type: "AWS::Lambda::EventSourceMapping", Physical: "00000001-0000-4000-8000-000000000001",
			Targets: []sim.ID{"lambda:" + s + "PaymentWorkerA754B793"}, Sources: []sim.ID{"sqs:" + s + "PaymentQueue638550D9"}},
		{ID: "lambda:" + s + "PaymentWorkerA754B793", Type: "AWS::Lambda::Function", LogicalID: "PaymentWorkerA754B793", Physical: s + "PaymentWorkerA754B793",
			Targets: []sim.ID{"lambda:arn"}}, // what the lambda service reports for an SQS on-failure destination
		{ID: "dynamodb:" + s + "OrdersA9B65338", Type: "AWS::DynamoDB::Table", LogicalID: "OrdersA9B65338", Physical: s + "OrdersA9B65338"},
		{ID: "apigateway:wr6bge2o2g", Type: "AWS::ApiGateway::RestApi", LogicalID: "ApiF70053CD", Physical: "wr6bge2o2g"},
		{ID: "sqs:" + s + "PaymentQueue638550D9", Type: "AWS::SQS::Queue", LogicalID: "PaymentQueue638550D9", Physical: "http://emulator.internal/000000000000/" + s + "PaymentQueue638550D9",
			Targets: []sim.ID{"sqs:" + s + "PaymentDlq2CC6D545"}},
		{ID: "sqs:" + s + "PaymentDlq2CC6D545", Type: "AWS::SQS::Queue", LogicalID: "PaymentDlq2CC6D545", Physical: "http://emulator.internal/000000000000/" + s + "PaymentDlq2CC6D545"},
		{ID: "sqs:" + s + "KitchenQueueBFF4762F", Type: "AWS::SQS::Queue", LogicalID: "KitchenQueueBFF4762F", Physical: "http://emulator.internal/000000000000/" + s + "KitchenQueueBFF4762F"},
		{ID: "apidestination:" + s + "KitchenDisplayApiDestination080E7F68", Type: "AWS::Events::ApiDestination", LogicalID: "KitchenDisplayApiDestination080E7F68", Physical: s + "KitchenDisplayApiDestination080E7F68"},
		{ID: "events:default", Type: "AWS::Events::EventBus", Physical: "default"},
		{ID: "events:emilys-pastries-04", Type: "AWS::Events::EventBus", LogicalID: "BusEA82B648", Physical: "emilys-pastries-04",
			Targets: []sim.ID{"events:emilys-pastries-04/" + s + "OrderPlacedRuleAF2E7ADF"}},
		{ID: "events:emilys-pastries-04/" + s + "OrderPlacedRuleAF2E7ADF", Type: "AWS::Events::Rule", Physical: s + "OrderPlacedRuleAF2E7ADF",
			Targets: []sim.ID{"states:" + s + "OrderLifecycle96DDE078"}, Sources: []sim.ID{"events:emilys-pastries-04"}},
		{ID: "states:" + s + "OrderLifecycle96DDE078", Type: "AWS::StepFunctions::StateMachine", LogicalID: "OrderLifecycle96DDE078", Physical: "arn:aws:states:us-east-1:000000000000:stateMachine:" + s + "OrderLifecycle96DDE078",
			Targets: []sim.ID{"dynamodb:" + s + "OrdersA9B65338", "sqs:" + s + "KitchenQueueBFF4762F", "sqs:" + s + "PaymentQueue638550D9", "events:emilys-pastries-04"}},
		{ID: "states:" + s + "PlaceOrderC1FF4CFE", Type: "AWS::StepFunctions::StateMachine", LogicalID: "PlaceOrderC1FF4CFE", Physical: "arn:aws:states:us-east-1:000000000000:stateMachine:" + s + "PlaceOrderC1FF4CFE",
			Targets: []sim.ID{"dynamodb:" + s + "OrdersA9B65338", "events:emilys-pastries-04"}},
		{ID: "pipes:emilys-pastries-04-kitchen-tickets", Type: "AWS::Pipes::Pipe", LogicalID: "KitchenTickets", Physical: "emilys-pastries-04-kitchen-tickets",
			Targets: []sim.ID{"apidestination:" + s + "KitchenDisplayApiDestination080E7F68"}, Sources: []sim.ID{"sqs:" + s + "KitchenQueueBFF4762F"}},
		{ID: "cloudformation:CatalogSeed", Type: "Custom::CatalogSeed", LogicalID: "CatalogSeed", Physical: "emilys-pastries-catalog"},
	}
	var prov []emulator.Resource
	for _, id := range []string{"PaymentWorker", "Orders", "Api", "PaymentQueue", "PaymentDlq", "KitchenQueue", "Bus", "OrderPlacedRule", "OrderLifecycle", "PlaceOrder"} {
		prov = append(prov, emulator.Resource{LogicalID: logicalOf(res, id), CDKPath: "EmilysPastries04Refactor/" + id + "/Resource"})
	}
	prov = append(prov,
		emulator.Resource{LogicalID: "KitchenDisplayApiDestination080E7F68", CDKPath: "EmilysPastries04Refactor/KitchenDisplay/ApiDestination"},
		emulator.Resource{LogicalID: "KitchenTickets", CDKPath: "EmilysPastries04Refactor/KitchenTickets"})
	fns := []*lambda.Function{{Name: s + "PaymentWorkerA754B793", MemoryMB: 256, Timeout: 10 * time.Second,
		Environment: map[string]string{"PAYMENT_URL": "http://payment.internal"}}}
	tmpl := []byte(`{
	  "Parameters": {"KitchenDisplayUrl": {"Type": "String"}},
	  "Resources": {
	    "ApiordersPOSTC4B92180": {"Type": "AWS::ApiGateway::Method", "Properties": {"RestApiId": {"Ref": "ApiF70053CD"},
	      "Integration": {"Credentials": {"Fn::GetAtt": ["ApiRole1873F438", "Arn"]}, "Type": "AWS",
	        "RequestTemplates": {"application/json": {"Fn::Sub": ["{\"stateMachineArn\": \"${M}\"}", {"M": {"Ref": "PlaceOrderC1FF4CFE"}}]}}}}},
	    "PlaceOrderC1FF4CFE": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineType": "EXPRESS"}},
	    "OrderLifecycle96DDE078": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineType": "STANDARD"}},
	    "PaymentQueue638550D9": {"Type": "AWS::SQS::Queue", "Properties": {"RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["PaymentDlq2CC6D545", "Arn"]}, "maxReceiveCount": 3}}},
	    "KitchenDisplayApiDestination080E7F68": {"Type": "AWS::Events::ApiDestination", "Properties": {"InvocationEndpoint": {"Fn::Join": ["", [{"Ref": "KitchenDisplayUrl"}, "/tickets"]]}}}
	  }}`)
	return res, prov, fns, tmpl
}

func logicalOf(res []sim.Resource, construct string) string {
	for _, r := range res {
		if r.LogicalID != "" && cdkHash.ReplaceAllString(r.LogicalID, "") == construct {
			return r.LogicalID
		}
	}
	return construct + "00000000"
}

func TestStage04Topology(t *testing.T) {
	res, prov, fns, tmpl := stage04()
	top := assemble(res, prov, fns, parseTemplate(tmpl))
	const s = "EmilysPastries04Refactor-"

	label, kind, depth := map[string]string{}, map[string]string{}, map[string]int{}
	for _, n := range top.Nodes {
		label[n.ID], kind[n.ID], depth[n.ID] = n.Label, n.Kind, n.Depth
		assert.NotContains(t, n.Label, "0000", "no UUID or hash in a label: %s", n.ID)
		assert.NotContains(t, n.Label, "EmilysPastries04Refactor", "no stack prefix in a label: %s", n.ID)
	}
	edges := map[string]Edge{}
	for _, e := range top.Edges {
		edges[label[e.From]+" -> "+label[e.To]] = e
	}

	t.Run("labels", func(t *testing.T) {
		// https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
		assert.Equal(t, "PlaceOrder (express)", label["states:"+s+"PlaceOrderC1FF4CFE"])
		assert.Equal(t, "OrderLifecycle (standard)", label["states:"+s+"OrderLifecycle96DDE078"])
		assert.Equal(t, "PaymentQueue", label["sqs:"+s+"PaymentQueue638550D9"])
		assert.Equal(t, "PaymentWorker", label["lambda:"+s+"PaymentWorkerA754B793"])
		assert.Equal(t, "KitchenDisplay (API destination)", label["apidestination:"+s+"KitchenDisplayApiDestination080E7F68"])
		assert.Equal(t, "KitchenTickets", label["pipes:emilys-pastries-04-kitchen-tickets"])
		assert.Equal(t, "bus emilys-pastries-04", label["events:emilys-pastries-04"])
		assert.Equal(t, "OrderPlacedRule", label["events:emilys-pastries-04/"+s+"OrderPlacedRuleAF2E7ADF"])
	})
	t.Run("hidden", func(t *testing.T) {
		// Every account has a default bus: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus.html
		assert.NotContains(t, kind, "events:default", "the default bus without rules")
		assert.NotContains(t, kind, "esm:00000001-0000-4000-8000-000000000001", "a mapping is an edge")
		assert.NotContains(t, kind, "cloudformation:CatalogSeed", "a custom resource is a deploy step")
	})
	t.Run("edges", func(t *testing.T) {
		// A mapping reads the queue and invokes the function:
		// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html
		assert.Equal(t, Edge{From: "sqs:" + s + "PaymentQueue638550D9", To: "lambda:" + s + "PaymentWorkerA754B793", Kind: EdgeESM, Label: "ESM",
			Via: "esm:00000001-0000-4000-8000-000000000001"}, edges["PaymentQueue -> PaymentWorker"])
		// A pipe: source → pipe → target: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes.html
		assert.Contains(t, edges, "KitchenQueue -> KitchenTickets")
		assert.Contains(t, edges, "KitchenTickets -> KitchenDisplay (API destination)")
		assert.Contains(t, edges, "KitchenDisplay (API destination) -> kitchen", "its endpoint is the kitchen's URL parameter")
		// An AWS service integration: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-integration-types.html
		assert.Contains(t, edges, "API Gateway Api -> PlaceOrder (express)")
		assert.Contains(t, edges, "PaymentWorker -> payment provider")
		assert.Contains(t, edges, "bus emilys-pastries-04 -> OrderPlacedRule")
		assert.Contains(t, edges, "OrderPlacedRule -> OrderLifecycle (standard)")
		// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
		assert.Equal(t, EdgeDLQ, edges["PaymentQueue -> PaymentDlq"].Kind)
		assert.Equal(t, KindDLQ, kind["sqs:"+s+"PaymentDlq2CC6D545"])
	})
	t.Run("layers left to right", func(t *testing.T) {
		chain := []string{"apigateway:wr6bge2o2g", "states:" + s + "PlaceOrderC1FF4CFE", "events:emilys-pastries-04",
			"states:" + s + "OrderLifecycle96DDE078", "sqs:" + s + "PaymentQueue638550D9", "lambda:" + s + "PaymentWorkerA754B793", "payment"}
		for i := 1; i < len(chain); i++ {
			assert.Less(t, depth[chain[i-1]], depth[chain[i]], "%s before %s", chain[i-1], chain[i])
		}
		assert.Equal(t, depth["events:emilys-pastries-04"], depth["events:emilys-pastries-04/"+s+"OrderPlacedRuleAF2E7ADF"], "a rule under its bus")
		assert.Equal(t, depth["payment"], depth["dynamodb:"+s+"OrdersA9B65338"], "tables and external actors last")
		assert.Greater(t, depth["sqs:"+s+"PaymentDlq2CC6D545"], depth["payment"], "dead-letter queues after them")
	})
}

func TestShortName(t *testing.T) {
	tests := []struct {
		name, path string
		r          sim.Resource
		want       string
	}{
		{"the construct above Resource", "Stack/Orders/Resource", sim.Resource{}, "Orders"},
		{"an API destination", "Stack/KitchenDisplay/ApiDestination", sim.Resource{}, "KitchenDisplay"},
		{"an L1 construct", "Stack/KitchenTickets", sim.Resource{}, "KitchenTickets"},
		{"a logical id without its hash", "", sim.Resource{LogicalID: "OrderPaidRule837CAAE2"}, "OrderPaidRule"},
		{"a physical name without stack and hash", "", sim.Resource{Physical: "EmilysPastries04Refactor-HourlyClose1033E608"}, "HourlyClose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, shortName(tt.path, tt.r))
		})
	}
}

func TestParseTemplateIgnoresWhatItCannotRead(t *testing.T) {
	info := parseTemplate([]byte("not json"))
	require.NotNil(t, info.dlq)
	assert.Empty(t, info.edges)
}
