package dynamodb_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSerializationErrors checks that a value of the wrong JSON type is answered as DynamoDB's
// wire layer answers it: 400, SerializationException, the message under "Message" (capital M)
// in its Java wording, and nothing changed. The wording is DynamoDB's as recorded against the
// real service by dynalite's type tests
// (https://github.com/architect/dynalite/blob/main/test/helpers.js, assertType) and moto's
// (https://github.com/getmoto/moto/blob/master/tests/test_dynamodb/test_dynamodb.py,
// test_put_item__string_as_integer_value); the error shape is in
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html.
func TestSerializationErrors(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	put := func(item string) string { return `{"TableName":"tbl","Item":` + item + `}` }
	tests := []struct {
		name, op, body, want string
	}{
		{"S given true", "PutItem", put(`{"pk":{"S":true}}`), "TRUE_VALUE cannot be converted to String"},
		{"S given false", "PutItem", put(`{"pk":{"S":false}}`), "FALSE_VALUE cannot be converted to String"},
		{"S given a JSON number", "PutItem", put(`{"pk":{"S":123}}`), "NUMBER_VALUE cannot be converted to String"},
		{"S given a decimal", "PutItem", put(`{"pk":{"S":34.56}}`), "DECIMAL_VALUE cannot be converted to String"},
		{"S given an object", "PutItem", put(`{"pk":{"S":{"S":"asdf"}}}`), "Start of structure or map found where not expected"},
		{"S given a list", "PutItem", put(`{"pk":{"S":[]}}`), "Unrecognized collection type class java.lang.String"},
		{"N given a JSON number", "PutItem", put(`{"pk":{"S":"a"},"n":{"N":1}}`), "NUMBER_VALUE cannot be converted to String"},
		{"BOOL given a number", "PutItem", put(`{"pk":{"S":"a"},"b":{"BOOL":23}}`), "NUMBER_VALUE cannot be converted to Boolean"},
		{"BOOL given a word", "PutItem", put(`{"pk":{"S":"a"},"b":{"BOOL":"maybe"}}`), "Unexpected token received from parser"},
		{"NULL given a list", "PutItem", put(`{"pk":{"S":"a"},"z":{"NULL":[]}}`), "Unrecognized collection type class java.lang.Boolean"},
		{"B given a number", "PutItem", put(`{"pk":{"S":"a"},"b":{"B":23}}`), "only base-64-encoded strings are convertible to bytes"},
		{"B of a bad length", "PutItem", put(`{"pk":{"S":"a"},"b":{"B":"23456"}}`), "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{"B with a non-zero pad", "PutItem", put(`{"pk":{"S":"a"},"b":{"B":"+/+="}}`), "Invalid last non-pad Base64 character dectected"},
		{"SS given a string", "PutItem", put(`{"pk":{"S":"a"},"s":{"SS":"x"}}`), "Unexpected field type"},
		{"SS given an object", "PutItem", put(`{"pk":{"S":"a"},"s":{"SS":{}}}`), "Start of structure or map found where not expected"},
		{"L given a number", "PutItem", put(`{"pk":{"S":"a"},"l":{"L":23}}`), "Unexpected field type"},
		{"M given a list", "PutItem", put(`{"pk":{"S":"a"},"m":{"M":[]}}`),
			"Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"},
		{"an attribute given a string", "PutItem", put(`{"pk":"a"}`), "Unexpected value type in payload"},
		{"an attribute given a list", "PutItem", put(`{"pk":[]}`), "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
		{"a list element given a number", "PutItem", put(`{"pk":{"S":"a"},"l":{"L":[1]}}`), "Unexpected value type in payload"},
		{"Item given a string", "PutItem", put(`"x"`), "Unexpected field type"},
		{"TableName given a number", "GetItem", `{"TableName":5,"Key":{"pk":{"S":"a"}}}`, "NUMBER_VALUE cannot be converted to String"},
		{"Limit given a string", "Query", `{"TableName":"tbl","Limit":"23"}`, "STRING_VALUE cannot be converted to Integer"},
		{"ConsistentRead given a list", "GetItem", `{"TableName":"tbl","ConsistentRead":[]}`, "Unrecognized collection type class java.lang.Boolean"},
		{"ExpressionAttributeNames value given a number", "GetItem", `{"TableName":"tbl","ExpressionAttributeNames":{"#a":1}}`,
			"NUMBER_VALUE cannot be converted to String"},
		{"a control-plane string given true", "DescribeTable", `{"TableName":true}`, "TRUE_VALUE cannot be converted to String"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+tt.op)
			req.Header.Set("Authorization", testAuth)
			w := httptest.NewRecorder()
			svc.ServeHTTP(w, req)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			var got map[string]string
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got), w.Body.String())
			assert.Equal(t, map[string]string{"__type": "com.amazon.coral.service#SerializationException", "Message": tt.want}, got)
		})
	}
	scan, err := svc.Call(t.Context(), "Scan", []byte(`{"TableName":"tbl"}`))
	require.NoError(t, err)
	assert.Contains(t, string(scan), `"Count":0`, "no rejected request wrote")
}

// TestLenientWire checks what DynamoDB's wire layer accepts although it is not the documented
// form: null stands for an absent member, an unknown member is ignored (an attribute value left
// with no type is then a ValidationException), and a Boolean may be given as the strings
// "true"/"yes"/"1" (dynalite's validations/index.js, checkTypes, as recorded against DynamoDB:
// https://github.com/architect/dynalite/blob/main/validations/index.js).
func TestLenientWire(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	tests := []struct {
		name, op, body string
		status         int
		want           string
	}{
		{"null members are absent", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"a"},"gone":null},"ConditionExpression":null}`, 200, `{}`},
		{"unknown request member ignored", "GetItem", `{"TableName":"tbl","Key":{"pk":{"S":"a"}},"Frobnicate":[1,{"x":true}]}`, 200, `{"Item":{"pk":{"S":"a"}}}`},
		{"a Boolean given as a string", "GetItem", `{"TableName":"tbl","Key":{"pk":{"S":"a"}},"ConsistentRead":"YES"}`, 200, `{"Item":{"pk":{"S":"a"}}}`},
		{"BOOL given as a string", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"b"},"f":{"BOOL":"true"}}}`, 200, `{}`},
		{"an unknown type is an empty value", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"c"},"x":{"X":"1"}}}`, 400,
			`{"__type":"com.amazon.coral.validate#ValidationException","message":"Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+tt.op)
			req.Header.Set("Authorization", testAuth)
			w := httptest.NewRecorder()
			svc.ServeHTTP(w, req)
			assert.Equal(t, tt.status, w.Code, w.Body.String())
			assert.Equal(t, tt.want, w.Body.String())
		})
	}
}
