package model

import "time"

type msgState uint8

const (
	stateVisible msgState = iota
	stateDelayed
	stateInflight
)

// message is one stored message. Visible messages of a standard queue sit in queue.ready;
// delayed and in-flight ones in queue.hidden; every FIFO message also sits in its group.
type message struct {
	id, body            string
	attrs               map[string]MessageAttributeValue
	sysAttrs            map[string]MessageAttributeValue
	md5Body, md5Attrs   string
	md5Sys              string
	size                int
	sent                time.Time
	firstReceive        time.Time
	receivedAt          time.Time // last receive, for the 12-hour visibility bound
	receiveCount        int
	visibleAt           time.Time
	state               msgState
	handle              string
	group, dedupID, seq string
	deadLetterSource    string
	deleted             bool

	heapIdx    int
	prev, next *message
	inList     bool
	g          *group
}

// group is one FIFO message group: its messages in order and how many are in flight.
type group struct {
	id       string
	msgs     []*message
	inflight int
	dead     bool
}

type dedupEntry struct {
	expires   time.Time
	messageID string
	seq       string
}

type dedupExpiry struct {
	key     string
	expires time.Time
}

type queue struct {
	name, arn string
	fifo      bool
	attrs     queueAttrs
	tags      map[string]string
	created   time.Time
	modified  time.Time
	lastPurge time.Time
	gone      bool

	ready   msgList
	hidden  msgHeap
	all     []*message // by send time, for retention and the oldest message's age
	allHead int
	handles map[string]*message

	groups     map[string]*group
	groupOrder []*group
	dedup      map[string]dedupEntry
	dedupOrder []dedupExpiry
	seq        uint64

	nVisible, nInflight, nDelayed int

	wakeCh chan struct{}
	armed  bool
}

// setState moves a live message m to state s, keeping structures and counters.
func (q *queue) setState(m *message, s msgState) {
	q.leave(m)
	q.enter(m, s)
}

func (q *queue) enter(m *message, s msgState) {
	m.state = s
	switch s {
	case stateVisible:
		q.nVisible++
		if !q.fifo {
			q.ready.pushBack(m)
		}
	case stateDelayed:
		q.nDelayed++
		q.hidden.add(m)
	case stateInflight:
		q.nInflight++
		q.hidden.add(m)
		if m.g != nil {
			m.g.inflight++
		}
	}
}

// leave takes a live message m out of its state's structure and counter.
func (q *queue) leave(m *message) {
	switch m.state {
	case stateVisible:
		q.nVisible--
		q.ready.remove(m)
	case stateDelayed:
		q.nDelayed--
		q.hidden.drop(m)
	case stateInflight:
		q.nInflight--
		if m.g != nil {
			m.g.inflight--
		}
		q.hidden.drop(m)
	}
}

// remove deletes m from the queue.
func (q *queue) remove(m *message) {
	if m.deleted {
		return
	}
	q.leave(m)
	m.deleted = true
	if m.handle != "" {
		delete(q.handles, m.handle)
	}
	if g := m.g; g != nil {
		for i, x := range g.msgs {
			if x == m {
				g.msgs = append(g.msgs[:i], g.msgs[i+1:]...)
				break
			}
		}
		if len(g.msgs) == 0 {
			g.dead = true
			delete(q.groups, g.id)
		}
		if g.inflight == 0 && len(g.msgs) > 0 {
			q.wake()
		}
	}
}

// add stores a new message, visible now or after its delay.
func (q *queue) add(m *message, now time.Time) {
	m.heapIdx = -1
	m.state = stateVisible
	if q.fifo {
		g := q.groups[m.group]
		if g == nil {
			g = &group{id: m.group}
			q.groups[m.group] = g
			q.groupOrder = append(q.groupOrder, g)
		}
		g.msgs = append(g.msgs, m)
		m.g = g
	}
	// Keep q.all sorted by send time: a message moved from another queue keeps its own.
	if n := len(q.all); n == q.allHead || !m.sent.Before(q.all[n-1].sent) {
		q.all = append(q.all, m)
	} else {
		i := n
		for i > q.allHead && m.sent.Before(q.all[i-1].sent) {
			i--
		}
		q.all = append(q.all, nil)
		copy(q.all[i+1:], q.all[i:])
		q.all[i] = m
	}
	if m.visibleAt.After(now) {
		q.enter(m, stateDelayed)
	} else {
		q.enter(m, stateVisible)
		q.wake()
	}
}

// sweep makes due messages visible, drops expired ones and forgets old deduplication ids.
func (q *queue) sweep(now time.Time) {
	woke := false
	for len(q.hidden) > 0 && !q.hidden[0].visibleAt.After(now) {
		q.setState(q.hidden[0], stateVisible)
		woke = true
	}
	for q.allHead < len(q.all) {
		m := q.all[q.allHead]
		if !m.deleted && now.Sub(m.sent) < q.attrs.retention {
			break
		}
		q.remove(m)
		q.all[q.allHead] = nil
		q.allHead++
	}
	if q.allHead > 256 && q.allHead*2 > len(q.all) {
		q.all = append([]*message(nil), q.all[q.allHead:]...)
		q.allHead = 0
	}
	for len(q.dedupOrder) > 0 && !q.dedupOrder[0].expires.After(now) {
		e := q.dedupOrder[0]
		if d, ok := q.dedup[e.key]; ok && !d.expires.After(now) {
			delete(q.dedup, e.key)
		}
		q.dedupOrder = q.dedupOrder[1:]
	}
	if woke {
		q.wake()
	}
}

// nextChange is when the next hidden message becomes visible (zero if none).
func (q *queue) nextChange() time.Time {
	if len(q.hidden) == 0 {
		return time.Time{}
	}
	return q.hidden[0].visibleAt
}

func (q *queue) expired(m *message, now time.Time) bool { return now.Sub(m.sent) >= q.attrs.retention }
