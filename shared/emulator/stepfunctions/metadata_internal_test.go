package stepfunctions

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An optimized integration's answer carries the HTTP metadata of the service's response: every
// header twice, as a value and as a one-element list, and one request id in both places.
func TestSDKMetadataShape(t *testing.T) {
	out := map[string]any{}
	sdkMetadata(out, 42)
	meta, ok := out["SdkHttpMetadata"].(map[string]any)
	require.True(t, ok)
	headers, ok := meta["HttpHeaders"].(map[string]any)
	require.True(t, ok)
	all, ok := meta["AllHttpHeaders"].(map[string]any)
	require.True(t, ok)
	assert.Equal(t, json.Number("200"), meta["HttpStatusCode"])
	assert.Equal(t, "42", headers["Content-Length"])
	assert.Equal(t, "application/x-amz-json-1.0", headers["Content-Type"])
	for name, v := range headers {
		assert.Equal(t, []any{v}, all[name], name)
	}
	assert.Len(t, all, len(headers))
	assert.Equal(t, map[string]any{"RequestId": headers["x-amzn-RequestId"]}, out["SdkResponseMetadata"])
	_, err := time.Parse(http.TimeFormat, headers["Date"].(string))
	assert.NoError(t, err)
}

func TestHTTPDateIsOfItsSecond(t *testing.T) {
	base := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string
	}{
		{base, "Sun, 06 Dec 2026 21:00:00 GMT"},
		{base.Add(999 * time.Millisecond), "Sun, 06 Dec 2026 21:00:00 GMT"},
		{base.Add(time.Second), "Sun, 06 Dec 2026 21:00:01 GMT"},
		{base.In(time.FixedZone("CET", 3600)), "Sun, 06 Dec 2026 21:00:00 GMT"},
		{base.Add(-time.Hour), "Sun, 06 Dec 2026 20:00:00 GMT"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, httpDate(tt.at), tt.at)
	}
}
