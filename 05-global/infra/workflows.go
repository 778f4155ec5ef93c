package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	tasks "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/jsii-runtime-go"
)

// Error names the workflows catch (Step Functions' optimised DynamoDB integration prefixes the
// SDK's exception names with "DynamoDB.").
const (
	errConditionFailed = "DynamoDB.ConditionalCheckFailedException"
)

// dynamoRetry retries what DynamoDB throttles or fails transiently, with jittered backoff.
var dynamoRetry = &sfn.RetryProps{
	Errors:         jsii.Strings("DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ThrottlingException", "DynamoDB.RequestLimitExceeded", "DynamoDB.InternalServerErrorException", "DynamoDB.AmazonDynamoDBException"),
	Interval:       awscdk.Duration_Seconds(jsii.Number(1)),
	BackoffRate:    jsii.Number(2),
	MaxAttempts:    jsii.Number(4),
	JitterStrategy: sfn.JitterType_FULL,
}

// outageRetry keeps an order's asynchronous steps going through a regional outage. Route 53
// needs 10–20 s to move new orders away, but the orders the region had already accepted stay
// its own (their lifecycle runs there); meanwhile its services answer 5xx, which reach a step as
// the service's base exception or a client error. So each step after the customer's answer
// retries those with backoff capped at 30 s, about four minutes in all (1 + 2 + 4 + 8 + 16 +
// 7 × 30 s, full jitter), before its Catch gives the order up; 04 gave up after about 15 s.
// Errors a retry cannot fix (a condition that failed, a declined card, Order.*) are not listed.
// PlaceOrder keeps dynamoRetry: its customer is waiting for the answer.
var outageRetry = &sfn.RetryProps{
	Errors: jsii.Strings("DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ThrottlingException", "DynamoDB.RequestLimitExceeded",
		"DynamoDB.AmazonDynamoDBException", "DynamoDB.InternalServerErrorException", "DynamoDB.SdkClientException",
		"SQS.AmazonSQSException", "SQS.SdkClientException", "EventBridge.AmazonEventBridgeException", "EventBridge.SdkClientException",
		"EventBridge.InternalException", "EventBridge.ThrottlingException", "EventBridge.FailedEntry",
		"Lambda.AWSLambdaException", "Lambda.ServiceException", "Lambda.SdkClientException",
		"StepFunctions.AWSStepFunctionsException", "StepFunctions.SdkClientException", "StepFunctions.ExecutionLimitExceededException"),
	Interval:       awscdk.Duration_Seconds(jsii.Number(1)),
	BackoffRate:    jsii.Number(2),
	MaxAttempts:    jsii.Number(12),
	MaxDelay:       awscdk.Duration_Seconds(jsii.Number(30)),
	JitterStrategy: sfn.JitterType_FULL,
}

var eventsRetry = &sfn.RetryProps{
	Errors:         jsii.Strings("EventBridge.InternalException", "EventBridge.ThrottlingException", "States.TaskFailed"),
	Interval:       awscdk.Duration_Seconds(jsii.Number(1)),
	BackoffRate:    jsii.Number(2),
	MaxAttempts:    jsii.Number(3),
	JitterStrategy: sfn.JitterType_FULL,
}

func s(v string) *string { return jsii.String(v) }

// ddbS and ddbN are DynamoDB attribute values from JSONata expressions.
func ddbS(expr string) tasks.DynamoAttributeValue {
	return tasks.DynamoAttributeValue_FromString(s("{% " + expr + " %}"))
}
func ddbN(expr string) tasks.DynamoAttributeValue {
	return tasks.DynamoAttributeValue_NumberFromString(s("{% $string(" + expr + ") %}"))
}

// orderDetail is the order event's detail, from the workflow variables. stock_pk names the stock
// items the order reserved (its region's, see ownership in ../internal/ddb/doc.go).
func orderDetail(status string, extra map[string]any) sfn.TaskInput {
	d := map[string]any{
		"order_id": "{% $orderId %}", "status": status, "store_id": "{% $order.store_id %}", "day": "{% $order.day %}",
		"region": "{% $order.region %}", "stock_pk": "{% $order.stock_pk %}",
		"customer": "{% $order.customer %}", "items": "{% $order.items %}", "currency": "{% $order.currency %}",
		"subtotal": "{% $order.subtotal %}", "tax": "{% $order.tax %}", "total": "{% $order.total %}", "pickup_at": "{% $order.pickup_at %}",
	}
	for k, v := range extra {
		d[k] = v
	}
	return sfn.TaskInput_FromObject(&d)
}

// putEvent publishes an order event with retry: eventsRetry where a customer waits, outageRetry
// after the answer. (Only the first retrier that names an error applies, and eventsRetry names
// States.TaskFailed, which matches every task error: a second retrier after it would never run.)
func putEvent(r *resources, id, detailType string, detail sfn.TaskInput, retry *sfn.RetryProps) tasks.EventBridgePutEvents {
	t := tasks.EventBridgePutEvents_Jsonata(r.stack, s(id), &tasks.EventBridgePutEventsJsonataProps{
		Entries: &[]*tasks.EventBridgePutEventsEntry{{
			EventBus: r.bus, Source: s(OrderSource), DetailType: s(detailType), Detail: detail,
		}},
		Outputs: "{% $states.input %}",
	})
	t.AddRetry(retry)
	return t
}

func stateMachineLogs(r *resources, id string) *sfn.LogOptions {
	return &sfn.LogOptions{
		Destination: awslogs.NewLogGroup(r.stack, s(id+"Logs"), &awslogs.LogGroupProps{
			Retention: awslogs.RetentionDays_TWO_WEEKS, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		}),
		Level:                sfn.LogLevel_ALL,
		IncludeExecutionData: jsii.Bool(false),
	}
}

// newPlaceOrder is the synchronous part: an express workflow of direct DynamoDB and EventBridge
// integrations that API Gateway runs with StartSyncExecution. Its output is
// {"statusCode": …, "body": "<JSON text>"}, which the API's response template returns.
func newPlaceOrder(r *resources) sfn.StateMachine {
	st := r.stack
	here := "'" + r.region + "'" // the stack's region, a JSONata string literal
	answer := func(id string, code int, body string) sfn.Succeed {
		return sfn.Succeed_Jsonata(st, s(id), &sfn.SucceedJsonataProps{
			Outputs: map[string]any{"statusCode": code, "body": "{% $string(" + body + ") %}"},
		})
	}

	// 1. The store's profile, and the variables the rest reads.
	loadStore := tasks.DynamoGetItem_Jsonata(st, s("LoadStore"), &tasks.DynamoGetItemJsonataProps{
		Table: r.catalog,
		Key: &map[string]tasks.DynamoAttributeValue{
			"pk": ddbS(`'STORE#' & $states.input.body.store_id`), "sk": tasks.DynamoAttributeValue_FromString(s("PROFILE")),
		},
		Assign: &map[string]any{
			"req":   "{% $states.input.body %}",
			"now":   "{% $states.input.requestTimeEpoch %}",
			"store": "{% $states.result.Item %}",
			// The id follows from the client's Idempotency-Key and the customer: a retried POST
			// finds its order, and nobody else's key can reach it.
			"orderId": "{% 'o-' & $substring($hash($states.input.idempotencyKey & '|' & $lowercase($states.input.body.customer.email), 'SHA-256'), 0, 20) %}",
		},
	})
	loadStore.AddRetry(dynamoRetry)

	badStore := answer("UnknownStore", 400, `{"error": "store_id must name one of the 60 stores, such as \"lon-01\", got \"" & $req.store_id & "\""}`)
	badPickup := answer("BadPickup", 400, `{"error": "pickup_at must be in the future and at most 30 days ahead, got \"" & $req.pickup_at & "\""}`)
	checkRequest := sfn.Choice_Jsonata(st, s("CheckRequest"), &sfn.ChoiceJsonataProps{
		Assign: &map[string]any{
			// The store's local day of the pickup: stock is baked and counted per local day.
			"day": "{% $exists($store) ? $fromMillis($toMillis($req.pickup_at), '[Y0001]-[M01]-[D01]', $store.tz_offset.S) : '' %}",
			// Stock items have one writing region: the store's home region writes "<store>#<day>";
			// the other region, accepting the store's orders while the home region is down, writes
			// its own "<store>#<day>@<region>" with a failover allotment of the par.
			"home": "{% $exists($store) and $store.region.S = " + here + " %}",
			"stockPk": "{% $exists($store) ? $req.store_id & '#' & $fromMillis($toMillis($req.pickup_at), '[Y0001]-[M01]-[D01]', $store.tz_offset.S) & " +
				"($store.region.S = " + here + " ? '' : '@' & " + here + ") : '' %}",
		},
	})

	// 2. Claim the order id: a second POST with the same key lands on the existing order.
	claim := tasks.DynamoPutItem_Jsonata(st, s("ClaimOrder"), &tasks.DynamoPutItemJsonataProps{
		Table: r.orders,
		Item: &map[string]tasks.DynamoAttributeValue{
			"orderId":    ddbS(`$orderId`),
			"region":     tasks.DynamoAttributeValue_FromString(s(r.region)), // the order's only writer
			"status":     tasks.DynamoAttributeValue_FromString(s("received")),
			"store_id":   ddbS(`$req.store_id`),
			"created_at": ddbS(`$fromMillis($now)`),
		},
		ConditionExpression: s("attribute_not_exists(orderId)"),
	})
	claim.AddRetry(dynamoRetry)
	existing := tasks.DynamoGetItem_Jsonata(st, s("GetExisting"), &tasks.DynamoGetItemJsonataProps{
		Table: r.orders, Key: &map[string]tasks.DynamoAttributeValue{"orderId": ddbS(`$orderId`)}, ConsistentRead: jsii.Bool(true),
	})
	existing.AddRetry(dynamoRetry)
	replay := answer("Replay", 200, `{"order_id": $orderId, "status": $states.input.Item.status.S, "total": $exists($states.input.Item.total) ? $number($states.input.Item.total.N) : null, `+
		`"currency": $exists($states.input.Item.currency) ? $states.input.Item.currency.S : null, "channel": "/orders/" & $orderId, "replayed": true}`)
	claim.AddCatch(existing.Next(replay), &sfn.CatchProps{Errors: jsii.Strings(errConditionFailed)})

	// 3. Stock and prices at once: a Parallel state of two Maps of direct DynamoDB calls.
	itemKey := &map[string]tasks.DynamoAttributeValue{
		"pk": ddbS(`'ITEM#' & $states.input.item_id`), "sk": tasks.DynamoAttributeValue_FromString(s("PRICE")),
	}
	getPar := tasks.DynamoGetItem_Jsonata(st, s("GetPar"), &tasks.DynamoGetItemJsonataProps{
		Table: r.catalog, Key: itemKey,
		Outputs: map[string]any{
			"item_id": "{% $states.input.item_id %}", "quantity": "{% $states.input.quantity %}",
			"known": "{% $exists($states.result.Item) %}",
			"par": "{% $exists($states.result.Item) ? $floor($number($states.result.Item.par.N) * $number($store.scale_percent.N) / 100" +
				" * ($home ? 100 : " + fmt.Sprint(FailoverStockPercent) + ") / 100) : 0 %}",
		},
	})
	getPar.AddRetry(dynamoRetry)
	reserve := tasks.DynamoUpdateItem_Jsonata(st, s("Reserve"), &tasks.DynamoUpdateItemJsonataProps{
		Table: r.stock,
		Key: &map[string]tasks.DynamoAttributeValue{
			"pk": ddbS(`$stockPk`), "item_id": ddbS(`$states.input.item_id`),
		},
		// One item per store, day, menu item and writing region, decremented in place: no
		// growing hot item, and no item two regions write.
		UpdateExpression:    s("SET remaining = if_not_exists(remaining, :par) - :q"),
		ConditionExpression: s("(attribute_not_exists(remaining) AND :par >= :q) OR remaining >= :q"),
		ExpressionAttributeValues: &map[string]tasks.DynamoAttributeValue{
			":par": ddbN(`$states.input.par`), ":q": ddbN(`$states.input.quantity`),
		},
		Outputs: map[string]any{"item_id": "{% $states.input.item_id %}", "quantity": "{% $states.input.quantity %}", "reserved": true},
	})
	reserve.AddRetry(dynamoRetry)
	soldOut := sfn.Pass_Jsonata(st, s("SoldOut"), &sfn.PassJsonataProps{
		Outputs: map[string]any{"item_id": "{% $states.input.item_id %}", "soldOut": true},
	})
	reserve.AddCatch(soldOut, &sfn.CatchProps{Errors: jsii.Strings(errConditionFailed), Outputs: "{% $states.input %}"})
	unknown := sfn.Pass_Jsonata(st, s("UnknownItem"), &sfn.PassJsonataProps{
		Outputs: map[string]any{"item_id": "{% $states.input.item_id %}", "unknown": true},
	})
	known := sfn.Choice_Jsonata(st, s("KnownItem"), nil).
		When(sfn.Condition_Jsonata(s("{% $states.input.known %}")), reserve, nil).
		Otherwise(unknown)
	stockMap := sfn.Map_Jsonata(st, s("ReserveStock"), &sfn.MapJsonataProps{
		Items: sfn.ProvideItems_Jsonata(s("{% $req.items %}")), MaxConcurrency: jsii.Number(0),
	})
	stockMap.ItemProcessor(getPar.Next(known), nil)

	getPrice := tasks.DynamoGetItem_Jsonata(st, s("GetPrice"), &tasks.DynamoGetItemJsonataProps{
		Table: r.catalog, Key: itemKey,
		Outputs: "{% $exists($states.result.Item) ? {" +
			`"item_id": $states.input.item_id, "name": $states.result.Item.name.S, "quantity": $states.input.quantity, ` +
			`"unit_price": $number($lookup($states.result.Item.prices.M, $store.currency.S).N), ` +
			`"line_total": $number($lookup($states.result.Item.prices.M, $store.currency.S).N) * $states.input.quantity` +
			"} : {\"item_id\": $states.input.item_id, \"unknown\": true} %}",
	})
	getPrice.AddRetry(dynamoRetry)
	priceMap := sfn.Map_Jsonata(st, s("PriceLines"), &sfn.MapJsonataProps{
		Items: sfn.ProvideItems_Jsonata(s("{% $req.items %}")), MaxConcurrency: jsii.Number(0),
	})
	priceMap.ItemProcessor(getPrice, nil)

	checkAndPrice := sfn.Parallel_Jsonata(st, s("CheckAndPrice"), &sfn.ParallelJsonataProps{
		Assign: &map[string]any{"stock": "{% $states.result[0] %}", "lines": "{% $states.result[1] %}"},
	})
	checkAndPrice.Branch(stockMap)
	checkAndPrice.Branch(priceMap)

	// 4. A refusal gives back what was reserved and records why.
	release := releaseStock(r, "ReleaseRefused", `[$stock[reserved = true]]`, `$stockPk`, dynamoRetry)
	markRefused := tasks.DynamoUpdateItem_Jsonata(st, s("MarkRefused"), &tasks.DynamoUpdateItemJsonataProps{
		Table:                    r.orders,
		Key:                      &map[string]tasks.DynamoAttributeValue{"orderId": ddbS(`$orderId`)},
		UpdateExpression:         s("SET #s = :s, failure_reason = :r"),
		ExpressionAttributeNames: &map[string]*string{"#s": s("status")},
		ExpressionAttributeValues: &map[string]tasks.DynamoAttributeValue{
			":s": tasks.DynamoAttributeValue_FromString(s("failed")),
			":r": ddbS(`$count($stock[unknown = true]) > 0 ? 'unknown item ' & $stock[unknown = true][0].item_id : 'sold out: ' & $stock[soldOut = true][0].item_id`),
		},
	})
	markRefused.AddRetry(dynamoRetry)
	refused := sfn.Choice_Jsonata(st, s("WhyRefused"), nil).
		When(sfn.Condition_Jsonata(s("{% $count($stock[unknown = true]) > 0 %}")),
			answer("UnknownItemAnswer", 400, `{"error": "items: item_id must name an item on the menu, such as \"croissant\", got \"" & $stock[unknown = true][0].item_id & "\"", "order_id": $orderId}`), nil).
		Otherwise(answer("SoldOutAnswer", 409, `{"error": $stock[soldOut = true][0].item_id & " is sold out at " & $req.store_id, "order_id": $orderId}`))

	// 5. Totals in JSONata (bakery.TaxOn: half up on the subtotal), then the order and its event.
	totals := sfn.Pass_Jsonata(st, s("Totals"), &sfn.PassJsonataProps{
		Assign: &map[string]any{"subtotal": "{% $sum($lines.line_total) %}"},
	})
	order := sfn.Pass_Jsonata(st, s("Order"), &sfn.PassJsonataProps{
		Assign: &map[string]any{"order": "{% (" +
			"$tax := $floor(($subtotal * $number($store.tax_bp.N) + 5000) / 10000); " +
			`{"store_id": $req.store_id, "day": $day, "customer": {"name": $trim($req.customer.name), "email": $req.customer.email}, ` +
			`"items": $lines, "currency": $store.currency.S, "subtotal": $subtotal, "tax": $tax, "total": $subtotal + $tax, ` +
			`"pickup_at": $fromMillis($toMillis($req.pickup_at)), "region": ` + here + `, "stock_pk": $stockPk}` +
			") %}"},
	})
	save := tasks.DynamoUpdateItem_Jsonata(st, s("SaveOrder"), &tasks.DynamoUpdateItemJsonataProps{
		Table: r.orders,
		Key:   &map[string]tasks.DynamoAttributeValue{"orderId": ddbS(`$orderId`)},
		UpdateExpression: s("SET #s = :s, store_id = :store, #day = :day, customer_json = :customer, items_json = :items, currency = :cur, " +
			"subtotal = :subtotal, tax = :tax, #total = :total, pickup_at = :pickup, email = :email, stock_pk = :stockPk"),
		ExpressionAttributeNames: &map[string]*string{"#s": s("status"), "#day": s("day"), "#total": s("total")},
		ExpressionAttributeValues: &map[string]tasks.DynamoAttributeValue{
			":s":        tasks.DynamoAttributeValue_FromString(s("pending-payment")),
			":store":    ddbS(`$order.store_id`),
			":day":      ddbS(`$order.day`),
			":customer": ddbS(`$string($order.customer)`),
			":items":    ddbS(`$string($order.items)`),
			":cur":      ddbS(`$order.currency`),
			":subtotal": ddbN(`$order.subtotal`),
			":tax":      ddbN(`$order.tax`),
			":total":    ddbN(`$order.total`),
			":pickup":   ddbS(`$order.pickup_at`),
			":email":    ddbS(`$lowercase($order.customer.email)`),
			":stockPk":  ddbS(`$order.stock_pk`),
		},
	})
	save.AddRetry(dynamoRetry)
	announce := putEvent(r, "AnnounceOrderPlaced", "OrderPlaced", orderDetail("pending-payment", nil), eventsRetry)
	accepted := answer("Accepted", 201, `{"order_id": $orderId, "status": "pending-payment", "total": $order.total, "currency": $order.currency, `+
		`"channel": "/orders/" & $orderId}`)

	checkRequest.
		When(sfn.Condition_Jsonata(s("{% $not($exists($store)) %}")), badStore, nil).
		When(sfn.Condition_Jsonata(s("{% $toMillis($req.pickup_at) <= $now or $toMillis($req.pickup_at) > $now + 30 * 86400000 %}")), badPickup, nil).
		Otherwise(claim.Next(checkAndPrice).Next(
			sfn.Choice_Jsonata(st, s("AllReserved"), nil).
				When(sfn.Condition_Jsonata(s("{% $count($stock[reserved = true]) = $count($req.items) %}")),
					totals.Next(order).Next(save).Next(announce).Next(accepted), nil).
				Otherwise(release.Next(markRefused).Next(refused))))

	return sfn.NewStateMachine(st, s("PlaceOrder"), &sfn.StateMachineProps{
		StateMachineType: sfn.StateMachineType_EXPRESS,
		QueryLanguage:    sfn.QueryLanguage_JSONATA,
		Comment:          s("POST /orders: validate, reserve stock, price, save and announce an order; only DynamoDB and EventBridge calls"),
		DefinitionBody:   sfn.DefinitionBody_FromChainable(loadStore.Next(checkRequest)),
		Timeout:          awscdk.Duration_Seconds(jsii.Number(25)),
		TracingEnabled:   jsii.Bool(true),
		Logs: &sfn.LogOptions{
			Destination: awslogs.NewLogGroup(st, s("PlaceOrderLogs"), &awslogs.LogGroupProps{
				Retention: awslogs.RetentionDays_TWO_WEEKS, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
			}),
			// ERROR, not ALL: logging every execution of the busiest workflow would cost more
			// than the executions (see the cdk-nag suppression).
			Level: sfn.LogLevel_ERROR,
		},
	})
}

// releaseStock gives back reserved lines: a Map of ADD updates on the stock items.
func releaseStock(r *resources, id, lines, pk string, retry *sfn.RetryProps) sfn.Map {
	give := tasks.DynamoUpdateItem_Jsonata(r.stack, s(id+"Line"), &tasks.DynamoUpdateItemJsonataProps{
		Table: r.stock,
		Key: &map[string]tasks.DynamoAttributeValue{
			"pk": ddbS(pk), "item_id": ddbS(`$states.input.item_id`),
		},
		UpdateExpression:          s("ADD remaining :q"),
		ConditionExpression:       s("attribute_exists(remaining)"),
		ExpressionAttributeValues: &map[string]tasks.DynamoAttributeValue{":q": ddbN(`$states.input.quantity`)},
	})
	give.AddRetry(retry)
	// A line whose stock item is gone has nothing to give back.
	give.AddCatch(sfn.Pass_Jsonata(r.stack, s(id+"Gone"), nil), &sfn.CatchProps{Errors: jsii.Strings(errConditionFailed)})
	m := sfn.Map_Jsonata(r.stack, s(id), &sfn.MapJsonataProps{
		Items: sfn.ProvideItems_Jsonata(s("{% " + lines + " %}")), MaxConcurrency: jsii.Number(0),
	})
	m.ItemProcessor(give, nil)
	return m
}

// setStatus is a direct DynamoDB update of the order's status (and extra attributes), from the
// workflow variables $orderId and those the values name.
func setStatus(r *resources, id, status, extra string, values map[string]tasks.DynamoAttributeValue) tasks.DynamoUpdateItem {
	// Only the region that accepted the order writes it: the condition turns a breach of that
	// rule into an error in the execution's history instead of a silent last-writer-wins
	// overwrite of the other region's version.
	vals := map[string]tasks.DynamoAttributeValue{":s": tasks.DynamoAttributeValue_FromString(s(status)),
		":here": tasks.DynamoAttributeValue_FromString(s(r.region))}
	for k, v := range values {
		vals[k] = v
	}
	t := tasks.DynamoUpdateItem_Jsonata(r.stack, s(id), &tasks.DynamoUpdateItemJsonataProps{
		Table:                     r.orders,
		Key:                       &map[string]tasks.DynamoAttributeValue{"orderId": ddbS(`$orderId`)},
		UpdateExpression:          s("SET #s = :s" + extra),
		ConditionExpression:       s("#r = :here"),
		ExpressionAttributeNames:  &map[string]*string{"#s": s("status"), "#r": s("region")},
		ExpressionAttributeValues: &vals,
		Outputs:                   "{% $states.input %}",
	})
	t.AddRetry(outageRetry) // every status write is after the customer's answer
	return t
}

// takeOrder is a nested workflow's first state: the variables its steps read, from its input.
func takeOrder(r *resources, id string, extra map[string]any) sfn.Pass {
	assign := map[string]any{"order": "{% $states.input.order %}", "orderId": "{% $states.input.order.order_id %}"}
	for k, v := range extra {
		assign[k] = v
	}
	return sfn.Pass_Jsonata(r.stack, s(id), &sfn.PassJsonataProps{Assign: &assign})
}

// answerParent ends a nested workflow's task early: it fails the parent's waiting state with
// an error whose cause is the order's failure reason. (A nested workflow started with
// .waitForTaskToken answers only through its token; without this, the parent would wait for
// its task timeout.)
func answerParent(r *resources, id, errName, cause string) tasks.CallAwsService {
	t := tasks.CallAwsService_Jsonata(r.stack, s(id), &tasks.CallAwsServiceJsonataProps{
		Service: s("sfn"), Action: s("sendTaskFailure"),
		Parameters: &map[string]any{"TaskToken": "{% $token %}", "Error": errName, "Cause": cause},
		// The parent's ARN would make a cycle (the parent starts this workflow); the token is
		// the capability, and the resource is scoped to this account and region.
		IamResources: &[]*string{awscdk.Fn_Sub(s("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:*"), nil)},
		IamAction:    s("states:SendTaskFailure"),
	})
	t.AddRetry(outageRetry)
	return t
}

func expressMachine(r *resources, id, comment string, definition sfn.IChainable) sfn.StateMachine {
	return sfn.NewStateMachine(r.stack, s(id), &sfn.StateMachineProps{
		StateMachineType: sfn.StateMachineType_EXPRESS,
		QueryLanguage:    sfn.QueryLanguage_JSONATA,
		Comment:          s(comment),
		DefinitionBody:   sfn.DefinitionBody_FromChainable(definition),
		Timeout:          awscdk.Duration_Minutes(jsii.Number(5)), // Express's longest: outageRetry can take four
		TracingEnabled:   jsii.Bool(true),
		Logs: &sfn.LogOptions{
			Destination: awslogs.NewLogGroup(r.stack, s(id+"Logs"), &awslogs.LogGroupProps{
				Retention: awslogs.RetentionDays_TWO_WEEKS, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
			}),
			Level: sfn.LogLevel_ERROR,
		},
	})
}

// newChargeOrder is the nested express workflow before the payment: fraud screen, then the
// payment message carrying the parent's task token, which the payment worker answers.
func newChargeOrder(r *resources) sfn.StateMachine {
	st := r.stack
	screen := tasks.LambdaInvoke_Jsonata(st, s("ScreenFraud"), &tasks.LambdaInvokeJsonataProps{
		LambdaFunction:           r.fns["fraud-screen"],
		Payload:                  sfn.TaskInput_FromText(s("{% $order %}")),
		RetryOnServiceExceptions: jsii.Bool(true),
		Outputs:                  "{% $states.result.Payload %}",
	})
	screen.AddCatch(answerParent(r, "FraudScreenFailed", "Order.FraudScreenFailed", "{% 'fraud-screen: ' & $states.input.Error %}"),
		&sfn.CatchProps{Errors: jsii.Strings("States.ALL")})
	pay := tasks.SqsSendMessage_Jsonata(st, s("Pay"), &tasks.SqsSendMessageJsonataProps{
		Queue: r.paymentQueue,
		MessageBody: sfn.TaskInput_FromObject(&map[string]any{
			"order_id": "{% $orderId %}", "amount": "{% $order.total %}", "currency": "{% $order.currency %}",
			"email": "{% $order.customer.email %}", "task_token": "{% $token %}",
		}),
	})
	pay.AddRetry(outageRetry)
	pay.AddCatch(answerParent(r, "PaymentQueueFailed", "Order.PaymentQueueFailed", "{% 'payment: ' & $states.input.Error %}"),
		&sfn.CatchProps{Errors: jsii.Strings("States.ALL")})
	risky := sfn.Choice_Jsonata(st, s("Risky"), nil).
		When(sfn.Condition_Jsonata(s("{% $states.input.risk = 'high' %}")),
			answerParent(r, "HighRisk", "Order.HighRisk", "fraud-screen: high risk"), nil).
		Otherwise(pay)
	return expressMachine(r, "ChargeOrder",
		"Nested in OrderLifecycle: fraud screen, then the payment message with the lifecycle's task token",
		takeOrder(r, "TakeOrderToCharge", map[string]any{"token": "{% $states.input.token %}"}).Next(screen).Next(risky))
}

// newPrepareOrder is the nested express workflow between payment and kitchen: record and
// announce paid and preparing, then the kitchen's ticket with the parent's task token.
func newPrepareOrder(r *resources) sfn.StateMachine {
	markPaid := setStatus(r, "MarkPaid", "paid", ", paid_at = :at, payment_ref = :ref",
		map[string]tasks.DynamoAttributeValue{":at": ddbS(`$paidAt`), ":ref": ddbS(`$paymentRef`)})
	announcePaid := putEvent(r, "AnnounceOrderPaid", "OrderPaid", orderDetail("paid", map[string]any{"payment_ref": "{% $paymentRef %}"}), outageRetry)
	markPreparing := setStatus(r, "MarkPreparing", "preparing", "", nil)
	announcePreparing := putEvent(r, "AnnounceOrderPreparing", "OrderPreparing", orderDetail("preparing", nil), outageRetry)
	kitchen := tasks.SqsSendMessage_Jsonata(r.stack, s("SendKitchenTicket"), &tasks.SqsSendMessageJsonataProps{
		Queue: r.kitchenQueue,
		MessageBody: sfn.TaskInput_FromObject(&map[string]any{
			"order_id": "{% $orderId %}", "store_id": "{% $order.store_id %}", "pickup_at": "{% $order.pickup_at %}",
			"lines": "{% $order.items %}", "task_token": "{% $token %}",
		}),
	})
	kitchen.AddRetry(outageRetry)
	fail := answerParent(r, "PrepareFailed", "Order.PrepareFailed", "{% 'kitchen: ' & $states.input.Error %}")
	chain := sfn.Chain_Start(markPaid)
	for _, t := range []interface {
		AddCatch(sfn.IChainable, *sfn.CatchProps) sfn.TaskStateBase
	}{markPaid, announcePaid, markPreparing, announcePreparing, kitchen} {
		t.AddCatch(fail, &sfn.CatchProps{Errors: jsii.Strings("States.ALL")})
	}
	chain = chain.Next(announcePaid).Next(markPreparing).Next(announcePreparing).Next(kitchen)
	return expressMachine(r, "PrepareOrder",
		"Nested in OrderLifecycle: record and announce paid and preparing, then the kitchen ticket with the lifecycle's task token",
		takeOrder(r, "TakeOrderToPrepare", map[string]any{
			"token": "{% $states.input.token %}", "paymentRef": "{% $states.input.payment_ref %}", "paidAt": "{% $states.input.paid_at %}",
		}).Next(chain))
}

// newRecordReady is the nested express workflow after the kitchen: record and announce ready.
func newRecordReady(r *resources) sfn.StateMachine {
	markReady := setStatus(r, "MarkReady", "ready", ", ready_at = :at", map[string]tasks.DynamoAttributeValue{":at": ddbS(`$now()`)})
	announceReady := putEvent(r, "AnnounceOrderReady", "OrderReady", orderDetail("ready", map[string]any{"payment_ref": "{% $paymentRef %}"}), outageRetry)
	return expressMachine(r, "RecordReady", "Nested in OrderLifecycle: record and announce that the kitchen has the order ready",
		takeOrder(r, "TakeReadyOrder", map[string]any{"paymentRef": "{% $states.input.payment_ref %}"}).Next(markReady).Next(announceReady))
}

// newOrderLifecycle is the asynchronous part: a standard workflow per order, started by
// OrderPlaced. It keeps the order's audit trail and the two waits only a standard workflow can
// do (the payment and the kitchen answer its task tokens); the work between the waits runs in
// nested express workflows. A standard workflow is billed per state transition and an express
// one per execution, so the lifecycle costs three transitions per order instead of twelve.
func newOrderLifecycle(r *resources) sfn.StateMachine {
	st := r.stack
	charge, prepare, ready := newChargeOrder(r), newPrepareOrder(r), newRecordReady(r)

	// Failure: give the stock back (when it was not baked yet), record why, tell everyone.
	announceFailed := putEvent(r, "AnnounceOrderFailed", "OrderFailed", orderDetail("failed", map[string]any{"reason": "{% $reason %}"}), outageRetry)
	markFailed := setStatus(r, "MarkFailed", "failed", ", failure_reason = :r", map[string]tasks.DynamoAttributeValue{":r": ddbS(`$reason`)})
	markFailed.
		Next(announceFailed).
		Next(sfn.Fail_Jsonata(st, s("OrderFailed"), &sfn.FailJsonataProps{Error: s("Order.Failed"), Cause: s("{% $reason %}")}))
	release := releaseStock(r, "ReleaseStock", `$order.items`, `$order.stock_pk`, outageRetry)
	release.Next(markFailed)

	// 1. Fraud screen and payment: the nested workflow sends the payment message with this
	// state's token; the payment worker answers it after the provider's answer.
	pay := tasks.StepFunctionsStartExecution_Jsonata(st, s("Charge"), &tasks.StepFunctionsStartExecutionJsonataProps{
		StateMachine:       charge,
		IntegrationPattern: sfn.IntegrationPattern_WAIT_FOR_TASK_TOKEN,
		Input: sfn.TaskInput_FromObject(&map[string]any{
			"order": "{% $states.input.detail %}", "token": "{% $states.context.Task.Token %}",
		}),
		// Five receives of 60 s visibility and the DLQ's redrive fit well within it.
		TaskTimeout: sfn.Timeout_Duration(awscdk.Duration_Seconds(jsii.Number(900))),
		Assign: &map[string]any{
			"order": "{% $states.input.detail %}", "orderId": "{% $states.input.detail.order_id %}",
			"paymentRef": "{% $states.result.payment_ref %}", "paidAt": "{% $states.result.charged_at %}",
		},
	})
	pay.AddRetry(outageRetry) // starting the nested workflow; its own failures (Order.*) are not retried
	pay.AddCatch(release, &sfn.CatchProps{Errors: jsii.Strings("States.ALL"), Assign: &map[string]any{
		"order": "{% $states.input.detail %}", "orderId": "{% $states.input.detail.order_id %}",
		// A nested workflow's own failure carries the reason as its cause.
		"reason": "{% $substring($states.errorOutput.Error, 0, 6) = 'Order.' ? $states.errorOutput.Cause : 'payment: ' & $states.errorOutput.Error %}",
	}})

	// 2. Paid, preparing and the kitchen's ticket; the kitchen answers the token through
	// POST /kitchen/ready.
	kitchen := tasks.StepFunctionsStartExecution_Jsonata(st, s("Prepare"), &tasks.StepFunctionsStartExecutionJsonataProps{
		StateMachine:       prepare,
		IntegrationPattern: sfn.IntegrationPattern_WAIT_FOR_TASK_TOKEN,
		Input: sfn.TaskInput_FromObject(&map[string]any{
			"order": "{% $order %}", "payment_ref": "{% $paymentRef %}", "paid_at": "{% $paidAt %}", "token": "{% $states.context.Task.Token %}",
		}),
		TaskTimeout: sfn.Timeout_Duration(awscdk.Duration_Hours(jsii.Number(1))),
	})
	// Baked or not, a paid order that fails here keeps its stock used; the refund-reconciler
	// records its refund.
	kitchen.AddRetry(outageRetry)
	kitchen.AddCatch(markFailed, &sfn.CatchProps{Errors: jsii.Strings("States.ALL"), Assign: &map[string]any{
		"reason": "{% $substring($states.errorOutput.Error, 0, 6) = 'Order.' ? $states.errorOutput.Cause : 'kitchen: ' & $states.errorOutput.Error %}",
	}})

	// 3. Ready: a nested workflow run to completion (.sync:2).
	done := tasks.StepFunctionsStartExecution_Jsonata(st, s("Ready"), &tasks.StepFunctionsStartExecutionJsonataProps{
		StateMachine:       ready,
		IntegrationPattern: sfn.IntegrationPattern_RUN_JOB,
		Input:              sfn.TaskInput_FromObject(&map[string]any{"order": "{% $order %}", "payment_ref": "{% $paymentRef %}"}),
	})
	// Service errors first: the second retrier's States.TaskFailed matches every task error.
	done.AddRetry(outageRetry)
	done.AddRetry(&sfn.RetryProps{Errors: jsii.Strings("States.TaskFailed"),
		Interval: awscdk.Duration_Seconds(jsii.Number(1)), BackoffRate: jsii.Number(2), MaxAttempts: jsii.Number(3), JitterStrategy: sfn.JitterType_FULL})

	return sfn.NewStateMachine(st, s("OrderLifecycle"), &sfn.StateMachineProps{
		StateMachineType: sfn.StateMachineType_STANDARD,
		QueryLanguage:    sfn.QueryLanguage_JSONATA,
		Comment:          s("An order's life after the customer has an answer: charge, kitchen, ready; the steps between the waits are nested express workflows"),
		DefinitionBody:   sfn.DefinitionBody_FromChainable(pay.Next(kitchen).Next(done)),
		Timeout:          awscdk.Duration_Hours(jsii.Number(3)),
		TracingEnabled:   jsii.Bool(true),
		Logs:             stateMachineLogs(r, "OrderLifecycle"),
	})
}
