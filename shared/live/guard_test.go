package live_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The dashboard starts load and switches faults: a page of another origin must not drive it (a
// fetch with no preflight still reaches the server), nor a page whose domain resolves to this
// machine (DNS rebinding). Its own page and curl keep working.
func TestDashboardRefusesOtherOriginsAndHosts(t *testing.T) {
	srv := dashboard(t)
	self := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name    string
		method  string
		path    string
		host    string
		headers []string
		want    int
	}{
		{name: "its own page", method: http.MethodGet, path: "/api/metrics", headers: []string{"Origin", srv.URL, "Sec-Fetch-Site", "same-origin"}, want: http.StatusOK},
		{name: "curl", method: http.MethodDelete, path: "/api/faults", want: http.StatusNoContent},
		{name: "another origin clears the faults", method: http.MethodDelete, path: "/api/faults", headers: []string{"Origin", "https://evil.example"}, want: http.StatusForbidden},
		{name: "another origin starts load", method: http.MethodPost, path: "/api/load?profile=steady", headers: []string{"Origin", "http://127.0.0.1:4566"}, want: http.StatusForbidden},
		{name: "a cross-site request without Origin", method: http.MethodGet, path: "/api/metrics", headers: []string{"Sec-Fetch-Site", "cross-site"}, want: http.StatusForbidden},
		{name: "DNS rebinding", method: http.MethodGet, path: "/api/metrics", host: "evil.example:" + strings.Split(self, ":")[1], want: http.StatusForbidden},
		{name: "an AWS host name is not the dashboard's", method: http.MethodGet, path: "/", host: "emulator.internal", want: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), tt.method, srv.URL+tt.path, nil)
			require.NoError(t, err)
			if tt.host != "" {
				req.Host = tt.host
			}
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
}
