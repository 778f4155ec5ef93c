package offline

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// eventsTemplate is an Event API with an "orders" namespace and an API key, as the CDK's
// EventApi synthesizes it.
const eventsTemplate = `{"Resources": {
  "Events": {"Type": "AWS::AppSync::Api", "Properties": {"Name": "shop-events", "EventConfig": {
    "AuthProviders": [{"AuthType": "API_KEY"}], "ConnectionAuthModes": [{"AuthType": "API_KEY"}],
    "DefaultPublishAuthModes": [{"AuthType": "API_KEY"}], "DefaultSubscribeAuthModes": [{"AuthType": "API_KEY"}]}}},
  "Orders": {"Type": "AWS::AppSync::ChannelNamespace", "Properties": {"ApiId": {"Fn::GetAtt": ["Events", "ApiId"]}, "Name": "orders"}},
  "Key": {"Type": "AWS::AppSync::ApiKey", "Properties": {"ApiId": {"Fn::GetAtt": ["Events", "ApiId"]}}}
}}`

func TestFollowEvents(t *testing.T) {
	tests := []struct {
		name     string
		template string
		want     bool
	}{
		// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html:
		// subscribers connect to wss://<realtime domain>/event/realtime with an API key.
		{name: "a stage with an Event API is followed over its WebSocket", template: eventsTemplate, want: true},
		{name: "a stage without one is polled", template: `{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, err := emulator.New(emulator.Stage{Name: "00-test", StackName: "Shop", Template: []byte(tt.template)},
				emulator.Options{Latency: latency.Zero(), Addr: eventsAddr})
			require.NoError(t, err)
			t.Cleanup(func() { _ = emu.Close() })
			var cfg loadgen.Config
			var log strings.Builder
			require.NoError(t, followEvents(context.Background(), emu, &cfg, &log))
			if !tt.want {
				assert.Nil(t, cfg.Tracking.Events)
				assert.Empty(t, emu.URL(), "no listener without an Event API")
				return
			}
			ev := cfg.Tracking.Events
			require.NotNil(t, ev)
			assert.Regexp(t, `^ws://127\.0\.0\.1:\d+/appsync/[a-z0-9]+/event/realtime$`, ev.RealtimeURL)
			assert.Equal(t, strings.TrimPrefix(emu.URL(), "http://"), ev.HTTPHost)
			assert.True(t, strings.HasPrefix(ev.APIKey, "da2-"), ev.APIKey)
			assert.Contains(t, log.String(), ev.RealtimeURL)
		})
	}
}

func TestEventsFlags(t *testing.T) {
	tests := []struct {
		name    string
		flags   eventsFlags
		target  string
		wantErr string
		wantURL string
	}{
		{name: "none: polling", target: "https://x/prod"},
		{name: "URL and key against a target", flags: eventsFlags{url: "wss://a.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime", key: "da2-k"},
			target: "https://x/prod", wantURL: "wss://a.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime"},
		{name: "offline", flags: eventsFlags{url: "wss://a/event/realtime", key: "k"}, wantErr: "for -target runs"},
		{name: "URL without key", flags: eventsFlags{url: "wss://a/event/realtime"}, target: "https://x/prod", wantErr: "go together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.flags.check(tt.target)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.wantURL == "" {
				assert.Nil(t, tt.flags.config())
				return
			}
			require.NotNil(t, tt.flags.config())
			assert.Equal(t, tt.wantURL, tt.flags.config().RealtimeURL)
		})
	}
}
