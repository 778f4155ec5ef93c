package fraud

import (
	"context"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// Risk levels; the workflow's Choice state fails the order on RiskHigh.
const (
	RiskLow  = "low"
	RiskHigh = "high"
)

// HighScore is the score from which an order is high risk.
const HighScore = 70

// Order is the part of an order the screen reads.
type Order struct {
	OrderID  string          `json:"order_id"`
	StoreID  string          `json:"store_id"`
	Customer bakery.Customer `json:"customer"`
	Items    []bakery.Line   `json:"items"`
	Currency string          `json:"currency"`
	Total    int64           `json:"total"`
}

// Result is the screen's verdict.
type Result struct {
	OrderID string   `json:"order_id"`
	Risk    string   `json:"risk"`
	Score   int      `json:"score"`
	Reasons []string `json:"reasons"`
}

// Screen is the fraud-screen handler.
type Screen struct{}

// NewScreen builds the handler; it needs nothing from the environment.
func NewScreen(context.Context, aws.Config, func(string) string) (*Screen, error) {
	return &Screen{}, nil
}

var disposable = map[string]bool{
	"mailinator.com": true, "guerrillamail.com": true, "10minutemail.com": true, "trashmail.com": true, "yopmail.com": true,
}

// Handle scores the order.
func (*Screen) Handle(_ context.Context, o Order) (Result, error) {
	r := Result{OrderID: o.OrderID, Reasons: []string{}}
	add := func(points int, reason string) {
		r.Score += points
		r.Reasons = append(r.Reasons, reason)
	}
	email := strings.ToLower(strings.TrimSpace(o.Customer.Email))
	if at := strings.LastIndexByte(email, '@'); at >= 0 && disposable[email[at+1:]] {
		add(60, "disposable email domain")
	}
	if croissant, ok := bakery.ItemByID("croissant"); ok {
		if unit, ok := croissant.Price(o.Currency); ok && o.Total >= 100*unit {
			add(30, "worth more than a hundred croissants")
		}
	}
	for _, l := range o.Items {
		if l.Quantity >= 40 {
			add(20, "bulk quantity of "+l.ItemID)
			break
		}
	}
	if !strings.ContainsFunc(o.Customer.Name, unicode.IsLetter) {
		add(20, "name without letters")
	}
	r.Risk = RiskLow
	if r.Score >= HighScore {
		r.Risk = RiskHigh
	}
	return r, nil
}
