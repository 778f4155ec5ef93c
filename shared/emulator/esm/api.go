package esm

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// apiPrefix is where Lambda's REST API keeps event source mappings.
const apiPrefix = "/2015-03-31/event-source-mappings"

// Serves reports whether a request is for the event source mapping API.
func (s *Service) Serves(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, apiPrefix)
}

// ServeHTTP answers Create/Get/List/Update/DeleteEventSourceMapping as Lambda's REST-JSON API
// does (status 202 for create, update and delete).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, apiPrefix), "/")
	switch {
	case rest == "" && r.Method == http.MethodPost:
		var in Input
		if err := readJSON(r, &in); err != nil {
			writeError(w, err)
			return
		}
		c, err := s.Create(r.Context(), in)
		answer(w, http.StatusAccepted, c, err)
	case rest == "" && r.Method == http.MethodGet:
		q := r.URL.Query()
		all := s.List(q.Get("FunctionName"), q.Get("EventSourceArn"))
		start, _ := strconv.Atoi(q.Get("Marker"))
		maxItems, _ := strconv.Atoi(q.Get("MaxItems"))
		if maxItems <= 0 || maxItems > 100 {
			maxItems = 100
		}
		start = min(max(start, 0), len(all))
		end := min(start+maxItems, len(all))
		out := map[string]any{"EventSourceMappings": nonNilConfigs(all[start:end])}
		if end < len(all) {
			out["NextMarker"] = strconv.Itoa(end)
		}
		writeJSON(w, http.StatusOK, out)
	case rest != "" && !strings.Contains(rest, "/"):
		switch r.Method {
		case http.MethodGet:
			c, err := s.Get(rest)
			answer(w, http.StatusOK, c, err)
		case http.MethodPut:
			var in Input
			if err := readJSON(r, &in); err != nil {
				writeError(w, err)
				return
			}
			c, err := s.Update(r.Context(), rest, in)
			answer(w, http.StatusAccepted, c, err)
		case http.MethodDelete:
			c, err := s.Delete(rest)
			answer(w, http.StatusAccepted, c, err)
		default:
			writeError(w, sim.Errorf(http.StatusMethodNotAllowed, "InvalidRequestContentException", "%s is not allowed on an event source mapping", r.Method))
		}
	default:
		writeError(w, sim.Errorf(http.StatusNotFound, "ResourceNotFoundException", "no such event source mapping API path %s %s", r.Method, r.URL.Path))
	}
}

func nonNilConfigs(c []Config) []Config {
	if c == nil {
		return []Config{}
	}
	return c
}

func readJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return sim.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "reading the request body: %v", err)
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return sim.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: %v", err)
	}
	return nil
}

func answer(w http.ResponseWriter, status int, c Config, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, status, c)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", awsjson.RequestID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in Lambda's error shape: {"Type": "User", "message": …} with the code in
// X-Amzn-ErrorType.
func writeError(w http.ResponseWriter, err error) {
	var e *sim.APIError
	if !errors.As(err, &e) {
		e = awsjson.AsAPIError(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.Header().Set("X-Amzn-RequestId", awsjson.RequestID())
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	typ := "User"
	if status >= 500 {
		typ = "Service"
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": typ, "message": e.Message})
}
