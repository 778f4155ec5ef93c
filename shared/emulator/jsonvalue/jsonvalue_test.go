package jsonvalue

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdlib is what the callers do without this package: a json.Decoder with UseNumber, the
// whole input one value.
func stdlib(b []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err == nil { // something after the value
		return nil, false
	}
	return v, true
}

// The cases follow RFC 8259 (https://www.rfc-editor.org/rfc/rfc8259), the grammar
// encoding/json implements.
func TestParseAgreesWithEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		fast bool // Parse takes it; otherwise it declines and encoding/json decides
	}{
		{"a DynamoDB GetItem answer", `{"Item":{"pk":{"S":"ORDER#1"},"total":{"N":"12.50"},"items":{"L":[{"M":{"id":{"S":"croissant"},"q":{"N":"2"}}}]}}}`, true},
		{"an EventBridge event", `{"version":"0","id":"6a7e8feb","detail-type":"OrderPaid","source":"emilys.orders","time":"2026-12-06T10:00:00Z","resources":[],"detail":{"order_id":"o-1","amount":1250,"paid":true,"note":null}}`, true},
		{"whitespace around and inside", " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } }\n", true},
		{"scalars at the top", `"text"`, true},
		{"true", `true`, true},
		{"false", `false`, true},
		{"null", `null`, true},
		{"numbers as written", `[0,-0,1,-12,3.25,1e3,1E-3,2.5e+10,123456789012345678901234567890]`, true},
		{"escapes", `"a\"b\\c\/d\b\f\n\r\t\u00e9\u4e2d"`, true},
		{"UTF-8 text", `{"name":"Zoë Ñúñez 中文 🥐"}`, true},
		{"empty containers", `[{},[],""]`, true},
		{"a repeated key: the last wins", `{"a":1,"a":2}`, true},
		{"a surrogate pair escape", `"\ud83e\udd50"`, false},
		{"a lone surrogate", `"\ud83e"`, false},
		{"invalid UTF-8", "\"caf\xe9\"", false},
		{"invalid UTF-8 after an escape", "\"\\n\xff\"", false},
		{"a control character in a string", "\"a\tb\"", false},
		{"a leading zero", `01`, false},
		{"a leading zero inside", `[01]`, false},
		{"a bare minus", `-`, false},
		{"a dot without digits", `1.`, false},
		{"an exponent without digits", `1e`, false},
		{"a plus sign", `+1`, false},
		{"trailing data", `{} {}`, false},
		{"a trailing comma", `[1,]`, false},
		{"a trailing comma in an object", `{"a":1,}`, false},
		{"a missing colon", `{"a" 1}`, false},
		{"an unquoted key", `{a:1}`, false},
		{"a single-quoted string", `'a'`, false},
		{"an unterminated string", `"abc`, false},
		{"an unterminated array", `[1,2`, false},
		{"an unknown escape", `"\x41"`, false},
		{"a short \\u escape", `"\u12"`, false},
		{"a misspelt literal", `nul`, false},
		{"a literal with more letters", `truex`, false},
		{"empty input", ``, false},
		{"only whitespace", `  `, false},
		{"NaN", `NaN`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse([]byte(tt.doc))
			assert.Equal(t, tt.fast, ok, "Parse's ok")
			want, valid := stdlib([]byte(tt.doc))
			if ok {
				require.True(t, valid, "Parse took a document encoding/json refuses")
				assert.Equal(t, want, got)
			}
		})
	}
}

func TestParseDeclinesDeeperThanEncodingJSONAllows(t *testing.T) {
	tests := []struct {
		name  string
		depth int
		fast  bool
	}{
		{"at the limit", maxDepth, true},
		{"one deeper", maxDepth + 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Repeat("[", tt.depth) + strings.Repeat("]", tt.depth)
			_, ok := Parse([]byte(doc))
			assert.Equal(t, tt.fast, ok)
			_, valid := stdlib([]byte(doc))
			assert.Equal(t, tt.fast, valid, "encoding/json's own limit")
		})
	}
}

// FuzzParse checks, for any input, that what Parse takes encoding/json takes too and reads as
// the same value (go test -fuzz FuzzParse ./shared/emulator/jsonvalue; plain go test runs the
// seeds).
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x",true,null]}`, `"\u00e9\n"`, `-0.5e-3`, `[[],{}]`, "\"\xff\"", `{"a":1,}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := Parse(b)
		if !ok {
			return
		}
		want, valid := stdlib(b)
		if !valid {
			t.Fatalf("Parse took %q, which encoding/json refuses", b)
		}
		if !assert.Equal(t, want, got) {
			t.Fatalf("different values for %q", b)
		}
	})
}

// BenchmarkParse compares Parse with the json.Decoder it stands in for, on a Step Functions
// integration's typical answer (a DynamoDB GetItem of an order).
func BenchmarkParse(b *testing.B) {
	doc := []byte(`{"Item":{"pk":{"S":"ORDER#o-4f1c2a"},"sk":{"S":"ORDER"},"status":{"S":"paid"},"store_id":{"S":"lon-01"},"total_cents":{"N":"1250"},"customer":{"M":{"name":{"S":"Ada Lovelace"},"email":{"S":"ada@example.com"}}},"items":{"L":[{"M":{"item_id":{"S":"croissant"},"quantity":{"N":"2"},"price_cents":{"N":"325"}}},{"M":{"item_id":{"S":"cappuccino"},"quantity":{"N":"1"},"price_cents":{"N":"600"}}}]}}}`)
	b.Run("jsonvalue.Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := Parse(doc); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("json.Decoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := stdlib(doc); !ok {
				b.Fatal("refused")
			}
		}
	})
}
