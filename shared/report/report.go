package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// Report says what Build read and wrote.
type Report struct {
	Results []*loadgen.Result // the results read, in report order
	Written []string          // results.md and the charts, in the order written
	READMEs []string          // stage READMEs whose measured block was refreshed
	Skipped []Skipped         // stage READMEs left alone
}

// Skipped is a stage README that Build left alone, and why.
type Skipped struct {
	Path   string
	Reason string
}

// Build reads the result files in resultsDir and writes docsDir/results.md, the charts in
// docsDir/charts, and the measured block of <repoRoot>/<stage>/README.md for every stage with
// results. A README without the measured markers (or no README) is skipped, not an error;
// malformed markers are. Nothing is written unless every input is good.
func Build(resultsDir, docsDir, repoRoot string) (Report, error) {
	results, err := ReadDir(resultsDir)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Results: results}

	type file struct {
		path string
		data []byte
	}
	var files []file
	charts := buildCharts(results)
	sweep, err := readSweep(resultsDir)
	if err != nil {
		return Report{}, err
	}
	capacity := capacityCharts(sweep)
	spread, err := readSpread(resultsDir)
	if err != nil {
		return Report{}, err
	}
	md := resultsMarkdown(results, charts) + spreadMarkdown(spread) + capacityMarkdown(sweep, capacity)
	files = append(files, file{filepath.Join(docsDir, "results.md"), []byte(md)})
	for _, c := range append(charts, capacity...) {
		files = append(files, file{filepath.Join(docsDir, "charts", c.file), c.svg})
	}

	// READMEs are checked before anything is written, so a bad marker leaves the docs as they were.
	var readmes []file
	for _, stage := range stages(results) {
		path := filepath.Join(repoRoot, stage, "README.md")
		data, err := readmeWith(results, stage, path, docsDir)
		switch {
		case errors.Is(err, errNoMarkers):
			rep.Skipped = append(rep.Skipped, Skipped{path, "no " + beginMarker + " … " + endMarker + " block"})
		case errors.Is(err, os.ErrNotExist):
			rep.Skipped = append(rep.Skipped, Skipped{path, "no README"})
		case err != nil:
			return Report{}, err
		default:
			readmes = append(readmes, file{path, data})
		}
	}

	// Prose numbers in value markers, in the READMEs just refreshed and in every other doc.
	for i := range readmes {
		filled, err := fillValues(string(readmes[i].data), results, spread)
		if err != nil {
			return Report{}, fmt.Errorf("%s: %w", readmes[i].path, err)
		}
		readmes[i].data = []byte(filled)
	}
	for _, path := range valueDocs(repoRoot, docsDir) {
		if slices.ContainsFunc(readmes, func(f file) bool { return sameFile(f.path, path) }) {
			continue
		}
		doc, err := os.ReadFile(path)
		if err != nil {
			return Report{}, err
		}
		filled, err := fillValues(string(doc), results, spread)
		if err != nil {
			return Report{}, fmt.Errorf("%s: %w", path, err)
		}
		if filled != string(doc) {
			readmes = append(readmes, file{path, []byte(filled)})
		}
	}

	if err := os.MkdirAll(filepath.Join(docsDir, "charts"), 0o755); err != nil {
		return Report{}, fmt.Errorf("write docs: %w", err)
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return Report{}, fmt.Errorf("write docs: %w", err)
		}
		rep.Written = append(rep.Written, f.path)
	}
	for _, f := range readmes {
		if err := writeIfChanged(f.path, f.data); err != nil {
			return Report{}, err
		}
		rep.READMEs = append(rep.READMEs, f.path)
	}
	return rep, nil
}

// readmeWith returns the README at path with its measured block refreshed for stage.
func readmeWith(results []*loadgen.Result, stage, path, docsDir string) ([]byte, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read stage readme: %w", err)
	}
	link, err := relativeLink(filepath.Dir(path), filepath.Join(docsDir, "results.md"))
	if err != nil {
		return nil, fmt.Errorf("stage readme %s: %w", path, err)
	}
	out, err := replaceMeasured(string(doc), measuredBlock(results, stage, link))
	if err != nil {
		if errors.Is(err, errNoMarkers) {
			return nil, err
		}
		return nil, fmt.Errorf("stage readme %s: %w", path, err)
	}
	return []byte(out), nil
}

// relativeLink is the Markdown link from a file in dir to target.
func relativeLink(dir, target string) (string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	absTarget, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absDir, absTarget)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

// writeIfChanged rewrites path only when its content differs, keeping its permissions.
func writeIfChanged(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("write stage readme: %w", err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("write stage readme: %w", err)
	}
	if bytes.Equal(old, data) {
		return nil
	}
	if err := os.WriteFile(path, data, info.Mode().Perm()); err != nil {
		return fmt.Errorf("write stage readme: %w", err)
	}
	return nil
}

func sameFile(a, b string) bool {
	aa, errA := filepath.Abs(a)
	bb, errB := filepath.Abs(b)
	return errA == nil && errB == nil && aa == bb
}
