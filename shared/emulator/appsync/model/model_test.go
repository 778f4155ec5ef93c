package model_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync/model"
)

// Channel paths: up to five segments of 1–50 letters, digits and dashes, a trailing wildcard
// only when subscribing.
// https://docs.aws.amazon.com/appsync/latest/eventapi/channel-namespaces.html and
// https://docs.aws.amazon.com/appsync/latest/APIReference/API_ChannelNamespace.html
func TestParseChannel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		path     string
		wildcard bool
		want     string // normalised path, "" for an error
	}{
		{name: "namespace and channel", path: "/orders/42", want: "/orders/42"},
		{name: "no leading slash", path: "default/channel", want: "/default/channel"},
		{name: "five segments", path: "/a/b/c/d/e", want: "/a/b/c/d/e"},
		{name: "six segments", path: "/a/b/c/d/e/f"},
		{name: "50 characters", path: "/a/" + strings.Repeat("b", 50), want: "/a/" + strings.Repeat("b", 50)},
		{name: "51 characters", path: "/a/" + strings.Repeat("b", 51)},
		{name: "dashes inside", path: "/a/order-42", want: "/a/order-42"},
		{name: "leading dash", path: "/a/-42"},
		{name: "empty segment", path: "/a//b"},
		{name: "trailing slash", path: "/a/b/"},
		{name: "empty", path: ""},
		{name: "wildcard when publishing", path: "/a/*"},
		{name: "wildcard when subscribing", path: "/a/*", wildcard: true, want: "/a/*"},
		{name: "wildcard as sixth segment", path: "/a/b/c/d/e/*", wildcard: true},
		{name: "wildcard namespace", path: "/*", wildcard: true},
		{name: "wildcard in the middle", path: "/a/*/c", wildcard: true},
		{name: "partial wildcard", path: "/a/b*", wildcard: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := model.ParseChannel(tt.path, tt.wildcard)
			if tt.want == "" {
				require.NotNil(t, err)
				assert.Equal(t, model.ErrBadRequest, err.Type)
				assert.Equal(t, 400, err.Status)
				return
			}
			require.Nil(t, err)
			assert.Equal(t, tt.want, c.Path)
		})
	}
}

// A trailing wildcard matches one or more further segments.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-concepts.html
func TestChannelMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sub, pub string
		want     bool
	}{
		{"/orders/*", "/orders/42", true},
		{"/orders/*", "/orders/42/status", true},
		{"/orders/*", "/orders", false},
		{"/orders/*", "/payments/42", false},
		{"/orders/42", "/orders/42", true},
		{"/orders/42", "/orders/42/status", false},
		{"/orders/42/*", "/orders/43/status", false},
	}
	for _, tt := range tests {
		t.Run(tt.sub+" "+tt.pub, func(t *testing.T) {
			t.Parallel()
			sub, err := model.ParseChannel(tt.sub, true)
			require.Nil(t, err)
			pub, err := model.ParseChannel(tt.pub, false)
			require.Nil(t, err)
			assert.Equal(t, tt.want, sub.Matches(pub))
		})
	}
}

// Subscribers finds, through its index, exactly the subscriptions whose channel Matches the
// published one, and none that unsubscribed.
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-concepts.html
func TestSubscribersAgreeWithMatches(t *testing.T) {
	t.Parallel()
	m := model.New()
	api, err := m.CreateAPI("a1", "Events", "arn:aws:appsync:us-east-1:000000000000:apis/a1")
	require.NoError(t, err)
	for _, ns := range []string{"orders", "payments"} {
		require.NoError(t, api.AddNamespace(model.Namespace{Name: ns}))
	}
	paths := []string{"/orders/*", "/orders/42", "/orders/42/*", "/orders/42/status", "/orders/43", "/orders", "/payments/*", "/orders/42/status/x/*"}
	var subs []*model.Subscription
	for i, p := range append(paths, "/orders/42", "/orders/*") { // two subscriptions to the same channel
		ch, cerr := api.Channel(p, true)
		require.Nil(t, cerr, p)
		s := &model.Subscription{ID: fmt.Sprint(i), Channel: ch}
		api.Subscribe(s)
		subs = append(subs, s)
	}
	gone := subs[len(subs)-1]
	require.True(t, api.Unsubscribe(gone))
	require.False(t, api.Unsubscribe(gone), "only once")

	for _, p := range []string{"/orders/42", "/orders/42/status", "/orders/43", "/orders", "/orders/44/a/b", "/payments/1", "/orders/42/status/x/y"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			pub, cerr := api.Channel(p, false)
			require.Nil(t, cerr)
			var want []string
			for _, s := range subs {
				if s != gone && s.Channel.Matches(pub) {
					want = append(want, s.ID)
				}
			}
			var got []string
			for _, s := range api.Subscribers(pub, nil) {
				got = append(got, s.ID)
			}
			assert.ElementsMatch(t, want, got)
		})
	}
}

// A batch has 1–5 events, each a JSON value of at most 240 KB.
// https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html
func TestValidateEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		events []string
		ok     bool
	}{
		{name: "one object", events: []string{`{"a":1}`}, ok: true},
		{name: "scalars", events: []string{`1`, `"s"`, `true`, `null`, `[1]`}, ok: true},
		{name: "none", events: nil},
		{name: "six", events: []string{"1", "2", "3", "4", "5", "6"}},
		{name: "not JSON", events: []string{"{"}},
		{name: "240 KB", events: []string{`"` + strings.Repeat("x", model.MaxEventBytes-2) + `"`}, ok: true},
		{name: "over 240 KB", events: []string{`"` + strings.Repeat("x", model.MaxEventBytes-1) + `"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := model.ValidateEvents(tt.events)
			assert.Equal(t, tt.ok, err == nil, "%v", err)
		})
	}
}

// The hand-written check answers what the namespace name's documented pattern answers
// (https://docs.aws.amazon.com/appsync/latest/APIReference/API_ChannelNamespace.html).
func TestValidNamespaceNameIsItsPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$`)
	for _, name := range []string{
		"", "a", "Z", "9", "-", "a-", "-a", "a-b", "a--b", "orders", "default", "a_b", "a.b", "a b",
		"é", strings.Repeat("a", 49), strings.Repeat("a", 50), strings.Repeat("a", 51),
		"a" + strings.Repeat("-", 48) + "b", "a" + strings.Repeat("-", 49) + "b", "*",
	} {
		assert.Equal(t, pattern.MatchString(name), model.ValidNamespaceName(name), "%q", name)
	}
}
