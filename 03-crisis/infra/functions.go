package main

// function is one of the 42 functions as the team configured it. Zero memory or timeout leaves
// the CDK's and Lambda's defaults (128 MB, 3 s): the team's function template set neither, and
// the small functions kept it.
type function struct {
	dir         string // functions/<dir>; the construct ID is its PascalCase form
	description string
	memory      int      // MB
	timeout     int      // seconds
	reserved    int      // reserved concurrency; 0 for none
	calls       []string // the functions it invokes synchronously, by dir
	table       bool     // reads and writes the shared table
	payment     bool     // calls the payment provider
}

// functions is the whole system of 2022, in the order the chain of POST /orders reaches them.
var functions = []function{
	// 30 s: "longer than anything below it" — and longer than API Gateway's 29 s, which answers
	// 504 while the function runs on. Reserved 330 after 2021, when other functions took the
	// account's concurrency and the website answered 500s; a reservation is also a ceiling, so the
	// 341st customer waiting at once gets the 500 anyway.
	{dir: "order-api", description: "The API: every route, calling the chain and waiting for it", memory: 1024, timeout: 30, reserved: 340,
		calls: []string{"request-parser", "order-workflow", "order-reader", "response-formatter", "menu-lookup"}},
	{dir: "request-parser", description: "Turns the request body into an order request"},
	// Reserved 50 after the chain once scaled to the whole account: Little's law on the 2021 peak,
	// 35 orders/s × 1.4 s per chain ≈ 50 chains at once. At the 2022 rush it admits about
	// 50 / 1.2 s ≈ 42 orders/s, and every other order is throttled and retried.
	{dir: "order-workflow", description: "Runs the order chain, and runs it again if it fails", memory: 512, timeout: 25, reserved: 50,
		calls: []string{"order-validator"}},
	{dir: "order-validator", description: "Validates the order, then hands it to pricing", memory: 256, timeout: 20,
		calls: []string{"store-check", "customer-check", "menu-lookup", "cart-pricer"}},
	{dir: "store-check", description: "Tells the chain about a store", calls: []string{"store-hours"}},
	{dir: "store-hours", description: "A time in a store's time zone"},
	{dir: "customer-check", description: "Normalises the customer and reads the profile", calls: []string{"customer-profile"}},
	{dir: "customer-profile", description: "Reads or creates a customer's profile", memory: 256, table: true},
	{dir: "menu-lookup", description: "The menu, or some of its items"},
	{dir: "cart-pricer", description: "Prices the order line by line, then hands it to stock", memory: 256, timeout: 15,
		calls: []string{"currency-router", "price-lookup", "promotion-engine", "tax-calculator", "totals-calculator", "stock-coordinator"}},
	{dir: "currency-router", description: "A store's currency"},
	{dir: "price-lookup", description: "One item's price, from menu-lookup", calls: []string{"menu-lookup"}},
	{dir: "promotion-engine", description: "Applies the promotions", calls: []string{"promo-rules"}},
	{dir: "promo-rules", description: "Reads the promotions from the table", table: true},
	{dir: "tax-calculator", description: "The tax on a subtotal", calls: []string{"tax-rates"}},
	{dir: "tax-rates", description: "A store's tax rate"},
	{dir: "totals-calculator", description: "Subtotal, tax and total"},
	{dir: "stock-coordinator", description: "Checks and reserves stock, writes the order, hands it to payment", memory: 256, timeout: 12,
		calls: []string{"stock-check", "stock-reserve", "order-writer", "payment-orchestrator"}},
	{dir: "stock-check", description: "Reads each line's stock", memory: 256, table: true},
	// 3 s, like the store-counter it waits for: when the counter is slow, the caller dies first.
	{dir: "stock-reserve", description: "Reserves each line's stock, then counts it", memory: 256, table: true, calls: []string{"store-counter"}},
	// Lambda's default 3 s: shorter than the SDK's retries of a throttled write to a hot counter.
	{dir: "store-counter", description: "Appends stock movements to the store's live counter", memory: 256, table: true},
	{dir: "order-writer", description: "Puts the order", memory: 256, table: true},
	{dir: "payment-orchestrator", description: "Fraud check, charge, record, then hands the order to the finalizer", memory: 512, timeout: 10,
		calls: []string{"fraud-check", "payment-router", "payment-recorder", "order-status", "order-finalizer"}},
	{dir: "fraud-check", description: "Reads the customer and asks for a fraud score", calls: []string{"customer-profile", "fraud-score"}},
	{dir: "fraud-score", description: "Scores a payment"},
	// A one-line router with the defaults (3 s) in front of a gateway that may retry for 15 s:
	// the router gives up while the gateway goes on charging.
	{dir: "payment-router", description: "Picks the provider account by currency", calls: []string{"payment-gateway"}},
	{dir: "payment-gateway", description: "Calls payment-charge, again if it fails", memory: 256, timeout: 15, calls: []string{"payment-charge"}},
	{dir: "payment-charge", description: "Charges the card at the payment provider", memory: 256, timeout: 5, payment: true},
	{dir: "payment-recorder", description: "Puts the charge", memory: 256, table: true},
	// 6 s for eight calls in a row, after the money is taken.
	{dir: "order-finalizer", description: "Everything after the payment, one call after the other", memory: 512, timeout: 6,
		calls: []string{"order-status", "stock-update", "receipt-generator", "loyalty-points", "kitchen-ticket", "notification-dispatcher", "audit-logger", "analytics-sync"}},
	{dir: "order-status", description: "Sets an order's status", memory: 256, table: true},
	{dir: "stock-update", description: "Records each line as sold, then counts it", memory: 256, table: true, calls: []string{"store-counter"}},
	{dir: "receipt-generator", description: "Renders and puts the receipt", memory: 256, table: true},
	{dir: "loyalty-points", description: "Works out the loyalty points", calls: []string{"loyalty-ledger"}},
	{dir: "loyalty-ledger", description: "Adds points to a customer", memory: 256, table: true},
	{dir: "kitchen-ticket", description: "Puts the kitchen ticket", memory: 256, table: true},
	{dir: "notification-dispatcher", description: "Decides what to tell the customer", calls: []string{"email-sender"}},
	{dir: "email-sender", description: "Puts the email in the outbox", memory: 256, table: true},
	{dir: "audit-logger", description: "Puts an audit event", memory: 256, table: true},
	{dir: "analytics-sync", description: "Adds the order to the store's daily figures", memory: 256, table: true},
	{dir: "order-reader", description: "Gets an order", memory: 256, table: true},
	{dir: "response-formatter", description: "Wraps an answer in API Gateway's response shape"},
}
