package cdktest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden templates from a fresh synth")

// GoldenPath is the committed template of a one-stack harness, relative to the stage's infra
// directory; a harness with several stacks keeps stack key's as golden/<key>.json (GoldenPathOf).
const GoldenPath = "golden/template.json"

// Harness synthesizes one stage's app, once per test binary: one stack (StackName and New) or
// several (NewStacks).
type Harness struct {
	// Stage is the stage's directory name, e.g. "01-monolith" (messages and temporary files).
	Stage string
	// StackName is the stack's construct ID: the template is <StackName>.template.json.
	StackName string
	// New adds the stack to app, as the stage's infra main does. It may add aspects to app too.
	New func(app awscdk.App) awscdk.Stack

	// NewStacks, instead of StackName and New, adds several stacks to app and returns them by a
	// key that tells them apart (05-global: the region); each stack's template is the file its
	// TemplateFile names, and its golden file GoldenPathOf(key).
	NewStacks func(app awscdk.App) map[string]awscdk.Stack

	// Aspects, if set, makes the aspects the harness adds to the app after New or NewStacks and
	// before it synthesizes, as the stage's infra main does: cdk-nag's rule packs, whose findings
	// NoErrors reports. It is a function so that no jsii object is made unless a test synthesizes.
	Aspects func() []awscdk.IAspect

	once sync.Once
	dir  string
	out  Synthesized
	err  error
}

// Synthesized is the harness's one synth.
type Synthesized struct {
	// Stack and Template are a one-stack harness's (New).
	Stack    awscdk.Stack
	Template []byte // as written to the cloud assembly

	// Stacks and Templates are a several-stack harness's (NewStacks), by key.
	Stacks    map[string]awscdk.Stack
	Templates map[string][]byte // as written to the cloud assembly
}

// stacks lists the synthesized stacks by key ("" for a one-stack harness's), keys sorted.
func (s Synthesized) stacks() (keys []string, stacks map[string]awscdk.Stack, templates map[string][]byte) {
	if s.Stacks == nil {
		return []string{""}, map[string]awscdk.Stack{"": s.Stack}, map[string][]byte{"": s.Template}
	}
	keys = slices.Sorted(maps.Keys(s.Stacks))
	return keys, s.Stacks, s.Templates
}

// GoldenPathOf is the committed template of a several-stack harness's stack key, relative to the
// stage's infra directory.
func GoldenPathOf(key string) string { return "golden/" + key + ".json" }

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

// Synth synthesizes the app on the first call and returns the same result after; with -short it
// skips the test.
func (h *Harness) Synth(t testing.TB) Synthesized {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the CDK synth (needs node, takes seconds)")
	}
	h.once.Do(func() { h.out, h.err = h.synth() })
	require.NoError(t, h.err)
	return h.out
}

func (h *Harness) synth() (Synthesized, error) {
	var out Synthesized
	if (h.New == nil) == (h.NewStacks == nil) {
		return out, fmt.Errorf("cdktest: harness of %s: set either New (one stack) or NewStacks", h.Stage)
	}
	if h.New != nil && h.StackName == "" {
		return out, fmt.Errorf("cdktest: harness of %s: New needs StackName", h.Stage)
	}
	ctx, err := SynthContext()
	if err != nil {
		return out, err
	}
	h.dir, err = os.MkdirTemp("", "cdk-"+h.Stage+"-")
	if err != nil {
		return out, err
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(h.dir), Context: &ctx})
	files := map[string]string{}
	if h.New != nil {
		out.Stack = h.New(app)
	} else {
		out.Stacks = h.NewStacks(app)
		if len(out.Stacks) == 0 {
			return out, fmt.Errorf("cdktest: harness of %s: NewStacks added no stack", h.Stage)
		}
		for key, stack := range out.Stacks {
			files[key] = *stack.TemplateFile()
		}
	}
	if h.Aspects != nil {
		for _, aspect := range h.Aspects() {
			awscdk.Aspects_Of(app).Add(aspect, nil)
		}
	}
	app.Synth(nil)
	if h.New != nil {
		out.Template, err = os.ReadFile(filepath.Join(h.dir, h.StackName+".template.json"))
		return out, err
	}
	out.Templates = map[string][]byte{}
	for key, file := range files {
		if out.Templates[key], err = os.ReadFile(filepath.Join(h.dir, file)); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Golden compares each synthesized template with the committed one, both normalised, or rewrites
// the committed one with -update (`make golden STAGE=…`). A several-stack harness compares each
// stack in a subtest named by its key, and checks that every golden/*.json is one of its stacks'.
func (h *Harness) Golden(t *testing.T) {
	t.Helper()
	out := h.Synth(t)
	if out.Stacks == nil {
		h.golden(t, GoldenPath, out.Template)
		return
	}
	keys, _, templates := out.stacks()
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			t.Helper()
			h.golden(t, GoldenPathOf(key), templates[key])
		})
	}
	if !*update {
		// A stack the app no longer synthesizes leaves its golden file behind: the emulator would
		// still run it.
		files, err := filepath.Glob(GoldenPathOf("*"))
		require.NoError(t, err)
		var want []string
		for _, key := range keys {
			want = append(want, GoldenPathOf(key))
		}
		assert.ElementsMatch(t, want, files, "one golden file per stack")
	}
}

func (h *Harness) golden(t testing.TB, path string, template []byte) {
	t.Helper()
	got := Normalise(t, template)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		t.Logf("wrote %s", path)
		return
	}
	golden, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(Normalise(t, golden)), string(got),
		"the stack changed: review the diff, then run `make golden STAGE=%s`", h.Stage)
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	assert.NotContains(t, string(golden), root, "no machine paths in the golden file")
	assert.NotContains(t, string(golden), "/"+h.Stage+"/", "no machine paths in the golden file")
	assert.True(t, json.Valid(golden), "the golden file is JSON")
}

// NoErrors reports as a test error every error annotation, on any of the synthesized stacks,
// whose message matches pattern (a regular expression): with cdk-nag's rule packs among the
// Aspects, "AwsSolutions-.*" fails the test on every finding that is neither fixed nor
// suppressed. The annotations are read with assertions.Annotations_FromStack.
func (h *Harness) NoErrors(t testing.TB, pattern string) {
	t.Helper()
	keys, stacks, _ := h.Synth(t).stacks()
	for _, key := range keys {
		Must(t, func() {
			t.Helper() // a finding is reported at the stage's test
			errs := assertions.Annotations_FromStack(stacks[key]).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(pattern)))
			for _, e := range *errs {
				t.Errorf("%s: %v", *e.Id, e.Entry.Data) //nolint:staticcheck // SynthesisMessage.Id is the rule's path; its replacement is not in the served aws-cdk-go
			}
		})
	}
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
