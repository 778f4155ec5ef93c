// Package model holds the state and behaviour of the emulated AWS AppSync Events service without
// net/http: Event APIs with their API keys and channel namespaces, channel paths and their
// validation, and the subscriptions that a published event fans out to.
//
// Channel rules follow the AppSync Events developer guide
// (https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-concepts.html and
// https://docs.aws.amazon.com/appsync/latest/eventapi/channel-namespaces.html): a channel is
// "/<namespace>/<segment>/…" with at most five segments, each 1–50 characters of letters, digits
// and dashes (the namespace name's pattern in the API reference); the leading slash may be left
// out. A subscription may end in the wildcard segment "*", which matches every channel that
// continues the prefix by one or more segments ("/orders/*" receives "/orders/42" and
// "/orders/42/status").
//
// Limitations: only API_KEY authorization exists; namespaces have no event handlers
// (CodeHandlers); a subscriber's queue is bounded and events beyond it are dropped and counted
// rather than the connection being closed.
package model
