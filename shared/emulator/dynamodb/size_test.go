package dynamodb_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A request over 16 MB is refused with a ValidationException before any of it is decoded, as
// DynamoDB rejects a BatchWriteItem whose "total request size exceeds 16 MB"
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html), whether
// the length is announced or the body simply runs on (chunked); up to 16 MB is read.
func TestRequestOver16MB(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	over := `{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"` + strings.Repeat("x", 16<<20) + `"}}}}]}}`
	tests := []struct {
		name          string
		body          io.Reader
		contentLength int64
		wantStatus    int
		wantType      string
	}{
		{"announced over 16 MB", strings.NewReader(over), int64(len(over)), 400, "ValidationException"},
		{"chunked over 16 MB", io.MultiReader(strings.NewReader(over)), -1, 400, "ValidationException"},
		{"up to 16 MB is read and parsed: not a size error", bytes.NewReader(bytes.Repeat([]byte(" "), 16<<20-2)), 16<<20 - 2, 400, "SerializationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", tt.body)
			req.ContentLength = tt.contentLength
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810.BatchWriteItem")
			req.Header.Set("Authorization", testAuth)
			w := httptest.NewRecorder()
			svc.ServeHTTP(w, req)
			require.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			assert.Contains(t, w.Body.String(), "#"+tt.wantType)
			if tt.wantType == "ValidationException" {
				assert.Contains(t, w.Body.String(), "The total request size exceeds 16 MB")
			}
		})
	}
}
