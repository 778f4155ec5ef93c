package asl

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	// Payloads in the history are compact JSON without HTML escaping:
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
	tests := []struct {
		name string
		in   string
	}{
		{"object keys sorted", `{"b":1,"a":[true,false,null],"c":{"z":"y","x":1.50}}`},
		{"escapes", `{"s":"quote \" backslash \\ newline \n tab \t cr \r bell \u0007 <html> & \u2028 \u2029 é 😀"}`},
		{"numbers kept as written", `[12345678901234567890, 1e3, -0.0, 0.1]`},
		{"empty containers", `{"a":{},"b":[],"c":""}`},
		{"scalar", `"just text"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := decode([]byte(tt.in))
			assert.NoError(t, err)
			var buf bytes.Buffer
			e := json.NewEncoder(&buf)
			e.SetEscapeHTML(false)
			assert.NoError(t, e.Encode(v))
			assert.Equal(t, string(bytes.TrimRight(buf.Bytes(), "\n")), string(encode(v)))
		})
	}
	assert.Equal(t, `"\ufffd"`, string(encode(string([]byte{0xff}))))
}
