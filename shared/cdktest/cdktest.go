package cdktest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden/template.json from a fresh synth")

// GoldenPath is the committed template, relative to the stage's infra directory.
const GoldenPath = "golden/template.json"

// Harness synthesizes one stage's stack, once per test binary.
type Harness struct {
	// Stage is the stage's directory name, e.g. "01-monolith" (messages and temporary files).
	Stage string
	// StackName is the stack's construct ID: the template is <StackName>.template.json.
	StackName string
	// New adds the stack to app, as the stage's infra main does. It may add aspects to app too.
	New func(app awscdk.App) awscdk.Stack

	once sync.Once
	dir  string
	out  Synthesized
	err  error
}

// Synthesized is the harness's one synth.
type Synthesized struct {
	Stack    awscdk.Stack
	Template []byte // as written to the cloud assembly
}

// Main is the stage's TestMain: it runs the tests, then stops the jsii node process and removes
// the cloud assembly if a test synthesized.
//
// JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION must come from outside (the Makefile sets it):
// the jsii runtime fixes its node process's environment while packages initialise.
func (h *Harness) Main(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if h.dir != "" {
		jsii.Close()
		_ = os.RemoveAll(h.dir)
	}
	os.Exit(code)
}

// Synth synthesizes the stack on the first call and returns the same result after; with -short
// it skips the test.
func (h *Harness) Synth(t testing.TB) Synthesized {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the CDK synth (needs node, takes seconds)")
	}
	h.once.Do(func() {
		ctx, err := SynthContext()
		if err != nil {
			h.err = err
			return
		}
		h.dir, h.err = os.MkdirTemp("", "cdk-"+h.Stage+"-")
		if h.err != nil {
			return
		}
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(h.dir), Context: &ctx})
		h.out.Stack = h.New(app)
		app.Synth(nil)
		h.out.Template, h.err = os.ReadFile(filepath.Join(h.dir, h.StackName+".template.json"))
	})
	require.NoError(t, h.err)
	return h.out
}

// Golden compares the synthesized template with the committed one, both normalised, or rewrites
// the committed one with -update (`make golden STAGE=…`).
func (h *Harness) Golden(t testing.TB) {
	t.Helper()
	got := Normalise(t, h.Synth(t).Template)
	if *update {
		require.NoError(t, os.WriteFile(GoldenPath, got, 0o644))
		t.Logf("wrote %s", GoldenPath)
		return
	}
	golden, err := os.ReadFile(GoldenPath)
	require.NoError(t, err)
	assert.Equal(t, string(Normalise(t, golden)), string(got),
		"the stack changed: review the diff, then run `make golden STAGE=%s`", h.Stage)
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	assert.NotContains(t, string(golden), root, "no machine paths in the golden file")
	assert.NotContains(t, string(golden), "/"+h.Stage+"/", "no machine paths in the golden file")
	assert.True(t, json.Valid(golden), "the golden file is JSON")
}

var assetHash = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

// Normalise removes from a template what legitimately differs between edits and checkouts: asset
// hashes (they follow the code) and the absolute paths of the stage (the working directory's
// parent) and of the repository around it in asset metadata.
func Normalise(t testing.TB, template []byte) []byte {
	t.Helper()
	out := template
	// The stage first (its paths become relative to it), then the repository around it.
	for _, p := range []struct{ dir, to string }{{"..", `"`}, {"../..", `"../`}} {
		abs, err := filepath.Abs(p.dir)
		require.NoError(t, err)
		quoted, err := json.Marshal(abs + string(filepath.Separator))
		require.NoError(t, err)
		out = bytes.ReplaceAll(out, bytes.TrimSuffix(quoted, []byte(`"`)), []byte(p.to))
	}
	return assetHash.ReplaceAll(out, []byte("ASSET_HASH"))
}

// Must runs a CDK assertion, which panics when it fails, and reports the panic as a test error.
func Must(t testing.TB, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	assertion()
}

// SynthContext is the context `make synth` passes to the CDK app: the Makefile's SYNTH_CONTEXT
// (what cdk.json sets, with bundling off), read from the Makefile of the repository around the
// working directory.
func SynthContext() (map[string]any, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		makefile := filepath.Join(dir, "Makefile")
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return readSynthContext(makefile)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, errors.New("synth context: no go.mod above the working directory")
		}
		dir = parent
	}
}

// readSynthContext reads the JSON of the line "SYNTH_CONTEXT := {…}" in a Makefile.
func readSynthContext(makefile string) (map[string]any, error) {
	f, err := os.Open(makefile)
	if err != nil {
		return nil, fmt.Errorf("synth context: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":=")
		if !ok || strings.TrimSpace(name) != "SYNTH_CONTEXT" {
			continue
		}
		var ctx map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(value)), &ctx); err != nil {
			return nil, fmt.Errorf("synth context: SYNTH_CONTEXT in %s: %w", makefile, err)
		}
		return ctx, nil
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("synth context: %w", err)
	}
	return nil, fmt.Errorf("synth context: no SYNTH_CONTEXT := line in %s", makefile)
}
