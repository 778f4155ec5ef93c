package report

import (
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const resultsDir = "testdata/results"

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./shared/report -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs: run go test ./shared/report -update and review the diff", path)
}

// stageTree makes a repository root with a README per stage; content maps a stage to its README
// ("" leaves the stage without one).
func stageTree(t testing.TB, content map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for stage, readme := range content {
		require.NoError(t, os.MkdirAll(filepath.Join(root, stage), 0o755))
		if readme != "" {
			require.NoError(t, os.WriteFile(filepath.Join(root, stage, "README.md"), []byte(readme), 0o644))
		}
	}
	return root
}

const markedReadme = "# 03-crisis\n\nThe story.\n\n## Measured\n\n" + beginMarker + "\nold numbers\n" + endMarker + "\n\n## Deploy\n\nmake deploy\n"

func TestBuildGolden(t *testing.T) {
	root := stageTree(t, map[string]string{
		"01-monolith": "# 01-monolith\n\nNo markers here.\n",
		"03-crisis":   markedReadme,
	})
	docs := filepath.Join(root, "docs")

	rep, err := Build(resultsDir, docs, root)
	require.NoError(t, err)

	md, err := os.ReadFile(filepath.Join(docs, "results.md"))
	require.NoError(t, err)
	golden(t, "results.md.golden", md)
	for _, name := range []string{"latency-morning-rush.svg", "timeline-morning-rush.svg", "comparison-morning-rush.svg", "seconds-03-crisis-morning-rush.svg"} {
		svg, err := os.ReadFile(filepath.Join(docs, "charts", name))
		require.NoError(t, err)
		golden(t, name+".golden", svg)
	}
	readme, err := os.ReadFile(filepath.Join(root, "03-crisis", "README.md"))
	require.NoError(t, err)
	golden(t, "readme-03-crisis.md.golden", readme)

	assert.Equal(t, []string{filepath.Join(root, "03-crisis", "README.md")}, rep.READMEs)
	assert.Equal(t, []Skipped{
		{filepath.Join(root, "01-monolith", "README.md"), "no " + beginMarker + " … " + endMarker + " block"},
		{filepath.Join(root, "02-split", "README.md"), "no README"},
		{filepath.Join(root, "04-refactor", "README.md"), "no README"},
		{filepath.Join(root, "05-global", "README.md"), "no README"},
	}, rep.Skipped)
	assert.Equal(t, filepath.Join(docs, "results.md"), rep.Written[0])
	assert.Contains(t, rep.Written, filepath.Join(docs, "charts", "cost-morning-rush.svg"))
	assert.NotContains(t, rep.Written, filepath.Join(docs, "charts", "cost-holiday-spike.svg"), "no cost was measured against a URL")
	assert.NotContains(t, rep.Written, filepath.Join(docs, "charts", "timeline-smoke.svg"), "smoke results have no timeline")
	assert.Len(t, rep.Results, 12)
}

func TestBuildIsDeterministic(t *testing.T) {
	t.Parallel()
	read := func() map[string]string {
		root := stageTree(t, map[string]string{"03-crisis": markedReadme})
		docs := filepath.Join(root, "docs")
		rep, err := Build(resultsDir, docs, root)
		require.NoError(t, err)
		files := map[string]string{}
		for _, path := range append(rep.Written, rep.READMEs...) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			rel, err := filepath.Rel(root, path)
			require.NoError(t, err)
			files[rel] = string(data)
		}
		return files
	}
	assert.Equal(t, read(), read())
}

func TestChartsAreSelfContainedSVG(t *testing.T) {
	t.Parallel()
	results, err := ReadDir(resultsDir)
	require.NoError(t, err)
	charts := buildCharts(results)
	require.NotEmpty(t, charts)
	for _, c := range charts {
		t.Run(c.file, func(t *testing.T) {
			dec := xml.NewDecoder(strings.NewReader(string(c.svg)))
			var root xml.StartElement
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err, "the SVG must be well-formed XML")
				if se, ok := tok.(xml.StartElement); ok && root.Name.Local == "" {
					root = se
				}
			}
			assert.Equal(t, "svg", root.Name.Local)
			assert.Contains(t, string(c.svg), `viewBox="0 0 `)
			assert.Contains(t, string(c.svg), `fill="#ffffff"`, "a white background keeps it readable on a dark theme")
			for _, banned := range []string{"<script", "@import", "<image", "href="} {
				assert.NotContains(t, string(c.svg), banned)
			}
		})
	}
}

func TestBuildLeavesEverythingAloneOnBadMarkers(t *testing.T) {
	t.Parallel()
	bad := "# 03-crisis\n" + beginMarker + "\n" + beginMarker + "\n" + endMarker + "\n"
	root := stageTree(t, map[string]string{"03-crisis": bad})
	docs := filepath.Join(root, "docs")

	_, err := Build(resultsDir, docs, root)

	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(root, "03-crisis", "README.md"))
	assert.NoFileExists(t, filepath.Join(docs, "results.md"))
	got, err := os.ReadFile(filepath.Join(root, "03-crisis", "README.md"))
	require.NoError(t, err)
	assert.Equal(t, bad, string(got))
}

func TestBuildRefreshIsIdempotent(t *testing.T) {
	t.Parallel()
	root := stageTree(t, map[string]string{"03-crisis": markedReadme})
	docs := filepath.Join(root, "docs")
	path := filepath.Join(root, "03-crisis", "README.md")

	_, err := Build(resultsDir, docs, root)
	require.NoError(t, err)
	first, err := os.ReadFile(path)
	require.NoError(t, err)
	_, err = Build(resultsDir, docs, root)
	require.NoError(t, err)
	second, err := os.ReadFile(path)
	require.NoError(t, err)

	assert.Equal(t, string(first), string(second))
	assert.True(t, strings.HasPrefix(string(second), "# 03-crisis\n\nThe story.\n\n## Measured\n\n"+beginMarker+"\n"))
	assert.True(t, strings.HasSuffix(string(second), endMarker+"\n\n## Deploy\n\nmake deploy\n"))
	assert.NotContains(t, string(second), "old numbers")
	assert.Contains(t, string(second), "[results.md](../docs/results.md)")
}
