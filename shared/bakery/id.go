package bakery

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// orderIDEncoding is lowercase base32 without padding: URL-safe, case-insensitive and free of
// characters that need escaping in a DynamoDB key or a path.
var orderIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// orderIDBytes of randomness (80 bits) make a collision negligible at millions of orders a year;
// stores still write orders with a condition that the id is new.
const orderIDBytes = 10

// NewOrderID returns a random, URL-safe order id of 16 lowercase letters and digits.
func NewOrderID() string {
	b := make([]byte, orderIDBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return orderIDEncoding.EncodeToString(b)
}

// ValidOrderID reports whether id has the shape NewOrderID produces. Use it to answer "not found"
// for a malformed id without a database read.
func ValidOrderID(id string) bool {
	if len(id) != orderIDEncoding.EncodedLen(orderIDBytes) || strings.ToLower(id) != id {
		return false
	}
	_, err := orderIDEncoding.DecodeString(id)
	return err == nil
}
