package model

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// maxPageBytes is how much a Query or Scan reads before it stops and returns a page.
const maxPageBytes = 1 << 20

// QueryInput is Query's request.
type QueryInput struct {
	TableName                 string               `json:"TableName"`
	IndexName                 string               `json:"IndexName,omitempty"`
	KeyConditionExpression    string               `json:"KeyConditionExpression,omitempty"`
	FilterExpression          string               `json:"FilterExpression,omitempty"`
	ProjectionExpression      string               `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames  map[string]string    `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues Item                 `json:"ExpressionAttributeValues,omitempty"`
	Select                    string               `json:"Select,omitempty"`
	Limit                     *int                 `json:"Limit,omitempty"`
	ExclusiveStartKey         Item                 `json:"ExclusiveStartKey,omitempty"`
	ScanIndexForward          *bool                `json:"ScanIndexForward,omitempty"`
	ConsistentRead            bool                 `json:"ConsistentRead,omitempty"`
	ReturnConsumedCapacity    string               `json:"ReturnConsumedCapacity,omitempty"`
	AttributesToGet           []string             `json:"AttributesToGet,omitempty"`
	KeyConditions             map[string]Condition `json:"KeyConditions,omitempty"`
	QueryFilter               map[string]Condition `json:"QueryFilter,omitempty"`
	ConditionalOperator       string               `json:"ConditionalOperator,omitempty"`

	empty emptyExprs // expression members sent as ""
}

// PageOutput is the answer of Query and Scan. Items is nil for Select COUNT.
type PageOutput struct {
	Items            []Item
	Count            int
	ScannedCount     int
	LastEvaluatedKey Item
	CountOnly        bool
	Consumed         ConsumedCapacity
}

// candidate is an item a Query or Scan reads, with the size it is billed for.
type candidate struct {
	e    *entry
	size int
	hk   string // the partition key of the partition read (the index's for an index)
}

// readPlan is what a Query or Scan needs after choosing its candidates under the table lock.
type readPlan struct {
	t      *Table
	ix     *index
	sel    string
	filter *condition
	proj   *projection
	cands  []candidate
	more   bool
}

// msgSpecificNeedsProjection is DynamoDB's answer to Select SPECIFIC_ATTRIBUTES without the
// attributes to get: "SPECIFIC_ATTRIBUTES - Returns only the attributes listed in
// ProjectionExpression" (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html).
// Scan answers it as it is, Query within "1 validation error detected: ".
const msgSpecificNeedsProjection = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"

func (m *Model) prepareRead(t *Table, indexName, sel string, consistent bool, args exprArgs, filterExpr, projExpr string, attributesToGet []string) (*index, string, *condition, *projection, error) {
	var ix *index
	if indexName != "" {
		ix = t.indexes().byName[indexName]
		if ix == nil {
			return nil, "", nil, nil, validation("The table does not have the specified index: %s", indexName)
		}
		if ix.global && consistent {
			return nil, "", nil, nil, validation("Consistent reads are not supported on global secondary indexes")
		}
	}
	switch sel {
	case "":
		sel = "ALL_ATTRIBUTES"
		if ix != nil {
			sel = "ALL_PROJECTED_ATTRIBUTES"
		}
		if projExpr != "" || len(attributesToGet) > 0 {
			sel = "SPECIFIC_ATTRIBUTES"
		}
	case "ALL_ATTRIBUTES":
		if ix != nil && ix.global && ix.proj.ProjectionType != "" && ix.proj.ProjectionType != "ALL" {
			return nil, "", nil, nil, validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", ix.name)
		}
	case "ALL_PROJECTED_ATTRIBUTES":
		if ix == nil {
			return nil, "", nil, nil, validation("One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is supported only for index queries")
		}
	case "SPECIFIC_ATTRIBUTES", "COUNT":
	default:
		return nil, "", nil, nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	if (projExpr != "" || len(attributesToGet) > 0) && sel != "SPECIFIC_ATTRIBUTES" {
		return nil, "", nil, nil, validation("Cannot specify the AttributesToGet or ProjectionExpression when choosing to get %s", sel)
	}
	if sel == "SPECIFIC_ATTRIBUTES" && projExpr == "" && len(attributesToGet) == 0 {
		return nil, "", nil, nil, validation(msgSpecificNeedsProjection)
	}
	filter, err := compileCondition("FilterExpression", filterExpr, args)
	if err != nil {
		return nil, "", nil, nil, err
	}
	proj, err := compileProjection(projExpr, args.names, attributesToGet)
	if err != nil {
		return nil, "", nil, nil, err
	}
	return ix, sel, filter, proj, nil
}

func checkLimit(limit *int) (int, error) {
	if limit == nil {
		return 0, nil
	}
	if *limit < 1 {
		return 0, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
	}
	return *limit, nil
}

// Query reads items of one partition key value from a table or an index, in sort key order.
// The request is checked in DynamoDB's order: its own members first (an invalid request on a
// missing table is a ValidationException), then against the table.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
func (m *Model) Query(in *QueryInput) (*PageOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	terms, err := in.check()
	if err != nil {
		return nil, err
	}
	legacyFilter := in.QueryFilter != nil
	if err := in.translateLegacy(); err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	args := exprArgs{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	t, err := m.table(in.TableName)
	if err != nil {
		return nil, err
	}
	ks := t.schema
	var ix *index
	if in.IndexName != "" {
		if ix = t.indexes().byName[in.IndexName]; ix == nil {
			return nil, validation("The table does not have the specified index: %s", in.IndexName)
		}
		if ix.global && in.ConsistentRead {
			return nil, validation("Consistent reads are not supported on global secondary indexes")
		}
		ks = ix.schema
	}
	if err := t.checkStartKeyShape(in.ExclusiveStartKey, ix); err != nil {
		return nil, err
	}
	if err := checkKeyTerms(terms, ks, in.ExclusiveStartKey); err != nil {
		return nil, err
	}
	kc, err := keyCondOf(terms, ks)
	if err != nil {
		return nil, err
	}
	if in.ExclusiveStartKey != nil {
		tableKey := Item{}
		for _, k := range []string{t.schema.hash.name, t.schema.rng.name} {
			if v := in.ExclusiveStartKey[k]; v != nil {
				tableKey[k] = v
			}
		}
		if _, _, err := t.validateKey(tableKey); err != nil {
			return nil, validation("The provided starting key is invalid: %s", errorMessage(err))
		}
		rv, rangeCond := in.ExclusiveStartKey[ks.rng.name], false
		for _, tm := range terms {
			rangeCond = rangeCond || ks.rng.name != "" && tm.attr == ks.rng.name
		}
		hv, _ := keyValueOf(in.ExclusiveStartKey[ks.hash.name], ks.hash.typ)
		sameHash := compareKey(ks.hash.typ, hv, kc.hk) == 0
		if !rangeCond {
			if !sameHash {
				return nil, validation("The provided starting key is outside query boundaries based on provided conditions")
			}
		} else {
			k, _ := keyValueOf(rv, ks.rng.typ)
			if lo, hi := kc.bounds(ks.rng.typ, 1, func(int) keyValue { return k }); lo != 0 || hi != 1 {
				return nil, validation("The provided starting key does not match the range key predicate")
			}
			if !sameHash {
				return nil, validation("The query can return at most one row and cannot be restarted")
			}
		}
	}
	if err := t.checkKeyPaths(in.ProjectionExpression, args.names); err != nil {
		return nil, err
	}
	if legacyFilter {
		for _, k := range []string{ks.hash.name, ks.rng.name} {
			if _, ok := in.QueryFilter[k]; ok && k != "" {
				return nil, validation("QueryFilter can only contain non-primary key attributes: Primary key attribute: %s", k)
			}
		}
	} else if in.FilterExpression != "" {
		if err := filterKeyCheck(in.FilterExpression, args.names, ks); err != nil {
			return nil, err
		}
	}
	ix, sel, filter, proj, err := m.prepareRead(t, in.IndexName, in.Select, in.ConsistentRead, args, in.FilterExpression, in.ProjectionExpression, in.AttributesToGet)
	if e := (*Error)(nil); errors.As(err, &e) && e.Message == msgSpecificNeedsProjection {
		return nil, validation("1 validation error detected: " + msgSpecificNeedsProjection)
	}
	if err != nil {
		return nil, err
	}
	if err := t.checkKeyPaths(in.FilterExpression, args.names); err != nil {
		return nil, err
	}
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	var start *ientry
	if in.ExclusiveStartKey != nil {
		s, err := t.startKey(in.ExclusiveStartKey, ix)
		if err != nil {
			return nil, err
		}
		start = &s.ientry
	}

	t.mu.Lock()
	plan := &readPlan{t: t, ix: ix, sel: sel, filter: filter, proj: proj}
	t.queryCandidates(plan, ix, kc, start, forward, limit)
	bytes := 0
	for _, c := range plan.cands {
		bytes += c.size
	}
	units := readUnits(bytes, in.ConsistentRead)
	capy := t.cap
	if ix != nil && ix.global {
		capy = ix.cap
	}
	ch := []charge{{cap: capy, units: units, pk: kc.hk.s}}
	if th := check(m.now(), ch, m.opts.Throttle); th != nil {
		t.mu.Unlock()
		return nil, th.err()
	}
	consume(ch)
	t.mu.Unlock()
	out, err := plan.finish()
	if err != nil {
		return nil, err
	}
	out.Consumed = ConsumedCapacity{TableName: t.name}
	out.Consumed.add(units, false, ix)
	out.Consumed.indexRead(ix)
	return out, nil
}

// QueryPartitionKey returns the canonical partition key value a table Query reads, or "" when
// the key condition does not parse (Query will then report why).
func (m *Model) QueryPartitionKey(t *Table, in *QueryInput) string {
	if in.KeyConditionExpression == "" && in.KeyConditions != nil {
		if c, ok := in.KeyConditions[t.schema.hash.name]; ok && c.ComparisonOperator == "EQ" && len(c.AttributeValueList) == 1 {
			if hv, ok := keyValueOf(c.AttributeValueList[0], t.schema.hash.typ); ok {
				return hv.s
			}
		}
		return ""
	}
	kc, err := parseKeyCond(in.KeyConditionExpression, exprArgs{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}, t.schema)
	if err != nil {
		return ""
	}
	return kc.hk.s
}

// filterKeyCheck rejects a Query filter on a key attribute, as DynamoDB does.
func filterKeyCheck(expr string, names map[string]string, ks keySchema) error {
	for tok := range placeholders(expr) {
		if tok[0] == '#' {
			if n := names[tok]; ks.has(n) {
				return validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", n)
			}
		}
	}
	for _, word := range strings.FieldsFunc(expr, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '#' || r == ':')
	}) {
		if word[0] != '#' && word[0] != ':' && ks.has(word) {
			return validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", word)
		}
	}
	return nil
}

// start is a decoded ExclusiveStartKey: a position in a table or an index.
type start struct {
	ientry
	hk string // the partition key of the table or index partition it points into
}

func (t *Table) startKey(esk Item, ix *index) (start, error) {
	bad := validation("The provided starting key is invalid: The provided key element does not match the schema")
	if err := validateItem(esk); err != nil {
		return start{}, bad
	}
	hk, rk, err := t.keyOf(esk, true)
	if err != nil {
		return start{}, bad
	}
	s := start{ientry: ientry{e: &entry{item: esk, hk: hk.s, rk: rk}}, hk: hk.s}
	if ix == nil {
		if len(esk) != len(t.keyItem(esk)) {
			return start{}, bad
		}
		return s, nil
	}
	ihk, irk, ok := ix.indexKey(esk)
	if !ok {
		return start{}, bad
	}
	s.rk, s.hk = irk, ihk.s
	return s, nil
}

// queryCandidates picks, under the table lock, the items a Query reads: the key range, after
// the start key, up to the limit or a page of bytes.
func (t *Table) queryCandidates(plan *readPlan, ix *index, kc keyCond, st *ientry, forward bool, limit int) {
	switch {
	case ix == nil:
		p := t.parts[kc.hk.s]
		if p == nil {
			return
		}
		typ := t.schema.rng.typ
		lo, hi := kc.bounds(typ, len(p.entries), func(i int) keyValue { return p.entries[i].rk })
		if st != nil {
			pos := func(strict bool) int {
				return searchInts(len(p.entries), func(i int) bool {
					c := compareKey(typ, p.entries[i].rk, st.e.rk)
					return c > 0 || !strict && c >= 0
				})
			}
			if forward {
				lo = max(lo, pos(true))
			} else {
				hi = min(hi, pos(false))
			}
		}
		plan.collect(hi-lo, forward, limit, func(i int) candidate {
			e := p.entries[lo+i]
			return candidate{e: e, size: e.size, hk: kc.hk.s}
		})
	case ix.global:
		p := ix.parts[kc.hk.s]
		if p == nil {
			return
		}
		t.collectIndex(plan, ix, p.entries, kc, st, forward, limit)
	default:
		p := t.parts[kc.hk.s]
		if p == nil {
			return
		}
		var entries []ientry
		for _, e := range p.entries {
			if _, rk, ok := ix.indexKey(e.item); ok {
				entries = append(entries, ientry{e: e, rk: rk, size: ix.projectedSize(t, e)})
			}
		}
		slices.SortFunc(entries, func(a, b ientry) int { return ix.compareEntries(t, a, b) })
		t.collectIndex(plan, ix, entries, kc, st, forward, limit)
	}
}

func (t *Table) collectIndex(plan *readPlan, ix *index, entries []ientry, kc keyCond, st *ientry, forward bool, limit int) {
	lo, hi := 0, len(entries)
	if ix.schema.rng.name != "" {
		lo, hi = kc.bounds(ix.schema.rng.typ, len(entries), func(i int) keyValue { return entries[i].rk })
	}
	if st != nil {
		pos := func(strict bool) int {
			return searchInts(len(entries), func(i int) bool {
				c := ix.compareEntries(t, entries[i], *st)
				return c > 0 || !strict && c >= 0
			})
		}
		if forward {
			lo = max(lo, pos(true))
		} else {
			hi = min(hi, pos(false))
		}
	}
	plan.collect(hi-lo, forward, limit, func(i int) candidate {
		ie := entries[lo+i]
		return candidate{e: ie.e, size: ie.size, hk: kc.hk.s}
	})
}

// collect appends up to limit of n candidates (forward or backward), stopping after a page of
// bytes, and notes whether more remain.
func (p *readPlan) collect(n int, forward bool, limit int, at func(int) candidate) {
	if n <= 0 {
		return
	}
	bytes := 0
	for k := range n {
		i := k
		if !forward {
			i = n - 1 - k
		}
		c := at(i)
		p.cands = append(p.cands, c)
		bytes += c.size
		if limit > 0 && len(p.cands) >= limit {
			p.more = true // a page that stops at its Limit has a LastEvaluatedKey, even if it read the last item
			return
		}
		if bytes >= maxPageBytes {
			p.more = k < n-1
			return
		}
	}
}

// finish filters and projects the candidates, outside the table lock (stored items are never
// changed in place).
func (p *readPlan) finish() (*PageOutput, error) {
	out := &PageOutput{ScannedCount: len(p.cands), CountOnly: p.sel == "COUNT"}
	for _, c := range p.cands {
		item := c.e.item
		if p.ix != nil && p.sel != "ALL_ATTRIBUTES" {
			item = p.ix.project(p.t, item)
		}
		ok, err := p.filter.match(item)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		out.Count++
		if out.CountOnly {
			continue
		}
		if item, err = p.proj.apply(item); err != nil {
			return nil, err
		}
		out.Items = append(out.Items, item)
	}
	if !out.CountOnly && out.Items == nil {
		out.Items = []Item{}
	}
	if p.more && len(p.cands) > 0 {
		last := p.cands[len(p.cands)-1].e.item
		key := p.t.keyItem(last)
		if p.ix != nil {
			key[p.ix.schema.hash.name] = last[p.ix.schema.hash.name]
			if p.ix.schema.rng.name != "" {
				key[p.ix.schema.rng.name] = last[p.ix.schema.rng.name]
			}
		}
		out.LastEvaluatedKey = key
	}
	return out, nil
}

// ScanInput is Scan's request.
type ScanInput struct {
	TableName                 string               `json:"TableName"`
	IndexName                 string               `json:"IndexName,omitempty"`
	FilterExpression          string               `json:"FilterExpression,omitempty"`
	ProjectionExpression      string               `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames  map[string]string    `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues Item                 `json:"ExpressionAttributeValues,omitempty"`
	Select                    string               `json:"Select,omitempty"`
	Limit                     *int                 `json:"Limit,omitempty"`
	ExclusiveStartKey         Item                 `json:"ExclusiveStartKey,omitempty"`
	Segment                   *int                 `json:"Segment,omitempty"`
	TotalSegments             *int                 `json:"TotalSegments,omitempty"`
	ConsistentRead            bool                 `json:"ConsistentRead,omitempty"`
	ReturnConsumedCapacity    string               `json:"ReturnConsumedCapacity,omitempty"`
	AttributesToGet           []string             `json:"AttributesToGet,omitempty"`
	ScanFilter                map[string]Condition `json:"ScanFilter,omitempty"`
	ConditionalOperator       string               `json:"ConditionalOperator,omitempty"`

	empty emptyExprs // expression members sent as ""
}

// Scan reads a table or an index page by page in partition-hash order; with TotalSegments,
// only the partitions whose hash falls in the segment.
func (m *Model) Scan(in *ScanInput) (*PageOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := checkMixed([]param{{"ProjectionExpression", in.ProjectionExpression != "" || in.empty.has(emptyProjection)}, {"FilterExpression", in.FilterExpression != "" || in.empty.has(emptyFilter)}},
		[]param{{"AttributesToGet", in.AttributesToGet != nil}, {"ScanFilter", in.ScanFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues, "FilterExpression is null"); err != nil {
		return nil, err
	}
	if err := checkDuplicateNames(in.AttributesToGet); err != nil {
		return nil, err
	}
	if err := checkConditions(in.ScanFilter); err != nil {
		return nil, err
	}
	if err := checkStartKey(in.ExclusiveStartKey); err != nil {
		return nil, err
	}
	seg, total := 0, 1
	switch {
	case in.Segment == nil && in.TotalSegments == nil:
	case in.TotalSegments == nil:
		// "If you provide Segment, you must also provide TotalSegments" (API_Scan.html), Segment 0
		// too.
		return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.Segment == nil:
		return nil, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	default:
		seg, total = *in.Segment, *in.TotalSegments
		if seg >= total {
			return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", seg, total)
		}
	}
	args := exprArgs{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	filterExpr := labeled{label: "FilterExpression", expr: in.FilterExpression, empty: in.empty.has(emptyFilter)}
	filterExpr.compile = func() error {
		_, err := compileCondition(filterExpr.label, filterExpr.expr, args)
		return err
	}
	projExpr := labeled{label: "ProjectionExpression", expr: in.ProjectionExpression, empty: in.empty.has(emptyProjection)}
	projExpr.compile = func() error {
		_, err := compileProjection(in.ProjectionExpression, args.names, nil)
		return err
	}
	if err := checkArgs(args, filterExpr, projExpr); err != nil {
		return nil, err
	}
	var err error
	if in.ScanFilter != nil {
		l := newLegacy(nil, nil)
		if in.FilterExpression, err = l.conditions(in.ScanFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
		a := l.args()
		in.ExpressionAttributeNames, in.ExpressionAttributeValues = a.names, a.values
		args = a
	}
	limit, err := checkLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	t, err := m.table(in.TableName)
	if err != nil {
		return nil, err
	}
	var st *start
	if in.ExclusiveStartKey != nil {
		if err := t.checkScanStartKey(in.ExclusiveStartKey, in.IndexName, in.ConsistentRead); err != nil {
			return nil, err
		}
	}
	ix, sel, filter, proj, err := m.prepareRead(t, in.IndexName, in.Select, in.ConsistentRead, args, in.FilterExpression, in.ProjectionExpression, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	if in.ExclusiveStartKey != nil {
		s, err := t.startKey(in.ExclusiveStartKey, ix)
		if err != nil {
			return nil, err
		}
		st = &s
	}
	keyTyp := t.schema.hash.typ
	if ix != nil {
		keyTyp = ix.schema.hash.typ
	}
	inSegment := func(h uint64) bool { return inScanSegment(h, seg, total) }
	// "The value of LastEvaluatedKey returned from a parallel Scan request must be used as
	// ExclusiveStartKey with the same segment ID" (API_Scan.html).
	if st != nil && !inSegment(hashKey(keyTyp, st.hk)) {
		return nil, validation("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: %d Segment: %d", total, seg)
	}
	for _, e := range []string{in.ProjectionExpression, in.FilterExpression} {
		if err := t.checkKeyPaths(e, args.names); err != nil {
			return nil, err
		}
	}

	t.mu.Lock()
	plan := &readPlan{t: t, ix: ix, sel: sel, filter: filter, proj: proj}
	bytes, perKey := 0, map[string]int{}
	add := func(c candidate) bool {
		plan.cands = append(plan.cands, c)
		bytes += c.size
		perKey[c.hk] += c.size
		return limit > 0 && len(plan.cands) >= limit || bytes >= maxPageBytes
	}
	full := false
	switch {
	case ix == nil || !ix.global:
		order := t.scanOrder()
		i := 0
		if st != nil {
			h := hashKey(t.schema.hash.typ, st.e.hk)
			i = searchOrder(len(order), func(i int) (uint64, string) { return order[i].hash, order[i].key }, h, st.e.hk)
		}
	parts:
		for ; i < len(order); i++ {
			p := order[i]
			if !inSegment(p.hash) {
				continue
			}
			entries := p.entries
			if ix != nil {
				entries = nil
				for _, e := range p.entries {
					if _, _, ok := ix.indexKey(e.item); ok {
						entries = append(entries, e)
					}
				}
			}
			for _, e := range entries {
				if st != nil && p.key == st.e.hk && compareKey(t.schema.rng.typ, e.rk, st.e.rk) <= 0 {
					continue
				}
				if full {
					plan.more = true
					break parts
				}
				size := e.size
				if ix != nil {
					size = ix.projectedSize(t, e)
				}
				full = add(candidate{e: e, size: size, hk: p.key})
			}
		}
	default:
		order := ix.scanOrder()
		i := 0
		if st != nil {
			i = searchOrder(len(order), func(i int) (uint64, string) { return order[i].hash, order[i].key }, hashKey(keyTyp, st.hk), st.hk)
		}
	iparts:
		for ; i < len(order); i++ {
			p := order[i]
			if !inSegment(p.hash) {
				continue
			}
			for _, ie := range p.entries {
				if st != nil && p.key == st.hk && ix.compareEntries(t, ie, st.ientry) <= 0 {
					continue
				}
				if full {
					plan.more = true
					break iparts
				}
				full = add(candidate{e: ie.e, size: ie.size, hk: p.key})
			}
		}
	}
	if limit > 0 && len(plan.cands) >= limit {
		plan.more = true // as a Query's does, a Scan's page that stops at its Limit has a LastEvaluatedKey
	}
	units := readUnits(bytes, in.ConsistentRead)
	capy := t.cap
	if ix != nil && ix.global {
		capy = ix.cap
	}
	ch := charge{cap: capy, units: units, perKey: map[string]float64{}}
	for pk, b := range perKey {
		ch.perKey[pk] = units * float64(b) / float64(max(bytes, 1))
	}
	if len(perKey) == 0 {
		ch.perKey = nil
	}
	chs := []charge{ch}
	if th := check(m.now(), chs, m.opts.Throttle); th != nil {
		t.mu.Unlock()
		return nil, th.err()
	}
	consume(chs)
	t.mu.Unlock()
	out, err := plan.finish()
	if err != nil {
		return nil, err
	}
	out.Consumed = ConsumedCapacity{TableName: t.name}
	out.Consumed.add(units, false, ix)
	out.Consumed.indexRead(ix)
	return out, nil
}

// checkStartKey checks an ExclusiveStartKey's values as DynamoDB does before it looks at the
// table: "The provided starting key is invalid: " and the value's fault, except for the faults
// of numbers and set duplicates, reported bare.
func checkStartKey(esk Item) error {
	for _, k := range slices.Sorted(maps.Keys(esk)) {
		if err := validateValue(esk[k], 0); err != nil {
			msg := errorMessage(err)
			for _, bare := range []string{"contains duplicates", "number set", "numeric value", "significant digits", "number with magnitude"} {
				if strings.Contains(msg, bare) {
					return err
				}
			}
			return validation("The provided starting key is invalid: %s", msg)
		}
	}
	return nil
}

// checkStartKeyShape refuses an ExclusiveStartKey that does not hold exactly the table's key
// attributes and, for an index, the index's.
func (t *Table) checkStartKeyShape(esk Item, ix *index) error {
	if esk == nil {
		return nil
	}
	names := map[string]bool{t.schema.hash.name: true}
	for _, ks := range []keySchema{t.schema, {}} {
		if ix != nil && ks.hash.name == "" {
			ks = ix.schema
		}
		for _, k := range []string{ks.hash.name, ks.rng.name} {
			if k != "" {
				names[k] = true
			}
		}
	}
	if len(esk) != len(names) {
		return validation("The provided starting key is invalid")
	}
	return nil
}

// check checks what of a Query needs no table, in DynamoDB's order, and returns the key
// conditions (from KeyConditionExpression or KeyConditions).
func (in *QueryInput) check() ([]kcTerm, error) {
	keyExpr := labeled{label: "KeyConditionExpression", expr: in.KeyConditionExpression, empty: in.empty.has(emptyKeyCondition)}
	if err := in.checkMixed(); err != nil {
		return nil, err
	}
	if err := checkConditions(in.QueryFilter); err != nil {
		return nil, err
	}
	if err := checkDuplicateNames(in.AttributesToGet); err != nil {
		return nil, err
	}
	if err := checkStartKey(in.ExclusiveStartKey); err != nil {
		return nil, err
	}
	if in.KeyConditions == nil && !keyExpr.present() {
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	args := exprArgs{names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues}
	var terms []kcTerm
	// checkArgs checks the expression's grammar; keyCondTerms then reads its tree (minidyn does
	// not parse all of DynamoDB's key conditions, BETWEEN with size() for one).
	keyExpr.compile = func() error { return nil }
	filter := labeled{label: "FilterExpression", expr: in.FilterExpression, empty: in.empty.has(emptyFilter)}
	filter.compile = func() error {
		_, err := compileCondition(filter.label, filter.expr, args)
		return err
	}
	projExpr := labeled{label: "ProjectionExpression", expr: in.ProjectionExpression, empty: in.empty.has(emptyProjection)}
	projExpr.compile = func() error {
		_, err := compileProjection(in.ProjectionExpression, args.names, nil)
		return err
	}
	if err := checkArgs(args, keyExpr, filter, projExpr); err != nil {
		return nil, err
	}
	if keyExpr.present() {
		var err error
		if terms, err = keyCondTerms(keyExpr.expr, args); err != nil {
			return nil, err
		}
	} else {
		if err := checkConditions(in.KeyConditions); err != nil {
			return nil, err
		}
		for _, attr := range slices.Sorted(maps.Keys(in.KeyConditions)) {
			c := in.KeyConditions[attr]
			terms = append(terms, kcTerm{attr: attr, op: c.ComparisonOperator, vals: c.AttributeValueList})
		}
	}
	if len(terms) != 1 && len(terms) != 2 {
		return nil, validation("Conditions can be of length 1 or 2 only")
	}
	return terms, nil
}

// nestedHeadRE finds the first name of a nested document path (a.b, a[0], #n.b): a name not
// itself after '.' or ']', followed by '.' or '['.
var nestedHeadRE = regexp.MustCompile(`(?:^|[^.\]\w#:])(#?\w+)\s*[.\[]`)

// checkKeyPaths refuses a nested path into a key attribute of the table ("Key") or of one of
// its indexes ("IndexKey"): key attributes are scalars.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html#HowItWorks.CoreComponents.PrimaryKey
func (t *Table) checkKeyPaths(expr string, names map[string]string) error {
	heads := map[string]bool{}
	for _, m := range nestedHeadRE.FindAllStringSubmatch(expr, -1) {
		h := m[1]
		if h[0] == '#' {
			h = names[h]
		}
		heads[h] = true
	}
	if len(heads) == 0 {
		return nil
	}
	const msg = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: %s: %s"
	for _, k := range []string{t.schema.hash.name, t.schema.rng.name} {
		if k != "" && heads[k] {
			return validation(msg, "Key", k)
		}
	}
	ixs := t.indexes()
	for _, ix := range append(slices.Clone(ixs.lsis), ixs.gsis...) {
		for _, k := range []string{ix.schema.hash.name, ix.schema.rng.name} {
			if k != "" && heads[k] {
				return validation(msg, "IndexKey", k)
			}
		}
	}
	return nil
}

// checkScanStartKey checks a Scan's ExclusiveStartKey against the table and the index, in
// DynamoDB's order, before the Select and the expressions are checked against them.
func (t *Table) checkScanStartKey(esk Item, indexName string, consistent bool) error {
	var ix *index
	if indexName != "" {
		if ix = t.indexes().byName[indexName]; ix == nil {
			return validation("The table does not have the specified index: %s", indexName)
		}
		if ix.global && consistent {
			return validation("Consistent reads are not supported on global secondary indexes")
		}
	}
	if err := t.checkStartKeyShape(esk, ix); err != nil {
		if ix == nil {
			return validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
		return err
	}
	if ix != nil {
		for _, k := range []keyAttr{ix.schema.hash, ix.schema.rng} {
			switch v := esk[k.name]; {
			case k.name == "":
			case v == nil:
				return validation("The provided starting key is invalid")
			case typeOf(v) != k.typ:
				return validation("The provided key element does not match the schema")
			}
		}
	}
	return nil
}

// checkMixed refuses expression and non-expression parameters together. KeyConditions may come
// with a FilterExpression or ProjectionExpression (DynamoDB allows that one mix).
func (in *QueryInput) checkMixed() error {
	legacyKeys := in.KeyConditions != nil && in.KeyConditionExpression == "" && !in.empty.has(emptyKeyCondition)
	return checkMixed(
		[]param{{"ProjectionExpression", in.ProjectionExpression != "" || in.empty.has(emptyProjection)}, {"FilterExpression", in.FilterExpression != "" || in.empty.has(emptyFilter)},
			{"KeyConditionExpression", in.KeyConditionExpression != "" || in.empty.has(emptyKeyCondition)}},
		[]param{{"AttributesToGet", in.AttributesToGet != nil}, {"QueryFilter", in.QueryFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}, {"KeyConditions", in.KeyConditions != nil && !legacyKeys}},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues, "FilterExpression and KeyConditionExpression are null")
}

// translateLegacy translates QueryFilter into FilterExpression (the key conditions are read by
// check).
func (in *QueryInput) translateLegacy() error {
	if in.QueryFilter == nil {
		return nil
	}
	l := newLegacy(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	f, err := l.conditions(in.QueryFilter, in.ConditionalOperator)
	if err != nil {
		return err
	}
	in.FilterExpression = f
	a := l.args()
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = a.names, a.values
	return nil
}
