package payment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HTTPDoer sends a request. *http.Client satisfies it, and so does aws.Config's HTTPClient: a
// handler that hands its cfg.HTTPClient over reaches the emulator's provider in-process.
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client calls the provider's wire API. It never retries: each stage chooses its retry policy,
// and whether it sends an idempotency key.
type Client struct {
	base string
	hc   HTTPDoer
}

// NewClient returns a client for the provider at baseURL ("http://payment.internal" offline, the
// function URL on AWS). A nil hc means http.DefaultClient.
func NewClient(baseURL string, hc HTTPDoer) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), hc: hc}
}

const maxResponse = 1 << 20

// Charge asks the provider to charge the card; a non-empty idempotencyKey makes a retry with the
// same key return the first answer instead of charging again.
//
// Errors: one wrapping ErrDeclined (the returned Charge carries the declined charge's ID), a
// *BusyError for 503 and 429 (nothing charged; RetryAfter from the header), an *InvalidError for
// 400; anything else, the transport's errors included, is wrapped.
func (c *Client) Charge(ctx context.Context, req ChargeRequest, idempotencyKey string) (Charge, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return Charge{}, fmt.Errorf("payment: charge order %s: %w", req.OrderID, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+ChargesPath, bytes.NewReader(body))
	if err != nil {
		return Charge{}, fmt.Errorf("payment: charge order %s: %w", req.OrderID, err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if idempotencyKey != "" {
		hr.Header.Set(HeaderIdempotencyKey, idempotencyKey)
	}
	status, header, data, err := c.do(hr)
	if err != nil {
		return Charge{}, fmt.Errorf("payment: charge order %s: %w", req.OrderID, err)
	}
	if cerr := ctx.Err(); cerr != nil && status != http.StatusCreated && status != http.StatusPaymentRequired {
		// An in-process transport returns the handler's answer to a caller who left (499).
		return Charge{}, fmt.Errorf("payment: charge order %s: %w", req.OrderID, cerr)
	}
	replayed := header.Get(HeaderReplayed) == "true"
	if status == http.StatusCreated {
		var ch Charge
		if err := json.Unmarshal(data, &ch); err != nil {
			return Charge{}, fmt.Errorf("payment: charge order %s: decode the provider's 201 answer: %w", req.OrderID, err)
		}
		ch.Replayed = replayed
		return ch, nil
	}
	var e ErrorBody
	_ = json.Unmarshal(data, &e) // a body that is not ours (a Lambda throttle, a proxy) leaves e empty
	switch status {
	case http.StatusPaymentRequired:
		ch := Charge{ID: e.Error.ChargeID, Status: StatusDeclined, OrderID: req.OrderID, Amount: req.Amount,
			Currency: req.Currency, Replayed: replayed}
		return ch, fmt.Errorf("payment: charge order %s: %w", req.OrderID, ErrDeclined)
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		msg := e.Error.Message
		if msg == "" {
			msg = strings.TrimSpace(string(data))
		}
		return Charge{}, &BusyError{StatusCode: status, Message: msg, RetryAfter: retryAfter(header.Get("Retry-After"))}
	case http.StatusBadRequest:
		if e.Error.Message != "" {
			return Charge{}, &InvalidError{Param: e.Error.Param, Code: e.Error.Code, Message: e.Error.Message}
		}
	}
	return Charge{}, fmt.Errorf("payment: charge order %s: provider answered %d %s: %s", req.OrderID, status,
		http.StatusText(status), describe(e, data))
}

// Stats reads the provider's counters. On AWS they are those of the execution environment that
// answered.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+StatsPath, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("payment: stats: %w", err)
	}
	status, _, data, err := c.do(hr)
	if err != nil {
		return Stats{}, fmt.Errorf("payment: stats: %w", err)
	}
	if status != http.StatusOK {
		var e ErrorBody
		_ = json.Unmarshal(data, &e)
		return Stats{}, fmt.Errorf("payment: stats: provider answered %d %s: %s", status, http.StatusText(status), describe(e, data))
	}
	var s Stats
	if err := json.Unmarshal(data, &s); err != nil {
		return Stats{}, fmt.Errorf("payment: stats: decode: %w", err)
	}
	return s, nil
}

func (c *Client) do(hr *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.hc.Do(hr)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read the provider's %d answer: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, resp.Header, data, nil
}

func describe(e ErrorBody, data []byte) string {
	if e.Error.Message != "" {
		return e.Error.Code + ": " + e.Error.Message
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// retryAfter reads a Retry-After header given in seconds; HTTP dates and junk read as zero.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
