package textcache

import (
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCacheKeepsWithinItsBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cache     *Cache[int]
		texts     []string
		wantCalls int
		wantLen   int
	}{
		{"a text is worked out once", &Cache[int]{}, []string{"a", "a", "a"}, 1, 1},
		{"a long text every time", &Cache[int]{MaxKeyLen: 2}, []string{"abc", "abc", "ab", "ab"}, 3, 1},
		{"no more entries than the bound", &Cache[int]{MaxEntries: 2}, []string{"a", "b", "c", "c", "a"}, 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			for _, s := range tt.texts {
				tt.cache.Get(s, func(string) int { calls++; return len(s) })
			}
			assert.Equal(t, tt.wantCalls, calls)
			assert.Equal(t, tt.wantLen, tt.cache.Len())
		})
	}
}

// Callers racing to store the same text all get the one value stored first.
func TestStoreReturnsTheFirstValue(t *testing.T) {
	t.Parallel()
	var c Cache[*int]
	got := make([]*int, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			v := i
			got[i] = c.Store("x", &v)
		})
	}
	wg.Wait()
	for _, p := range got {
		assert.Same(t, got[0], p)
	}
	assert.Equal(t, 1, c.Len())
	_, ok := c.Load(strconv.Itoa(1))
	assert.False(t, ok)
}
