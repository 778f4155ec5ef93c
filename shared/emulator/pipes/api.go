package pipes

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

// apiPrefix is where the Pipes REST API lives (pipes-reference: /v1/pipes/{Name}).
const apiPrefix = "/v1/pipes"

// maxRequestBody bounds a request body.
const maxRequestBody = 1 << 20

// Serves reports whether a request is for the Pipes API (path /v1/pipes…).
func (s *Service) Serves(r *http.Request) bool {
	return r.URL.Path == apiPrefix || strings.HasPrefix(r.URL.Path, apiPrefix+"/")
}

// ServeHTTP answers the Pipes REST-JSON API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux().ServeHTTP(w, r)
}

func (s *Service) mux() *http.ServeMux {
	s.muxOnce.Do(func() {
		m := http.NewServeMux()
		m.HandleFunc("GET "+apiPrefix, s.handleList)
		m.HandleFunc("POST "+apiPrefix+"/{Name}", s.handleCreate)
		m.HandleFunc("GET "+apiPrefix+"/{Name}", s.handle(func(r *http.Request, name string) (any, error) {
			d, err := s.Describe(name)
			if err != nil {
				return nil, err
			}
			return full(d), nil
		}))
		m.HandleFunc("PUT "+apiPrefix+"/{Name}", s.handleUpdate)
		m.HandleFunc("DELETE "+apiPrefix+"/{Name}", s.handle(func(r *http.Request, name string) (any, error) {
			d, err := s.Delete(name)
			return brief(d), err
		}))
		m.HandleFunc("POST "+apiPrefix+"/{Name}/start", s.handle(func(r *http.Request, name string) (any, error) {
			d, err := s.Start(name)
			return brief(d), err
		}))
		m.HandleFunc("POST "+apiPrefix+"/{Name}/stop", s.handle(func(r *http.Request, name string) (any, error) {
			d, err := s.Stop(name)
			return brief(d), err
		}))
		m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, sim.Errorf(http.StatusNotFound, "UnknownOperationException", "the emulator's Pipes API has no operation %s %s", r.Method, r.URL.Path))
		})
		s.httpMux = m
	})
	return s.httpMux
}

// briefOutput is what CreatePipe, UpdatePipe, StartPipe, StopPipe and DeletePipe answer.
type briefOutput struct {
	Arn              string      `json:"Arn"`
	Name             string      `json:"Name"`
	DesiredState     string      `json:"DesiredState"`
	CurrentState     string      `json:"CurrentState"`
	CreationTime     json.Number `json:"CreationTime"`
	LastModifiedTime json.Number `json:"LastModifiedTime"`
}

func brief(d Description) briefOutput {
	return briefOutput{Arn: d.Arn, Name: d.Name, DesiredState: d.DesiredState, CurrentState: d.CurrentState,
		CreationTime: epoch(d.CreationTime), LastModifiedTime: epoch(d.LastModifiedTime)}
}

// fullOutput is DescribePipe's answer.
type fullOutput struct {
	Description
	CreationTime     json.Number `json:"CreationTime"`
	LastModifiedTime json.Number `json:"LastModifiedTime"`
}

func full(d Description) fullOutput {
	return fullOutput{Description: d, CreationTime: epoch(d.CreationTime), LastModifiedTime: epoch(d.LastModifiedTime)}
}

// listEntry is one pipe of ListPipes.
type listEntry struct {
	Arn              string      `json:"Arn"`
	Name             string      `json:"Name"`
	DesiredState     string      `json:"DesiredState"`
	CurrentState     string      `json:"CurrentState"`
	StateReason      string      `json:"StateReason,omitempty"`
	Source           string      `json:"Source"`
	Enrichment       string      `json:"Enrichment,omitempty"`
	Target           string      `json:"Target"`
	CreationTime     json.Number `json:"CreationTime"`
	LastModifiedTime json.Number `json:"LastModifiedTime"`
}

func (s *Service) handle(f func(r *http.Request, name string) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := f(r, r.PathValue("Name"))
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, out)
	}
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(r)
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := s.Create(r.Context(), in)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, brief(d))
}

func (s *Service) handleUpdate(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(r)
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := s.Update(r.Context(), in)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, brief(d))
}

func readInput(r *http.Request) (Input, error) {
	var in Input
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return in, err
	}
	if len(body) > maxRequestBody {
		return in, sim.Errorf(http.StatusRequestEntityTooLarge, "ValidationException", "the request body exceeds %d bytes", maxRequestBody)
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return in, &ValidationError{Message: "the request body is not valid: " + err.Error()}
		}
	}
	in.Name = r.PathValue("Name")
	return in, nil
}

func (s *Service) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := ListFilter{NamePrefix: q.Get("NamePrefix"), SourcePrefix: q.Get("SourcePrefix"), TargetPrefix: q.Get("TargetPrefix"),
		CurrentState: q.Get("CurrentState"), DesiredState: q.Get("DesiredState"), NextToken: q.Get("NextToken")}
	if l := q.Get("Limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			writeError(w, invalidField("Limit", "Limit %q is not a number", l))
			return
		}
		if n < 1 {
			writeError(w, rangeError("Limit", n, 1, 100))
			return
		}
		f.Limit = n
	}
	ds, next, err := s.List(f)
	if err != nil {
		writeError(w, err)
		return
	}
	out := struct {
		Pipes     []listEntry `json:"Pipes"`
		NextToken string      `json:"NextToken,omitempty"`
	}{Pipes: make([]listEntry, 0, len(ds)), NextToken: next}
	for _, d := range ds {
		out.Pipes = append(out.Pipes, listEntry{Arn: d.Arn, Name: d.Name, DesiredState: d.DesiredState, CurrentState: d.CurrentState,
			StateReason: d.StateReason, Source: d.Source, Enrichment: d.Enrichment, Target: d.Target,
			CreationTime: epoch(d.CreationTime), LastModifiedTime: epoch(d.LastModifiedTime)})
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", awsjson.RequestID())
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers an error in the REST-JSON shape: X-Amzn-ErrorType names the exception
// and the body carries "message" (and "fieldList" for a ValidationException).
func writeError(w http.ResponseWriter, err error) {
	body := map[string]any{}
	status, code := http.StatusInternalServerError, "InternalException"
	var ve *ValidationError
	var ae *sim.APIError
	switch {
	case errors.As(err, &ve):
		status, code = http.StatusBadRequest, "ValidationException"
		body["message"] = ve.Message
		if len(ve.Fields) > 0 {
			body["fieldList"] = ve.Fields
		}
	case errors.As(err, &ae):
		status, code = ae.Status, ae.Code
		body["message"] = ae.Message
	default:
		body["message"] = err.Error()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("X-Amzn-RequestId", awsjson.RequestID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
