// Package appsync emulates AWS AppSync Events for the offline emulator: Event APIs provisioned
// from a stage's CloudFormation (AWS::AppSync::Api with EventConfig, AWS::AppSync::ChannelNamespace,
// AWS::AppSync::ApiKey), the HTTP publish endpoint and the real-time WebSocket endpoint with the
// protocol AWS documents, and in-process publishing for other emulated services (Call).
//
// The package is split like the other services: model/ holds APIs, keys, namespaces, channel
// rules and subscriptions without net/http; publish.go and realtime.go are the wire protocols;
// resource.go turns CloudFormation properties into the model and answers Ref and Fn::GetAtt.
//
// # URLs
//
// Everything is served on the emulator's one port under a path prefix, so curl and any
// WebSocket client work offline without DNS:
//
//	POST http://<emulator>/appsync/<apiId>/event            publish (x-api-key header)
//	GET  ws://<emulator>/appsync/<apiId>/event/realtime     WebSocket (subprotocols below)
//
// Fn::GetAtt Dns.Http and Dns.Realtime are "emulator.internal/appsync/<apiId>", the in-process
// host with the prefix, so code that builds "https://" + Dns.Http + "/event" as on AWS only has
// its scheme and host to swap; Service.Endpoints gives both URLs of a listening emulator for
// `make local` to print. API IDs and keys derive from the API's name and the key's logical ID,
// so they stay the same from one run to the next.
//
// # Publishing over HTTP
//
// https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html: the body is
// {"channel": "/namespace/a/b", "events": ["<JSON value as a string>", …]} with 1–5 events of at
// most 240 KB each; the answer is {"successful": [{"identifier", "index"}], "failed": []}.
// Errors are {"errors": [{"errorType", "message"}]}: 401 UnauthorizedException for a missing,
// unknown or expired key; 400 BadRequestException for a malformed body, an invalid channel
// (more than five segments, a segment over 50 characters or with other characters than letters,
// digits and dashes, a wildcard), an unknown namespace, no or more than five events, an event
// that is not a string of valid JSON, or one over 240 KB; 404 NotFoundException for an unknown
// API ID.
//
// # WebSocket
//
// https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html: the
// client offers the subprotocols "aws-appsync-event-ws" and "header-<base64url of
// {"host": …, "x-api-key": …}>". A wrong key gets {"type": "connection_error", "errors":
// [{"errorType": "UnauthorizedException", …}]} and the connection is closed (1008). Messages:
//
//	connection_init → connection_ack {connectionTimeoutMs: 300000}, then "ka" every minute
//	subscribe {id, channel, authorization} → subscribe_success {id} | subscribe_error {id, errors}
//	data {id, event}                         one per event and matching subscription
//	unsubscribe {id} → unsubscribe_success {id} | unsubscribe_error {id, errors}
//	publish {id, channel, events, authorization} → publish_success {id, successful, failed} | publish_error {id, errors}
//	anything else → error {errors: [{errorType: "UnsupportedOperation"}]}
//
// Subscribe errors: UnauthorizedException (authorization's x-api-key), BadRequestException
// (channel, namespace), DuplicatedOperationError (an id in use on the connection),
// MaxSubscriptionsReachedError (100 per connection). Channel wildcards: a trailing "*" segment
// matches one or more further segments. connection_init is optional, as for AppSync's real-time
// endpoint; the keep-alives start with the acknowledgement. Keep-alives and all other timing use
// sim.Env's clock.
//
// # Delivery, latency and metrics
//
// A publish is answered once validated; delivery runs in the background through
// env.Begin(ctx, "appsync:<api name>", "Publish", component), so the latency model, faults (an
// injected error drops the batch) and traces apply once per publish, then every matching
// subscription gets the events. component is "appsync.publish" when the latency model has it,
// else "appsync.events", else none. Metrics of "appsync"/<api name>: connections (open now),
// connections_opened, subscriptions (active now), subscribes, published_events,
// delivered_events, dropped_events.
//
// # In-process publishing
//
// Service.Call(ctx, "Publish", {"ApiId" or "ApiName", "Channel", "Events": ["<JSON>"]}) publishes
// without an API key (as an IAM-authorized caller would) and answers the publish result JSON;
// Env.Call(ctx, "appsync", "Publish", input) reaches it.
//
// Limitations: only API_KEY authorization (Cognito, IAM, OIDC and Lambda authorizers are
// rejected at provisioning); no channel namespace handlers (CodeHandlers, CodeS3Location and
// HandlerConfigs are rejected), data source integrations or custom domains; no control-plane API
// (CreateApi, ListApis, …), so APIs exist only through the template; the "host" of an
// authorization object is not checked; the "failed" list of a publish is always empty (a whole
// batch is accepted or refused); events of one publish arrive in order but two publishes may
// overtake each other; a slow subscriber's queue holds 1,024 messages and later events are
// dropped (counted in dropped_events) instead of the connection being closed; there is no
// maximum connection duration, no idle timeout before connection_init and no per-account
// connection or rate quota; API keys are not rounded to the hour as AWS does; error messages are
// the emulator's own wording.
package appsync
