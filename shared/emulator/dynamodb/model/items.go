package model

import (
	"errors"
	"maps"
)

// Capacity is units consumed by a table or an index.
type Capacity struct {
	CapacityUnits      float64 `json:"CapacityUnits"` // always answered, 0 too
	ReadCapacityUnits  float64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits float64 `json:"WriteCapacityUnits,omitempty"`
}

func (c *Capacity) add(units float64, write bool) {
	c.CapacityUnits += units
	if write {
		c.WriteCapacityUnits += units
	} else {
		c.ReadCapacityUnits += units
	}
}

// ConsumedCapacity is what a request consumed on one table, with its indexes broken out. The
// read and write units are always counted (the service's metrics read them); the wire shows them
// only for a transaction (Transactional), as DynamoDB does.
type ConsumedCapacity struct {
	TableName              string              `json:"TableName"`
	CapacityUnits          float64             `json:"CapacityUnits"`
	ReadCapacityUnits      float64             `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits     float64             `json:"WriteCapacityUnits,omitempty"`
	Table                  *Capacity           `json:"Table,omitempty"`
	GlobalSecondaryIndexes map[string]Capacity `json:"GlobalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes  map[string]Capacity `json:"LocalSecondaryIndexes,omitempty"`
	Transactional          bool                `json:"-"`
}

// indexRead completes the capacity of a Query or Scan of a secondary index: the table itself is
// listed, with no units, beside the index (ReturnConsumedCapacity INDEXES), as DynamoDB
// answers and dynalite's suite recorded ("Table": {"CapacityUnits": 0} with the index's units).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html
func (c *ConsumedCapacity) indexRead(ix *index) {
	if ix != nil && c.Table == nil {
		c.Table = &Capacity{}
	}
}

func (c *ConsumedCapacity) add(units float64, write bool, ix *index) {
	if units == 0 {
		return
	}
	c.CapacityUnits += units
	if write {
		c.WriteCapacityUnits += units
	} else {
		c.ReadCapacityUnits += units
	}
	switch {
	case ix == nil:
		if c.Table == nil {
			c.Table = &Capacity{}
		}
		c.Table.add(units, write)
	case ix.global:
		if c.GlobalSecondaryIndexes == nil {
			c.GlobalSecondaryIndexes = map[string]Capacity{}
		}
		x := c.GlobalSecondaryIndexes[ix.name]
		x.add(units, write)
		c.GlobalSecondaryIndexes[ix.name] = x
	default:
		if c.LocalSecondaryIndexes == nil {
			c.LocalSecondaryIndexes = map[string]Capacity{}
		}
		x := c.LocalSecondaryIndexes[ix.name]
		x.add(units, write)
		c.LocalSecondaryIndexes[ix.name] = x
	}
}

// GetItemInput is GetItem's request.
type GetItemInput struct {
	TableName                string            `json:"TableName"`
	Key                      Item              `json:"Key"`
	ConsistentRead           bool              `json:"ConsistentRead,omitempty"`
	ProjectionExpression     string            `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`
	ReturnConsumedCapacity   string            `json:"ReturnConsumedCapacity,omitempty"`

	empty emptyExprs // expression members sent as ""
}

// GetItemOutput is GetItem's answer. Consumed is always filled; the wire shows it only when the
// request asked for it.
type GetItemOutput struct {
	Item     Item
	Consumed ConsumedCapacity
}

// GetItem reads one item.
func (m *Model) GetItem(in *GetItemInput) (*GetItemOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	projExpr := labeled{label: "ProjectionExpression", expr: in.ProjectionExpression, empty: in.empty.has(emptyProjection)}
	if err := checkMixed([]param{{"ProjectionExpression", projExpr.present()}}, []param{{"AttributesToGet", in.AttributesToGet != nil}},
		in.ExpressionAttributeNames, nil, ""); err != nil {
		return nil, err
	}
	if err := validateItem(in.Key); err != nil {
		return nil, err
	}
	if err := checkDuplicateNames(in.AttributesToGet); err != nil {
		return nil, err
	}
	var proj *projection
	projExpr.compile = func() (err error) {
		proj, err = compileProjection(in.ProjectionExpression, in.ExpressionAttributeNames, in.AttributesToGet)
		return err
	}
	if err := checkArgs(exprArgs{names: in.ExpressionAttributeNames}, projExpr); err != nil {
		return nil, err
	}
	if !projExpr.present() {
		var err error
		if proj, err = compileProjection("", nil, in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	t, err := m.table(in.TableName)
	if err != nil {
		return nil, err
	}
	hk, rk, err := t.validateKey(in.Key)
	if err != nil {
		return nil, err
	}
	if err := t.checkKeyPaths(in.ProjectionExpression, in.ExpressionAttributeNames); err != nil {
		return nil, err
	}
	now := m.now()
	t.mu.Lock()
	_, _, e := t.lookup(hk, rk)
	size := 0
	if e != nil {
		size = e.size
	}
	units := readUnits(size, in.ConsistentRead)
	ch := []charge{{cap: t.cap, units: units, pk: hk}}
	if th := check(now, ch, m.opts.Throttle); th != nil {
		t.mu.Unlock()
		return nil, th.err()
	}
	consume(ch)
	t.mu.Unlock()
	out := &GetItemOutput{Consumed: ConsumedCapacity{TableName: t.name}}
	out.Consumed.add(units, false, nil)
	if e != nil {
		if out.Item, err = proj.apply(e.item); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PutItemInput is PutItem's request.
type PutItemInput struct {
	TableName                           string                            `json:"TableName"`
	Item                                Item                              `json:"Item"`
	ConditionExpression                 string                            `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                 `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues           Item                              `json:"ExpressionAttributeValues,omitempty"`
	ReturnValues                        string                            `json:"ReturnValues,omitempty"`
	ReturnValuesOnConditionCheckFailure string                            `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
	ReturnConsumedCapacity              string                            `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics         string                            `json:"ReturnItemCollectionMetrics,omitempty"`
	Expected                            map[string]ExpectedAttributeValue `json:"Expected,omitempty"`
	ConditionalOperator                 string                            `json:"ConditionalOperator,omitempty"`

	checked checkedItem // what the decoder found out about Item

	empty emptyExprs // expression members sent as ""
}

// WriteOutput is the answer of PutItem, UpdateItem and DeleteItem: Attributes only when
// ReturnValues asked for them (DynamoDB returns none otherwise).
type WriteOutput struct {
	Attributes Item
	Consumed   ConsumedCapacity
	// ItemCollection is the changed item collection's size, for ReturnItemCollectionMetrics SIZE
	// on a table with local secondary indexes; nil otherwise.
	ItemCollection *ItemCollectionMetrics
}

// PutItem creates or replaces an item.
func (m *Model) PutItem(in *PutItemInput) (*WriteOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return nil, validation("Return values set to invalid value")
	}
	if err := checkMixed([]param{{"ConditionExpression", in.ConditionExpression != "" || in.empty.has(emptyCondition)}},
		[]param{{"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues, "ConditionExpression is null"); err != nil {
		return nil, err
	}
	size, err := checkedValues(in.Item, in.checked, currentLayer)
	if err != nil {
		return nil, err
	}
	cond, err := writeCondition(&in.ConditionExpression, in.empty.has(emptyCondition), in.Expected, in.ConditionalOperator, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	t, err := m.table(in.TableName)
	if err != nil {
		return nil, err
	}
	hk, rk, size, err := t.checkWrite(in.Item, size)
	if err != nil {
		return nil, err
	}
	next := &entry{item: in.Item, size: size, hk: hk, rk: rk}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _, old := t.lookup(hk, rk)
	w, err := m.write(t, hk, old, fixed(next), cond, in.ReturnValuesOnConditionCheckFailure, 1)
	if err != nil {
		return nil, err
	}
	out := &WriteOutput{Consumed: w.consumed, ItemCollection: t.collectionMetrics(in.ReturnItemCollectionMetrics, hk, in.Item)}
	if in.ReturnValues == "ALL_OLD" && old != nil {
		out.Attributes = old.item
	}
	return out, nil
}

// writeCondition checks and compiles a write's condition, translating Expected into *expr
// first (checkMixed has made sure only one of them is set). empty is set when the request sent
// ConditionExpression as "".
func writeCondition(expr *string, empty bool, expected map[string]ExpectedAttributeValue, op string, names map[string]string, values Item) (*condition, error) {
	args := exprArgs{names: names, values: values}
	if expected != nil {
		l := newLegacy(nil, nil)
		c, err := l.expected(expected, op)
		if err != nil {
			return nil, err
		}
		*expr, args = c, l.args()
	}
	var cond *condition
	e := labeled{label: "ConditionExpression", expr: *expr, empty: empty, compile: func() (err error) {
		cond, err = compileCondition("ConditionExpression", *expr, args)
		return err
	}}
	if err := checkArgs(args, e); err != nil {
		return nil, err
	}
	return cond, nil
}

// checkedValues validates an item's values (worded by layer) and size before the table is looked
// up, as DynamoDB does, using what the decoder already found out (c); it answers the item's size.
func checkedValues(item Item, c checkedItem, layer valueLayer) (int, error) {
	size := int(c) - 1
	if c <= 0 || item == nil {
		if err := validateItemIn(item, layer); err != nil {
			return 0, err
		}
		size = ItemSize(item)
	}
	if size > MaxItemSize {
		return 0, validation("Item size has exceeded the maximum allowed size")
	}
	return size, nil
}

// checkDuplicateNames refuses an AttributesToGet that names an attribute twice.
func checkDuplicateNames(names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return validation("One or more parameter values were invalid: Duplicate value in attribute name: %s", n)
		}
		seen[n] = true
	}
	return nil
}

// written is the outcome of one write.
type written struct {
	consumed ConsumedCapacity
}

// write checks the condition against the stored item, computes the new item (next, nil to
// delete), checks capacity, then stores it. Throttling wins over every other outcome and a
// throttled or failed write changes nothing. factor is 2 in transactions. The caller holds t.mu.
func (m *Model) write(t *Table, hk string, old *entry, next func() (*entry, error), cond *condition, rvOnFailure string, factor float64) (written, error) {
	now := m.now()
	if err := t.checkCondition(cond, old, rvOnFailure); err != nil {
		e, ok := errors.AsType[*Error](err)
		if !ok || e.Code != CodeConditionalCheck {
			return written{}, err
		}
		// A failed condition still consumes write capacity for the existing item's size.
		charges, c := t.failedConditionCharge(hk, old, factor)
		if th := check(now, charges, m.opts.Throttle); th != nil {
			return written{}, th.err()
		}
		consume(charges)
		e.consumed = &c
		return written{consumed: c}, e
	}
	n, err := next()
	if err != nil {
		return written{}, err
	}
	charges, consumed := t.writeCharges(hk, old, n, factor)
	if th := check(now, charges, m.opts.Throttle); th != nil {
		return written{}, th.err()
	}
	consume(charges)
	if old != nil || n != nil {
		t.write(old, n)
	}
	return written{consumed: consumed}, nil
}

func (t *Table) failedConditionCharge(hk string, old *entry, factor float64) ([]charge, ConsumedCapacity) {
	size := 0
	if old != nil {
		size = old.size
	}
	u := writeUnits(size) * factor
	c := ConsumedCapacity{TableName: t.name}
	c.add(u, true, nil)
	return []charge{{cap: t.cap, units: u, write: true, pk: hk}}, c
}

func fixed(e *entry) func() (*entry, error) {
	return func() (*entry, error) { return e, nil }
}

// checkCondition evaluates a write's condition against the stored item.
func (t *Table) checkCondition(cond *condition, old *entry, rvOnFailure string) error {
	if cond == nil {
		return nil
	}
	var item Item
	if old != nil {
		item = old.item
	}
	ok, err := cond.match(item)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	e := &Error{Code: CodeConditionalCheck, Message: msgConditionalFailed}
	if rvOnFailure == "ALL_OLD" && old != nil {
		e.Item = old.item
	}
	return e
}

// writeCharges prices a write: the table (and its local indexes) by the larger of the old and
// new item, each global index by what changes in it.
func (t *Table) writeCharges(hk string, old, next *entry, factor float64) ([]charge, ConsumedCapacity) {
	c := ConsumedCapacity{TableName: t.name}
	size := 0
	if old != nil {
		size = old.size
	}
	if next != nil && next.size > size {
		size = next.size
	}
	base := writeUnits(size) * factor
	c.add(base, true, nil)
	total := base
	for _, ix := range t.indexes().lsis {
		if u, _ := ix.writeCost(t, old, next); u > 0 {
			u *= factor
			total += u
			c.add(u, true, ix)
		}
	}
	charges := []charge{{cap: t.cap, units: total, write: true, pk: hk}}
	for _, ix := range t.indexes().gsis {
		u, perKey := ix.writeCost(t, old, next)
		if u == 0 {
			continue
		}
		for k := range perKey {
			perKey[k] *= factor
		}
		charges = append(charges, charge{cap: ix.cap, units: u * factor, write: true, perKey: perKey})
		c.add(u*factor, true, ix)
	}
	return charges, c
}

// writeCost is the index's share of a write: a put of the new projection, a delete of the old
// one, or both when the index key changes.
func (ix *index) writeCost(t *Table, old, next *entry) (float64, map[string]float64) {
	var oldHK, oldRK, newHK, newRK keyValue
	oldIn, newIn := false, false
	if old != nil {
		oldHK, oldRK, oldIn = ix.indexKey(old.item)
	}
	if next != nil {
		newHK, newRK, newIn = ix.indexKey(next.item)
	}
	perKey := map[string]float64{}
	var total float64
	add := func(hk string, e *entry) {
		u := writeUnits(ix.projectedSize(t, e))
		perKey[hk] += u
		total += u
	}
	switch {
	case oldIn && newIn:
		keyChanged := oldHK.s != newHK.s || ix.schema.rng.name != "" && compareKey(ix.schema.rng.typ, oldRK, newRK) != 0
		switch {
		case keyChanged:
			add(oldHK.s, old)
			add(newHK.s, next)
		case ix.projectionChanged(old.item, next.item):
			add(newHK.s, next)
		}
	case oldIn:
		add(oldHK.s, old)
	case newIn:
		add(newHK.s, next)
	}
	return total, perKey
}

func (ix *index) projectionChanged(old, next Item) bool {
	switch ix.proj.ProjectionType {
	case "", "ALL":
		return true
	case "KEYS_ONLY":
		return false
	}
	for _, a := range ix.proj.NonKeyAttributes {
		if !equalValue(old[a], next[a]) && (old[a] != nil || next[a] != nil) {
			return true
		}
	}
	return false
}

// UpdateItemInput is UpdateItem's request.
type UpdateItemInput struct {
	TableName                           string                            `json:"TableName"`
	Key                                 Item                              `json:"Key"`
	UpdateExpression                    string                            `json:"UpdateExpression,omitempty"`
	ConditionExpression                 string                            `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                 `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues           Item                              `json:"ExpressionAttributeValues,omitempty"`
	ReturnValues                        string                            `json:"ReturnValues,omitempty"`
	ReturnValuesOnConditionCheckFailure string                            `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
	ReturnConsumedCapacity              string                            `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics         string                            `json:"ReturnItemCollectionMetrics,omitempty"`
	AttributeUpdates                    map[string]AttributeValueUpdate   `json:"AttributeUpdates,omitempty"`
	Expected                            map[string]ExpectedAttributeValue `json:"Expected,omitempty"`
	ConditionalOperator                 string                            `json:"ConditionalOperator,omitempty"`

	empty emptyExprs // expression members sent as ""
}

// UpdateItem changes an item's attributes, creating the item if it does not exist.
func (m *Model) UpdateItem(in *UpdateItemInput) (*WriteOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var err error
	if err := checkMixed([]param{{"UpdateExpression", in.UpdateExpression != "" || in.empty.has(emptyUpdate)}, {"ConditionExpression", in.ConditionExpression != "" || in.empty.has(emptyCondition)}},
		[]param{{"AttributeUpdates", in.AttributeUpdates != nil}, {"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues, "UpdateExpression and ConditionExpression are null"); err != nil {
		return nil, err
	}
	if err := validateItem(in.Key); err != nil {
		return nil, err
	}
	args := exprArgs{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	if in.AttributeUpdates != nil || in.Expected != nil {
		l := newLegacy(nil, nil)
		if in.UpdateExpression, err = l.updates(in.AttributeUpdates); err != nil {
			return nil, err
		}
		if in.ConditionExpression, err = l.expected(in.Expected, in.ConditionalOperator); err != nil {
			return nil, err
		}
		args = l.args()
	}
	var upd *update
	var cond *condition
	if err := checkArgs(args,
		labeled{label: "UpdateExpression", expr: in.UpdateExpression, empty: in.empty.has(emptyUpdate), placeholders: true, compile: func() (err error) {
			upd, err = compileUpdate(in.UpdateExpression, args)
			return err
		}},
		labeled{label: "ConditionExpression", expr: in.ConditionExpression, empty: in.empty.has(emptyCondition), compile: func() (err error) {
			cond, err = compileCondition("ConditionExpression", in.ConditionExpression, args)
			return err
		}}); err != nil {
		return nil, err
	}
	t, err := m.table(in.TableName)
	if err != nil {
		return nil, err
	}
	hk, rk, err := t.validateKey(in.Key)
	if err != nil {
		return nil, err
	}
	if upd != nil && in.AttributeUpdates != nil {
		upd.legacy = true
	}
	if err := t.checkUpdate(upd); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _, old := t.lookup(hk, rk)
	var next *entry
	w, err := m.write(t, hk, old, func() (*entry, error) {
		n, err := t.updated(old, in.Key, upd)
		next = n
		return n, err
	}, cond, in.ReturnValuesOnConditionCheckFailure, 1)
	if err != nil {
		return nil, err
	}
	out := &WriteOutput{Consumed: w.consumed, ItemCollection: t.collectionMetrics(in.ReturnItemCollectionMetrics, hk, in.Key)}
	var oldItem Item
	if old != nil {
		oldItem = old.item
	}
	out.Attributes = returnValues(in.ReturnValues, oldItem, next.item, upd.paths())
	return out, nil
}

// updated computes the item an update makes: a new map, the stored one untouched.
func (t *Table) updated(old *entry, key Item, upd *update) (*entry, error) {
	base := key
	if old != nil {
		base = old.item
	}
	var item Item
	var kept map[string]bool
	if err := t.checkUpdate(upd); err != nil {
		return nil, err
	}
	if upd != nil {
		var err error
		// Stored numbers are taken as they are: DynamoDB keeps 38 digits
		// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number).
		if item, kept, err = upd.apply(base, true); err != nil {
			return nil, err
		}
	} else {
		item = maps.Clone(base) // stored values are never changed in place
	}
	if old == nil {
		if err := validateItem(item); err != nil {
			return nil, err
		}
		if err := t.checkUpdatedKeys(item); err != nil {
			return nil, err
		}
		hk, rk, size, err := t.validateItemForWrite(item)
		if err != nil {
			return nil, err
		}
		return &entry{item: item, size: size, hk: hk, rk: rk}, nil
	}
	// The stored attributes the update shares were checked and sized when they were written:
	// only what it changed is checked, and the size moves by the difference.
	size, err := changedSize(old, item, kept)
	if err != nil {
		return nil, err
	}
	if err := t.checkUpdatedKeys(item); err != nil {
		return nil, err
	}
	hk, rk, size, err := t.checkWrite(item, size)
	if err != nil {
		return nil, err
	}
	return &entry{item: item, size: size, hk: hk, rk: rk}, nil
}

// changedSize validates the values of item that are not old's and returns item's size from
// old's. kept names the lists that hold old's list as their first elements (an append): only
// their new elements are looked at.
func changedSize(old *entry, item Item, kept map[string]bool) (int, error) {
	size := old.size
	for k, v := range old.item {
		if w, ok := item[k]; ok && (w == v || kept[k]) {
			continue
		}
		size -= len(k) + valueSize(v)
	}
	for k, v := range item {
		ov, had := old.item[k]
		switch {
		case had && ov == v:
			continue
		case kept[k]:
			n := 0
			for _, e := range v.L[len(ov.L):] {
				if err := validateValue(e, 1); err != nil {
					return 0, err
				}
				n += 1 + valueSize(e)
			}
			size += n
			continue
		}
		if err := validateValue(v, 0); err != nil {
			return 0, err
		}
		size += len(k) + valueSize(v)
	}
	return size, nil
}

// returnValues picks UpdateItem's Attributes: nothing, the whole old or new item, or what the
// paths the update wrote hold in the old or the new item, whether the update changed them or
// not ("only the updated attributes", nested paths as nested values).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnValues
func returnValues(mode string, old, next Item, paths []docPath) Item {
	switch mode {
	case "ALL_OLD":
		return old
	case "ALL_NEW":
		return next
	case "UPDATED_OLD":
		return projectPaths(old, paths)
	case "UPDATED_NEW":
		return projectPaths(next, paths)
	}
	return nil
}

// DeleteItemInput is DeleteItem's request.
type DeleteItemInput struct {
	TableName                           string                            `json:"TableName"`
	Key                                 Item                              `json:"Key"`
	ConditionExpression                 string                            `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                 `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues           Item                              `json:"ExpressionAttributeValues,omitempty"`
	ReturnValues                        string                            `json:"ReturnValues,omitempty"`
	ReturnValuesOnConditionCheckFailure string                            `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
	ReturnConsumedCapacity              string                            `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics         string                            `json:"ReturnItemCollectionMetrics,omitempty"`
	Expected                            map[string]ExpectedAttributeValue `json:"Expected,omitempty"`
	ConditionalOperator                 string                            `json:"ConditionalOperator,omitempty"`

	empty emptyExprs // expression members sent as ""
}

// DeleteItem deletes an item (deleting a missing item succeeds).
func (m *Model) DeleteItem(in *DeleteItemInput) (*WriteOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return nil, validation("Return values set to invalid value")
	}
	if err := checkMixed([]param{{"ConditionExpression", in.ConditionExpression != "" || in.empty.has(emptyCondition)}},
		[]param{{"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues, "ConditionExpression is null"); err != nil {
		return nil, err
	}
	if err := validateItem(in.Key); err != nil {
		return nil, err
	}
	cond, err := writeCondition(&in.ConditionExpression, in.empty.has(emptyCondition), in.Expected, in.ConditionalOperator, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	t, err := m.table(in.TableName)
	if err != nil {
		return nil, err
	}
	hk, rk, err := t.validateKey(in.Key)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _, old := t.lookup(hk, rk)
	w, err := m.write(t, hk, old, fixed(nil), cond, in.ReturnValuesOnConditionCheckFailure, 1)
	if err != nil {
		return nil, err
	}
	out := &WriteOutput{Consumed: w.consumed, ItemCollection: t.collectionMetrics(in.ReturnItemCollectionMetrics, hk, in.Key)}
	if in.ReturnValues == "ALL_OLD" && old != nil {
		out.Attributes = old.item
	}
	return out, nil
}
