package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cpupart"
)

// inProcess is an http.RoundTripper that hands the request straight to the emulator's router: no
// socket, no HTTP parsing. SDK clients built from Emulator.Config use it.
type inProcess struct {
	handler http.Handler
}

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil {
		req.Body = http.NoBody
	}
	if req.RequestURI == "" {
		req.RequestURI = req.URL.RequestURI()
	}
	rec := &recorder{header: http.Header{}}
	cpupart.EnterEmulator()
	t.handler.ServeHTTP(rec, req)
	cpupart.Return(req.Context())
	// As net/http does, a caller that gave up gets its context's error, not whatever the service
	// answered after noticing.
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	body := rec.body.Bytes()
	rec.header.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status:        strconv.Itoa(rec.status) + " " + http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// recorder is a minimal http.ResponseWriter (httptest.ResponseRecorder does more work than the
// hot path needs).
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
