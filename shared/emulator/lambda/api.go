package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// functionNamePattern is the pattern Invoke, GetFunction and GetFunctionConfiguration document
// for FunctionName (a name, a partial or full ARN, each with an optional version or alias),
// 1–170 characters: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax.
const functionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

var functionNameRE = regexp.MustCompile("^" + functionNamePattern + "$")

// checkFunctionName refuses a FunctionName outside its documented constraints as AWS's request
// validation does, with a 400 ValidationException
// (https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html), before any lookup.
func checkFunctionName(name string) error {
	if len(name) < 1 || len(name) > 170 {
		return &apiError{status: http.StatusBadRequest, code: "ValidationException",
			msg: fmt.Sprintf("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 170", name)}
	}
	if !functionNameRE.MatchString(name) {
		return &apiError{status: http.StatusBadRequest, code: "ValidationException",
			msg: fmt.Sprintf("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", name, functionNamePattern)}
	}
	return nil
}

// qualifierOf is the version or alias a FunctionName or the Qualifier query parameter names:
// "f:prod", "123456789012:function:f:prod", "arn:aws:lambda:…:function:f:prod" or ?Qualifier=prod.
func qualifierOf(name string, r *http.Request) string {
	if _, after, ok := strings.Cut(name, "function:"); ok {
		name = after
	}
	if _, q, ok := strings.Cut(name, ":"); ok {
		return q
	}
	return r.URL.Query().Get("Qualifier")
}

// checkQualifier refuses a version or alias other than $LATEST with the 404 Lambda answers for
// a version or alias that does not exist, since the emulator has neither (Service.Call does the
// same for Env.Call).
func (s *Service) checkQualifier(name string, r *http.Request) error {
	q := qualifierOf(name, r)
	if q == "" || q == "$LATEST" {
		return nil
	}
	return &apiError{status: http.StatusNotFound, code: "ResourceNotFoundException",
		msg: fmt.Sprintf("Function not found: %s:%s (the emulator has no versions or aliases)", s.env.ARN("lambda", "function:"+functionName(name)), q)}
}

// ServeHTTP answers Lambda's REST-JSON API: Invoke (RequestResponse, Event, DryRun),
// ListFunctions, GetFunction, GetFunctionConfiguration and GetFunctionConcurrency.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// routes maps the REST API's paths (https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html)
// to their operations. A function name in a path may be an ARN, percent-encoded by the SDKs;
// PathValue decodes it.
func (s *Service) routes() *http.ServeMux {
	mux := http.NewServeMux()
	withFunction := func(serve func(w http.ResponseWriter, r *http.Request, f *Function)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if err := checkFunctionName(r.PathValue("name")); err != nil {
				writeError(w, err)
				return
			}
			if err := s.checkQualifier(r.PathValue("name"), r); err != nil {
				writeError(w, err)
				return
			}
			f, err := s.Lookup(r.PathValue("name"))
			if err != nil {
				writeError(w, err)
				return
			}
			serve(w, r, f)
		}
	}
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", func(w http.ResponseWriter, r *http.Request) {
		s.serveInvoke(w, r, r.PathValue("name"))
	})
	mux.HandleFunc("GET /2019-09-30/functions/{name}/concurrency", withFunction(func(w http.ResponseWriter, _ *http.Request, f *Function) {
		writeJSON(w, http.StatusOK, f.concurrency())
	}))
	mux.HandleFunc("GET /2015-03-31/functions", func(w http.ResponseWriter, _ *http.Request) { s.serveList(w) })
	mux.HandleFunc("GET /2015-03-31/functions/{$}", func(w http.ResponseWriter, _ *http.Request) { s.serveList(w) })
	mux.HandleFunc("GET /2015-03-31/functions/{name}", withFunction(func(w http.ResponseWriter, _ *http.Request, f *Function) {
		writeJSON(w, http.StatusOK, map[string]any{
			"Configuration": f.configuration(),
			"Code":          map[string]string{"RepositoryType": "Emulator", "Location": "in-process handler " + f.CDKPath},
			"Concurrency":   f.concurrency(),
		})
	}))
	mux.HandleFunc("GET /2015-03-31/functions/{name}/configuration", withFunction(func(w http.ResponseWriter, _ *http.Request, f *Function) {
		writeJSON(w, http.StatusOK, f.configuration())
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{status: http.StatusBadRequest, code: "InvalidRequestContentException",
			msg: fmt.Sprintf("the emulator's Lambda API does not support %s %s (supported: Invoke, ListFunctions, GetFunction, GetFunctionConfiguration, GetFunctionConcurrency)", r.Method, r.URL.Path)})
	})
	return mux
}

func (s *Service) serveInvoke(w http.ResponseWriter, r *http.Request, name string) {
	if err := checkFunctionName(name); err != nil {
		writeError(w, err)
		return
	}
	if err := s.checkQualifier(name, r); err != nil {
		writeError(w, err)
		return
	}
	typ := r.Header.Get("X-Amz-Invocation-Type")
	limit := MaxSyncPayload
	switch typ {
	case "", "RequestResponse", "DryRun":
	case "Event":
		limit = MaxAsyncPayload
	default:
		writeError(w, &apiError{status: http.StatusBadRequest, code: "InvalidParameterValueException",
			msg: fmt.Sprintf("X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got %q", typ)})
		return
	}
	// A payload over the limit is refused as Lambda refuses it, 413 RequestTooLargeException,
	// from its Content-Length when it announces one, else once the limit is read: the rest of
	// the body is never buffered.
	tooLarge := func(size int64) {
		writeError(w, &PayloadTooLargeError{Size: int(size), Limit: limit, Event: typ == "Event"})
	}
	if r.ContentLength > int64(limit) {
		tooLarge(r.ContentLength)
		return
	}
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(limit)))
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		tooLarge(int64(limit) + 1)
		return
	case err != nil:
		writeError(w, &apiError{status: http.StatusBadRequest, code: "InvalidRequestContentException", msg: "the request body could not be read: " + err.Error()})
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		writeError(w, &apiError{status: http.StatusBadRequest, code: "InvalidRequestContentException", msg: "Could not parse request body into json: the payload is not valid JSON"})
		return
	}
	switch typ {
	case "", "RequestResponse":
		res, err := s.Invoke(r.Context(), name, payload)
		if err != nil {
			writeError(w, err)
			return
		}
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.Header().Set("X-Amzn-Requestid", res.RequestID)
		if res.FunctionError != "" {
			w.Header().Set("X-Amz-Function-Error", res.FunctionError)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(res.Payload)
	case "Event":
		id, err := s.InvokeAsync(r.Context(), name, payload)
		if err != nil {
			writeError(w, err)
			return
		}
		w.Header().Set("X-Amzn-Requestid", id)
		w.WriteHeader(http.StatusAccepted)
	case "DryRun":
		if _, err := s.Lookup(name); err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Service) serveList(w http.ResponseWriter) {
	fs := s.Functions()
	out := make([]map[string]any, len(fs))
	for i, f := range fs {
		out[i] = f.configuration()
	}
	writeJSON(w, http.StatusOK, map[string]any{"Functions": out})
}

func (f *Function) configuration() map[string]any {
	env := map[string]any{"Variables": f.Environment}
	if f.Environment == nil {
		env["Variables"] = map[string]string{}
	}
	return map[string]any{
		"FunctionName":  f.Name,
		"FunctionArn":   f.ARN,
		"Runtime":       f.Runtime,
		"Handler":       f.Handler,
		"Architectures": []string{f.Architecture},
		"MemorySize":    f.MemoryMB,
		"Timeout":       int(f.Timeout / time.Second),
		"Environment":   env,
		"Version":       "$LATEST",
		"State":         "Active",
		"PackageType":   "Zip",
		"LastModified":  "1970-01-01T00:00:00.000+0000",
		"Description":   f.Description,
	}
}

func (f *Function) concurrency() map[string]any {
	if f.Reserved == nil {
		return map[string]any{}
	}
	return map[string]any{"ReservedConcurrentExecutions": *f.Reserved}
}

type apiError struct {
	status    int
	code, msg string
	reason    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

// writeError answers with Lambda's error shape: the type in X-Amzn-ErrorType and a JSON body.
func writeError(w http.ResponseWriter, err error) {
	ae := &apiError{status: http.StatusInternalServerError, code: "ServiceException", msg: err.Error()}
	var (
		te  *ThrottleError
		nf  *NotFoundError
		big *PayloadTooLargeError
	)
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &te):
		ae = &apiError{status: http.StatusTooManyRequests, code: "TooManyRequestsException", msg: "Rate Exceeded.", reason: te.Reason}
		w.Header().Set("Retry-After", "1")
	case errors.As(err, &nf):
		ae = &apiError{status: http.StatusNotFound, code: "ResourceNotFoundException", msg: nf.Error()}
	case errors.As(err, &big):
		ae = &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestTooLargeException", msg: big.Error()}
	}
	w.Header().Set("X-Amzn-ErrorType", ae.code)
	// Lambda names every answer, errors too, so that a failed call can be found in its logs.
	w.Header().Set("X-Amzn-Requestid", newRequestID())
	body := map[string]string{"Type": "User", "message": ae.msg}
	if ae.status >= 500 {
		body["Type"] = "Service"
	}
	if ae.reason != "" {
		body["Reason"] = ae.reason
	}
	writeJSON(w, ae.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
