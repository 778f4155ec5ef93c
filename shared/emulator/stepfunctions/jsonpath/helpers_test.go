package jsonpath

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// js decodes JSON the way the interpreter does (UseNumber).
func js(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), "decode %s", s)
	return v
}

// vars is a fixed set of workflow variables.
func vars(t testing.TB, m string) func(string) (any, bool) {
	t.Helper()
	all := js(t, m).(map[string]any)
	return func(name string) (any, bool) {
		v, ok := all[name]
		return v, ok
	}
}
