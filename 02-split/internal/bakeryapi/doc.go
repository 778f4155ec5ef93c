// Package bakeryapi is the order function of 2021: the API of Emily's Pastries behind API Gateway.
// It shows the menu, takes orders and answers for them, and owns the orders table. Stock and
// payment have moved to functions of their own, which it calls synchronously with the Lambda
// Invoke API: the inventory function reserves an order's lines (and releases them when the payment
// does not go through), the payment function charges the customer's card.
//
// Table layout (partition key pk, sort key sk, both strings):
//
//	pk                        sk               attributes
//	ORDER#<order id>          ORDER            the order (bakery.Order's JSON field names)
//
// Only this function writes the orders table; stock lives in the inventory function's table.
package bakeryapi
