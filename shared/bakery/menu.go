package bakery

import "maps"

// Item categories.
const (
	CategoryPastry  = "pastry"
	CategoryBread   = "bread"
	CategorySavoury = "savoury"
	CategoryDrink   = "drink"
)

// Item is one thing on the menu. Prices maps a currency code to the price in that currency's minor
// units; every item has a price in every currency of Currencies.
type Item struct {
	ID       string           `json:"item_id"` // lowercase and stable, e.g. "croissant"
	Name     string           `json:"name"`
	Category string           `json:"category"`
	Prices   map[string]int64 `json:"prices"`
}

// Price returns the item's price in currency, in minor units.
func (it Item) Price(currency string) (int64, bool) {
	p, ok := it.Prices[currency]
	return p, ok
}

// Menu returns every item, in a stable order (pastries, breads, savouries, drinks). The caller owns
// the result.
func Menu() []Item {
	out := make([]Item, len(menu))
	for i, it := range menu {
		out[i] = it.clone()
	}
	return out
}

// ItemByID returns the menu item with the given id.
func ItemByID(id string) (Item, bool) {
	i, ok := menuIndex[id]
	if !ok {
		return Item{}, false
	}
	return menu[i].clone(), true
}

func (it Item) clone() Item {
	it.Prices = maps.Clone(it.Prices)
	return it
}

// Prices differ by market, not by exchange rate: a croissant costs what a croissant costs in that
// city. They are rounded to 0.10 (EUR, GBP, USD, CAD, CHF), 0.50 (PLN) or 5 whole units (SEK, DKK,
// CZK), as a shop would print them.
var menu = []Item{
	{ID: "croissant", Name: "Butter croissant", Category: CategoryPastry, Prices: map[string]int64{EUR: 220, GBP: 240, USD: 340, CAD: 430, CHF: 340, SEK: 3000, DKK: 2500, PLN: 950, CZK: 6000}},
	{ID: "pain-au-chocolat", Name: "Pain au chocolat", Category: CategoryPastry, Prices: map[string]int64{EUR: 250, GBP: 280, USD: 390, CAD: 490, CHF: 390, SEK: 3500, DKK: 3000, PLN: 1100, CZK: 7000}},
	{ID: "almond-croissant", Name: "Almond croissant", Category: CategoryPastry, Prices: map[string]int64{EUR: 320, GBP: 350, USD: 500, CAD: 620, CHF: 500, SEK: 4500, DKK: 3500, PLN: 1400, CZK: 9000}},
	{ID: "pain-aux-raisins", Name: "Pain aux raisins", Category: CategoryPastry, Prices: map[string]int64{EUR: 280, GBP: 310, USD: 430, CAD: 550, CHF: 430, SEK: 4000, DKK: 3000, PLN: 1250, CZK: 8000}},
	{ID: "kouign-amann", Name: "Kouign-amann", Category: CategoryPastry, Prices: map[string]int64{EUR: 380, GBP: 420, USD: 590, CAD: 740, CHF: 590, SEK: 5000, DKK: 4500, PLN: 1650, CZK: 10500}},
	{ID: "cinnamon-bun", Name: "Cinnamon bun", Category: CategoryPastry, Prices: map[string]int64{EUR: 340, GBP: 370, USD: 530, CAD: 660, CHF: 530, SEK: 4500, DKK: 4000, PLN: 1500, CZK: 9500}},
	{ID: "cardamom-bun", Name: "Cardamom bun", Category: CategoryPastry, Prices: map[string]int64{EUR: 340, GBP: 370, USD: 530, CAD: 660, CHF: 530, SEK: 4500, DKK: 4000, PLN: 1500, CZK: 9500}},
	{ID: "apple-turnover", Name: "Apple turnover", Category: CategoryPastry, Prices: map[string]int64{EUR: 300, GBP: 330, USD: 470, CAD: 590, CHF: 470, SEK: 4000, DKK: 3500, PLN: 1300, CZK: 8500}},
	{ID: "canele", Name: "Canelé", Category: CategoryPastry, Prices: map[string]int64{EUR: 240, GBP: 260, USD: 370, CAD: 470, CHF: 370, SEK: 3000, DKK: 3000, PLN: 1050, CZK: 6500}},
	{ID: "fruit-scone", Name: "Fruit scone with jam", Category: CategoryPastry, Prices: map[string]int64{EUR: 260, GBP: 290, USD: 400, CAD: 510, CHF: 400, SEK: 3500, DKK: 3000, PLN: 1150, CZK: 7500}},
	{ID: "blueberry-muffin", Name: "Blueberry muffin", Category: CategoryPastry, Prices: map[string]int64{EUR: 320, GBP: 350, USD: 500, CAD: 620, CHF: 500, SEK: 4500, DKK: 3500, PLN: 1400, CZK: 9000}},
	{ID: "chocolate-chip-cookie", Name: "Chocolate chip cookie", Category: CategoryPastry, Prices: map[string]int64{EUR: 200, GBP: 220, USD: 310, CAD: 390, CHF: 310, SEK: 2500, DKK: 2500, PLN: 900, CZK: 5500}},
	{ID: "lemon-tart", Name: "Lemon tart", Category: CategoryPastry, Prices: map[string]int64{EUR: 420, GBP: 460, USD: 650, CAD: 820, CHF: 650, SEK: 5500, DKK: 5000, PLN: 1850, CZK: 12000}},
	{ID: "chocolate-eclair", Name: "Chocolate éclair", Category: CategoryPastry, Prices: map[string]int64{EUR: 390, GBP: 430, USD: 600, CAD: 760, CHF: 600, SEK: 5500, DKK: 4500, PLN: 1700, CZK: 11000}},
	{ID: "baguette", Name: "Baguette", Category: CategoryBread, Prices: map[string]int64{EUR: 160, GBP: 180, USD: 250, CAD: 310, CHF: 250, SEK: 2000, DKK: 2000, PLN: 700, CZK: 4500}},
	{ID: "sourdough-loaf", Name: "Sourdough loaf", Category: CategoryBread, Prices: map[string]int64{EUR: 550, GBP: 610, USD: 850, CAD: 1070, CHF: 850, SEK: 7500, DKK: 6500, PLN: 2400, CZK: 15500}},
	{ID: "focaccia-slice", Name: "Rosemary focaccia slice", Category: CategoryBread, Prices: map[string]int64{EUR: 320, GBP: 350, USD: 500, CAD: 620, CHF: 500, SEK: 4500, DKK: 3500, PLN: 1400, CZK: 9000}},
	{ID: "ham-cheese-croissant", Name: "Ham and cheese croissant", Category: CategorySavoury, Prices: map[string]int64{EUR: 480, GBP: 530, USD: 740, CAD: 940, CHF: 740, SEK: 6500, DKK: 5500, PLN: 2100, CZK: 13500}},
	{ID: "spinach-feta-roll", Name: "Spinach and feta roll", Category: CategorySavoury, Prices: map[string]int64{EUR: 450, GBP: 500, USD: 700, CAD: 880, CHF: 700, SEK: 6000, DKK: 5000, PLN: 2000, CZK: 12500}},
	{ID: "espresso", Name: "Espresso", Category: CategoryDrink, Prices: map[string]int64{EUR: 200, GBP: 220, USD: 310, CAD: 390, CHF: 310, SEK: 2500, DKK: 2500, PLN: 900, CZK: 5500}},
	{ID: "cappuccino", Name: "Cappuccino", Category: CategoryDrink, Prices: map[string]int64{EUR: 330, GBP: 360, USD: 510, CAD: 640, CHF: 510, SEK: 4500, DKK: 4000, PLN: 1450, CZK: 9000}},
	{ID: "flat-white", Name: "Flat white", Category: CategoryDrink, Prices: map[string]int64{EUR: 340, GBP: 370, USD: 530, CAD: 660, CHF: 530, SEK: 4500, DKK: 4000, PLN: 1500, CZK: 9500}},
	{ID: "latte", Name: "Caffè latte", Category: CategoryDrink, Prices: map[string]int64{EUR: 360, GBP: 400, USD: 560, CAD: 700, CHF: 560, SEK: 5000, DKK: 4000, PLN: 1600, CZK: 10000}},
	{ID: "hot-chocolate", Name: "Hot chocolate", Category: CategoryDrink, Prices: map[string]int64{EUR: 350, GBP: 390, USD: 540, CAD: 680, CHF: 540, SEK: 4500, DKK: 4000, PLN: 1550, CZK: 10000}},
	{ID: "breakfast-tea", Name: "Breakfast tea", Category: CategoryDrink, Prices: map[string]int64{EUR: 260, GBP: 290, USD: 400, CAD: 510, CHF: 400, SEK: 3500, DKK: 3000, PLN: 1150, CZK: 7500}},
	{ID: "orange-juice", Name: "Fresh orange juice", Category: CategoryDrink, Prices: map[string]int64{EUR: 380, GBP: 420, USD: 590, CAD: 740, CHF: 590, SEK: 5000, DKK: 4500, PLN: 1650, CZK: 10500}},
}

var menuIndex = func() map[string]int {
	idx := make(map[string]int, len(menu))
	for i, it := range menu {
		idx[it.ID] = i
	}
	return idx
}()
