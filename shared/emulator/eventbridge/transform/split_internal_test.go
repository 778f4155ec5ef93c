package transform

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSplitObjectMatchesUnmarshal holds the scan Apply uses for an event's objects to what
// json.Unmarshal into map[string]json.RawMessage gives, on valid JSON (RFC 8259) of every kind
// of member: strings with escaped quotes and braces, nested objects and arrays, numbers and
// literals, white space anywhere, a repeated name.
func TestSplitObjectMatchesUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc   string
		split bool // whether splitObject answers (false: json.Unmarshal does)
	}{
		{doc: `{}`, split: true},
		{doc: `{ }`, split: true},
		{doc: `{"version":"0","id":"e-1","detail-type":"OrderPlaced","source":"bakery.orders","detail":{"order_id":"o-1","items":[{"id":"x","q":2}],"total":12.5,"paid":true,"note":null}}`, split: true},
		{doc: "{\n  \"a\" : \"q\\\"uote } ] {\" ,\n\t\"b\":[1,{\"c\":\"]\"}] , \"c\" : -1.5e3 ,\"d\":false}", split: true},
		{doc: `{"a":"\\","b":"\\\""}`, split: true},
		{doc: `{"é":"ü","😀":[]}`, split: true},
		{doc: `{"a":1,"a":2}`, split: true},
		{doc: `{"a":{"b":{"c":{"d":[[[]]]}}}}`, split: true},
		{doc: `{"a\"b":1}`},
		{doc: `{"\u0061":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			t.Parallel()
			require.True(t, json.Valid([]byte(tt.doc)))
			var want map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(tt.doc), &want))
			got, ok := splitObject([]byte(tt.doc))
			assert.Equal(t, tt.split, ok)
			if ok {
				assert.Equal(t, want, got)
			}
			memo, err := objects{}.decode([]byte(tt.doc))
			require.NoError(t, err)
			assert.Equal(t, want, memo)
		})
	}
}

// Input that is not the valid JSON splitObject expects is refused, not a panic.
func TestSplitObjectRefusesBrokenInput(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{`{"`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1 "b":2}`, `{1:2}`} {
		_, ok := splitObject([]byte(doc))
		assert.False(t, ok, doc)
	}
}
