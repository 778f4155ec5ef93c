package live_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browser finds a Chromium to drive. Outside CI a missing browser skips the test with the
// command that installs it; in CI (.ci/run sets CI=1 and installs it) it is a failure.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on PATH: .ci/run installs Debian's chromium; the dashboard must be tested in a real browser")
	}
	t.Skip("no Chromium on PATH: install it (Debian: apt-get install chromium) to test the dashboard in a real browser")
	return ""
}

// TestDashboardInABrowser drives the dashboard as an instructor would, in headless Chromium at a
// projector's 1280×720: the whole topology and the live chart are on screen, a load profile
// started from the page turns a resource busy and draws the chart, and a fault switched on from a resource's panel shows on the page and
// goes away with "Clear all faults".
func TestDashboardInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	exe := browser(t)
	srv := dashboard(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.WindowSize(1280, 720),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.Flag("disable-gpu", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The browser starts on the first Run; a deadline on that context would stop it, so the
	// whole test is bounded by go test's -timeout and each wait by waitFor.

	// The page draws the topology once it has fetched it.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")))
	step := func() context.Context { // bounds one step; the first Run above started the browser
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		t.Cleanup(cancel)
		return c
	}
	waitFor(t, ctx, "the topology is drawn", `document.querySelectorAll("#svg .node").length > 0 ? "yes" : ""`)
	nodes, err := chromedp.Run(step(), chromedp.Evaluate[int](`document.querySelectorAll("#svg .node").length`))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, nodes, 3, "the test kitchen has an API, a function and a table")

	// At 1280×720 every node is inside the viewport without scrolling.
	outside, err := chromedp.Run(step(), chromedp.Evaluate[[]string](`[...document.querySelectorAll("#svg .node")]
		.filter(g => { const r = g.getBoundingClientRect(); return r.right > innerWidth || r.bottom > innerHeight || r.left < 0 || r.top < 0; })
		.map(g => g.id)`))
	require.NoError(t, err)
	assert.Empty(t, outside, "nodes off screen at 1280×720")
	chartOnScreen, err := chromedp.Run(step(), chromedp.Evaluate[bool](`(() => {
		const r = document.getElementById("chart").getBoundingClientRect();
		return r.height > 100 && r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
	})()`))
	require.NoError(t, err)
	assert.True(t, chartOnScreen, "the live chart is under the topology, on screen at 1280×720")

	// Start the smoke profile from the page; the function's node turns busy (its stroke leaves
	// the idle colour) while orders flow.
	waitFor(t, ctx, "the profiles are listed", `document.querySelector('#profile option[value="smoke"]') ? "yes" : ""`)
	require.NoError(t, chromedp.Do(step(),
		chromedp.SetValue(chromedp.ID("profile"), "smoke"),
		chromedp.Click(chromedp.ID("start")),
	))
	fn := waitFor(t, ctx, "a function node turns busy", `(() => {
		const g = document.querySelector("#svg .node.k-function");
		return g && g.querySelector("rect").getAttribute("stroke") !== "var(--idle)" ? g.id : "";
	})()`)
	progress, err := chromedp.Run(step(), chromedp.Text(chromedp.ID("progress")))
	require.NoError(t, err)
	assert.NotContains(t, progress, "no load running")

	// The live chart draws the run second by second: the offered orders' line grows a point a
	// poll, and some second shows orders offered.
	waitFor(t, ctx, "the live chart draws the run", `(() => {
		const l = document.querySelector("#chart polyline.s-offered");
		if (!l) return "";
		const pts = l.getAttribute("points").trim().split(" ");
		return pts.length >= 3 ? String(pts.length) : "";
	})()`)
	titles, err := chromedp.Run(step(), chromedp.Evaluate[[]string](`[...document.querySelectorAll("#chart .ptitle")].map(t => t.textContent)`))
	require.NoError(t, err)
	assert.Equal(t, []string{"orders/s", "p99 so far", "Lambda concurrency"}, titles, "no queue in the test kitchen: no queue panel")
	// Still on screen now that the header shows the stage's name and the progress line.
	offScreen, err := chromedp.Run(step(), chromedp.Evaluate[[]string](`[...document.querySelectorAll("#svg .node"), document.getElementById("chart")]
		.filter(e => { const r = e.getBoundingClientRect(); return r.bottom > innerHeight || r.right > innerWidth; })
		.map(e => e.id)`))
	require.NoError(t, err)
	assert.Empty(t, offScreen, "off screen at 1280×720 during the run")

	// Click the function, switch the "slow" fault on from its panel, see it listed, clear it.
	// (A node's id holds a colon, so it is found by attribute, not by a #id selector.)
	require.NoError(t, chromedp.Do(step(),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[id=%q] rect`, fn))),
		chromedp.WaitVisible(chromedp.CSS(`#selected button[data-kind="slow"]`)),
		chromedp.Click(chromedp.CSS(`#selected button[data-kind="slow"]`)),
	))
	resource := strings.TrimPrefix(fn, "n-")
	waitFor(t, ctx, "the fault is listed", fmt.Sprintf(`document.getElementById("faults").textContent.includes(%q) ? "yes" : ""`, resource))
	waitFor(t, ctx, "the faulted node is drawn dashed", fmt.Sprintf(`document.getElementById(%q).querySelector("rect").getAttribute("stroke") === "var(--fault)" ? "yes" : ""`, fn))
	require.NoError(t, chromedp.Do(step(), chromedp.Click(chromedp.ID("clear"))))
	waitFor(t, ctx, "the faults are cleared", `document.getElementById("faults").textContent.trim() === "none" ? "yes" : ""`)

	require.NoError(t, chromedp.Do(step(), chromedp.Click(chromedp.ID("stop"))))
}

// waitFor evaluates expr (a JavaScript expression giving a string) until it is not empty, and
// returns it. The page polls its API once a second, so the bound is generous.
func waitFor(t *testing.T, ctx context.Context, what, expr string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		got, err := chromedp.Run(c, chromedp.Evaluate[string](expr))
		cancel()
		require.NoError(t, err, what)
		if got != "" {
			return got
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
	return ""
}

// TestGlobalDashboardInABrowser: a multi-region stage's page shows one region at a time with a
// switch between them; taking the region shown down from the page marks it down, shows the
// banner and lists the outage among the faults, and "Clear all faults" brings it back.
func TestGlobalDashboardInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	exe := browser(t)
	srv, g := globalDashboard(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.WindowSize(1280, 720), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")))
	click := func(sel string) {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(c, chromedp.Click(chromedp.CSS(sel))), sel)
	}

	waitFor(t, ctx, "the region switch shows both regions", `[...document.querySelectorAll("#regions button[data-region]")].map(b => b.textContent).join(",") === "eu-west-1,us-east-1" ? "yes" : ""`)
	waitFor(t, ctx, "the first region is shown", `document.querySelector('#regions button.on').dataset.region === "eu-west-1" ? "yes" : ""`)
	click(`#regions button[data-region="us-east-1"]`)
	waitFor(t, ctx, "us-east-1 is shown", `document.querySelector('#regions button.on')?.dataset.region === "us-east-1" && document.getElementById("outage").textContent === "Take us-east-1 down" ? "yes" : ""`)

	click(`#outage`)
	waitFor(t, ctx, "the banner says the region is down", `document.getElementById("banner").classList.contains("shown") && document.getElementById("banner").textContent.includes("us-east-1 is down") ? "yes" : ""`)
	waitFor(t, ctx, "the outage is listed", `document.getElementById("faults").textContent.includes("region:us-east-1") ? "yes" : ""`)
	assert.True(t, g.RegionDown(us))
	onScreen := waitFor(t, ctx, "every node is on screen with the banner shown", `(() => {
		const n = [...document.querySelectorAll("#svg .node")];
		return n.length && n.every(g => { const r = g.getBoundingClientRect(); return r.bottom <= innerHeight && r.right <= innerWidth; }) ? String(n.length) : "";
	})()`)
	assert.NotEmpty(t, onScreen)

	click(`#clear`)
	waitFor(t, ctx, "the region is back", `!document.getElementById("banner").classList.contains("shown") && document.getElementById("outage").textContent === "Take us-east-1 down" ? "yes" : ""`)
	assert.False(t, g.RegionDown(us))
}
