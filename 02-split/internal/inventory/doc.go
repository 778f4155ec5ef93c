// Package inventory is the inventory function of 2021: it owns the day's stock and is the only
// code that writes the inventory table. The order function invokes it synchronously (Lambda
// Invoke, RequestResponse) to reserve an order's lines and, when the payment does not go through,
// to release them again.
//
// Table layout (partition key pk, sort key sk, both strings):
//
//	pk                        sk               attributes
//	STOCK#<store>#<local day> ITEM#<item id>   remaining
//	RESERVATION#<order id>    RESERVATION      store_id, day, lines [{item_id, quantity}], reserved_at
//
// A stock row appears with the first reservation for that store, item and day, starting from the
// item's par level, so an empty table works without seeding. The reservation row is written in the
// same transaction as the stock it takes, which makes both actions idempotent on the order id: the
// Lambda client retries an invocation that was throttled or lost in transit, and a retried reserve
// must not take the stock twice, nor a retried release give it back twice.
package inventory
