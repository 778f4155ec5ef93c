package payment

import (
	"fmt"
	"net/mail"
	"strings"
)

// Limits on a request.
const (
	MaxAmount         = 99_999_999 // in minor units, as card providers commonly cap a charge
	MaxOrderIDLength  = 255
	MaxKeyLength      = 255
	MaxEmailLength    = 254
	maxQuotedInputLen = 40
)

// currencies are the ISO 4217 codes the provider accepts: every currency of the bakery's stores
// and the other common ones.
var currencies = map[string]bool{
	"AUD": true, "BGN": true, "BRL": true, "CAD": true, "CHF": true, "CNY": true, "CZK": true,
	"DKK": true, "EUR": true, "GBP": true, "HKD": true, "HUF": true, "INR": true, "ISK": true,
	"JPY": true, "KRW": true, "MXN": true, "NOK": true, "NZD": true, "PLN": true, "RON": true,
	"SEK": true, "SGD": true, "TRY": true, "USD": true, "ZAR": true,
}

// Validate checks the request the way the provider does before it charges anything. It returns
// an *InvalidError naming the first field at fault.
func (r ChargeRequest) Validate() error {
	switch {
	case r.OrderID == "":
		return missing("order_id")
	case len(r.OrderID) > MaxOrderIDLength:
		return invalid("order_id", fmt.Sprintf("order_id must be at most %d characters, got %d", MaxOrderIDLength, len(r.OrderID)))
	case r.Amount <= 0:
		return invalid("amount", fmt.Sprintf("amount must be above 0, in the currency's minor unit (1234 for 12.34), got %d", r.Amount))
	case r.Amount > MaxAmount:
		return invalid("amount", fmt.Sprintf("amount must be at most %d, got %d", MaxAmount, r.Amount))
	case r.Currency == "":
		return missing("currency")
	case !currencies[r.Currency]:
		hint := ""
		if currencies[strings.ToUpper(r.Currency)] {
			hint = " (in upper case)"
		}
		return invalid("currency", fmt.Sprintf("currency must be an ISO 4217 code%s such as GBP, EUR or USD, got %s", hint, quote(r.Currency)))
	case r.CustomerEmail == "":
		return missing("customer_email")
	}
	if a, err := mail.ParseAddress(r.CustomerEmail); err != nil || a.Address != r.CustomerEmail || a.Name != "" || len(r.CustomerEmail) > MaxEmailLength {
		return invalid("customer_email", fmt.Sprintf("customer_email must be an email address such as %s, got %s", ApprovedTestEmail, quote(r.CustomerEmail)))
	}
	return nil
}

func validateKey(key string) error {
	if len(key) > MaxKeyLength {
		return invalid("Idempotency-Key", fmt.Sprintf("Idempotency-Key must be at most %d characters, got %d", MaxKeyLength, len(key)))
	}
	for _, c := range key {
		if c < 0x21 || c > 0x7e {
			return invalid("Idempotency-Key", fmt.Sprintf("Idempotency-Key must be printable ASCII without spaces, got %s", quote(key)))
		}
	}
	return nil
}

func missing(param string) error {
	return &InvalidError{Param: param, Code: "parameter_missing", Message: param + " is required"}
}

func invalid(param, msg string) error {
	return &InvalidError{Param: param, Code: "parameter_invalid", Message: msg}
}

// quote shows a user's input in a message, cut short.
func quote(s string) string {
	if r := []rune(s); len(r) > maxQuotedInputLen {
		s = string(r[:maxQuotedInputLen]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
