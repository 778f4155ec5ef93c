package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testProfile is a short custom profile: one item, quantity 1, no hot keys.
func testProfile(durationS, patienceS float64, rate ...Point) Profile {
	return Profile{
		Name:      "test",
		DurationS: durationS,
		Rate:      rate,
		PatienceS: patienceS,
		GraceS:    2,
		Mix: Mix{
			ItemsPerOrder: []Weighted{{Value: 1, Weight: 1}},
			Quantity:      []Weighted{{Value: 1, Weight: 1}},
			PickupMinutes: [2]int{15, 120},
		},
	}
}

func flat(rps float64, durationS float64) []Point {
	return []Point{{0, rps}, {durationS, rps}}
}

func startServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func testConfig(srv *httptest.Server, p Profile) Config {
	return Config{
		BaseURL: srv.URL,
		Client:  srv.Client(),
		Profile: p,
		Stage:   "test",
		Seed:    1,
		Drain:   500 * time.Millisecond,
	}
}

func mustRun(t testing.TB, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	checkAccounting(t, res)
	return res
}

// checkAccounting asserts what must hold for every result: each offered order is counted once,
// each abandoned one answered late or never, each accepted one is accounted for.
func checkAccounting(t testing.TB, r *Result) {
	t.Helper()
	o := r.Outcomes
	assert.Equal(t, r.Offered, o.OK+o.SoldOut+o.Rejected4xx+o.Throttled429+o.Server5xx+o.GatewayTimeout504+o.Abandoned, "outcomes must add up to offered")
	l := r.Late
	assert.Equal(t, o.Abandoned, l.OK+l.SoldOut+l.Rejected4xx+l.Throttled429+l.Server5xx+l.GatewayTimeout504+l.Unanswered, "late answers must add up to abandoned")
	assert.Equal(t, o.OK, r.Accepted)
	assert.Equal(t, r.Accepted, r.Completed+r.Lost+r.Pending, "every accepted order must be accounted for")
	offered := 0
	for i, b := range r.Timeline {
		assert.Equal(t, i, b.T)
		offered += b.Offered
	}
	assert.Equal(t, r.Offered, offered, "the timeline must hold every offered order")
}

// accepts answers every POST with a new order in status, and GET with that status too.
func accepts(status string) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
		fmt.Fprintf(w, `{"order_id":"ord-%d","status":%q}`, n.Add(1), status)
	}
}
