package loadgen

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// emulatorEvents is the emulator's AppSync Events service with one Event API ("orders"
// namespace, one key) behind an httptest server: its real-time URL, key and a publisher.
func emulatorEvents(t *testing.T) (wsURL, key string, publish func(channel, event string)) {
	t.Helper()
	env := &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Test", Latency: latency.Zero(), Metrics: &metrics.Registry{}}
	svc := appsync.New(env)
	provision := func(id, typ, js string) sim.Physical {
		var props map[string]any
		require.NoError(t, json.Unmarshal([]byte(js), &props))
		phys, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: id, Type: typ}, props)
		require.NoError(t, err)
		return phys
	}
	apiID := provision("Api", appsync.TypeAPI, `{"Name": "shop", "EventConfig": {"AuthProviders": [{"AuthType": "API_KEY"}],
		"ConnectionAuthModes": [{"AuthType": "API_KEY"}], "DefaultPublishAuthModes": [{"AuthType": "API_KEY"}],
		"DefaultSubscribeAuthModes": [{"AuthType": "API_KEY"}]}}`).Attrs["ApiId"].(string)
	provision("Orders", appsync.TypeChannelNamespace, `{"ApiId": "`+apiID+`", "Name": "orders"}`)
	key = provision("Key", appsync.TypeAPIKey, `{"ApiId": "`+apiID+`"}`).Attrs["ApiKey"].(string)
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = svc.Close() })
	_, wsURL = svc.Endpoints(apiID, srv.URL)
	publish = func(channel, event string) {
		in, _ := json.Marshal(appsync.CallPublishInput{APIID: apiID, Channel: channel, Events: []string{event}})
		_, err := svc.Call(context.Background(), "Publish", in)
		assert.NoError(t, err)
	}
	return wsURL, key, publish
}

func TestRunFollowsOrdersOverTheEmulatorsAppSync(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		maxSubs int
	}{
		// https://docs.aws.amazon.com/general/latest/gr/appsync.html: 100 subscriptions per
		// connection by default; about 150 orders are open at once, so a second connection opens.
		{name: "the client's limit matches the service's", maxSubs: 0},
		// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html:
		// past its limit the service answers subscribe_error MaxSubscriptionsReachedError.
		{name: "the service's limit is learnt from its refusal", maxSubs: 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wsURL, key, publish := emulatorEvents(t)
			stage := &eventStage{publish: publish, steps: []step{{"paid", 500 * time.Millisecond}, {"ready", 2500 * time.Millisecond}}}
			srv := stage.start(t)
			cfg := testConfig(srv, testProfile(2, 5, flat(75, 2)...))
			cfg.Profile.GraceS = 5
			cfg.Tracking = Tracking{Terminal: []string{"ready", "failed"}, Milestones: []string{"paid", "ready"},
				Events: &EventsConfig{RealtimeURL: wsURL, APIKey: key, MaxSubscriptions: tt.maxSubs}}

			res := mustRun(t, cfg)

			assert.Equal(t, 150, res.Completed)
			assert.Zero(t, res.Lost)
			assert.Zero(t, stage.gets.Load(), "every order followed by its events alone")
			require.NotNil(t, res.Events)
			assert.Equal(t, Events{Orders: 150, Received: 300, Connections: 2}, *res.Events)
			assert.InDelta(t, 2500, res.MilestonesMS["ready"].P50, 300)
		})
	}
}
