package fault_test

import (
	"errors"
	"math"
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
		{"negative latency", "lambda:x", fault.Rule{Latency: -1}, "between 0 and 15m0s"},
		// 15 minutes is Lambda's longest timeout
		// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html): no caller
		// in a stage waits longer, and 20000000000000 ms would overflow to ~49 years.
		{"latency beyond the maximum", "lambda:x", fault.Rule{Latency: fault.MaxLatency + time.Millisecond}, "between 0 and 15m0s"},
		{"negative rate", "lambda:x", fault.Rule{ErrorRate: -0.1}, "between 0 and 1"},
		{"rate not a number", "lambda:x", fault.Rule{ErrorRate: math.NaN()}, "between 0 and 1"},
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

func TestPutAcceptsTheMaximumLatency(t *testing.T) {
	var s fault.Set
	require.NoError(t, s.Put("payment", fault.Rule{Latency: fault.MaxLatency}))
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name     string
		on       []string
		remove   string
		wantErr  string
		wantLeft []string
	}{
		{"an existing fault", []string{"payment", "lambda:orders"}, "payment", "", []string{"lambda:orders"}},
		{"a typo names the faults that are on and leaves them on", []string{"payment"}, "paymnet",
			`no fault is on on "paymnet"; the faults on are: payment`, []string{"payment"}},
		{"nothing on", nil, "payment", "the faults on are: none", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s fault.Set
			for _, r := range tt.on {
				require.NoError(t, s.Put(r, fault.Rule{Throttle: true}))
			}
			err := s.Remove(tt.remove)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.True(t, errors.Is(err, fault.ErrNoFault))
				assert.Contains(t, err.Error(), tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantLeft, s.Names())
		})
	}
}

func TestChangedIsClosedOnEveryChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(*fault.Set)
	}{
		{"put", func(s *fault.Set) { _ = s.Put("lambda:b", fault.Rule{Throttle: true}) }},
		{"remove", func(s *fault.Set) { _ = s.Remove("lambda:a") }},
		{"clear one", func(s *fault.Set) { s.Clear("lambda:a") }},
		{"clear all", func(s *fault.Set) { s.Clear("") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s fault.Set
			require.NoError(t, s.Put("lambda:a", fault.Rule{Latency: time.Minute}))
			ch := s.Changed()
			select {
			case <-ch:
				t.Fatal("closed before any change")
			default:
			}
			tt.change(&s)
			select {
			case <-ch:
			default:
				t.Fatal("not closed by the change")
			}
			assert.NotEqual(t, ch, s.Changed(), "a fresh channel for the next change")
		})
	}
	t.Run("a failed remove changes nothing", func(t *testing.T) {
		var s fault.Set
		ch := s.Changed()
		require.Error(t, s.Remove("payment"))
		select {
		case <-ch:
			t.Fatal("closed without a change")
		default:
		}
	})
}
