package model

// Snapshot is the items of every table at one moment, for Restore to put back: how the
// emulator returns a stage's tables to their seeded state between two load runs (its admin
// reset). A stored item is never changed in place, so a snapshot holds the items themselves.
type Snapshot struct {
	tables map[*Table][]*entry
}

// Snapshot records the items of every table.
func (m *Model) Snapshot() *Snapshot {
	s := &Snapshot{tables: map[*Table][]*entry{}}
	for _, t := range *m.tables.Load() {
		t.mu.Lock()
		var entries []*entry
		for _, p := range t.parts {
			entries = append(entries, p.entries...)
		}
		t.mu.Unlock()
		s.tables[t] = entries
	}
	return s
}

// Restore puts back the items every table held at the snapshot, with its indexes, and gives
// each table and global secondary index full capacity again (a provisioned table's burst
// capacity as at creation, no hot partition key), as the table was when the snapshot was taken
// just after the stage was provisioned. Tables created since are left alone; tables deleted
// since stay deleted. It also forgets TransactWriteItems' idempotency tokens. Nothing is written
// to a stream: it is not a write the application made. It returns how many items it removed and
// how many it put back.
func (m *Model) Restore(s *Snapshot) (removed, restored int) {
	now := m.now()
	for _, t := range *m.tables.Load() {
		entries, ok := s.tables[t]
		if !ok {
			continue
		}
		t.mu.Lock()
		var current []*entry
		for _, p := range t.parts {
			current = append(current, p.entries...)
		}
		for _, e := range current {
			t.store(e, nil)
		}
		for _, e := range entries {
			t.store(nil, e)
		}
		removed, restored = removed+len(current), restored+len(entries)
		t.cap = newCapacity(t.name, t.arn, false)
		t.cap.configure(t.billing, t.prov, t.onDemand, t.warm, now)
		for _, ix := range t.indexes().gsis {
			ix.cap = newCapacity(t.name, ix.arn, true)
			ix.cap.configure(t.billing, ix.prov, ix.onDemand, ix.warm, now)
		}
		t.mu.Unlock()
	}
	m.tokensMu.Lock()
	clear(m.tokens)
	m.tokenQueue = nil
	m.tokensMu.Unlock()
	return removed, restored
}
