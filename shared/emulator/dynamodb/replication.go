package dynamodb

import (
	"container/heap"
	"encoding/base64"
	"errors"
	"math"
	"math/big"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Latency component of global table replication (shared/emulator/latency/model.json).
const compReplication = "dynamodb.globaltables.replication"

// ReplicationKind is the metrics kind of replication into a replica: env.Metrics.Resource(
// ReplicationKind, table) in the receiving region counts each replicated write applied as an
// invocation and observes its replication latency (from the write in the other region to its
// application here, CloudWatch's ReplicationLatency); its counter "superseded" counts replicated
// writes discarded because the replica already held a newer write of the item (last writer wins).
const ReplicationKind = "dynamodb-replication"

// Counters on the receiving table's metrics (env.Metrics.Resource("dynamodb", table)).
const (
	// CounterReplicatedWriteUnits counts the replicated write units (rWRU) that applying
	// replicated writes consumed, index writes included; they are not in "wcu".
	CounterReplicatedWriteUnits = "replicated_write_units"
	// CounterReplicatedWrites counts the replicated writes applied.
	CounterReplicatedWrites = "replicated_writes"
)

// retryDelay is how long a replicated write that the replica throttled waits before its retry.
const retryDelay = 100 * time.Millisecond

// stamp orders the writes of one item for last-writer-wins: the time of the write in its
// region, then the region's name, so that two writes in the same nanosecond resolve the same
// way in every replica (the region that sorts last wins).
type stamp struct {
	at     int64 // Unix nanoseconds
	region string
}

func (a stamp) after(b stamp) bool {
	return a.at > b.at || (a.at == b.at && a.region > b.region)
}

// change is one item's write on its way from the replica that took it to another replica.
type change struct {
	table   string
	key     string     // canonical item key
	keyItem model.Item // the key attributes
	item    model.Item // the item after the write; nil for a delete
	// resolve says the item is read from the origin at delivery: reading it back after the
	// write failed (the origin's read capacity was exhausted).
	resolve bool
	stamp   stamp
	written time.Time // when the origin took the write
	due     time.Time
	seq     uint64
}

// link is the ordered replication from one region to another.
type link struct {
	from, to *Service

	mu       sync.Mutex
	q        changeHeap
	seq      uint64
	applying *change // popped from q, being applied

	applyMu sync.Mutex // one delivery at a time, in due order
}

func (l *link) held() bool { return l.from.down.Load() || l.to.down.Load() }

// changeHeap orders changes by due time, then by the order they were written.
type changeHeap []*change

func (h changeHeap) Len() int { return len(h) }
func (h changeHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h changeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *changeHeap) Push(x any)   { *h = append(*h, x.(*change)) }
func (h *changeHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return c
}

// link returns the replication queue from this service's region to another.
func (s *Service) link(to string) *link {
	g := s.grp.Load()
	if g == nil {
		return nil
	}
	peer := g.byRegion[to]
	if peer == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	k := [2]string{s.env.Region, to}
	l := g.links[k]
	if l == nil {
		l = &link{from: s, to: peer}
		g.links[k] = l
	}
	return l
}

// links lists the queues into and out of this service's region.
func (s *Service) links() []*link {
	g := s.grp.Load()
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []*link
	for _, l := range g.links {
		if l.from == s || l.to == s {
			out = append(out, l)
		}
	}
	return out
}

// lag draws one replication delay from the latency model.
func (s *Service) lag() time.Duration {
	if s.replicationLag != nil {
		return s.replicationLag()
	}
	return s.env.Latency.Sample(compReplication)
}

func (s *Service) clock() sim.Clock {
	if s.env.Clock == nil {
		return sim.Real{}
	}
	return s.env.Clock
}

// enqueue adds a change to the queue and arms its timer unless the link is held.
func (l *link) enqueue(c *change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	c.seq = l.seq
	heap.Push(&l.q, c)
	if !l.held() {
		l.arm(c.due)
	}
}

// arm runs a delivery pass once the clock reaches due. The caller holds l.mu.
func (l *link) arm(due time.Time) {
	c := l.from.clock()
	sim.AfterFunc(c, due.Sub(c.Now()), l.deliver)
}

// deliver applies, in order, every change that is due, unless the link is held.
func (l *link) deliver() {
	l.applyMu.Lock()
	defer l.applyMu.Unlock()
	for {
		if l.from.closed.Load() || l.to.closed.Load() {
			return
		}
		l.mu.Lock()
		now := l.from.clock().Now()
		if l.held() || len(l.q) == 0 || l.q[0].due.After(now) {
			l.mu.Unlock()
			return
		}
		c := heap.Pop(&l.q).(*change)
		l.applying = c
		l.mu.Unlock()
		ok := l.to.applyReplicated(l.from, c)
		l.mu.Lock()
		l.applying = nil
		if !ok {
			c.due = now.Add(retryDelay)
			heap.Push(&l.q, c)
			l.arm(c.due)
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
	}
}

// release re-times a held queue after recovery: the lag of each change counts from now, and
// the backlog keeps its order.
func (l *link) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held() || len(l.q) == 0 {
		return
	}
	backlog := slices.Clone(l.q)
	slices.SortFunc(backlog, func(a, b *change) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	now := l.from.clock().Now()
	prev := now
	for _, c := range backlog {
		c.due = now.Add(l.from.lag())
		if c.due.Before(prev) {
			c.due = prev
		}
		prev = c.due
	}
	l.q = backlog
	heap.Init(&l.q)
	for _, c := range backlog {
		l.arm(c.due)
	}
}

// SetRegionDown marks this service's region down (true) or back (false). While it is down,
// replication to and from it is held, in order; after recovery each held write replicates after
// a fresh replication lag counted from the recovery. The service's own API keeps answering:
// failing the region's endpoints is the emulator's job.
func (s *Service) SetRegionDown(down bool) {
	if s.down.Swap(down) == down || down {
		return
	}
	for _, l := range s.links() {
		l.release()
	}
}

// RegionDown reports whether SetRegionDown marked the region down.
func (s *Service) RegionDown() bool { return s.down.Load() }

// ReplicationPending counts the writes to the table in this region that some other replica has
// not applied yet (held by a region outage or still within the replication lag).
func (s *Service) ReplicationPending(table string) int {
	n := 0
	s.outgoing(func(l *link) {
		for _, c := range l.q {
			if c.table == table {
				n++
			}
		}
		if l.applying != nil && l.applying.table == table {
			n++
		}
	})
	return n
}

// written is one item a local write changed: its key and the item after the write (nil when
// deleted, or when it must be read back).
type written struct {
	keyItem model.Item
	item    model.Item
	read    bool // read the item back from the table
}

// replicate records local writes to a global table's replica and queues them for the other
// replicas. The caller holds r.mu and has applied the writes.
func (s *Service) replicate(r *replica, ws []written) {
	others := r.others(s.env.Region)
	now := s.env.Now()
	st := stamp{at: now.UnixNano(), region: s.env.Region}
	for _, w := range ws {
		key := r.canonical(w.keyItem)
		keyItem := r.keyOf(w.keyItem)
		item := w.item
		resolve := false
		if w.read {
			var err error
			if item, err = s.readBack(r.table, keyItem); err != nil {
				resolve = true
			}
		}
		// A local write is always newer than whatever the replica holds, so that every replica
		// keeps it over the writes it replaced (it is newer than anything seen here).
		at := st
		if cur, ok := r.stamps[key]; ok && !at.after(cur) {
			at = stamp{at: cur.at + 1, region: s.env.Region}
		}
		r.stamps[key] = at
		for _, region := range others {
			l := s.link(region)
			if l == nil {
				continue
			}
			l.enqueue(&change{table: r.table, key: key, keyItem: keyItem, item: item, resolve: resolve,
				stamp: at, written: now, due: now.Add(s.lag())})
		}
	}
}

// readBack reads an item as a strongly consistent read, without counting it in the metrics.
func (s *Service) readBack(table string, key model.Item) (model.Item, error) {
	out, err := s.model.GetItem(&model.GetItemInput{TableName: table, Key: key, ConsistentRead: true})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// applyReplicated applies a change from another region to this replica if it is newer than
// what the replica holds. It returns false when the replica throttled it (to be retried).
func (s *Service) applyReplicated(from *Service, c *change) bool {
	if c.resolve {
		src := from.replicaOf(c.table)
		if src == nil {
			return true // the origin replica is gone
		}
		src.mu.Lock()
		item, err := from.readBack(c.table, c.keyItem)
		st, ok := src.stamps[c.key]
		src.mu.Unlock()
		if err != nil {
			return false
		}
		if ok {
			c.stamp = st
		}
		c.item, c.resolve = item, false
	}
	r := s.replicaOf(c.table)
	if r == nil {
		return true // this replica was deleted
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var table, repl *metrics.Resource
	if s.env.Metrics != nil {
		table, repl = s.env.Metrics.Resource(ServiceName, c.table), s.env.Metrics.Resource(ReplicationKind, c.table)
	}
	if cur, ok := r.stamps[c.key]; ok && !c.stamp.after(cur) {
		if repl != nil {
			repl.Add("superseded", 1)
		}
		return true
	}
	var out *model.WriteOutput
	var err error
	if c.item != nil {
		out, err = s.model.PutItem(&model.PutItemInput{TableName: c.table, Item: c.item})
	} else {
		out, err = s.model.DeleteItem(&model.DeleteItemInput{TableName: c.table, Key: c.keyItem})
	}
	if err != nil {
		if e, ok := errors.AsType[*model.Error](err); ok && e.Throttle() {
			return false
		}
		if repl != nil {
			repl.Errored() // cannot happen: the item was valid in its origin's identical table
		}
		return true
	}
	r.stamps[c.key] = c.stamp
	if table != nil {
		table.Add(CounterReplicatedWrites, 1)
		table.Add(CounterReplicatedWriteUnits, int64(math.Ceil(out.Consumed.WriteCapacityUnits)))
		repl.Invoked()
		repl.Observe(s.env.Now().Sub(c.written))
	}
	return true
}

// keyOf returns the key attributes of an item.
func (r *replica) keyOf(item model.Item) model.Item {
	k := model.Item{r.hash.name: item[r.hash.name]}
	if r.rng.name != "" {
		k[r.rng.name] = item[r.rng.name]
	}
	return k
}

// canonical is an item's key as a string that equal keys share: numbers in one notation.
func (r *replica) canonical(item model.Item) string {
	h := canonicalValue(item[r.hash.name], r.hash.typ)
	if r.rng.name == "" {
		return h
	}
	return strconv.Itoa(len(h)) + ":" + h + canonicalValue(item[r.rng.name], r.rng.typ)
}

func canonicalValue(v *model.Value, typ string) string {
	if v == nil {
		return ""
	}
	switch typ {
	case "S":
		if v.S != nil {
			return *v.S
		}
	case "N":
		if v.N != nil {
			if n, ok := new(big.Rat).SetString(*v.N); ok {
				return n.RatString()
			}
			return *v.N
		}
	case "B":
		return base64.StdEncoding.EncodeToString(v.B)
	}
	return ""
}

// lockReplicas locks the replicas of the global tables among names, in name order, and returns
// them by table name.
func (s *Service) lockReplicas(names []string) map[string]*replica {
	if !s.hasGlobal.Load() {
		return nil
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var out map[string]*replica
	for _, name := range names {
		if r := s.replicaOf(name); r != nil {
			if out == nil {
				out = map[string]*replica{}
			}
			r.mu.Lock()
			out[name] = r
		}
	}
	return out
}

func unlockReplicas(rs map[string]*replica) {
	for _, r := range rs {
		r.mu.Unlock()
	}
}

// batchWritten lists the writes of a BatchWriteItem on one table that were processed.
func batchWritten(reqs, unprocessed []model.WriteRequest) []written {
	skip := map[any]bool{}
	for _, u := range unprocessed {
		if u.PutRequest != nil {
			skip[u.PutRequest] = true
		} else {
			skip[u.DeleteRequest] = true
		}
	}
	out := make([]written, 0, len(reqs))
	for _, w := range reqs {
		switch {
		case w.PutRequest != nil && !skip[w.PutRequest]:
			out = append(out, written{keyItem: w.PutRequest.Item, item: w.PutRequest.Item})
		case w.DeleteRequest != nil && !skip[w.DeleteRequest]:
			out = append(out, written{keyItem: w.DeleteRequest.Key})
		}
	}
	return out
}

// replicateTransaction queues a transaction's writes to global tables, item by item: DynamoDB
// replicates a transaction's items individually, not as a transaction. Each item is read back,
// so that a request repeated with its ClientRequestToken (which changes nothing) replicates the
// item as it is rather than the request's image.
func (s *Service) replicateTransaction(globals map[string]*replica, items []model.TransactWriteItem) {
	byTable := map[string][]written{}
	for _, ti := range items {
		var a *model.TransactAction
		switch {
		case ti.Put != nil:
			a = ti.Put
		case ti.Update != nil:
			a = ti.Update
		case ti.Delete != nil:
			a = ti.Delete
		default:
			continue // a condition check writes nothing
		}
		if globals[a.TableName] == nil {
			continue
		}
		key := a.Key
		if key == nil {
			key = a.Item
		}
		byTable[a.TableName] = append(byTable[a.TableName], written{keyItem: key, read: true})
	}
	for name, ws := range byTable {
		s.replicate(globals[name], ws)
	}
}

// ReplicationPendingAll counts this region's writes, to any table, that some other replica has
// not applied yet.
func (s *Service) ReplicationPendingAll() int {
	n := 0
	s.outgoing(func(l *link) {
		n += len(l.q)
		if l.applying != nil {
			n++
		}
	})
	return n
}

// outgoing calls fn with each link from this region to another, its lock held.
func (s *Service) outgoing(fn func(*link)) {
	for _, l := range s.links() {
		if l.from != s {
			continue
		}
		l.mu.Lock()
		fn(l)
		l.mu.Unlock()
	}
}

// DropReplication discards this region's writes that other replicas have not applied yet
// (held by an outage or still within the replication lag), for a reset that puts every replica
// back to the same data itself. A change being applied at that moment still lands. It returns
// how many were dropped.
func (s *Service) DropReplication() int {
	n := 0
	s.outgoing(func(l *link) {
		n += len(l.q)
		l.q = l.q[:0]
	})
	return n
}
