package sqspoll

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The typed requests encode to the same bytes as the maps the pollers of esm and pipes sent
// before they shared this package, HTML-escaping included.
func TestRequestsEncodeAsTheMapsDid(t *testing.T) {
	url := "http://emulator.internal/000000000000/a<b>&c"
	got, _ := json.Marshal(receiveInput{MaxNumberOfMessages: 7, MessageAttributeNames: all,
		MessageSystemAttributeNames: all, QueueURL: url, WaitTimeSeconds: 20})
	want, _ := json.Marshal(map[string]any{
		"QueueUrl":                    url,
		"MaxNumberOfMessages":         7,
		"WaitTimeSeconds":             20,
		"MessageSystemAttributeNames": []string{"All"},
		"MessageAttributeNames":       []string{"All"},
	})
	assert.Equal(t, string(want), string(got))

	got, _ = json.Marshal(deleteInput{QueueURL: url, Entries: []deleteEntry{{ID: "0", ReceiptHandle: "h<0>"}, {ID: "1", ReceiptHandle: "h-1"}}})
	want, _ = json.Marshal(map[string]any{"QueueUrl": url, "Entries": []map[string]string{
		{"Id": "0", "ReceiptHandle": "h<0>"}, {"Id": "1", "ReceiptHandle": "h-1"}}})
	assert.Equal(t, string(want), string(got))
}
