// Package bakeryapi is the whole of Emily's Pastries in 2020: one Lambda handler behind a REST API
// that shows the menu, takes orders, reserves stock and records payments taken by phone, all in one
// DynamoDB table.
//
// Table layout (partition key pk, sort key sk, both strings):
//
//	pk                        sk               attributes
//	ORDER#<order id>          ORDER            the order (bakery.Order's JSON field names)
//	STOCK#<store>#<local day> ITEM#<item id>   remaining
//
// A stock row appears with the first order for that store, item and day, starting from the item's
// par level, so an empty table works without seeding.
package bakeryapi
