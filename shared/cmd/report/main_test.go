package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const result = `{
  "stage": "03-crisis", "profile": "morning-rush", "seed": 42, "target": "emulator",
  "started_at": "2025-06-02T07:03:00Z", "offered": 4000,
  "failure_rate": 0.031, "abandonment_rate": 0.229,
  "latency_ms": {"p50": 1900, "p90": 4800, "p95": 5200, "p99": 6400},
  "lost": 17,
  "lambda": {"functions": 42, "cold_starts": 388, "throttles": 1204, "timeouts": 311, "max_concurrency": 1000},
  "cost_usd_per_1k_orders": 0.3127,
  "timeline": [{"t_s": 0, "offered": 20, "ok": 20, "p50_ms": 600, "p99_ms": 2000}],
  "environment": {"cores": 2, "latency_model": "aws-2025.1", "command": "make demo"}
}`

// repo lays out a small repository: result files (name → content) in docs/results and a
// 03-crisis README with the measured markers.
func repo(t testing.TB, results map[string]string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "docs", "results"), 0o755))
	for name, content := range results {
		require.NoError(t, os.WriteFile(filepath.Join(root, "docs", "results", name), []byte(content), 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "03-crisis"), 0o755))
	readme := "# 03-crisis\n\n<!-- measured:begin -->\n<!-- measured:end -->\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, "03-crisis", "README.md"), []byte(readme), 0o644))
	return root
}

func runIn(t testing.TB, root string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr strings.Builder
	flags := []string{"-results", filepath.Join(root, "docs", "results"), "-docs", filepath.Join(root, "docs"), "-root", root}
	err := run(context.Background(), append(flags, args...), func(string) string { return "" }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestRun(t *testing.T) {
	t.Parallel()
	root := repo(t, map[string]string{"03-crisis-morning-rush.json": result})

	stdout, stderr, err := runIn(t, root, "-table")

	require.NoError(t, err)
	assert.Empty(t, stderr)
	docs := filepath.Join(root, "docs")
	assert.Equal(t, strings.Join([]string{
		"wrote " + filepath.Join(docs, "results.md"),
		"wrote " + filepath.Join(docs, "charts", "comparison-morning-rush.svg"),
		"wrote " + filepath.Join(docs, "charts", "latency-morning-rush.svg"),
		"wrote " + filepath.Join(docs, "charts", "timeline-morning-rush.svg"),
		"wrote " + filepath.Join(docs, "charts", "failures-morning-rush.svg"),
		"wrote " + filepath.Join(docs, "charts", "cost-morning-rush.svg"),
		"wrote " + filepath.Join(docs, "charts", "seconds-03-crisis-morning-rush.svg"),
		"refreshed " + filepath.Join(root, "03-crisis", "README.md"),
		"",
		"morning-rush — make demo · 2025-06-02 · 2 cores · latency model aws-2025.1 · seed 42",
		"stage      fns  p50 ms  p95 ms  p99 ms  failed  abandoned  lost  dup charges  owed  cold  throttles  timeouts  max conc  USD/1k",
		"03-crisis   42   1,900   5,200   6,400    3.1%      22.9%    17            –     –   388      1,204       311     1,000   0.313",
		"",
	}, "\n"), stdout)
	for _, path := range []string{"results.md", "charts/latency-morning-rush.svg"} {
		assert.FileExists(t, filepath.Join(docs, path))
	}
	readme, err := os.ReadFile(filepath.Join(root, "03-crisis", "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "| morning-rush |")
	assert.Contains(t, string(readme), "[results.md](../docs/results.md)")
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		results map[string]string
		args    []string
		want    []string
	}{
		{"no result files", nil, nil, []string{"no result files (*.json) in"}},
		{"malformed file", map[string]string{"broken.json": "{\"stage\": "}, nil, []string{"broken.json", "unexpected end of JSON input"}},
		{"bad field", map[string]string{"rate.json": `{"stage": "01-monolith", "profile": "smoke", "abandonment_rate": 23}`}, nil,
			[]string{"rate.json", "abandonment_rate must be a fraction between 0 and 1"}},
		{"unexpected argument", map[string]string{"ok.json": result}, []string{"docs"}, []string{`unexpected arguments ["docs"]`}},
		{"unknown flag", map[string]string{"ok.json": result}, []string{"-stage", "x"}, []string{"flag provided but not defined: -stage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := repo(t, tt.results)

			_, _, err := runIn(t, root, tt.args...)

			require.Error(t, err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.NoFileExists(t, filepath.Join(root, "docs", "results.md"), "bad input writes nothing")
		})
	}
}

func TestRunHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder

	err := run(context.Background(), []string{"-h"}, os.Getenv, &stdout, &stderr)

	require.NoError(t, err)
	assert.Contains(t, stderr.String(), "-results")
}
