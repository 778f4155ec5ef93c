package bakeryapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/emilys-pastries/serverless-evolution/02-split/internal/inventory"
	"github.com/emilys-pastries/serverless-evolution/02-split/internal/payments"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/eventbody"
)

// Handler answers every route of the API.
type Handler struct {
	db     *dynamodb.Client
	lambda *lambda.Client
	table  string
	// The functions this one calls, by name.
	inventory, payment string
	// Now is the handler's clock; tests replace it to fix "now".
	Now func() time.Time
}

// New builds the handler from the function's environment: TABLE_NAME names the orders table,
// INVENTORY_FUNCTION_NAME and PAYMENT_FUNCTION_NAME the functions it invokes.
func New(_ context.Context, cfg aws.Config, getenv func(string) string) (*Handler, error) {
	h := &Handler{
		table:     getenv("TABLE_NAME"),
		inventory: getenv("INVENTORY_FUNCTION_NAME"),
		payment:   getenv("PAYMENT_FUNCTION_NAME"),
		Now:       time.Now,
	}
	for name, v := range map[string]string{"TABLE_NAME": h.table, "INVENTORY_FUNCTION_NAME": h.inventory, "PAYMENT_FUNCTION_NAME": h.payment} {
		if v == "" {
			return nil, fmt.Errorf("bakeryapi: %s is not set; the function needs the name of its DynamoDB table and of the inventory and payment functions", name)
		}
	}
	h.db, h.lambda = dynamodb.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	return h, nil
}

// Handle routes an API Gateway REST proxy request. Bad input is answered with a 4xx JSON
// {"error": "..."}; the returned error is always nil. A body that is not UTF-8 text is a 400
// saying so (eventbody.Text), whether API Gateway base64-encoded it or replaced its bytes.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	body, err := eventbody.Text(req.Body, req.IsBase64Encoded)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error()), nil
	}
	req.Body = body
	switch req.HTTPMethod + " " + req.Resource {
	case "GET /menu":
		return reply(http.StatusOK, map[string]any{"items": bakery.Menu()}), nil
	case "POST /orders":
		return h.placeOrder(ctx, req.Body), nil
	case "GET /orders/{id}":
		return h.getOrder(ctx, req.PathParameters["id"]), nil
	}
	return fail(http.StatusNotFound, fmt.Sprintf("no route for %s %s; the routes are GET /menu, POST /orders "+
		"and GET /orders/{id}", req.HTTPMethod, req.Path)), nil
}

func (h *Handler) placeOrder(ctx context.Context, body string) events.APIGatewayProxyResponse {
	var in bakery.OrderRequest
	if msg := decode(body, &in, "store_id, customer {name, email}, items [{item_id, quantity}] and pickup_at"); msg != "" {
		return fail(http.StatusBadRequest, msg)
	}
	o, err := bakery.NewOrder(bakery.NewOrderID(), in, h.Now())
	if err != nil {
		return h.failFor(ctx, "new order", err)
	}
	// The card is charged before the answer: the order is pending payment until then.
	if err := o.Transition(bakery.StatusPendingPayment); err != nil {
		return h.failFor(ctx, "new order", err)
	}

	// 1. The inventory function reserves every line, or none.
	lines := make([]inventory.Line, len(o.Items))
	for i, l := range o.Items {
		lines[i] = inventory.Line{ItemID: l.ItemID, Quantity: l.Quantity}
	}
	var stock inventory.Reply
	err = h.invoke(ctx, h.inventory, inventory.Request{
		Action: inventory.ActionReserve, OrderID: o.ID, StoreID: o.StoreID, PickupAt: o.PickupAt, Lines: lines,
	}, &stock)
	switch {
	case err != nil:
		slog.ErrorContext(ctx, "reserve stock", "order", o.ID, "err", err)
		return unavailable(err, "the stock service is not answering; nothing was reserved or charged; please try again")
	case stock.Outcome == inventory.SoldOut && stock.Shortage != nil:
		return fail(http.StatusConflict, soldOut(*stock.Shortage, o.StoreID, stock.Day))
	case stock.Outcome == inventory.Conflict:
		return fail(http.StatusServiceUnavailable, "another order is reserving the same items right now; try again")
	case stock.Outcome != inventory.Reserved:
		return h.failFor(ctx, "reserve stock for order "+o.ID, fmt.Errorf("inventory answered %q", stock.Outcome))
	}

	// 2. The payment function charges the card. From here on, an order that is not paid gives its
	// stock back.
	var paid payments.Reply
	err = h.invoke(ctx, h.payment, payments.Request{
		OrderID: o.ID, Amount: o.Total, Currency: o.Currency, CustomerEmail: o.Customer.Email,
	}, &paid)
	if err != nil || paid.Outcome != payments.Charged {
		return h.notPaid(ctx, o, paid, err)
	}

	// 3. The order is paid: store it.
	if err := o.RecordPayment(o.Total, paid.ChargeID, h.Now()); err != nil {
		return h.failFor(ctx, "record payment", err)
	}
	if err := h.put(ctx, o); err != nil {
		// The card is charged and the stock reserved, but no order is stored: this log line, with
		// the charge id, is what reconciles it.
		return h.failFor(ctx, "store paid order "+o.ID+" (charge "+paid.ChargeID+")", err)
	}
	return reply(http.StatusCreated, o)
}

func (h *Handler) getOrder(ctx context.Context, id string) events.APIGatewayProxyResponse {
	o, found, err := h.load(ctx, id)
	switch {
	case err != nil:
		return h.failFor(ctx, "get order "+id, err)
	case !found:
		return fail(http.StatusNotFound, fmt.Sprintf("order %q not found", id))
	}
	return reply(http.StatusOK, o)
}

// notPaid is the compensation of an order whose payment did not go through: the inventory
// function gives its stock back, the order is stored as failed with the reason, and the customer
// hears why. A payment that timed out may still have charged the card (the provider finishes a
// charge it has started); the failed order and the charge share the order id, which reconciles
// them.
func (h *Handler) notPaid(ctx context.Context, o bakery.Order, paid payments.Reply, err error) events.APIGatewayProxyResponse {
	var status int
	var reason, msg string
	fe, functionFailed := errors.AsType[*FunctionError](err)
	_, throttled := errors.AsType[*lambdatypes.TooManyRequestsException](err)
	switch {
	case err == nil && paid.Outcome == payments.Declined:
		status, reason = http.StatusPaymentRequired, "payment declined"
		msg = "the card was declined, so order " + o.ID + " was not placed; try another card"
	case err == nil && paid.Outcome == payments.Busy, throttled:
		status, reason = http.StatusServiceUnavailable, "payment provider busy"
		msg = "the payment provider is busy, so nothing was charged and order " + o.ID + " was not placed; try again in a few seconds"
	case functionFailed && (fe.TimedOut() || fe.Type == payments.TimeoutErrorType):
		status, reason = http.StatusGatewayTimeout, "payment timed out"
		msg = "the payment did not complete in time, so order " + o.ID + " was not placed; please try again"
	default:
		status, reason = http.StatusBadGateway, "payment failed"
		msg = "the payment could not be completed, so order " + o.ID + " was not placed; please try again"
		if err == nil {
			err = fmt.Errorf("payment answered %q", paid.Outcome)
		}
	}
	if err != nil {
		slog.WarnContext(ctx, "order not paid", "order", o.ID, "reason", reason, "err", err)
	}

	var released inventory.Reply
	if err := h.invoke(ctx, h.inventory, inventory.Request{Action: inventory.ActionRelease, OrderID: o.ID}, &released); err != nil {
		// The stock stays reserved for an order that does not exist until someone releases it.
		slog.ErrorContext(ctx, "release stock", "order", o.ID, "err", err)
	}
	if err := o.Fail(reason); err != nil {
		return h.failFor(ctx, "fail order "+o.ID, err)
	}
	if err := h.put(ctx, o); err != nil {
		slog.ErrorContext(ctx, "store failed order", "order", o.ID, "err", err)
	}
	r := reply(status, map[string]string{"error": msg, "order_id": o.ID})
	if status == http.StatusServiceUnavailable {
		r.Headers["Retry-After"] = strconv.Itoa(max(paid.RetryAfterS, 1))
	}
	return r
}

// put writes a new order; the condition keeps an id from ever being written twice.
func (h *Handler) put(ctx context.Context, o bakery.Order) error {
	item, err := marshal(o)
	if err != nil {
		return err
	}
	_, err = h.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &h.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if err != nil {
		return fmt.Errorf("put order %s: %w", o.ID, err)
	}
	return nil
}

// invoke calls a function synchronously (RequestResponse) with in as its event and decodes its
// answer into out. A function that failed, crashed or timed out comes back as a *FunctionError;
// a throttle that outlived the SDK's retries as a *lambdatypes.TooManyRequestsException.
func (h *Handler) invoke(ctx context.Context, function string, in, out any) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("invoke %s: %w", function, err)
	}
	res, err := h.lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   &function,
		InvocationType: lambdatypes.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		return fmt.Errorf("invoke %s: %w", function, err)
	}
	if res.FunctionError != nil {
		fe := &FunctionError{Function: function}
		_ = json.Unmarshal(res.Payload, fe) // Lambda's {"errorMessage", "errorType"}; anything else keeps the name only
		return fe
	}
	if err := json.Unmarshal(res.Payload, out); err != nil {
		return fmt.Errorf("invoke %s: decode its answer: %w", function, err)
	}
	return nil
}

// FunctionError is an invocation whose function failed, crashed or timed out, as Lambda reports it.
type FunctionError struct {
	Function string `json:"-"`
	Message  string `json:"errorMessage"`
	Type     string `json:"errorType"`
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function %s failed: %s", e.Function, e.Message)
}

// TimedOut reports whether Lambda stopped the function at its timeout.
func (e *FunctionError) TimedOut() bool {
	return strings.Contains(e.Message, "Task timed out")
}

// unavailable answers a call to another function that got no answer: 503 when Lambda throttled
// it (worth retrying soon), 502 otherwise.
func unavailable(err error, msg string) events.APIGatewayProxyResponse {
	if _, ok := errors.AsType[*lambdatypes.TooManyRequestsException](err); ok {
		r := fail(http.StatusServiceUnavailable, msg)
		r.Headers["Retry-After"] = "1"
		return r
	}
	return fail(http.StatusBadGateway, msg)
}

func (h *Handler) load(ctx context.Context, id string) (bakery.Order, bool, error) {
	var o bakery.Order
	if !bakery.ValidOrderID(id) {
		return o, false, nil
	}
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &h.table, Key: key("ORDER#"+id, "ORDER"), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		return o, false, err
	}
	err = attributevalue.UnmarshalMapWithOptions(out.Item, &o, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
	return o, true, err
}

// failFor answers a domain error with 400 or 409, and anything else with 500 (and a log line).
func (h *Handler) failFor(ctx context.Context, what string, err error) events.APIGatewayProxyResponse {
	if verr, ok := errors.AsType[*bakery.ValidationError](err); ok {
		return fail(http.StatusBadRequest, verr.Error())
	}
	if errors.Is(err, bakery.ErrInvalidTransition) {
		return fail(http.StatusConflict, "cannot "+what+": "+err.Error())
	}
	slog.ErrorContext(ctx, what, "table", h.table, "err", err)
	return fail(http.StatusInternalServerError, "something went wrong on our side; please try again")
}

func soldOut(s inventory.Shortage, store, day string) string {
	have := fmt.Sprintf("%d left", s.Remaining)
	if s.PerDay > 0 {
		have = fmt.Sprintf("the store makes %d a day", s.PerDay)
	}
	return fmt.Sprintf("%s is sold out at %s for %s: %s, %d asked for", s.ItemID, store, day, have, s.Requested)
}

// decode reads exactly one JSON object with no unknown fields, or says what is wrong with it;
// fields lists the known ones for that message.
func decode(body string, v any, fields string) string {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		return "request body must be a single JSON object, got more after it"
	}
	syntax, isSyntax := errors.AsType[*json.SyntaxError](err)
	typ, isType := errors.AsType[*json.UnmarshalTypeError](err)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, io.EOF):
		return "request body must be a JSON object, got nothing"
	case isSyntax:
		return fmt.Sprintf("request body must be valid JSON, got %v (at byte %d)", syntax, syntax.Offset)
	case isType && typ.Field != "":
		return fmt.Sprintf("%s must be a JSON %s, got %s", typ.Field, kind(typ.Type.Kind().String()), typ.Value)
	case isType:
		return "request body must be a JSON object, got " + typ.Value
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "request body has " + strings.TrimPrefix(err.Error(), "json: ") + "; the fields are " + fields
	}
	return "request body must be valid JSON, got " + err.Error()
}

func kind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"):
		return "integer"
	case goKind == "slice":
		return "array"
	case goKind == "struct" || goKind == "map":
		return "object"
	}
	return goKind
}

func marshal(o bakery.Order) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(o, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return nil, fmt.Errorf("marshal order %s: %w", o.ID, err)
	}
	item["pk"], item["sk"] = &types.AttributeValueMemberS{Value: "ORDER#" + o.ID}, &types.AttributeValueMemberS{Value: "ORDER"}
	return item, nil
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}}
}

func reply(status int, v any) events.APIGatewayProxyResponse {
	b, _ := json.Marshal(v) // only maps and bakery types, which always marshal
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(b)}
}

func fail(status int, msg string) events.APIGatewayProxyResponse {
	return reply(status, map[string]string{"error": msg})
}
