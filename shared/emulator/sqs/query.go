package sqs

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs/model"
)

// apiVersion is the query protocol's Version.
const apiVersion = "2012-11-05"

const xmlns = "http://queue.amazonaws.com/doc/2012-11-05/"

// serveQuery answers the query protocol: a form with Action and Version, POSTed to / or to a
// queue's URL, answered with XML in the shape of the API reference's examples, e.g.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_Examples
func (s *Service) serveQuery(w http.ResponseWriter, r *http.Request, base string) {
	reqID := awsjson.RequestID()
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, 2*model.MaxMessageSize)
	}
	if err := r.ParseForm(); err != nil {
		writeQueryError(w, reqID, newError(model.CodeInvalidParameterValue, "The request body could not be parsed: "+err.Error()))
		return
	}
	action := r.Form.Get("Action")
	h, ok := handlers[action]
	if !ok {
		if action == "" {
			writeQueryError(w, reqID, newError(codeInvalidAction, "The request must contain the parameter Action."))
			return
		}
		writeQueryError(w, reqID, newError(codeInvalidAction, "The action "+action+" is not valid for this endpoint."))
		return
	}
	// A request to a queue's URL names the queue by its path.
	if r.Form.Get("QueueUrl") == "" && strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 1 {
		r.Form.Set("QueueUrl", base+r.URL.Path)
	}
	in := h.newIn()
	if err := decodeQuery(r.Form, "", reflect.ValueOf(in).Elem()); err != nil {
		writeQueryError(w, reqID, apiError(err))
		return
	}
	out, err := h.run(s, r.Context(), base, in)
	if err != nil {
		writeQueryError(w, reqID, apiError(err))
		return
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?>`)
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, xmlns)
	if v := reflect.ValueOf(out).Elem(); v.NumField() > 0 {
		fmt.Fprintf(&b, "<%sResult>", action)
		encodeXML(&b, v)
		fmt.Fprintf(&b, "</%sResult>", action)
	}
	fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", reqID, action)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/xml")
	hdr.Set("x-amzn-RequestId", reqID)
	hdr.Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
}

// writeQueryError writes AWS's query error shape.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html
func writeQueryError(w http.ResponseWriter, reqID string, e *sim.APIError) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0"?><ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>`, xmlns, faultType(e), queryCode(e))
	_ = xml.EscapeText(&b, []byte(e.Message))
	fmt.Fprintf(&b, "</Message><Detail/></Error><RequestId>%s</RequestId></ErrorResponse>", reqID)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/xml")
	hdr.Set("x-amzn-RequestId", reqID)
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// fieldNames are a struct field's JSON member name, its flattened query name and, for maps, the
// name of an entry's key element.
func fieldNames(f reflect.StructField) (string, string, string) {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		name = f.Name
	}
	qname, key := name, "Name"
	if q := f.Tag.Get("query"); q != "" {
		qname, key, _ = strings.Cut(q, ",")
		if key == "" {
			key = "Name"
		}
	}
	return name, qname, key
}

func hasPrefix(form url.Values, prefix string) bool {
	for k := range form {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// decodeQuery fills the struct v from the form's flattened parameters under prefix.
func decodeQuery(form url.Values, prefix string, v reflect.Value) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		if f.Anonymous {
			if err := decodeQuery(form, prefix, fv); err != nil {
				return err
			}
			continue
		}
		_, qname, keyName := fieldNames(f)
		key := prefix + qname
		switch f.Type.Kind() {
		case reflect.String:
			fv.SetString(form.Get(key))
		case reflect.Pointer: // *string or *int
			vals, ok := form[key]
			if !ok {
				continue
			}
			p := reflect.New(f.Type.Elem())
			if f.Type.Elem().Kind() == reflect.String {
				p.Elem().SetString(vals[0])
			} else {
				n, err := strconv.Atoi(vals[0])
				if err != nil {
					return newError(model.CodeInvalidParameterValue, fmt.Sprintf("Value %s for parameter %s is invalid. Reason: Must be an integer.", vals[0], key))
				}
				p.Elem().SetInt(int64(n))
			}
			fv.Set(p)
		case reflect.Slice:
			if f.Type.Elem().Kind() == reflect.Uint8 { // base64 binary
				if s, ok := form[key]; ok {
					b, err := base64.StdEncoding.DecodeString(s[0])
					if err != nil {
						return newError(model.CodeInvalidParameterValue, "Value for parameter "+key+" is invalid. Reason: Must be base64-encoded.")
					}
					fv.SetBytes(b)
				}
				continue
			}
			for n := 1; ; n++ {
				item := key + "." + strconv.Itoa(n)
				if f.Type.Elem().Kind() == reflect.String {
					s, ok := form[item]
					if !ok {
						break
					}
					fv.Set(reflect.Append(fv, reflect.ValueOf(s[0])))
					continue
				}
				if !hasPrefix(form, item+".") {
					break
				}
				e := reflect.New(f.Type.Elem()).Elem()
				if err := decodeQuery(form, item+".", e); err != nil {
					return err
				}
				fv.Set(reflect.Append(fv, e))
			}
		case reflect.Map:
			m := reflect.MakeMap(f.Type)
			for n := 1; ; n++ {
				item := key + "." + strconv.Itoa(n) + "."
				k, ok := form[item+keyName]
				if !ok {
					break
				}
				val := reflect.New(f.Type.Elem()).Elem()
				if f.Type.Elem().Kind() == reflect.String {
					val.SetString(form.Get(item + "Value"))
				} else if err := decodeQuery(form, item+"Value.", val); err != nil {
					return err
				}
				m.SetMapIndex(reflect.ValueOf(k[0]), val)
			}
			if m.Len() > 0 {
				fv.Set(m)
			}
		}
	}
	return nil
}

// encodeXML writes the struct v's fields as query-protocol XML elements; empty ones are left out.
func encodeXML(b *bytes.Buffer, v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		if f.Anonymous {
			encodeXML(b, fv)
			continue
		}
		_, qname, keyName := fieldNames(f)
		switch f.Type.Kind() {
		case reflect.String:
			if fv.Len() > 0 {
				element(b, qname, fv.String())
			}
		case reflect.Bool:
			element(b, qname, strconv.FormatBool(fv.Bool()))
		case reflect.Int, reflect.Int64:
			element(b, qname, strconv.FormatInt(fv.Int(), 10))
		case reflect.Pointer:
			if fv.IsNil() {
				continue
			}
			if e := fv.Elem(); e.Kind() == reflect.String {
				element(b, qname, e.String())
			} else {
				element(b, qname, strconv.FormatInt(e.Int(), 10))
			}
		case reflect.Slice:
			if f.Type.Elem().Kind() == reflect.Uint8 {
				if fv.Len() > 0 {
					element(b, qname, base64.StdEncoding.EncodeToString(fv.Bytes()))
				}
				continue
			}
			for j := 0; j < fv.Len(); j++ {
				e := fv.Index(j)
				if e.Kind() == reflect.String {
					element(b, qname, e.String())
					continue
				}
				fmt.Fprintf(b, "<%s>", qname)
				encodeXML(b, e)
				fmt.Fprintf(b, "</%s>", qname)
			}
		case reflect.Map:
			keys := make([]string, 0, fv.Len())
			for _, k := range fv.MapKeys() {
				keys = append(keys, k.String())
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(b, "<%s>", qname)
				element(b, keyName, k)
				val := fv.MapIndex(reflect.ValueOf(k))
				if val.Kind() == reflect.String {
					element(b, "Value", val.String())
				} else {
					b.WriteString("<Value>")
					encodeXML(b, val)
					b.WriteString("</Value>")
				}
				fmt.Fprintf(b, "</%s>", qname)
			}
		}
	}
}

func element(b *bytes.Buffer, name, text string) {
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	_ = xml.EscapeText(b, []byte(text))
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}
