package kitchen

import (
	"encoding/json"
	"io"
	"net/http"
)

// Handler serves the kitchen's wire API:
//
//	POST /tickets     a Ticket → 202 {"order_id", "status": "queued"}; 400 {"message"} when invalid
//	GET  /stats       Stats
type Handler struct{ k *Kitchen }

// NewHandler serves k.
func NewHandler(k *Kitchen) *Handler { return &Handler{k: k} }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == TicketsPath && r.Method == http.MethodPost:
		body, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "reading the ticket: " + err.Error()})
			return
		}
		var t Ticket
		if err := json.Unmarshal(body, &t); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "the ticket is not valid JSON: " + err.Error()})
			return
		}
		if err := h.k.Accept(t); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"order_id": t.OrderID, "status": "queued"})
	case r.URL.Path == StatsPath && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, h.k.Stats())
	case r.URL.Path == TicketsPath || r.URL.Path == StatsPath:
		w.Header().Set("Allow", map[bool]string{true: "POST", false: "GET"}[r.URL.Path == TicketsPath])
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": r.Method + " is not allowed on " + r.URL.Path})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "no such kitchen path " + r.URL.Path + " (try POST " + TicketsPath + ")"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
