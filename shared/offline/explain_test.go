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
