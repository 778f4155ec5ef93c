// Package fraud is the fraud-screen function: the OrderLifecycle workflow invokes it before
// taking payment, and a high-risk order fails without being charged.
//
// The score adds up rules that need code (an email domain list, amounts compared across nine
// currencies, the shape of a name): disposable email domains, an order worth more than a hundred
// croissants in its currency, bulk quantities of one item and names with no letters.
//
// Limitations: the rules are fixed and local (no device fingerprint, no history, no external
// scoring service); the disposable-domain list is short and illustrative.
package fraud
