// Package textcache keeps what a deterministic function of a text (an expression, a template)
// gave for it, so that a service does not parse or compile the same text on every call. A Cache
// is bounded in entries and, optionally, in key length, so that a client sending texts without
// end cannot grow it without end: past a bound the caller simply works the value out again.
// What a Cache holds is shared by every caller, so it must not be changed once stored.
package textcache

import (
	"sync"
	"sync/atomic"
)

// Cache maps texts to values. The zero Cache is unbounded; set the bounds before first use.
type Cache[T any] struct {
	MaxEntries int // no more entries than this (0: no bound)
	MaxKeyLen  int // texts longer than this are not kept (0: no bound)

	m sync.Map // string → T
	n atomic.Int64
}

// Load returns the value kept for text, if any.
func (c *Cache[T]) Load(text string) (T, bool) {
	v, ok := c.m.Load(text)
	if !ok {
		var zero T
		return zero, false
	}
	return v.(T), true
}

// Store keeps v for text when the bounds allow it, and returns the value kept for text: the one
// another caller stored first, if one did, else v.
func (c *Cache[T]) Store(text string, v T) T {
	if c.MaxKeyLen > 0 && len(text) > c.MaxKeyLen || c.MaxEntries > 0 && c.n.Load() >= int64(c.MaxEntries) {
		return v
	}
	prev, loaded := c.m.LoadOrStore(text, v)
	if loaded {
		return prev.(T)
	}
	c.n.Add(1)
	return v
}

// Get returns the value kept for text, or of(text), kept when the bounds allow it.
func (c *Cache[T]) Get(text string, of func(string) T) T {
	if v, ok := c.Load(text); ok {
		return v
	}
	return c.Store(text, of(text))
}

// Len is how many texts are kept.
func (c *Cache[T]) Len() int { return int(c.n.Load()) }
