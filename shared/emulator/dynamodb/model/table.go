package model

import (
	"bytes"
	"cmp"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// keyValue is one key attribute's value in a form that compares in DynamoDB's order: strings and
// binaries byte-wise, numbers numerically. s is the value's canonical spelling (the string, the
// canonical number, or the base64 of the binary), unique per value within a key attribute.
type keyValue struct {
	s string
	n number
	b []byte
}

func compareKey(typ string, a, b keyValue) int {
	switch typ {
	case "N":
		return a.n.cmp(b.n)
	case "B":
		return strings.Compare(string(a.b), string(b.b))
	}
	return strings.Compare(a.s, b.s)
}

// keyValueOf reads a key attribute of the given scalar type; ok is false when v is of another type.
func keyValueOf(v *Value, typ string) (keyValue, bool) {
	switch typ {
	case "S":
		if v.S != nil && typeOf(v) == "S" {
			return keyValue{s: *v.S}, true
		}
	case "N":
		if v.N != nil && typeOf(v) == "N" {
			n, err := parseNumber(*v.N)
			if err != nil {
				return keyValue{}, false
			}
			return keyValue{s: n.String(), n: n}, true
		}
	case "B":
		if v.B != nil && typeOf(v) == "B" {
			return keyValue{s: base64.StdEncoding.EncodeToString(v.B), b: v.B}, true
		}
	}
	return keyValue{}, false
}

// entry is one stored item.
type entry struct {
	item Item
	size int
	hk   string   // partition key, canonical
	rk   keyValue // sort key, zero without one
}

func itemRoundTrips(item Item) bool {
	for _, v := range item {
		if !roundTrips(v) {
			return false
		}
	}
	return true
}

// partition holds the items of one partition key value, in sort key order.
type partition struct {
	key     string
	hash    uint64
	entries []*entry
}

// hashKey places a partition key value (canonical, of type typ) in DynamoDB's key space, which
// orders a Scan and splits it into segments: the MD5 of "Outliers" and the value's bytes (a
// string's UTF-8, a binary's bytes, a number's internal encoding). This is the scheme dynalite
// found to reproduce DynamoDB's Scan order and segments, as its suite recorded them from
// DynamoDB ("should return items in string hash order", "… from correct number hash segments").
func hashKey(typ, hk string) uint64 {
	h := md5.New()
	h.Write([]byte("Outliers"))
	switch typ {
	case "N":
		n, _ := parseNumber(hk)
		h.Write(numberBytes(n))
	case "B":
		b, _ := base64.StdEncoding.DecodeString(hk)
		h.Write(b)
	default:
		h.Write([]byte(hk))
	}
	return binary.BigEndian.Uint64(h.Sum(nil))
}

// keySpacePlace is the place of an item's whole table key in DynamoDB's key space: the first
// three bytes of the MD5 of "Outliers", the partition key's bytes and the sort key's bytes (as
// hashKey encodes them).
func (t *Table) keySpacePlace(e *entry) []byte {
	h := md5.New()
	h.Write([]byte("Outliers"))
	h.Write(keyBytes(t.schema.hash.typ, keyValue{s: e.hk}, e.hk))
	if t.schema.rng.name != "" {
		h.Write(keyBytes(t.schema.rng.typ, e.rk, ""))
	}
	return h.Sum(nil)[:3]
}

// keyBytes is a key value's bytes in the key space: a string's UTF-8, a binary's bytes, a
// number's internal encoding. canonical, when set, is the value as stored for a partition key.
func keyBytes(typ string, v keyValue, canonical string) []byte {
	switch typ {
	case "N":
		if canonical != "" {
			n, _ := parseNumber(canonical)
			return numberBytes(n)
		}
		return numberBytes(v.n)
	case "B":
		if canonical != "" {
			b, _ := base64.StdEncoding.DecodeString(canonical)
			return b
		}
		return v.b
	}
	return []byte(v.s)
}

// numberBytes is a number's internal encoding in DynamoDB's key space (like Oracle's NUMBER):
// an exponent byte for base-100 digits, then the digit pairs, each plus 1; a negative number
// inverts the exponent byte, takes each pair from 101 and, when short, ends with 102.
func numberBytes(n number) []byte {
	if n.digits == "" {
		return []byte{0x80}
	}
	d := n.digits
	pad := 0
	if n.exp%2 != 0 {
		pad = 1
		d = "0" + d
	}
	b0 := (n.exp+pad)/2 - 64
	if n.neg {
		b0 = ^b0
	}
	out := []byte{byte(b0)}
	for i := 0; i < len(d); i += 2 {
		v := int(d[i]-'0') * 10
		if i+1 < len(d) {
			v += int(d[i+1] - '0')
		}
		if n.neg {
			v = 101 - v
		} else {
			v++
		}
		out = append(out, byte(v))
	}
	if n.neg && (len(d)+1)/2 < 20 {
		out = append(out, 102)
	}
	return out
}

// inScanSegment reports whether a key space position falls in segment seg of total: DynamoDB
// splits the key space's first 12 bits (4,096 cells) evenly, segment s starting at cell
// ceil(4096·s/total).
func inScanSegment(h uint64, seg, total int) bool {
	if total <= 1 {
		return true
	}
	cell := int(h >> 52)
	lo := (4096*seg + total - 1) / total
	hi := (4096*(seg+1)+total-1)/total - 1
	return cell >= lo && cell <= hi
}

// index is a secondary index. Global ones keep their own partitions; local ones are read from
// the table's partitions.
type index struct {
	name   string
	global bool
	// activeAt is when a GSI added by UpdateTable is ACTIVE (zero: at once); backfilled says it
	// was added to an existing table, so DescribeTable shows Backfilling for it.
	activeAt   time.Time
	backfilled bool
	schema     keySchema
	proj       Projection
	arn        string
	prov       *ProvisionedThroughput
	onDemand   *OnDemandThroughput
	warm       *WarmThroughput

	parts      map[string]*ipartition
	order      []*ipartition
	orderDirty bool
	items      int
	bytes      int64
	cap        *capacity
}

// ientry is an item as a global secondary index holds it.
type ientry struct {
	e    *entry
	rk   keyValue
	size int // projected size
}

type ipartition struct {
	key     string
	hash    uint64
	entries []ientry // by index sort key, then the table's key
}

// indexSet is a table's secondary indexes. It is never changed: UpdateTable stores a new one, so
// requests may read it before they take the table's lock.
type indexSet struct {
	gsis, lsis []*index
	byName     map[string]*index
}

func (t *Table) indexes() *indexSet { return t.ixs.Load() }

// withIndex stores a copy of the index set with ix added (or removed when remove is set). The
// caller holds the model's lock.
func (t *Table) withIndex(ix *index, remove bool) {
	cur := t.indexes()
	next := &indexSet{byName: maps.Clone(cur.byName)}
	next.gsis = slices.DeleteFunc(slices.Clone(cur.gsis), func(x *index) bool { return x == ix })
	next.lsis = slices.DeleteFunc(slices.Clone(cur.lsis), func(x *index) bool { return x == ix })
	delete(next.byName, ix.name)
	if !remove {
		next.byName[ix.name] = ix
		if ix.global {
			next.gsis = append(next.gsis, ix)
		} else {
			next.lsis = append(next.lsis, ix)
		}
	}
	t.ixs.Store(next)
}

// Table is one DynamoDB table. Its mutex guards its items and its capacity; its definition
// changes only under the model's lock and its own.
type Table struct {
	mu sync.Mutex

	name, arn, id string
	created       time.Time
	// The table is CREATING until activeAt and UPDATING until updatedAt (zero: ACTIVE). activeAt
	// never changes once the table is published; updatedAt changes under mu.
	activeAt, updatedAt time.Time
	// deletingUntil is when a table being deleted is gone (Unix nanoseconds; 0: not being
	// deleted). Until then it is DELETING and still answers reads and writes, as DynamoDB may.
	deletingUntil atomic.Int64
	clock         func() time.Time
	schema        keySchema
	defs          []AttributeDefinition
	ixs           atomic.Pointer[indexSet] // replaced whole by UpdateTable, read without the lock

	billing            string
	prov               *ProvisionedThroughput
	onDemand           *OnDemandThroughput
	warm               *WarmThroughput
	billingUpdated     time.Time
	stream             *StreamSpecification
	streamLabel        string
	log                *streamLog // the latest stream's records; nil before any stream
	ttl                *TimeToLiveSpecification
	tags               []Tag
	sse                *SSESpecification
	tableClass         string
	deletionProtection bool

	parts      map[string]*partition
	order      []*partition
	orderDirty bool
	items      int
	bytes      int64

	cap *capacity
}

// Table statuses (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
const (
	StatusCreating = "CREATING"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"
	StatusActive   = "ACTIVE"
)

// creating reports whether the table is still being created; it reads the clock only while a
// creation is (or was) pending.
func (t *Table) creating() bool {
	return !t.activeAt.IsZero() && t.clock().Before(t.activeAt)
}

// gone reports whether a table being deleted has finished being deleted.
func (t *Table) gone() bool {
	u := t.deletingUntil.Load()
	return u != 0 && !t.clock().Before(time.Unix(0, u))
}

// statusLocked is the table's TableStatus; t.mu is held.
func (t *Table) statusLocked() string {
	switch {
	case t.deletingUntil.Load() != 0:
		return StatusDeleting
	case t.creating():
		return StatusCreating
	case !t.updatedAt.IsZero() && t.clock().Before(t.updatedAt):
		return StatusUpdating
	}
	return StatusActive
}

// Name is the table's name.
func (t *Table) Name() string { return t.name }

// ARN is the table's ARN.
func (t *Table) ARN() string { return t.arn }

// StreamARN is the table's latest stream ARN, or "" without a stream specification.
func (t *Table) StreamARN() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.streamLabel == "" {
		return ""
	}
	return t.arn + "/stream/" + t.streamLabel
}

// HashKey returns the partition key attribute's name.
func (t *Table) HashKey() string { return t.schema.hash.name }

// PartitionKeyOf returns the canonical partition key value of an item or key ("" when it has
// none of the right type): the string, the number in plain notation, or the binary in base64.
func (t *Table) PartitionKeyOf(item Item) string {
	v := item[t.schema.hash.name]
	if v == nil {
		return ""
	}
	kv, _ := keyValueOf(v, t.schema.hash.typ)
	return kv.s
}

// validateKey checks a Key parameter: exactly the table's key attributes, of the right types.
// msgKeySchema is DynamoDB's answer to a key that does not fit the table's key schema.
const msgKeySchema = "The provided key element does not match the schema"

func (t *Table) validateKey(key Item) (string, keyValue, error) {
	if err := validateItem(key); err != nil {
		return "", keyValue{}, err
	}
	want := 1
	if t.schema.rng.name != "" {
		want = 2
	}
	if len(key) != want {
		return "", keyValue{}, validation(msgKeySchema)
	}
	hk, rk, err := t.keyOf(key, true)
	return hk.s, rk, err
}

// keyOf extracts and checks the primary key of an item (isKey false) or a Key parameter.
func (t *Table) keyOf(item Item, isKey bool) (keyValue, keyValue, error) {
	var hk, rk keyValue
	for i, a := range []keyAttr{t.schema.hash, t.schema.rng} {
		if a.name == "" {
			continue
		}
		v := item[a.name]
		if v == nil {
			if isKey {
				return hk, rk, validation(msgKeySchema)
			}
			return hk, rk, validation("One or more parameter values were invalid: Missing the key %s in the item", a.name)
		}
		kv, ok := keyValueOf(v, a.typ)
		if !ok {
			if isKey {
				return hk, rk, validation(msgKeySchema)
			}
			return hk, rk, validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", a.name, a.typ, typeOf(v))
		}
		size := len(kv.s)
		if a.typ == "B" {
			size = len(kv.b)
		}
		if size == 0 && a.typ != "N" {
			kind := "string"
			if a.typ == "B" {
				kind = "binary"
			}
			return hk, rk, validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", kind, a.name)
		}
		if i == 0 {
			if size > maxHashKeySize {
				// DynamoDB's own wording, without the space ("limit of2048 bytes").
				return hk, rk, validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of%d bytes", maxHashKeySize)
			}
			hk = kv
		} else {
			if size > maxRangeKeySize {
				return hk, rk, validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
			}
			rk = kv
		}
	}
	return hk, rk, nil
}

// validateItemForWrite checks an item about to be stored: its values, its key, its size and the
// types of the index key attributes it carries.
func (t *Table) validateItemForWrite(item Item) (string, keyValue, int, error) {
	if err := validateItem(item); err != nil {
		return "", keyValue{}, 0, err
	}
	return t.checkWrite(item, ItemSize(item))
}

// checkedItem is what the request decoder found out about an item while reading it: its size
// plus one when every value is valid as validateItem sees it, zero when it does not know.
type checkedItem int

// checkWrite is validateItemForWrite once the values are known to be valid and the size known.
func (t *Table) checkWrite(item Item, size int) (string, keyValue, int, error) {
	hk, rk, err := t.keyOf(item, false)
	if err != nil {
		return "", keyValue{}, 0, err
	}
	if size > MaxItemSize {
		return "", keyValue{}, 0, validation("Item size has exceeded the maximum allowed size")
	}
	for _, ix := range t.indexes().byName {
		for _, a := range []keyAttr{ix.schema.hash, ix.schema.rng} {
			if a.name == "" || t.schema.has(a.name) {
				continue
			}
			v, ok := item[a.name]
			if !ok {
				continue
			}
			kv, ok := keyValueOf(v, a.typ)
			if !ok {
				return "", keyValue{}, 0, validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", a.name, a.typ, typeOf(v), ix.name)
			}
			if a.typ != "N" && len(kv.s) == 0 {
				return "", keyValue{}, 0, validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: %s, IndexKey: %s", ix.name, a.name)
			}
		}
	}
	return hk.s, rk, size, nil
}

// lookup finds the stored entry of a key.
func (t *Table) lookup(hk string, rk keyValue) (*partition, int, *entry) {
	p := t.parts[hk]
	if p == nil {
		return nil, 0, nil
	}
	i, found := t.search(p, rk)
	if !found {
		return p, i, nil
	}
	return p, i, p.entries[i]
}

func (t *Table) search(p *partition, rk keyValue) (int, bool) {
	if t.schema.rng.name == "" {
		return 0, len(p.entries) == 1
	}
	typ := t.schema.rng.typ
	return slices.BinarySearchFunc(p.entries, rk, func(e *entry, k keyValue) int { return compareKey(typ, e.rk, k) })
}

// store replaces old (nil for a new item) with next (nil to delete) and keeps the indexes and
// counters right. Both have the same key.
func (t *Table) store(old, next *entry) {
	hk := ""
	var rk keyValue
	if old != nil {
		hk, rk = old.hk, old.rk
	} else {
		hk, rk = next.hk, next.rk
	}
	p, i, _ := t.lookup(hk, rk)
	switch {
	case old != nil && next != nil:
		p.entries[i] = next
	case next != nil:
		if p == nil {
			p = &partition{key: hk, hash: hashKey(t.schema.hash.typ, hk)}
			t.parts[hk] = p
			t.orderDirty = true
		}
		p.entries = slices.Insert(p.entries, i, next)
	case old != nil:
		p.entries = slices.Delete(p.entries, i, i+1)
		if len(p.entries) == 0 {
			delete(t.parts, hk)
			t.orderDirty = true
		}
	}
	if old != nil {
		t.items--
		t.bytes -= int64(old.size)
	}
	if next != nil {
		t.items++
		t.bytes += int64(next.size)
	}
	for _, ix := range t.indexes().byName {
		ix.replace(t, old, next)
	}
}

// indexKey returns an item's key in the index; ok is false when the item is not in it (a
// sparse index skips items without its key attributes).
func (ix *index) indexKey(item Item) (hk, rk keyValue, ok bool) {
	v := item[ix.schema.hash.name]
	if v == nil {
		return hk, rk, false
	}
	if hk, ok = keyValueOf(v, ix.schema.hash.typ); !ok {
		return hk, rk, false
	}
	if ix.schema.rng.name != "" {
		v := item[ix.schema.rng.name]
		if v == nil {
			return hk, rk, false
		}
		if rk, ok = keyValueOf(v, ix.schema.rng.typ); !ok {
			return hk, rk, false
		}
	}
	return hk, rk, true
}

// project returns the attributes of item the index holds.
func (ix *index) project(t *Table, item Item) Item {
	switch ix.proj.ProjectionType {
	case "", "ALL":
		return item
	}
	out := Item{}
	for _, a := range []string{t.schema.hash.name, t.schema.rng.name, ix.schema.hash.name, ix.schema.rng.name} {
		if v, ok := item[a]; ok && a != "" {
			out[a] = v
		}
	}
	for _, a := range ix.proj.NonKeyAttributes {
		if v, ok := item[a]; ok {
			out[a] = v
		}
	}
	return out
}

func (ix *index) projectedSize(t *Table, e *entry) int {
	switch ix.proj.ProjectionType {
	case "", "ALL":
		return e.size
	}
	return ItemSize(ix.project(t, e.item))
}

// compareEntries orders an index partition: by the index sort key, then, among entries with
// the same index key, by where their table key falls in DynamoDB's key space (the first bytes
// of the MD5 of "Outliers", the partition key's and the sort key's bytes), the order dynalite's
// suite recorded from DynamoDB for a global secondary index's equal keys ("should query on
// basic hash global index" and the tests after it); then by the table key itself.
func (ix *index) compareEntries(t *Table, a, b ientry) int {
	if ix.schema.rng.name != "" {
		if c := compareKey(ix.schema.rng.typ, a.rk, b.rk); c != 0 {
			return c
		}
	}
	if c := bytes.Compare(t.keySpacePlace(a.e), t.keySpacePlace(b.e)); c != 0 {
		return c
	}
	if c := strings.Compare(a.e.hk, b.e.hk); c != 0 {
		return c
	}
	return compareKey(t.schema.rng.typ, a.e.rk, b.e.rk)
}

// replace keeps the index in step with a table write.
func (ix *index) replace(t *Table, old, next *entry) {
	if old != nil {
		if hk, rk, ok := ix.indexKey(old.item); ok {
			size := ix.projectedSize(t, old)
			ix.items--
			ix.bytes -= int64(size)
			if ix.global {
				ix.remove(t, hk.s, ientry{e: old, rk: rk})
			}
		}
	}
	if next != nil {
		if hk, rk, ok := ix.indexKey(next.item); ok {
			size := ix.projectedSize(t, next)
			ix.items++
			ix.bytes += int64(size)
			if ix.global {
				ix.insert(t, hk.s, ientry{e: next, rk: rk, size: size})
			}
		}
	}
}

func (ix *index) insert(t *Table, hk string, ie ientry) {
	p := ix.parts[hk]
	if p == nil {
		p = &ipartition{key: hk, hash: hashKey(ix.schema.hash.typ, hk)}
		ix.parts[hk] = p
		ix.orderDirty = true
	}
	i, _ := slices.BinarySearchFunc(p.entries, ie, func(a, b ientry) int { return ix.compareEntries(t, a, b) })
	p.entries = slices.Insert(p.entries, i, ie)
}

func (ix *index) remove(t *Table, hk string, ie ientry) {
	p := ix.parts[hk]
	if p == nil {
		return
	}
	i, found := slices.BinarySearchFunc(p.entries, ie, func(a, b ientry) int { return ix.compareEntries(t, a, b) })
	if !found {
		return
	}
	p.entries = slices.Delete(p.entries, i, i+1)
	if len(p.entries) == 0 {
		delete(ix.parts, hk)
		ix.orderDirty = true
	}
}

// scanOrder returns the partitions in the order a Scan visits them: by a hash of the partition
// key, as DynamoDB spreads keys over partitions. It is rebuilt lazily after partitions come or go.
func (t *Table) scanOrder() []*partition {
	if t.orderDirty || t.order == nil {
		t.order = t.order[:0]
		for _, p := range t.parts {
			t.order = append(t.order, p)
		}
		slices.SortFunc(t.order, func(a, b *partition) int {
			return cmp.Or(cmp.Compare(a.hash, b.hash), strings.Compare(a.key, b.key))
		})
		t.orderDirty = false
	}
	return t.order
}

func (ix *index) scanOrder() []*ipartition {
	if ix.orderDirty || ix.order == nil {
		ix.order = ix.order[:0]
		for _, p := range ix.parts {
			ix.order = append(ix.order, p)
		}
		slices.SortFunc(ix.order, func(a, b *ipartition) int {
			return cmp.Or(cmp.Compare(a.hash, b.hash), strings.Compare(a.key, b.key))
		})
		ix.orderDirty = false
	}
	return ix.order
}

// searchOrder finds the first partition at or after (hash, key) in a scan order.
func searchOrder(n int, at func(int) (uint64, string), hash uint64, key string) int {
	return sort.Search(n, func(i int) bool {
		h, k := at(i)
		return h > hash || h == hash && k >= key
	})
}

// keyItem returns the primary key attributes of an item.
func (t *Table) keyItem(item Item) Item {
	k := Item{t.schema.hash.name: item[t.schema.hash.name]}
	if t.schema.rng.name != "" {
		k[t.schema.rng.name] = item[t.schema.rng.name]
	}
	return k
}

// Streams.
//
// A table with a stream enabled keeps a log of its changes, one record for each write that
// changed an item (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, and
// the writes a global table replicates), in the order they were applied: "DynamoDB Streams
// captures a time-ordered sequence of item-level modifications", and a write that changes
// nothing writes no record
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html). A stream has
// one shard, which stays open. Records are kept 24 hours on the emulator's clock, as on AWS, and
// a stream that reaches 2 × maxStreamRecords drops its oldest records down to maxStreamRecords,
// so a long load run does not keep every old item alive.

// maxStreamRecords is how many records a stream keeps after dropping its oldest.
const maxStreamRecords = 10_000

// streamRetention is how long a stream keeps a record.
const streamRetention = 24 * time.Hour

// streamRecord is one change: the item before and after (nil when absent).
type streamRecord struct {
	seq       uint64
	at        time.Time
	old, next Item
}

// streamLog is the records of one stream (one label) of a table.
type streamLog struct {
	label    string
	viewType string
	created  time.Time
	first    uint64 // the sequence number of records[0], or of the next record when empty
	records  []streamRecord
}

// next is the sequence number the next record gets.
func (l *streamLog) next() uint64 { return l.first + uint64(len(l.records)) }

// add appends a change, dropping what the retention no longer keeps. t.mu is held.
func (l *streamLog) add(now time.Time, old, next *entry) {
	r := streamRecord{seq: l.next(), at: now}
	if old != nil {
		r.old = old.item
	}
	if next != nil {
		r.next = next.item
	}
	if r.old != nil && r.next != nil && itemsEqual(r.old, r.next) {
		return
	}
	l.records = append(l.records, r)
	drop := 0
	for drop < len(l.records) && now.Sub(l.records[drop].at) > streamRetention {
		drop++
	}
	if len(l.records)-drop >= 2*maxStreamRecords {
		drop = len(l.records) - maxStreamRecords
	}
	if drop > 0 {
		l.records = l.records[drop:] // the next growth of the slice lets the dropped ones go
		l.first += uint64(drop)
	}
}

func itemsEqual(a, b Item) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !equalValue(v, w) {
			return false
		}
	}
	return true
}

// write stores a change an application made and records it in the table's stream. t.mu is held.
func (t *Table) write(old, next *entry) {
	t.store(old, next)
	if t.stream != nil && t.log != nil {
		t.log.add(t.clock(), old, next)
	}
}

// The DynamoDB Streams API (https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/Welcome.html).

// ListStreamsInput is ListStreams' request.
type ListStreamsInput struct {
	TableName               string `json:"TableName,omitempty"`
	Limit                   *int   `json:"Limit,omitempty"`
	ExclusiveStartStreamArn string `json:"ExclusiveStartStreamArn,omitempty"`
}

// StreamSummary is one stream in ListStreams' answer.
type StreamSummary struct {
	StreamArn   string `json:"StreamArn"`
	TableName   string `json:"TableName"`
	StreamLabel string `json:"StreamLabel"`
}

// ListStreamsOutput is ListStreams' answer.
type ListStreamsOutput struct {
	Streams                []StreamSummary `json:"Streams"`
	LastEvaluatedStreamArn string          `json:"LastEvaluatedStreamArn,omitempty"`
}

// DescribeStreamInput is DescribeStream's request.
type DescribeStreamInput struct {
	StreamArn             string `json:"StreamArn"`
	Limit                 *int   `json:"Limit,omitempty"`
	ExclusiveStartShardId string `json:"ExclusiveStartShardId,omitempty"`
}

// StreamDescription is DescribeStream's answer's StreamDescription.
type StreamDescription struct {
	StreamArn               string             `json:"StreamArn"`
	StreamLabel             string             `json:"StreamLabel"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamViewType          string             `json:"StreamViewType"`
	CreationRequestDateTime float64            `json:"CreationRequestDateTime"`
	TableName               string             `json:"TableName"`
	KeySchema               []KeySchemaElement `json:"KeySchema"`
	Shards                  []Shard            `json:"Shards"`
}

// Shard is a stream's shard.
type Shard struct {
	ShardId             string              `json:"ShardId"`
	SequenceNumberRange SequenceNumberRange `json:"SequenceNumberRange"`
}

// SequenceNumberRange is the range of a shard's sequence numbers; an open shard has no end.
type SequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
}

// GetShardIteratorInput is GetShardIterator's request.
type GetShardIteratorInput struct {
	StreamArn         string `json:"StreamArn"`
	ShardId           string `json:"ShardId"`
	ShardIteratorType string `json:"ShardIteratorType"`
	SequenceNumber    string `json:"SequenceNumber,omitempty"`
}

// GetRecordsInput is GetRecords' request.
type GetRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int   `json:"Limit,omitempty"`
}

// StreamRecord is one record of GetRecords' answer: the change and, as the stream's view type
// says, the key only, the new item, the old item or both.
type StreamRecord struct {
	EventID                     string
	EventName                   string // INSERT, MODIFY or REMOVE
	ApproximateCreationDateTime int64  // Unix seconds
	Keys, NewImage, OldImage    Item
	SequenceNumber              string
	SizeBytes                   int
	StreamViewType              string
}

// GetRecordsOutput is GetRecords' answer.
type GetRecordsOutput struct {
	Records           []StreamRecord
	NextShardIterator string
}

// errStreamNotFound is the Streams API's answer to a stream or shard that does not exist.
func errStreamNotFound(what string) *Error {
	return &Error{Code: CodeResourceNotFound, Message: "Requested resource not found: " + what + " not found"}
}

// streamOf finds the table and log of a stream ARN (<table ARN>/stream/<label>). t.mu is not held.
func (m *Model) streamOf(arn string) (*Table, *streamLog, error) {
	tableARN, label, ok := strings.Cut(arn, "/stream/")
	_, name, ok2 := strings.Cut(tableARN, ":table/")
	if !ok || !ok2 {
		return nil, nil, errStreamNotFound("Stream: " + arn)
	}
	t, found := m.Table(name)
	if !found || t.arn != tableARN {
		return nil, nil, errStreamNotFound("Stream: " + arn)
	}
	t.mu.Lock()
	l := t.log
	t.mu.Unlock()
	if l == nil || l.label != label {
		return nil, nil, errStreamNotFound("Stream: " + arn)
	}
	return t, l, nil
}

// shardID is the stream's one shard's ID, in DynamoDB's shape (shardId-<20 digits>-<8 hex>).
func (l *streamLog) shardID() string {
	return fmt.Sprintf("shardId-%020d-%08x", l.created.UnixMilli(), crc32.ChecksumIEEE([]byte(l.label)))
}

func sequenceNumber(n uint64) string { return fmt.Sprintf("%021d", n) }

// ListStreams lists the streams of every table, or of one table, in table name order.
func (m *Model) ListStreams(in *ListStreamsInput) (*ListStreamsOutput, error) {
	var c constraints
	c.atLeast("limit", in.Limit, 1)
	c.atMost("limit", in.Limit, 100)
	c.length("tableName", in.TableName, 3, 255)
	c.length("exclusiveStartStreamArn", in.ExclusiveStartStreamArn, 37, 1024)
	if err := c.err(); err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	var all []StreamSummary
	for _, t := range m.liveTables() {
		if in.TableName != "" && t.name != in.TableName {
			continue
		}
		t.mu.Lock()
		if t.log != nil {
			all = append(all, StreamSummary{StreamArn: t.arn + "/stream/" + t.log.label, TableName: t.name, StreamLabel: t.log.label})
		}
		t.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b StreamSummary) int { return strings.Compare(a.StreamArn, b.StreamArn) })
	start := 0
	if in.ExclusiveStartStreamArn != "" {
		start = sort.Search(len(all), func(i int) bool { return all[i].StreamArn > in.ExclusiveStartStreamArn })
	}
	out := &ListStreamsOutput{Streams: []StreamSummary{}}
	for i := start; i < len(all) && len(out.Streams) < limit; i++ {
		out.Streams = append(out.Streams, all[i])
	}
	if n := start + len(out.Streams); n < len(all) && len(out.Streams) > 0 {
		out.LastEvaluatedStreamArn = out.Streams[len(out.Streams)-1].StreamArn
	}
	return out, nil
}

// DescribeStream describes a stream: ENABLED while it is the table's stream, DISABLED once the
// table's stream was turned off.
func (m *Model) DescribeStream(in *DescribeStreamInput) (*StreamDescription, error) {
	var c constraints
	c.notNull("streamArn", in.StreamArn != "")
	c.length("streamArn", in.StreamArn, 37, 1024)
	c.atLeast("limit", in.Limit, 1)
	c.atMost("limit", in.Limit, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	t, l, err := m.streamOf(in.StreamArn)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	status := "DISABLED"
	if t.stream != nil && t.log == l {
		status = "ENABLED"
	}
	d := &StreamDescription{
		StreamArn: in.StreamArn, StreamLabel: l.label, StreamStatus: status, StreamViewType: l.viewType,
		CreationRequestDateTime: float64(l.created.UnixMilli()) / 1000, TableName: t.name,
		KeySchema: t.schema.elements(), Shards: []Shard{},
	}
	if in.ExclusiveStartShardId == "" {
		d.Shards = append(d.Shards, Shard{ShardId: l.shardID(), SequenceNumberRange: SequenceNumberRange{StartingSequenceNumber: sequenceNumber(l.first)}})
	}
	return d, nil
}

// GetShardIterator returns an iterator at a position of the shard: its oldest record
// (TRIM_HORIZON), after its newest (LATEST), at or after a sequence number.
func (m *Model) GetShardIterator(in *GetShardIteratorInput) (string, error) {
	var c constraints
	c.notNull("streamArn", in.StreamArn != "")
	c.length("streamArn", in.StreamArn, 37, 1024)
	c.notNull("shardId", in.ShardId != "")
	c.length("shardId", in.ShardId, 28, 65)
	c.notNull("shardIteratorType", in.ShardIteratorType != "")
	c.enum("shardIteratorType", in.ShardIteratorType, "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
	c.length("sequenceNumber", in.SequenceNumber, 21, 40)
	if err := c.err(); err != nil {
		return "", err
	}
	t, l, err := m.streamOf(in.StreamArn)
	if err != nil {
		return "", err
	}
	if in.ShardId != l.shardID() {
		return "", errStreamNotFound("Shard: " + in.ShardId + " in Stream: " + in.StreamArn)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var pos uint64
	switch in.ShardIteratorType {
	case "TRIM_HORIZON":
		pos = l.first
	case "LATEST":
		pos = l.next()
	default:
		if in.SequenceNumber == "" {
			return "", validation("Must provide a sequence number when the shard iterator type is %s", in.ShardIteratorType)
		}
		n, err := strconv.ParseUint(in.SequenceNumber, 10, 64)
		if err != nil || n >= l.next() {
			return "", validation("Invalid SequenceNumber for this shard: %s", in.SequenceNumber)
		}
		if n < l.first {
			return "", &Error{Code: CodeTrimmedDataAccess, Message: "Attempted to access data that has been trimmed: " + in.SequenceNumber}
		}
		pos = n
		if in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			pos++
		}
	}
	return encodeIterator(in.StreamArn, pos), nil
}

// An iterator is opaque to the client: here the base64 of the stream ARN and a position.
func encodeIterator(arn string, pos uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(arn + "|" + strconv.FormatUint(pos, 10)))
}

func decodeIterator(it string) (arn string, pos uint64, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(it)
	if err != nil {
		return "", 0, false
	}
	arn, p, found := strings.Cut(string(raw), "|")
	if !found {
		return "", 0, false
	}
	pos, err = strconv.ParseUint(p, 10, 64)
	return arn, pos, err == nil
}

// GetRecords returns up to Limit (1,000 by default) records from the iterator's position and the
// iterator after them; the shard is open, so there always is a next iterator.
func (m *Model) GetRecords(in *GetRecordsInput) (*GetRecordsOutput, error) {
	var c constraints
	c.notNull("shardIterator", in.ShardIterator != "")
	c.length("shardIterator", in.ShardIterator, 1, 2048)
	c.atLeast("limit", in.Limit, 1)
	c.atMost("limit", in.Limit, 1000)
	if err := c.err(); err != nil {
		return nil, err
	}
	arn, pos, ok := decodeIterator(in.ShardIterator)
	if !ok {
		return nil, validation("Invalid ShardIterator")
	}
	t, l, err := m.streamOf(arn)
	if err != nil {
		return nil, err
	}
	limit := 1000
	if in.Limit != nil {
		limit = *in.Limit
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if pos < l.first {
		return nil, &Error{Code: CodeTrimmedDataAccess, Message: "Attempted to access data that has been trimmed"}
	}
	out := &GetRecordsOutput{Records: []StreamRecord{}}
	i := int(pos - l.first)
	for ; i < len(l.records) && len(out.Records) < limit; i++ {
		out.Records = append(out.Records, t.recordOut(l, l.records[i]))
	}
	out.NextShardIterator = encodeIterator(arn, l.first+uint64(i))
	return out, nil
}

// recordOut is a record as GetRecords answers it, with what the view type shows.
func (t *Table) recordOut(l *streamLog, r streamRecord) StreamRecord {
	src, name := r.next, "MODIFY"
	switch {
	case r.old == nil:
		name = "INSERT"
	case r.next == nil:
		src, name = r.old, "REMOVE"
	}
	keys := Item{t.schema.hash.name: src[t.schema.hash.name]}
	if t.schema.rng.name != "" {
		keys[t.schema.rng.name] = src[t.schema.rng.name]
	}
	out := StreamRecord{
		EventID: fmt.Sprintf("%016x%016x", l.created.UnixNano(), r.seq), EventName: name,
		ApproximateCreationDateTime: r.at.Unix(), Keys: keys, SequenceNumber: sequenceNumber(r.seq),
		StreamViewType: l.viewType,
	}
	size := ItemSize(keys)
	if l.viewType == "NEW_IMAGE" || l.viewType == "NEW_AND_OLD_IMAGES" {
		out.NewImage = r.next
		size += ItemSize(r.next)
	}
	if l.viewType == "OLD_IMAGE" || l.viewType == "NEW_AND_OLD_IMAGES" {
		out.OldImage = r.old
		size += ItemSize(r.old)
	}
	out.SizeBytes = size
	return out
}
