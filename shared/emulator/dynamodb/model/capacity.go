package model

import (
	"math"
	"time"
)

// DynamoDB's documented throughput figures.
const (
	// PartitionReadUnits and PartitionWriteUnits are one partition's limits per second (AWS
	// "Partitions and data distribution"; "Best practices for designing and using partition keys").
	PartitionReadUnits  = 3000
	PartitionWriteUnits = 1000
	// OnDemandInitialReadUnits and OnDemandInitialWriteUnits are what a new on-demand table
	// serves at once (AWS "On-demand capacity mode": "4,000 write request units per second and
	// 12,000 read request units per second").
	OnDemandInitialReadUnits  = 12000
	OnDemandInitialWriteUnits = 4000
)

// ProvisionedBurstSeconds is how much unused capacity a provisioned table or index keeps as
// burst capacity: "DynamoDB currently retains up to five minutes (300 seconds) of unused read
// and write capacity"
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html).
const ProvisionedBurstSeconds = 300

// bucket is a token bucket refilled continuously at rate tokens per second, holding at most
// burst seconds of tokens (one when burst is 0). A provisioned table or index holds
// ProvisionedBurstSeconds, AWS's burst capacity, and starts full; a partition key value and an
// on-demand table hold one second: AWS does not document burst capacity per partition, and an
// on-demand table's limits are its initial throughput, so a hot key gets exactly its documented
// per-second limit.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, now time.Time) bucket {
	return bucket{rate: rate, tokens: rate, last: now}
}

// size is the most tokens the bucket holds.
func (b *bucket) size() float64 {
	if b.burst > 1 {
		return b.rate * b.burst
	}
	return b.rate
}

func (b *bucket) refill(now time.Time) {
	if dt := now.Sub(b.last); dt > 0 {
		b.tokens = math.Min(b.size(), b.tokens+b.rate*dt.Seconds())
		b.last = now
	}
}

// setRate changes the rate and burst; a bucket whose burst grows starts with its new burst
// full, as a new provisioned table does.
func (b *bucket) setRate(rate, burst float64, now time.Time) {
	b.refill(now)
	grew := burst > b.burst
	b.rate, b.burst = rate, burst
	if grew {
		b.tokens = b.size()
	}
	b.tokens = math.Min(b.tokens, b.size())
}

// has reports whether n tokens are there. An empty bucket also admits a request larger than
// its whole capacity once full, so that a big item on a tiny provisioned table is slow, not
// impossible.
func (b *bucket) has(n float64) bool {
	return b.tokens >= n || b.tokens >= b.rate && b.rate > 0
}

// keyBuckets are one partition key value's read and write buckets.
type keyBuckets struct {
	read, write bucket
}

// capacity is the throughput state of a table or of one global secondary index: a table-level
// bucket per direction and a bucket pair per partition key value. Only its table's lock guards it.
type capacity struct {
	table       string
	arn         string
	index       bool // a global secondary index
	provisioned bool
	// maxOnDemand is set when an on-demand table's OnDemandThroughput caps it.
	maxRead, maxWrite bool
	read, write       bucket
	keys              map[string]*keyBuckets
	sweepAt           int
}

func newCapacity(table, arn string, index bool) *capacity {
	return &capacity{table: table, arn: arn, index: index, keys: map[string]*keyBuckets{}, sweepAt: 1024}
}

// configure sets the table-level rates from the billing settings.
func (c *capacity) configure(billing string, prov *ProvisionedThroughput, maxOD *OnDemandThroughput, warm *WarmThroughput, now time.Time) {
	c.provisioned = billing == Provisioned
	read, write := float64(OnDemandInitialReadUnits), float64(OnDemandInitialWriteUnits)
	c.maxRead, c.maxWrite = false, false
	if c.provisioned && prov != nil {
		read, write = float64(prov.ReadCapacityUnits), float64(prov.WriteCapacityUnits)
	} else {
		if warm != nil {
			read = math.Max(read, float64(warm.ReadUnitsPerSecond))
			write = math.Max(write, float64(warm.WriteUnitsPerSecond))
		}
		if maxOD != nil && maxOD.MaxReadRequestUnits > 0 && float64(maxOD.MaxReadRequestUnits) < read {
			read, c.maxRead = float64(maxOD.MaxReadRequestUnits), true
		}
		if maxOD != nil && maxOD.MaxWriteRequestUnits > 0 && float64(maxOD.MaxWriteRequestUnits) < write {
			write, c.maxWrite = float64(maxOD.MaxWriteRequestUnits), true
		}
	}
	burst := 1.0
	if c.provisioned {
		burst = ProvisionedBurstSeconds
	}
	if c.read.last.IsZero() {
		c.read, c.write = newBucket(read, now), newBucket(write, now)
	}
	c.read.setRate(read, burst, now)
	c.write.setRate(write, burst, now)
}

func (c *capacity) key(pk string, now time.Time) *keyBuckets {
	k := c.keys[pk]
	if k == nil {
		if len(c.keys) >= c.sweepAt {
			c.sweep(now)
		}
		k = &keyBuckets{read: newBucket(PartitionReadUnits, now), write: newBucket(PartitionWriteUnits, now)}
		c.keys[pk] = k
	}
	return k
}

// sweep forgets keys idle for over a second: their buckets are full again, as a new one would be.
func (c *capacity) sweep(now time.Time) {
	for pk, k := range c.keys {
		if now.Sub(k.read.last) > time.Second && now.Sub(k.write.last) > time.Second {
			delete(c.keys, pk)
		}
	}
	c.sweepAt = max(1024, 2*len(c.keys))
}

// charge is an amount of capacity one request needs from one table or index.
type charge struct {
	cap   *capacity
	units float64 // request units, already doubled for transactions
	write bool
	// perKey splits the units over partition key values; a single-key request has one entry.
	perKey map[string]float64
	pk     string // the single key when perKey is nil
}

// throttled is why a set of charges cannot be served.
type throttled struct {
	cap      *capacity
	write    bool
	pk       string // the partition key value, for a key-range throttle
	keyRange bool   // a partition, not the table, is out of capacity
	forced   bool   // a fault rule said so
}

// check reports whether every charge can be served now, refilling the buckets it looks at.
// Charges on one bucket are summed first. forced, when set, is asked about every base-table
// partition key the charges touch: it is how a throttle fault switched on for a table or a key
// takes effect. check takes nothing; consume does.
func check(now time.Time, charges []charge, forced func(table, pk string) bool) *throttled {
	if len(charges) == 1 && charges[0].perKey == nil {
		// The common single-key request, without maps.
		ch := charges[0]
		if forced != nil && !ch.cap.index && forced(ch.cap.table, ch.pk) {
			return &throttled{cap: ch.cap, write: ch.write, pk: ch.pk, keyRange: true, forced: true}
		}
		b := ch.cap.bucket(ch.write)
		b.refill(now)
		if !b.has(ch.units) {
			return &throttled{cap: ch.cap, write: ch.write}
		}
		kb := ch.cap.key(ch.pk, now).bucket(ch.write)
		kb.refill(now)
		if !kb.has(ch.units) {
			return &throttled{cap: ch.cap, write: ch.write, pk: ch.pk, keyRange: true}
		}
		return nil
	}
	type need struct {
		cap   *capacity
		write bool
	}
	type keyNeed struct {
		need
		pk string
	}
	totals := make(map[need]float64, len(charges))
	keyTotals := make(map[keyNeed]float64, len(charges))
	for _, ch := range charges {
		n := need{ch.cap, ch.write}
		totals[n] += ch.units
		if ch.perKey == nil {
			keyTotals[keyNeed{n, ch.pk}] += ch.units
			continue
		}
		for pk, u := range ch.perKey {
			keyTotals[keyNeed{n, pk}] += u
		}
	}
	if forced != nil {
		for k := range keyTotals {
			if !k.cap.index && forced(k.cap.table, k.pk) {
				return &throttled{cap: k.cap, write: k.write, pk: k.pk, keyRange: true, forced: true}
			}
		}
	}
	for n, u := range totals {
		b := n.cap.bucket(n.write)
		b.refill(now)
		if !b.has(u) {
			return &throttled{cap: n.cap, write: n.write}
		}
	}
	for k, u := range keyTotals {
		b := k.cap.key(k.pk, now).bucket(k.write)
		b.refill(now)
		if !b.has(u) {
			return &throttled{cap: k.cap, write: k.write, pk: k.pk, keyRange: true}
		}
	}
	return nil
}

// consume takes the charges a successful check admitted.
func consume(charges []charge) {
	for _, ch := range charges {
		ch.cap.bucket(ch.write).tokens -= ch.units
		if ch.perKey == nil {
			ch.cap.key(ch.pk, ch.cap.bucket(ch.write).last).bucket(ch.write).tokens -= ch.units
			continue
		}
		for pk, u := range ch.perKey {
			ch.cap.key(pk, ch.cap.bucket(ch.write).last).bucket(ch.write).tokens -= u
		}
	}
}

func (c *capacity) bucket(write bool) *bucket {
	if write {
		return &c.write
	}
	return &c.read
}

func (k *keyBuckets) bucket(write bool) *bucket {
	if write {
		return &k.write
	}
	return &k.read
}

// err turns a throttle into DynamoDB's error: ThrottlingException for on-demand tables (the
// code and message AWS answers on-demand tables with), ProvisionedThroughputExceededException
// for provisioned ones, both with ThrottlingReasons.
func (t *throttled) err() *Error {
	resource := "Table"
	if t.cap.index {
		resource = "Index"
	}
	op := "Read"
	if t.write {
		op = "Write"
	}
	limit := "KeyRangeThroughputExceeded"
	switch {
	case t.keyRange:
	case t.cap.provisioned:
		limit = "ProvisionedThroughputExceeded"
	case t.write && t.cap.maxWrite, !t.write && t.cap.maxRead:
		limit = "MaxOnDemandThroughputExceeded"
	}
	reasons := []ThrottlingReason{{Reason: resource + op + limit, Resource: t.cap.arn}}
	if t.cap.provisioned {
		msg := MsgProvisionedThrottle
		if t.cap.index {
			msg = MsgProvisionedIndexThrottle
		}
		return &Error{Code: CodeProvisioned, Message: msg, ThrottlingReasons: reasons}
	}
	return &Error{Code: CodeThrottling, Message: MsgOnDemandThrottle, ThrottlingReasons: reasons}
}

// cancellationCode is the transaction cancellation reason code for the throttle.
func (t *throttled) cancellationCode() (string, string) {
	if t.cap.provisioned {
		if t.cap.index {
			return "ProvisionedThroughputExceeded", MsgProvisionedIndexThrottle
		}
		return "ProvisionedThroughputExceeded", MsgProvisionedThrottle
	}
	return "ThrottlingError", MsgOnDemandThrottle
}

// Units.

// writeUnits is the write request units for an item of size bytes: 1 per KB, rounded up, at
// least 1.
func writeUnits(size int) float64 {
	return math.Max(1, math.Ceil(float64(size)/1024))
}

// readUnits is the read request units for size bytes read: 1 per 4 KB strongly consistent,
// half that eventually consistent, at least one (half) unit.
func readUnits(size int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(size)/4096))
	if !consistent {
		u /= 2
	}
	return u
}
