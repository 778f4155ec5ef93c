package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestJSONataRefs(t *testing.T) {
	t.Parallel()
	// Variables are "$name" and $states is the reserved variable of a state's data
	// (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html); "$$" is
	// JSONata's root. An expression is handed only the variables its text names.
	tests := []struct {
		body      string
		names     []string
		states    []string
		allStates bool
	}{
		{body: `$states.input.a + $states.input.b`, states: []string{"input"}},
		{body: `$x + $y * $x`, names: []string{"x", "y"}},
		{body: `$sum($states.result.Payload.items) & $states.context.Execution.Name`, names: []string{"sum"}, states: []string{"result", "context"}},
		{body: `$keys($states)`, names: []string{"keys"}, allStates: true},
		{body: "$states.`input`", allStates: true},
		{body: `$$.a`},
		{body: `$count_2 ? "costs $x" : $états`, names: []string{"count_2", "x", "états"}},
		{body: `$states.input.a and $states`, states: []string{"input"}, allStates: true},
		{body: `$`, names: nil},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			names, states, all := jsonataRefs(tt.body)
			assert.Equal(t, tt.names, names)
			assert.Equal(t, tt.states, states)
			assert.Equal(t, tt.allStates, all)
		})
	}
}
