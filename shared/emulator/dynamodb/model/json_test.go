package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/truora/minidyn/types"
)

// TestItemUnmarshalMatchesEncodingJSON checks the hand-written parser against encoding/json
// decoding into minidyn's type (whose field names match the wire).
func TestItemUnmarshalMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	inputs := []string{
		`{}`,
		`{"pk":{"S":"a"}}`,
		` { "pk" : { "S" : "a b" } , "n" : {"N":"-1.5"} } `, // numbers are canonical here: the parser normalises them (TestNumbersNormalised)
		`{"esc":{"S":"quote \" backslash \\ slash \/ tab \t nl \n uni \u00e9 \u20ac pair \ud83e\udd50"}}`,
		`{"raw utf8":{"S":"croissant 🥐 é"}}`,
		`{"b":{"B":"aGVsbG8="},"bs":{"BS":["AQ==","Ag=="]}}`,
		`{"t":{"BOOL":true},"f":{"BOOL":false},"z":{"NULL":true}}`,
		`{"l":{"L":[{"S":"x"},{"N":"1"},{"L":[]},{"M":{}}]}}`,
		`{"m":{"M":{"inner":{"M":{"deep":{"SS":["a","b"]}}},"ns":{"NS":["1","2.5"]}}}}`,
		`{"two":{"S":"a","N":"1"}}`,
		`{"empty":{}}`,
	}
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			var got Item
			require.NoError(t, json.Unmarshal([]byte(in), &got))
			var want map[string]*types.Item
			require.NoError(t, json.Unmarshal([]byte(in), &want))
			assert.Equal(t, want, map[string]*types.Item(got))
		})
	}
}

func TestItemUnmarshalErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"a":{"S":1}}`,
		`{"a":{"B":"not base64!"}}`,
		`{"a":{"BOOL":"maybe"}}`,
		`{"a":{"L":{}}}`,
		`{"a":"S"}`,
	} {
		var got Item
		assert.Error(t, json.Unmarshal([]byte(in), &got), in)
	}
	var inStruct struct {
		Item Item `json:"Item"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"Item":null}`), &inStruct))
	assert.Nil(t, inStruct.Item)
}

// TestCheckedItem checks that the decoder's own validation and size agree with validateItem and
// ItemSize: it vouches for an item only when validateItem accepts it, and then with its size.
func TestCheckedItem(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in    string
		vouch bool
	}{
		{`{}`, true},
		{`{"pk":{"S":"a"},"n":{"N":"-1.5e3"},"b":{"B":"aGVsbG8="},"t":{"BOOL":true},"z":{"NULL":true}}`, true},
		{`{"l":{"L":[{"S":"x"},{"N":"100"},{"L":[]},{"M":{}},{"M":{"k":{"S":"é"}}}]}}`, true},
		{`{"m":{"M":{"inner":{"M":{"deep":{"N":"0.001"}}}}},"esc":{"S":"a\"b"}}`, true},
		{`{"set":{"SS":["a","b"]}}`, false},
		{`{"dup":{"SS":["a","a"]}}`, false},
		{`{"empty":{}}`, false},
		{`{"two":{"S":"a","N":"1"}}`, false},
		{`{"nan":{"N":"abc"}}`, false},
		{`{"null":{"NULL":false}}`, false},
		{`{"twice":{"S":"a"},"twice":{"S":"bb"}}`, false},
		{`{"deep":` + strings.Repeat(`{"L":[`, 33) + `{"S":"x"}` + strings.Repeat(`]}`, 33) + `}`, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			d := newDecoder([]byte(tt.in))
			it, checked, err := d.checkedItem()
			require.NoError(t, err)
			assert.Equal(t, tt.vouch, checked > 0)
			if checked > 0 {
				require.NoError(t, validateItem(it))
				assert.Equal(t, ItemSize(it), int(checked)-1)
			}
		})
	}
	d := newDecoder([]byte(`{"dup":{"SS":["a","a"]}}`))
	_, checked, err := d.checkedItem()
	require.NoError(t, err)
	assert.Zero(t, checked, "a set is left to validateItem")
}
