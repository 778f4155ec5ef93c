package offline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKebab(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{"OrderApi": "order-api", "NotificationDispatcher": "notification-dispatcher", "Table": "table"} {
		assert.Equal(t, want, kebab(id))
	}
}

func TestReplaceBlock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(path, []byte("# x\n"+explainBegin+"\nold\n"+explainEnd+"\nafter\n"), 0o644))
	require.NoError(t, replaceBlock(path, "new\n"))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "# x\n"+explainBegin+"\nnew\n"+explainEnd+"\nafter\n", string(got))

	require.NoError(t, os.WriteFile(path, []byte("no markers\n"), 0o644))
	assert.ErrorContains(t, replaceBlock(path, "new\n"), "want "+explainBegin)
}

// -cpuprofile (load and explain) writes a pprof profile, gzip-compressed protobuf
// (https://github.com/google/pprof/blob/main/proto/README.md), and names a path it cannot
// write.
func TestStartCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	stop, err := startCPUProfile(path)
	require.NoError(t, err)
	x := 0
	for i := range 1_000_000 {
		x += i % 7
	}
	stop()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, len(b), 2, "x=%d", x)
	assert.Equal(t, []byte{0x1f, 0x8b}, b[:2], "gzip")

	noop, err := startCPUProfile("")
	require.NoError(t, err)
	noop()

	_, err = startCPUProfile(filepath.Join(t.TempDir(), "missing", "cpu.prof"))
	assert.ErrorContains(t, err, "missing")
}
