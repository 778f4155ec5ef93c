package live_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/live"
)

// dashboard serves the dashboard of the emulator's test kitchen: an API, one function behind
// POST /orders, and a table named in the function's environment.
func dashboard(t *testing.T) *httptest.Server {
	t.Helper()
	tmpl, handlers := paidKitchen(t)
	emu, err := emulator.New(emulator.Stage{Name: "00-test", StackName: "Kitchen", Template: tmpl,
		Handlers: handlers}, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = emu.Close() })
	require.NoError(t, emu.Start(context.Background()))
	d, err := live.New(live.Config{Emulator: emu, Stage: "00-test", Template: tmpl, Seed: 7})
	require.NoError(t, err)
	t.Cleanup(d.Close)
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return srv
}

// paidKitchen is the emulator's test kitchen with its API's resource at /orders and a function
// that answers every order "paid".
func paidKitchen(t *testing.T) ([]byte, map[string]lambda.Constructor) {
	t.Helper()
	tmpl, err := os.ReadFile("../emulator/testdata/kitchen.template.json")
	require.NoError(t, err)
	tmpl = []byte(strings.Replace(string(tmpl), `"PathPart": "tickets"`, `"PathPart": "orders"`, 1))
	ok := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{StatusCode: 201, Body: `{"status":"paid"}`}, nil
		}), nil
	}
	return tmpl, map[string]lambda.Constructor{"Kitchen/Kitchen": ok}
}

func do(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestTopologyFromTheTemplate(t *testing.T) {
	srv := dashboard(t)
	status, body := do(t, http.MethodGet, srv.URL+"/api/topology")
	require.Equal(t, http.StatusOK, status, body)
	var top live.Topology
	require.NoError(t, json.Unmarshal([]byte(body), &top))

	kinds := map[string]string{}
	depths := map[string]int{}
	for _, n := range top.Nodes {
		kinds[n.ID], depths[n.ID] = n.Kind, n.Depth
	}
	var api string
	for id, k := range kinds {
		if k == "api" {
			api = id
		}
	}
	require.NotEmpty(t, api)
	assert.Equal(t, "function", kinds["lambda:Kitchen-Kitchen"])
	assert.Equal(t, "table", kinds["dynamodb:Kitchen-Tickets"])
	assert.Equal(t, map[string]int{api: 0, "lambda:Kitchen-Kitchen": 1, "dynamodb:Kitchen-Tickets": 2}, depths)
	assert.ElementsMatch(t, []live.Edge{
		{From: api, To: "lambda:Kitchen-Kitchen"},                        // its AWS::Lambda::Permission for API Gateway
		{From: "lambda:Kitchen-Kitchen", To: "dynamodb:Kitchen-Tickets"}, // the table's name in its environment
	}, top.Edges)
}

func TestPageIsServedWithItsScript(t *testing.T) {
	srv := dashboard(t)
	status, body := do(t, http.MethodGet, srv.URL+"/")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "/api/metrics")
	for _, external := range []string{`src="http`, `href="http`, "url(http", "import "} {
		assert.NotContains(t, body, external, "the page loads nothing from the network")
	}
}

func TestLoadAndFaultsFromTheAPI(t *testing.T) {
	srv := dashboard(t)
	tests := []struct {
		name, method, path string
		want               int
		contains           string
	}{
		{"unknown profile", http.MethodPost, "/api/load?profile=lunch", http.StatusBadRequest, "valid profiles are"},
		{"bad scale", http.MethodPost, "/api/load?profile=smoke&scale=0", http.StatusBadRequest, "scale must be a number above 0"},
		{"bad grace", http.MethodPost, "/api/load?profile=smoke&grace=5", http.StatusBadRequest, "grace must be a duration above 0 and at most 10m0s, such as 300s"},
		{"too long a grace", http.MethodPost, "/api/load?profile=smoke&grace=2h", http.StatusBadRequest, "at most 10m0s"},
		{"stop with nothing running", http.MethodDelete, "/api/load", http.StatusConflict, "no load profile is running"},
		{"start, with a grace", http.MethodPost, "/api/load?profile=smoke&grace=30s", http.StatusAccepted, `"grace_s":30`},
		{"start again", http.MethodPost, "/api/load?profile=smoke", http.StatusConflict, "already running"},
		{"a fault", http.MethodPut, "/api/faults/lambda:Kitchen-Kitchen?kind=failing", http.StatusOK, "50 % of calls fail"},
		{"an unknown kind of fault", http.MethodPut, "/api/faults/payment?kind=melt", http.StatusBadRequest, "kind must be slow, failing or throttled"},
		{"a fault on nothing", http.MethodPut, "/api/faults/lambda:Kitchen-Kitchn?kind=slow", http.StatusBadRequest, `to put a fault on in stage 00-test`},
		{"the metrics show the fault and the run", http.MethodGet, "/api/metrics", http.StatusOK, `"lambda:Kitchen-Kitchen":"50 % of calls fail"`},
	}
	for _, tt := range tests {
		status, body := do(t, tt.method, srv.URL+tt.path)
		assert.Equal(t, tt.want, status, "%s: %s", tt.name, body)
		assert.Contains(t, body, tt.contains, tt.name)
	}
	require.Eventually(t, func() bool {
		var m live.Metrics
		_, body := do(t, http.MethodGet, srv.URL+"/api/metrics")
		require.NoError(t, json.Unmarshal([]byte(body), &m))
		return m.Resources["lambda:Kitchen-Kitchen"].Invocations > 0 && strings.Contains(m.Load.Line, "offered") &&
			m.Load.Progress != nil && m.Load.Progress.Offered > 0
	}, 5*time.Second, 50*time.Millisecond, "orders reach the function, and the progress line shows, its figures read for the chart")
	status, body := do(t, http.MethodDelete, srv.URL+"/api/load")
	assert.Equal(t, http.StatusAccepted, status, body)
	status, body = do(t, http.MethodDelete, srv.URL+"/api/faults")
	assert.Equal(t, http.StatusNoContent, status, body)

	// The stopped run ends with a summary, and the faults are off.
	var m live.Metrics
	require.Eventually(t, func() bool {
		_, body := do(t, http.MethodGet, srv.URL+"/api/metrics")
		require.NoError(t, json.Unmarshal([]byte(body), &m))
		return !m.Load.Running
	}, 15*time.Second, 50*time.Millisecond)
	assert.Contains(t, m.Load.Summary, "stage          00-test")
	assert.Contains(t, m.Load.Summary, "(grace 30 s)", "the page's grace replaced the profile's")
	assert.Equal(t, 1, m.Load.Runs)
	assert.Empty(t, m.Faults)
}
