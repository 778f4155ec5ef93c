// Package docs holds the project's documentation. Its only Go code is this test: a link checker
// over every Markdown file of the repository, so that a renamed file, a moved heading or a link
// typed by hand cannot silently break what a reader clicks. `make test` runs it.
package docs

import (
	"bufio"
	"bytes"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// linkPattern finds Markdown inline links and images: [text](target) and ![alt](target). A
// title after the target ("… "title"") is dropped.
var linkPattern = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)

// htmlAnchor finds explicit anchors (<a id="x"> or name="x") that a link may point at.
var htmlAnchor = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)

// TestRelativeLinks checks every relative link of every Markdown file: the file it points at
// exists, and its #anchor names a heading (by GitHub's slug rules) or an HTML anchor there.
// Links to the web (http, https, mailto) are not followed: the tests run offline.
func TestRelativeLinks(t *testing.T) {
	root := filepath.Join("..")
	files := markdownFiles(t, root)
	require.NotEmpty(t, files, "no Markdown files found under the repository root")
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		a := headingAnchors(body)
		anchors[path] = a
		return a
	}
	checked := 0
	for _, file := range files {
		body, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, link := range links(body) {
			target := link.target
			if u, err := url.Parse(target); err == nil && u.Scheme != "" {
				continue // the web, mailto: not checked offline
			}
			path, anchor, _ := strings.Cut(target, "#")
			path, err := url.PathUnescape(path)
			if !assert.NoError(t, err, "%s:%d: link %q: bad escape", rel(root, file), link.line, target) {
				continue
			}
			dest := file
			if path != "" {
				dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
				if strings.HasPrefix(path, "/") {
					dest = filepath.Join(root, filepath.FromSlash(path))
				}
				info, err := os.Stat(dest)
				if !assert.NoError(t, err, "%s:%d: link %q points at a file that does not exist", rel(root, file), link.line, target) {
					continue
				}
				if info.IsDir() || !strings.EqualFold(filepath.Ext(dest), ".md") {
					// A line link into the repo's own code points at another line after the
					// next edit above it: name the function or constant instead.
					assert.False(t, strings.HasPrefix(anchor, "L") && isLineRange(anchor[1:]),
						"%s:%d: link %q: a line number into the repo's code drifts with every edit; link the file and name the function or constant", rel(root, file), link.line, target)
					anchor = "" // a folder or a non-Markdown file: no anchors to check
				}
			}
			checked++
			if anchor == "" || strings.HasPrefix(anchor, "L") && isLineRange(anchor[1:]) {
				continue // GitHub's #L12 and #L12-L20 line links point at a line, not a heading
			}
			assert.True(t, anchorsOf(dest)[strings.ToLower(anchor)],
				"%s:%d: link %q: %s has no heading or anchor %q", rel(root, file), link.line, target, rel(root, dest), anchor)
		}
	}
	t.Logf("%d relative links checked in %d Markdown files", checked, len(files))
}

// TestSlugs pins the heading-to-anchor rules the checker relies on to GitHub's behaviour:
// lower case, punctuation dropped, spaces to hyphens, and -1, -2, … for repeated headings
// (https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#section-links).
func TestSlugs(t *testing.T) {
	tests := []struct {
		markdown string
		want     []string
	}{
		{"# Measured: 03 vs 04\n", []string{"measured-03-vs-04"}},
		{"## The morning rush, measured\n", []string{"the-morning-rush-measured"}},
		{"## What `make demo` does\n", []string{"what-make-demo-does"}},
		{"## Deploy notes\n## Deploy notes\n", []string{"deploy-notes", "deploy-notes-1"}},
		{"```\n# not a heading\n```\n## Real\n", []string{"real"}},
		{"## Cost — per 1,000 orders\n", []string{"cost--per-1000-orders"}},
		{"<a id=\"faults\"></a>\n", []string{"faults"}},
	}
	for _, tt := range tests {
		t.Run(tt.markdown, func(t *testing.T) {
			got := headingAnchors([]byte(tt.markdown))
			assert.Len(t, got, len(tt.want))
			for _, w := range tt.want {
				assert.True(t, got[w], "anchor %q missing from %v", w, got)
			}
		})
	}
}

type link struct {
	target string
	line   int
}

// links returns the inline links outside code blocks and code spans.
func links(body []byte) []link {
	var out []link
	inFence := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range linkPattern.FindAllStringSubmatch(stripCodeSpans(line), -1) {
			out = append(out, link{target: m[1], line: n})
		}
	}
	return out
}

// headingAnchors returns the anchors GitHub makes for a file's headings, plus explicit HTML anchors.
func headingAnchors(body []byte) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			out[strings.ToLower(m[1])] = true
		}
		text, ok := strings.CutPrefix(line, "#")
		if !ok {
			continue
		}
		text = strings.TrimLeft(text, "#")
		if !strings.HasPrefix(text, " ") {
			continue
		}
		slug := slugify(strings.TrimSpace(text))
		if n := seen[slug]; n > 0 {
			out[slug+"-"+strconv.Itoa(n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// slugify follows GitHub: lower case; letters, digits, spaces, hyphens and underscores kept;
// spaces become hyphens; everything else (punctuation, backticks, emoji) is dropped.
func slugify(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 127 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func stripCodeSpans(line string) string {
	var b strings.Builder
	in := false
	for _, r := range line {
		if r == '`' {
			in = !in
			continue
		}
		if !in {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var lineRange = regexp.MustCompile(`^\d+(-L\d+)?$`)

func isLineRange(s string) bool { return lineRange.MatchString(s) }

// markdownFiles lists the repository's Markdown files, skipping what is not the project's own
// (the CDK CLI's node_modules, cloud assemblies, hidden folders).
func markdownFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "cdk.out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".md") {
			out = append(out, path)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}
