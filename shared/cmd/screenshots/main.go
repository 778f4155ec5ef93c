// Command screenshots rehearses an instructor's demo on a running dashboard (`make live`) in
// headless Chromium and saves a screenshot of each moment, with the time each moment was reached,
// so the demo scripts in the stage READMEs show what the room will see and how long it takes.
//
//	go run ./shared/cmd/screenshots -url http://127.0.0.1:8099 -script crisis -out docs/demo/03-crisis
//
// `make screenshots STAGE=03-crisis` (or 04-refactor) starts the dashboard, runs this and stops it.
//
// Scripts: crisis (03: the morning rush, then one slow provider) and cure (04: the same rush and
// the same slow provider, absorbed). Each moment waits for something the page shows (a node
// turning red, the run finishing), never for a fixed time only, and the timings file records when
// each moment came.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "screenshots:", err)
		}
		os.Exit(1)
	}
}

// A moment of a demo: what to do, what to wait for, and what the screenshot is called.
type moment struct {
	name  string // file name without .png
	say   string // what the presenter points at (written next to the timing)
	do    string // JavaScript run on the page first ("" for none)
	until string // JavaScript that is a non-empty string once the moment has come
	limit time.Duration
}

// Page helpers the scripts use, defined once on the page.
const helpers = `
window.__node = (pred) => [...document.querySelectorAll("#svg .node")].find(g => pred(g.id.replace(/^n-/, ""), g.querySelector(".label").textContent));
window.__click = (el) => el && el.dispatchEvent(new MouseEvent("click", {bubbles: true}));
window.__start = (profile) => { document.getElementById("progress").textContent = "starting " + profile; document.getElementById("profile").value = profile; document.getElementById("start").click(); };
window.__stroke = (g) => g ? g.querySelector("rect").getAttribute("stroke") : "";
window.__finished = () => document.getElementById("progress").textContent.startsWith("finished") ? "yes" : "";
window.__fault = (kind) => { const b = document.querySelector('#selected button[data-kind="' + kind + '"]'); if (b) b.click(); return b ? "yes" : ""; };
"ok";
`

var scripts = map[string][]moment{
	"crisis": {
		{name: "01-idle", say: "the 42 functions in their chains, idle", until: `document.querySelectorAll("#svg .node").length > 0 ? "yes" : ""`, limit: 30 * time.Second},
		{name: "02-throttled", say: "morning-rush started: order-workflow turns red (throttled) on the ramp",
			do:    `__start("morning-rush")`,
			until: `(() => { const g = __node((id, l) => l.includes("order-workflow") || id.includes("OrderWorkflow")); return __stroke(g) === "var(--thr)" ? "yes" : ""; })()`, limit: 60 * time.Second},
		{name: "03-abandoned", say: "the account's concurrency past 600, customers abandoning",
			until: `(() => { const t = document.getElementById("totals").textContent; const m = t.match(/(\d+) now/); return m && +m[1] >= 600 ? "yes" : ""; })()`, limit: 60 * time.Second},
		{name: "04-finished", say: "the run's summary: failed, abandoned, duplicate charges", until: `__finished()`, limit: 180 * time.Second},
		{name: "05-slow-provider", say: "the payment provider made 2 s slower from its panel",
			do:    `__click((__node(id => id === "payment") || document.body).querySelector("rect"))`,
			until: `__fault("slow") ? (document.getElementById("faults").textContent.includes("payment") ? "yes" : "") : ""`, limit: 20 * time.Second},
		{name: "06-rush-slow-provider", say: "the rush again with the slow provider: the shop is down",
			do: `__start("morning-rush")`, until: `__finished()`, limit: 240 * time.Second},
	},
	"cure": {
		{name: "01-idle", say: "queues, rules, state machines, the pipe and the AppSync API, idle", until: `document.querySelectorAll("#svg .node").length > 0 ? "yes" : ""`, limit: 30 * time.Second},
		{name: "02-slow-provider", say: "the payment provider made 2 s slower before the rush",
			do:    `__click((__node(id => id === "payment") || document.body).querySelector("rect"))`,
			until: `__fault("slow") ? (document.getElementById("faults").textContent.includes("payment") ? "yes" : "") : ""`, limit: 20 * time.Second},
		{name: "03-queue-grows", say: "morning-rush started: answers stay fast, the payment queue absorbs the slow provider",
			do:    `__start("morning-rush")`,
			until: `(() => { const g = __node(id => id.startsWith("sqs:") && id.toLowerCase().includes("payment") && !id.toLowerCase().includes("dlq")); const m = g && g.querySelector(".l2").textContent.match(/^(\d+) visible/); return m && +m[1] >= 50 ? "yes" : ""; })()`, limit: 90 * time.Second},
		{name: "04-finished", say: "the run's summary: nothing failed, no duplicate charge; the payments still queued when its 20 s grace ended count as lost there, and drain once the provider is back", until: `__finished()`, limit: 300 * time.Second},
	},
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("screenshots", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "the dashboard's URL (make live's UI=)")
	script := fs.String("script", "crisis", "the demo to rehearse: crisis (03) or cure (04)")
	out := fs.String("out", "", "directory for the screenshots and timings.md (required)")
	width := fs.Int("width", 1280, "browser width in pixels (a projector's)")
	height := fs.Int("height", 720, "browser height in pixels")
	if err := fs.Parse(args); err != nil {
		return err
	}
	moments, ok := scripts[*script]
	if !ok {
		return fmt.Errorf("-script %q: want crisis or cure", *script)
	}
	if *out == "" {
		return errors.New("-out is required: the directory for the screenshots")
	}
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		return errors.New("no Chromium on PATH (Debian: apt-get install chromium)")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.WindowSize(*width, *height), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(*url+"/")); err != nil {
		return fmt.Errorf("open the dashboard at %s (is make live running?): %w", *url, err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[string](helpers)); err != nil {
		return err
	}

	var timings strings.Builder
	fmt.Fprintf(&timings, "| moment | reached after | what the room sees |\n|---|--:|---|\n")
	start := time.Now()
	for _, m := range moments {
		if m.do != "" {
			if _, err := chromedp.Run(bctx, chromedp.Evaluate[string]("(() => { "+m.do+"; return 'ok'; })()")); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
		}
		if err := waitUntil(bctx, m.until, m.limit); err != nil {
			// What the page showed instead, for whoever debugs the script.
			if png, shotErr := chromedp.Run(bctx, chromedp.CaptureScreenshot()); shotErr == nil {
				_ = os.WriteFile(filepath.Join(*out, "failed-"+m.name+".png"), png, 0o644)
			}
			return fmt.Errorf("%s (%s): %w (the page as it was: %s)", m.name, m.say, err, filepath.Join(*out, "failed-"+m.name+".png"))
		}
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		if err != nil {
			return fmt.Errorf("%s: screenshot: %w", m.name, err)
		}
		path := filepath.Join(*out, m.name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			return err
		}
		at := time.Since(start).Round(time.Second)
		fmt.Fprintf(stdout, "%7s  %s  %s\n", at, path, m.say)
		fmt.Fprintf(&timings, "| [%s](%s.png) | %d:%02d | %s |\n", m.name, m.name, int(at.Minutes()), int(at.Seconds())%60, m.say)
	}
	fmt.Fprintf(&timings, "\nRehearsed by `make screenshots` on %s at %d×%d; the total is the time the script needs without talking.\n",
		time.Now().UTC().Format("2006-01-02"), *width, *height)
	return os.WriteFile(filepath.Join(*out, "timings.md"), []byte(timings.String()), 0o644)
}

// waitUntil evaluates expr every half second until it gives a non-empty string.
func waitUntil(ctx context.Context, expr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		got, err := chromedp.Run(c, chromedp.Evaluate[string](expr))
		cancel()
		if err != nil {
			return err
		}
		if got != "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not reached within %v", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
