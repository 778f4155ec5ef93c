package bakery

// ParLevel is how many of item the store bakes (or, for drinks, can serve) per local day: the stock
// a day starts with. Orders reserve against it; a day with nothing left of an item is sold out.
//
// Flagship stores make twice the standard quantity. An item with no par level (only possible for an
// Item the caller built by hand) has none in stock.
func ParLevel(s Store, it Item) int {
	return baseParLevels[it.ID] * storeScalePercent(s.ID) / 100
}

// Flagships are the busiest store of each of the biggest cities.
var flagships = map[string]bool{"lon-01": true, "par-01": true, "nyc-01": true, "tor-01": true}

// IsFlagship reports whether a store is one of the flagships, which bake, and staff, twice a
// standard store.
func IsFlagship(storeID string) bool { return flagships[storeID] }

func storeScalePercent(storeID string) int {
	if flagships[storeID] {
		return 200
	}
	return 100
}

// baseParLevels is a standard store's daily quantity per item. Drinks are made to order, so their
// limit is milk, beans and cups rather than baking.
var baseParLevels = map[string]int{
	"croissant":             120,
	"pain-au-chocolat":      100,
	"almond-croissant":      40,
	"pain-aux-raisins":      40,
	"kouign-amann":          30,
	"cinnamon-bun":          60,
	"cardamom-bun":          40,
	"apple-turnover":        40,
	"canele":                36,
	"fruit-scone":           40,
	"blueberry-muffin":      50,
	"chocolate-chip-cookie": 80,
	"lemon-tart":            24,
	"chocolate-eclair":      30,
	"baguette":              80,
	"sourdough-loaf":        30,
	"focaccia-slice":        40,
	"ham-cheese-croissant":  40,
	"spinach-feta-roll":     30,
	"espresso":              300,
	"cappuccino":            300,
	"flat-white":            300,
	"latte":                 300,
	"hot-chocolate":         150,
	"breakfast-tea":         200,
	"orange-juice":          60,
}
