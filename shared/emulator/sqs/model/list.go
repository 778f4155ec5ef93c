package model

import "container/heap"

// msgList is an intrusive doubly linked list of the visible messages of a standard queue.
type msgList struct {
	head, tail *message
	n          int
}

func (l *msgList) pushBack(m *message) {
	m.prev, m.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = m
	} else {
		l.head = m
	}
	l.tail = m
	m.inList = true
	l.n++
}

func (l *msgList) remove(m *message) {
	if !m.inList {
		return
	}
	if m.prev != nil {
		m.prev.next = m.next
	} else {
		l.head = m.next
	}
	if m.next != nil {
		m.next.prev = m.prev
	} else {
		l.tail = m.prev
	}
	m.prev, m.next, m.inList = nil, nil, false
	l.n--
}

// msgHeap orders the hidden messages (delayed or in flight) by the time they become visible.
type msgHeap []*message

func (h msgHeap) Len() int           { return len(h) }
func (h msgHeap) Less(i, j int) bool { return h[i].visibleAt.Before(h[j].visibleAt) }
func (h msgHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}
func (h *msgHeap) Push(x any) {
	m := x.(*message)
	m.heapIdx = len(*h)
	*h = append(*h, m)
}
func (h *msgHeap) Pop() any {
	old := *h
	n := len(old)
	m := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	m.heapIdx = -1
	return m
}

func (h *msgHeap) add(m *message) { heap.Push(h, m) }

func (h *msgHeap) drop(m *message) {
	if m.heapIdx >= 0 {
		heap.Remove(h, m.heapIdx)
	}
}

// fix restores order after m.visibleAt changed.
