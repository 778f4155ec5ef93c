package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/infra/golden"
)

// TestHandlersMatchTheTemplate: every function in the golden template has a handler, and no
// handler is left over.
func TestHandlersMatchTheTemplate(t *testing.T) {
	t.Parallel()
	var tmpl struct {
		Resources map[string]struct {
			Type     string
			Metadata map[string]any
		}
	}
	var inTemplate []string
	for _, region := range Regions {
		tmpl.Resources = nil
		require.NoError(t, json.Unmarshal(golden.Templates[region], &tmpl))
		for _, r := range tmpl.Resources {
			if r.Type == "AWS::Lambda::Function" {
				p, _ := r.Metadata["aws:cdk:path"].(string)
				inTemplate = append(inTemplate, p[:len(p)-len("/Resource")])
			}
		}
	}
	var registered []string
	for p := range Handlers() {
		registered = append(registered, p)
	}
	assert.ElementsMatch(t, inTemplate, registered)
	assert.Len(t, handlers, 10)
}

func TestStage(t *testing.T) {
	t.Parallel()
	s := Stage()
	assert.Equal(t, []string{"ready", "picked-up", "failed"}, s.Terminal)
	assert.Contains(t, s.Parameters, "KitchenDisplayUrl")
}
