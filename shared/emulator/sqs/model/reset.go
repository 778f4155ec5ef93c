package model

// Empty deletes every message of every queue, as PurgeQueue does, and forgets the FIFO queues'
// deduplication ids, so a message sent after it is never taken for a duplicate of one sent
// before. Unlike PurgeQueue it is not limited to once a minute and does not start that minute:
// it is the emulator's admin reset between two load runs, not an SQS operation. It returns how
// many messages it deleted.
func (m *Model) Empty() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, q := range m.queues {
		for _, msg := range q.all[q.allHead:] {
			if !msg.deleted {
				q.remove(msg)
				n++
			}
		}
		q.all, q.allHead = nil, 0
		clear(q.dedup)
		q.dedupOrder = nil
	}
	return n
}
