package model

import (
	"crypto/sha256"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// Options configure a Model.
type Options struct {
	Region, AccountID string
	// Now is the clock of the token buckets; time.Now when nil.
	Now func() time.Time
	// Throttle, when set, is asked about every partition key a request touches (table name and
	// canonical partition key value); true makes the request fail with the table's throttling
	// error, exactly as if its capacity were exhausted. It is how throttle faults take effect.
	Throttle func(table, partitionKey string) bool
}

// Model is the DynamoDB state of one emulated account and region: its tables. It is safe for
// concurrent use. Each table has its own lock, so requests to different tables run in parallel;
// the table list is copy-on-write, so finding a table takes no lock.
type Model struct {
	opts   Options
	mu     sync.Mutex // serialises control-plane changes
	tables atomic.Pointer[map[string]*Table]

	tokensMu sync.Mutex
	tokens   map[string]idempotency // TransactWriteItems ClientRequestToken
	// tokenQueue is the tokens in the order they were remembered, for expiry.
	tokenQueue []tokenAt
}

type idempotency struct {
	digest string
	at     time.Time
}

type tokenAt struct {
	token string
	at    time.Time
}

// New returns an empty model.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Model{opts: opts, tokens: map[string]idempotency{}}
	m.tables.Store(&map[string]*Table{})
	return m
}

func (m *Model) now() time.Time { return m.opts.Now() }

// Table returns the named table (a table being deleted until its deletion completes).
func (m *Model) Table(name string) (*Table, bool) {
	t, ok := (*m.tables.Load())[name]
	if ok && t.gone() {
		return nil, false
	}
	return t, ok
}

// liveTables are the tables that exist: every table but those whose deletion has completed.
func (m *Model) liveTables() []*Table {
	all := *m.tables.Load()
	out := make([]*Table, 0, len(all))
	for _, t := range all {
		if !t.gone() {
			out = append(out, t)
		}
	}
	return out
}

// purgeGone forgets tables whose deletion has completed; m.mu is held.
func (m *Model) purgeGone() {
	for _, t := range *m.tables.Load() {
		if t.gone() {
			m.setTables(func(tables map[string]*Table) {
				for name, t := range tables {
					if t.gone() {
						delete(tables, name)
					}
				}
			})
			return
		}
	}
}

func (m *Model) table(name string) (*Table, error) {
	if err := validateTableName(name); err != nil {
		return nil, err
	}
	t, ok := m.Table(name)
	if !ok || t.creating() {
		// Reads and writes work on ACTIVE tables only: a CREATING table is not found yet
		// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html).
		return nil, notFound()
	}
	return t, nil
}

func (m *Model) setTables(f func(map[string]*Table)) {
	next := maps.Clone(*m.tables.Load())
	f(next)
	m.tables.Store(&next)
}

// CreateTable creates a table, active at once.
func (m *Model) CreateTable(in *CreateTableInput) (*TableDescription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := in.validate(); err != nil {
		return nil, err
	}
	m.purgeGone()
	if _, exists := m.Table(in.TableName); exists {
		return nil, &Error{Code: CodeResourceInUse, Message: "Table already exists: " + in.TableName}
	}
	t, err := m.newTable(in)
	if err != nil {
		return nil, err
	}
	if in.Transition > 0 {
		t.activeAt = t.created.Add(in.Transition)
	}
	m.setTables(func(tables map[string]*Table) { tables[t.name] = t })
	d := t.describe()
	return &d, nil
}

func (m *Model) newTable(in *CreateTableInput) (*Table, error) {
	defs, err := attributeTypes(in.AttributeDefinitions)
	if err != nil {
		return nil, err
	}
	ks, err := parseKeySchema(in.KeySchema, defs, "")
	if err != nil {
		return nil, err
	}
	now := m.now()
	t := &Table{
		name:               in.TableName,
		arn:                arn.ARN{Partition: "aws", Service: "dynamodb", Region: m.opts.Region, AccountID: m.opts.AccountID, Resource: "table/" + in.TableName}.String(),
		id:                 tableID(m.opts.AccountID, m.opts.Region, in.TableName, now),
		created:            now,
		clock:              m.now,
		schema:             ks,
		defs:               slices.Clone(in.AttributeDefinitions),
		tags:               slices.Clone(in.Tags),
		sse:                in.SSESpecification,
		tableClass:         in.TableClass,
		deletionProtection: in.DeletionProtectionEnabled,
		ttl:                in.TimeToLive,
		parts:              map[string]*partition{},
	}
	t.ixs.Store(&indexSet{byName: map[string]*index{}})
	if err := t.setBilling(in.BillingMode, in.ProvisionedThroughput, in.OnDemandThroughput, in.WarmThroughput, now); err != nil {
		return nil, err
	}
	if in.GlobalSecondaryIndexes != nil && len(in.GlobalSecondaryIndexes) == 0 {
		return nil, validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
	}
	if len(in.GlobalSecondaryIndexes) > 20 {
		return nil, &Error{Code: CodeLimitExceeded, Message: "One or more parameter values were invalid: Number of GlobalSecondaryIndexes exceeds per-table limit of 20"}
	}
	for _, g := range in.GlobalSecondaryIndexes {
		if _, err := t.addGSI(g, defs, now); err != nil {
			return nil, err
		}
	}
	if len(in.LocalSecondaryIndexes) > 5 {
		return nil, &Error{Code: CodeLimitExceeded, Message: "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5"}
	}
	for _, l := range in.LocalSecondaryIndexes {
		if err := t.addLSI(l, defs); err != nil {
			return nil, err
		}
	}
	used := map[string]bool{ks.hash.name: true, ks.rng.name: true}
	for _, ix := range t.indexes().byName {
		used[ix.schema.hash.name], used[ix.schema.rng.name] = true, true
	}
	for name := range defs {
		if !used[name] {
			var keys []string
			for k := range used {
				if k != "" {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			return nil, validation("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]", definedNames(defs), joinComma(keys))
		}
	}
	if in.StreamSpecification != nil && in.StreamSpecification.StreamEnabled {
		if err := t.setStream(in.StreamSpecification, now); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

func tableID(account, region, name string, at time.Time) string {
	sum := sha256.Sum256([]byte(account + region + name + at.String()))
	return uuid.Format([16]byte(sum[:16])) // a version 4 (random) UUID, as DynamoDB's TableIds are
}

func (t *Table) setBilling(mode string, prov *ProvisionedThroughput, od *OnDemandThroughput, warm *WarmThroughput, now time.Time) error {
	if mode == "" {
		mode = Provisioned
	}
	switch mode {
	case Provisioned:
		if prov == nil {
			return validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if prov.ReadCapacityUnits < 1 || prov.WriteCapacityUnits < 1 {
			return validation("One or more parameter values were invalid: Each of ReadCapacityUnits and WriteCapacityUnits must be at least 1")
		}
	case PayPerRequest:
		if prov != nil && (prov.ReadCapacityUnits != 0 || prov.WriteCapacityUnits != 0) {
			return validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
		prov = nil
	default:
		return validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
	}
	if t.billing != mode {
		t.billingUpdated = now
	}
	t.billing, t.prov, t.onDemand, t.warm = mode, prov, od, warm
	if t.cap == nil {
		t.cap = newCapacity(t.name, t.arn, false)
	}
	t.cap.configure(mode, prov, od, warm, now)
	for _, ix := range t.indexes().gsis {
		if mode == Provisioned && ix.prov == nil {
			return validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", ix.name)
		}
		if mode == PayPerRequest {
			ix.prov = nil
		}
		ix.cap.configure(mode, ix.prov, ix.onDemand, ix.warm, now)
	}
	return nil
}

func (t *Table) addGSI(g GlobalSecondaryIndex, defs map[string]string, now time.Time) (*index, error) {
	if g.IndexName == "" {
		return nil, validation("One or more parameter values were invalid: IndexName must be specified")
	}
	if _, dup := t.indexes().byName[g.IndexName]; dup {
		return nil, validation("One or more parameter values were invalid: Duplicate index name: %s", g.IndexName)
	}
	ks, err := parseKeySchema(g.KeySchema, defs, "")
	if err != nil {
		return nil, err
	}
	if err := validProjection(g.Projection, ""); err != nil {
		return nil, err
	}
	prov := g.ProvisionedThroughput
	if t.billing == Provisioned && prov == nil {
		return nil, validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", g.IndexName)
	}
	if t.billing == PayPerRequest && prov != nil && (prov.ReadCapacityUnits != 0 || prov.WriteCapacityUnits != 0) {
		return nil, validation("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", g.IndexName)
	}
	if t.billing == PayPerRequest {
		prov = nil
	}
	arn := t.arn + "/index/" + g.IndexName
	ix := &index{
		name: g.IndexName, global: true, schema: ks, proj: g.Projection, arn: arn,
		prov: prov, onDemand: g.OnDemandThroughput, warm: g.WarmThroughput,
		parts: map[string]*ipartition{}, cap: newCapacity(t.name, arn, true),
	}
	ix.cap.configure(t.billing, prov, g.OnDemandThroughput, g.WarmThroughput, now)
	// Backfill from existing items (instant here; AWS backfills in the background).
	for _, p := range t.parts {
		for _, e := range p.entries {
			ix.replace(t, nil, e)
		}
	}
	t.withIndex(ix, false)
	return ix, nil
}

func (t *Table) addLSI(l LocalSecondaryIndex, defs map[string]string) error {
	if _, dup := t.indexes().byName[l.IndexName]; dup || l.IndexName == "" {
		return validation("One or more parameter values were invalid: Duplicate index name: %s", l.IndexName)
	}
	if t.schema.rng.name == "" {
		return validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
	}
	ks, err := parseKeySchema(l.KeySchema, defs, "")
	if err != nil {
		return err
	}
	if ks.rng.name == "" {
		return validation("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", l.IndexName)
	}
	if ks.hash.name != t.schema.hash.name {
		return validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", l.IndexName, ks.hash.name, t.schema.hash.name)
	}
	if err := validProjection(l.Projection, ""); err != nil {
		return err
	}
	ix := &index{name: l.IndexName, schema: ks, proj: l.Projection, arn: t.arn + "/index/" + l.IndexName}
	t.withIndex(ix, false)
	return nil
}

func (t *Table) setStream(s *StreamSpecification, now time.Time) error {
	if !s.StreamEnabled {
		t.stream = nil
		return nil
	}
	switch s.StreamViewType {
	case "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES":
	default:
		return validation("1 validation error detected: Value '%s' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]", s.StreamViewType)
	}
	spec := *s
	t.stream = &spec
	t.streamLabel = now.UTC().Format("2006-01-02T15:04:05.000")
	t.log = &streamLog{label: t.streamLabel, viewType: s.StreamViewType, created: now, first: 1}
	return nil
}

// DeleteTable deletes a table and its items.
func (m *Model) DeleteTable(name string, transition time.Duration) (*TableDescription, error) {
	if err := validateTableName(name); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purgeGone()
	t, ok := m.Table(name)
	if !ok {
		return nil, tableNotFound(name)
	}
	t.mu.Lock()
	protected := t.deletionProtection
	d := t.describeLocked()
	t.mu.Unlock()
	if d.TableStatus == StatusDeleting {
		return &d, nil // already being deleted: no error, as DynamoDB answers
	}
	if err := inUse(name, d.TableStatus); err != nil {
		return nil, err
	}
	if protected {
		return nil, validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	d.TableStatus = StatusDeleting
	if transition <= 0 {
		m.setTables(func(tables map[string]*Table) { delete(tables, name) })
		return &d, nil
	}
	t.deletingUntil.Store(m.now().Add(transition).UnixNano())
	return &d, nil
}

// DescribeTable describes a table.
func (m *Model) DescribeTable(name string) (*TableDescription, error) {
	if err := validateTableName(name); err != nil {
		return nil, err
	}
	t, ok := m.Table(name)
	if !ok {
		return nil, tableNotFound(name)
	}
	d := t.describe()
	return &d, nil
}

// ListTablesInput is ListTables' request.
type ListTablesInput struct {
	ExclusiveStartTableName *string `json:"ExclusiveStartTableName,omitempty"`
	Limit                   *int    `json:"Limit,omitempty"`
}

// ListTablesOutput is ListTables' answer.
type ListTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

// ListTables lists table names in order, a page at a time (at most 100).
func (m *Model) ListTables(in *ListTablesInput) (*ListTablesOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	var names []string
	for _, t := range m.liveTables() {
		names = append(names, t.name)
	}
	slices.Sort(names)
	start := 0
	if in.ExclusiveStartTableName != nil {
		start = sort.SearchStrings(names, *in.ExclusiveStartTableName)
		if start < len(names) && names[start] == *in.ExclusiveStartTableName {
			start++
		}
	}
	out := &ListTablesOutput{TableNames: []string{}}
	end := min(len(names), start+limit)
	out.TableNames = append(out.TableNames, names[start:end]...)
	if end < len(names) {
		out.LastEvaluatedTableName = names[end-1]
	}
	return out, nil
}

// UpdateTableInput is UpdateTable's request.
type UpdateTableInput struct {
	TableName                   string                       `json:"TableName"`
	AttributeDefinitions        []AttributeDefinition        `json:"AttributeDefinitions,omitempty"`
	BillingMode                 string                       `json:"BillingMode,omitempty"`
	ProvisionedThroughput       *ProvisionedThroughput       `json:"ProvisionedThroughput,omitempty"`
	OnDemandThroughput          *OnDemandThroughput          `json:"OnDemandThroughput,omitempty"`
	WarmThroughput              *WarmThroughput              `json:"WarmThroughput,omitempty"`
	GlobalSecondaryIndexUpdates []GlobalSecondaryIndexUpdate `json:"GlobalSecondaryIndexUpdates,omitempty"`
	StreamSpecification         *StreamSpecification         `json:"StreamSpecification,omitempty"`
	SSESpecification            *SSESpecification            `json:"SSESpecification,omitempty"`
	TableClass                  string                       `json:"TableClass,omitempty"`
	DeletionProtectionEnabled   *bool                        `json:"DeletionProtectionEnabled,omitempty"`
	// Transition is how long the table stays UPDATING (set by the API layer).
	Transition time.Duration `json:"-"`
	nulls      nulls         // members sent null (findNulls)
}

// inUse refuses to change a table that is being created or updated, as DynamoDB refuses it
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html#API_UpdateTable_Errors).
func inUse(name, status string) error {
	switch status {
	case StatusCreating:
		return &Error{Code: CodeResourceInUse, Message: "Attempt to change a resource which is still in use: Table is being created: " + name}
	case StatusUpdating:
		return &Error{Code: CodeResourceInUse, Message: "Attempt to change a resource which is still in use: Table is being updated: " + name}
	}
	return nil
}

// GlobalSecondaryIndexUpdate creates, updates or deletes a GSI.
type GlobalSecondaryIndexUpdate struct {
	Create *GlobalSecondaryIndex             `json:"Create,omitempty"`
	Update *UpdateGlobalSecondaryIndexAction `json:"Update,omitempty"`
	Delete *DeleteGlobalSecondaryIndexAction `json:"Delete,omitempty"`
}

// UpdateGlobalSecondaryIndexAction changes a GSI's throughput settings.
type UpdateGlobalSecondaryIndexAction struct {
	IndexName             string                 `json:"IndexName"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
	OnDemandThroughput    *OnDemandThroughput    `json:"OnDemandThroughput,omitempty"`
	WarmThroughput        *WarmThroughput        `json:"WarmThroughput,omitempty"`
}

// DeleteGlobalSecondaryIndexAction deletes a GSI.
type DeleteGlobalSecondaryIndexAction struct {
	IndexName string `json:"IndexName"`
}

// UpdateTable changes a table's billing, throughput, indexes, stream or settings; the changes
// apply at once.
func (m *Model) UpdateTable(in *UpdateTableInput) (*TableDescription, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.Table(in.TableName)
	if !ok {
		return nil, tableNotFound(in.TableName)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := inUse(t.name, t.statusLocked()); err != nil {
		return nil, err
	}
	// "You can create or delete only one global secondary index per UpdateTable operation"
	// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html).
	online := 0
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u.Create != nil || u.Delete != nil {
			online++
		}
	}
	if online > 1 {
		return nil, &Error{Code: CodeLimitExceeded, Message: "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"}
	}
	if p := in.ProvisionedThroughput; p != nil && t.prov != nil && *p == *t.prov && in.onlyThroughput() {
		// A throughput change that changes nothing is refused.
		return nil, validation("The provisioned throughput for the table will not change. The requested value equals the current value. "+
			"Current ReadCapacityUnits provisioned for the table: %d. Requested ReadCapacityUnits: %d. "+
			"Current WriteCapacityUnits provisioned for the table: %d. Requested WriteCapacityUnits: %d. "+
			"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
			t.prov.ReadCapacityUnits, p.ReadCapacityUnits, t.prov.WriteCapacityUnits, p.WriteCapacityUnits)
	}
	now := m.now()
	if in.Transition > 0 {
		t.updatedAt = now.Add(in.Transition)
	}
	if in.BillingMode != "" || in.ProvisionedThroughput != nil || in.OnDemandThroughput != nil || in.WarmThroughput != nil {
		mode := cmpOr(in.BillingMode, t.billing)
		prov := in.ProvisionedThroughput
		if prov == nil && mode == Provisioned {
			prov = t.prov
		}
		od, warm := t.onDemand, t.warm
		if in.OnDemandThroughput != nil {
			od = in.OnDemandThroughput
		}
		if in.WarmThroughput != nil {
			warm = in.WarmThroughput
		}
		if err := t.setBilling(mode, prov, od, warm, now); err != nil {
			return nil, err
		}
	}
	defs := map[string]string{}
	for _, d := range t.defs {
		defs[d.AttributeName] = d.AttributeType
	}
	for _, d := range in.AttributeDefinitions {
		if _, ok := defs[d.AttributeName]; !ok {
			t.defs = append(t.defs, d)
		}
		defs[d.AttributeName] = d.AttributeType
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			ix, err := t.addGSI(*u.Create, defs, now)
			if err != nil {
				return nil, err
			}
			// A GSI added to an existing table is CREATING, backfilling, for the transition (its
			// items are indexed at once here; AWS backfills in the background).
			ix.backfilled = true
			if in.Transition > 0 {
				ix.activeAt = now.Add(in.Transition)
			}
		case u.Update != nil:
			ix := t.indexes().byName[u.Update.IndexName]
			if ix == nil || !ix.global {
				return nil, &Error{Code: CodeResourceNotFound, Message: "Requested resource not found: Index: " + u.Update.IndexName + " not found"}
			}
			if u.Update.ProvisionedThroughput != nil {
				ix.prov = u.Update.ProvisionedThroughput
			}
			if u.Update.OnDemandThroughput != nil {
				ix.onDemand = u.Update.OnDemandThroughput
			}
			if u.Update.WarmThroughput != nil {
				ix.warm = u.Update.WarmThroughput
			}
			ix.cap.configure(t.billing, ix.prov, ix.onDemand, ix.warm, now)
		case u.Delete != nil:
			ix := t.indexes().byName[u.Delete.IndexName]
			if ix == nil || !ix.global {
				return nil, &Error{Code: CodeResourceNotFound, Message: "Requested resource not found: Index: " + u.Delete.IndexName + " not found"}
			}
			t.withIndex(ix, true)
		}
	}
	if in.StreamSpecification != nil {
		if err := t.setStream(in.StreamSpecification, now); err != nil {
			return nil, err
		}
	}
	if in.SSESpecification != nil {
		t.sse = in.SSESpecification
	}
	if in.TableClass != "" {
		t.tableClass = in.TableClass
	}
	if in.DeletionProtectionEnabled != nil {
		t.deletionProtection = *in.DeletionProtectionEnabled
	}
	d := t.describeLocked()
	return &d, nil
}

// onlyThroughput reports whether the request changes the table's provisioned throughput and
// nothing else.
func (in *UpdateTableInput) onlyThroughput() bool {
	return (in.BillingMode == "" || in.BillingMode == Provisioned) && len(in.GlobalSecondaryIndexUpdates) == 0 &&
		in.StreamSpecification == nil && in.SSESpecification == nil && in.TableClass == "" &&
		in.DeletionProtectionEnabled == nil && in.OnDemandThroughput == nil && in.WarmThroughput == nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TimeToLive returns the table's TTL setting (nil when never set).
func (m *Model) TimeToLive(name string) (*TimeToLiveSpecification, error) {
	if err := validateTableName(name); err != nil {
		return nil, err
	}
	t, ok := m.Table(name)
	if !ok {
		return nil, tableNotFound(name)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ttl, nil
}

// SetTimeToLive records the table's TTL setting. Expired items are not deleted (see the package
// limitations).
func (m *Model) SetTimeToLive(name string, spec TimeToLiveSpecification) error {
	t, ok := m.Table(name)
	if !ok {
		return tableNotFound(name)
	}
	if spec.AttributeName == "" {
		return validation("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ttl != nil && t.ttl.Enabled == spec.Enabled {
		if spec.Enabled {
			return validation("TimeToLive is already enabled")
		}
		return validation("TimeToLive is already disabled")
	}
	t.ttl = &spec
	return nil
}

// tableByARN finds a table from its ARN (tags are addressed by ARN). notFoundMsg is the
// operation's ResourceNotFoundException message: DynamoDB's differ between the tag operations.
func (m *Model) tableByARN(arn, notFoundMsg string) (*Table, error) {
	for _, t := range m.liveTables() {
		if t.arn == arn {
			return t, nil
		}
	}
	return nil, &Error{Code: CodeResourceNotFound, Message: notFoundMsg}
}

// tagTarget checks a tag operation's ResourceArn, as DynamoDB checks it before it looks the
// table up: required, then a table's ARN (arn:aws:dynamodb:region:account:table/name). list
// is whether the operation's Tags or TagKeys member is present (ListTagsOfResource has none),
// listName its name on the wire, checked between the two.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html
func tagTarget(arn *string, list bool, listName string) error {
	if arn == nil {
		return validation("Invalid TableArn")
	}
	if !list {
		return validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", listName)
	}
	if !isTableARN(*arn) {
		return validation("Invalid TableArn: Invalid ResourceArn provided as input %s", *arn)
	}
	return nil
}

// isTableARN reports whether s is a table's ARN: arn:aws:dynamodb:<region>:<digits>:table/<name>
// with a name of at least three characters and no further path.
func isTableARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "dynamodb" || parts[3] == "" || parts[4] == "" {
		return false
	}
	for _, r := range parts[4] {
		if r < '0' || r > '9' {
			return false
		}
	}
	name, ok := strings.CutPrefix(parts[5], "table/")
	return ok && len(name) >= 3 && !strings.Contains(name, "/")
}

// Tags returns a table's tags (ListTagsOfResource).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTagsOfResource.html
func (m *Model) Tags(arn *string) ([]Tag, error) {
	if err := tagTarget(arn, true, ""); err != nil {
		return nil, err
	}
	t, err := m.tableByARN(*arn, "Requested resource not found: ResourcArn: "+*arn+" not found")
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.tags), nil
}

// TagResource adds or replaces tags; at least one is required.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html
func (m *Model) TagResource(arn *string, tags []Tag) error {
	if err := tagTarget(arn, tags != nil, "tags"); err != nil {
		return err
	}
	if len(tags) == 0 {
		return validation("Atleast one Tag needs to be provided as Input.") // sic, DynamoDB's spelling
	}
	t, err := m.tableByARN(*arn, "Requested resource not found: ResourcArn: "+*arn+" not found")
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tag := range tags {
		t.tags = slices.DeleteFunc(t.tags, func(x Tag) bool { return x.Key == tag.Key })
		t.tags = append(t.tags, tag)
	}
	return nil
}

// UntagResource removes tags by key; at least one key is required.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UntagResource.html
func (m *Model) UntagResource(arn *string, keys []string) error {
	if err := tagTarget(arn, keys != nil, "tagKeys"); err != nil {
		return err
	}
	if len(keys) == 0 {
		return validation("Atleast one Tag Key needs to be provided as Input.") // sic
	}
	t, err := m.tableByARN(*arn, msgNotFound)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tags = slices.DeleteFunc(t.tags, func(x Tag) bool { return slices.Contains(keys, x.Key) })
	return nil
}

// Timestamp is a time the wire writes as epoch seconds (the JSON protocol's timestamp format).
type Timestamp time.Time

// MarshalJSON writes seconds since the epoch with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(t).UnixMilli())/1000, 'f', 3, 64)), nil
}
