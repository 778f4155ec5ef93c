package loadgen_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/cost-model.md from prices.json")

// TestCostDocIsCurrent keeps docs/cost-model.md in step with prices.json.
func TestCostDocIsCurrent(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, loadgen.WriteCostMarkdown(&b))
	path := filepath.Join("..", "..", "docs", "cost-model.md")
	if *updateDocs {
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run: go test ./shared/loadgen -run CostDoc -update")
	assert.Equal(t, string(want), b.String(), "docs/cost-model.md is stale: go test ./shared/loadgen -run CostDoc -update")
}
