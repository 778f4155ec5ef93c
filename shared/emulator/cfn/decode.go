package cfn

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Decode converts resolved properties into out, a pointer to a service's typed struct. Property
// names come from json tags and match case-sensitively, as in CloudFormation. A property the
// struct does not declare is an error, so no service silently ignores configuration it cannot
// honour. Strings are coerced into integer, float and boolean fields ("128", "true") and numbers
// and booleans into string fields, since CloudFormation accepts both spellings.
func Decode(res *Resource, props map[string]any, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("resource %s (%s): decode needs a non-nil pointer, got %T", res.LogicalID, res.Type, out)
	}
	if err := decodeInto(props, out); err != nil {
		var pe *propertyError
		if errors.As(err, &pe) && pe.unsupported {
			return fmt.Errorf("resource %s (%s): property %q is not supported by the emulator", res.LogicalID, res.Type, pe.path)
		}
		return fmt.Errorf("resource %s (%s): %w", res.LogicalID, res.Type, err)
	}
	return nil
}

// propertyError is a property that is unknown to the target type or has a type that cannot be
// coerced.
type propertyError struct {
	path        string // Environment.Variables, Layers[0]
	unsupported bool
	msg         string // expected …, got …
}

func (e *propertyError) Error() string {
	if e.path == "" {
		return "properties: " + e.msg
	}
	if e.unsupported {
		return fmt.Sprintf("property %q is not supported", e.path)
	}
	return fmt.Sprintf("property %q: %s", e.path, e.msg)
}

// decodeInto coerces v to the shape of out's type, then decodes it with encoding/json.
func decodeInto(v any, out any) error {
	v, err := normalize(v)
	if err != nil {
		return err
	}
	coerced, err := coerce("", v, reflect.TypeOf(out).Elem())
	if err != nil {
		return err
	}
	data, err := json.Marshal(coerced)
	if err != nil {
		return fmt.Errorf("encode properties: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode properties: %w", err)
	}
	return nil
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonNumberType      = reflect.TypeFor[json.Number]()
)

// coerce walks the plain JSON value v alongside the Go type t and returns a value that
// encoding/json decodes into t: strings become numbers or booleans and numbers become strings
// where t asks for it, and unknown object keys are reported.
func coerce(path string, v any, t reflect.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	if t.Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return v, nil // the type decodes itself
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		// encoding/json hands only JSON strings to UnmarshalText.
		if s, ok := scalarString(v); ok {
			return s, nil
		}
		return nil, typeError(path, "string", v)
	}
	if t == jsonNumberType {
		return coerceFloat(path, v, t)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return coerce(path, v, t.Elem())
	case reflect.Interface:
		return v, nil
	case reflect.String:
		if s, ok := scalarString(v); ok {
			return s, nil
		}
		return nil, typeError(path, "string", v)
	case reflect.Bool:
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			switch {
			case strings.EqualFold(v, "true"):
				return true, nil
			case strings.EqualFold(v, "false"):
				return false, nil
			}
		}
		return nil, typeError(path, "boolean", v)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return coerceInt(path, v, t)
	case reflect.Float32, reflect.Float64:
		return coerceFloat(path, v, t)
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return v, nil // []byte is base64 text in JSON
		}
		list, ok := v.([]any)
		if !ok {
			return nil, typeError(path, "list", v)
		}
		out := make([]any, len(list))
		for i, e := range list {
			c, err := coerce(fmt.Sprintf("%s[%d]", path, i), e, t.Elem())
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, typeError(path, "object", v)
		}
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			c, err := coerce(joinPath(path, k), m[k], t.Elem())
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, typeError(path, "object", v)
		}
		fields := structFields(t)
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			f, ok := fields[k]
			if !ok {
				return nil, &propertyError{path: joinPath(path, k), unsupported: true}
			}
			c, err := coerce(joinPath(path, k), m[k], f.typ)
			if err != nil {
				return nil, err
			}
			if f.quoted && c != nil {
				// json:",string" wants the number or boolean inside a JSON string.
				if n, ok := c.(json.Number); ok {
					c = string(n)
				} else {
					c, _ = scalarString(c)
				}
			}
			out[k] = c
		}
		return out, nil
	}
	return nil, &propertyError{path: path, msg: fmt.Sprintf("the emulator's Go type %s cannot hold a property", t)}
}

func coerceInt(path string, v any, t reflect.Type) (any, error) {
	unsigned := t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr
	want := "integer"
	if unsigned {
		want = "non-negative integer"
	}
	zero := reflect.New(t).Elem()
	switch v := v.(type) {
	case float64:
		if v != math.Trunc(v) || math.IsInf(v, 0) || v < math.MinInt64 || v >= math.MaxUint64 {
			return nil, typeError(path, want, v)
		}
		if unsigned {
			if v < 0 || zero.OverflowUint(uint64(v)) {
				return nil, typeError(path, want+" that fits "+t.String(), v)
			}
		} else if v >= math.MaxInt64 || zero.OverflowInt(int64(v)) {
			return nil, typeError(path, want+" that fits "+t.String(), v)
		}
		return v, nil
	case string:
		if unsigned {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil || zero.OverflowUint(n) {
				return nil, typeError(path, want, v)
			}
			return json.Number(strconv.FormatUint(n, 10)), nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || zero.OverflowInt(n) {
			return nil, typeError(path, want, v)
		}
		return json.Number(strconv.FormatInt(n, 10)), nil
	}
	return nil, typeError(path, want, v)
}

func coerceFloat(path string, v any, t reflect.Type) (any, error) {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case string:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, typeError(path, "number", v)
		}
		f = n
	default:
		return nil, typeError(path, "number", v)
	}
	if t.Kind() == reflect.Float32 && reflect.New(t).Elem().OverflowFloat(f) {
		return nil, typeError(path, "number that fits "+t.String(), v)
	}
	return f, nil
}

func typeError(path, want string, got any) error {
	return &propertyError{path: path, msg: fmt.Sprintf("expected %s, got %s", want, describe(got))}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

type fieldInfo struct {
	typ    reflect.Type
	quoted bool // json:",string"
	depth  int
}

var fieldCache sync.Map // reflect.Type → map[string]fieldInfo

// structFields maps the JSON names of t's fields, including those promoted from embedded
// structs, to their types. Like encoding/json, a shallower field hides a deeper one.
func structFields(t reflect.Type) map[string]fieldInfo {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]fieldInfo)
	}
	fields := map[string]fieldInfo{}
	collectFields(t, 0, fields, map[reflect.Type]bool{})
	fieldCache.Store(t, fields)
	return fields
}

func collectFields(t reflect.Type, depth int, into map[string]fieldInfo, seen map[reflect.Type]bool) {
	if seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, depth+1, into, seen)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if prev, ok := into[name]; ok && prev.depth <= depth {
			continue
		}
		quoted := false
		for o := range strings.SplitSeq(opts, ",") {
			if o == "string" {
				switch f.Type.Kind() {
				case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
					reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
					reflect.Float32, reflect.Float64:
					quoted = true
				}
			}
		}
		into[name] = fieldInfo{typ: f.Type, quoted: quoted, depth: depth}
	}
}
