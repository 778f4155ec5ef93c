package asl

import (
	"bytes"
	"encoding/json"
	"math"
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
			assert.Equal(t, len(encode(v)), encodedLen(v), "the size a limit checks without encoding")
		})
	}
	assert.Equal(t, `"\ufffd"`, string(encode(string([]byte{0xff}))))
	for _, s := range []string{"\xff", "a\xffb\xfe", "\u2028\u2029", "\x00\x1f\x7f", "😀é", "\n\r\t\"\\", "\xe2\x80"} {
		assert.Equal(t, len(encode(s)), encodedLen(s), "%q", s)
		assert.Equal(t, len(encode(map[string]any{s: []any{s}})), encodedLen(map[string]any{s: []any{s}}), "%q", s)
	}
}

func TestPlainFromJSONataMatchesTheRoundTrip(t *testing.T) {
	t.Parallel()
	// A JSONata result becomes the state's JSON output
	// (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html); the direct
	// conversion must give exactly what the JSON round trip gives, or leave the value to it.
	tests := []struct {
		name  string
		in    any
		plain bool
	}{
		{"object of scalars", map[string]any{"s": "é", "n": 2.5, "i": 3.0, "b": true, "z": nil}, true},
		{"nested", []any{map[string]any{"a": []any{1.0, "x"}}, []any{}}, true},
		{"large integer", map[string]any{"n": 1e18}, true},
		{"exponent", map[string]any{"n": 1e21}, false},
		{"tiny", []any{1e-7}, false},
		{"negative zero", []any{math.Copysign(0, -1)}, false},
		{"invalid UTF-8", map[string]any{"s": "\xff"}, false},
		{"invalid UTF-8 key", map[string]any{"\xff": 1.0}, false},
		{"library int", map[string]any{"n": 3}, false},
		{"typed slice", map[string]any{"l": []string{"a"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.in)
			assert.NoError(t, err)
			want, err := decode(b)
			assert.NoError(t, err)
			got, ok := plainFromJSONata(tt.in)
			assert.Equal(t, tt.plain, ok)
			if ok {
				assert.Equal(t, want, got)
			}
			full, err := fromJSONata(tt.in)
			assert.NoError(t, err)
			assert.Equal(t, want, full)
		})
	}
}
