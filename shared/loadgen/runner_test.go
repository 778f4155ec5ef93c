package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunFollowsTheRateCurve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		profile   Profile
		scale     float64
		perSecond []int // expected arrivals in each second, when the shape matters
	}{
		{name: "flat", profile: testProfile(2, 5, flat(50, 2)...)},
		{name: "ramp up", profile: testProfile(2, 5, Point{0, 0}, Point{2, 100}), perSecond: []int{25, 75}},
		{name: "ramp down and hold", profile: testProfile(3, 5, Point{0, 80}, Point{1, 20}, Point{2, 20})},
		{name: "scale multiplies", profile: testProfile(2, 5, flat(20, 2)...), scale: 3, perSecond: []int{60, 60}},
		{name: "fractional rate", profile: testProfile(2, 5, flat(33.3, 2)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var received atomic.Int64
			h := accepts("paid")
			srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
				received.Add(1)
				h(w, r)
			})
			cfg := testConfig(srv, tt.profile)
			cfg.Scale = tt.scale

			res := mustRun(t, cfg)

			want := tt.profile.Scaled(max(tt.scale, 1)).Expected()
			assert.InDelta(t, want, float64(res.Offered), 0.01*want, "offered vs the curve's integral")
			assert.InDelta(t, want, res.Expected, 1e-9)
			assert.Equal(t, int64(res.Offered), received.Load(), "the server saw every arrival")
			assert.InDelta(t, want/tt.profile.DurationS, res.AchievedRPS, 0.01*want/tt.profile.DurationS)
			assert.Equal(t, res.Offered, res.Outcomes.OK)
			assert.False(t, res.Partial)
			if tt.perSecond != nil {
				var got []int
				for _, b := range res.Timeline {
					got = append(got, b.Offered)
				}
				assert.Equal(t, tt.perSecond, got)
			}
		})
	}
}

func TestPacerSendsRoundExpected(t *testing.T) {
	t.Parallel()
	for _, p := range []Profile{
		testProfile(10, 1, flat(0.37, 10)...),
		testProfile(40, 1, Point{0, 10}, Point{10, 60}, Point{25, 60}, Point{40, 15}),
		testProfile(5, 1, Point{0, 0}, Point{1, 0}, Point{2, 7}, Point{4, 0}),
		testProfile(3, 1, Point{0, 1e4}),
	} {
		pc := newPacer(p)
		n, last := 0, -1.0
		for {
			at, ok := pc.next()
			if !ok {
				break
			}
			require.GreaterOrEqual(t, at, last, "send times must not go back")
			require.Less(t, at, p.DurationS)
			last = at
			n++
		}
		assert.InDelta(t, p.Expected(), float64(n), 0.5+1e-9, "%v: the nearest whole number", p.Rate)
	}
}

// A server that stalls once for a while, behind a client that can only send one request at a
// time: requests queue in the client during the stall and are answered at once afterwards. A tool
// measuring from the actual send would see one slow request; from the intended send time, every
// queued request reports the part of the stall it waited through.
func TestRunMeasuresFromIntendedSendTime(t *testing.T) {
	t.Parallel()
	const stall = 500 * time.Millisecond
	var (
		start     = time.Now()
		stalled   atomic.Bool
		slowest   atomic.Int64 // the longest time the server spent on one request
		slowCount atomic.Int64 // requests the server spent more than stall/10 on
	)
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		if time.Since(start) > 500*time.Millisecond && stalled.CompareAndSwap(false, true) {
			time.Sleep(stall)
		}
		accepts("paid")(w, r)
		took := time.Since(began)
		if took > stall/10 {
			slowCount.Add(1)
		}
		if int64(took) > slowest.Load() {
			slowest.Store(int64(took))
		}
	})
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	t.Cleanup(client.CloseIdleConnections)
	cfg := testConfig(srv, testProfile(2, 10, flat(100, 2)...))
	cfg.Client = client
	start = time.Now()

	res := mustRun(t, cfg)

	require.True(t, stalled.Load())
	stallMS := float64(slowest.Load()) / 1e6
	assert.EqualValues(t, 1, slowCount.Load(), "the server was slow for one request only")
	assert.Equal(t, res.Offered, res.Outcomes.OK)
	// About a quarter of the requests were intended during the stall; their latencies spread
	// evenly from the whole stall down to nothing.
	assert.GreaterOrEqual(t, res.LatencyMS.Max, 0.9*stallMS, "the first request queued behind the stall")
	assert.GreaterOrEqual(t, res.LatencyMS.P99, 0.8*stallMS)
	assert.GreaterOrEqual(t, res.LatencyMS.P90, 0.3*stallMS, "not one slow request but every one queued behind it")
	assert.Less(t, res.LatencyMS.P50, 0.3*stallMS)
}

func TestRunPatience(t *testing.T) {
	t.Parallel()
	const patience = 0.3 // seconds
	tests := []struct {
		name           string
		slow           func(release <-chan struct{}, r *http.Request) // what every second request does
		drain          time.Duration
		wantLateOK     int
		wantUnanswered int
	}{
		{
			name:       "slow answers come late",
			slow:       func(<-chan struct{}, *http.Request) { time.Sleep(3 * time.Duration(patience*float64(time.Second))) },
			drain:      3 * time.Second,
			wantLateOK: 10,
		},
		{
			name: "no answer at all",
			slow: func(release <-chan struct{}, r *http.Request) {
				select {
				case <-release:
				case <-r.Context().Done():
				}
			},
			drain:          300 * time.Millisecond,
			wantUnanswered: 10,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				n         atomic.Int64
				finished  atomic.Int64 // slow requests that ran to the end without being cancelled
				release   = make(chan struct{})
				handleNew = accepts("paid")
			)
			srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1)%2 == 0 {
					tt.slow(release, r)
					if r.Context().Err() == nil {
						finished.Add(1)
					}
				}
				handleNew(w, r)
			})
			t.Cleanup(func() { close(release) }) // before srv.Close, which waits for handlers
			cfg := testConfig(srv, testProfile(1, patience, flat(20, 1)...))
			cfg.Drain = tt.drain

			res := mustRun(t, cfg)

			assert.Equal(t, 20, res.Offered)
			assert.Equal(t, 10, res.Outcomes.OK)
			assert.Equal(t, 10, res.Outcomes.Abandoned)
			assert.InDelta(t, 0.5, res.Abandonment, 1e-9)
			assert.Zero(t, res.FailureRate, "abandonment is not a failure")
			assert.Equal(t, tt.wantLateOK, res.Late.OK)
			assert.Equal(t, tt.wantUnanswered, res.Late.Unanswered)
			assert.EqualValues(t, tt.wantLateOK, finished.Load(), "abandoned requests are not cancelled at the customer's patience")
			assert.InDelta(t, 1000*patience, res.LatencyMS.Max, 1000*patience*0.01, "an abandoned customer waited their patience")
			if tt.wantLateOK > 0 {
				require.NotNil(t, res.LateLatencyMS)
				assert.Greater(t, res.LateLatencyMS.P50, 1000*patience)
			} else {
				assert.Nil(t, res.LateLatencyMS)
			}
			assert.Equal(t, 10, res.Accepted, "an order the customer gave up on is not tracked")
		})
	}
}

func TestRunClassifiesAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		code    int // 0: the server drops the connection
		want    func(o *Outcomes) *int
		failure bool
	}{
		{"200 ok", http.StatusOK, func(o *Outcomes) *int { return &o.OK }, false},
		{"201 created", http.StatusCreated, func(o *Outcomes) *int { return &o.OK }, false},
		{"202 accepted", http.StatusAccepted, func(o *Outcomes) *int { return &o.OK }, false},
		{"409 sold out", http.StatusConflict, func(o *Outcomes) *int { return &o.SoldOut }, false},
		{"400 bad request", http.StatusBadRequest, func(o *Outcomes) *int { return &o.Rejected4xx }, true},
		{"403 forbidden", http.StatusForbidden, func(o *Outcomes) *int { return &o.Rejected4xx }, true},
		{"422 unprocessable", http.StatusUnprocessableEntity, func(o *Outcomes) *int { return &o.Rejected4xx }, true},
		{"429 throttled", http.StatusTooManyRequests, func(o *Outcomes) *int { return &o.Throttled429 }, true},
		{"500 internal error", http.StatusInternalServerError, func(o *Outcomes) *int { return &o.Server5xx }, true},
		{"502 bad gateway", http.StatusBadGateway, func(o *Outcomes) *int { return &o.Server5xx }, true},
		{"503 unavailable", http.StatusServiceUnavailable, func(o *Outcomes) *int { return &o.Server5xx }, true},
		{"504 gateway timeout", http.StatusGatewayTimeout, func(o *Outcomes) *int { return &o.GatewayTimeout504 }, true},
		{"transport error", 0, func(o *Outcomes) *int { return &o.Server5xx }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.code == 0 {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
					return
				}
				w.WriteHeader(tt.code)
				fmt.Fprint(w, `{"order_id":"ord-1","status":"paid"}`)
			})

			res := mustRun(t, testConfig(srv, testProfile(0.5, 5, flat(20, 0.5)...)))

			var want Outcomes
			*tt.want(&want) = 10
			assert.Equal(t, 10, res.Offered)
			assert.Equal(t, want, res.Outcomes)
			if tt.failure {
				assert.InDelta(t, 1.0, res.FailureRate, 1e-9)
			} else {
				assert.Zero(t, res.FailureRate)
			}
			switch {
			case tt.code == 0:
				require.NotEmpty(t, res.Errors, "a transport error is kept as a sample")
				assert.Equal(t, 10, res.Errors[0].Count)
				assert.Contains(t, res.Errors[0].Error, "EOF")
			case tt.code >= 500:
				// A 5xx answer is kept as a sample with its status and body, to say why.
				require.Len(t, res.Errors, 1)
				assert.Equal(t, ErrorCount{Error: fmt.Sprintf(`HTTP %d: {"order_id":"ord-1","status":"paid"}`, tt.code), Count: 10}, res.Errors[0])
			default:
				assert.Empty(t, res.Errors)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code int
		want outcome
	}{
		{200, ok}, {201, ok}, {204, ok}, {299, ok},
		{409, soldOut}, {429, throttled429}, {504, gatewayTimeout504},
		{400, rejected4xx}, {401, rejected4xx}, {404, rejected4xx}, {499, rejected4xx},
		{500, server5xx}, {503, server5xx}, {599, server5xx},
		{101, server5xx}, {302, server5xx}, {0, server5xx},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, classify(tt.code), "status %d", tt.code)
	}
}

// orderServer plays an async stage: POST accepts an order in status received; GET shows it
// becoming terminal after a while, except the ones it drops.
type orderServer struct {
	after    time.Duration // how long an order takes to reach its terminal status
	terminal func(n int) (status, reason string)

	mu      sync.Mutex
	created map[string]time.Time
	posts   atomic.Int64
	gets    atomic.Int64
}

func (s *orderServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodPost {
		id := fmt.Sprintf("ord-%d", s.posts.Add(1))
		s.mu.Lock()
		s.created[id] = time.Now()
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"order_id":%q,"status":"received"}`, id)
		return
	}
	s.gets.Add(1)
	id := strings.TrimPrefix(r.URL.Path, "/orders/")
	s.mu.Lock()
	created, found := s.created[id]
	s.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	var n int
	_, _ = fmt.Sscanf(id, "ord-%d", &n) // ids this server made; a foreign one stays 0
	status, reason := "received", ""
	if time.Since(created) >= s.after {
		status, reason = s.terminal(n)
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"order_id": id, "status": status, "failure_reason": reason})
}

func TestRunTracksAndReconciles(t *testing.T) {
	t.Parallel()
	srv := &orderServer{
		after:   300 * time.Millisecond,
		created: map[string]time.Time{},
		terminal: func(n int) (string, string) {
			switch n % 5 {
			case 0:
				return "received", "" // dropped: it never gets anywhere
			case 1:
				return "failed", "payment declined"
			default:
				return "paid", ""
			}
		},
	}
	cfg := testConfig(startServer(t, srv.ServeHTTP), testProfile(1, 5, flat(20, 1)...))
	cfg.Profile.GraceS = 1.5
	cfg.Tracking = Tracking{PollMin: 50 * time.Millisecond, PollMax: 100 * time.Millisecond}

	res := mustRun(t, cfg)

	assert.Equal(t, 20, res.Accepted)
	assert.Equal(t, 16, res.Completed)
	assert.Equal(t, 4, res.Lost)
	assert.Zero(t, res.Pending)
	assert.Equal(t, map[string]int{"paid": 12, "failed": 4}, res.FinalStatuses)
	assert.Equal(t, map[string]int{"payment declined": 4}, res.FailureReasons)
	assert.Len(t, res.LostSample, 4)
	for _, s := range res.LostSample {
		assert.Regexp(t, `^ord-\d*[05]: received$`, s)
	}
	require.NotNil(t, res.EndToEndMS, "tracked orders have an end-to-end time")
	assert.Greater(t, res.EndToEndMS.P50, 5*res.LatencyMS.P50, "end to end includes the wait for a terminal status")
	assert.GreaterOrEqual(t, res.EndToEndMS.P50, float64(srv.after.Milliseconds()))
}

func TestRunTerminalAnswerIsNotTracked(t *testing.T) {
	t.Parallel()
	var gets atomic.Int64
	h := accepts("pending-payment")
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
		}
		h(w, r)
	})
	cfg := testConfig(srv, testProfile(0.5, 5, flat(20, 0.5)...))
	cfg.Tracking.Terminal = []string{"pending-payment", "paid", "failed"}

	res := mustRun(t, cfg)

	assert.Equal(t, 10, res.Completed)
	assert.Zero(t, res.Lost)
	assert.Nil(t, res.EndToEndMS, "no order was polled")
	assert.Zero(t, gets.Load())
	assert.Equal(t, map[string]int{"pending-payment": 10}, res.FinalStatuses)
}

func TestRunLosesAcceptedOrdersWithoutID(t *testing.T) {
	t.Parallel()
	srv := startServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"status":"received"}`)
	})

	res := mustRun(t, testConfig(srv, testProfile(0.5, 5, flat(20, 0.5)...)))

	assert.Equal(t, 10, res.Lost)
	assert.Contains(t, res.LostSample[0], "no order_id")
}

func TestRunCancelReturnsPartialResult(t *testing.T) {
	t.Parallel()
	srv := &orderServer{after: time.Hour, created: map[string]time.Time{}, terminal: func(int) (string, string) { return "paid", "" }}
	cfg := testConfig(startServer(t, srv.ServeHTTP), testProfile(30, 5, flat(20, 30)...))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)

	res, err := Run(ctx, cfg)

	require.NoError(t, err)
	checkAccounting(t, res)
	assert.True(t, res.Partial)
	assert.Less(t, res.DurationS, 30.0)
	assert.Less(t, res.Offered, 600)
	assert.Positive(t, res.Offered)
	assert.InDelta(t, res.Expected, float64(res.Offered), 2)
	assert.Equal(t, res.Accepted, res.Pending, "tracking stopped: every accepted order is pending, none lost")
}

func TestRunProgress(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cfg := testConfig(startServer(t, accepts("paid")), testProfile(1, 5, flat(20, 1)...))
	cfg.Progress = &out

	res := mustRun(t, cfg)

	s := out.String()
	assert.True(t, strings.HasPrefix(s, "\r"))
	assert.True(t, strings.HasSuffix(s, "\n"))
	assert.NotContains(t, strings.TrimSuffix(s, "\n"), "\n", "one line, rewritten in place")
	lines := strings.Split(strings.TrimSpace(s), "\r")
	assert.LessOrEqual(t, len(lines), int(res.WallS/progressEvery.Seconds())+2, "at most about 4 draws a second")
	last := lines[len(lines)-1]
	assert.Contains(t, last, "test test")
	assert.Contains(t, last, "offered 20")
	assert.Contains(t, last, "failed 0")
	assert.Contains(t, last, "abandoned 0")
	assert.Contains(t, last, "p99 ")
}

func TestRunPlainProgress(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cfg := testConfig(startServer(t, accepts("paid")), testProfile(6, 1, flat(4, 6)...))
	cfg.Progress = &out
	cfg.PlainProgress = true

	mustRun(t, cfg)

	s := out.String()
	assert.NotContains(t, s, "\r", "no carriage returns in a log")
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	require.Len(t, lines, 2, "a line at 5 s and the last one: %q", s)
	assert.Contains(t, lines[1], "offered 24")
}

func TestRunAfterHook(t *testing.T) {
	t.Parallel()
	cfg := testConfig(startServer(t, accepts("paid")), testProfile(0.5, 5, flat(20, 0.5)...))
	cfg.Target = "emulator"
	cfg.After = func(r *Result) {
		r.Lambda = &Lambda{Functions: 1, Invocations: int64(r.Offered)}
		r.SetCost(Estimate(Usage{RESTRequests: int64(r.Offered)}))
	}

	res := mustRun(t, cfg)

	assert.Equal(t, "emulator", res.Target)
	require.NotNil(t, res.Lambda)
	assert.EqualValues(t, 10, res.Lambda.Invocations)
	require.NotNil(t, res.CostPer1k)
	assert.InDelta(t, 0.0035, *res.CostPer1k, 1e-12, "1,000 REST requests cost $0.0035")
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	good := Config{BaseURL: "https://api.example.com/prod/", Client: http.DefaultClient, Stage: "01-monolith",
		Profile: testProfile(1, 1, flat(1, 1)...)}
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"no base URL", func(c *Config) { c.BaseURL = "" }, "BaseURL is empty"},
		{"relative base URL", func(c *Config) { c.BaseURL = "/orders" }, "absolute http or https URL"},
		{"other scheme", func(c *Config) { c.BaseURL = "ftp://x" }, "absolute http or https URL"},
		{"no client", func(c *Config) { c.Client = nil }, "Client is nil"},
		{"no stage", func(c *Config) { c.Stage = "" }, "Stage is empty"},
		{"negative scale", func(c *Config) { c.Scale = -2 }, "Scale must be > 0"},
		{"bad profile", func(c *Config) { c.Profile.Rate = nil }, "rate needs at least one"},
		{"negative drain", func(c *Config) { c.Drain = -time.Second }, "Drain must be >= 0"},
		{"poll range", func(c *Config) { c.Tracking.PollMin, c.Tracking.PollMax = time.Second, time.Millisecond }, "PollMin <= PollMax"},
		{"empty terminal status", func(c *Config) { c.Tracking.Terminal = []string{"paid", ""} }, "empty status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := Run(context.Background(), cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("defaults", func(t *testing.T) {
		cfg, err := good.withDefaults()
		require.NoError(t, err)
		assert.Equal(t, "https://api.example.com/prod", cfg.BaseURL)
		assert.Equal(t, cfg.BaseURL, cfg.Target)
		assert.Equal(t, 1.0, cfg.Scale)
		assert.Equal(t, defaultTerminal, cfg.Tracking.Terminal)
	})
}

// inMemory answers every request at once without a network: the runner's own cost remains.
type inMemory struct{}

func (inMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusCreated,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(`{"order_id":"ord-1","status":"paid"}`)),
		Request:    r,
	}, nil
}

// BenchmarkRunOverhead measures what the runner itself costs per order: pacing, generating and
// encoding the order, the request, classifying and recording the answer. The rate is so high that
// every arrival is already due, so the loop never sleeps. "bare client" is the floor: one
// goroutine per request doing only client.Do against the same transport.
func BenchmarkRunOverhead(b *testing.B) {
	client := &http.Client{Transport: inMemory{}}
	b.Run("runner", func(b *testing.B) {
		const rps = 1e7
		cfg := Config{
			BaseURL: "http://bench.invalid",
			Client:  client,
			Profile: testProfile(float64(b.N)/rps, 60, flat(rps, float64(b.N)/rps)...),
			Stage:   "bench",
		}
		b.ReportAllocs()
		b.ResetTimer()
		res, err := Run(context.Background(), cfg)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if res.Outcomes.OK != b.N {
			b.Fatalf("ok %d of %d", res.Outcomes.OK, b.N)
		}
	})
	b.Run("bare client", func(b *testing.B) {
		b.ReportAllocs()
		var wg sync.WaitGroup
		for range b.N {
			wg.Go(func() {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://bench.invalid/orders", strings.NewReader(`{}`))
				if err != nil {
					panic(err)
				}
				resp, err := client.Do(req)
				if err != nil {
					panic(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
		}
		wg.Wait()
	})
}

func TestRunSameSeedSameOrders(t *testing.T) {
	t.Parallel()
	mix, err := LoadProfile("morning-rush")
	require.NoError(t, err)
	orders := func(seed int64) []string {
		var (
			mu     sync.Mutex
			bodies []string
		)
		h := accepts("paid")
		srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
			var o order
			assert.NoError(t, json.NewDecoder(r.Body).Decode(&o))
			o.PickupAt = "" // depends on the send time
			b, _ := json.Marshal(o)
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
			h(w, r)
		})
		p := testProfile(0.5, 5, flat(40, 0.5)...)
		p.Mix = mix.Mix
		cfg := testConfig(srv, p)
		cfg.Seed = seed
		mustRun(t, cfg)
		mu.Lock()
		defer mu.Unlock()
		slices.Sort(bodies) // concurrent requests may reach the server in another order
		return bodies
	}
	first := orders(3)
	assert.Len(t, first, 20)
	assert.Equal(t, first, orders(3))
	assert.NotEqual(t, first, orders(4))
}

// milestoneServer plays a stage whose orders become paid after 100 ms and ready after 400 ms,
// answering paid_at and ready_at as 04's order does.
func milestoneServer(withTimes bool) http.HandlerFunc {
	var mu sync.Mutex
	created := map[string]time.Time{}
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			id := fmt.Sprintf("ord-%d", n.Add(1))
			mu.Lock()
			created[id] = time.Now()
			mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"order_id":%q,"status":"pending-payment"}`, id)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/orders/")
		mu.Lock()
		c := created[id]
		mu.Unlock()
		out := map[string]string{"order_id": id, "status": "pending-payment"}
		age := time.Since(c)
		if age >= 100*time.Millisecond {
			out["status"] = "paid"
			if withTimes {
				out["paid_at"] = c.Add(100 * time.Millisecond).UTC().Format(time.RFC3339Nano)
			}
		}
		if age >= 400*time.Millisecond {
			out["status"] = "ready"
			if withTimes {
				out["ready_at"] = c.Add(400 * time.Millisecond).UTC().Format(time.RFC3339Nano)
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	}
}

func TestRunMeasuresMilestones(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		withTimes bool
		// paidMax bounds p99 of time to paid: with the answer's paid_at it is the server's
		// 100 ms; from polls alone it is when a poll first saw "paid", if one did.
		paidMax float64
	}{
		{name: "from the order's _at fields", withTimes: true, paidMax: 150},
		{name: "from polls", withTimes: false, paidMax: 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(startServer(t, milestoneServer(tt.withTimes)), testProfile(1, 5, flat(10, 1)...))
			cfg.Profile.GraceS = 3
			cfg.Tracking = Tracking{Terminal: []string{"ready", "failed"}, Milestones: []string{"paid", "ready"},
				PollMin: 20 * time.Millisecond, PollMax: 50 * time.Millisecond}

			res := mustRun(t, cfg)

			require.Equal(t, 10, res.Completed)
			ready, ok := res.MilestonesMS["ready"]
			require.True(t, ok, "every order reached ready")
			assert.Equal(t, 10, ready.Orders)
			assert.GreaterOrEqual(t, ready.P50, 400.0)
			if paid, ok := res.MilestonesMS["paid"]; ok {
				assert.GreaterOrEqual(t, paid.P50, 100.0)
				assert.LessOrEqual(t, paid.P99, tt.paidMax)
				assert.Less(t, paid.P50, ready.P50)
			} else {
				assert.False(t, tt.withTimes, "with paid_at every order has a time to paid")
			}
		})
	}
}
