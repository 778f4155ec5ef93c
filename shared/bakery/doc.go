// Package bakery is the Emily's Pastries domain that every stage shares: the menu, the 60 stores,
// orders and their status lifecycle, pricing, per-store stock par levels and the validation of an
// order request.
//
// It imports nothing from AWS: each stage decides where orders and stock live; this package decides
// what a valid order is and what it costs.
//
// Money is always an int64 count of a currency's minor units (cents, pence, öre, ...), never a
// float. Every currency used here has two decimal places (ISO 4217).
package bakery
