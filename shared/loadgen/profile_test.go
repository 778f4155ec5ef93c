package loadgen

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

func TestShippedProfiles(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"holiday-spike", "morning-rush", "smoke", "steady"}, Profiles())
	for _, name := range Profiles() {
		t.Run(name, func(t *testing.T) {
			p, err := LoadProfile(name)
			require.NoError(t, err)
			assert.Equal(t, name, p.Name)
			assert.NotEmpty(t, p.Description)
			assert.LessOrEqual(t, p.DurationS, 60.0, "the demo runs five stages in about five minutes")
			_, err = newOrderGen(p.Mix, 1)
			assert.NoError(t, err, "hot stores and items must exist in the bakery")
		})
	}
}

func TestHolidaySpikeIsFortyTimesSteady(t *testing.T) {
	t.Parallel()
	steady, err := LoadProfile("steady")
	require.NoError(t, err)
	spike, err := LoadProfile("holiday-spike")
	require.NoError(t, err)
	peak := 0.0
	for _, pt := range spike.Rate {
		peak = max(peak, pt.RPS)
	}
	assert.InDelta(t, 40.0, peak/(steady.Expected()/steady.DurationS), 1e-9)
	assert.InDelta(t, steady.RateAt(0), spike.RateAt(0), 1e-9, "the spike starts from the steady rate")
}

func TestLoadProfileUnknown(t *testing.T) {
	t.Parallel()
	_, err := LoadProfile("black-friday")
	require.Error(t, err)
	assert.Equal(t, `unknown load profile "black-friday": valid profiles are holiday-spike, morning-rush, smoke, steady`, err.Error())
}

func TestParseProfileRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"no rate", func(m map[string]any) { delete(m, "rate") }, "rate needs at least one"},
		{"curve starts late", func(m map[string]any) { m["rate"] = [][]float64{{1, 5}, {10, 5}} }, "rate must start at t_s 0"},
		{"time goes back", func(m map[string]any) { m["rate"] = [][]float64{{0, 5}, {6, 5}, {4, 5}} }, "t_s 4 must be after 6"},
		{"negative rate", func(m map[string]any) { m["rate"] = [][]float64{{0, 5}, {5, -1}} }, "rps must be >= 0"},
		{"point past the end", func(m map[string]any) { m["rate"] = [][]float64{{0, 5}, {11, 5}} }, "past duration_s"},
		{"not a pair", func(m map[string]any) { m["rate"] = [][]float64{{0, 5, 1}} }, "must be [t_s, rps]"},
		{"no orders", func(m map[string]any) { m["rate"] = [][]float64{{0, 0}} }, "need at least 1"},
		{"no duration", func(m map[string]any) { m["duration_s"] = 0 }, "duration_s must be > 0"},
		{"no patience", func(m map[string]any) { m["patience_s"] = 0 }, "patience_s must be > 0"},
		{"negative grace", func(m map[string]any) { m["grace_s"] = -1 }, "grace_s must be >= 0"},
		{"unknown field", func(m map[string]any) { m["rps"] = 5 }, `unknown field "rps"`},
		{"empty items distribution", func(m map[string]any) { mix(m)["items_per_order"] = []any{} }, "mix.items_per_order is empty"},
		{"quantity out of range", func(m map[string]any) {
			mix(m)["quantity"] = []any{map[string]any{"value": 60, "weight": 1}}
		}, "mix.quantity value must be 1–50, got 60"},
		{"zero weights", func(m map[string]any) {
			mix(m)["quantity"] = []any{map[string]any{"value": 1, "weight": 0}}
		}, "weights add up to 0"},
		{"pickup backwards", func(m map[string]any) { mix(m)["pickup_minutes"] = []int{120, 15} }, "pickup_minutes"},
		{"hot share without ids", func(m map[string]any) {
			mix(m)["popular_stores"] = map[string]any{"share": 0.5}
		}, "popular_stores.share is 0.5 but ids is empty"},
		{"hot share over 1", func(m map[string]any) {
			mix(m)["popular_items"] = map[string]any{"ids": []string{"croissant"}, "share": 1.5}
		}, "popular_items.share must be 0–1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := smokeAsMap(t)
			tt.change(m)
			data, err := json.Marshal(m)
			require.NoError(t, err)
			_, err = ParseProfile(data)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("the unchanged profile parses", func(t *testing.T) {
		data, err := json.Marshal(smokeAsMap(t))
		require.NoError(t, err)
		_, err = ParseProfile(data)
		assert.NoError(t, err)
	})
}

func smokeAsMap(t testing.TB) map[string]any {
	t.Helper()
	data, err := profileFiles.ReadFile("profiles/smoke.json")
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

func mix(m map[string]any) map[string]any { return m["mix"].(map[string]any) }

func TestProfileCurve(t *testing.T) {
	t.Parallel()
	p := testProfile(10, 1, Point{0, 10}, Point{4, 50}, Point{6, 50})
	tests := []struct {
		t, rate, until float64
	}{
		{t: 0, rate: 10, until: 0},
		{t: 2, rate: 30, until: 40},
		{t: 4, rate: 50, until: 120},
		{t: 5, rate: 50, until: 170},
		{t: 8, rate: 50, until: 320}, // holds the last value to the end
		{t: 10, rate: 50, until: 420},
		{t: 11, rate: 0, until: 420},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.rate, p.RateAt(tt.t), 1e-9, "rate at %v", tt.t)
		assert.InDelta(t, tt.until, p.ExpectedUntil(tt.t), 1e-9, "orders until %v", tt.t)
	}
	assert.InDelta(t, 420, p.Expected(), 1e-9)

	scaled := p.Scaled(2.5)
	assert.InDelta(t, 1050, scaled.Expected(), 1e-9, "Scaled multiplies the rate")
	assert.InDelta(t, 75, scaled.RateAt(2), 1e-9)
	assert.InDelta(t, 420, p.Expected(), 1e-9, "Scaled leaves the original alone")
}

func TestOrderMixRepeatsWithTheSeed(t *testing.T) {
	t.Parallel()
	p, err := LoadProfile("morning-rush")
	require.NoError(t, err)
	sendAt := time.Date(2026, 11, 27, 7, 30, 0, 0, time.UTC)
	draw := func(seed int64) []order {
		g, err := newOrderGen(p.Mix, seed)
		require.NoError(t, err)
		var orders []order
		for range 200 {
			orders = append(orders, g.next(sendAt))
		}
		return orders
	}
	assert.Equal(t, draw(7), draw(7), "the same seed gives the same orders")
	assert.NotEqual(t, draw(7), draw(8))
}

func TestOrderMix(t *testing.T) {
	t.Parallel()
	p, err := LoadProfile("morning-rush")
	require.NoError(t, err)
	g, err := newOrderGen(p.Mix, 42)
	require.NoError(t, err)
	sendAt := time.Now()

	const n = 3000
	var hotStores, lines, hotLines, items int
	stores := map[string]int{}
	for i := range n {
		o := g.next(sendAt)
		stores[o.StoreID]++
		if slices.Contains(p.Mix.PopularStores.IDs, o.StoreID) {
			hotStores++
		}
		for _, l := range o.Items {
			lines++
			if slices.Contains(p.Mix.PopularItems.IDs, l.ItemID) {
				hotLines++
			}
		}
		items += len(o.Items)
		pickup, err := time.Parse(time.RFC3339, o.PickupAt)
		require.NoError(t, err)
		ahead := pickup.Sub(sendAt)
		require.True(t, ahead >= 14*time.Minute && ahead <= 120*time.Minute, "pickup %v ahead", ahead)

		// Every order the tool sends is one the bakery accepts.
		var req bakery.OrderRequest
		data, err := json.Marshal(o)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &req))
		_, err = bakery.NewOrder(fmt.Sprintf("ord-%d", i), req, sendAt)
		require.NoError(t, err, "order %d: %s", i, data)
	}
	nStores := len(bakery.Stores())
	share := p.Mix.PopularStores.Share
	wantHot := share + (1-share)*float64(len(p.Mix.PopularStores.IDs))/float64(nStores)
	assert.InDelta(t, wantHot, float64(hotStores)/n, 0.04, "popular stores get their share: hot keys")
	assert.Greater(t, float64(hotLines)/float64(lines), p.Mix.PopularItems.Share*0.8, "popular items get their share")
	assert.Greater(t, len(stores), nStores*9/10, "the rest is spread over (nearly) all stores")
	wantItems := 0.0
	total := 0.0
	for _, w := range p.Mix.ItemsPerOrder {
		wantItems += float64(w.Value) * w.Weight
		total += w.Weight
	}
	assert.InDelta(t, wantItems/total, float64(items)/n, 0.1, "items per order follow the distribution")
}

func TestWeightedPickSkipsZeroWeights(t *testing.T) {
	t.Parallel()
	g, err := newOrderGen(Mix{
		ItemsPerOrder: []Weighted{{Value: 1, Weight: 0}, {Value: 2, Weight: 1}, {Value: 3, Weight: 0}},
		Quantity:      []Weighted{{Value: 5, Weight: 1}},
		PickupMinutes: [2]int{30, 30},
	}, 1)
	require.NoError(t, err)
	for range 500 {
		o := g.next(time.Now())
		require.Len(t, o.Items, 2)
		assert.Equal(t, 5, o.Items[0].Quantity)
	}
}

func TestNewOrderGenRejectsUnknownHotKeys(t *testing.T) {
	t.Parallel()
	m := testProfile(1, 1, flat(1, 1)...).Mix
	m.PopularStores = Popular{IDs: []string{"atlantis-01"}, Share: 0.5}
	_, err := newOrderGen(m, 1)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), `popular store "atlantis-01"`), err.Error())
}

// A stage counts stock per store, item and local day of the pickup. A run's pickups must draw on
// one local day per store, whatever the hour the run starts, or the seed's sold-out answers
// depend on the clock (sameLocalDay).
func TestPickupsDrawOnOneLocalDayPerStoreAtAnyHour(t *testing.T) {
	t.Parallel()
	p, err := LoadProfile("holiday-spike")
	require.NoError(t, err)
	lo, hi := time.Duration(p.Mix.PickupMinutes[0])*time.Minute, time.Duration(p.Mix.PickupMinutes[1])*time.Minute
	for _, start := range []time.Time{
		time.Date(2026, 12, 5, 21, 35, 0, 0, time.UTC), // the window straddles midnight in Paris, Berlin, …
		time.Date(2026, 12, 5, 22, 40, 0, 0, time.UTC), // … in London, Dublin and Lisbon
		time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC),   // … in Los Angeles and Vancouver
		time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC),  // nowhere
		time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC),  // summer time in Europe
	} {
		t.Run(start.Format(time.RFC3339), func(t *testing.T) {
			g, err := newOrderGen(p.Mix, 7)
			require.NoError(t, err)
			days := map[string]map[string]bool{} // store → local days its pickups fall on
			for i := range 2000 {
				sendAt := start.Add(time.Duration(i) * 30 * time.Millisecond) // a minute of sending
				o := g.next(sendAt)
				pickup, err := time.Parse(time.RFC3339, o.PickupAt)
				require.NoError(t, err)
				require.False(t, pickup.Before(sendAt.Add(lo-time.Second)), "order %d: pickup %v, sent %v", i, pickup, sendAt)
				require.False(t, pickup.After(sendAt.Add(hi)), "order %d: pickup %v, sent %v", i, pickup, sendAt)
				store, ok := bakery.StoreByID(o.StoreID)
				require.True(t, ok)
				if days[o.StoreID] == nil {
					days[o.StoreID] = map[string]bool{}
				}
				days[o.StoreID][store.LocalDay(pickup)] = true
			}
			for id, d := range days {
				assert.Len(t, d, 1, "store %s: pickups on local days %v", id, d)
			}
		})
	}
}
