package eventbody_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/eventbody"
)

// The body of a proxy event is text, or base64 when isBase64Encoded says so; a REST API passes
// bytes that are not UTF-8 as U+FFFD
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html).
func TestText(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		base64  bool
		want    string
		wantErr string
	}{
		{name: "text", body: `{"a":"é"}`, want: `{"a":"é"}`},
		{name: "empty", body: "", want: ""},
		{name: "base64 text", body: "eyJhIjoxfQ==", base64: true, want: `{"a":1}`},
		{name: "base64 that does not decode", body: "not base64!", base64: true, wantErr: "not valid base64"},
		{name: "base64 of bytes that are not UTF-8", body: "eyJh/w==", base64: true, wantErr: "byte 3 is 0xff"},
		{name: "U+FFFD from a REST API", body: "{\"a\":\"\uFFFD\"}", wantErr: "replaced with U+FFFD (first at byte 6)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eventbody.Text(tt.body, tt.base64)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
