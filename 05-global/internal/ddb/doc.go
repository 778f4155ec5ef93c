// Package ddb holds the stage's DynamoDB table layouts and the few helpers every function shares:
// attribute values, marshalling by json tags and the environment variables that name the tables.
//
// Tables (all on-demand, each owned by one part of the system):
//
//	Orders     orderId                       the order; written by the PlaceOrder and OrderLifecycle workflows
//	Catalog    pk, sk                        ITEM#<id>/PRICE, STORE#<id>/PROFILE, MENU/<id>; written by catalog-seeder
//	Stock      pk "<store>#<day>", item_id   remaining; reserved by the PlaceOrder workflow
//	Sales      pk "<store>#<day>", sk        shard#<n> counters (sales-reporter), SUMMARY (daily-closer)
//	Customers  pk "<email>", sk              PROFILE points, ORDER#<id> ledger (loyalty)
//	Outbox     recipient, message_id        emails waiting for the mail relay
//
// Limitations: the helpers cover strings, numbers and json-tagged structs; no binary or set
// attributes.
package ddb
