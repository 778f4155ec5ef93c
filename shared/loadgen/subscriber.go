package loadgen

import (
	"context"
	"errors"
)

// Subscriber follows channels of an AppSync Events API with the load tool's own client: the
// same pooled WebSocket connections, protocol and authorization. BenchmarkOrder
// (shared/offline) follows orders with it the way load runs do, instead of polling.
type Subscriber struct{ pool *eventsPool }

// NewSubscriber checks cfg and returns a Subscriber that dials on its first subscription.
func NewSubscriber(cfg EventsConfig) (*Subscriber, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Subscriber{pool: newEventsPool(cfg)}, nil
}

// Close closes the connections; subscriptions still open end with ErrSubscriptionDropped.
func (s *Subscriber) Close() { s.pool.close() }

// Subscription is one channel subscribed to.
type Subscription struct{ sub *eventsSub }

// ErrSubscriptionDropped is Next's error once the subscription's connection has gone.
var ErrSubscriptionDropped = errors.New("events: the subscription's connection went away")

// Subscribe subscribes to channel and returns once the service has acknowledged it: events
// published to the channel from then on reach Next.
func (s *Subscriber) Subscribe(ctx context.Context, channel string) (*Subscription, error) {
	sub, err := s.pool.subscribe(ctx, channel)
	if err != nil {
		return nil, err
	}
	return &Subscription{sub: sub}, nil
}

// Next waits for the channel's next event that carries a status (an order's status event, as
// the stages publish them) and answers that status.
func (s *Subscription) Next(ctx context.Context) (string, error) {
	for {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-s.sub.dropped:
			return "", ErrSubscriptionDropped
		case raw := <-s.sub.events:
			if ev, ok := parseEvent(raw); ok {
				return ev.Status, nil
			}
		}
	}
}

// Close unsubscribes.
func (s *Subscription) Close() { s.sub.unsubscribe() }
