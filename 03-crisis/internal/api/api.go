// Package api is the front of the 2022 system: order-api, the one function behind every API
// route, and the two small functions it calls around everything else: request-parser turns the
// request body into an order request, response-formatter turns any answer into API Gateway's
// response shape.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
	"github.com/emilys-pastries/serverless-evolution/shared/eventbody"
)

// Environment variables naming the functions order-api calls.
const (
	EnvRequestParser     = "REQUEST_PARSER_FUNCTION"
	EnvResponseFormatter = "RESPONSE_FORMATTER_FUNCTION"
	EnvOrderWorkflow     = "ORDER_WORKFLOW_FUNCTION"
	EnvOrderReader       = "ORDER_READER_FUNCTION"
	EnvMenuLookup        = "MENU_LOOKUP_FUNCTION"
)

// WorkflowAttempts is how often order-api asks order-workflow to take an order when Lambda
// refuses the invocation (429, after the SDK's own three attempts), one try right after the other.
const WorkflowAttempts = 8

// Caller calls another function synchronously (an invoker.Function in production).
type Caller interface {
	Call(ctx context.Context, in, out any) error
}

// OrderAPI answers GET /menu, POST /orders and GET /orders/{id}. It does little itself: it
// calls one function after another and waits for each.
type OrderAPI struct {
	Parser, Formatter, Workflow, Reader, Menu Caller
	// Now and NewID are the clock and the order numbering; tests replace them.
	Now   func() time.Time
	NewID func() string
}

// NewOrderAPI builds order-api from its environment.
func NewOrderAPI(_ context.Context, cfg aws.Config, getenv func(string) string) (*OrderAPI, error) {
	b := invoker.NewBinder(cfg, getenv)
	h := &OrderAPI{
		Parser:    b.Function(EnvRequestParser),
		Formatter: b.Function(EnvResponseFormatter),
		Workflow:  b.Function(EnvOrderWorkflow),
		Reader:    b.Function(EnvOrderReader),
		Menu:      b.Function(EnvMenuLookup),
		Now:       time.Now,
		NewID:     bakery.NewOrderID,
	}
	if err := b.Err(); err != nil {
		return nil, fmt.Errorf("order-api: %w", err)
	}
	return h, nil
}

// Handle routes an API Gateway proxy request. Business answers (400, 404, 409) come back as
// responses; anything that goes wrong below is returned as an error, which API Gateway answers
// with 502 "Internal server error".
func (h *OrderAPI) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	switch req.HTTPMethod + " " + req.Resource {
	case "GET /menu":
		var menu message.MenuResult
		if err := h.Menu.Call(ctx, message.MenuRequest{}, &menu); err != nil {
			return events.APIGatewayProxyResponse{}, fmt.Errorf("get menu: %w", err)
		}
		return h.format(ctx, http.StatusOK, map[string]any{"items": menu.Items})
	case "POST /orders":
		body, err := eventbody.Text(req.Body, req.IsBase64Encoded)
		if err != nil {
			return h.format(ctx, http.StatusBadRequest, errorBody(err.Error()))
		}
		return h.placeOrder(ctx, body)
	case "GET /orders/{id}":
		id := req.PathParameters["id"]
		var found message.OrderResult
		if err := h.Reader.Call(ctx, message.OrderLookup{OrderID: id}, &found); err != nil {
			return events.APIGatewayProxyResponse{}, fmt.Errorf("get order %s: %w", id, err)
		}
		if found.Order == nil {
			return h.format(ctx, http.StatusNotFound, errorBody(fmt.Sprintf("order %q not found", id)))
		}
		return h.format(ctx, http.StatusOK, found.Order)
	}
	return h.format(ctx, http.StatusNotFound, errorBody(fmt.Sprintf("no route for %s %s; the routes are GET /menu, POST /orders and GET /orders/{id}", req.HTTPMethod, req.Path)))
}

func (h *OrderAPI) placeOrder(ctx context.Context, body string) (events.APIGatewayProxyResponse, error) {
	var parsed message.ParseResult
	if err := h.Parser.Call(ctx, message.ParseRequest{Body: body}, &parsed); err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("parse order: %w", err)
	}
	if parsed.Request == nil {
		return h.format(ctx, http.StatusBadRequest, errorBody(parsed.Error))
	}
	co := message.Checkout{OrderID: h.NewID(), Request: *parsed.Request, ReceivedAt: h.Now().UTC()}
	var done message.Checkout
	var err error
	for attempt := 1; attempt <= WorkflowAttempts; attempt++ {
		if err = h.Workflow.Call(ctx, co, &done); !errors.Is(err, invoker.ErrNotCalled) {
			break
		}
	}
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("place order %s: %w", co.OrderID, err)
	}
	if r := done.Rejection; r != nil {
		return h.format(ctx, r.StatusCode, errorBody(r.Error))
	}
	// The API answers what is in the table, so it reads the order back.
	var stored message.OrderResult
	if err := h.Reader.Call(ctx, message.OrderLookup{OrderID: co.OrderID}, &stored); err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read back order %s: %w", co.OrderID, err)
	}
	if stored.Order == nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read back order %s: not in the table", co.OrderID)
	}
	return h.format(ctx, http.StatusCreated, stored.Order)
}

func (h *OrderAPI) format(ctx context.Context, status int, body any) (events.APIGatewayProxyResponse, error) {
	var resp events.APIGatewayProxyResponse
	if err := h.Formatter.Call(ctx, message.FormatRequest{StatusCode: status, Body: body}, &resp); err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("format the %d answer: %w", status, err)
	}
	return resp, nil
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

// ParseRequestBody is request-parser: it reads exactly one JSON order request with no unknown
// fields, or says what is wrong with the body.
func ParseRequestBody(_ context.Context, in message.ParseRequest) (message.ParseResult, error) {
	dec := json.NewDecoder(strings.NewReader(in.Body))
	dec.DisallowUnknownFields()
	var req bakery.OrderRequest
	err := dec.Decode(&req)
	if err == nil && dec.More() {
		return message.ParseResult{Error: "request body must be a single JSON object, got more after it"}, nil
	}
	syntax, isSyntax := errors.AsType[*json.SyntaxError](err)
	typ, isType := errors.AsType[*json.UnmarshalTypeError](err)
	switch {
	case err == nil:
		return message.ParseResult{Request: &req}, nil
	case errors.Is(err, io.EOF):
		return message.ParseResult{Error: "request body must be a JSON object, got nothing"}, nil
	case isSyntax:
		return message.ParseResult{Error: fmt.Sprintf("request body must be valid JSON, got %v (at byte %d)", syntax, syntax.Offset)}, nil
	case isType && typ.Field != "":
		return message.ParseResult{Error: fmt.Sprintf("%s must be a JSON %s, got %s", typ.Field, kind(typ.Type.Kind().String()), typ.Value)}, nil
	case isType:
		return message.ParseResult{Error: "request body must be a JSON object, got " + typ.Value}, nil
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return message.ParseResult{Error: "request body has " + strings.TrimPrefix(err.Error(), "json: ") +
			"; the fields are store_id, customer {name, email}, items [{item_id, quantity}] and pickup_at"}, nil
	}
	return message.ParseResult{Error: "request body must be valid JSON, got " + err.Error()}, nil
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

// FormatResponse is response-formatter: it wraps a status and a body in API Gateway's proxy
// response with the JSON content type.
func FormatResponse(_ context.Context, in message.FormatRequest) (events.APIGatewayProxyResponse, error) {
	b, err := json.Marshal(in.Body)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("encode the body: %w", err)
	}
	return events.APIGatewayProxyResponse{
		StatusCode: in.StatusCode,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}, nil
}
