package main

import (
	"encoding/json"
	"testing"
	"time"

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
	require.NotNil(t, s.Global)
	require.Len(t, s.Global.Stacks, 2)
	assert.Equal(t, PrimaryRegion, s.Global.Stacks[0].Region, "the owner of the global tables is provisioned first")
	for _, st := range s.Global.Stacks {
		assert.Contains(t, st.Parameters, "KitchenDisplayUrl")
		assert.Contains(t, st.Parameters, "PaymentProviderUrl")
		assert.Contains(t, string(st.Template), st.StackName+"/PlaceOrder/Resource")
	}
	require.NotNil(t, s.Failover)
	assert.Equal(t, 10*time.Second, s.Failover.Interval, "Route 53 fast health checks")
}
