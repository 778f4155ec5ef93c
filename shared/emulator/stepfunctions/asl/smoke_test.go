package asl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSmoke(t *testing.T) {
	r := run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"B"},"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`, `{"in":true}`, runConfig{})
	assert.Equal(t, "SUCCEEDED", r.Status, r.Cause)
	t.Log(string(r.Output), r.types())
}
