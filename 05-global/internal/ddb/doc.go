// Package ddb holds the stage's DynamoDB table layouts and the few helpers every function shares:
// attribute values, marshalling by json tags and the environment variables that name the tables.
//
// Tables (all on-demand, each owned by one part of the system). The first four are global tables
// replicated between eu-west-1 and us-east-1, resolving concurrent writes to one item
// last-writer-wins; every item of theirs therefore has exactly one writing region:
//
//	Orders     orderId                       the order; written only by the region that accepted it (attribute region):
//	                                         its PlaceOrder and OrderLifecycle workflows, its refund-reconciler
//	Catalog    pk, sk                        ITEM#<id>/PRICE, MENU/<id>: catalog-seeder in the primary region;
//	                                         STORE#<id>/PROFILE (region, tz_offset): the store's home region's daily-closer
//	Stock      pk "<store>#<day>", item_id   remaining, written by the store's home region only;
//	           pk "<store>#<day>@<region>"   the other region's failover allotment, written by that region only
//	Sales      pk "<store>#<day>", sk        shard#<region>#<n> counters (each region's sales-reporter),
//	                                         SUMMARY (the store's home region's daily-closer)
//
// and two stay regional (a plain table in each region):
//
//	Customers  pk "<email>", sk              PROFILE points, ORDER#<id> ledger (loyalty), per region
//	Outbox     recipient, message_id        emails waiting for the region's mail relay
//
// Limitations: the helpers cover strings, numbers and json-tagged structs; no binary or set
// attributes.
package ddb
