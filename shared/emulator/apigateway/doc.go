// Package apigateway emulates Amazon API Gateway in front of Lambda: REST APIs (AWS::ApiGateway::*)
// and HTTP APIs (AWS::ApiGatewayV2::*), provisioned from a template's resources, each request
// turned into the Lambda proxy event API Gateway sends and the function's answer turned back into
// an HTTP response.
//
// Invoke URLs follow LocalStack's path form, under whatever address the emulator serves:
//
//	/restapis/{api id}/{stage}/_user_request_/{path}   REST API
//	/apis/{api id}/{stage}/_user_request_/{path}       HTTP API
//	/apis/{api id}/_user_request_/{path}               HTTP API, stage $default
//
// An HTTP API's $default stage may be written as $default (or %24default) or left out; APIs lists
// every deployed stage with the shorter form, since a $ in a shell command needs quoting.
//
// What is modelled:
//   - Routing. REST: the resource tree, a literal path part before {param} before {proxy+},
//     falling back to a less specific resource when the more specific one lacks the method; ANY
//     matches every method; no match is 403 {"message":"Missing Authentication Token"}, as on
//     AWS. HTTP API: route keys ("GET /orders/{id}", "ANY /{proxy+}", "$default") with the same
//     precedence, an exact method before ANY; no match is 404 {"message":"Not Found"}. Trailing
//     slashes are ignored when matching.
//   - The proxy events: payload format 1.0 (events.APIGatewayProxyRequest, with "version":"1.0"
//     for HTTP APIs) and 2.0 (events.APIGatewayV2HTTPRequest: lower-case headers and duplicate
//     headers and query parameters joined with commas, cookies in their own field, rawPath with
//     the stage name when the stage is not $default).
//   - Lambda's answer: statusCode, headers, multiValueHeaders (merged as AWS does), body,
//     isBase64Encoded, and cookies for 2.0. REST and HTTP API 1.0 need exactly those fields; a
//     2.0 answer without a statusCode is the body of a 200 application/json response, as AWS
//     assumes.
//   - Errors as each API type answers them: REST gives 502 {"message": "Internal server error"}
//     for a function error or a malformed answer, 500 with the same body when Lambda rejects the
//     invocation (a throttle, a service error), and 504 {"message": "Endpoint request timed out"}
//     at the integration timeout (TimeoutInMillis, 50 ms to 29 s, 29 s by default). HTTP APIs
//     give 500 {"message":"Internal Server Error"} for all three failures and 503
//     {"message":"Service Unavailable"} at their timeout (30 s by default and at most).
//   - Throttling with token buckets: the account's 10,000 requests per second with a 5,000 burst
//     (see WithAccountThrottle), shared by every API, then a stage's MethodSettings (REST) or
//     DefaultRouteSettings and RouteSettings (HTTP API) for each method or route. Either gives 429
//     {"message":"Too Many Requests"}.
//   - A request body over 10 MB is refused with 413 and API Gateway's plain-text message.
//   - Latency: every request spends the modelled gateway latency ("apigateway.rest" or
//     "apigateway.http") plus any fault latency once, before the integration runs.
//   - Faults on "apigateway:<api id>": Throttle answers 429, ErrorRate answers 500, Latency adds.
//   - Browser pages of other origins: on the emulator's loopback port such a request reaches an
//     API only when the API's CORS configuration allows that origin (AllowsOrigin: an HTTP
//     API's AllowOrigins, a REST resource's OPTIONS MOCK answering Access-Control-Allow-Origin
//     for it or *); others get 403 from the port's guard (see emulator.Guard). AWS itself lets
//     such requests reach the integration and only hides the answer from the page; the
//     emulator refuses them because it runs on the user's machine.
//   - CORS: a REST MOCK integration with static integration responses (what the CDK makes for
//     defaultCorsPreflightOptions with one origin) answers its static response; an HTTP API's
//     CorsConfiguration answers preflight requests and adds the CORS headers to responses.
//   - Metrics per API (kind "apigateway", name the API id): requests, 5xx as errors, 429 as
//     throttles, integration timeouts, total duration, and counters "4xx", "5xx" and "504".
//   - A trace span "apigateway:<api id>" per request; a request that arrives without a trace in
//     its context starts one, recorded in the environment's Traces.
//   - Integrations invoke Lambda through sim.Env.Call ("lambda", operation "Invoke"), so Lambda
//     does its own bookkeeping as for an SDK call; the integration timeout runs on the
//     emulator's clock. The service is a sim.Service whose resources are its APIs, each with
//     the functions it invokes as targets (the dashboard's edges).
//
// Non-proxy REST integrations (integration_aws.go, mapping.go):
//   - Type AWS with the URIs arn:aws:apigateway:<region>:<service>:action/<Action> (states,
//     dynamodb, events, sqs or any service registered for Env.Call: the rendered template is
//     the action's JSON input), arn:aws:apigateway:<region>:sqs:path/<account>/<queue> (the
//     template writes the query request, Action=SendMessage&MessageBody=…, which becomes the
//     JSON SendMessage; the answer is the query protocol's JSON form {"SendMessageResponse":
//     {"SendMessageResult": …, "ResponseMetadata": …}}, or its XML when the integration
//     request's Accept header does not ask for JSON), and the Lambda invocations URI as a
//     non-proxy Lambda integration. Type MOCK (the request template's statusCode selects the
//     integration response) and type HTTP (an http(s) URL called with WithHTTPClient's client).
//   - RequestTemplates chosen by the request's Content-Type (application/json when absent),
//     rendered by package vtl; PassthroughBehavior WHEN_NO_MATCH, WHEN_NO_TEMPLATES and NEVER,
//     the last two answering 415 {"message": "Unsupported Media Type"}. RequestParameters
//     (integration.request.header/querystring/path from method.request.*, context.*,
//     stageVariables.* or 'literals') and the template's requestOverride.
//   - IntegrationResponses: SelectionPattern matched in full (Java's String.matches) against
//     the backend's status code, or a Lambda function error's errorMessage; the response
//     without a pattern is the default; no match and no default is 500. The service's error
//     reaches templates as {"__type", "message"} with its status. ResponseTemplates chosen by
//     the Accept header (else application/json, else the first), with $context.responseOverride
//     status and headers; ResponseParameters method.response.header.* from 'literals',
//     integration.response.header.*, integration.response.body[.JSONPath], context.* and
//     stageVariables.*. The integration timeout gives 504.
//   - Request validation (validate.go): AWS::ApiGateway::RequestValidator and
//     AWS::ApiGateway::Model (JSON Schema draft 4: type, enum, allOf/anyOf/oneOf/not,
//     properties, patternProperties, additionalProperties, required, min/maxProperties, items,
//     additionalItems, min/maxItems, uniqueItems, min/maxLength, pattern, minimum/maximum with
//     draft-4 exclusive booleans, multipleOf, $ref to #/… and to other models by URL; format is
//     not checked), the model chosen by content type or $default, none when nothing matches.
//     Failures answer 400 {"message": "Invalid request body"} or {"message": "Missing required
//     request parameters: [a, b]"} with x-amzn-ErrorType BadRequestException, before any
//     backend is called.
//   - The control plane's GET /restapis, GET /restapis/{id}, GET /restapis/{id}/resources and
//     TestInvokeMethod (POST /restapis/{id}/resources/{resource id}/methods/{verb}, as `aws
//     apigateway test-invoke-method` calls it) with the console's execution log, including
//     "Endpoint request body after transformations: …" (testinvoke.go).
//
// HTTP API service integrations (httpservice.go): AWS_PROXY with IntegrationSubtype
// SQS-SendMessage, StepFunctions-StartExecution, StepFunctions-StartSyncExecution and
// EventBridge-PutEvents; RequestParameters map $request.body.<path>, $request.header.x,
// $request.querystring.x, $request.path.x, $context.x, $stageVariables.x and static text (also
// inside text as ${request.header.x}). The answer is the service's JSON with 200 (SQS's in its
// query-protocol JSON form, as for REST); a service error keeps its status with the JSON error
// body; a required parameter that evaluates to nothing is 400 {"message":"Bad Request"}.
//
// Every response carries x-amzn-RequestId, plus x-amz-apigw-id (REST) or apigw-requestid (HTTP
// API). AWS sends only apigw-requestid from an HTTP API; the emulator adds x-amzn-RequestId so
// that callers can find a request the same way for both kinds.
//
// Limitations:
//   - HTTP_PROXY integrations, VPC links, ContentHandling (binary conversion), stage variables
//     in integration URIs, action parameters in an action/ URI, path/ URIs other than SQS's,
//     SQS path actions other than SendMessage, HTTP API subtypes other than the four above and
//     HTTP API response parameter mapping are not supported; a template using them is rejected
//     at provisioning, naming the resource and the property.
//   - Integration credentials (roles) are accepted and not evaluated. The SQS query answers'
//     JSON form and the HTTP API error answers follow the query protocol and the docs' shapes;
//     they were not recorded on AWS.
//   - Model "pattern"s run on Go's RE2, not ECMA 262 (no look-around or back-references).
//   - TestInvokeMethod ignores clientCertificateId and runs without throttling or metrics; the
//     control plane is read-only apart from it (no CreateRestApi, PutIntegration, …).
//   - AuthorizationType NONE only: no IAM, Cognito, JWT or Lambda authorizers; no usage plans or
//     API keys; resource policies are ignored.
//   - No custom domains, base path mappings, canary settings, caching, client certificates,
//     WebSocket APIs or OpenAPI import (Body, BodyS3Location).
//   - A stage serves its API's current resources and routes: a deployment is not a snapshot.
//   - Binary support is base64 passthrough, by API type as on AWS: a REST API base64-encodes a
//     request body whose Content-Type is one of its BinaryMediaTypes and passes any other as
//     UTF-8 text (bytes that are not UTF-8 become U+FFFD); an HTTP API base64-encodes every
//     body that is not text (types other than text/*, application/json, application/xml and
//     application/javascript, no Content-Type, or not UTF-8: which types count as text is not
//     documented; the split was measured on AWS by another emulator's authors). An answer with
//     isBase64Encoded is decoded for HTTP APIs, and for REST APIs only when the request's Accept
//     header names one of BinaryMediaTypes; no content handling or compression.
//   - Header names reach a 1.0 event in Go's canonical form (Content-Type), not as the client
//     wrote them; path parameters are percent-decoded.
//   - requestContext.domainName is the Host the request came to, and GetAtt ApiEndpoint is the
//     AWS form https://<id>.execute-api.<region>.amazonaws.com; use APIs to build local URLs.
//   - Stage and route throttling is per method or route with the most specific setting; the
//     emulator does not model API Gateway's per-client or per-region distribution of buckets.
//   - Access logs, execution logs and X-Ray settings are accepted and ignored.
package apigateway
