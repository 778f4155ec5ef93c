package model

import (
	"errors"
	"maps"
	"slices"
	"strings"
)

// KeysAndAttributes is one table's part of a BatchGetItem.
type KeysAndAttributes struct {
	Keys                     []Item            `json:"Keys"`
	ProjectionExpression     string            `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ConsistentRead           bool              `json:"ConsistentRead,omitempty"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`

	empty emptyExprs // expression members sent as ""
}

// BatchGetItemInput is BatchGetItem's request.
type BatchGetItemInput struct {
	RequestItems           map[string]KeysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                       `json:"ReturnConsumedCapacity,omitempty"`
}

// BatchGetItemOutput is BatchGetItem's answer. Throttled counts the keys left unprocessed
// because their partition or table was out of capacity.
type BatchGetItemOutput struct {
	Responses       map[string][]Item
	UnprocessedKeys map[string]KeysAndAttributes
	Consumed        []ConsumedCapacity
	Throttled       int
}

// checkBatchRead checks one table's part of a BatchGetItem as GetItem's are checked, and
// compiles its projection.
func checkBatchRead(req KeysAndAttributes) (*projection, error) {
	projExpr := labeled{label: "ProjectionExpression", expr: req.ProjectionExpression, empty: req.empty.has(emptyProjection)}
	if err := checkMixed([]param{{"ProjectionExpression", projExpr.present()}}, []param{{"AttributesToGet", req.AttributesToGet != nil}},
		req.ExpressionAttributeNames, nil, ""); err != nil {
		return nil, err
	}
	if err := checkDuplicateNames(req.AttributesToGet); err != nil {
		return nil, err
	}
	var proj *projection
	projExpr.compile = func() (err error) {
		proj, err = compileProjection(req.ProjectionExpression, req.ExpressionAttributeNames, req.AttributesToGet)
		return err
	}
	if err := checkArgs(exprArgs{names: req.ExpressionAttributeNames}, projExpr); err != nil {
		return nil, err
	}
	if projExpr.present() {
		return proj, nil
	}
	return compileProjection("", nil, req.AttributesToGet)
}

// BatchGetItem reads up to 100 items from one or more tables. Keys whose partition or table is
// out of capacity come back in UnprocessedKeys; if every key is throttled, the whole request is.
func (m *Model) BatchGetItem(in *BatchGetItemInput) (*BatchGetItemOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var err error
	type tableReq struct {
		t    *Table
		req  KeysAndAttributes
		proj *projection
		keys []struct {
			hk string
			rk keyValue
		}
	}
	names := slices.Sorted(maps.Keys(in.RequestItems))
	// The whole request is checked before any table is looked up, as DynamoDB does.
	projs := make([]*projection, len(names))
	total := 0
	for i, name := range names {
		req := in.RequestItems[name]
		if len(req.Keys) == 0 {
			return nil, validation("1 validation error detected: Value '[]' at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		if projs[i], err = checkBatchRead(req); err != nil {
			return nil, err
		}
		for _, k := range req.Keys {
			if err := validateItem(k); err != nil {
				return nil, err
			}
		}
		if repeatsKey(req.Keys) {
			return nil, validation("Provided list of item keys contains duplicates")
		}
		total += len(req.Keys)
		if total > 100 {
			return nil, validation("Too many items requested for the BatchGetItem call")
		}
	}
	reqs := make([]tableReq, 0, len(names))
	for i, name := range names {
		req := in.RequestItems[name]
		t, err := m.table(name)
		if err != nil {
			return nil, err
		}
		tr := tableReq{t: t, req: req, proj: projs[i]}
		seen := map[string]bool{}
		for _, k := range req.Keys {
			hk, rk, err := t.validateKey(k)
			if err != nil {
				return nil, err
			}
			id := hk + "\x00" + rk.s
			if seen[id] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[id] = true
			tr.keys = append(tr.keys, struct {
				hk string
				rk keyValue
			}{hk, rk})
		}
		reqs = append(reqs, tr)
	}
	out := &BatchGetItemOutput{Responses: map[string][]Item{}, UnprocessedKeys: map[string]KeysAndAttributes{}}
	var firstThrottle *throttled
	for _, tr := range reqs {
		t := tr.t
		cc := ConsumedCapacity{TableName: t.name}
		var found []Item
		var unprocessed []Item
		t.mu.Lock()
		now := m.now()
		for i, k := range tr.keys {
			_, _, e := t.lookup(k.hk, k.rk)
			size := 0
			if e != nil {
				size = e.size
			}
			units := readUnits(size, tr.req.ConsistentRead)
			ch := []charge{{cap: t.cap, units: units, pk: k.hk}}
			if th := check(now, ch, m.opts.Throttle); th != nil {
				firstThrottle = cmpThrottle(firstThrottle, th)
				unprocessed = append(unprocessed, tr.req.Keys[i])
				out.Throttled++
				continue
			}
			consume(ch)
			cc.add(units, false, nil)
			if e != nil {
				found = append(found, e.item)
			}
		}
		t.mu.Unlock()
		for i, item := range found {
			p, err := tr.proj.apply(item)
			if err != nil {
				return nil, err
			}
			found[i] = p
		}
		if found == nil {
			found = []Item{}
		}
		out.Responses[t.name] = found
		if unprocessed != nil {
			u := tr.req
			u.Keys = unprocessed
			out.UnprocessedKeys[t.name] = u
		}
		out.Consumed = append(out.Consumed, cc)
	}
	if out.Throttled == total {
		return nil, firstThrottle.err()
	}
	return out, nil
}

func cmpThrottle(first, th *throttled) *throttled {
	if first != nil {
		return first
	}
	return th
}

// WriteRequest is one put or delete of a BatchWriteItem.
type WriteRequest struct {
	PutRequest    *PutRequest    `json:"PutRequest,omitempty"`
	DeleteRequest *DeleteRequest `json:"DeleteRequest,omitempty"`
}

// PutRequest puts an item.
type PutRequest struct {
	Item Item `json:"Item"`
}

// DeleteRequest deletes an item by key.
type DeleteRequest struct {
	Key Item `json:"Key"`
}

// BatchWriteItemInput is BatchWriteItem's request.
type BatchWriteItemInput struct {
	RequestItems                map[string][]WriteRequest `json:"RequestItems"`
	ReturnConsumedCapacity      string                    `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics string                    `json:"ReturnItemCollectionMetrics,omitempty"`
}

// BatchWriteItemOutput is BatchWriteItem's answer. Throttled counts the requests left
// unprocessed because their partition or table was out of capacity.
type BatchWriteItemOutput struct {
	UnprocessedItems map[string][]WriteRequest
	Consumed         []ConsumedCapacity
	Throttled        int
	// ItemCollectionMetrics has, per table with local secondary indexes, one entry for each put
	// or delete it processed (ReturnItemCollectionMetrics SIZE): the item collection's size
	// right after that write.
	ItemCollectionMetrics map[string][]ItemCollectionMetrics
}

// BatchWriteItem puts and deletes up to 25 items in one or more tables, each on its own (no
// conditions, no atomicity). Requests whose partition or table is out of capacity come back in
// UnprocessedItems; if every request is throttled, the whole call is.
func (m *Model) BatchWriteItem(in *BatchWriteItemInput) (*BatchWriteItemOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	type op struct {
		req  WriteRequest
		hk   string
		rk   keyValue
		next *entry
	}
	type tableOps struct {
		t   *Table
		ops []op
	}
	names := slices.Sorted(maps.Keys(in.RequestItems))
	// The whole request is checked before any table is looked up, as DynamoDB does: the sizes
	// of the lists, then each request's values.
	total := 0
	for _, name := range names {
		if len(in.RequestItems[name]) == 0 {
			return nil, validation("1 validation error detected: Value '[]' at 'requestItems.%s.member' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		total += len(in.RequestItems[name])
	}
	if total > 25 {
		// Each table's list is within its 25 (the members' constraints checked that); the
		// request as a whole is over BatchWriteItem's 25 requests. DynamoDB words this as it
		// words BatchGetItem's 100 keys across tables.
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
		return nil, validation("Too many items requested for the BatchWriteItem call")
	}
	sizes := make(map[*WriteRequest]int, total)
	for _, name := range names {
		reqs := in.RequestItems[name]
		for i := range reqs {
			r := &reqs[i]
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				size, err := checkedValues(r.PutRequest.Item, 0, olderLayer)
				if err != nil {
					return nil, err
				}
				sizes[r] = size
			case r.DeleteRequest != nil && r.PutRequest == nil:
				if err := validateItemIn(r.DeleteRequest.Key, olderLayer); err != nil {
					return nil, err
				}
			default:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
		}
	}
	all := make([]tableOps, 0, len(names))
	for _, name := range names {
		t, err := m.table(name)
		if err != nil {
			return nil, err
		}
		reqs := in.RequestItems[name]
		to := tableOps{t: t}
		seen := map[string]bool{}
		for i := range reqs {
			r := reqs[i]
			var o op
			o.req = r
			if r.PutRequest != nil {
				hk, rk, size, err := t.checkWrite(r.PutRequest.Item, sizes[&reqs[i]])
				if err != nil {
					return nil, batchKeyError(err)
				}
				o.hk, o.rk = hk, rk
				o.next = &entry{item: r.PutRequest.Item, size: size, hk: hk, rk: rk}
			} else {
				hk, rk, err := t.validateKey(r.DeleteRequest.Key)
				if err != nil {
					return nil, err
				}
				o.hk, o.rk = hk, rk
			}
			id := o.hk + "\x00" + o.rk.s
			if seen[id] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[id] = true
			to.ops = append(to.ops, o)
		}
		all = append(all, to)
	}
	out := &BatchWriteItemOutput{UnprocessedItems: map[string][]WriteRequest{}}
	var firstThrottle *throttled
	for _, to := range all {
		t := to.t
		cc := ConsumedCapacity{TableName: t.name}
		t.mu.Lock()
		now := m.now()
		for _, o := range to.ops {
			_, _, old := t.lookup(o.hk, o.rk)
			charges, c := t.writeCharges(o.hk, old, o.next, 1)
			if th := check(now, charges, m.opts.Throttle); th != nil {
				firstThrottle = cmpThrottle(firstThrottle, th)
				out.UnprocessedItems[t.name] = append(out.UnprocessedItems[t.name], o.req)
				out.Throttled++
				continue
			}
			consume(charges)
			cc.merge(c)
			if old != nil || o.next != nil {
				t.write(old, o.next)
			}
			var key Item // the item, or the deleted item's key: either holds the partition key
			if o.req.PutRequest != nil {
				key = o.req.PutRequest.Item
			} else {
				key = o.req.DeleteRequest.Key
			}
			if icm := t.collectionMetrics(in.ReturnItemCollectionMetrics, o.hk, key); icm != nil {
				if out.ItemCollectionMetrics == nil {
					out.ItemCollectionMetrics = map[string][]ItemCollectionMetrics{}
				}
				out.ItemCollectionMetrics[t.name] = append(out.ItemCollectionMetrics[t.name], *icm)
			}
		}
		t.mu.Unlock()
		out.Consumed = append(out.Consumed, cc)
	}
	if out.Throttled == total {
		return nil, firstThrottle.err()
	}
	return out, nil
}

// merge adds another consumption on the same table.
func (c *ConsumedCapacity) merge(o ConsumedCapacity) {
	if o.Table != nil {
		if c.Table == nil {
			c.Table = &Capacity{}
		}
		c.Table.CapacityUnits += o.Table.CapacityUnits
		c.Table.ReadCapacityUnits += o.Table.ReadCapacityUnits
		c.Table.WriteCapacityUnits += o.Table.WriteCapacityUnits
	}
	c.CapacityUnits += o.CapacityUnits
	c.ReadCapacityUnits += o.ReadCapacityUnits
	c.WriteCapacityUnits += o.WriteCapacityUnits
	for name, x := range o.GlobalSecondaryIndexes {
		if c.GlobalSecondaryIndexes == nil {
			c.GlobalSecondaryIndexes = map[string]Capacity{}
		}
		y := c.GlobalSecondaryIndexes[name]
		y.CapacityUnits += x.CapacityUnits
		y.ReadCapacityUnits += x.ReadCapacityUnits
		y.WriteCapacityUnits += x.WriteCapacityUnits
		c.GlobalSecondaryIndexes[name] = y
	}
	for name, x := range o.LocalSecondaryIndexes {
		if c.LocalSecondaryIndexes == nil {
			c.LocalSecondaryIndexes = map[string]Capacity{}
		}
		y := c.LocalSecondaryIndexes[name]
		y.CapacityUnits += x.CapacityUnits
		y.ReadCapacityUnits += x.ReadCapacityUnits
		y.WriteCapacityUnits += x.WriteCapacityUnits
		c.LocalSecondaryIndexes[name] = y
	}
}

// batchKeyError words a put request's item without its key, or with a key of the wrong type, as
// BatchWriteItem does: "The provided key element does not match the schema", where PutItem
// names the key (captured in 2026:
// https://github.com/paritysuite/dynamodb-conformance/blob/main/tests/tier3/error-messages/batchWriteItem.test.ts).
func batchKeyError(err error) error {
	if e, ok := errors.AsType[*Error](err); ok && e.Code == CodeValidation &&
		(strings.HasPrefix(e.Message, "One or more parameter values were invalid: Missing the key ") ||
			strings.HasPrefix(e.Message, "One or more parameter values were invalid: Type mismatch for key ")) {
		return validation("The provided key element does not match the schema")
	}
	return err
}

// repeatsKey reports whether two keys of a list are the same attributes with equal values: a
// repeat DynamoDB refuses without looking at the table's key schema, so also on a missing table.
func repeatsKey(keys []Item) bool {
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if sameItem(keys[i], keys[j]) {
				return true
			}
		}
	}
	return false
}

func sameItem(a, b Item) bool {
	if len(a) != len(b) {
		return false
	}
	for name, v := range a {
		if w, ok := b[name]; !ok || !equalValue(v, w) {
			return false
		}
	}
	return true
}
