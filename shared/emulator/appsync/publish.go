package appsync

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// maxPublishBody bounds a publish request: five events of 240 KB, escaped, and the envelope.
const maxPublishBody = 4 << 20

// published is one accepted event of a publish answer.
type published struct {
	Identifier string `json:"identifier"`
	Index      int    `json:"index"`
}

// failed is one refused event of a publish answer.
type failed struct {
	Identifier string `json:"identifier,omitempty"`
	Index      int    `json:"index"`
	Code       int    `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
}

// PublishResult is the answer to a publish (publish-http.html): the accepted events and the
// refused ones, each by its index in the request.
type PublishResult struct {
	Successful []published `json:"successful"`
	Failed     []failed    `json:"failed"`
}

// publishRequest is the body of an HTTP publish and the payload of a WebSocket publish.
type publishRequest struct {
	Channel string            `json:"channel"`
	Events  []json.RawMessage `json:"events"`
}

// eventStrings checks that every event is a JSON string and returns their contents.
func eventStrings(raw []json.RawMessage) ([]string, *model.Error) {
	out := make([]string, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, &model.Error{Type: model.ErrBadRequest, Status: http.StatusBadRequest, Message: fmt.Sprintf("Event at index %d must be a string holding a JSON value (a stringified event)", i)}
		}
	}
	return out, nil
}

// servePublish answers POST <http>/event with the API key in x-api-key.
func (s *Service) servePublish(w http.ResponseWriter, r *http.Request, api *model.API) {
	if err := api.Authorize(r.Header.Get("x-api-key"), s.env.Now()); err != nil {
		writeErrors(w, err.Status, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPublishBody+1))
	if err != nil || len(body) > maxPublishBody {
		writeErrors(w, http.StatusBadRequest, &model.Error{Type: model.ErrBadRequest, Message: "the request body could not be read or is too large"})
		return
	}
	var req publishRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeErrors(w, http.StatusBadRequest, &model.Error{Type: model.ErrBadRequest, Message: "the request body must be a JSON object {\"channel\": \"/namespace/channel\", \"events\": [\"<JSON value as a string>\"]}"})
		return
	}
	events, perr := eventStrings(req.Events)
	if perr == nil {
		var res PublishResult
		res, perr = s.publish(r.Context(), api, req.Channel, events)
		if perr == nil {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(res)
			return
		}
	}
	writeErrors(w, perr.Status, perr)
}

// publish validates a batch, answers with an identifier per event and delivers the events to
// the matching subscriptions in the background, as AWS accepts a publish before it fans out.
func (s *Service) publish(ctx context.Context, api *model.API, channel string, events []string) (PublishResult, *model.Error) {
	ch, err := api.Channel(channel, false)
	if err == nil {
		err = model.ValidateEvents(events)
	}
	if err != nil {
		return PublishResult{}, err
	}
	res := PublishResult{Successful: make([]published, len(events)), Failed: []failed{}}
	for i := range events {
		res.Successful[i] = published{Identifier: uuid.New(), Index: i}
	}
	s.count(api, "published_events", int64(len(events)))
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return res, nil
	}
	s.work.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.work.Done()
		s.deliver(context.WithoutCancel(ctx), api, ch, events)
	}()
	return res, nil
}

// deliver waits the modelled publish → subscriber latency, then hands every event to every
// matching subscription. An injected fault loses the batch, as a failed delivery would.
func (s *Service) deliver(ctx context.Context, api *model.API, ch model.Channel, events []string) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	_, hop, err := s.env.Begin(ctx, sim.NewID("appsync", api.Name), "Publish", s.component)
	if err != nil {
		hop.End(sim.OutcomeOf(err))
		s.count(api, "dropped_events", int64(len(events)))
		return
	}
	subs := api.Subscribers(ch, nil)
	var delivered, dropped int64
	for _, e := range events {
		b, _ := json.Marshal(e) // one JSON string shared by every subscriber's data message
		quoted := string(b)
		for _, sub := range subs {
			if sub.Deliver(sub, quoted) {
				delivered++
			} else {
				dropped++
			}
		}
	}
	s.count(api, "delivered_events", delivered)
	s.count(api, "dropped_events", dropped)
	hop.End(sim.OK)
}

// CallPublishInput is the input of Call's "Publish" operation: the API by ID or name, the
// channel and the events, each a JSON value as a string.
type CallPublishInput struct {
	APIID   string   `json:"ApiId,omitempty"`
	APIName string   `json:"ApiName,omitempty"`
	Channel string   `json:"Channel"`
	Events  []string `json:"Events"`
}

// Call publishes for another service in-process (EventBridge API destinations, Step
// Functions): op "Publish" with a CallPublishInput; the answer is the PublishResult JSON. No API
// key is needed, as an IAM-authorized caller needs none. Errors are *sim.APIError with the
// AppSync error type as Code.
func (s *Service) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	if op != "Publish" {
		return nil, sim.Errorf(http.StatusBadRequest, model.ErrUnsupported, "appsync: operation %q is not supported; the emulator publishes with \"Publish\"", op)
	}
	var in CallPublishInput
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, sim.Errorf(http.StatusBadRequest, model.ErrBadRequest, "appsync: Publish input: %v", err)
	}
	key := in.APIID
	if key == "" {
		key = in.APIName
	}
	api, ok := s.model.API(key)
	if !ok {
		return nil, sim.Errorf(http.StatusNotFound, model.ErrNotFound, "appsync: no Event API with ID or name %q", key)
	}
	res, perr := s.publish(ctx, api, in.Channel, in.Events)
	if perr != nil {
		return nil, sim.Errorf(perr.Status, perr.Type, "%s", perr.Message)
	}
	return json.Marshal(res)
}
