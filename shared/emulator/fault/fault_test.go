package fault_test

import (
	"testing"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPutLookupClear(t *testing.T) {
	var s fault.Set
	_, ok := s.Lookup("lambda:orders")
	assert.False(t, ok)
	assert.False(t, s.Active())

	require.NoError(t, s.Put("lambda:orders", fault.Rule{Latency: time.Second}))
	require.NoError(t, s.Put("dynamodb:table/STORE#lon-01", fault.Rule{Throttle: true}))
	r, ok := s.Lookup("lambda:orders")
	assert.True(t, ok)
	assert.Equal(t, time.Second, r.Latency)
	assert.Equal(t, []string{"dynamodb:table/STORE#lon-01", "lambda:orders"}, s.Names())

	s.Clear("lambda:orders")
	_, ok = s.Lookup("lambda:orders")
	assert.False(t, ok)
	s.Clear("")
	assert.False(t, s.Active())
}

func TestPutRejects(t *testing.T) {
	tests := []struct {
		name, resource string
		rule           fault.Rule
		want           string
	}{
		{"no service", "orders", fault.Rule{Throttle: true}, "service:name"},
		{"empty rule", "lambda:x", fault.Rule{}, "needs latency"},
		{"rate above 1", "lambda:x", fault.Rule{ErrorRate: 1.5}, "between 0 and 1"},
		{"negative latency", "lambda:x", fault.Rule{Latency: -1}, "0 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s fault.Set
			err := s.Put(tt.resource, tt.rule)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.False(t, s.Active())
		})
	}
}

func TestRuleSaysWhatItDoes(t *testing.T) {
	tests := []struct {
		rule fault.Rule
		want string
	}{
		{fault.Rule{Latency: 2 * time.Second}, "+2s a call"},
		{fault.Rule{ErrorRate: 0.5}, "50 % of calls fail"},
		{fault.Rule{Throttle: true}, "throttled"},
		{fault.Rule{Latency: 500 * time.Millisecond, ErrorRate: 0.1, Throttle: true}, "+500ms a call, 10 % of calls fail, throttled"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.rule.String())
	}
}
