package bakery

import (
	"fmt"
	"strings"
)

// ISO 4217 codes of the currencies the stores charge in.
const (
	EUR = "EUR"
	GBP = "GBP"
	USD = "USD"
	CAD = "CAD"
	CHF = "CHF"
	SEK = "SEK"
	DKK = "DKK"
	PLN = "PLN"
	CZK = "CZK"
)

// Currencies lists every currency a store charges in, in a stable order.
func Currencies() []string {
	return []string{EUR, GBP, USD, CAD, CHF, SEK, DKK, PLN, CZK}
}

// TaxOn returns the tax on amount at basisPoints (1 basis point = 0.01 %), rounded half up to the
// minor unit. amount and basisPoints must not be negative.
//
// The rounding is explicit integer maths: tax = (amount × bp + 5,000) ÷ 10,000, truncated. Tax is
// computed once on the order's subtotal, not per line, so a receipt never disagrees with its total.
func TaxOn(amount int64, basisPoints int) int64 {
	return (amount*int64(basisPoints) + 5_000) / 10_000
}

// FormatMoney renders amount minor units of currency for people, e.g. "GBP 12.30" or "SEK -5.00".
// It is for logs and docs; APIs carry the integer.
func FormatMoney(amount int64, currency string) string {
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s %s%d.%02d", strings.ToUpper(currency), sign, amount/100, amount%100)
}
