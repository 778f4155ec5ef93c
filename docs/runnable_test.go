package docs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A shell block in a stage README's "Run it offline" section carries one of two markers on the
// line before its fence:
//
//	<!-- runnable -->                    the test runs the block from the repository root and wants exit 0
//	<!-- not runnable: <why> -->         the test leaves it alone; the reason says why
//
// so a command the docs give cannot silently stop working, and a new block cannot be added
// without saying whether it is checked. Only blocks that finish in seconds, offline and without
// a server, are marked runnable; docs/README.md lists the kinds that are not.
var (
	runnableMarker    = "<!-- runnable -->"
	notRunnableMarker = regexp.MustCompile(`^<!-- not runnable: (.+\S) -->$`)
	offlineSection    = "## Run it offline"
)

// shellBlock is one fenced shell block: where it starts, its marker line and its commands.
type shellBlock struct {
	file   string
	line   int // the fence's line, 1-based
	marker string
	body   string
}

// offlineBlocks returns the shell blocks of a README's offline section.
func offlineBlocks(file, doc string) []shellBlock {
	lines := strings.Split(doc, "\n")
	var out []shellBlock
	in := false
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		if strings.HasPrefix(l, "## ") {
			in = l == offlineSection
			continue
		}
		if !in || !(l == "```sh" || l == "```bash" || l == "```shell") {
			continue
		}
		b := shellBlock{file: file, line: i + 1}
		if i > 0 {
			b.marker = strings.TrimSpace(lines[i-1])
		}
		var body []string
		for i++; i < len(lines) && strings.TrimRight(lines[i], "\r") != "```"; i++ {
			body = append(body, lines[i])
		}
		b.body = strings.Join(body, "\n")
		out = append(out, b)
	}
	return out
}

func TestOfflineBlocksAreMarked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		want      []string // each block's marker
	}{
		{"marked both ways", "## Run it offline\n\n<!-- runnable -->\n```sh\nmake help\n```\n\n<!-- not runnable: serves until Ctrl-C -->\n```sh\nmake local\n```\n",
			[]string{runnableMarker, "<!-- not runnable: serves until Ctrl-C -->"}},
		{"other sections are not the offline section", "## Deploy it\n\n```sh\nmake deploy\n```\n", nil},
		{"an unmarked block", "## Run it offline\n\nText.\n```sh\nmake load\n```\n## Deploy it\n", []string{"Text."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, b := range offlineBlocks("x.md", tt.doc) {
				got = append(got, b.marker)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestRunnableBlocks runs every block marked runnable in the stage READMEs' offline sections and
// checks that every other block there says why it is not run.
func TestRunnableBlocks(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	readmes, err := filepath.Glob(filepath.Join(root, "[0-9][0-9]-*", "README.md"))
	require.NoError(t, err)
	var runnable []shellBlock
	for _, path := range readmes {
		doc, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, b := range offlineBlocks(rel(root, path), string(doc)) {
			switch {
			case b.marker == runnableMarker:
				runnable = append(runnable, b)
			case notRunnableMarker.MatchString(b.marker):
			default:
				t.Errorf("%s:%d: a shell block in %q has neither %s nor <!-- not runnable: <why> --> on the line before it",
					b.file, b.line, offlineSection, runnableMarker)
			}
		}
	}
	require.NotEmpty(t, runnable, "no block marked runnable in any stage README")
	if testing.Short() {
		t.Skip("runs the blocks marked runnable (go run compiles each stage); skipped with -short")
	}
	for _, b := range runnable {
		t.Run(fmt.Sprintf("%s:%d", b.file, b.line), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-eo", "pipefail", "-c", b.body)
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s:%d:\n%s\n---\n%s", b.file, b.line, b.body, out)
			assert.NotEmpty(t, strings.TrimSpace(string(out)), "a runnable block prints what the reader should see")
		})
	}
}
