package offline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
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
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

// globalStage is the kitchen template in eu-west-1 and us-east-1 with its function behind
// ANY /{proxy+}: it takes orders (paid at once) and answers GET /orders/{id} and GET /menu from
// one map both regions' functions share, which stands in for a global table here.
func globalStage(t *testing.T) offline.Stage {
	t.Helper()
	tmpl, err := os.ReadFile("../emulator/testdata/kitchen.template.json")
	require.NoError(t, err)
	tmpl = bytes.Replace(tmpl, []byte(`"PathPart": "tickets"`), []byte(`"PathPart": "{proxy+}"`), 1)
	tmpl = bytes.Replace(tmpl, []byte(`"HttpMethod": "POST"`), []byte(`"HttpMethod": "ANY"`), 1)
	var mu sync.Mutex
	orders := map[string]string{}
	var n atomic.Int64
	shop := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			answer := func(code int, v any) (events.APIGatewayProxyResponse, error) {
				b, _ := json.Marshal(v)
				return events.APIGatewayProxyResponse{StatusCode: code, Body: string(b)}, nil
			}
			switch {
			case req.HTTPMethod == http.MethodPost && req.Path == "/orders":
				id := fmt.Sprint("o-", n.Add(1))
				mu.Lock()
				orders[id] = "paid"
				mu.Unlock()
				return answer(http.StatusCreated, map[string]string{"order_id": id, "status": "paid"})
			case req.HTTPMethod == http.MethodGet && strings.HasPrefix(req.Path, "/orders/"):
				id := strings.TrimPrefix(req.Path, "/orders/")
				mu.Lock()
				status, ok := orders[id]
				mu.Unlock()
				if !ok {
					return answer(http.StatusNotFound, map[string]string{"message": "no order " + id})
				}
				return answer(http.StatusOK, map[string]string{"order_id": id, "status": status})
			case req.HTTPMethod == http.MethodGet && req.Path == "/menu":
				return answer(http.StatusOK, []string{"croissant"})
			}
			return answer(http.StatusNotFound, map[string]string{"message": req.HTTPMethod + " " + req.Path})
		}), nil
	}
	return offline.Stage{Global: &emulator.GlobalStage{Name: "00-global",
		Stacks: []emulator.RegionalStack{
			{Region: "eu-west-1", StackName: "Kitchen", Template: tmpl},
			{Region: "us-east-1", StackName: "Kitchen", Template: tmpl},
		},
		Handlers: map[string]lambda.Constructor{"Kitchen/Kitchen": shop}}}
}

func TestLocalGlobalPrintsEveryRegion(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan error)
	go func() {
		done <- offline.Run(ctx, []string{"local", "-addr", "127.0.0.1:0", "-model", "zero", "-fault", "region:us-east-1@down"}, func(string) string { return "" }, &out, &errOut, globalStage(t))
	}()
	cancel()
	require.NoError(t, <-done, errOut.String())
	s := out.String()
	for _, want := range []string{"in eu-west-1 and us-east-1", "API eu-west-1  http://127.0.0.1:", "API us-east-1  http://127.0.0.1:",
		"Resources in eu-west-1:", "Resources in us-east-1:", "Kitchen-Tickets", "--region eu-west-1 dynamodb list-tables"} {
		assert.Contains(t, s, want)
	}
	assert.Contains(t, errOut.String(), "fault on region:us-east-1: down")
}

// lockedBuffer is a bytes.Buffer a command writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// live runs a multi-region stage: every region served, and the dashboard shows the regions.
func TestLiveGlobalServesTheDashboard(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- offline.Run(ctx, []string{"live", "-addr", "127.0.0.1:0", "-ui", "127.0.0.1:0", "-model", "zero"}, func(string) string { return "" }, &out, &errOut, globalStage(t))
	}()
	dashboard := regexp.MustCompile(`Dashboard: (http://127\.0\.0\.1:\d+/)`)
	var url string
	require.Eventually(t, func() bool {
		m := dashboard.FindStringSubmatch(out.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	}, 30*time.Second, 20*time.Millisecond, "the dashboard's address is printed: %s", errOut.String())
	assert.Contains(t, out.String(), "API us-east-1", "every region is described")
	resp, err := http.Get(url + "api/topology?region=us-east-1")
	require.NoError(t, err)
	var top struct {
		Region  string   `json:"region"`
		Regions []string `json:"regions"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&top))
	_ = resp.Body.Close()
	assert.Equal(t, "us-east-1", top.Region)
	assert.Equal(t, []string{"eu-west-1", "us-east-1"}, top.Regions)
	cancel()
	require.NoError(t, <-done, errOut.String())
}

func TestGlobalRejectsWhatItCannotRun(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"one URL for two regions", []string{"load", "-target", "https://example.com/prod"}, "give each region's API as -target 'eu-west-1=https://…/prod,us-east-1=https://…/prod'"},
		{"a region missing", []string{"load", "-target", "eu-west-1=https://example.com/prod"}, "-target has no URL for us-east-1"},
		{"an unknown region", []string{"load", "-target", "eu-west-1=https://a.example/prod,mars-1=https://b.example/prod"}, `-target "mars-1=https://b.example/prod"`},
		{"not a URL", []string{"load", "-target", "eu-west-1=ftp://a.example,us-east-1=https://b.example/prod"}, "is not an http(s) URL"},
		{"a region twice", []string{"load", "-target", "eu-west-1=https://a.example/prod,eu-west-1=https://b.example/prod"}, "names eu-west-1 twice"},
		{"unknown region", []string{"local", "-addr", "127.0.0.1:0", "-model", "zero", "-fault", "region:mars-1@down"}, `no region "mars-1" in stage 00-global; its regions are eu-west-1, us-east-1`},
		{"unknown resource", []string{"local", "-addr", "127.0.0.1:0", "-model", "zero", "-fault", "lambda:Kitchen-Kitchn@throttle"}, "eu-west-1:lambda:Kitchen-Kitchen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := offline.Run(context.Background(), tt.args, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}, globalStage(t))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	// A single-region stage has no regions to take down.
	err := offline.Run(context.Background(), []string{"local", "-addr", "127.0.0.1:0", "-model", "zero", "-fault", "region:us-east-1@down"},
		func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}, stage(t))
	assert.ErrorContains(t, err, "stage 00-test runs in one region (us-east-1); a regional outage (region:us-east-1@down) needs a multi-region stage")
}

// load runs a multi-region stage: each order goes to its store's home region, an outage of one
// region moves that region's orders to the other once Route 53's health check (here a fast one)
// marks it unhealthy (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html),
// every accepted order reads back the same in both regions afterwards, and the Lambda totals
// and the bill cover both regions.
func TestLoadGlobal(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a ten-second load run")
	}
	dir := t.TempDir()
	out := dir + "/result.json"
	st := globalStage(t)
	st.Failover = &loadgen.Failover{Interval: 500 * time.Millisecond, Threshold: 1, TTL: 0}
	var stdout, stderr bytes.Buffer
	args := []string{"load", "-profile", "smoke", "-model", "zero", "-quiet", "-logs", dir + "/fn.log", "-out", out,
		"-fault", "region:us-east-1@down,from=2s,for=3s"}
	require.NoError(t, offline.Run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr, st), stderr.String())

	assert.Contains(t, stderr.String(), "fault on region:us-east-1 from 2s to 5s: down (a regional outage)")
	res, err := loadgen.ReadFile(out)
	require.NoError(t, err)
	require.NotNil(t, res.Regions, "a run across regions has a regions section")
	eu, us := res.Regions.ByRegion["eu-west-1"], res.Regions.ByRegion["us-east-1"]
	require.NotNil(t, eu)
	require.NotNil(t, us)
	assert.Positive(t, eu.Sent)
	assert.Positive(t, us.Sent)
	assert.Positive(t, us.Failed+us.FailedOverOut, "the outage failed us-east-1's orders or moved them to eu-west-1")
	assert.Positive(t, us.ProbesFailed, "the health check saw the outage")
	require.NotNil(t, res.Regions.Reconciliation)
	assert.Zero(t, res.Regions.Reconciliation.Disagreed, "every accepted order reads the same in both regions")
	require.NotNil(t, res.Lambda)
	assert.Equal(t, 2, res.Lambda.Functions, "one function in each region")
	assert.Equal(t, "make load STAGE=00-global PROFILE=smoke SEED=7 FAULT='region:us-east-1@down,from=2s,for=3s'", res.Environment.Command)
}

// make tune runs a multi-region stage whole and tunes the function in its first region.
func TestTuneGlobal(t *testing.T) {
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	require.NoError(t, os.WriteFile(event, []byte(`{"httpMethod":"GET","path":"/menu"}`), 0o644))
	var out, errOut bytes.Buffer
	err := offline.Run(context.Background(), []string{"tune", "-function", "kitchen", "-event", event, "-model", "zero",
		"-memory", "128,1769", "-n", "2", "-out", dir}, func(string) string { return "" }, &out, &errOut, globalStage(t))
	require.NoError(t, err, errOut.String())
	assert.Contains(t, errOut.String(), "kitchen is tuned in eu-west-1")
	b, err := os.ReadFile(filepath.Join(dir, "00-global.kitchen.json"))
	require.NoError(t, err)
	var res offline.TuneResult
	require.NoError(t, json.Unmarshal(b, &res))
	require.Len(t, res.Rows, 2)
	for _, r := range res.Rows {
		assert.Equal(t, 2, r.Invocations)
	}
	assert.Contains(t, res.FunctionName, "Kitchen")
}

// make load against a deployed multi-region stage takes each region's API URL and sends each
// order to its store's home region, as against the emulator (here the deployment is the
// emulator itself, listening on loopback).
func TestLoadGlobalTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a ten-second load run")
	}
	st := globalStage(t)
	g, err := emulator.NewGlobal(*st.Global, emulator.Options{Latency: latency.Zero(), Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	defer g.Close()
	require.NoError(t, g.Start(context.Background()))
	target := "eu-west-1=" + g.APIURL("eu-west-1") + ",us-east-1=" + g.APIURL("us-east-1")
	require.True(t, strings.HasPrefix(g.APIURL("eu-west-1"), "http://127.0.0.1:"), g.APIURL("eu-west-1"))
	out := t.TempDir() + "/result.json"
	var stdout, stderr bytes.Buffer
	require.NoError(t, offline.Run(context.Background(), []string{"load", "-profile", "smoke", "-quiet", "-target", target, "-out", out},
		func(string) string { return "" }, &stdout, &stderr, st), stderr.String())
	res, err := loadgen.ReadFile(out)
	require.NoError(t, err)
	require.NotNil(t, res.Regions)
	assert.Positive(t, res.Regions.ByRegion["eu-west-1"].Sent)
	assert.Positive(t, res.Regions.ByRegion["us-east-1"].Sent)
	assert.Equal(t, res.Offered, res.Accepted, "every order accepted")
	assert.Nil(t, res.Lambda, "a deployed stage's functions are not seen")
	assert.Contains(t, res.Environment.Command, "TARGET='eu-west-1=http://127.0.0.1:")
}

// explain runs a multi-region stage in both regions: the outcome has a line per region, the
// functions are listed per region, and the waterfall names the region of the order it draws.
func TestExplainGlobal(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a ten-second load run")
	}
	var stdout, stderr bytes.Buffer
	args := []string{"explain", "-profile", "smoke", "-scale", "0.2", "-model", "zero", "-quiet"}
	require.NoError(t, offline.Run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr, globalStage(t)), stderr.String())
	out := stdout.String()
	for _, want := range []string{
		"Generated by `go run ./00-global/cmd/offline explain -profile smoke -seed 7 -scale 0.2`",
		"Both regions together, second by second",
		"Every function in eu-west-1 (", "Every function in us-east-1 (",
		"order (in ",
	} {
		assert.Contains(t, out, want)
	}
	assert.Regexp(t, `eu-west-1 +home \d+, sent \d+, accepted \d+`, out)
	assert.Regexp(t, `us-east-1 +home \d+, sent \d+, accepted \d+`, out)
}
