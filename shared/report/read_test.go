package report

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeResults puts files (name → content) in a new directory and returns it.
func writeResults(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

func TestReadDirErrors(t *testing.T) {
	t.Parallel()
	const good = `{"stage": "01-monolith", "profile": "smoke"}`
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{"no files", map[string]string{"notes.txt": "x"}, []string{"no result files"}},
		{"malformed JSON", map[string]string{"bad.json": "{\n  \"stage\": \"01-monolith\",\n  \"profile\": smoke\n}"},
			[]string{"bad.json", "line 3", "invalid character"}},
		{"wrong type", map[string]string{"typed.json": "{\n\"stage\": \"01-monolith\",\n\"lost\": \"none\"\n}"},
			[]string{"typed.json", "line 3", "lost"}},
		{"empty file", map[string]string{"empty.json": ""}, []string{"empty.json", "unexpected end of JSON input"}},
		{"missing stage", map[string]string{"nostage.json": `{"profile": "smoke"}`}, []string{"nostage.json", "stage is missing"}},
		{"missing profile", map[string]string{"noprofile.json": `{"stage": "01-monolith"}`}, []string{"noprofile.json", "profile is missing"}},
		{"stage is a path", map[string]string{"path.json": `{"stage": "../etc", "profile": "smoke"}`}, []string{"path.json", `stage "../etc"`}},
		{"rate is a percentage", map[string]string{"rate.json": `{"stage": "01-monolith", "profile": "smoke", "failure_rate": 3.1}`},
			[]string{"rate.json", "failure_rate must be a fraction between 0 and 1, got 3.1"}},
		{"negative latency", map[string]string{"lat.json": `{"stage": "01-monolith", "profile": "smoke", "latency_ms": {"p99": -1}}`},
			[]string{"lat.json", "latency_ms.p99 must not be negative"}},
		{"negative cost", map[string]string{"cost.json": `{"stage": "01-monolith", "profile": "smoke", "cost_usd_per_1k_orders": -0.1}`},
			[]string{"cost.json", "cost_usd_per_1k_orders must not be negative"}},
		{"negative second", map[string]string{"tl.json": `{"stage": "01-monolith", "profile": "smoke", "timeline": [{"t_s": 0}, {"t_s": -1}]}`},
			[]string{"tl.json", "timeline[1].t_s must not be negative"}},
		{"duplicate stage and profile", map[string]string{"a.json": good, "b.json": good},
			[]string{"b.json", "a.json", "stage 01-monolith, profile smoke"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeResults(t, tt.files)

			_, err := ReadDir(dir)

			require.Error(t, err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestReadDirMissingDirectory(t *testing.T) {
	t.Parallel()
	_, err := ReadDir(filepath.Join(t.TempDir(), "nowhere"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestReadDirNullFields(t *testing.T) {
	t.Parallel()
	dir := writeResults(t, map[string]string{"url.json": `{
		"stage": "02-split", "profile": "steady", "target": "https://example.com",
		"latency_ms": {"p50": 80, "p90": 150, "p99": 300},
		"end_to_end_ms": null, "lambda": null, "cost_usd_per_1k_orders": null, "timeline": null,
		"environment": {"cores": 2}
	}`})

	results, err := ReadDir(dir)

	require.NoError(t, err)
	require.Len(t, results, 1)
	r := results[0]
	assert.Nil(t, r.Lambda)
	assert.Nil(t, r.CostPer1k)
	cells := rowCells(append([]column{stageColumn}, comparisonColumns...), r)
	assert.Equal(t, []string{"02-split", dash, "80", dash, "300", "0.0%", "0.0%", "0", dash, dash, dash, dash, dash, dash, dash}, cells)
	assert.Equal(t, "`make demo` · date unknown · 2 cores · no latency model: measured at https://example.com · seed 0",
		provenanceOf(results).line(codeSpan))
}

func TestReadDirOrder(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	// File names deliberately sort differently from the report order.
	for i, sp := range [][2]string{
		{"05-global", "holiday-spike"}, {"01-monolith", "zz-soak"}, {"03-crisis", "morning-rush"},
		{"01-monolith", "morning-rush"}, {"02-split", "steady"}, {"04-refactor", "smoke"},
		{"01-monolith", "a-cold"}, {"02-split", "smoke"},
	} {
		files[string(rune('a'+i))+".json"] = `{"stage": "` + sp[0] + `", "profile": "` + sp[1] + `"}`
	}
	dir := writeResults(t, files)

	results, err := ReadDir(dir)

	require.NoError(t, err)
	var got []string
	for _, r := range results {
		got = append(got, r.Profile+"/"+r.Stage)
	}
	assert.Equal(t, []string{
		"smoke/02-split", "smoke/04-refactor", "steady/02-split", "morning-rush/01-monolith",
		"morning-rush/03-crisis", "holiday-spike/05-global", "a-cold/01-monolith", "zz-soak/01-monolith",
	}, got)
	assert.Equal(t, []string{"smoke", "steady", "morning-rush", "holiday-spike", "a-cold", "zz-soak"}, profiles(results))
	assert.Equal(t, []string{"01-monolith", "02-split", "03-crisis", "04-refactor", "05-global"}, stages(results))
}
