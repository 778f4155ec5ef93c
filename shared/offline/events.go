package offline

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// eventsAddr is where the load command's emulator listens when the stage has an AppSync Event
// API: the load tool subscribes over a real WebSocket, which the in-process transport cannot
// carry. The API's own requests stay in-process.
const eventsAddr = "127.0.0.1:0"

// eventAPI returns the appsync service and the stage's Event API with a usable key: the first
// API by name that has one.
func eventAPI(emu *emulator.Emulator) (svc *appsync.Service, apiID, key string) {
	for _, s := range emu.Services() {
		as, ok := s.(*appsync.Service)
		if !ok {
			continue
		}
		for _, api := range as.Model().APIs() {
			for _, k := range api.Keys() {
				if k.Expires.IsZero() || k.Expires.After(time.Now()) {
					return as, api.ID, k.Key
				}
			}
		}
		if apis := as.Model().APIs(); len(apis) > 0 {
			// A stage that outputs its key (04's EventsApiKey) but whose key the model lacks.
			if k, ok := emu.Outputs()["EventsApiKey"].(string); ok && k != "" {
				return as, apis[0].ID, k
			}
		}
	}
	return nil, "", ""
}

// eventsTracking is how the load tool follows orders over the stage's live status channels in a
// listening emulator: nil when the stage has no Event API or the emulator does not listen.
func eventsTracking(emu *emulator.Emulator) *loadgen.EventsConfig {
	svc, apiID, key := eventAPI(emu)
	if svc == nil || emu.URL() == "" {
		return nil
	}
	httpURL, realtimeURL := svc.Endpoints(apiID, emu.URL())
	host := ""
	if u, err := url.Parse(httpURL); err == nil {
		host = u.Host
	}
	return &loadgen.EventsConfig{RealtimeURL: realtimeURL, HTTPHost: host, APIKey: key}
}

// eventsFlags are the load command's flags for following a deployed stage's orders over its
// AppSync Events channels instead of polling.
type eventsFlags struct{ url, key string }

func (f *eventsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "events-url", "", "with -target: the stage's AppSync Events real-time URL (its EventsRealtimeUrl output, wss://…/event/realtime); "+
		"accepted orders are then followed by subscribing to their channel, as the customer's phone does, instead of polling GET /orders/{id} (the default against -target; "+
		"in the emulator the stage's Event API is used whenever it has one)")
	fs.StringVar(&f.key, "events-key", "", "with -events-url: the Event API's key (the stage's EventsApiKey output)")
}

// check refuses the flags where they do not apply.
func (f *eventsFlags) check(target string) error {
	switch {
	case f.url == "" && f.key == "":
		return nil
	case target == "":
		return errors.New("-events-url and -events-key are for -target runs; in the emulator the stage's Event API is subscribed to by itself")
	case f.url == "" || f.key == "":
		return errors.New("-events-url and -events-key go together: the real-time URL and the key (the stage's EventsRealtimeUrl and EventsApiKey outputs)")
	}
	return nil
}

// config is the tracking the flags ask for against a deployed stage; nil means polling.
func (f *eventsFlags) config() *loadgen.EventsConfig {
	if f.url == "" {
		return nil
	}
	return &loadgen.EventsConfig{RealtimeURL: f.url, APIKey: f.key}
}

// followEvents makes the load tool follow orders over the stage's Event API when it has one:
// the emulator starts listening (eventsAddr) and cfg subscribes there.
func followEvents(ctx context.Context, emu *emulator.Emulator, cfg *loadgen.Config, stderr io.Writer) error {
	if svc, _, _ := eventAPI(emu); svc == nil {
		return nil
	}
	if err := emu.Start(ctx); err != nil {
		return fmt.Errorf("listen for the AppSync Events WebSocket: %w", err)
	}
	cfg.Tracking.Events = eventsTracking(emu)
	if cfg.Tracking.Events == nil {
		return nil
	}
	fmt.Fprintf(stderr, "orders are followed over AppSync Events at %s\n", cfg.Tracking.Events.RealtimeURL)
	return nil
}
