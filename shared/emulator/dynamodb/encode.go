package dynamodb

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
)

// encoder appends DynamoDB JSON by hand: items are the bulk of every answer, and writing them
// directly is several times faster than encoding/json's reflection.
type encoder struct {
	b []byte
}

func (e *encoder) raw(s string) { e.b = append(e.b, s...) }

func (e *encoder) str(s string) { e.b = awsjson.AppendString(e.b, s) }

func (e *encoder) key(s string) {
	e.str(s)
	e.b = append(e.b, ':')
}

func (e *encoder) bytes(b []byte) {
	e.b = append(e.b, '"')
	e.b = base64.StdEncoding.AppendEncode(e.b, b)
	e.b = append(e.b, '"')
}

func (e *encoder) item(it model.Item) {
	e.b = append(e.b, '{')
	first := true
	for k, v := range it {
		if !first {
			e.b = append(e.b, ',')
		}
		first = false
		e.key(k)
		e.value(v)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) value(v *model.Value) {
	if js, ok := model.PackedJSON(v); ok {
		e.b = append(e.b, js...)
		return
	}
	switch {
	case v == nil:
		e.raw(`{"NULL":true}`)
	case v.S != nil:
		e.raw(`{"S":`)
		e.str(*v.S)
		e.b = append(e.b, '}')
	case v.N != nil:
		e.raw(`{"N":`)
		e.str(*v.N)
		e.b = append(e.b, '}')
	case v.B != nil:
		e.raw(`{"B":`)
		e.bytes(v.B)
		e.b = append(e.b, '}')
	case v.BOOL != nil:
		e.raw(`{"BOOL":` + strconv.FormatBool(*v.BOOL) + `}`)
	case v.NULL != nil:
		e.raw(`{"NULL":true}`)
	case v.M != nil:
		e.raw(`{"M":`)
		e.item(v.M)
		e.b = append(e.b, '}')
	case v.L != nil:
		e.raw(`{"L":[`)
		for i, x := range v.L {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.value(x)
		}
		e.raw(`]}`)
	case v.SS != nil:
		e.raw(`{"SS":[`)
		for i, x := range v.SS {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.str(deref(x))
		}
		e.raw(`]}`)
	case v.NS != nil:
		e.raw(`{"NS":[`)
		for i, x := range v.NS {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.str(deref(x))
		}
		e.raw(`]}`)
	case v.BS != nil:
		e.raw(`{"BS":[`)
		for i, x := range v.BS {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.bytes(x)
		}
		e.raw(`]}`)
	default:
		e.raw(`{"NULL":true}`)
	}
}

func (e *encoder) items(list []model.Item) {
	e.b = append(e.b, '[')
	for i, it := range list {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.item(it)
	}
	e.b = append(e.b, ']')
}

func (e *encoder) int(n int) { e.b = strconv.AppendInt(e.b, int64(n), 10) }

// json appends a value with encoding/json (for the rare, item-free parts of answers).
func (e *encoder) json(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		data = []byte("null")
	}
	e.b = append(e.b, data...)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// consumedView is ConsumedCapacity as the request asked: TOTAL gives the table's totals, INDEXES
// adds the table and per-index break-down, NONE (or nothing) omits it. Only a transaction's
// answer splits units into ReadCapacityUnits and WriteCapacityUnits: DynamoDB answers GetItem,
// PutItem, UpdateItem, DeleteItem, Query, Scan and the batch operations with CapacityUnits alone,
// for the table and for each index (https://github.com/aws/aws-sdk-go/issues/2699,
// https://github.com/paritysuite/dynamodb-conformance/issues/69).
func consumedView(mode string, c model.ConsumedCapacity) *model.ConsumedCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	v := &model.ConsumedCapacity{TableName: c.TableName, CapacityUnits: c.CapacityUnits}
	if c.Transactional {
		v.ReadCapacityUnits, v.WriteCapacityUnits = c.ReadCapacityUnits, c.WriteCapacityUnits
	}
	if mode == "TOTAL" {
		return v
	}
	if c.Table != nil {
		t := capacityView(*c.Table, c.Transactional)
		v.Table = &t
	}
	v.GlobalSecondaryIndexes = indexesView(c.GlobalSecondaryIndexes, c.Transactional)
	v.LocalSecondaryIndexes = indexesView(c.LocalSecondaryIndexes, c.Transactional)
	return v
}

func capacityView(c model.Capacity, split bool) model.Capacity {
	if split {
		return c
	}
	return model.Capacity{CapacityUnits: c.CapacityUnits}
}

func indexesView(m map[string]model.Capacity, split bool) map[string]model.Capacity {
	if m == nil {
		return nil
	}
	out := make(map[string]model.Capacity, len(m))
	for name, c := range m {
		out[name] = capacityView(c, split)
	}
	return out
}

func (e *encoder) consumedField(comma bool, mode string, c model.ConsumedCapacity) {
	v := consumedView(mode, c)
	if v == nil {
		return
	}
	if comma {
		e.b = append(e.b, ',')
	}
	e.key("ConsumedCapacity")
	e.json(v)
}

func (e *encoder) consumedList(comma bool, mode string, list []model.ConsumedCapacity) {
	if consumedView(mode, model.ConsumedCapacity{}) == nil {
		return
	}
	if comma {
		e.b = append(e.b, ',')
	}
	e.key("ConsumedCapacity")
	e.b = append(e.b, '[')
	for i, c := range list {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.json(consumedView(mode, c))
	}
	e.b = append(e.b, ']')
}

// errorBody writes DynamoDB's JSON error shape: the AWS JSON protocol's __type (namespace
// included) and message, then the members DynamoDB's API model gives the error.
func (e *encoder) errorBody(err *model.Error) {
	msgKey := "message"
	switch err.Code {
	case model.CodeTransactionCanceled, model.CodeIdempotentMismatch, model.CodeSerialization:
		// DynamoDB's wire layer answers SerializationException with "Message", as these two.
		msgKey = "Message"
	}
	e.b = append(e.b, '{')
	e.b = awsjson.AppendErrorMembers(e.b, err.Type(), msgKey, err.Message)
	if err.Item != nil {
		e.raw(`,"Item":`)
		e.item(err.Item)
	}
	if err.CancellationReasons != nil {
		e.raw(`,"CancellationReasons":[`)
		for i, r := range err.CancellationReasons {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.raw(`{"Code":`)
			e.str(r.Code)
			if r.Message != "" {
				e.raw(`,"Message":`)
				e.str(r.Message)
			}
			if r.Item != nil {
				e.raw(`,"Item":`)
				e.item(r.Item)
			}
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	if err.ThrottlingReasons != nil {
		// The member is "throttlingReasons" on ThrottlingException and "ThrottlingReasons" on
		// ProvisionedThroughputExceededException, as in DynamoDB's API model.
		if err.Code == model.CodeThrottling {
			e.raw(`,"throttlingReasons":[`)
		} else {
			e.raw(`,"ThrottlingReasons":[`)
		}
		for i, r := range err.ThrottlingReasons {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.raw(`{"reason":`)
			e.str(r.Reason)
			e.raw(`,"resource":`)
			e.str(r.Resource)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, '}')
}
