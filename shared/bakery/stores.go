package bakery

import (
	"time"
	// The stores' time zones must resolve on Lambda's minimal provided.al2023 image and in CI
	// containers, with or without the system zoneinfo database.
	_ "time/tzdata"
)

// Home AWS regions: European stores are served from Ireland, North American ones from
// North Virginia.
const (
	RegionEurope       = "eu-west-1"
	RegionNorthAmerica = "us-east-1"
)

// Store is one of the 60 shops.
//
// TaxBasisPoints is the combined VAT or sales tax the store adds to a takeaway order, in basis points
// (1 bp = 0.01 %), rounded to a whole basis point. Real rules differ between food and drinks and
// between eating in and taking away; the project simplifies them to one rate per store, and prices
// are shown before tax everywhere.
type Store struct {
	ID             string `json:"store_id"` // lowercase and stable: city code and number, e.g. "lon-01"
	City           string `json:"city"`
	Country        string `json:"country"` // ISO 3166-1 alpha-2, e.g. "GB"
	Region         string `json:"region"`  // home AWS region, RegionEurope or RegionNorthAmerica
	TimeZone       string `json:"time_zone"`
	Currency       string `json:"currency"`
	TaxBasisPoints int    `json:"tax_basis_points"`
}

// Stores returns all 60 stores in a stable order: Europe first, then North America.
func Stores() []Store {
	return append([]Store(nil), stores...)
}

// StoreByID returns the store with the given id.
func StoreByID(id string) (Store, bool) {
	i, ok := storeIndex[id]
	if !ok {
		return Store{}, false
	}
	return stores[i], true
}

// Location returns the store's time zone. An unknown zone (only possible for a Store the caller
// built by hand) falls back to UTC.
func (s Store) Location() *time.Location {
	if loc, ok := locations[s.TimeZone]; ok {
		return loc
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// LocalDay returns the store's calendar day at t, as "2006-01-02". Stock is baked and counted per
// local day.
func (s Store) LocalDay(t time.Time) string {
	return t.In(s.Location()).Format(time.DateOnly)
}

func store(id, city, country, zone, currency string, taxBP int) Store {
	region := RegionEurope
	if country == "US" || country == "CA" {
		region = RegionNorthAmerica
	}
	return Store{ID: id, City: city, Country: country, Region: region, TimeZone: zone, Currency: currency, TaxBasisPoints: taxBP}
}

var stores = []Store{
	// Europe: 34 stores, served from eu-west-1.
	store("lon-01", "London", "GB", "Europe/London", GBP, 2000),
	store("lon-02", "London", "GB", "Europe/London", GBP, 2000),
	store("lon-03", "London", "GB", "Europe/London", GBP, 2000),
	store("lon-04", "London", "GB", "Europe/London", GBP, 2000),
	store("lon-05", "London", "GB", "Europe/London", GBP, 2000),
	store("lon-06", "London", "GB", "Europe/London", GBP, 2000),
	store("man-01", "Manchester", "GB", "Europe/London", GBP, 2000),
	store("edi-01", "Edinburgh", "GB", "Europe/London", GBP, 2000),
	store("bri-01", "Bristol", "GB", "Europe/London", GBP, 2000),
	store("dub-01", "Dublin", "IE", "Europe/Dublin", EUR, 1350),
	store("dub-02", "Dublin", "IE", "Europe/Dublin", EUR, 1350),
	store("par-01", "Paris", "FR", "Europe/Paris", EUR, 550),
	store("par-02", "Paris", "FR", "Europe/Paris", EUR, 550),
	store("par-03", "Paris", "FR", "Europe/Paris", EUR, 550),
	store("par-04", "Paris", "FR", "Europe/Paris", EUR, 550),
	store("lyo-01", "Lyon", "FR", "Europe/Paris", EUR, 550),
	store("ber-01", "Berlin", "DE", "Europe/Berlin", EUR, 700),
	store("ber-02", "Berlin", "DE", "Europe/Berlin", EUR, 700),
	store("muc-01", "Munich", "DE", "Europe/Berlin", EUR, 700),
	store("ham-01", "Hamburg", "DE", "Europe/Berlin", EUR, 700),
	store("ams-01", "Amsterdam", "NL", "Europe/Amsterdam", EUR, 900),
	store("ams-02", "Amsterdam", "NL", "Europe/Amsterdam", EUR, 900),
	store("bru-01", "Brussels", "BE", "Europe/Brussels", EUR, 600),
	store("mad-01", "Madrid", "ES", "Europe/Madrid", EUR, 1000),
	store("bcn-01", "Barcelona", "ES", "Europe/Madrid", EUR, 1000),
	store("rom-01", "Rome", "IT", "Europe/Rome", EUR, 1000),
	store("mil-01", "Milan", "IT", "Europe/Rome", EUR, 1000),
	store("lis-01", "Lisbon", "PT", "Europe/Lisbon", EUR, 1300),
	store("vie-01", "Vienna", "AT", "Europe/Vienna", EUR, 1000),
	store("zrh-01", "Zurich", "CH", "Europe/Zurich", CHF, 260),
	store("sto-01", "Stockholm", "SE", "Europe/Stockholm", SEK, 1200),
	store("cph-01", "Copenhagen", "DK", "Europe/Copenhagen", DKK, 2500),
	store("waw-01", "Warsaw", "PL", "Europe/Warsaw", PLN, 500),
	store("prg-01", "Prague", "CZ", "Europe/Prague", CZK, 1200),

	// North America: 26 stores, served from us-east-1.
	store("nyc-01", "New York", "US", "America/New_York", USD, 888),
	store("nyc-02", "New York", "US", "America/New_York", USD, 888),
	store("nyc-03", "New York", "US", "America/New_York", USD, 888),
	store("nyc-04", "New York", "US", "America/New_York", USD, 888),
	store("nyc-05", "New York", "US", "America/New_York", USD, 888),
	store("bos-01", "Boston", "US", "America/New_York", USD, 700),
	store("bos-02", "Boston", "US", "America/New_York", USD, 700),
	store("phl-01", "Philadelphia", "US", "America/New_York", USD, 800),
	store("was-01", "Washington", "US", "America/New_York", USD, 1000),
	store("mia-01", "Miami", "US", "America/New_York", USD, 800),
	store("chi-01", "Chicago", "US", "America/Chicago", USD, 1025),
	store("chi-02", "Chicago", "US", "America/Chicago", USD, 1025),
	store("chi-03", "Chicago", "US", "America/Chicago", USD, 1025),
	store("aus-01", "Austin", "US", "America/Chicago", USD, 825),
	store("den-01", "Denver", "US", "America/Denver", USD, 881),
	store("sea-01", "Seattle", "US", "America/Los_Angeles", USD, 1035),
	store("sfo-01", "San Francisco", "US", "America/Los_Angeles", USD, 863),
	store("sfo-02", "San Francisco", "US", "America/Los_Angeles", USD, 863),
	store("lax-01", "Los Angeles", "US", "America/Los_Angeles", USD, 950),
	store("lax-02", "Los Angeles", "US", "America/Los_Angeles", USD, 950),
	store("tor-01", "Toronto", "CA", "America/Toronto", CAD, 1300),
	store("tor-02", "Toronto", "CA", "America/Toronto", CAD, 1300),
	store("ott-01", "Ottawa", "CA", "America/Toronto", CAD, 1300),
	store("mtl-01", "Montreal", "CA", "America/Toronto", CAD, 1498),
	store("cal-01", "Calgary", "CA", "America/Edmonton", CAD, 500),
	store("van-01", "Vancouver", "CA", "America/Vancouver", CAD, 500),
}

var storeIndex = func() map[string]int {
	idx := make(map[string]int, len(stores))
	for i, s := range stores {
		idx[s.ID] = i
	}
	return idx
}()

// locations caches the stores' time zones; loading one parses the zoneinfo data each time.
var locations = func() map[string]*time.Location {
	locs := make(map[string]*time.Location)
	for _, s := range stores {
		if _, ok := locs[s.TimeZone]; ok {
			continue
		}
		loc, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			panic("bakery: store " + s.ID + " has an unknown time zone: " + err.Error())
		}
		locs[s.TimeZone] = loc
	}
	return locs
}()
