package main

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsappsync"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awspipes"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// The regions: every store's orders go to its home region (bakery.Store.Region). The primary
// region's stack owns the global tables and seeds the catalog; the other refers to their
// replicas by name.
const (
	PrimaryRegion   = bakery.RegionEurope
	SecondaryRegion = bakery.RegionNorthAmerica
)

// Regions lists the stage's regions, the primary first (the deploy order).
var Regions = []string{PrimaryRegion, SecondaryRegion}

// StackName is the CloudFormation stack of this stage in region.
func StackName(region string) string { return "EmilysPastries05Global-" + region }

// Global tables: fixed names, because the secondary stack finds its replicas by name.
const (
	OrdersTableName  = "emilys-pastries-05-orders"
	CatalogTableName = "emilys-pastries-05-catalog"
	StockTableName   = "emilys-pastries-05-stock"
	SalesTableName   = "emilys-pastries-05-sales"
)

// Sizing that several resources share; the README explains each number.
const (
	// ProviderCapacity is how many charges the card provider works on at once for the shop: two
	// regional endpoints (Europe, North America) of 04's single endpoint's 20 each, one merchant
	// ledger (a charge's idempotency key is global). Offline the modelled provider gets this
	// capacity (cmd/offline).
	ProviderCapacity = 40
	// ProviderShare is one region's share of it. Charges in flight in a region =
	// MaximumConcurrency × charges per invocation ≤ this.
	ProviderShare = ProviderCapacity / 2
	// PaymentBatch is the payment queue's batch size: up to five payment requests per invocation,
	// charged in parallel (PaymentParallel), so that a rush pays one invocation for five charges
	// instead of five. The worker waits on the provider, not on its CPU, so the five overlap.
	PaymentBatch = 5
	// PaymentParallel is how many charges of its batch one invocation runs at once.
	PaymentParallel = 5
	// PaymentConcurrency is the payment mapping's MaximumConcurrency: the region's provider share
	// divided by the charges each invocation has in flight.
	PaymentConcurrency = ProviderShare / PaymentParallel
	// FailoverStockPercent is the share of a store's daily par that the other region may sell
	// while it accepts that store's orders (its home region down). The home region's stock items
	// are never written by the other region, so last-writer-wins cannot lose a reservation; the
	// price is that an outage may sell up to this share on top of par (README, data ownership).
	FailoverStockPercent = 20
	// VisibilityFactor is the talk's rule: a queue's visibility timeout is at least six times its
	// consumer's timeout (plus the batching window), so a retried invocation never overlaps the
	// message becoming visible again.
	VisibilityFactor = 6
	// MaxReceives is how often a message is received before it moves to its dead-letter queue.
	MaxReceives = 5
	// OrderSource is the EventBridge source of the order events (internal/event.Source).
	OrderSource = "emilys-pastries.orders"
	// PaymentSource is the source of the payment worker's events (internal/payments.Source).
	PaymentSource = "emilys-pastries.payments"
)

// StackProps configures NewStack.
type StackProps struct {
	awscdk.StackProps
	// StageDir is the stage directory, the one holding functions/. The CDK CLI runs the app from
	// there ("."); the tests run from infra/ ("..").
	StageDir string
	// Region is the stack's region; StackProps.Env gets it. The PrimaryRegion's stack owns the
	// global tables.
	Region string
}

// NewStacks defines the stage: one stack per region, the primary first; the secondary depends
// on it (its tables' replicas exist once the primary is deployed). No value crosses regions: the
// secondary finds the tables by name.
func NewStacks(scope constructs.Construct, stageDir string) []awscdk.Stack {
	var stacks []awscdk.Stack
	for _, region := range Regions {
		st := NewStack(scope, StackName(region), &StackProps{
			StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(region)},
				Description: jsii.String("Emily's Pastries 2025, " + region + " (05-global)")},
			StageDir: stageDir, Region: region,
		})
		if len(stacks) > 0 {
			st.AddDependency(stacks[0], jsii.String("its global tables' replicas come from the primary stack"))
		}
		stacks = append(stacks, st)
	}
	return stacks
}

// primary reports whether the stack owns the global tables.
func (p *StackProps) primary() bool { return p.Region == PrimaryRegion }

// function describes one of the ten functions.
type function struct {
	dir         string
	description string
	memory      float64 // MB
	timeout     float64 // seconds
}

// The ten functions; every one does work that needs code (see the README).
var functions = []function{
	// Memory: the payment worker is right-sized by `make tune STAGE=05-global FUNCTION=payment-worker`
	// (README): it waits on the provider, under 3 ms of CPU an invocation, so 128 MB is its
	// cheapest size and no slower. The others keep 04's sizes until they are measured.
	{"payment-worker", "charges the payment queue's batches at the provider and answers the waiting workflows", 128, 10},
	{"fraud-screen", "scores an order's fraud risk for the OrderLifecycle workflow", 128, 3},
	{"loyalty", "credits loyalty points from the loyalty queue, once per order", 128, 10},
	{"receipt-mailer", "renders a paid order's receipt into the outbox", 128, 10},
	{"sales-reporter", "adds batches of sales to sharded per-store-day counters", 128, 15},
	{"refund-reconciler", "records the refund due on a failed order that was charged", 128, 10},
	{"catalog-seeder", "seeds the catalog table as a CloudFormation custom resource", 256, 60},
	{"customer-notifier", "writes a failed order's apology into the outbox", 128, 10},
	{"daily-closer", "closes each store's day and refreshes its UTC offset, hourly", 256, 60},
	{"pickup-reminder", "reminds customers whose order still waits on the counter", 128, 10},
}

// resources are what the stack's parts wire together.
type resources struct {
	stack                                        awscdk.Stack
	region                                       string
	orders, catalog, stock, sales, customers, ob awsdynamodb.ITable
	bus                                          awsevents.EventBus
	fns                                          map[string]awslambda.Function
	asyncFailures, eventsDLQ                     awssqs.Queue
	paymentQueue, paymentDLQ, kitchenQueue       awssqs.Queue
}

// NewStack defines the 2024 system.
func NewStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	r := &resources{stack: stack, region: props.Region, fns: map[string]awslambda.Function{}}

	providerURL := awscdk.NewCfnParameter(stack, jsii.String("PaymentProviderUrl"), &awscdk.CfnParameterProps{
		Type: jsii.String("String"),
		Description: jsii.String("Base URL of the card-payment provider's endpoint in this region (it has one per region). For a workshop " +
			"account, deploy the provider first (make deploy-provider) and pass its PaymentProviderUrl output."),
		AllowedPattern:        jsii.String("https?://.+"),
		ConstraintDescription: jsii.String("must be an http(s) URL, such as https://abc123.lambda-url.eu-west-1.on.aws/"),
	}).ValueAsString()
	kitchenURL := awscdk.NewCfnParameter(stack, jsii.String("KitchenDisplayUrl"), &awscdk.CfnParameterProps{
		Type:                  jsii.String("String"),
		Description:           jsii.String("Base URL of the kitchen's tablet service, which receives tickets at POST /tickets (offline: http://kitchen.internal)."),
		AllowedPattern:        jsii.String("https?://.+"),
		ConstraintDescription: jsii.String("must be an http(s) URL"),
	}).ValueAsString()
	kitchenKey := awscdk.NewCfnParameter(stack, jsii.String("KitchenDisplayApiKey"), &awscdk.CfnParameterProps{
		Type:        jsii.String("String"),
		NoEcho:      jsii.Bool(true),
		MinLength:   jsii.Number(8),
		Description: jsii.String("The API key the kitchen's tablet service expects in x-api-key; kept by EventBridge in Secrets Manager."),
	})

	// Data: one table per owner, on-demand, DESTROY so that `make destroy` leaves nothing behind.
	// Orders, catalog, stock and sales are global tables; each item has one writing region
	// (internal/ddb/doc.go). Loyalty points and the outbox stay in the region that earned them.
	r.orders = newGlobalTable(stack, props, "Orders", OrdersTableName, "orderId", "")
	r.catalog = newGlobalTable(stack, props, "Catalog", CatalogTableName, "pk", "sk")
	r.stock = newGlobalTable(stack, props, "Stock", StockTableName, "pk", "item_id")
	r.sales = newGlobalTable(stack, props, "Sales", SalesTableName, "pk", "sk")
	r.customers = newTable(stack, "Customers", "pk", "sk")
	r.ob = newTable(stack, "Outbox", "recipient", "message_id")

	// The bus between domains, with an archive to replay a morning.
	r.bus = awsevents.NewEventBus(stack, jsii.String("Bus"), &awsevents.EventBusProps{EventBusName: jsii.String("emilys-pastries-05")})
	r.bus.Archive(jsii.String("Archive"), &awsevents.BaseArchiveProps{
		Description:  jsii.String("Every order and payment event, to replay a morning"),
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings(OrderSource, PaymentSource)},
		Retention:    awscdk.Duration_Days(jsii.Number(30)),
	})

	// Where failures land: asynchronous invocations that failed every retry, and events a rule
	// could not deliver. Nobody consumes them; people look at them and redrive.
	r.asyncFailures = newFinalQueue(stack, "AsyncFailures")
	r.eventsDLQ = newFinalQueue(stack, "EventsDlq")

	for _, f := range functions {
		if f.dir == "catalog-seeder" && !props.primary() {
			continue // the catalog reaches this region as a replica
		}
		r.fns[f.dir] = newFunction(stack, props.StageDir, f)
	}
	fn := r.fns
	env := func(name string, vars map[string]*string) {
		// Sorted: map order would reorder the template's variables from one synth to the next.
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			fn[name].AddEnvironment(jsii.String(k), vars[k], nil)
		}
	}

	// payment-worker: the payment queue, consumed with MaximumConcurrency so that charges in
	// flight never exceed the region's share of the provider's capacity; each invocation charges
	// its batch in parallel.
	pw := spec("payment-worker")
	r.paymentQueue, r.paymentDLQ = newWorkQueue(stack, "Payment", pw.timeout, 0)
	env("payment-worker", map[string]*string{"PAYMENT_PROVIDER_URL": providerURL, "EVENT_BUS_NAME": r.bus.EventBusName(),
		"MAX_PARALLEL_CHARGES": jsii.String(fmt.Sprint(PaymentParallel))})
	r.bus.GrantPutEventsTo(fn["payment-worker"], nil)
	fn["payment-worker"].AddEventSource(awslambdaeventsources.NewSqsEventSource(r.paymentQueue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(PaymentBatch),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(0)),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(PaymentConcurrency),
	}))

	// loyalty: batches of 10 or 2 s; the filter drops orders too small to earn a point before
	// they cost an invocation.
	lo := spec("loyalty")
	loyaltyQueue, _ := newWorkQueue(stack, "Loyalty", lo.timeout, 2)
	env("loyalty", map[string]*string{"CUSTOMERS_TABLE": r.customers.TableName()})
	r.customers.GrantReadWriteData(fn["loyalty"])
	fn["loyalty"].AddEventSource(awslambdaeventsources.NewSqsEventSource(loyaltyQueue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(10),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(2)),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(5),
		Filters: &[]*map[string]any{awslambda.FilterCriteria_Filter(&map[string]any{
			"body": map[string]any{"detail": map[string]any{
				// At least 1.00 in the order's currency. No upper bound: EventBridge's numeric
				// matching accepts values within ±5.0e9 only, and a bound adds nothing here.
				"total":    []any{map[string]any{"numeric": []any{">=", 100}}},
				"customer": map[string]any{"email": awslambda.FilterRule_Exists()},
			}},
		})},
	}))

	// sales-reporter: big batches (100 or 5 s) become one write per store-day.
	sr := spec("sales-reporter")
	salesQueue, _ := newWorkQueue(stack, "Sales", sr.timeout, 5)
	env("sales-reporter", map[string]*string{"SALES_TABLE": r.sales.TableName(), "HOME_REGION": jsii.String(props.Region)})
	r.sales.GrantReadWriteData(fn["sales-reporter"])
	fn["sales-reporter"].AddEventSource(awslambdaeventsources.NewSqsEventSource(salesQueue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(100),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(5)),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(2),
	}))

	// pickup-reminder: OrderReady waits 15 minutes in a delay queue.
	pr := spec("pickup-reminder")
	reminderQueue, _ := newWorkQueue(stack, "Reminder", pr.timeout, 0)
	reminderQueue.Node().DefaultChild().(awssqs.CfnQueue).SetDelaySeconds(jsii.Number(900))
	env("pickup-reminder", map[string]*string{"ORDERS_TABLE": r.orders.TableName(), "OUTBOX_TABLE": r.ob.TableName()})
	r.orders.GrantReadData(fn["pickup-reminder"])
	r.ob.GrantWriteData(fn["pickup-reminder"])
	fn["pickup-reminder"].AddEventSource(awslambdaeventsources.NewSqsEventSource(reminderQueue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(10),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(0)),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(2),
	}))

	// The asynchronous functions: EventBridge (or CloudFormation) invokes them; after two retries
	// the event goes to AsyncFailures with its error.
	for _, name := range []string{"receipt-mailer", "refund-reconciler", "customer-notifier", "daily-closer", "catalog-seeder"} {
		if fn[name] == nil {
			continue
		}
		fn[name].ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
			OnFailure:     awslambdadestinations.NewSqsDestination(r.asyncFailures),
			RetryAttempts: jsii.Number(2),
			MaxEventAge:   awscdk.Duration_Hours(jsii.Number(6)),
		})
	}
	env("receipt-mailer", map[string]*string{"OUTBOX_TABLE": r.ob.TableName()})
	r.ob.GrantWriteData(fn["receipt-mailer"])
	env("customer-notifier", map[string]*string{"OUTBOX_TABLE": r.ob.TableName()})
	r.ob.GrantWriteData(fn["customer-notifier"])
	env("refund-reconciler", map[string]*string{"ORDERS_TABLE": r.orders.TableName()})
	r.orders.GrantReadWriteData(fn["refund-reconciler"])
	env("daily-closer", map[string]*string{"SALES_TABLE": r.sales.TableName(), "CATALOG_TABLE": r.catalog.TableName(), "HOME_REGION": jsii.String(props.Region)})
	r.sales.GrantReadWriteData(fn["daily-closer"])
	r.catalog.GrantReadWriteData(fn["daily-closer"])
	if props.primary() {
		env("catalog-seeder", map[string]*string{"CATALOG_TABLE": r.catalog.TableName()})
		r.catalog.GrantWriteData(fn["catalog-seeder"])

		// The catalog, seeded from shared/bakery by a custom resource backed directly by the
		// seeder: no provider framework, whose extra Node.js functions would be three more
		// Lambdas. Only the primary seeds it; the global table replicates it.
		awscdk.NewCustomResource(stack, jsii.String("CatalogSeed"), &awscdk.CustomResourceProps{
			ServiceToken: fn["catalog-seeder"].FunctionArn(),
			ResourceType: jsii.String("Custom::CatalogSeed"),
			Properties:   &map[string]any{"MenuVersion": "2025-1"},
		})
	}

	// The workflows.
	r.kitchenQueue, _ = newWorkQueue(stack, "Kitchen", 5, 0) // the pipe's API destination call, 5 s at most
	placeOrder := newPlaceOrder(r)
	lifecycle := newOrderLifecycle(r)
	lifecycle.GrantTaskResponse(fn["payment-worker"])

	// Events between domains.
	target := func() *awseventstargets.SfnStateMachineProps {
		return &awseventstargets.SfnStateMachineProps{DeadLetterQueue: r.eventsDLQ, RetryAttempts: jsii.Number(185), MaxEventAge: awscdk.Duration_Hours(jsii.Number(1))}
	}
	rule := func(id string, detailTypes ...string) awsevents.Rule {
		return awsevents.NewRule(stack, jsii.String(id), &awsevents.RuleProps{
			EventBus:     r.bus,
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings(OrderSource, PaymentSource), DetailType: jsii.Strings(detailTypes...)},
		})
	}
	lambdaTarget := func(name string) awsevents.IRuleTarget {
		return awseventstargets.NewLambdaFunction(fn[name], &awseventstargets.LambdaFunctionProps{
			DeadLetterQueue: r.eventsDLQ, RetryAttempts: jsii.Number(185), MaxEventAge: awscdk.Duration_Hours(jsii.Number(6)),
		})
	}
	queueTarget := func(q awssqs.Queue, input awsevents.RuleTargetInput) awsevents.IRuleTarget {
		return awseventstargets.NewSqsQueue(q, &awseventstargets.SqsQueueProps{
			DeadLetterQueue: r.eventsDLQ, RetryAttempts: jsii.Number(185), MaxEventAge: awscdk.Duration_Hours(jsii.Number(6)), Message: input,
		})
	}
	rule("OrderPlacedRule", "OrderPlaced").AddTarget(awseventstargets.NewSfnStateMachine(lifecycle, target()))
	paid := rule("OrderPaidRule", "OrderPaid")
	paid.AddTarget(queueTarget(loyaltyQueue, nil))
	paid.AddTarget(lambdaTarget("receipt-mailer"))
	paid.AddTarget(queueTarget(salesQueue, awsevents.RuleTargetInput_FromObject(map[string]any{
		"order_id": awsevents.EventField_FromPath(jsii.String("$.detail.order_id")),
		"store_id": awsevents.EventField_FromPath(jsii.String("$.detail.store_id")),
		"day":      awsevents.EventField_FromPath(jsii.String("$.detail.day")),
		"total":    awsevents.EventField_FromPath(jsii.String("$.detail.total")),
		"currency": awsevents.EventField_FromPath(jsii.String("$.detail.currency")),
	})))
	failed := rule("OrderFailedRule", "OrderFailed")
	failed.AddTarget(lambdaTarget("refund-reconciler"))
	failed.AddTarget(lambdaTarget("customer-notifier"))
	rule("PaymentOrphanedRule", "PaymentOrphaned").AddTarget(lambdaTarget("refund-reconciler"))
	rule("OrderReadyRule", "OrderReady").AddTarget(queueTarget(reminderQueue, nil))
	awsevents.NewRule(stack, jsii.String("HourlyClose"), &awsevents.RuleProps{
		Schedule: awsevents.Schedule_Rate(awscdk.Duration_Hours(jsii.Number(1))),
	}).AddTarget(lambdaTarget("daily-closer"))

	// Live status: every order event reaches the customer's AppSync Events channel through an
	// API destination; no function formats or forwards it.
	events := awsappsync.NewEventApi(stack, jsii.String("Events"), &awsappsync.EventApiProps{
		ApiName: jsii.String("emilys-pastries-05"),
		AuthorizationConfig: &awsappsync.EventApiAuthConfig{AuthProviders: &[]*awsappsync.AppSyncAuthProvider{{
			AuthorizationType: awsappsync.AppSyncAuthorizationType_API_KEY,
		}}},
	})
	events.AddChannelNamespace(jsii.String("orders"), &awsappsync.ChannelNamespaceOptions{ChannelNamespaceName: jsii.String("orders")})
	var apiKey awsappsync.CfnApiKey
	for _, k := range *events.ApiKeys() {
		apiKey = k
	}
	publish := awsevents.NewApiDestination(stack, jsii.String("StatusPublish"), &awsevents.ApiDestinationProps{
		Connection: awsevents.NewConnection(stack, jsii.String("EventsConnection"), &awsevents.ConnectionProps{
			Description:   jsii.String("AppSync Events API key"),
			Authorization: awsevents.Authorization_ApiKey(jsii.String("x-api-key"), awscdk.SecretValue_ResourceAttribute(apiKey.AttrApiKey())),
		}),
		Endpoint:           awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), events.HttpDns(), jsii.String("/event")}),
		HttpMethod:         awsevents.HttpMethod_POST,
		RateLimitPerSecond: jsii.Number(300),
		Description:        jsii.String("Publishes an order's status to its channel /orders/<order id>"),
	})
	status := awsevents.EventField_FromPath(jsii.String("$.detail.status"))
	rule("StatusToPhoneRule", "OrderPlaced", "OrderPaid", "OrderPreparing", "OrderReady", "OrderFailed").AddTarget(
		awseventstargets.NewApiDestination(publish, &awseventstargets.ApiDestinationProps{
			DeadLetterQueue: r.eventsDLQ, RetryAttempts: jsii.Number(3), MaxEventAge: awscdk.Duration_Minutes(jsii.Number(5)),
			Event: awsevents.RuleTargetInput_FromObject(map[string]any{
				"channel": "/orders/" + *awsevents.EventField_FromPath(jsii.String("$.detail.order_id")),
				"events":  []any{`{"status":"` + *status + `","at":"` + *awsevents.EventField_Time() + `"}`},
			}),
		}))

	// The kitchen: a pipe turns each kitchen queue message into a ticket for the kitchen's
	// tablet service, by configuration (03's kitchen-ticket function did it in code).
	newKitchenPipe(r, kitchenURL, kitchenKey)

	api := newAPI(r, placeOrder, lifecycle)

	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Description: jsii.String("Base URL of the API, ending in /prod/"), Value: api.Url()})
	awscdk.NewCfnOutput(stack, jsii.String("EventsHttpUrl"), &awscdk.CfnOutputProps{Description: jsii.String("AppSync Events HTTP endpoint (publish)"),
		Value: awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), events.HttpDns(), jsii.String("/event")})})
	awscdk.NewCfnOutput(stack, jsii.String("EventsRealtimeUrl"), &awscdk.CfnOutputProps{Description: jsii.String("AppSync Events WebSocket endpoint (subscribe to /orders/<order id>)"),
		Value: awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("wss://"), events.RealtimeDns(), jsii.String("/event/realtime")})})
	awscdk.NewCfnOutput(stack, jsii.String("EventsApiKey"), &awscdk.CfnOutputProps{
		Description: jsii.String("The Events API's public client key, as a phone app embeds it (it can subscribe and publish to order channels; rotate it with aws appsync update-api-key)"),
		Value:       apiKey.AttrApiKey()})
	awscdk.NewCfnOutput(stack, jsii.String("PaymentQueueUrl"), &awscdk.CfnOutputProps{Description: jsii.String("The payment queue"), Value: r.paymentQueue.QueueUrl()})
	awscdk.NewCfnOutput(stack, jsii.String("PaymentDlqUrl"), &awscdk.CfnOutputProps{Description: jsii.String("The payment dead-letter queue; redrive with aws sqs start-message-move-task --source-arn <its ARN>"), Value: r.paymentDLQ.QueueUrl()})
	awscdk.NewCfnOutput(stack, jsii.String("BusName"), &awscdk.CfnOutputProps{Description: jsii.String("The event bus between domains"), Value: r.bus.EventBusName()})
	awscdk.NewCfnOutput(stack, jsii.String("Region"), &awscdk.CfnOutputProps{Description: jsii.String("The region this stack serves; its stores' orders come here"), Value: stack.Region()})

	suppress(r)
	return stack
}

func spec(dir string) function {
	for _, f := range functions {
		if f.dir == dir {
			return f
		}
	}
	panic("no function " + dir)
}

// newGlobalTable is a global table: the primary stack defines it with a replica in every other
// region (AWS::DynamoDB::GlobalTable); the other stacks refer to their replica by name, so no
// value crosses regions and no custom resource is needed.
func newGlobalTable(stack awscdk.Stack, props *StackProps, id, name, pk, sk string) awsdynamodb.ITable {
	if !props.primary() {
		return awsdynamodb.TableV2_FromTableName(stack, jsii.String(id), jsii.String(name))
	}
	var replicas []*awsdynamodb.ReplicaTableProps
	for _, r := range Regions {
		if r != props.Region {
			replicas = append(replicas, &awsdynamodb.ReplicaTableProps{Region: jsii.String(r)})
		}
	}
	tp := &awsdynamodb.TablePropsV2{
		TableName:                        jsii.String(name),
		PartitionKey:                     &awsdynamodb.Attribute{Name: jsii.String(pk), Type: awsdynamodb.AttributeType_STRING},
		Billing:                          awsdynamodb.Billing_OnDemand(nil),
		RemovalPolicy:                    awscdk.RemovalPolicy_DESTROY,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: jsii.Bool(true)},
		Replicas:                         &replicas,
	}
	if sk != "" {
		tp.SortKey = &awsdynamodb.Attribute{Name: jsii.String(sk), Type: awsdynamodb.AttributeType_STRING}
	}
	return awsdynamodb.NewTableV2(stack, jsii.String(id), tp)
}

func newTable(stack awscdk.Stack, id, pk, sk string) awsdynamodb.ITable {
	props := &awsdynamodb.TableProps{
		PartitionKey:                     &awsdynamodb.Attribute{Name: jsii.String(pk), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:                      awsdynamodb.BillingMode_PAY_PER_REQUEST,
		RemovalPolicy:                    awscdk.RemovalPolicy_DESTROY,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: jsii.Bool(true)},
	}
	if sk != "" {
		props.SortKey = &awsdynamodb.Attribute{Name: jsii.String(sk), Type: awsdynamodb.AttributeType_STRING}
	}
	return awsdynamodb.NewTable(stack, jsii.String(id), props)
}

// newWorkQueue is a queue with its dead-letter queue: visibility timeout VisibilityFactor × the
// consumer's timeout plus its batching window, MaxReceives receives, then the DLQ (kept 14 days).
func newWorkQueue(stack awscdk.Stack, id string, consumerTimeout, window float64) (awssqs.Queue, awssqs.Queue) {
	dlq := newFinalQueue(stack, id+"Dlq")
	q := awssqs.NewQueue(stack, jsii.String(id+"Queue"), &awssqs.QueueProps{
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(VisibilityFactor*consumerTimeout + window)),
		RetentionPeriod:   awscdk.Duration_Days(jsii.Number(4)),
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(MaxReceives)},
	})
	return q, dlq
}

// newFinalQueue is a queue where failed messages wait 14 days for people and a redrive.
func newFinalQueue(stack awscdk.Stack, id string) awssqs.Queue {
	return awssqs.NewQueue(stack, jsii.String(id), &awssqs.QueueProps{
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
}

// newKitchenPipe defines the pipe from the kitchen queue to the kitchen's tablet service.
func newKitchenPipe(r *resources, kitchenURL *string, kitchenKey awscdk.CfnParameter) {
	stack := r.stack
	display := awsevents.NewApiDestination(stack, jsii.String("KitchenDisplay"), &awsevents.ApiDestinationProps{
		Connection: awsevents.NewConnection(stack, jsii.String("KitchenConnection"), &awsevents.ConnectionProps{
			Description:   jsii.String("The kitchen tablet service's API key"),
			Authorization: awsevents.Authorization_ApiKey(jsii.String("x-api-key"), awscdk.SecretValue_CfnParameter(kitchenKey)),
		}),
		Endpoint:           awscdk.Fn_Join(jsii.String(""), &[]*string{kitchenURL, jsii.String("/tickets")}),
		HttpMethod:         awsevents.HttpMethod_POST,
		RateLimitPerSecond: jsii.Number(50),
		Description:        jsii.String("The kitchen's tablets: one ticket per paid order"),
	})
	role := awsiam.NewRole(stack, jsii.String("KitchenPipeRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("pipes.amazonaws.com"), nil),
		Description: jsii.String("Reads the kitchen queue and calls the kitchen display"),
	})
	r.kitchenQueue.GrantConsumeMessages(role)
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("events:InvokeApiDestination"),
		Resources: &[]*string{display.ApiDestinationArn()},
	}))
	awspipes.NewCfnPipe(stack, jsii.String("KitchenTickets"), &awspipes.CfnPipeProps{
		Name:        jsii.String("emilys-pastries-05-kitchen-tickets"),
		Description: jsii.String("Kitchen queue → ticket → kitchen display, by configuration (was 03's kitchen-ticket function)"),
		RoleArn:     role.RoleArn(),
		Source:      r.kitchenQueue.QueueArn(),
		SourceParameters: &awspipes.CfnPipe_PipeSourceParametersProperty{
			SqsQueueParameters: &awspipes.CfnPipe_PipeSourceSqsQueueParametersProperty{BatchSize: jsii.Number(1)},
			FilterCriteria: &awspipes.CfnPipe_FilterCriteriaProperty{Filters: &[]any{
				&awspipes.CfnPipe_FilterProperty{Pattern: jsii.String(`{"body":{"order_id":[{"prefix":"o-"}],"lines":{"item_id":[{"exists":true}]}}}`)},
			}},
		},
		Target: display.ApiDestinationArn(),
		TargetParameters: &awspipes.CfnPipe_PipeTargetParametersProperty{
			InputTemplate: jsii.String(`{"order_id": "<$.body.order_id>", "store_id": "<$.body.store_id>", "pickup_at": "<$.body.pickup_at>", ` +
				`"lines": <$.body.lines>, "task_token": "<$.body.task_token>"}`),
		},
	})
}

// newFunction defines one function with its log group.
func newFunction(stack awscdk.Stack, stageDir string, f function) awslambda.Function {
	id := constructID(f.dir)
	logs := awslogs.NewLogGroup(stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_TWO_WEEKS,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	return awslambda.NewFunction(stack, jsii.String(id), &awslambda.FunctionProps{
		Description:  jsii.String("Emily's Pastries 2025, " + f.dir + ": " + f.description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         goCode(filepath.Join(stageDir, "functions", f.dir)),
		LogGroup:     logs,
		MemorySize:   jsii.Number(f.memory),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(f.timeout)),
	})
}

// constructID turns "payment-worker" into "PaymentWorker".
func constructID(dir string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(dir, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// goCode is a function's code: its main package cross-compiled for arm64 by goBuild.
func goCode(dir string) awslambda.Code {
	return awslambda.Code_FromAsset(jsii.String(dir), &awss3assets.AssetOptions{
		// Hash the built binary, not the directory: the code it compiles lives in internal/.
		AssetHashType: awscdk.AssetHashType_OUTPUT,
		Bundling: &awscdk.BundlingOptions{
			// Never pulled: local bundling below always answers, or fails loudly.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("local-go-build-only")),
			Local: &goBuild{dir: dir},
		},
	})
}

// goBuild bundles a function by cross-compiling it for Lambda's arm64 provided.al2023 runtime on
// this machine: no Docker. The CDK skips it when bundling is switched off (tests, make synth).
type goBuild struct {
	dir string
}

// TryBundle builds dir into outputDir/bootstrap.
func (b *goBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w",
		"-o", filepath.Join(*outputDir, "bootstrap"), ".")
	cmd.Dir = b.dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "bundling %s: go build failed (%v); fix the build, Docker is never used\n", b.dir, err)
		return jsii.Bool(false)
	}
	return jsii.Bool(true)
}
