package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// Wire names.
const (
	// InternalHost is the host name the emulator routes to the provider in-process; nothing
	// dials it. Offline, stages reach the provider at "http://" + InternalHost.
	InternalHost = "payment.internal"

	ChargesPath = "/v1/charges"
	StatsPath   = "/v1/stats"

	// HeaderIdempotencyKey names the request header that makes a retry safe.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderReplayed is "true" on an answer given from an idempotency key seen before.
	HeaderReplayed = "Idempotent-Replayed"

	maxBody = 64 << 10
)

// Handler serves the provider's wire API:
//
//	POST /v1/charges   {"order_id", "amount", "currency", "customer_email"}, optional
//	                   Idempotency-Key header → 201 charge, 400 invalid, 402 declined,
//	                   503 busy (with Retry-After), 500 processing failed
//	GET  /v1/stats     Stats
//
// Errors have the shape {"error": {"type", "code", "message", "param"?, "charge_id"?}}.
type Handler struct {
	p *Provider
}

var _ http.Handler = (*Handler)(nil)

// NewHandler serves p.
func NewHandler(p *Provider) *Handler { return &Handler{p: p} }

// ErrorBody is the JSON of every answer that is not a charge.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes what went wrong. Type is "invalid_request_error", "card_error" or
// "api_error".
type ErrorDetail struct {
	Type     string `json:"type"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Param    string `json:"param,omitempty"`
	ChargeID string `json:"charge_id,omitempty"`
}

// ServeHTTP routes a request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case ChargesPath:
		if r.Method != http.MethodPost {
			methodNotAllowed(w, r, http.MethodPost)
			return
		}
		h.charge(w, r)
	case StatsPath:
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r, http.MethodGet)
			return
		}
		writeJSON(w, http.StatusOK, h.p.Stats())
	default:
		writeError(w, http.StatusNotFound, ErrorDetail{Type: "invalid_request_error", Code: "resource_missing",
			Message: fmt.Sprintf("no route for %s %s; the routes are POST %s and GET %s", r.Method, r.URL.Path, ChargesPath, StatsPath)})
	}
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, ErrorDetail{Type: "invalid_request_error", Code: "method_not_allowed",
		Message: fmt.Sprintf("%s %s is not supported; use %s", r.Method, r.URL.Path, allow)})
}

func (h *Handler) charge(w http.ResponseWriter, r *http.Request) {
	req, err := decodeCharge(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeProblem(w, err)
		return
	}
	c, err := h.p.Charge(r.Context(), req, r.Header.Get(HeaderIdempotencyKey))
	if c.Replayed {
		w.Header().Set(HeaderReplayed, "true")
	}
	if err != nil {
		if errors.Is(err, ErrDeclined) {
			writeError(w, http.StatusPaymentRequired, ErrorDetail{Type: "card_error", Code: "card_declined",
				Message: "the customer's card was declined", ChargeID: c.ID})
			return
		}
		writeProblem(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// decodeCharge reads a ChargeRequest strictly: unknown fields and wrong types name the field.
func decodeCharge(body io.Reader) (ChargeRequest, error) {
	var req ChargeRequest
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&req)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	if err == nil {
		return req, nil
	}
	const fields = "order_id, amount, currency and customer_email"
	var typeErr *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return req, invalid(typeErr.Field, fmt.Sprintf("%s must be a JSON %s, got %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return req, &InvalidError{Param: name, Code: "parameter_unknown",
			Message: fmt.Sprintf("unknown field %q; the fields are %s", name, fields)}
	case errors.As(err, &tooBig):
		return req, &InvalidError{Code: "invalid_json", Message: fmt.Sprintf("request body must be at most %d bytes", maxBody)}
	}
	return req, &InvalidError{Code: "invalid_json",
		Message: fmt.Sprintf("request body must be one JSON object with %s: %v", fields, err)}
}

func jsonKind(goKind string) string {
	switch {
	case goKind == "string":
		return "string"
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "whole number"
	}
	return goKind
}

// writeProblem answers an error that is not a decline.
func writeProblem(w http.ResponseWriter, err error) {
	var bad *InvalidError
	var busy *BusyError
	switch {
	case errors.As(err, &bad):
		writeError(w, http.StatusBadRequest, ErrorDetail{Type: "invalid_request_error", Code: bad.Code, Message: bad.Message, Param: bad.Param})
	case errors.As(err, &busy):
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(busy.RetryAfter.Seconds(), 1)))))
		writeError(w, http.StatusServiceUnavailable, ErrorDetail{Type: "api_error", Code: "provider_busy", Message: busy.Message})
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// Nobody reads this: the caller has gone. 499 is the status proxies log for it.
		writeError(w, 499, ErrorDetail{Type: "api_error", Code: "request_abandoned", Message: err.Error()})
	default:
		writeError(w, http.StatusInternalServerError, ErrorDetail{Type: "api_error", Code: "processing_error", Message: err.Error()})
	}
}

func writeError(w http.ResponseWriter, status int, d ErrorDetail) {
	writeJSON(w, status, ErrorBody{Error: d})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprintf("payment: encode %T: %v", v, err), http.StatusInternalServerError)
		return
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
