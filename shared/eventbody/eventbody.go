// Package eventbody reads the body of an API Gateway proxy event as the text a handler parses.
//
// API Gateway hands a Lambda function the request body as a JSON string: base64-encoded, with
// isBase64Encoded true, when it treats the body as binary (a REST API: a Content-Type among its
// binaryMediaTypes; an HTTP API: any body that is not text), else as UTF-8 text, where a REST
// API turns bytes that are not UTF-8 into U+FFFD
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
// A handler that parses JSON wants the text the client sent, or a message saying why there is
// none; Text gives either.
package eventbody

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text returns an event's body as UTF-8 text: decoded from base64 when isBase64Encoded is set.
// The error, meant for a 400 answer, says what is wrong: base64 that does not decode, bytes
// that are not UTF-8 (with the offset of the first), or U+FFFD, which is what API Gateway makes
// of bytes that were not UTF-8 and which no client that sends text means to send.
func Text(body string, isBase64Encoded bool) (string, error) {
	if isBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return "", fmt.Errorf("request body is marked base64-encoded (isBase64Encoded) but is not valid base64: %w", err)
		}
		body = string(b)
		if !utf8.ValidString(body) {
			i := firstInvalid(body)
			return "", fmt.Errorf("request body is not UTF-8 text: byte %d is 0x%02x; send it as UTF-8 JSON (Content-Type: application/json)", i, body[i])
		}
	}
	if i := strings.IndexRune(body, utf8.RuneError); i >= 0 {
		return "", fmt.Errorf("request body is not UTF-8 text: it has bytes that are not UTF-8, which API Gateway replaced with U+FFFD (first at byte %d); send it as UTF-8 JSON (Content-Type: application/json)", i)
	}
	return body, nil
}

// firstInvalid is the offset of the first byte of s that does not start a UTF-8 character.
func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return i
			}
		}
	}
	return len(s)
}
