package live_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/live"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

const (
	eu = "eu-west-1"
	us = "us-east-1"
)

// globalDashboard serves the dashboard of the test kitchen deployed in eu-west-1 and us-east-1,
// each order sent to its store's home region, as make live does for 05-global.
func globalDashboard(t *testing.T) (*httptest.Server, *emulator.Global) {
	t.Helper()
	tmpl, handlers := paidKitchen(t)
	g, err := emulator.NewGlobal(emulator.GlobalStage{Name: "00-global", Stacks: []emulator.RegionalStack{
		{Region: eu, StackName: "Kitchen", Template: tmpl},
		{Region: us, StackName: "Kitchen", Template: tmpl},
	}, Handlers: handlers}, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	require.NoError(t, g.WaitReplicated(context.Background()))
	d, err := live.New(live.Config{Global: g, Stage: "00-global", Templates: map[string][]byte{eu: tmpl, us: tmpl}, Seed: 7,
		Targets: func(c *loadgen.Config) {
			c.Regions = map[string]string{eu: g.APIURL(eu), us: g.APIURL(us)}
			c.Client = g.HTTPClient()
		}})
	require.NoError(t, err)
	t.Cleanup(d.Close)
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return srv, g
}

func metricsOf(t *testing.T, url string) live.Metrics {
	t.Helper()
	status, body := do(t, http.MethodGet, url)
	require.Equal(t, http.StatusOK, status, body)
	var m live.Metrics
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	return m
}

// TestGlobalDashboard: a multi-region stage is shown one region at a time (?region=), each
// fault goes to the region shown, a whole region can be taken down and brought back, and a run
// resets every region and sends each order to its store's home region.
func TestGlobalDashboard(t *testing.T) {
	srv, g := globalDashboard(t)
	tests := []struct {
		name, method, path string
		want               int
		contains           string
	}{
		{"the first region by default", http.MethodGet, "/api/topology", http.StatusOK, `"region":"eu-west-1","regions":["eu-west-1","us-east-1"]`},
		{"another region", http.MethodGet, "/api/topology?region=us-east-1", http.StatusOK, `"region":"us-east-1"`},
		{"an unknown region", http.MethodGet, "/api/metrics?region=mars-1", http.StatusBadRequest, "mars-1\\\" in stage 00-global; its regions are eu-west-1, us-east-1"},
		{"a fault in the region shown", http.MethodPut, "/api/faults/lambda:Kitchen-Kitchen?kind=slow&region=us-east-1", http.StatusOK, `"region":"us-east-1"`},
		{"a region down", http.MethodPut, "/api/faults/region:us-east-1?kind=down", http.StatusOK, `"fault":"down"`},
		{"a region is only taken down", http.MethodPut, "/api/faults/region:us-east-1?kind=slow", http.StatusBadRequest, "a region's fault is kind=down"},
		{"an unknown region down", http.MethodPut, "/api/faults/region:mars-1?kind=down", http.StatusBadRequest, `its regions are eu-west-1, us-east-1`},
		{"clearing a fault that is not on", http.MethodDelete, "/api/faults/lambda:Kitchen-Kitchen?region=eu-west-1", http.StatusNotFound, "no fault is on"},
	}
	for _, tt := range tests {
		status, body := do(t, tt.method, srv.URL+tt.path)
		assert.Equal(t, tt.want, status, "%s: %s", tt.name, body)
		assert.Contains(t, body, tt.contains, tt.name)
	}
	assert.True(t, g.RegionDown(us))

	euM, usM := metricsOf(t, srv.URL+"/api/metrics"), metricsOf(t, srv.URL+"/api/metrics?region=us-east-1")
	assert.Equal(t, eu, euM.Region)
	assert.NotContains(t, euM.Faults, "lambda:Kitchen-Kitchen", "the fault is us-east-1's")
	assert.Contains(t, usM.Faults, "lambda:Kitchen-Kitchen")
	assert.Equal(t, []live.RegionState{{Name: eu, Faults: []string{}}, {Name: us, Down: true, Faults: []string{"lambda:Kitchen-Kitchen"}}}, euM.Regions,
		"every view lists every region's state")

	status, body := do(t, http.MethodDelete, srv.URL+"/api/faults/region:us-east-1")
	require.Equal(t, http.StatusNoContent, status, body)
	assert.False(t, g.RegionDown(us), "the region is back")
	status, body = do(t, http.MethodDelete, srv.URL+"/api/faults")
	require.Equal(t, http.StatusNoContent, status, body)
	assert.Empty(t, metricsOf(t, srv.URL+"/api/metrics?region=us-east-1").Faults)

	// A run: both regions reset, then orders go to both (the smoke profile's stores are on two
	// continents).
	status, body = do(t, http.MethodPost, srv.URL+"/api/load?profile=smoke")
	require.Equal(t, http.StatusAccepted, status, body)
	assert.Contains(t, body, "Reset before the run")
	require.Eventually(t, func() bool {
		return metricsOf(t, srv.URL+"/api/metrics").Resources["lambda:Kitchen-Kitchen"].Invocations > 0 &&
			metricsOf(t, srv.URL+"/api/metrics?region=us-east-1").Resources["lambda:Kitchen-Kitchen"].Invocations > 0
	}, 10*time.Second, 50*time.Millisecond, "orders reach both regions")
	status, body = do(t, http.MethodDelete, srv.URL+"/api/load")
	require.Equal(t, http.StatusAccepted, status, body)
	require.Eventually(t, func() bool { return !metricsOf(t, srv.URL+"/api/metrics").Load.Running }, 20*time.Second, 50*time.Millisecond)
	assert.Contains(t, metricsOf(t, srv.URL+"/api/metrics").Load.Summary, "00-global")
}

func TestNewRefusesAmbiguousConfigs(t *testing.T) {
	tests := []struct {
		name string
		cfg  live.Config
		err  string
	}{
		{"nothing to show", live.Config{Stage: "x"}, "Config.Emulator or Config.Global is required"},
		{"a global stage without targets", live.Config{Stage: "x", Global: &emulator.Global{}}, "Config.Targets is required"},
		{"both", live.Config{Stage: "x", Emulator: &emulator.Emulator{}, Global: &emulator.Global{}}, "exclusive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := live.New(tt.cfg)
			require.ErrorContains(t, err, tt.err)
		})
	}
}
