package bakery_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

func TestMenu(t *testing.T) {
	t.Parallel()
	menu := bakery.Menu()
	require.GreaterOrEqual(t, len(menu), 15)

	id := regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	categories := []string{bakery.CategoryPastry, bakery.CategoryBread, bakery.CategorySavoury, bakery.CategoryDrink}
	seen := map[string]bool{}
	for _, it := range menu {
		t.Run(it.ID, func(t *testing.T) {
			assert.Regexp(t, id, it.ID)
			assert.False(t, seen[it.ID], "duplicate id")
			assert.NotEmpty(t, it.Name)
			assert.Contains(t, categories, it.Category)
			assert.Len(t, it.Prices, len(bakery.Currencies()), "one price per currency, no more")
			for _, c := range bakery.Currencies() {
				p, ok := it.Price(c)
				assert.True(t, ok, "no price in %s", c)
				assert.Positive(t, p, "price in %s", c)
			}
			got, ok := bakery.ItemByID(it.ID)
			assert.True(t, ok)
			assert.Equal(t, it, got)
		})
		seen[it.ID] = true
	}
	for _, c := range categories {
		assert.True(t, slices.ContainsFunc(menu, func(it bakery.Item) bool { return it.Category == c }), "no item in category %s", c)
	}
}

func TestMenuReturnsCopies(t *testing.T) {
	t.Parallel()
	m := bakery.Menu()
	m[0].Name = "changed"
	m[0].Prices[bakery.EUR] = 1

	again, ok := bakery.ItemByID(m[0].ID)
	require.True(t, ok)
	assert.NotEqual(t, "changed", again.Name)
	assert.NotEqual(t, int64(1), again.Prices[bakery.EUR])

	again.Prices[bakery.GBP] = 1
	third, _ := bakery.ItemByID(m[0].ID)
	assert.NotEqual(t, int64(1), third.Prices[bakery.GBP])
}

func TestItemByIDUnknown(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", "cronut", "Croissant", " croissant"} {
		_, ok := bakery.ItemByID(id)
		assert.False(t, ok, "%q", id)
	}
}

func TestStores(t *testing.T) {
	t.Parallel()
	stores := bakery.Stores()
	require.Len(t, stores, 60)

	id := regexp.MustCompile(`^[a-z]{3}-[0-9]{2}$`)
	northAmerica := map[string]bool{"US": true, "CA": true}
	europe := map[string]bool{"GB": true, "IE": true, "FR": true, "DE": true, "NL": true, "BE": true, "ES": true, "IT": true,
		"PT": true, "AT": true, "CH": true, "SE": true, "DK": true, "PL": true, "CZ": true}
	seen := map[string]bool{}
	for _, s := range stores {
		t.Run(s.ID, func(t *testing.T) {
			assert.Regexp(t, id, s.ID)
			assert.False(t, seen[s.ID], "duplicate id")
			assert.NotEmpty(t, s.City)
			switch {
			case northAmerica[s.Country]:
				assert.Equal(t, bakery.RegionNorthAmerica, s.Region)
				assert.Contains(t, s.TimeZone, "America/")
			case europe[s.Country]:
				assert.Equal(t, bakery.RegionEurope, s.Region)
				assert.Contains(t, s.TimeZone, "Europe/")
			default:
				t.Errorf("country %q is neither in Europe nor in North America", s.Country)
			}
			_, err := time.LoadLocation(s.TimeZone)
			assert.NoError(t, err)
			assert.NotEqual(t, time.UTC, s.Location())
			assert.Contains(t, bakery.Currencies(), s.Currency)
			assert.Positive(t, s.TaxBasisPoints)
			assert.LessOrEqual(t, s.TaxBasisPoints, 2500)

			got, ok := bakery.StoreByID(s.ID)
			assert.True(t, ok)
			assert.Equal(t, s, got)
		})
		seen[s.ID] = true
	}
}

func TestStoresCoverBothRegionsAndEveryCurrency(t *testing.T) {
	t.Parallel()
	regions := map[string]int{}
	currencies := map[string]bool{}
	for _, s := range bakery.Stores() {
		regions[s.Region]++
		currencies[s.Currency] = true
	}
	assert.Equal(t, map[string]int{bakery.RegionEurope: 34, bakery.RegionNorthAmerica: 26}, regions)
	for _, c := range bakery.Currencies() {
		assert.True(t, currencies[c], "no store charges in %s", c)
	}
}

func TestStoresReturnsACopy(t *testing.T) {
	t.Parallel()
	s := bakery.Stores()
	s[0].City = "changed"
	assert.NotEqual(t, "changed", bakery.Stores()[0].City)
}

func TestStoreByIDUnknown(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", "xyz-01", "LON-01", "lon-1"} {
		_, ok := bakery.StoreByID(id)
		assert.False(t, ok, "%q", id)
	}
}

func TestLocalDay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		store string
		at    string
		want  string
	}{
		{"lon-01", "2026-11-27T23:30:00Z", "2026-11-27"},           // GMT in winter
		{"lon-01", "2026-06-30T23:30:00Z", "2026-07-01"},           // BST in summer
		{"nyc-01", "2026-11-28T03:00:00Z", "2026-11-27"},           // still the evening before
		{"van-01", "2026-01-01T07:59:00Z", "2025-12-31"},           // UTC−8
		{"par-01", "2026-03-29T00:30:00+01:00", "2026-03-29"},      // offset in the input is honoured
		{"prg-01", "2026-12-31T23:00:00Z", "2027-01-01"},           // CET is UTC+1
		{"tor-01", "2026-11-27T04:59:59Z", "2026-11-26"},           // EST is UTC−5
		{"cal-01", "2026-07-01T05:59:59Z", "2026-06-30"},           // MDT is UTC−6
		{"dub-01", "2026-10-25T00:30:00Z", "2026-10-25"},           // IST ends that night
		{"sto-01", "2026-05-10T21:59:59.999999999Z", "2026-05-10"}, // CEST is UTC+2
	}
	for _, tt := range tests {
		t.Run(tt.store+" "+tt.at, func(t *testing.T) {
			st, ok := bakery.StoreByID(tt.store)
			require.True(t, ok)
			at, err := time.Parse(time.RFC3339Nano, tt.at)
			require.NoError(t, err)
			assert.Equal(t, tt.want, st.LocalDay(at))
		})
	}
}

func TestLocationFallsBackToUTC(t *testing.T) {
	t.Parallel()
	assert.Equal(t, time.UTC, bakery.Store{TimeZone: "Mars/Olympus_Mons"}.Location())
	assert.Equal(t, "America/Denver", bakery.Store{TimeZone: "America/Denver"}.Location().String())
}

func TestParLevel(t *testing.T) {
	t.Parallel()
	lon1, _ := bakery.StoreByID("lon-01")
	lon2, _ := bakery.StoreByID("lon-02")
	croissant, _ := bakery.ItemByID("croissant")
	tests := []struct {
		name  string
		store bakery.Store
		item  bakery.Item
		want  int
	}{
		{"standard store", lon2, croissant, 120},
		{"flagship makes twice as many", lon1, croissant, 240},
		{"unknown item has none", lon2, bakery.Item{ID: "cronut"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, bakery.ParLevel(tt.store, tt.item))
		})
	}
}

func TestEveryItemHasStockInEveryStore(t *testing.T) {
	t.Parallel()
	for _, s := range bakery.Stores() {
		for _, it := range bakery.Menu() {
			assert.Positive(t, bakery.ParLevel(s, it), "%s %s", s.ID, it.ID)
		}
	}
}
