package loadgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// order is the POST /orders body: the wire contract every stage accepts.
type order struct {
	StoreID  string      `json:"store_id"`
	Customer customer    `json:"customer"`
	Items    []orderLine `json:"items"`
	PickupAt string      `json:"pickup_at"`
}

type customer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type orderLine struct {
	ItemID   string `json:"item_id"`
	Quantity int    `json:"quantity"`
}

// orderGen draws orders from a Mix. It is not safe for concurrent use: the runner calls it from
// its pacing loop only, so one seed gives one sequence of orders.
type orderGen struct {
	rng          *rand.Rand
	mix          Mix
	stores       []bakery.Store
	hotStores    []bakery.Store
	menu         map[string][]string // currency → IDs of the items priced in it
	hotItems     []string
	itemsPerOrd  weightedPick
	quantity     weightedPick
	pickupMinMax [2]int
}

func newOrderGen(m Mix, seed int64) (*orderGen, error) {
	g := &orderGen{
		rng:          rand.New(rand.NewPCG(uint64(seed), 0x656d696c79)), // "emily"
		mix:          m,
		stores:       bakery.Stores(),
		menu:         map[string][]string{},
		itemsPerOrd:  newWeightedPick(m.ItemsPerOrder),
		quantity:     newWeightedPick(m.Quantity),
		pickupMinMax: m.PickupMinutes,
	}
	if len(g.stores) == 0 {
		return nil, fmt.Errorf("order mix: the bakery has no stores")
	}
	for _, id := range m.PopularStores.IDs {
		s, ok := bakery.StoreByID(id)
		if !ok {
			return nil, fmt.Errorf("order mix: popular store %q is not a bakery store", id)
		}
		g.hotStores = append(g.hotStores, s)
	}
	for _, id := range m.PopularItems.IDs {
		if _, ok := bakery.ItemByID(id); !ok {
			return nil, fmt.Errorf("order mix: popular item %q is not on the menu", id)
		}
		g.hotItems = append(g.hotItems, id)
	}
	items := bakery.Menu()
	for _, s := range g.stores {
		if _, done := g.menu[s.Currency]; done {
			continue
		}
		var ids []string
		for _, it := range items {
			if _, priced := it.Prices[s.Currency]; priced {
				ids = append(ids, it.ID)
			}
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("order mix: no menu item has a price in %s (store %s)", s.Currency, s.ID)
		}
		g.menu[s.Currency] = ids
	}
	return g, nil
}

// next draws one order to be sent at sendAt.
func (g *orderGen) next(sendAt time.Time) order {
	store := g.stores[g.rng.IntN(len(g.stores))]
	if len(g.hotStores) > 0 && g.rng.Float64() < g.mix.PopularStores.Share {
		store = g.hotStores[g.rng.IntN(len(g.hotStores))]
	}
	menu := g.menu[store.Currency]
	n := min(g.itemsPerOrd.pick(g.rng), len(menu))
	lines := make([]orderLine, 0, n)
	for attempts := 0; len(lines) < n && attempts < 10*n; attempts++ {
		id := menu[g.rng.IntN(len(menu))]
		if len(g.hotItems) > 0 && g.rng.Float64() < g.mix.PopularItems.Share {
			if hot := g.hotItems[g.rng.IntN(len(g.hotItems))]; slices.Contains(menu, hot) {
				id = hot
			}
		}
		if slices.ContainsFunc(lines, func(l orderLine) bool { return l.ItemID == id }) {
			continue // one line per item, as a shopping basket would have it
		}
		lines = append(lines, orderLine{ItemID: id, Quantity: g.quantity.pick(g.rng)})
	}
	first := firstNames[g.rng.IntN(len(firstNames))]
	last := lastNames[g.rng.IntN(len(lastNames))]
	lo, hi := g.pickupMinMax[0], g.pickupMinMax[1]
	pickup := sameLocalDay(store, sendAt.Add(time.Duration(lo)*time.Minute), sendAt.Add(time.Duration(lo+g.rng.IntN(hi-lo+1))*time.Minute))
	return order{
		StoreID: store.ID,
		Customer: customer{
			Name:  first + " " + last,
			Email: fmt.Sprintf("%s.%s+%d@example.com", strings.ToLower(first), strings.ToLower(last), g.rng.IntN(10000)),
		},
		Items:    lines,
		PickupAt: pickup.UTC().Truncate(time.Second).Format(time.RFC3339),
	}
}

// sameLocalDay brings pickup back into the store's local day of earliest (the window's start)
// when it falls past that day's midnight, folding the part of the window beyond midnight onto
// the start of the window. A stage counts stock per store, item and local day of the pickup, so a
// window that straddled a store's midnight split its orders over two days' stock, and how many
// sold out depended on the hour of the run: the holiday spike at seed 7 answered 89 sold out
// at 21:35 UTC and 41 to 48 at 22:45. Now one seed draws on one day's stock per store at any
// hour, unless a store's midnight falls within the run's sending time past earliest (a window of
// the run's length in each day).
func sameLocalDay(store bakery.Store, earliest, pickup time.Time) time.Time {
	loc := store.Location()
	y, m, d := earliest.In(loc).Date()
	midnight := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	if pickup.Before(midnight) {
		return pickup
	}
	return earliest.Add(pickup.Sub(earliest) % midnight.Sub(earliest))
}

// weightedPick draws a value of a discrete distribution.
type weightedPick struct {
	values []int
	cum    []float64
}

func newWeightedPick(d []Weighted) weightedPick {
	var w weightedPick
	total := 0.0
	for _, x := range d {
		total += x.Weight
		w.values = append(w.values, x.Value)
		w.cum = append(w.cum, total)
	}
	return w
}

func (w weightedPick) pick(rng *rand.Rand) int {
	if len(w.values) == 0 {
		return 1
	}
	r := rng.Float64() * w.cum[len(w.cum)-1]
	i, _ := slices.BinarySearch(w.cum, r)
	for i < len(w.values)-1 && w.cum[i] <= r { // skip zero-weight values sitting on r
		i++
	}
	return w.values[min(i, len(w.values)-1)]
}

// Customers are made up; the names are of people bakers would gladly feed.
var (
	firstNames = []string{"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Margaret", "Ken",
		"Radia", "Dennis", "Frances", "John", "Katherine", "Niklaus", "Hedy", "Tim", "Sophie", "Linus"}
	lastNames = []string{"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Hamilton",
		"Thompson", "Perlman", "Ritchie", "Allen", "Backus", "Johnson", "Wirth", "Lamarr", "Berners-Lee",
		"Wilson", "Torvalds"}
)
