package bakery

import (
	"errors"
	"fmt"
	"strings"
)

// Status is where an order is in its lifecycle:
//
//	received → pending-payment → paid → preparing → ready → picked-up
//
// and from any status before picked-up, failed (with a reason). picked-up and failed are final.
type Status string

// The statuses, as they appear on the wire and in storage.
const (
	StatusReceived       Status = "received"
	StatusPendingPayment Status = "pending-payment"
	StatusPaid           Status = "paid"
	StatusPreparing      Status = "preparing"
	StatusReady          Status = "ready"
	StatusPickedUp       Status = "picked-up"
	StatusFailed         Status = "failed"
)

// next lists the statuses each status may move to. Final statuses have no entry.
var next = map[Status][]Status{
	StatusReceived:       {StatusPendingPayment, StatusFailed},
	StatusPendingPayment: {StatusPaid, StatusFailed},
	StatusPaid:           {StatusPreparing, StatusFailed},
	StatusPreparing:      {StatusReady, StatusFailed},
	StatusReady:          {StatusPickedUp, StatusFailed},
}

// Statuses returns every status in lifecycle order, failed last.
func Statuses() []Status {
	return []Status{StatusReceived, StatusPendingPayment, StatusPaid, StatusPreparing, StatusReady, StatusPickedUp, StatusFailed}
}

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	_, ok := next[s]
	return ok || s == StatusPickedUp || s == StatusFailed
}

// Final reports whether an order in status s can no longer change.
func (s Status) Final() bool {
	return s == StatusPickedUp || s == StatusFailed
}

// Next returns the statuses s may move to.
func (s Status) Next() []Status {
	return append([]Status(nil), next[s]...)
}

// ErrInvalidTransition is wrapped by every *TransitionError.
var ErrInvalidTransition = errors.New("invalid order status transition")

// TransitionError says that an order cannot move from one status to another, and where it can go.
type TransitionError struct {
	OrderID  string
	From, To Status
}

func (e *TransitionError) Error() string {
	order := "order"
	if e.OrderID != "" {
		order = "order " + e.OrderID
	}
	switch {
	case !e.From.Valid():
		return fmt.Sprintf("%s has unknown status %q", order, e.From)
	case !e.To.Valid():
		return fmt.Sprintf("%s cannot go to unknown status %q", order, e.To)
	case e.From == e.To:
		return fmt.Sprintf("%s is already %s", order, e.From)
	case e.From.Final():
		return fmt.Sprintf("%s cannot go from %s to %s: %s is final", order, e.From, e.To, e.From)
	}
	names := make([]string, 0, len(next[e.From]))
	for _, s := range next[e.From] {
		names = append(names, string(s))
	}
	return fmt.Sprintf("%s cannot go from %s to %s: from %s it can go to %s", order, e.From, e.To, e.From, strings.Join(names, " or "))
}

// Unwrap lets callers test for ErrInvalidTransition with errors.Is.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// CheckTransition returns a *TransitionError unless an order may move from from to to. It suits
// stores that change a status with a conditional write and hold no Order.
func CheckTransition(from, to Status) error {
	for _, s := range next[from] {
		if s == to {
			return nil
		}
	}
	return &TransitionError{From: from, To: to}
}
