package model

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// UnmarshalJSON parses an item in DynamoDB JSON ({"name": {"S": "…"}, …}) with the request
// decoder (decode.go).
func (it *Item) UnmarshalJSON(data []byte) error {
	d := newDecoder(data)
	if d.null() {
		*it = nil
		return nil
	}
	m, err := d.item(attrMap)
	if err != nil {
		return err
	}
	if err := d.end(); err != nil {
		return err
	}
	*it = m
	return nil
}

// decoder reads DynamoDB's JSON wire format in one pass, straight into the model's types. It is
// the request path's hot spot, so it is hand-written: the input is copied once into a string
// that the values' strings share, values are allocated in blocks rather than one by one, and a
// map or a list is made once, at its final size, from a stack of the members already read.
//
// A value of the wrong JSON type is a SerializationException worded as DynamoDB's (Java) wire
// layer words it (shape.mismatch); null stands for an absent member, and unknown members are
// ignored, as DynamoDB does.
type decoder struct {
	src  string
	i    int
	vals []Value  // block the next values come from
	strs []string // block the next string pointers come from
	left int      // values (and strings) the rest of the request can hold at most
	// perItem: each top-level attribute map takes blocks of its own, of chunk values next.
	perItem bool
	chunk   int
	pairs   []pair   // members of the maps being read, innermost last
	elems   []*Value // elements of the lists being read, innermost last
	depth   int

	// While it reads attribute values the decoder also works out what validateItem and
	// ItemSize would (so that a PutItem does not walk its item twice more): size is the size of
	// the last value or item read, doc the document nesting level of the value being read, and
	// suspect is set by anything validation has to look at itself (then the model walks the
	// item as before).
	size    int
	doc     int
	suspect bool

	// packAt is set while the decoder reads an item to be stored, to the item's nesting depth:
	// the item's documents are packed when they can be (packed.go); pkNames holds the keys of
	// the maps being packed.
	packAt  int
	pkNames []string
}

type pair struct {
	name string
	v    *Value
}

// maxParseDepth bounds the recursion on hostile input; DynamoDB's own limit (32 levels of
// documents) is checked after parsing, with its message.
const maxParseDepth = 128

func newDecoder(data []byte) *decoder {
	return newDecoderOf(string(data))
}

// newDecoderOwned reads data in place: the caller hands data over and never changes it again
// (the values' strings point into it).
func newDecoderOwned(data []byte) *decoder {
	return newDecoderOf(unsafe.String(unsafe.SliceData(data), len(data)))
}

func newDecoderOf(src string) *decoder {
	// Every attribute value is an object, so the braces bound the number of values (and of
	// strings) the request holds.
	return &decoder{src: src, left: strings.Count(src, "{")}
}

// Values and string pointers come from blocks. A request with one item to store (PutItem, or
// anything else) takes one block for all of it, the cheapest for a large item. A request with
// several (TransactWriteItems, BatchWriteItem: perItem) starts new blocks at each top-level
// attribute map (an item, a key, ExpressionAttributeValues), small ones that double up to
// maxChunk: a stored item keeps its blocks alive, and one block for the whole request kept every
// other value of the request alive with it (a TransactWriteItems' keys, conditions and values:
// the heap left after sending 2,000 orders a second through 01 went from 169 to 132 MB). For
// PutItem the small blocks cost a quarter more CPU at 100 KB (BenchmarkDynamoDBCall).
const (
	minChunk = 8
	maxChunk = 512
)

// storedItem reads an item to be stored: as topItem, its documents packed where they can be,
// its values from small blocks (a block the size of the request would be mostly unused).
func (d *decoder) storedItem() (Item, error) {
	d.packAt = d.depth + 1
	perItem := d.perItem
	d.perItem = true
	defer func() { d.packAt, d.perItem = 0, perItem }()
	it, err := d.topItem()
	if err != nil {
		return nil, err
	}
	compactTop(it)
	return it, nil
}

// compactTop moves an item's top-level values, and the strings they point to, into blocks of
// their exact size: the item is stored, and the blocks they were read into are mostly unused
// (01's order items kept 40 % more memory than they held).
func compactTop(it Item) {
	vals := make([]Value, len(it))
	strs := 0
	for _, v := range it {
		if v.S != nil || v.N != nil {
			strs++
		}
	}
	ptrs := make([]string, strs)
	i, j := 0, 0
	for k, v := range it {
		vals[i] = *v
		switch {
		case v.S != nil:
			ptrs[j] = *v.S
			vals[i].S = &ptrs[j]
			j++
		case v.N != nil:
			ptrs[j] = *v.N
			vals[i].N = &ptrs[j]
			j++
		}
		it[k] = &vals[i]
		i++
	}
}

// topItem reads a top-level attribute map, into blocks of its own when the request has several.
func (d *decoder) topItem() (Item, error) {
	if d.perItem {
		d.vals, d.strs, d.chunk = nil, nil, minChunk
	}
	return d.item(attrMap)
}

// block is the size of the next block of values (and of string pointers).
func (d *decoder) block() int {
	left := max(d.left, 1) // "{" inside strings can make left long; never short
	if !d.perItem {
		return max(left, minChunk)
	}
	n := min(max(d.chunk, minChunk), left)
	d.chunk = min(2*max(d.chunk, minChunk), maxChunk)
	return n
}

func (d *decoder) ws() {
	for d.i < len(d.src) {
		switch d.src[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next significant byte (0 at the end) without consuming it.
func (d *decoder) peek() byte {
	d.ws()
	if d.i < len(d.src) {
		return d.src[d.i]
	}
	return 0
}

func (d *decoder) consume(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

// null consumes a JSON null.
func (d *decoder) null() bool {
	if d.peek() == 'n' && strings.HasPrefix(d.src[d.i:], "null") {
		d.i += 4
		return true
	}
	return false
}

// end checks that nothing but white space follows.
func (d *decoder) end() error {
	d.ws()
	if d.i != len(d.src) {
		return d.syntax("the end of the request")
	}
	return nil
}

// syntax is the error of JSON that does not parse.
func (d *decoder) syntax(want string) error {
	near := d.src[d.i:min(len(d.src), d.i+20)]
	return &Error{Code: CodeSerialization, Message: "Could not parse request body: expected " + want +
		" at offset " + strconv.Itoa(d.i) + " near " + strconv.Quote(near)}
}

func serialization(msg string) error { return &Error{Code: CodeSerialization, Message: msg} }

func (d *decoder) newValue() *Value {
	if len(d.vals) == 0 {
		n := d.block()
		d.vals = make([]Value, n)
		if len(d.strs) < n {
			d.strs = make([]string, n) // most values are a string or a number
		}
	}
	d.left--
	v := &d.vals[0]
	d.vals = d.vals[1:]
	return v
}

func (d *decoder) newString(s string) *string {
	if len(d.strs) == 0 {
		d.strs = make([]string, minChunk) // a set's members
	}
	ps := &d.strs[0]
	d.strs = d.strs[1:]
	*ps = s
	return ps
}

// A shape is what the wire expects at a position, for DynamoDB's wording of a value of the
// wrong JSON type (SerializationException).
type shape struct {
	kind  shapeKind
	class string // the Java type in "Unrecognized collection type …"
}

type shapeKind uint8

const (
	kString      shapeKind = iota
	kBoolean               // Boolean
	kInteger               // Integer
	kLong                  // Long (capacity units)
	kBlob                  // base64 bytes
	kList                  // a list member of a structure
	kParamList             // a list inside a map or a list
	kMap                   // a map member of a structure
	kParamMap              // a map inside a list
	kValueStruct           // a structure inside a map or a list
	kFieldStruct           // a structure member of a structure
)

const ns = "com.amazonaws.dynamodb.v20120810."

var (
	shString    = shape{kind: kString}
	shBoolean   = shape{kind: kBoolean}
	shInteger   = shape{kind: kInteger}
	shLong      = shape{kind: kLong}
	shBlob      = shape{kind: kBlob}
	shList      = shape{kind: kList}
	shParamList = shape{kind: kParamList}
	attrMap     = shape{kind: kMap, class: ns + "AttributeValue"}
	attrValue   = shape{kind: kValueStruct, class: ns + "AttributeValue"}
	stringMap   = shape{kind: kMap, class: "java.lang.String"}
	keyInList   = shape{kind: kParamMap, class: ns + "AttributeValue"}
)

func fieldStruct(name string) shape { return shape{kind: kFieldStruct, class: ns + name} }
func valueStruct(name string) shape { return shape{kind: kValueStruct, class: ns + name} }
func mapOf(class string) shape      { return shape{kind: kMap, class: class} }

const castMsg = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class " +
	"(sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"

// mismatch is DynamoDB's SerializationException for the JSON value that starts at the current
// position where sh was expected (the value is not consumed: the request fails).
func (d *decoder) mismatch(sh shape) error {
	c := d.peek()
	var token string // Jackson's token name for a scalar
	switch {
	case c == '{':
		return serialization("Start of structure or map found where not expected")
	case c == '[':
		switch sh.kind {
		case kString:
			return serialization("Unrecognized collection type class java.lang.String")
		case kBoolean:
			return serialization("Unrecognized collection type class java.lang.Boolean")
		case kInteger:
			return serialization("Unrecognized collection type class java.lang.Integer")
		case kLong:
			return serialization("Unrecognized collection type class java.lang.Long")
		case kBlob:
			return serialization("Unrecognized collection type class java.nio.ByteBuffer")
		case kMap, kParamMap:
			return serialization("Unrecognized collection type java.util.Map<java.lang.String, " + sh.class + ">")
		}
		return serialization("Unrecognized collection type class " + sh.class)
	case c == '"':
		token = "STRING_VALUE"
	case c == 't':
		token = "TRUE_VALUE"
	case c == 'f':
		token = "FALSE_VALUE"
	case c == '-' || c >= '0' && c <= '9':
		token = "NUMBER_VALUE"
		j := d.i + 1
		for j < len(d.src) && (d.src[j] >= '0' && d.src[j] <= '9') {
			j++
		}
		if j < len(d.src) && (d.src[j] == '.' || d.src[j] == 'e' || d.src[j] == 'E') {
			token = "DECIMAL_VALUE"
		}
	default:
		return d.syntax("a value")
	}
	switch sh.kind {
	case kString:
		return serialization(token + " cannot be converted to String")
	case kBoolean:
		if token == "STRING_VALUE" {
			return serialization("Unexpected token received from parser")
		}
		return serialization(token + " cannot be converted to Boolean")
	case kInteger:
		return serialization(token + " cannot be converted to Integer")
	case kLong:
		return serialization(token + " cannot be converted to Long")
	case kBlob:
		return serialization("only base-64-encoded strings are convertible to bytes")
	case kParamList, kParamMap:
		return serialization(castMsg)
	case kValueStruct:
		return serialization("Unexpected value type in payload")
	}
	return serialization("Unexpected field type")
}

// object reads {"member": value, …}, calling member for each name with the position at its
// value; null is an absent object (member is not called, present is false).
func (d *decoder) object(sh shape, member func(name string) error) (present bool, err error) {
	if d.null() {
		return false, nil
	}
	if !d.consume('{') {
		return false, d.mismatch(sh)
	}
	d.depth++
	if d.depth > maxParseDepth {
		return false, validation("Nesting Levels have exceeded supported limits: Nesting level of %d exceeds the maximum of %d", d.depth, maxDocumentDepth)
	}
	if !d.consume('}') {
		for {
			name, err := d.rawString()
			if err != nil {
				return false, err
			}
			if !d.consume(':') {
				return false, d.syntax(":")
			}
			if err := member(name); err != nil {
				return false, err
			}
			if d.consume(',') {
				continue
			}
			if d.consume('}') {
				break
			}
			return false, d.syntax(", or }")
		}
	}
	d.depth--
	return true, nil
}

// list reads [value, …], calling elem for each element; null is an absent list.
func (d *decoder) list(sh shape, elem func() error) (present bool, err error) {
	if d.null() {
		return false, nil
	}
	if !d.consume('[') {
		return false, d.mismatch(sh)
	}
	if d.consume(']') {
		return true, nil
	}
	for {
		if err := elem(); err != nil {
			return false, err
		}
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			return true, nil
		}
		return false, d.syntax(", or ]")
	}
}

// skip reads any JSON value: a member the emulator does not know.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		_, err := d.object(shape{}, func(string) error { return d.skip() })
		return err
	case c == '[':
		_, err := d.list(shape{}, d.skip)
		return err
	case c == '"':
		_, err := d.rawString()
		return err
	case c == 't' && strings.HasPrefix(d.src[d.i:], "true"):
		d.i += 4
	case c == 'f' && strings.HasPrefix(d.src[d.i:], "false"):
		d.i += 5
	case d.null():
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	default:
		return d.syntax("a value")
	}
	return nil
}

// number reads a JSON number and returns its text.
func (d *decoder) number() (string, error) {
	start := d.i
	if d.i < len(d.src) && d.src[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.src) && d.src[d.i] >= '0' && d.src[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return "", d.syntax("a number")
	}
	if d.i < len(d.src) && d.src[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return "", d.syntax("a digit")
		}
	}
	if d.i < len(d.src) && (d.src[d.i] == 'e' || d.src[d.i] == 'E') {
		d.i++
		if d.i < len(d.src) && (d.src[d.i] == '+' || d.src[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return "", d.syntax("a digit")
		}
	}
	return d.src[start:d.i], nil
}

// str reads a string member (null is "").
// expr reads an expression member, noting in empty when it was sent as "" (not null).
func (d *decoder) expr(empty *emptyExprs, bit emptyExprs) (string, error) {
	null := d.peek() == 'n'
	s, err := d.str()
	if err == nil && s == "" && !null {
		*empty |= bit
	}
	return s, err
}

func (d *decoder) str() (string, error) {
	if d.null() {
		return "", nil
	}
	if d.peek() != '"' {
		return "", d.mismatch(shString)
	}
	return d.rawString()
}

// boolean reads a Boolean member; like DynamoDB it takes the strings true/false, yes/no and
// 1/0 too.
func (d *decoder) boolean() (bool, error) {
	b, _, err := d.optBoolean()
	return b, err
}

func (d *decoder) optBoolean() (b, present bool, err error) {
	switch c := d.peek(); {
	case c == 't' && strings.HasPrefix(d.src[d.i:], "true"):
		d.i += 4
		return true, true, nil
	case c == 'f' && strings.HasPrefix(d.src[d.i:], "false"):
		d.i += 5
		return false, true, nil
	case d.null():
		return false, false, nil
	case c == '"':
		at := d.i
		s, err := d.rawString()
		if err != nil {
			return false, false, err
		}
		switch strings.ToUpper(s) {
		case "TRUE", "YES", "1":
			return true, true, nil
		case "FALSE", "NO", "0":
			return false, true, nil
		}
		d.i = at
	}
	return false, false, d.mismatch(shBoolean)
}

// integer reads an Integer member (nil when null); a fraction is dropped, as DynamoDB drops it.
func (d *decoder) integer() (*int, error) {
	if d.null() {
		return nil, nil
	}
	if c := d.peek(); c != '-' && (c < '0' || c > '9') {
		return nil, d.mismatch(shInteger)
	}
	s, err := d.number()
	if err != nil {
		return nil, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, serialization("NUMBER_VALUE cannot be converted to Integer")
	}
	n := int(f)
	if f < -1<<31 || f > 1<<31-1 {
		n = int(int32(int64(f))) // Java narrows to 32 bits
	}
	return &n, nil
}

// strings reads a list of strings (AttributesToGet).
func (d *decoder) strings() ([]string, error) {
	var out []string
	present, err := d.list(shList, func() error {
		if d.null() {
			return nil
		}
		if d.peek() != '"' {
			return d.mismatch(shString)
		}
		s, err := d.rawString()
		out = append(out, s)
		return err
	})
	if present && out == nil {
		out = []string{}
	}
	return out, err
}

// stringMap reads a map of strings (ExpressionAttributeNames).
func (d *decoder) stringMap() (map[string]string, error) {
	out := map[string]string{}
	present, err := d.object(stringMap, func(name string) error {
		if d.null() {
			return nil
		}
		s, err := d.str()
		out[name] = s
		return err
	})
	if !present {
		out = nil
	}
	return out, err
}

// item reads a map of attribute values (an item, a key, ExpressionAttributeValues, an M);
// null is a nil item.
func (d *decoder) item(sh shape) (Item, error) {
	if d.null() {
		return nil, nil
	}
	if !d.consume('{') {
		return nil, d.mismatch(sh)
	}
	d.depth++
	if d.depth > maxParseDepth {
		return nil, validation("Nesting Levels have exceeded supported limits: Nesting level of %d exceeds the maximum of %d", d.depth, maxDocumentDepth)
	}
	base, size := len(d.pairs), 0
	if !d.consume('}') {
		for {
			name, err := d.rawString()
			if err != nil {
				return nil, err
			}
			if !d.consume(':') {
				return nil, d.syntax(":")
			}
			var v *Value
			packed := false
			if d.depth == d.packAt && d.peek() == '{' {
				v, packed = d.packDocument()
			}
			if !packed && !d.null() {
				if v, err = d.value(attrValue); err != nil {
					return nil, err
				}
			}
			if v != nil {
				d.pairs = append(d.pairs, pair{name, v})
				size += len(name) + d.size
			}
			if d.consume(',') {
				continue
			}
			if d.consume('}') {
				break
			}
			return nil, d.syntax(", or }")
		}
	}
	m := make(Item, len(d.pairs)-base)
	for _, p := range d.pairs[base:] {
		m[p.name] = p.v
	}
	if len(m) != len(d.pairs)-base {
		d.suspect = true // a repeated name: the size counted both
	}
	clear(d.pairs[base:])
	d.pairs = d.pairs[:base]
	d.depth--
	d.size = size
	return m, nil
}

// value reads an attribute value, {"S": "…"} and its siblings. More than one member is kept, so
// that validation reports it as DynamoDB does; an unknown member is ignored (the value is then
// empty, which validation reports).
func (d *decoder) value(sh shape) (*Value, error) {
	if !d.consume('{') {
		return nil, d.mismatch(sh)
	}
	v := d.newValue()
	if d.doc > maxDocumentDepth {
		d.suspect = true
	}
	if d.consume('}') {
		d.suspect = true // empty
		return v, nil
	}
	types, size := 0, 0
	for {
		typ, err := d.rawString()
		if err != nil {
			return nil, err
		}
		if !d.consume(':') {
			return nil, d.syntax(":")
		}
		d.size = -1
		if err := d.member(v, typ); err != nil {
			return nil, err
		}
		if d.size >= 0 {
			types++
			size = d.size
		}
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			if types != 1 {
				d.suspect = true
			}
			d.size = size
			return v, nil
		}
		return nil, d.syntax(", or }")
	}
}

func (d *decoder) member(v *Value, typ string) error {
	if d.null() {
		return nil
	}
	switch typ {
	case "S", "N":
		if d.peek() != '"' {
			return d.mismatch(shString)
		}
		s, err := d.rawString()
		if err != nil {
			return err
		}
		if typ == "S" {
			v.S = d.newString(s)
			d.size = len(s)
		} else {
			sh, err := scanNumber(s)
			if err != nil {
				d.suspect = true
			} else {
				s = canonical(s, sh) // DynamoDB stores and returns numbers canonical
			}
			v.N = d.newString(s)
			d.size = (sh.sig+1)/2 + 1
		}
	case "B":
		b, err := d.binary()
		if err != nil {
			return err
		}
		v.B = b
		d.size = len(b)
	case "BOOL", "NULL":
		b, present, err := d.optBoolean()
		if err != nil || !present {
			return err
		}
		if typ == "BOOL" {
			v.BOOL = &b
		} else {
			v.NULL = &b
			if !b {
				d.suspect = true
			}
		}
		d.size = 1
	case "M":
		d.doc++
		m, err := d.item(attrMap)
		d.doc--
		if err != nil {
			return err
		}
		v.M = m
		d.size += 3 + len(m)
	case "L":
		d.doc++
		l, err := d.values()
		d.doc--
		if err != nil {
			return err
		}
		v.L = l
		d.size += 3 + len(l)
	case "SS", "NS":
		var set []*string
		_, err := d.list(shList, func() error {
			if d.null() {
				return nil
			}
			if d.peek() != '"' {
				return d.mismatch(shString)
			}
			s, err := d.rawString()
			set = append(set, d.newString(s))
			return err
		})
		if err != nil {
			return err
		}
		if set == nil {
			set = []*string{}
		}
		d.suspect, d.size = true, 0 // validation checks sets itself (and sizes them)
		if typ == "SS" {
			v.SS = set
		} else {
			v.NS = set
		}
	case "BS":
		var set [][]byte
		_, err := d.list(shList, func() error {
			if d.null() {
				return nil
			}
			b, err := d.binary()
			set = append(set, b)
			return err
		})
		if err != nil {
			return err
		}
		if set == nil {
			set = [][]byte{}
		}
		d.suspect, d.size = true, 0
		v.BS = set
	default:
		return d.skip()
	}
	return nil
}

// values reads an L: a list of attribute values, made at its final length.
func (d *decoder) values() ([]*Value, error) {
	if !d.consume('[') {
		return nil, d.mismatch(shList)
	}
	d.depth++
	if d.depth > maxParseDepth {
		return nil, validation("Nesting Levels have exceeded supported limits: Nesting level of %d exceeds the maximum of %d", d.depth, maxDocumentDepth)
	}
	base, size := len(d.elems), 0
	if !d.consume(']') {
		for {
			if !d.null() {
				e, err := d.value(attrValue)
				if err != nil {
					return nil, err
				}
				d.elems = append(d.elems, e)
				size += d.size
			}
			if d.consume(',') {
				continue
			}
			if d.consume(']') {
				break
			}
			return nil, d.syntax(", or ]")
		}
	}
	l := make([]*Value, len(d.elems)-base)
	copy(l, d.elems[base:])
	clear(d.elems[base:])
	d.elems = d.elems[:base]
	d.depth--
	d.size = size
	return l, nil
}

// binary reads a base64 string, rejected as DynamoDB rejects it.
func (d *decoder) binary() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.mismatch(shBlob)
	}
	s, err := d.rawString()
	if err != nil {
		return nil, err
	}
	if len(s)%4 != 0 {
		return nil, serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s)))
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, serialization("Invalid last non-pad Base64 character dectected") // sic, DynamoDB's spelling
	}
	return b, nil
}

// rawString reads a JSON string. Without escapes it is a substring of the input (no copy).
func (d *decoder) rawString() (string, error) {
	if !d.consume('"') {
		return "", d.syntax("a string")
	}
	start := d.i
	for d.i < len(d.src) {
		c := d.src[d.i]
		switch {
		case c == '"':
			s := d.src[start:d.i]
			d.i++
			return s, nil
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", d.syntax("no control character in a string")
		}
		d.i++
	}
	return "", d.syntax("the end of a string")
}

// escaped finishes a string that has escapes.
func (d *decoder) escaped(start int) (string, error) {
	b := []byte(d.src[start:d.i])
	for d.i < len(d.src) {
		c := d.src[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", d.syntax("no control character in a string")
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.src) {
			break
		}
		d.i++
		switch e := d.src[d.i]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4(d.i + 1)
			if !ok {
				return "", d.syntax("four hex digits")
			}
			d.i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := d.hex4(d.i + 3); ok && d.i+2 < len(d.src) && d.src[d.i+1] == '\\' && d.src[d.i+2] == 'u' {
					if dr := utf16.DecodeRune(r, r2); dr != utf8.RuneError {
						r = dr
						d.i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", d.syntax("a valid escape")
		}
		d.i++
	}
	return "", d.syntax("the end of a string")
}

func (d *decoder) hex4(at int) (rune, bool) {
	if at+4 > len(d.src) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.src[at:at+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
