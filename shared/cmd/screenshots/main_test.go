package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlags: bad invocations fail before any browser starts, with a message saying what to pass.
func TestFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-script", "nope", "-out", t.TempDir()}, `-script "nope": want crisis or cure`},
		{[]string{"-script", "crisis"}, "-out is required"},
		{[]string{"-bogus"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error()+stderr.String(), tt.want)
			assert.Empty(t, stdout.String())
		})
	}
}

// TestScriptsWaitForWhatThePageShows: every moment of every script has a screenshot name, a line
// for the presenter, a condition to wait for and a bound, so no moment is a bare sleep.
func TestScriptsWaitForWhatThePageShows(t *testing.T) {
	for name, moments := range scripts {
		seen := map[string]bool{}
		for _, m := range moments {
			assert.NotEmpty(t, m.name, name)
			assert.False(t, seen[m.name], "%s: %s twice", name, m.name)
			seen[m.name] = true
			assert.NotEmpty(t, m.say, "%s/%s", name, m.name)
			assert.NotEmpty(t, m.until, "%s/%s", name, m.name)
			assert.Positive(t, m.limit, "%s/%s", name, m.name)
		}
	}
}
