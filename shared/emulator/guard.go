package emulator

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/kitchen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// The timeouts of every server on a loopback port (the emulator's and the dashboard's). A client
// that announces a large body and stalls is cut off at ReadTimeout, which is long enough for
// API Gateway's 10 MB payload on loopback; no WriteTimeout, since a synchronous Lambda invoke may
// answer after 15 minutes.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	IdleTimeout       = 120 * time.Second
)

// NewServer is the http.Server of a loopback port: h behind Guard, with the timeouts above
// (readTimeout 0 means ReadTimeout; tests shorten it).
func NewServer(h http.Handler, readTimeout time.Duration) *http.Server {
	if readTimeout <= 0 {
		readTimeout = ReadTimeout
	}
	return &http.Server{Handler: h, ReadHeaderTimeout: min(ReadHeaderTimeout, readTimeout),
		ReadTimeout: readTimeout, IdleTimeout: IdleTimeout}
}

// Guard keeps a loopback server for the local machine's own clients. A web page the user
// visits can send requests to 127.0.0.1 (a form POST or a text/plain fetch needs no CORS
// preflight), and a page whose domain is made to resolve to 127.0.0.1 (DNS rebinding) even
// reads the answers. So Guard refuses, with 403 and a message saying why:
//   - a Host that is not a loopback name (localhost, *.localhost, 127.0.0.0/8, [::1], any port,
//     and sync-localhost, the name a client gives localhost for a host-prefixed API) or a name
//     the emulator's own clients use (emulator.internal, payment.internal,
//     kitchen.internal, *.amazonaws.com, none of which a page can point at this machine);
//   - a request from a browser page of another origin: an Origin header that is not the
//     server's own (http://<Host>), or, without one, a Sec-Fetch-Site other than same-origin
//     or none — unless CrossOrigin says AWS serves it cross-origin.
//
// The AWS CLI, boto3 and the SDKs send neither Origin nor Sec-Fetch-Site and are not affected.
type Guard struct {
	Handler http.Handler
	// Name is what the messages call the server ("the emulator", "the dashboard").
	Name string
	// AWSHosts accepts the internal and AWS host names as well as loopback ones.
	AWSHosts bool
	// CrossOrigin reports whether AWS itself answers this request from a page of origin (""
	// when the browser sent only Sec-Fetch-Site): an API's CORS configuration, AppSync Events.
	// Nil: nothing is served cross-origin.
	CrossOrigin func(r *http.Request, origin string) bool
}

func (g Guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if msg := g.refusal(r); msg != "" {
		refuse(w, msg)
		return
	}
	g.Handler.ServeHTTP(w, r)
}

// refusal is why a request is refused, "" if it is not.
func (g Guard) refusal(r *http.Request) string {
	if !g.hostAllowed(r.Host) {
		return fmt.Sprintf("Host %q is not a loopback name: %s answers only requests addressed to localhost, 127.0.0.1 or [::1] (any port), "+
			"so that a web page whose domain resolves to this machine (DNS rebinding) cannot drive it; use http://127.0.0.1:<port>/ as the URL", r.Host, g.Name)
	}
	origin := r.Header.Get("Origin")
	site := r.Header.Get("Sec-Fetch-Site")
	switch {
	case origin != "":
		if sameOrigin(origin, r.Host) {
			return ""
		}
	case site == "" || site == "same-origin" || site == "none":
		return "" // not from a browser page, or typed into the address bar
	}
	if g.CrossOrigin != nil && g.CrossOrigin(r, origin) {
		return ""
	}
	from := "a page of another origin"
	if origin != "" {
		from = fmt.Sprintf("a page of origin %s", origin)
	}
	return fmt.Sprintf("cross-origin request refused: %s %s comes from %s, and %s takes requests only from its own pages (http://%s) and from clients that are not browsers "+
		"(the AWS CLI, the SDKs, curl); open the page from http://%s/ itself, or call the API without a browser", r.Method, r.URL.Path, from, g.Name, r.Host, r.Host)
}

// hostAllowed reports whether a Host header names this machine for the guard.
func (g Guard) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true // browsers resolve these to loopback themselves (RFC 6761)
	}
	if host == "sync-localhost" {
		// Step Functions' StartSyncExecution and TestState carry the host prefix "sync-", which
		// the AWS CLI and boto3 put in front of --endpoint-url's host; docs/emulator.md has
		// users map this name to 127.0.0.1 in /etc/hosts. A single-label name no public DNS
		// answers, so no page can be served from it.
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	if !g.AWSHosts {
		return false
	}
	switch host {
	case internalHost, payment.InternalHost, kitchen.InternalHost: // appsync.InternalHost is internalHost
		return true
	}
	return strings.HasSuffix(host, ".amazonaws.com")
}

// sameOrigin reports whether origin is http://host, the server's own origin (port 80 may be
// left out of either).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" || u.Host == "" || u.Path != "" {
		return false
	}
	return strings.EqualFold(withPort(u.Host), withPort(host))
}

func withPort(host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	if strings.HasPrefix(host, "[") || strings.Count(host, ":") == 0 {
		return host + ":80"
	}
	return host
}

// refuse answers 403 in a shape every caller reads: AWS's JSON error (__type, message, Message),
// x-amzn-ErrorType, and "error" as the admin API and the dashboard write it.
func refuse(w http.ResponseWriter, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", "AccessDeniedException")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "AccessDeniedException", "message": msg, "Message": msg, "error": msg})
}
