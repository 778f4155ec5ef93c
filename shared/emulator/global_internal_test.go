package emulator

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The credential scope is the third field of Credential= (SigV4,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
func TestSignedRegion(t *testing.T) {
	tests := []struct {
		name, auth, query string
		want              string
		ok                bool
	}{
		{"header", "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=abc", "", "eu-west-1", true},
		{"presigned", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request", "us-east-1", true},
		{"unsigned", "", "", "", false},
		{"short scope", "AWS4-HMAC-SHA256 Credential=AKID/20260101", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "http://emulator.internal/?"+tt.query, nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			got, ok := signedRegion(r)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// BenchmarkGlobalRoute is the routing a Global adds to each request: reading the signature's
// region, or the API id of an unsigned invoke URL.
func BenchmarkGlobalRoute(b *testing.B) {
	eu, us := &region{name: "eu-west-1"}, &region{name: "us-east-1"}
	g := &Global{byName: map[string]*region{eu.name: eu, us.name: us}, owners: map[string]*region{"abcdefghij": us}}
	signed, _ := http.NewRequest(http.MethodPost, "http://emulator.internal/", nil)
	signed.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
	invoke, _ := http.NewRequest(http.MethodPost, "http://emulator.internal/restapis/abcdefghij/prod/_user_request_/orders", nil)
	for _, bb := range []struct {
		name string
		r    *http.Request
	}{{"signed", signed}, {"invoke URL", invoke}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if t, _, _ := g.route(bb.r, eu); t != us {
					b.Fatal("routed to", t.name)
				}
			}
		})
	}
}
