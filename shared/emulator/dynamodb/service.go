package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Service is the emulated DynamoDB of one emulator: the wire API (ServeHTTP), the CloudFormation
// provisioner (Types, Provision) and the model behind both.
type Service struct {
	env         *sim.Env
	now         func() time.Time // the capacity model's clock: env.Now, or a test's
	model       *model.Model
	reqID       atomic.Uint64
	idPrefix    [requestIDPrefix]byte
	units       sync.Map // table name → *unitCounter
	bufs        sync.Pool
	provisioned sync.Map // table name → provisioned, for the tables of the template

	// Global tables (globaltable.go, replication.go).
	grp            atomic.Pointer[group] // the linked regions, nil when not linked
	global         sync.Map              // table name → *replica, for global tables with other replicas
	hasGlobal      atomic.Bool
	down, closed   atomic.Bool
	replicationLag func() time.Duration // a test's fixed lag; nil draws from the latency model

	transitionFor *time.Duration // a test's table transition; nil is tableTransition
}

// tableTransition is how long a table created through the API stays CREATING, and a table
// updated through it UPDATING, before it is ACTIVE again; and how long a table deleted through it
// stays DELETING (still answering reads and writes, as DynamoDB may) before it is gone. AWS publishes no figure (CreateTable
// "immediately returns a response with a TableStatus of CREATING", then the table becomes
// ACTIVE: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html);
// a table without indexes is typically ACTIVE within seconds, so 2 s, an estimate. It is not in
// the latency model because it is no request's latency: the call answers at once and the
// client polls (the SDKs' table-exists waiters every 20 s). A zero latency model (tests) makes
// tables ACTIVE at once, and tables a template provisions are ACTIVE at once, as a stack's
// resources are when it is deployed.
const tableTransition = 2 * time.Second

// transition is the CREATING or UPDATING time of a table changed through the API.
func (s *Service) transition() time.Duration {
	switch {
	case s.transitionFor != nil:
		return *s.transitionFor
	case s.env.Latency == nil || s.env.Latency.IsZero():
		return 0
	}
	return tableTransition
}

// provisioned is where a table came from in the template.
type provisioned struct{ logicalID, typ string }

// ServiceName is DynamoDB's ARN namespace: its name for Env.Call and the first part of its
// resources' ids ("dynamodb:<table>").
const ServiceName = "dynamodb"

var (
	_ sim.Service = (*Service)(nil)
	_ sim.Caller  = (*Service)(nil)
)

// New returns the DynamoDB service of an emulator and registers it with env for Env.Call.
// env.Latency is required; env.Faults, env.Metrics and env.Traces may be nil.
func New(env *sim.Env) *Service {
	s := &Service{env: env, now: env.Now, idPrefix: newIDPrefix()}
	s.model = model.New(model.Options{Region: env.Region, AccountID: env.AccountID, Now: func() time.Time { return s.now() }, Throttle: s.throttleFault})
	s.bufs.New = func() any { return &encoder{b: make([]byte, 0, 1024)} }
	env.Register(ServiceName, s)
	return s
}

// Name is "dynamodb".
func (s *Service) Name() string { return ServiceName }

// Serves reports whether r is for DynamoDB's endpoint: its X-Amz-Target names a DynamoDB API
// version (DynamoDB_20120810.<Op>), or it goes to / and its SigV4 credential scope names the
// service dynamodb, or it is a plain GET / (DynamoDB's health check; nothing else on the port
// answers it, and an SQS query GET carries its Action in the query).
func (s *Service) Serves(r *http.Request) bool {
	if t := r.Header.Get("X-Amz-Target"); strings.HasPrefix(t, "DynamoDB_") || strings.HasPrefix(t, "DynamoDBStreams_") {
		return true
	}
	if r.URL.Path != "/" {
		return false // DynamoDB's endpoint serves only /; other paths are other services'
	}
	switch signedService(r) {
	case ServiceName:
		return true
	case "":
		return r.Method == http.MethodGet && r.URL.RawQuery == "" && r.Header.Get("X-Amz-Target") == ""
	}
	return false
}

// signedService is the service of a request's SigV4 credential scope, AKID/date/region/service/
// aws4_request, from the Authorization header or a presigned URL's X-Amz-Credential; "" when it
// has none.
func signedService(r *http.Request) string {
	var scope string
	if a := r.Header.Get("Authorization"); a != "" {
		_, c, ok := strings.Cut(a, "Credential=")
		if !ok {
			return ""
		}
		scope, _, _ = strings.Cut(c, ",")
	} else if strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		scope = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(strings.TrimSpace(scope), "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

// Resources lists the tables, sorted by name, with the logical id of those the template made.
func (s *Service) Resources() []sim.Resource {
	var out []sim.Resource
	in := &model.ListTablesInput{}
	for {
		page, err := s.model.ListTables(in)
		if err != nil {
			return out
		}
		for _, name := range page.TableNames {
			r := sim.Resource{ID: sim.NewID(ServiceName, name), Type: TypeTable, Physical: name,
				ARN: s.env.ARN(ServiceName, "table/"+name)}
			if v, ok := s.provisioned.Load(name); ok {
				p := v.(provisioned)
				r.LogicalID, r.Type = p.logicalID, p.typ
			}
			out = append(out, r)
		}
		if page.LastEvaluatedTableName == "" {
			return out
		}
		in.ExclusiveStartTableName = &page.LastEvaluatedTableName
	}
}

// Close stops replication to and from this service's global tables (writes not yet replicated
// are dropped).
func (s *Service) Close() error {
	s.closed.Store(true)
	return nil
}

// throttleFault is the model's hook for throttle faults on a table or a partition key.
func (s *Service) throttleFault(table, pk string) bool {
	if !s.env.Faults.Active() {
		return false
	}
	if r, ok := s.env.Faults.Lookup("dynamodb:" + table); ok && r.Throttle {
		return true
	}
	if pk == "" {
		return false
	}
	r, ok := s.env.Faults.Lookup("dynamodb:" + table + "/" + pk)
	return ok && r.Throttle
}

const targetPrefix = "DynamoDB_20120810."

// streamsPrefix is the DynamoDB Streams API's target prefix; that API shares DynamoDB's endpoint
// here (its SDK clients sign for the service dynamodb too) and its operations are registered as
// "streams:<Op>".
const streamsPrefix = "DynamoDBStreams_20120810."

// opName is the operations map's key of a request's X-Amz-Target, ok false when the target names
// neither API.
func opName(target string) (string, bool) {
	if op, ok := strings.CutPrefix(target, targetPrefix); ok {
		return op, true
	}
	if op, ok := strings.CutPrefix(target, streamsPrefix); ok {
		return "streams:" + op, true
	}
	return "", false
}

// maxBody bounds a request: DynamoDB rejects a BatchWriteItem whose total request size exceeds
// 16 MB with a ValidationException
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html), and
// no other request can be larger (a 100-action transaction carries at most 4 MB of items).
const maxBody = 16 << 20

// preallocBody is the largest announced length read into one allocation up front; a longer
// body grows as it arrives, so a client that announces 16 MB and stalls holds no 16 MB buffer.
const preallocBody = 1 << 20

// errTooLarge is a request body over maxBody, answered with tooLargeMessage.
var errTooLarge = errors.New("request body over 16 MB")

const tooLargeMessage = "The total request size exceeds 16 MB (16777216 bytes); split the request into smaller ones"

// ServeHTTP answers the DynamoDB JSON protocol: POST / with X-Amz-Target DynamoDB_20120810.<Op>.
// Errors have DynamoDB's shape and status. The endpoint's own checks come first, in DynamoDB's
// order (frontEnd); a request must be signed (SigV4), as AWS requires, but the signature is not
// checked. GET answers the health check DynamoDB answers.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e := s.bufs.Get().(*encoder)
	defer s.put(e)
	h := w.Header()
	h["X-Amzn-Requestid"] = []string{s.requestID()}
	if r.Method == http.MethodGet {
		h["Content-Type"] = []string{"text/plain"}
		s.write(w, e, http.StatusOK, append(e.b, "healthy: dynamodb."+s.env.Region+".amazonaws.com "...))
		return
	}
	if r.Method != http.MethodPost {
		s.write(w, e, http.StatusNotFound, append(e.b, pageNotFound...))
		return
	}
	var body []byte
	var err error
	if r.Body != nil {
		body, err = readBody(r.Body, r.ContentLength)
	}
	mediaType, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	mediaType = strings.TrimSpace(mediaType)
	amzJSON := strings.EqualFold(mediaType, contentType)
	// A body in another media type is not DynamoDB's. A body without one is taken as JSON
	// (DynamoDB's own answer to that was not confirmed; the package's tests send none).
	if len(body) > 0 && mediaType != "" && !amzJSON && !strings.EqualFold(mediaType, "application/json") {
		s.write(w, e, http.StatusNotFound, append(e.b, pageNotFound...))
		return
	}
	// DynamoDB answers in the JSON media type the request was sent in.
	if amzJSON {
		h["Content-Type"] = []string{contentType}
	} else {
		h["Content-Type"] = []string{"application/json"}
	}
	var apiErr *model.Error
	switch {
	case errors.Is(err, errTooLarge):
		apiErr = &model.Error{Code: model.CodeValidation, Message: tooLargeMessage}
	case err != nil:
		apiErr = &model.Error{Code: model.CodeSerialization, Message: err.Error()}
	default:
		if bare := frontEnd(r, body); bare != nil {
			e.b = append(e.b, bare...)
			s.write(w, e, http.StatusBadRequest, e.b)
			return
		}
		op, _ := opName(r.Header.Get("X-Amz-Target"))
		apiErr = s.call(r.Context(), op, body, e)
		if apiErr != nil && apiErr.Code == model.CodeSerialization && !json.Valid(body) {
			// A body that is not JSON at all: DynamoDB names no member and gives no message.
			e.b = append(e.b[:0], serializationBody...)
			s.write(w, e, http.StatusBadRequest, e.b)
			return
		}
	}
	status := http.StatusOK
	if apiErr != nil {
		e.b = e.b[:0]
		e.errorBody(apiErr)
		status = apiErr.Status()
		// DynamoDB sends no X-Amzn-ErrorType (recorded answers of dynamodb.<region>.amazonaws.com
		// carry the code in the body's __type only; TestErrorShape).
	}
	s.write(w, e, status, e.b)
}

// write sends an answer with DynamoDB's X-Amz-Crc32 and Content-Length.
func (s *Service) write(w http.ResponseWriter, e *encoder, status int, b []byte) {
	e.b = b
	h := w.Header()
	h["X-Amz-Crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10)}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// contentType is the AWS JSON 1.0 protocol's media type, which the SDKs send.
const contentType = "application/x-amz-json-1.0"

// pageNotFound is what DynamoDB's endpoint answers, with 404, a request that is not a POST in
// one of its two JSON media types (quoted from dynamodb.eu-west-1.amazonaws.com's answer to
// application/x-amz-json-1.1 in https://github.com/rusoto/rusoto/issues/215; still so in 2026,
// https://github.com/huseyinbabal/taws/issues/165).
const pageNotFound = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
  <title>Page Not Found</title>
</head>
<body>Page Not Found</body>
</html>`

// The endpoint's errors without a message, as DynamoDB writes them: a body that is not JSON
// (https://github.com/amazon-archives/aws-sdk-unity/issues/54) and an operation it does not have.
const (
	serializationBody    = `{"__type":"com.amazon.coral.service#SerializationException"}`
	unknownOperationBody = `{"__type":"com.amazon.coral.service#UnknownOperationException"}`
	missingTokenBody     = `{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`
)

// frontEnd makes the endpoint's checks that come before an operation's own, in DynamoDB's order,
// and returns the error body of the first that fails (nil when all pass): the body must be JSON,
// the target one of DynamoDB's operations (real ones the emulator lacks pass, and are answered
// with a message by call), the request signed. json.Valid runs only on the way to an error.
func frontEnd(r *http.Request, body []byte) []byte {
	op, ok := opName(r.Header.Get("X-Amz-Target"))
	known := ok && (operations[op] != nil || unsupported[op])
	auth := authError(r)
	if (!known || auth != nil) && len(body) > 0 && !json.Valid(body) {
		return []byte(serializationBody)
	}
	if !known {
		return []byte(unknownOperationBody)
	}
	return auth
}

// authError checks that a request carries SigV4 authentication, as DynamoDB's endpoint does
// before anything else about the caller: an Authorization header (AWS4-…) or a presigned query.
// A missing or other scheme's header is MissingAuthenticationTokenException ("Request is missing
// Authentication Token", https://github.com/awslabs/aws-sdk-ios-samples/issues/111); a SigV4
// header with a part that is no Key=value (DynamoDB's wording:
// https://github.com/awslabs/fhir-works-on-aws-deployment/issues/379), or without its
// Credential, Signature or SignedHeaders, is IncompleteSignatureException, worded as AWS's SigV4
// front end words it (quoted from API Gateway, e.g. https://github.com/aws/chalice/issues/828;
// status 400 as https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
// lists it); SignedHeaders without host is InvalidSignatureException (DynamoDB's wording:
// https://github.com/aws/aws-sdk-php/issues/2469). Signatures, credentials and dates are not
// checked: any credentials work, so a header with all three parts and no date is taken.
func authError(r *http.Request) []byte {
	a := r.Header.Get("Authorization")
	if strings.TrimSpace(a) == "" {
		if r.URL.Query().Has("X-Amz-Algorithm") {
			return nil
		}
		return []byte(missingTokenBody)
	}
	if !strings.HasPrefix(strings.TrimSpace(a), "AWS4-") {
		return []byte(missingTokenBody)
	}
	// The algorithm, then Key=value parameters separated by commas or spaces; read without
	// allocating, as every SDK request passes here.
	var have [3]bool
	params := [3]string{"Credential", "Signature", "SignedHeaders"}
	var signedHeaders string
	rest := strings.TrimSpace(a)
	if i := strings.IndexAny(rest, " ,"); i >= 0 {
		rest = rest[i:]
	} else {
		rest = ""
	}
	for rest = strings.TrimLeft(rest, " ,"); rest != ""; rest = strings.TrimLeft(rest, " ,") {
		f := rest
		if i := strings.IndexAny(rest, " ,"); i >= 0 {
			f, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return incompleteSignature("'" + f + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + a + "'.")
		}
		if v == "" {
			continue
		}
		for i, p := range params {
			have[i] = have[i] || k == p
		}
		if k == "SignedHeaders" {
			signedHeaders = v
		}
	}
	if have == [3]bool{true, true, true} {
		for h := range strings.SplitSeq(signedHeaders, ";") {
			if strings.EqualFold(h, "host") || h == ":authority" {
				return nil
			}
		}
		return []byte(`{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}`)
	}
	var msg strings.Builder
	for i, p := range params {
		if !have[i] {
			msg.WriteString("Authorization header requires '" + p + "' parameter. ")
		}
	}
	if r.Header.Get("X-Amz-Date") == "" && r.Header.Get("Date") == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	msg.WriteString("Authorization=" + a)
	return incompleteSignature(msg.String())
}

// incompleteSignature is an IncompleteSignatureException's body.
func incompleteSignature(msg string) []byte {
	b := awsjson.AppendErrorMembers([]byte{'{'}, "com.amazon.coral.service#IncompleteSignatureException", "message", msg)
	return append(b, '}')
}

func (s *Service) put(e *encoder) {
	if cap(e.b) > 1<<20 {
		return // let a huge buffer go
	}
	e.b = e.b[:0]
	s.bufs.Put(e)
}

// readBody reads the request, in one allocation when its length is known. A length of 0 is
// read as unknown: an in-process transport hands the handler a client request, where 0 with a
// body means unknown.
func readBody(r io.Reader, length int64) ([]byte, error) {
	if length > maxBody {
		return nil, errTooLarge
	}
	if length > 0 && length <= preallocBody {
		data := make([]byte, length)
		_, err := io.ReadFull(r, data)
		return data, err
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxBody {
		return nil, errTooLarge
	}
	return data, nil
}

// requestID is an x-amzn-RequestId in DynamoDB's format, 52 upper-case letters and digits
// (e.g. 3TH8M79JRKP93H62O96DUU3RM3VV4KQNSO5AEMVJF66Q9ASUAAJG): the service's random prefix and a
// counter, so unique within the emulator.
func (s *Service) requestID() string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b [requestIDLen]byte
	copy(b[:], s.idPrefix[:])
	for i := requestIDPrefix; i < requestIDLen; i++ {
		b[i] = '0'
	}
	for n, i := s.reqID.Add(1), requestIDLen-1; n > 0 && i >= requestIDPrefix; n, i = n/36, i-1 {
		b[i] = digits[n%36]
	}
	return string(b[:])
}

const (
	requestIDLen    = 52
	requestIDPrefix = 38 // random characters; the 14 after them count requests (36^14 > 2^64)
)

// newIDPrefix draws a service's request id prefix.
func newIDPrefix() (p [requestIDPrefix]byte) {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i := range p {
		p[i] = digits[rand.IntN(len(digits))]
	}
	return p
}

// Call runs one API operation in process, without HTTP: input is the request's JSON and the
// answer is the response's JSON, exactly as on the wire (op is the X-Amz-Target's operation,
// e.g. "PutItem"). An API error is a *sim.APIError with DynamoDB's status, its short code
// (ConditionalCheckFailedException) and message; a caller whose context ends during the
// modelled latency gets the context's error. It is how other emulated services (Step
// Functions' DynamoDB integrations) reach DynamoDB, through Env.Call.
func (s *Service) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	e := &encoder{}
	// The decoded request points into its body (model.Unmarshal): a copy, as the caller keeps
	// input.
	if err := s.call(ctx, op, bytes.Clone(input), e); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, &sim.APIError{Status: err.Status(), Code: err.Code, Message: err.Message, Sender: err.Status() < 500}
	}
	return e.b, nil
}

// abandoned is the error of a request whose caller gave up during its modelled latency.
type abandoned struct{ err error }

func (a abandoned) Error() string { return "request abandoned: " + a.err.Error() }
func (a abandoned) Unwrap() error { return a.err }

// call dispatches one operation; the answer is appended to e.
func (s *Service) call(ctx context.Context, op string, body []byte, e *encoder) *model.Error {
	h, ok := operations[op]
	if !ok {
		msg := ""
		if unsupported[op] {
			msg = "the emulator does not support the DynamoDB operation " + op
		}
		return &model.Error{Code: model.CodeUnknownOperation, Message: msg}
	}
	err := h(s, ctx, body, e)
	if err == nil {
		return nil
	}
	var gone abandoned
	if errors.As(err, &gone) {
		// Nobody reads this answer: the caller's context is done.
		return &model.Error{Code: model.CodeInternal, Message: "request abandoned by the caller: " + gone.err.Error()}
	}
	var apiErr *model.Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return &model.Error{Code: model.CodeInternal, Message: err.Error()}
}

// A request's bookkeeping: latency, faults, metrics and the trace span.

// DynamoDB does it with sim's Hop and Tally, as every service does, with two differences the
// API asks for: one request may touch several tables (BatchGetItem, BatchWriteItem,
// TransactWriteItems), so every table's metrics count it and the span names them all
// ("dynamodb:Orders,Stock"); and a fault may name one partition key ("dynamodb:Stock/lon-01#…"),
// so the request's keys are looked up while any fault is on.
type request struct {
	s      *Service
	tables []string
	res    []*metrics.Resource
	hop    sim.Hop
	start  time.Time
}

// target is a table and the key (or item) a request touches, for faults; a Query names its
// input instead. The partition key value is worked out only when a fault is switched on.
type target struct {
	table string
	key   model.Item
	query *model.QueryInput
}

// pk is the target's canonical partition key value ("" when unknown or for index queries).
func (s *Service) pk(t target) string {
	tbl, ok := s.model.Table(t.table)
	switch {
	case !ok:
		return ""
	case t.query != nil:
		if t.query.IndexName != "" {
			return ""
		}
		return s.model.QueryPartitionKey(tbl, t.query)
	case t.key != nil:
		return tbl.PartitionKeyOf(t.key)
	}
	return ""
}

// begin spends the operation's modelled latency (plus any fault latency) before the operation
// runs, then draws the error-rate faults. It returns the error to answer with when the caller
// gave up or a fault fired.
func (s *Service) begin(ctx context.Context, op, component string, targets ...target) (*request, error) {
	r := &request{s: s, start: s.env.Now()}
	for i, t := range targets {
		if t.table != "" && (i == 0 || !slices.Contains(r.tables, t.table)) {
			r.tables = append(r.tables, t.table)
		}
	}
	if s.env.Metrics != nil {
		for _, t := range r.tables {
			if _, ok := s.model.Table(t); !ok {
				continue // no metrics for a table that does not exist
			}
			r.res = append(r.res, s.env.Metrics.Resource("dynamodb", t))
		}
		for _, m := range r.res {
			m.Invoked()
		}
	}
	spanRes := "dynamodb:"
	if len(r.tables) == 1 {
		spanRes += r.tables[0]
	} else {
		spanRes += strings.Join(r.tables, ",")
	}
	_, r.hop = s.env.Open(ctx, sim.ID(spanRes), nil, op) // the span; the tables' metrics are r.res
	tableRes := ""
	if len(r.tables) > 0 {
		tableRes = "dynamodb:" + r.tables[0]
	}
	var extra time.Duration
	var faulty []string
	if s.env.Faults.Active() {
		for _, t := range r.tables {
			faulty = append(faulty, "dynamodb:"+t)
		}
		for _, t := range targets {
			pk := s.pk(t)
			if pk == "" {
				continue
			}
			name := "dynamodb:" + t.table + "/" + pk
			if rule, ok := s.env.Faults.Lookup(name); ok {
				extra = max(extra, rule.Latency)
				faulty = append(faulty, name)
			}
		}
	}
	err := s.env.Spend(ctx, component, tableRes)
	if err == nil && extra > 0 {
		err = s.env.Sleep(ctx, extra)
	}
	if err != nil {
		return r, abandoned{err}
	}
	for _, name := range faulty {
		if _, inject, _ := s.env.Fault(name); inject {
			return r, model.InternalError()
		}
	}
	return r, nil
}

// finish records the outcome in every table's metrics and ends the span.
func (r *request) finish(err error) {
	d := r.s.env.Now().Sub(r.start)
	var apiErr *model.Error
	var gone abandoned
	if errors.As(err, &gone) {
		for _, m := range r.res {
			sim.Tally{Observe: true, Duration: d}.AddTo(m)
			m.Add("abandoned", 1)
		}
		r.hop.EndWith(sim.Canceled, sim.Tally{})
		return
	}
	outcome := sim.OK
	switch {
	case errors.As(err, &apiErr) && apiErr.Throttle():
		outcome = sim.Throttled
	case err != nil:
		outcome = sim.Failed
	}
	for _, m := range r.res {
		tally := sim.Tally{Observe: true, Duration: d}
		switch {
		case outcome == sim.Throttled:
			tally.Throttled = true
		case apiErr != nil && apiErr.Code == model.CodeConditionalCheck:
			m.Add("conditional_check_failed", 1)
		case apiErr != nil && apiErr.Code == model.CodeTransactionCanceled:
			m.Add("transactions_canceled", 1)
			tally.Throttled = throttledCancellation(apiErr)
		case apiErr != nil && apiErr.Status() >= 500:
			tally.Errored = true
			m.Add("system_errors", 1)
		case err != nil:
			tally.Errored = true
			m.Add("user_errors", 1)
		}
		tally.AddTo(m)
	}
	r.hop.EndWith(outcome, sim.Tally{})
}

func throttledCancellation(e *model.Error) bool {
	for _, c := range e.CancellationReasons {
		if c.Code == "ThrottlingError" || c.Code == "ProvisionedThroughputExceeded" {
			return true
		}
	}
	return false
}

// unitCounter accumulates consumed capacity in half units (eventually consistent reads cost
// half a unit) and adds whole units to the metrics.
type unitCounter struct {
	readHalves, writeHalves atomic.Int64
}

// consumed adds a request's consumed capacity to the table's "rcu" and "wcu" counters.
func (s *Service) consumed(c model.ConsumedCapacity) {
	if s.env.Metrics == nil || c.TableName == "" {
		return
	}
	v, ok := s.units.Load(c.TableName)
	if !ok {
		v, _ = s.units.LoadOrStore(c.TableName, &unitCounter{})
	}
	u := v.(*unitCounter)
	m := s.env.Metrics.Resource("dynamodb", c.TableName)
	if h := int64(math.Round(c.ReadCapacityUnits * 2)); h > 0 {
		n := u.readHalves.Add(h)
		if whole := n/2 - (n-h)/2; whole > 0 {
			m.Add("rcu", whole)
		}
	}
	if h := int64(math.Round(c.WriteCapacityUnits * 2)); h > 0 {
		n := u.writeHalves.Add(h)
		if whole := n/2 - (n-h)/2; whole > 0 {
			m.Add("wcu", whole)
		}
	}
}
