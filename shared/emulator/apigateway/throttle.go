package apigateway

import (
	"sync"
	"time"
)

// bucket is a token bucket as API Gateway describes its throttling: it holds up to burst
// requests and refills at rate requests per second; a request that finds it empty is throttled.
type bucket struct {
	rate, burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// take removes one token, or reports false when there is none.
func (b *bucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limits is a throttling setting from a stage: a rate and a burst, either of which may be unset.
// AWS treats an unset value as "no limit of this kind" below the account's.
type limits struct {
	rate  *float64
	burst *int
}

func (l limits) set() bool { return l.rate != nil || l.burst != nil }

// newLimitBucket turns a stage setting into a bucket; an unset rate or burst takes the account's
// default, which the account bucket enforces anyway.
func newLimitBucket(l limits) *bucket {
	rate, burst := float64(DefaultAccountRateLimit), DefaultAccountBurstLimit
	if l.rate != nil {
		rate = *l.rate
	}
	if l.burst != nil {
		burst = *l.burst
	}
	return newBucket(rate, burst)
}

// limiters holds one bucket per method or route of a stage, made on first use.
type limiters struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

func (l *limiters) get(key string, lim limits) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		return b
	}
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b := newLimitBucket(lim)
	l.buckets[key] = b
	return b
}
