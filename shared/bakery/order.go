package bakery

import (
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits an order request must respect.
const (
	MinQuantity    = 1
	MaxQuantity    = 50
	MaxNameLength  = 100 // characters
	MaxEmailLength = 254 // bytes, as in RFC 5321
	MaxPickupAhead = 30 * 24 * time.Hour
)

// Examples quoted in error messages.
const (
	exampleStoreID  = "lon-01"
	exampleItemID   = "croissant"
	exampleEmail    = "ada@example.com"
	examplePickupAt = "2026-11-27T08:30:00Z"
)

// OrderRequest is what a customer sends to place an order; its JSON is the wire contract of
// POST /orders in every stage.
type OrderRequest struct {
	StoreID  string        `json:"store_id"`
	Customer Customer      `json:"customer"`
	Items    []LineRequest `json:"items"`
	PickupAt string        `json:"pickup_at"` // RFC 3339, e.g. "2026-11-27T08:30:00Z"
}

// Customer is who places and picks up an order.
type Customer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// LineRequest asks for quantity of one menu item.
type LineRequest struct {
	ItemID   string `json:"item_id"`
	Quantity int    `json:"quantity"`
}

// Order is a validated, priced order. Its JSON is what every stage answers for an order.
type Order struct {
	ID            string     `json:"order_id"`
	Status        Status     `json:"status"`
	FailureReason string     `json:"failure_reason,omitempty"` // set when Status is failed
	StoreID       string     `json:"store_id"`
	Customer      Customer   `json:"customer"`
	Items         []Line     `json:"items"`
	Currency      string     `json:"currency"`
	Subtotal      int64      `json:"subtotal"`
	Tax           int64      `json:"tax"`
	Total         int64      `json:"total"`
	PickupAt      time.Time  `json:"pickup_at"`
	CreatedAt     time.Time  `json:"created_at"`
	PaidAt        *time.Time `json:"paid_at,omitempty"`
	PaymentRef    string     `json:"payment_ref,omitempty"`
}

// NewOrder validates req at time now and returns the priced order with the given id, in status
// received. Invalid input gives a *ValidationError that lists every problem.
func NewOrder(id string, req OrderRequest, now time.Time) (Order, error) {
	var v validator
	st, ok := StoreByID(req.StoreID)
	if !ok {
		v.add("store_id", `name one of the 60 stores, such as "`+exampleStoreID+`"`, strconv.Quote(req.StoreID))
	}
	v.customer(req.Customer)
	items := v.items(req.Items)
	pickup := v.pickupAt(req.PickupAt, now)
	if err := v.err(); err != nil {
		return Order{}, err
	}

	lines := make([]Line, len(items))
	for i, it := range items {
		l, err := NewLine(it, req.Items[i].Quantity, st.Currency)
		if err != nil {
			return Order{}, fmt.Errorf("new order for store %s: %w", st.ID, err)
		}
		lines[i] = l
	}
	t := Price(lines, st.TaxBasisPoints)
	return Order{
		ID:        id,
		Status:    StatusReceived,
		StoreID:   st.ID,
		Customer:  Customer{Name: strings.TrimSpace(req.Customer.Name), Email: req.Customer.Email},
		Items:     lines,
		Currency:  st.Currency,
		Subtotal:  t.Subtotal,
		Tax:       t.Tax,
		Total:     t.Total,
		PickupAt:  pickup.UTC(),
		CreatedAt: now.UTC(),
	}, nil
}

// Transition moves the order to status to, or returns a *TransitionError naming both statuses.
// Use Fail to move it to failed.
func (o *Order) Transition(to Status) error {
	if to == StatusFailed {
		return fmt.Errorf("order %s: failing an order needs a reason: use Fail", o.ID)
	}
	return o.move(to)
}

// Fail moves the order to failed, keeping reason for the customer and for reconciliation.
func (o *Order) Fail(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("order %s: a failed order needs a reason", o.ID)
	}
	if err := o.move(StatusFailed); err != nil {
		return err
	}
	o.FailureReason = reason
	return nil
}

// RecordPayment marks a pending-payment order as paid. amount must equal the order's total.
func (o *Order) RecordPayment(amount int64, reference string, at time.Time) error {
	if amount != o.Total {
		return &ValidationError{Problems: []FieldError{{
			Field: "amount",
			Rule:  fmt.Sprintf("equal the order total %d (%s)", o.Total, FormatMoney(o.Total, o.Currency)),
			Got:   strconv.FormatInt(amount, 10),
		}}}
	}
	if err := o.move(StatusPaid); err != nil {
		return err
	}
	at = at.UTC()
	o.PaidAt, o.PaymentRef = &at, reference
	return nil
}

func (o *Order) move(to Status) error {
	if err := CheckTransition(o.Status, to); err != nil {
		var te *TransitionError
		if errors.As(err, &te) {
			te.OrderID = o.ID
		}
		return err
	}
	o.Status = to
	return nil
}

// FieldError says which field of a request is wrong, what it must be and what it was:
// "items[1].quantity must be 1–50, got 0".
type FieldError struct {
	Field string // JSON path, e.g. "items[1].quantity"
	Rule  string // what the field must do, starting with a verb: "be 1–50"
	Got   string // the value given, quoted if a string
}

func (e FieldError) Error() string {
	return e.Field + " must " + e.Rule + ", got " + e.Got
}

// ValidationError lists every problem found in a request, in field order.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "; ")
}

type validator struct {
	problems []FieldError
}

func (v *validator) add(field, rule, got string) {
	v.problems = append(v.problems, FieldError{Field: field, Rule: rule, Got: got})
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

func (v *validator) customer(c Customer) {
	if n := utf8.RuneCountInString(strings.TrimSpace(c.Name)); n < 1 || n > MaxNameLength {
		v.add("customer.name", fmt.Sprintf("be 1–%d characters", MaxNameLength), quoteShort(c.Name))
	}
	if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || a.Name != "" || len(c.Email) > MaxEmailLength {
		v.add("customer.email", "be an email address such as "+exampleEmail, quoteShort(c.Email))
	}
}

// items resolves each line's menu item; the result is only meaningful when no problem was found.
func (v *validator) items(lines []LineRequest) []Item {
	switch {
	case len(lines) == 0:
		v.add("items", "have at least one line", "none")
		return nil
	case len(lines) > len(menu):
		// Each menu item may appear once, so more lines than items cannot be valid.
		v.add("items", fmt.Sprintf("have at most %d lines, one per menu item", len(menu)), strconv.Itoa(len(lines)))
		return nil
	}
	items := make([]Item, len(lines))
	seen := make(map[string]int, len(lines))
	for i, l := range lines {
		field := fmt.Sprintf("items[%d]", i)
		it, ok := ItemByID(l.ItemID)
		switch first, dup := seen[l.ItemID]; {
		case !ok:
			v.add(field+".item_id", `name an item on the menu, such as "`+exampleItemID+`"`, quoteShort(l.ItemID))
		case dup:
			v.add(field+".item_id", fmt.Sprintf("not repeat items[%d] (put the whole quantity on one line)", first), strconv.Quote(l.ItemID))
		default:
			seen[l.ItemID] = i
		}
		if l.Quantity < MinQuantity || l.Quantity > MaxQuantity {
			v.add(field+".quantity", fmt.Sprintf("be %d–%d", MinQuantity, MaxQuantity), strconv.Itoa(l.Quantity))
		}
		items[i] = it
	}
	return items
}

func (v *validator) pickupAt(s string, now time.Time) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	switch {
	case err != nil:
		v.add("pickup_at", "be an RFC 3339 time such as "+examplePickupAt, quoteShort(s))
	case !t.After(now):
		v.add("pickup_at", "be in the future (it is now "+now.UTC().Format(time.RFC3339)+")", s)
	case t.Sub(now) > MaxPickupAhead:
		v.add("pickup_at", fmt.Sprintf("be at most %d days ahead (by %s)", MaxPickupAhead/(24*time.Hour), now.Add(MaxPickupAhead).UTC().Format(time.RFC3339)), s)
	}
	return t
}

// quoteShort quotes s for an error message, cut to a length a person can read.
func quoteShort(s string) string {
	const maxRunes = 64
	if utf8.RuneCountInString(s) > maxRunes {
		return strconv.Quote(string([]rune(s)[:maxRunes])) + "…"
	}
	return strconv.Quote(s)
}
