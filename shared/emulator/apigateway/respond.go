package apigateway

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// reply is a response the gateway writes. Replies may be shared: writeReply copies, never
// changes them.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func jsonReply(status int, body, errorType string) *reply {
	h := http.Header{"Content-Type": {"application/json"}}
	if errorType != "" {
		h.Set("X-Amzn-Errortype", errorType)
	}
	return &reply{status: status, header: h, body: []byte(body)}
}

// The bodies are byte for byte what API Gateway sends, spaces included: REST's integration
// errors have a space after the colon, its other errors and HTTP APIs' errors have none.
var (
	restMissingToken = jsonReply(http.StatusForbidden, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException")
	restThrottled    = jsonReply(http.StatusTooManyRequests, `{"message":"Too Many Requests"}`, "TooManyRequestsException")
	restInternal     = jsonReply(http.StatusInternalServerError, `{"message": "Internal server error"}`, "InternalServerErrorException")
	restBadGateway   = jsonReply(http.StatusBadGateway, `{"message": "Internal server error"}`, "InternalServerErrorException")
	restTimeout      = jsonReply(http.StatusGatewayTimeout, `{"message": "Endpoint request timed out"}`, "")

	httpNotFound  = jsonReply(http.StatusNotFound, `{"message":"Not Found"}`, "")
	httpThrottled = jsonReply(http.StatusTooManyRequests, `{"message":"Too Many Requests"}`, "")
	httpInternal  = jsonReply(http.StatusInternalServerError, `{"message":"Internal Server Error"}`, "")
	httpTimeout   = jsonReply(http.StatusServiceUnavailable, `{"message":"Service Unavailable"}`, "")

	// API Gateway's front end refuses a body over 10 MB before any API sees it, in plain text.
	tooLarge = &reply{status: http.StatusRequestEntityTooLarge,
		header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		body:   []byte(fmt.Sprintf("HTTP content length exceeded %d bytes.", MaxRequestBytes))}

	// restTooLong is a REST API's answer when the Lambda proxy event is over Lambda's 6 MB
	// synchronous payload limit (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
	// Lambda's RequestTooLargeException passed on as a 413, as API Gateway answers it.
	restTooLong = jsonReply(http.StatusRequestEntityTooLarge, `{"message": "Request Too Long"}`, "BadRequestException")

	// canceled is what a request whose client went away gets, if anything reads it.
	canceled = &reply{status: 499}
)

func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// requestIDs identify one request: requestID is REST's UUID (HTTP APIs use apigwID for both),
// apigwID the short id API Gateway also logs, traceID an X-Ray trace header value.
type requestIDs struct {
	requestID, apigwID, traceID string
}

func newRequestIDs(now time.Time, kind string) requestIDs {
	var b [27]byte
	for i := 0; i < len(b); i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rand.Uint64())
		copy(b[i:], w[:])
	}
	ids := requestIDs{
		requestID: uuid.Format([16]byte(b[:16])),
		apigwID:   base64.StdEncoding.EncodeToString(b[16:27]),
		traceID:   fmt.Sprintf("Root=1-%08x-%s", now.Unix(), hex.EncodeToString(b[15:27])),
	}
	if kind == KindHTTP {
		ids.requestID = ids.apigwID
	}
	return ids
}

func writeReply(w http.ResponseWriter, rp *reply, ids requestIDs, kind string) {
	h := w.Header()
	for k, v := range rp.header {
		h[k] = append([]string(nil), v...) // replies may be shared: never alias their slices
	}
	h.Set("X-Amzn-Requestid", ids.requestID)
	if kind == KindREST {
		h.Set("X-Amz-Apigw-Id", ids.apigwID)
		h.Set("X-Amzn-Trace-Id", ids.traceID)
	} else {
		h.Set("Apigw-Requestid", ids.apigwID)
	}
	h.Set("Content-Length", strconv.Itoa(len(rp.body)))
	w.WriteHeader(rp.status)
	_, _ = w.Write(rp.body)
}

var errMalformed = errors.New("malformed Lambda proxy response")

// v1Fields are the only fields a payload format 1.0 answer may have.
var v1Fields = map[string]bool{"statusCode": true, "headers": true, "multiValueHeaders": true, "body": true, "isBase64Encoded": true}

// answerV1 turns a payload format 1.0 answer into a reply. REST APIs take a missing statusCode as
// 200; HTTP APIs require it. decodeBinary says whether an isBase64Encoded body is decoded (REST
// decodes only for its binary media types).
func answerV1(payload []byte, requireStatus, decodeBinary bool) (*reply, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil || m == nil {
		return nil, errMalformed
	}
	for k := range m {
		if !v1Fields[k] {
			return nil, fmt.Errorf("%w: unexpected field %q", errMalformed, k)
		}
	}
	rp, hasStatus, err := answerFields(m, decodeBinary)
	if err != nil {
		return nil, err
	}
	if !hasStatus {
		if requireStatus {
			return nil, fmt.Errorf("%w: statusCode is missing", errMalformed)
		}
		rp.status = http.StatusOK
	}
	if rp.header.Get("Content-Type") == "" {
		rp.header.Set("Content-Type", "application/json")
	}
	return rp, nil
}

// answerV2 turns a payload format 2.0 answer into a reply. Without a statusCode the whole answer
// is a 200 application/json body (a JSON string answer is its text), as API Gateway assumes.
func answerV2(payload []byte) (*reply, error) {
	trimmed := bytes.TrimSpace(payload)
	var m map[string]json.RawMessage
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if err := json.Unmarshal(trimmed, &m); err != nil {
			return nil, errMalformed
		}
	}
	if st, ok := m["statusCode"]; !ok || string(st) == "null" {
		if !json.Valid(trimmed) {
			return nil, errMalformed
		}
		body := trimmed
		var s string
		if len(trimmed) > 0 && trimmed[0] == '"' && json.Unmarshal(trimmed, &s) == nil {
			body = []byte(s)
		}
		return &reply{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: body}, nil
	}
	rp, _, err := answerFields(m, true)
	if err != nil {
		return nil, err
	}
	if raw, ok := m["cookies"]; ok && string(raw) != "null" {
		var cookies []string
		if err := json.Unmarshal(raw, &cookies); err != nil {
			return nil, fmt.Errorf("%w: cookies must be a list of strings", errMalformed)
		}
		for _, c := range cookies {
			rp.header.Add("Set-Cookie", c)
		}
	}
	return rp, nil
}

// answerFields reads statusCode, headers, multiValueHeaders (format 1.0), body and
// isBase64Encoded.
func answerFields(m map[string]json.RawMessage, decodeBinary bool) (*reply, bool, error) {
	rp := &reply{header: http.Header{}}
	hasStatus := false
	if raw, ok := m["statusCode"]; ok && string(raw) != "null" {
		code, err := statusCode(raw)
		if err != nil {
			return nil, false, err
		}
		rp.status, hasStatus = code, true
	}
	if raw, ok := m["headers"]; ok && string(raw) != "null" {
		var hs map[string]json.RawMessage
		if err := json.Unmarshal(raw, &hs); err != nil {
			return nil, false, fmt.Errorf("%w: headers must be an object", errMalformed)
		}
		for k, v := range hs {
			s, err := headerValue(v)
			if err != nil {
				return nil, false, err
			}
			rp.header.Set(k, s)
		}
	}
	if raw, ok := m["multiValueHeaders"]; ok && string(raw) != "null" {
		var hs map[string][]json.RawMessage
		if err := json.Unmarshal(raw, &hs); err != nil {
			return nil, false, fmt.Errorf("%w: multiValueHeaders must map names to lists", errMalformed)
		}
		// A name in both headers and multiValueHeaders keeps only multiValueHeaders' values.
		for k, vs := range hs {
			rp.header.Del(k)
			for _, v := range vs {
				s, err := headerValue(v)
				if err != nil {
					return nil, false, err
				}
				rp.header.Add(k, s)
			}
		}
	}
	var body string
	if raw, ok := m["body"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, false, fmt.Errorf("%w: body must be a string", errMalformed)
		}
	}
	var b64 bool
	if raw, ok := m["isBase64Encoded"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &b64); err != nil {
			return nil, false, fmt.Errorf("%w: isBase64Encoded must be a boolean", errMalformed)
		}
	}
	rp.body = []byte(body)
	if b64 && decodeBinary {
		decoded, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, false, fmt.Errorf("%w: body is not valid base64", errMalformed)
		}
		rp.body = decoded
	}
	return rp, hasStatus, nil
}

func statusCode(raw json.RawMessage) (int, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, fmt.Errorf("%w: statusCode must be a number", errMalformed)
		}
		n = json.Number(s)
	}
	code, err := strconv.Atoi(n.String())
	if err != nil || code < 100 || code > 599 {
		return 0, fmt.Errorf("%w: statusCode %s is not an HTTP status", errMalformed, n)
	}
	return code, nil
}

// headerValue accepts a string or a boolean, as API Gateway does.
func headerValue(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b), nil
	}
	return "", fmt.Errorf("%w: header values must be strings, got %s", errMalformed, strings.TrimSpace(string(raw)))
}
