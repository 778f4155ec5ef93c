package model

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackedDocuments checks which documents of an item to be stored the decoder packs, and that
// a packed document is the same value, of the same size, as the decoder reads it without packing.
// Sizes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
func TestPackedDocuments(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"L":[`, 33) + `{"S":"x"}` + strings.Repeat(`]}`, 33)
	for _, tt := range []struct {
		name   string
		item   string
		packed []string // the attributes stored packed; the others are Values
	}{
		{"documents as the SDKs send them", `{"pk":{"S":"a"},"m":{"M":{"s":{"S":"x"},"n":{"N":"240"},"f":{"N":"-0.25"},"t":{"BOOL":false},"z":{"NULL":true},"l":{"L":[{"M":{}},{"L":[]}]}}},"l":{"L":[{"S":"é, 蛋糕"}]}}`, []string{"m", "l"}},
		{"empty documents", `{"m":{"M":{}},"l":{"L":[]}}`, []string{"m", "l"}},
		{"white space", `{"m":{"M":{"a": {"S":"x"}}},"l":{"L":[{"S":"x"}]}}`, []string{"l"}},
		{"an escape", `{"m":{"M":{"a":{"S":"x\"y"}}},"u":{"M":{"a":{"S":"\u00e9"}}}}`, nil},
		{"a number DynamoDB rewrites", `{"m":{"M":{"a":{"N":"1.50"}}},"p":{"L":[{"N":"+1"}]},"e":{"L":[{"N":"1e3"}]}}`, nil},
		{"a binary or a set inside", `{"b":{"L":[{"B":"aGk="}]},"s":{"M":{"a":{"SS":["x"]}}}}`, nil},
		{"NULL false, a null member, a repeated key", `{"f":{"L":[{"NULL":false}]},"n":{"M":{"a":null}},"r":{"M":{"a":{"S":"1"},"a":{"S":"2"}}}}`, nil},
		{"two types in one value, none", `{"two":{"L":[{"S":"a","N":"1"}]},"none":{"L":[{}]}}`, nil},
		{"33 levels", `{"deep":` + deep + `}`, nil},
		{"invalid UTF-8", "{\"m\":{\"M\":{\"a\":{\"S\":\"\xff\"}}}}", nil},
		{"scalars are never packed", `{"s":{"S":"x"},"n":{"N":"1"}}`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, checked, err := newDecoder([]byte(`{"Item":` + tt.item + `}`)).packedItem()
			require.NoError(t, err)
			plain, err := newDecoder([]byte(tt.item)).topItem()
			require.NoError(t, err)
			var packed []string
			for name, v := range got {
				if isPacked(v) {
					packed = append(packed, name)
				}
				assert.Equal(t, plain[name], unpack(v), name)
			}
			assert.ElementsMatch(t, tt.packed, packed)
			assert.Equal(t, ItemSize(plain), ItemSize(got))
			if checked > 0 {
				assert.Equal(t, ItemSize(plain), int(checked)-1)
			}
			assert.True(t, itemsEqual(plain, got))
		})
	}
}

// packedItem reads {"Item": …} as PutItem's decoder does.
func (d *decoder) packedItem() (Item, checkedItem, error) {
	var it Item
	var c checkedItem
	_, err := d.object(fieldStruct("PutItemInput"), func(string) (err error) {
		it, c, err = d.checkedItem()
		return err
	})
	return it, c, err
}

// TestPackStringFindsEverySpecialByte puts each byte the service's encoder would write
// differently (and the closing quote) at every position of strings short and long, so that the
// eight-bytes-at-a-time scan is checked at every offset of its words and in the tail it leaves
// to the byte loop.
func TestPackStringFindsEverySpecialByte(t *testing.T) {
	t.Parallel()
	// want reads the string the simple way: up to the first quote, refusing escapes, control
	// characters and invalid UTF-8.
	want := func(src string) (string, bool) {
		for i := 1; i < len(src); {
			r, n := utf8.DecodeRuneInString(src[i:])
			switch {
			case r == '"':
				return src[1:i], true
			case r == '\\' || r < 0x20 || r == utf8.RuneError && n == 1:
				return "", false
			}
			i += n
		}
		return "", false
	}
	for _, special := range []string{`"`, `\`, "\x01", "\x1f", "é", "蛋", "\xff", "\xc3"} {
		for n := range 20 {
			for at := range n + 1 {
				body := strings.Repeat("a", at) + special + strings.Repeat("b", n-at)
				for _, tail := range []string{`"`, `","x"`, `"` + strings.Repeat(" ", 9)} {
					src := `"` + body + tail
					d := newDecoder([]byte(src))
					s, ok := d.packString()
					ws, wok := want(src)
					require.Equal(t, wok, ok, "%q", src)
					require.Equal(t, ws, s, "%q", src)
					if ok {
						require.Equal(t, len(ws)+2, d.i, "%q", src)
					}
				}
			}
		}
	}
}
