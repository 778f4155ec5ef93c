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

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/eventbody"
)

// Handler answers every route of the API.
type Handler struct {
	db    *dynamodb.Client
	table string
	// Now is the handler's clock; tests replace it to fix "now".
	Now func() time.Time
}

// New builds the handler from the function's environment: TABLE_NAME names the DynamoDB table.
func New(_ context.Context, cfg aws.Config, getenv func(string) string) (*Handler, error) {
	table := getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("bakeryapi: TABLE_NAME is not set; the function needs the name of its DynamoDB table")
	}
	return &Handler{db: dynamodb.NewFromConfig(cfg), table: table, Now: time.Now}, nil
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
	case "POST /orders/{id}/payment":
		return h.recordPayment(ctx, req.PathParameters["id"], req.Body), nil
	}
	return fail(http.StatusNotFound, fmt.Sprintf("no route for %s %s; the routes are GET /menu, POST /orders, "+
		"GET /orders/{id} and POST /orders/{id}/payment", req.HTTPMethod, req.Path)), nil
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
	// Payment is taken by phone: the order waits here until staff record it.
	if err := o.Transition(bakery.StatusPendingPayment); err != nil {
		return h.failFor(ctx, "new order", err)
	}

	// Reserve every line and write the order in one transaction: all of it happens or none does.
	st, _ := bakery.StoreByID(o.StoreID)
	day := st.LocalDay(o.PickupAt)
	writes := make([]types.TransactWriteItem, 0, len(o.Items)+1)
	for _, l := range o.Items {
		it, _ := bakery.ItemByID(l.ItemID)
		par := bakery.ParLevel(st, it)
		if l.Quantity > par {
			return fail(http.StatusConflict, soldOut(l, st.ID, day, fmt.Sprintf("the store makes %d a day", par)))
		}
		writes = append(writes, types.TransactWriteItem{Update: &types.Update{
			TableName: &h.table,
			Key:       key("STOCK#"+st.ID+"#"+day, "ITEM#"+l.ItemID),
			// The first order of the day starts the count from the par level.
			UpdateExpression:                    aws.String("SET remaining = if_not_exists(remaining, :par) - :qty"),
			ConditionExpression:                 aws.String("attribute_not_exists(remaining) OR remaining >= :qty"),
			ExpressionAttributeValues:           map[string]types.AttributeValue{":par": number(par), ":qty": number(l.Quantity)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}
	item, err := marshal(o)
	if err != nil {
		return h.failFor(ctx, "new order", err)
	}
	writes = append(writes, types.TransactWriteItem{Put: &types.Put{
		TableName: &h.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}})

	_, err = h.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	if tce, ok := errors.AsType[*types.TransactionCanceledException](err); ok {
		for i, r := range tce.CancellationReasons {
			switch {
			case i < len(o.Items) && aws.ToString(r.Code) == "ConditionalCheckFailed":
				var left struct {
					Remaining int `dynamodbav:"remaining"`
				}
				_ = attributevalue.UnmarshalMap(r.Item, &left) // absent: nothing is known to be left
				return fail(http.StatusConflict, soldOut(o.Items[i], st.ID, day, fmt.Sprintf("%d left", left.Remaining)))
			case aws.ToString(r.Code) == "TransactionConflict":
				return fail(http.StatusServiceUnavailable, "another order is reserving the same items right now; try again")
			}
		}
	}
	if err != nil {
		return h.failFor(ctx, "store order "+o.ID, err)
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

func (h *Handler) recordPayment(ctx context.Context, id, body string) events.APIGatewayProxyResponse {
	// The body is optional: staff who took the order total by phone may send nothing.
	var in struct {
		Amount    *int64 `json:"amount"`    // minor units; must equal the order total
		Reference string `json:"reference"` // e.g. the card terminal's slip number
	}
	if strings.TrimSpace(body) != "" {
		if msg := decode(body, &in, "amount and reference"); msg != "" {
			return fail(http.StatusBadRequest, msg)
		}
	}
	o, found, err := h.load(ctx, id)
	switch {
	case err != nil:
		return h.failFor(ctx, "get order "+id, err)
	case !found:
		return fail(http.StatusNotFound, fmt.Sprintf("order %q not found", id))
	}
	amount := o.Total
	if in.Amount != nil {
		amount = *in.Amount
	}
	from := o.Status
	if err := o.RecordPayment(amount, in.Reference, h.Now()); err != nil {
		return h.failFor(ctx, "record payment", err)
	}
	item, err := marshal(o)
	if err != nil {
		return h.failFor(ctx, "record payment", err)
	}
	// Only if nobody changed the order since we read it: a second payment must not slip through.
	_, err = h.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &h.table, Item: item, ConditionExpression: aws.String("#status = :from"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":from": &types.AttributeValueMemberS{Value: string(from)}},
	})
	if _, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		return fail(http.StatusConflict, fmt.Sprintf("cannot record payment: order %s is no longer %s", id, from))
	}
	if err != nil {
		return h.failFor(ctx, "record payment for order "+id, err)
	}
	return reply(http.StatusOK, o)
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

func soldOut(l bakery.Line, store, day, have string) string {
	return fmt.Sprintf("%s is sold out at %s for %s: %s, %d asked for", l.ItemID, store, day, have, l.Quantity)
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

func number(n int) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(n)}
}

func reply(status int, v any) events.APIGatewayProxyResponse {
	b, _ := json.Marshal(v) // only maps and bakery types, which always marshal
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(b)}
}

func fail(status int, msg string) events.APIGatewayProxyResponse {
	return reply(status, map[string]string{"error": msg})
}
