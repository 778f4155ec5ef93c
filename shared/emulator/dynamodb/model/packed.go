package model

import (
	"encoding/binary"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// A stored item's documents (its top-level M and L values) are kept packed: as the JSON the
// service answers with, not as a tree of Values. Reading a 100 KB document into Values cost the
// emulator more CPU than the SDK spent sending it, and a table of packed documents is bytes the
// garbage collector does not scan: 01's 2,000 orders a second kept 94 MB of Values alive.
//
// Only the request decoder packs, and only an item to be stored (PutItem's, a transaction's Put,
// a BatchWriteItem PutRequest), and only a document it can keep as sent: compact JSON (as the
// SDKs send it) holding strings without escapes, canonical numbers, BOOL, NULL true, M and L,
// within DynamoDB's 32 levels, no repeated map key, no null member. Anything else is read into
// Values as before, so every error is found and worded as before.
//
// A packed value is a Value with NULL pointing at packedMark and B holding the value's size as
// DynamoDB counts it (4 bytes) and its JSON ({"M":{…}} or {"L":[…]}). It is never changed, and
// it is only ever an item's top-level attribute. The model reads it through unpack where an
// expression, a projection, a comparison or a digest looks inside it; the service writes its
// JSON as it is (PackedJSON).
var packedMark = true

// isPacked reports whether v is a packed document.
func isPacked(v *Value) bool { return v != nil && v.NULL == &packedMark }

// PackedJSON returns a packed value's JSON, as the service answers it; false for any other value.
func PackedJSON(v *Value) ([]byte, bool) {
	if !isPacked(v) {
		return nil, false
	}
	return v.B[4:], true
}

// packedType is a packed value's type, M or L.
func packedType(v *Value) string {
	if v.B[6] == 'M' {
		return "M"
	}
	return "L"
}

func packedSize(v *Value) int { return int(binary.LittleEndian.Uint32(v.B)) }

// unpack returns v as Values: v itself when it is not packed. The values' strings share the
// packed bytes, which never change.
func unpack(v *Value) *Value {
	if !isPacked(v) {
		return v
	}
	out, err := newDecoderOwned(v.B[4:]).value(attrValue)
	if err != nil {
		// The decoder checked this JSON before packing it; failing now is a bug in this file.
		panic("dynamodb model: a packed value does not read back: " + err.Error())
	}
	return out
}

// unpackAll returns item with every attribute unpacked: item itself when none is packed, else a
// copy (a stored item is never changed).
func unpackAll(item Item) Item {
	out, copied := item, false
	for name, v := range item {
		if isPacked(v) {
			if !copied {
				out, copied = maps.Clone(item), true
			}
			out[name] = unpack(v)
		}
	}
	return out
}

// packDocument reads the attribute value at d.i when it is a document it can pack (see above)
// and returns it packed; false, with d.i where it was, otherwise.
func (d *decoder) packDocument() (*Value, bool) {
	start := d.i
	size, objects, ok := d.packValue(0)
	if !ok || d.src[start+2] != 'M' && d.src[start+2] != 'L' { // {"M":… or {"L":…
		d.i = start
		d.pkNames = d.pkNames[:0]
		return nil, false
	}
	js := d.src[start:d.i]
	d.left -= objects - 1 // newValue counts the packed value's own
	v := d.newValue()
	// A concatenation is a new string the runtime does not clear before copying into it (a
	// make would clear the whole document first); it is never changed, as v.B never is.
	var head [4]byte
	binary.LittleEndian.PutUint32(head[:], uint32(size))
	b := string(head[:]) + js
	v.B = unsafe.Slice(unsafe.StringData(b), len(b))
	v.NULL = &packedMark
	d.size = size
	return v, true
}

// packValue checks one attribute value at d.i without building it, and returns its size as
// valueSize counts it and how many JSON objects it holds. It accepts only what the service's
// encoder would write back byte for byte: no white space, numbers canonical, strings without
// escapes. doc is the value's document nesting level, as the decoder's d.doc.
func (d *decoder) packValue(doc int) (size, objects int, ok bool) {
	if doc > maxDocumentDepth || !d.next('{') {
		return 0, 0, false
	}
	var typ string
	if i := d.i; i+4 <= len(d.src) && d.src[i] == '"' && d.src[i+2] == '"' && d.src[i+3] == ':' {
		typ, d.i = d.src[i+1:i+2], i+4 // "S":, "N":, "M":, "L": without a call
	} else if typ, ok = d.packString(); !ok || !d.next(':') {
		return 0, 0, false
	}
	objects = 1
	switch typ {
	case "S":
		s, ok := d.packString()
		if !ok {
			return 0, 0, false
		}
		size = len(s)
	case "N":
		s, ok := d.packString()
		if !ok {
			return 0, 0, false
		}
		if n, ok := plainIntegerSize(s); ok {
			size = n
			break
		}
		sh, err := scanNumber(s)
		if err != nil || !canonicalText(s, sh) {
			return 0, 0, false
		}
		size = (sh.sig+1)/2 + 1
	case "BOOL", "NULL":
		switch {
		case strings.HasPrefix(d.src[d.i:], "true"):
			d.i += 4
		case typ == "BOOL" && strings.HasPrefix(d.src[d.i:], "false"):
			d.i += 5
		default:
			return 0, 0, false
		}
		size = 1
	case "M":
		if !d.next('{') {
			return 0, 0, false
		}
		base := len(d.pkNames)
		var seen uint64 // a bit per key, by a cheap hash: the keys are compared only on a clash
		if !d.next('}') {
			for {
				name, ok := d.packString()
				if !ok || !d.next(':') {
					return 0, 0, false
				}
				h := uint(len(name))
				if len(name) > 0 {
					h += 3*uint(name[0]) + 5*uint(name[len(name)-1])
				}
				if bit := uint64(1) << (h & 63); seen&bit == 0 {
					seen |= bit
				} else if slices.Contains(d.pkNames[base:], name) {
					return 0, 0, false // a repeated key: the decoder keeps the last, and says so
				}
				d.pkNames = append(d.pkNames, name)
				vs, n, ok := d.packValue(doc + 1)
				if !ok {
					return 0, 0, false
				}
				size += len(name) + vs
				objects += n
				if d.next(',') {
					continue
				}
				if d.next('}') {
					break
				}
				return 0, 0, false
			}
		}
		size += 3 + len(d.pkNames) - base
		d.pkNames = d.pkNames[:base]
	case "L":
		if !d.next('[') {
			return 0, 0, false
		}
		n := 0
		if !d.next(']') {
			for {
				vs, o, ok := d.packValue(doc + 1)
				if !ok {
					return 0, 0, false
				}
				size += vs
				objects += o
				n++
				if d.next(',') {
					continue
				}
				if d.next(']') {
					break
				}
				return 0, 0, false
			}
		}
		size += 3 + n
	default:
		return 0, 0, false
	}
	if !d.next('}') {
		return 0, 0, false
	}
	return size, objects, true
}

// plainIntegerSize is the size of a number written as digits only, canonical (no leading zero)
// and within DynamoDB's 38 digits: most numbers of an item; false for any other.
func plainIntegerSize(s string) (int, bool) {
	if s == "" || len(s) > maxNumberDigits || s[0] == '0' && len(s) > 1 {
		return 0, false
	}
	last := 0 // after the last digit that is not a zero: trailing zeros are not significant
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < '0' || c > '9':
			return 0, false
		case c != '0':
			last = i + 1
		}
	}
	return (last+1)/2 + 1, true
}

// next consumes c when it is the very next byte (no white space first).
func (d *decoder) next(c byte) bool {
	if d.i < len(d.src) && d.src[d.i] == c {
		d.i++
		return true
	}
	return false
}

// packString reads a JSON string that the service's encoder would write back byte for byte: no
// escape, no control character, valid UTF-8. It returns the string's bytes.
func (d *decoder) packString() (string, bool) {
	src, i := d.src, d.i
	if i >= len(src) || src[i] != '"' {
		return "", false
	}
	i++
	start := i
	const ones, high = 0x0101010101010101, 0x8080808080808080
	for {
		// Eight bytes at a time: a mask of the bytes that are a quote, a backslash, a control
		// character or outside ASCII, whose lowest bit is exactly the first of them (the borrow
		// of the subtractions only runs upwards).
		if i+8 <= len(src) {
			x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(src[i:]), 8))
			q, b := x^(ones*'"'), x^(ones*'\\')
			mask := ((x-ones*0x20)&^x | (q-ones)&^q | (b-ones)&^b | x) & high
			if mask == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(mask) / 8
		}
		if i >= len(src) {
			return "", false
		}
		switch c := src[i]; {
		case c == '"':
			d.i = i + 1
			return src[start:i], true
		case c < 0x20 || c == '\\':
			return "", false
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && n == 1 {
				return "", false
			}
			i += n
		default:
			i++ // fewer than eight bytes were left
		}
	}
}
