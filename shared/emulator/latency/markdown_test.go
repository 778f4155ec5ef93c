package latency_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite docs/latency-model.md from model.json")

// TestMarkdownDocIsCurrent keeps docs/latency-model.md in step with model.json.
func TestMarkdownDocIsCurrent(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, latency.Default(1).WriteMarkdown(&b))
	path := filepath.Join("..", "..", "..", "docs", "latency-model.md")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run: go test ./shared/emulator/latency -update")
	assert.Equal(t, string(want), b.String(), "docs/latency-model.md is stale: run go test ./shared/emulator/latency -update")
}
