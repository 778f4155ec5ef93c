package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"time"
)

// idempotencyWindow is how long DynamoDB remembers a ClientRequestToken.
const idempotencyWindow = 10 * time.Minute

// TransactGetItemsInput is TransactGetItems' request.
type TransactGetItemsInput struct {
	TransactItems []struct {
		Get *Get `json:"Get"`
	} `json:"TransactItems"`
	ReturnConsumedCapacity string `json:"ReturnConsumedCapacity,omitempty"`
}

// Get is one read of a TransactGetItems.
type Get struct {
	TableName                string            `json:"TableName"`
	Key                      Item              `json:"Key"`
	ProjectionExpression     string            `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
}

// TransactGetItemsOutput is TransactGetItems' answer: one response per Get, nil for a missing item.
type TransactGetItemsOutput struct {
	Responses []Item
	Consumed  []ConsumedCapacity
}

type txTarget struct {
	t      *Table
	hk     string
	rk     keyValue
	old    *entry
	next   *entry
	cond   *condition
	upd    *update
	key    Item
	rv     string
	proj   *projection
	change bool // a write (not a condition check or a read)
}

func lockTables(targets []*txTarget) func() {
	seen := map[*Table]bool{}
	var ts []*Table
	for _, x := range targets {
		if !seen[x.t] {
			seen[x.t] = true
			ts = append(ts, x.t)
		}
	}
	slices.SortFunc(ts, func(a, b *Table) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	for _, t := range ts {
		t.mu.Lock()
	}
	return func() {
		for _, t := range ts {
			t.mu.Unlock()
		}
	}
}

// TransactGetItems reads up to 100 items atomically, at twice the strongly consistent price.
func (m *Model) TransactGetItems(in *TransactGetItemsInput) (*TransactGetItemsOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	// Every action is checked before any table is looked up, as DynamoDB does.
	projs := make([]*projection, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		g := ti.Get
		if g == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.get' failed to satisfy constraint: Member must not be null", i+1)
		}
		if err := validateItemIn(g.Key, olderLayer); err != nil {
			return nil, err
		}
		if err := checkArgs(exprArgs{names: g.ExpressionAttributeNames}, labeled{label: "ProjectionExpression", expr: g.ProjectionExpression, compile: func() (err error) {
			projs[i], err = compileProjection(g.ProjectionExpression, g.ExpressionAttributeNames, nil)
			return err
		}}); err != nil {
			return nil, err
		}
	}
	targets := make([]*txTarget, len(in.TransactItems))
	seen := map[string]bool{}
	// A Get whose key does not fit its table's schema cancels the transaction with the reason
	// ValidationError at its place, the others' reasons None, as DynamoDB reports a per-action
	// validation error of a transaction
	// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html,
	// TransactionCanceledException: "Validation Error"). Every Get is checked first.
	var reasons []CancellationReason
	for i, ti := range in.TransactItems {
		g, proj := ti.Get, projs[i]
		t, err := m.table(g.TableName)
		if err != nil {
			return nil, err
		}
		hk, rk, err := t.validateKey(g.Key)
		if e, ok := errors.AsType[*Error](err); ok && e.Message == msgKeySchema {
			if reasons == nil {
				reasons = make([]CancellationReason, len(in.TransactItems))
				for j := range reasons {
					reasons[j] = CancellationReason{Code: "None"}
				}
			}
			reasons[i] = CancellationReason{Code: "ValidationError", Message: msgKeySchema}
			continue
		}
		if err != nil {
			return nil, err
		}
		targets[i] = &txTarget{t: t, hk: hk, rk: rk, proj: proj}
	}
	if reasons != nil {
		return nil, transactionCanceled(reasons)
	}
	for _, x := range targets {
		id := x.t.name + "\x00" + x.hk + "\x00" + x.rk.s
		if seen[id] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
	}
	unlock := lockTables(targets)
	now := m.now()
	charges := make([]charge, len(targets))
	consumed := map[*Table]*ConsumedCapacity{}
	for i, x := range targets {
		_, _, x.old = x.t.lookup(x.hk, x.rk)
		size := 0
		if x.old != nil {
			size = x.old.size
		}
		u := 2 * readUnits(size, true)
		charges[i] = charge{cap: x.t.cap, units: u, pk: x.hk}
		addConsumed(consumed, x.t, u, false)
	}
	if th := check(now, charges, m.opts.Throttle); th != nil {
		unlock()
		return nil, throttleCancellation(targets, th)
	}
	consume(charges)
	unlock()
	out := &TransactGetItemsOutput{Responses: make([]Item, len(targets)), Consumed: flattenConsumed(consumed)}
	for i, x := range targets {
		if x.old == nil {
			continue
		}
		item, err := x.proj.apply(x.old.item)
		if err != nil {
			return nil, err
		}
		out.Responses[i] = item
	}
	return out, nil
}

func addConsumed(m map[*Table]*ConsumedCapacity, t *Table, units float64, write bool) {
	c := m[t]
	if c == nil {
		c = &ConsumedCapacity{TableName: t.name}
		m[t] = c
	}
	c.add(units, write, nil)
}

// flattenConsumed lists a transaction's capacity per table, in table name order. A transaction's
// answer splits its units into ReadCapacityUnits and WriteCapacityUnits, unlike every other
// operation's (https://github.com/aws/aws-sdk-go/issues/2699).
func flattenConsumed(m map[*Table]*ConsumedCapacity) []ConsumedCapacity {
	out := make([]ConsumedCapacity, 0, len(m))
	for _, c := range m {
		c.Transactional = true
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b ConsumedCapacity) int {
		switch {
		case a.TableName < b.TableName:
			return -1
		case a.TableName > b.TableName:
			return 1
		}
		return 0
	})
	return out
}

// throttleCancellation is how a transaction reports a throttle: TransactionCanceledException
// with ThrottlingError (on demand) or ProvisionedThroughputExceeded for the actions on the
// throttled table or key, None for the others.
func throttleCancellation(targets []*txTarget, th *throttled) *Error {
	code, msg := th.cancellationCode()
	reasons := make([]CancellationReason, len(targets))
	marked := false
	for i, x := range targets {
		reasons[i] = CancellationReason{Code: "None"}
		if x.t.cap == th.cap && (!th.keyRange || th.pk == x.hk) || th.cap.index && th.cap.table == x.t.name && x.change {
			reasons[i] = CancellationReason{Code: code, Message: msg}
			marked = true
		}
	}
	if !marked {
		reasons[0] = CancellationReason{Code: code, Message: msg}
	}
	return transactionCanceled(reasons)
}

// maxTransactionBytes is the most a transaction's items may add up to: "The aggregate size of
// the items in the transaction cannot exceed 4 MB"
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
const maxTransactionBytes = 4 << 20

// checkTransactionSize refuses a transaction whose items, as the request carries them (a put's
// item, the others' keys), add up to more than 4 MB, before any table is looked up. The message
// is the API reference's sentence; AWS's own wording was not recorded.
func checkTransactionSize(items []TransactWriteItem) error {
	total := 0
	for _, ti := range items {
		for _, a := range []*TransactAction{ti.ConditionCheck, ti.Put, ti.Update, ti.Delete} {
			if a != nil {
				total += ItemSize(a.Item) + ItemSize(a.Key)
			}
		}
	}
	if total > maxTransactionBytes {
		return validation("The aggregate size of the items in the transaction cannot exceed 4 MB")
	}
	return nil
}

// TransactWriteItem is one action of a TransactWriteItems: exactly one field is set.
type TransactWriteItem struct {
	ConditionCheck *TransactAction `json:"ConditionCheck,omitempty"`
	Put            *TransactAction `json:"Put,omitempty"`
	Update         *TransactAction `json:"Update,omitempty"`
	Delete         *TransactAction `json:"Delete,omitempty"`
}

// TransactAction holds the fields of the four transactional actions (Item for Put, Key for the
// others, UpdateExpression for Update).
type TransactAction struct {
	TableName                           string            `json:"TableName"`
	Key                                 Item              `json:"Key,omitempty"`
	Item                                Item              `json:"Item,omitempty"`
	UpdateExpression                    string            `json:"UpdateExpression,omitempty"`
	ConditionExpression                 string            `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues           Item              `json:"ExpressionAttributeValues,omitempty"`
	ReturnValuesOnConditionCheckFailure string            `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
}

// TransactWriteItemsInput is TransactWriteItems' request.
type TransactWriteItemsInput struct {
	TransactItems               []TransactWriteItem `json:"TransactItems"`
	ClientRequestToken          string              `json:"ClientRequestToken,omitempty"`
	ReturnConsumedCapacity      string              `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics string              `json:"ReturnItemCollectionMetrics,omitempty"`
}

// TransactWriteItemsOutput is TransactWriteItems' answer.
type TransactWriteItemsOutput struct {
	Consumed []ConsumedCapacity
	// ItemCollectionMetrics has, per table with local secondary indexes, one entry for each
	// Put, Update or Delete (ReturnItemCollectionMetrics SIZE): the item collection's size once
	// the transaction is applied.
	ItemCollectionMetrics map[string][]ItemCollectionMetrics
}

// TransactWriteItems applies up to 100 actions atomically, at twice the price of plain writes.
// If a condition fails, the answer is TransactionCanceledException with one reason per action
// (ConditionalCheckFailed or None) and nothing changes. A repeated ClientRequestToken within ten
// minutes answers success without applying the actions again.
func (m *Model) TransactWriteItems(in *TransactWriteItemsInput) (*TransactWriteItemsOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var digest string
	if in.ClientRequestToken != "" {
		digest = transactDigest(in.TransactItems)
		if done, err := m.seenToken(in.ClientRequestToken, digest); err != nil || done {
			if err != nil {
				return nil, err
			}
			return &TransactWriteItemsOutput{}, nil
		}
	}
	checked := make([]checkedAction, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		c, err := checkAction(i, ti)
		if err != nil {
			return nil, err
		}
		checked[i] = c
	}
	if err := checkTransactionSize(in.TransactItems); err != nil {
		return nil, err
	}
	targets := make([]*txTarget, len(in.TransactItems))
	seen := map[string]bool{}
	for i := range in.TransactItems {
		x, err := m.prepareAction(checked[i])
		if err != nil {
			return nil, err
		}
		id := x.t.name + "\x00" + x.hk + "\x00" + x.rk.s
		if seen[id] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
		targets[i] = x
	}
	unlock := lockTables(targets)
	defer unlock()
	now := m.now()
	reasons := make([]CancellationReason, len(targets))
	failed := false
	for i, x := range targets {
		reasons[i] = CancellationReason{Code: "None"}
		_, _, x.old = x.t.lookup(x.hk, x.rk)
		if err := x.t.checkCondition(x.cond, x.old, x.rv); err != nil {
			e, ok := errors.AsType[*Error](err)
			if !ok || e.Code != CodeConditionalCheck {
				return nil, err
			}
			reasons[i] = CancellationReason{Code: "ConditionalCheckFailed", Message: msgConditionalFailed, Item: e.Item}
			failed = true
		}
	}
	if failed {
		// The transaction is cancelled; it still pays for reading the items it checked, unless
		// it is throttled first.
		var charges []charge
		for _, x := range targets {
			ch, _ := x.t.failedConditionCharge(x.hk, x.old, 2)
			charges = append(charges, ch...)
		}
		if th := check(now, charges, m.opts.Throttle); th != nil {
			return nil, throttleCancellation(targets, th)
		}
		consume(charges)
		return nil, transactionCanceled(reasons)
	}
	var charges []charge
	consumed := map[*Table]*ConsumedCapacity{}
	for i, x := range targets {
		if x.upd != nil {
			next, err := x.t.updated(x.old, x.key, x.upd)
			if err != nil {
				msg := err.Error()
				if e, ok := errors.AsType[*Error](err); ok {
					msg = e.Message
				}
				reasons[i] = CancellationReason{Code: "ValidationError", Message: msg}
				failed = true
				continue
			}
			x.next = next
		}
		if x.change {
			ch, c := x.t.writeCharges(x.hk, x.old, x.next, 2)
			charges = append(charges, ch...)
			mergeConsumed(consumed, x.t, c)
			continue
		}
		ch, c := x.t.failedConditionCharge(x.hk, x.old, 2) // a condition check costs a write of the item
		charges = append(charges, ch...)
		mergeConsumed(consumed, x.t, c)
	}
	if failed {
		return nil, transactionCanceled(reasons)
	}
	if th := check(now, charges, m.opts.Throttle); th != nil {
		return nil, throttleCancellation(targets, th)
	}
	consume(charges)
	for _, x := range targets {
		if x.change && (x.old != nil || x.next != nil) {
			x.t.write(x.old, x.next)
		}
	}
	if digest != "" {
		m.rememberToken(in.ClientRequestToken, digest, now)
	}
	out := &TransactWriteItemsOutput{Consumed: flattenConsumed(consumed)}
	for _, x := range targets {
		key := x.key
		if key == nil && x.next != nil {
			key = x.next.item // a Put names its item, not a key
		}
		if !x.change || key == nil {
			continue
		}
		if icm := x.t.collectionMetrics(in.ReturnItemCollectionMetrics, x.hk, key); icm != nil {
			if out.ItemCollectionMetrics == nil {
				out.ItemCollectionMetrics = map[string][]ItemCollectionMetrics{}
			}
			out.ItemCollectionMetrics[x.t.name] = append(out.ItemCollectionMetrics[x.t.name], *icm)
		}
	}
	return out, nil
}

func mergeConsumed(m map[*Table]*ConsumedCapacity, t *Table, c ConsumedCapacity) {
	x := m[t]
	if x == nil {
		x = &ConsumedCapacity{TableName: t.name}
		m[t] = x
	}
	x.merge(c)
}

// checkedAction is one action of a TransactWriteItems, checked before any table is looked up.
type checkedAction struct {
	a    *TransactAction
	kind string
	cond *condition
	upd  *update
	size int // a Put's item size
}

// checkAction checks one action as DynamoDB does before it looks any table up: one kind of
// action, its required members, its values and its expressions.
func checkAction(i int, ti TransactWriteItem) (checkedAction, error) {
	var c checkedAction
	n := 0
	for k, v := range map[string]*TransactAction{"ConditionCheck": ti.ConditionCheck, "Put": ti.Put, "Update": ti.Update, "Delete": ti.Delete} {
		if v != nil {
			c.a, c.kind = v, k
			n++
		}
	}
	if n != 1 {
		return c, validation("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	a := c.a
	if c.kind == "ConditionCheck" && a.ConditionExpression == "" {
		return c, validation("1 validation error detected: Value null at 'transactItems.%d.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null", i+1)
	}
	if c.kind == "Update" && a.UpdateExpression == "" {
		return c, validation("1 validation error detected: Value null at 'transactItems.%d.member.update.updateExpression' failed to satisfy constraint: Member must not be null", i+1)
	}
	var err error
	if c.kind == "Put" {
		c.size, err = checkedValues(a.Item, 0, olderLayer)
	} else {
		err = validateItemIn(a.Key, olderLayer)
	}
	if err != nil {
		return c, err
	}
	args := exprArgs{names: a.ExpressionAttributeNames, values: a.ExpressionAttributeValues}
	exprs := []labeled{{label: "ConditionExpression", expr: a.ConditionExpression, compile: func() (err error) {
		c.cond, err = compileCondition("ConditionExpression", a.ConditionExpression, args)
		return err
	}}}
	if c.kind == "Update" {
		exprs = append(exprs, labeled{label: "UpdateExpression", expr: a.UpdateExpression, compile: func() (err error) {
			c.upd, err = compileUpdate(a.UpdateExpression, args)
			return err
		}})
	}
	return c, checkArgs(args, exprs...)
}

// prepareAction resolves a checked action's table and key, outside any lock.
func (m *Model) prepareAction(c checkedAction) (*txTarget, error) {
	a := c.a
	t, err := m.table(a.TableName)
	if err != nil {
		return nil, err
	}
	x := &txTarget{t: t, cond: c.cond, upd: c.upd, rv: a.ReturnValuesOnConditionCheckFailure, key: a.Key, change: c.kind != "ConditionCheck"}
	if c.kind == "Put" {
		hk, rk, size, err := t.checkWrite(a.Item, c.size)
		if err != nil {
			return nil, err
		}
		x.hk, x.rk = hk, rk
		x.next = &entry{item: a.Item, size: size, hk: hk, rk: rk}
		return x, nil
	}
	hk, rk, err := t.validateKey(a.Key)
	if err != nil {
		return nil, err
	}
	x.hk, x.rk = hk, rk
	return x, nil
}

func (m *Model) seenToken(token, digest string) (bool, error) {
	m.tokensMu.Lock()
	defer m.tokensMu.Unlock()
	prev, ok := m.tokens[token]
	if !ok || m.now().Sub(prev.at) > idempotencyWindow {
		return false, nil
	}
	if prev.digest != digest {
		return false, &Error{Code: CodeIdempotentMismatch, Message: "Transaction request cannot be completed because the idempotency token was already used with different parameters"}
	}
	return true, nil
}

func (m *Model) rememberToken(token, digest string, now time.Time) {
	m.tokensMu.Lock()
	defer m.tokensMu.Unlock()
	// Tokens are remembered in the order they came, so the expired ones are at the front. (A
	// sweep of the whole map on every transaction once it held 10,000 tokens cost 3 % of 01's
	// CPU at 2,000 orders a second.) A token used again after it expired has a newer entry in
	// the map than its old place in the queue, which then removes nothing.
	for len(m.tokenQueue) > 0 && now.Sub(m.tokenQueue[0].at) > idempotencyWindow {
		old := m.tokenQueue[0]
		if cur, ok := m.tokens[old.token]; ok && cur.at.Equal(old.at) {
			delete(m.tokens, old.token)
		}
		m.tokenQueue[0] = tokenAt{}
		m.tokenQueue = m.tokenQueue[1:]
	}
	m.tokens[token] = idempotency{digest: digest, at: now}
	m.tokenQueue = append(m.tokenQueue, tokenAt{token: token, at: now})
}

// transactDigest identifies a TransactWriteItems' parameters, for a repeated ClientRequestToken:
// the same actions give the same digest whatever order their maps were built in, and any other
// value of any field a different one. It writes each field length-prefixed in a fixed order and
// map keys sorted, then hashes that (encoding/json's reflection cost 12 % of 01's CPU at 2,000
// orders a second, for the same answer).
func transactDigest(items []TransactWriteItem) string {
	var d digester
	for _, ti := range items {
		for _, a := range [...]*TransactAction{ti.ConditionCheck, ti.Put, ti.Update, ti.Delete} {
			if a == nil {
				d.b = append(d.b, 0)
				continue
			}
			d.b = append(d.b, 1)
			d.str(a.TableName)
			d.item(a.Key)
			d.item(a.Item)
			d.str(a.UpdateExpression)
			d.str(a.ConditionExpression)
			d.names(a.ExpressionAttributeNames)
			d.item(a.ExpressionAttributeValues)
			d.str(a.ReturnValuesOnConditionCheckFailure)
		}
	}
	sum := sha256.Sum256(d.b)
	return hex.EncodeToString(sum[:])
}

type digester struct{ b []byte }

func (d *digester) str(s string) {
	d.b = binary.AppendUvarint(d.b, uint64(len(s)))
	d.b = append(d.b, s...)
}

// count writes a length, or a marker for nil (so that an absent map differs from an empty one).
func (d *digester) count(n int, isNil bool) {
	if isNil {
		d.b = append(d.b, 0)
		return
	}
	d.b = binary.AppendUvarint(d.b, uint64(n)+1)
}

func (d *digester) names(m map[string]string) {
	d.count(len(m), m == nil)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		d.str(k)
		d.str(m[k])
	}
}

func (d *digester) item(it Item) {
	d.count(len(it), it == nil)
	for _, k := range slices.Sorted(maps.Keys(it)) {
		d.str(k)
		d.value(it[k])
	}
}

// value writes each member the value has, tagged, so that a value with two members (which
// validation refuses) still has a digest of its own.
func (d *digester) value(v *Value) {
	v = unpack(v)
	if v == nil {
		d.b = append(d.b, 0)
		return
	}
	if v.S != nil {
		d.b = append(d.b, 'S')
		d.str(*v.S)
	}
	if v.N != nil {
		d.b = append(d.b, 'N')
		d.str(*v.N)
	}
	if v.B != nil {
		d.b = append(d.b, 'B')
		d.str(string(v.B))
	}
	if v.BOOL != nil {
		d.b = append(d.b, 'b', boolByte(*v.BOOL))
	}
	if v.NULL != nil {
		d.b = append(d.b, '0', boolByte(*v.NULL))
	}
	if v.M != nil {
		d.b = append(d.b, 'M')
		d.item(v.M)
	}
	if v.L != nil {
		d.b = append(d.b, 'L')
		d.count(len(v.L), false)
		for _, e := range v.L {
			d.value(e)
		}
	}
	d.set('s', v.SS)
	d.set('n', v.NS)
	if v.BS != nil {
		d.b = append(d.b, 'x')
		d.count(len(v.BS), false)
		for _, b := range v.BS {
			d.str(string(b))
		}
	}
	d.b = append(d.b, '.')
}

// set writes a string or number set, tagged, when the value has one.
func (d *digester) set(tag byte, l []*string) {
	if l == nil {
		return
	}
	d.b = append(d.b, tag)
	d.count(len(l), false)
	for _, s := range l {
		d.str(deref(s))
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
