package loadgen

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Subscriber receives, over the emulator's AppSync Events, the statuses published to its
// channel after Subscribe returns (in any order: AppSync Events does not promise one) and
// nothing of other channels or without a status; after Close, Next reports the dropped
// connection.
func TestSubscriberFollowsOneChannel(t *testing.T) {
	t.Parallel()
	wsURL, key, publish := emulatorEvents(t)
	s, err := NewSubscriber(EventsConfig{RealtimeURL: wsURL, APIKey: key})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	sub, err := s.Subscribe(ctx, "/orders/o-1")
	require.NoError(t, err)
	publish("/orders/o-2", `{"status":"paid"}`)
	publish("/orders/o-1", `{"note":"no status"}`)
	publish("/orders/o-1", `{"status":"paid"}`)
	publish("/orders/o-1", `{"status":"ready"}`)
	var got []string
	for range 2 {
		status, err := sub.Next(ctx)
		require.NoError(t, err)
		got = append(got, status)
	}
	assert.ElementsMatch(t, []string{"paid", "ready"}, got)
	publish("/orders/o-1", `{"status":"late"}`)
	status, err := sub.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "late", status, "nothing else came")
	sub.Close()

	other, err := s.Subscribe(ctx, "/orders/o-3")
	require.NoError(t, err)
	s.Close()
	_, err = other.Next(ctx)
	assert.ErrorIs(t, err, ErrSubscriptionDropped)
}

func TestNewSubscriberChecksItsConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  EventsConfig
		want string
	}{
		{"no URL", EventsConfig{APIKey: "k"}, "RealtimeURL is empty"},
		{"not a WebSocket URL", EventsConfig{RealtimeURL: "http://127.0.0.1/event/realtime", APIKey: "k"}, "must be an absolute ws or wss URL"},
		{"no key", EventsConfig{RealtimeURL: "ws://127.0.0.1/event/realtime"}, "APIKey is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSubscriber(tt.cfg)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}
