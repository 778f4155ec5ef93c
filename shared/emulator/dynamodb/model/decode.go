package model

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
)

// Condition is a legacy condition of KeyConditions, QueryFilter and ScanFilter.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
type Condition struct {
	ComparisonOperator string   `json:"ComparisonOperator"`
	AttributeValueList []*Value `json:"AttributeValueList,omitempty"`

	opSent bool // ComparisonOperator was sent, maybe as "" (which fails its enum, not null)
}

// ExpectedAttributeValue is a legacy condition of Expected.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html
type ExpectedAttributeValue struct {
	Value              *Value   `json:"Value,omitempty"`
	Exists             *bool    `json:"Exists,omitempty"`
	ComparisonOperator string   `json:"ComparisonOperator,omitempty"`
	AttributeValueList []*Value `json:"AttributeValueList,omitempty"`

	opSent bool // ComparisonOperator was sent, maybe as ""
}

// AttributeValueUpdate is a legacy update of AttributeUpdates.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValueUpdate.html
type AttributeValueUpdate struct {
	Value  *Value `json:"Value,omitempty"`
	Action string `json:"Action,omitempty"`
}

// Unmarshal decodes a request body into one of the operations' inputs. The data-plane inputs
// are read in one pass by the hand-written decoder (json.go); the others (the control plane)
// by encoding/json. Either way a body that does not decode is a SerializationException worded
// as DynamoDB's. An empty body leaves v as it is. The caller hands data over: the input's
// strings point into it, so it must never change afterwards.
func Unmarshal(data []byte, v any) error {
	if len(data) == 0 {
		return nil
	}
	d := newDecoderOwned(data)
	var err error
	top := fieldStruct("") // the request itself
	switch in := v.(type) {
	case *GetItemInput:
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *PutItemInput:
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *UpdateItemInput:
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *DeleteItemInput:
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *QueryInput:
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *ScanInput:
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *BatchGetItemInput:
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *BatchWriteItemInput:
		d.perItem = true
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *TransactGetItemsInput:
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	case *TransactWriteItemsInput:
		d.perItem = true
		_, err = d.object(top, func(k string) error { return in.decode(d, k) })
	default:
		return unmarshalStd(data, v)
	}
	if err == nil {
		err = d.end()
	}
	return err
}

// unmarshalStd decodes the control plane's requests with encoding/json, wording a value of the
// wrong JSON type as DynamoDB words it (shape.mismatch): what was found comes from encoding/json's
// error, what was expected from the Go type and where it sits (a structure that is a list's
// element is worded otherwise than a structure member).
func unmarshalStd(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		if n, ok := v.(interface{ findNulls([]byte) }); ok {
			n.findNulls(data)
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Type == nil {
		return serialization("Could not parse request body: " + err.Error())
	}
	found := foundToken(data, te)
	if found == "" {
		return serialization("Could not parse request body: " + err.Error())
	}
	return newDecoderOf(found).mismatch(expectedShape(reflect.TypeOf(v), te))
}

// foundToken is a JSON text of the kind of value encoding/json found where it failed: the value
// itself for a number (integral or not matters), a stand-in otherwise. encoding/json's offset is
// just past an array's or object's opening and just past a literal's end.
func foundToken(data []byte, te *json.UnmarshalTypeError) string {
	end := min(int(te.Offset), len(data))
	switch {
	case te.Value == "array":
		return "["
	case te.Value == "object":
		return "{"
	case te.Value == "string":
		return `""`
	case te.Value == "bool":
		if strings.HasSuffix(string(data[:end]), "true") {
			return "true"
		}
		return "false"
	case strings.HasPrefix(te.Value, "number"):
		start := end
		for start > 0 && strings.IndexByte("0123456789.eE+-", data[start-1]) >= 0 {
			start--
		}
		if start < end {
			return string(data[start:end])
		}
	}
	return ""
}

// javaClasses names the Java classes of members whose Go type is named otherwise.
var javaClasses = map[string]string{
	"GlobalSecondaryIndexUpdates.Create": "CreateGlobalSecondaryIndexAction",
}

// expectedShape is the wire shape of the member te failed on: its Go type te.Type, found at the
// JSON path te.Field from the request type root.
func expectedShape(root reflect.Type, te *json.UnmarshalTypeError) shape {
	t := te.Type
	// Whether the value is a list's element: the member the path names is a list of t.
	decl := memberType(root, te.Field)
	inList := decl != nil && decl.Kind() == reflect.Slice && decl != t && derefType(decl.Elem()) == t
	switch t.Kind() {
	case reflect.String:
		return shString
	case reflect.Bool:
		return shBoolean
	case reflect.Int64:
		return shLong
	case reflect.Int, reflect.Int32:
		return shInteger
	case reflect.Slice:
		if inList {
			return shParamList
		}
		return shList
	case reflect.Map:
		class := ns + derefType(t.Elem()).Name()
		if t.Elem().Kind() == reflect.String {
			class = "java.lang.String"
		}
		if inList {
			return shape{kind: kParamMap, class: class}
		}
		return mapOf(class)
	}
	name := t.Name()
	if n, ok := javaClasses[te.Field]; ok {
		name = n
	}
	if inList {
		return valueStruct(name)
	}
	return fieldStruct(name)
}

// memberType is the declared type of the member at a JSON path ("A.B.C") of a request type, nil
// when the path does not name one. Lists, maps and pointers on the way are looked through.
func memberType(t reflect.Type, path string) reflect.Type {
	if path == "" {
		return nil
	}
	for _, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		f, ok := jsonField(t, name)
		if !ok {
			return nil
		}
		t = f.Type
	}
	return derefType(t)
}

// jsonField finds a structure's field by its JSON name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "" {
			tag = f.Name
		}
		if tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func (in *GetItemInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "TableName":
		in.TableName, err = d.expr(&in.empty, emptyTableName)
	case "Key":
		in.Key, err = d.topItem()
	case "ConsistentRead":
		in.ConsistentRead, err = d.boolean()
	case "ProjectionExpression":
		in.ProjectionExpression, err = d.expr(&in.empty, emptyProjection)
	case "ExpressionAttributeNames":
		in.ExpressionAttributeNames, err = d.stringMap()
	case "AttributesToGet":
		in.AttributesToGet, err = d.strings()
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *PutItemInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "TableName":
		in.TableName, err = d.expr(&in.empty, emptyTableName)
	case "Item":
		in.Item, in.checked, err = d.checkedItem()
	case "ConditionExpression":
		in.ConditionExpression, err = d.expr(&in.empty, emptyCondition)
	case "ExpressionAttributeNames":
		in.ExpressionAttributeNames, err = d.stringMap()
	case "ExpressionAttributeValues":
		in.ExpressionAttributeValues, err = d.topItem()
	case "ReturnValues":
		in.ReturnValues, err = d.str()
	case "ReturnValuesOnConditionCheckFailure":
		in.ReturnValuesOnConditionCheckFailure, err = d.str()
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	case "ReturnItemCollectionMetrics":
		in.ReturnItemCollectionMetrics, err = d.str()
	case "Expected":
		in.Expected, err = d.expected()
	case "ConditionalOperator":
		in.ConditionalOperator, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *UpdateItemInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "TableName":
		in.TableName, err = d.expr(&in.empty, emptyTableName)
	case "Key":
		in.Key, err = d.topItem()
	case "UpdateExpression":
		in.UpdateExpression, err = d.expr(&in.empty, emptyUpdate)
	case "ConditionExpression":
		in.ConditionExpression, err = d.expr(&in.empty, emptyCondition)
	case "ExpressionAttributeNames":
		in.ExpressionAttributeNames, err = d.stringMap()
	case "ExpressionAttributeValues":
		in.ExpressionAttributeValues, err = d.topItem()
	case "ReturnValues":
		in.ReturnValues, err = d.str()
	case "ReturnValuesOnConditionCheckFailure":
		in.ReturnValuesOnConditionCheckFailure, err = d.str()
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	case "ReturnItemCollectionMetrics":
		in.ReturnItemCollectionMetrics, err = d.str()
	case "AttributeUpdates":
		in.AttributeUpdates, err = d.attributeUpdates()
	case "Expected":
		in.Expected, err = d.expected()
	case "ConditionalOperator":
		in.ConditionalOperator, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *DeleteItemInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "TableName":
		in.TableName, err = d.expr(&in.empty, emptyTableName)
	case "Key":
		in.Key, err = d.topItem()
	case "ConditionExpression":
		in.ConditionExpression, err = d.expr(&in.empty, emptyCondition)
	case "ExpressionAttributeNames":
		in.ExpressionAttributeNames, err = d.stringMap()
	case "ExpressionAttributeValues":
		in.ExpressionAttributeValues, err = d.topItem()
	case "ReturnValues":
		in.ReturnValues, err = d.str()
	case "ReturnValuesOnConditionCheckFailure":
		in.ReturnValuesOnConditionCheckFailure, err = d.str()
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	case "ReturnItemCollectionMetrics":
		in.ReturnItemCollectionMetrics, err = d.str()
	case "Expected":
		in.Expected, err = d.expected()
	case "ConditionalOperator":
		in.ConditionalOperator, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *QueryInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "TableName":
		in.TableName, err = d.expr(&in.empty, emptyTableName)
	case "IndexName":
		in.IndexName, err = d.expr(&in.empty, emptyIndexName)
	case "KeyConditionExpression":
		in.KeyConditionExpression, err = d.expr(&in.empty, emptyKeyCondition)
	case "FilterExpression":
		in.FilterExpression, err = d.expr(&in.empty, emptyFilter)
	case "ProjectionExpression":
		in.ProjectionExpression, err = d.expr(&in.empty, emptyProjection)
	case "ExpressionAttributeNames":
		in.ExpressionAttributeNames, err = d.stringMap()
	case "ExpressionAttributeValues":
		in.ExpressionAttributeValues, err = d.topItem()
	case "Select":
		in.Select, err = d.str()
	case "Limit":
		in.Limit, err = d.integer()
	case "ExclusiveStartKey":
		in.ExclusiveStartKey, err = d.topItem()
	case "ScanIndexForward":
		var b, present bool
		b, present, err = d.optBoolean()
		if present {
			in.ScanIndexForward = &b
		}
	case "ConsistentRead":
		in.ConsistentRead, err = d.boolean()
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	case "AttributesToGet":
		in.AttributesToGet, err = d.strings()
	case "KeyConditions":
		in.KeyConditions, err = d.conditions()
	case "QueryFilter":
		in.QueryFilter, err = d.conditions()
	case "ConditionalOperator":
		in.ConditionalOperator, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *ScanInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "TableName":
		in.TableName, err = d.expr(&in.empty, emptyTableName)
	case "IndexName":
		in.IndexName, err = d.expr(&in.empty, emptyIndexName)
	case "FilterExpression":
		in.FilterExpression, err = d.expr(&in.empty, emptyFilter)
	case "ProjectionExpression":
		in.ProjectionExpression, err = d.expr(&in.empty, emptyProjection)
	case "ExpressionAttributeNames":
		in.ExpressionAttributeNames, err = d.stringMap()
	case "ExpressionAttributeValues":
		in.ExpressionAttributeValues, err = d.topItem()
	case "Select":
		in.Select, err = d.str()
	case "Limit":
		in.Limit, err = d.integer()
	case "ExclusiveStartKey":
		in.ExclusiveStartKey, err = d.topItem()
	case "Segment":
		in.Segment, err = d.integer()
	case "TotalSegments":
		in.TotalSegments, err = d.integer()
	case "ConsistentRead":
		in.ConsistentRead, err = d.boolean()
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	case "AttributesToGet":
		in.AttributesToGet, err = d.strings()
	case "ScanFilter":
		in.ScanFilter, err = d.conditions()
	case "ConditionalOperator":
		in.ConditionalOperator, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *BatchGetItemInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "RequestItems":
		in.RequestItems = map[string]KeysAndAttributes{}
		var present bool
		present, err = d.object(mapOf(ns+"KeysAndAttributes"), func(table string) error {
			var ka KeysAndAttributes
			_, err := d.object(valueStruct("KeysAndAttributes"), func(k string) (err error) {
				switch k {
				case "Keys":
					var present bool
					present, err = d.list(shList, func() error {
						key, err := d.item(keyInList)
						ka.Keys = append(ka.Keys, key)
						return err
					})
					if present && ka.Keys == nil {
						ka.Keys = []Item{} // present but empty, which validation tells from absent
					}
				case "ProjectionExpression":
					ka.ProjectionExpression, err = d.expr(&ka.empty, emptyProjection)
				case "ExpressionAttributeNames":
					ka.ExpressionAttributeNames, err = d.stringMap()
				case "ConsistentRead":
					ka.ConsistentRead, err = d.boolean()
				case "AttributesToGet":
					ka.AttributesToGet, err = d.strings()
				default:
					err = d.skip()
				}
				return err
			})
			in.RequestItems[table] = ka
			return err
		})
		if !present {
			in.RequestItems = nil
		}
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *BatchWriteItemInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "RequestItems":
		in.RequestItems = map[string][]WriteRequest{}
		var present bool
		present, err = d.object(mapOf("java.util.List<"+ns+"WriteRequest>"), func(table string) error {
			var reqs []WriteRequest
			_, err := d.list(shParamList, func() error {
				var w WriteRequest
				_, err := d.object(valueStruct("WriteRequest"), func(k string) (err error) {
					switch k {
					case "PutRequest":
						var p PutRequest
						var present bool
						present, err = d.object(fieldStruct("PutRequest"), func(k string) (err error) {
							if k == "Item" {
								p.Item, err = d.storedItem()
								return err
							}
							return d.skip()
						})
						if present {
							w.PutRequest = &p
						}
					case "DeleteRequest":
						var r DeleteRequest
						var present bool
						present, err = d.object(fieldStruct("DeleteRequest"), func(k string) (err error) {
							if k == "Key" {
								r.Key, err = d.topItem()
								return err
							}
							return d.skip()
						})
						if present {
							w.DeleteRequest = &r
						}
					default:
						err = d.skip()
					}
					return err
				})
				reqs = append(reqs, w)
				return err
			})
			in.RequestItems[table] = reqs
			return err
		})
		if !present {
			in.RequestItems = nil
		}
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	case "ReturnItemCollectionMetrics":
		in.ReturnItemCollectionMetrics, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *TransactGetItemsInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "TransactItems":
		var present bool
		present, err = d.list(shList, func() error {
			var ti struct {
				Get *Get `json:"Get"`
			}
			_, err := d.object(valueStruct("TransactGetItem"), func(k string) (err error) {
				if k != "Get" {
					return d.skip()
				}
				var g Get
				var present bool
				present, err = d.object(fieldStruct("Get"), func(k string) (err error) {
					switch k {
					case "TableName":
						g.TableName, err = d.str()
					case "Key":
						g.Key, err = d.topItem()
					case "ProjectionExpression":
						g.ProjectionExpression, err = d.str()
					case "ExpressionAttributeNames":
						g.ExpressionAttributeNames, err = d.stringMap()
					default:
						err = d.skip()
					}
					return err
				})
				if present {
					ti.Get = &g
				}
				return err
			})
			in.TransactItems = append(in.TransactItems, ti)
			return err
		})
		if present && in.TransactItems == nil {
			in.TransactItems = make([]struct {
				Get *Get `json:"Get"`
			}, 0) // present but empty, which validation tells from absent
		}
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

func (in *TransactWriteItemsInput) decode(d *decoder, k string) (err error) {
	switch k {
	case "TransactItems":
		var present bool
		present, err = d.list(shList, func() error {
			var ti TransactWriteItem
			_, err := d.object(valueStruct("TransactWriteItem"), func(k string) error {
				var slot **TransactAction
				switch k {
				case "ConditionCheck":
					slot = &ti.ConditionCheck
				case "Put":
					slot = &ti.Put
				case "Update":
					slot = &ti.Update
				case "Delete":
					slot = &ti.Delete
				default:
					return d.skip()
				}
				var a TransactAction
				present, err := d.object(fieldStruct(k), func(k string) (err error) {
					switch k {
					case "TableName":
						a.TableName, err = d.str()
					case "Key":
						a.Key, err = d.topItem()
					case "Item":
						a.Item, err = d.storedItem()
					case "UpdateExpression":
						a.UpdateExpression, err = d.str()
					case "ConditionExpression":
						a.ConditionExpression, err = d.str()
					case "ExpressionAttributeNames":
						a.ExpressionAttributeNames, err = d.stringMap()
					case "ExpressionAttributeValues":
						a.ExpressionAttributeValues, err = d.topItem()
					case "ReturnValuesOnConditionCheckFailure":
						a.ReturnValuesOnConditionCheckFailure, err = d.str()
					default:
						err = d.skip()
					}
					return err
				})
				if present {
					*slot = &a
				}
				return err
			})
			in.TransactItems = append(in.TransactItems, ti)
			return err
		})
		if present && in.TransactItems == nil {
			in.TransactItems = []TransactWriteItem{} // present but empty, which validation tells from absent
		}
	case "ClientRequestToken":
		in.ClientRequestToken, err = d.str()
	case "ReturnConsumedCapacity":
		in.ReturnConsumedCapacity, err = d.str()
	case "ReturnItemCollectionMetrics":
		in.ReturnItemCollectionMetrics, err = d.str()
	default:
		err = d.skip()
	}
	return err
}

// checkedItem reads an item to be written, with what the decoder found out about it.
func (d *decoder) checkedItem() (Item, checkedItem, error) {
	d.suspect, d.doc = false, 0
	it, err := d.storedItem()
	if err != nil || it == nil || d.suspect {
		return it, 0, err
	}
	return it, checkedItem(d.size + 1), nil
}

// attributeList reads a legacy AttributeValueList. A list that is sent but empty is an empty,
// non-nil slice, so that the legacy checks can tell it from an absent one: DynamoDB answers
// Expected {"AttributeValueList": []} with "AttributeValueList can only be used with a
// ComparisonOperator" and an empty list with an operator with "Invalid number of argument(s)".
func (d *decoder) attributeList() ([]*Value, error) {
	var out []*Value
	present, err := d.list(shList, func() error {
		if d.null() {
			return nil
		}
		v, err := d.value(attrValue)
		out = append(out, v)
		return err
	})
	if present && out == nil {
		out = []*Value{}
	}
	return out, err
}

// conditions reads KeyConditions, QueryFilter or ScanFilter.
func (d *decoder) conditions() (map[string]Condition, error) {
	out := map[string]Condition{}
	present, err := d.object(mapOf(ns+"Condition"), func(name string) error {
		var c Condition
		_, err := d.object(valueStruct("Condition"), func(k string) (err error) {
			switch k {
			case "ComparisonOperator":
				c.opSent = d.peek() != 'n'
				c.ComparisonOperator, err = d.str()
			case "AttributeValueList":
				c.AttributeValueList, err = d.attributeList()
			default:
				err = d.skip()
			}
			return err
		})
		out[name] = c
		return err
	})
	if !present {
		out = nil
	}
	return out, err
}

// expected reads Expected.
func (d *decoder) expected() (map[string]ExpectedAttributeValue, error) {
	out := map[string]ExpectedAttributeValue{}
	present, err := d.object(mapOf(ns+"ExpectedAttributeValue"), func(name string) error {
		var e ExpectedAttributeValue
		_, err := d.object(valueStruct("ExpectedAttributeValue"), func(k string) (err error) {
			switch k {
			case "Value":
				if !d.null() {
					e.Value, err = d.value(fieldStruct("AttributeValue"))
				}
			case "Exists":
				var b, present bool
				b, present, err = d.optBoolean()
				if present {
					e.Exists = &b
				}
			case "ComparisonOperator":
				e.opSent = d.peek() != 'n'
				e.ComparisonOperator, err = d.str()
			case "AttributeValueList":
				e.AttributeValueList, err = d.attributeList()
			default:
				err = d.skip()
			}
			return err
		})
		out[name] = e
		return err
	})
	if !present {
		out = nil
	}
	return out, err
}

// attributeUpdates reads AttributeUpdates.
func (d *decoder) attributeUpdates() (map[string]AttributeValueUpdate, error) {
	out := map[string]AttributeValueUpdate{}
	present, err := d.object(mapOf(ns+"AttributeValueUpdate"), func(name string) error {
		var u AttributeValueUpdate
		_, err := d.object(valueStruct("AttributeValueUpdate"), func(k string) (err error) {
			switch k {
			case "Value":
				if !d.null() {
					u.Value, err = d.value(fieldStruct("AttributeValue"))
				}
			case "Action":
				u.Action, err = d.str()
			default:
				err = d.skip()
			}
			return err
		})
		out[name] = u
		return err
	})
	if !present {
		out = nil
	}
	return out, err
}
