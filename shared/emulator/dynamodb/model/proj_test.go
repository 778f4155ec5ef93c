package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProjection(t *testing.T) {
	t.Parallel()
	item := Item{"a": sv("1"), "b": sv("2"), "m": {M: Item{"x": sv("3"), "y": sv("4")}}, "l": {L: []*Value{sv("5"), sv("6")}}}
	tests := []struct {
		expr string
		want Item
	}{
		{"a, #b", Item{"a": sv("1"), "b": sv("2")}},
		{"m.x", Item{"m": {M: Item{"x": sv("3")}}}},
		{"l[1], a", Item{"l": {L: []*Value{sv("6")}}, "a": sv("1")}},
		{"absent", Item{}},
		{"#b, l[0], l[1]", Item{"b": sv("2"), "l": {L: []*Value{sv("5"), sv("6")}}}},
	}
	for _, tt := range tests {
		p, err := compileProjection(tt.expr, map[string]string{"#b": "b"}, nil)
		require.NoError(t, err, tt.expr)
		got, err := p.apply(item)
		require.NoError(t, err, tt.expr)
		assert.Equal(t, tt.want, got, tt.expr)
	}
}
