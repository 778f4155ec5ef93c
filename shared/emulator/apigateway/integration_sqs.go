package apigateway

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// callSQSPath runs an sqs:path/<account>/<queue> integration. The integration request is an SQS
// query-protocol request: its form-encoded body (Action=SendMessage&MessageBody=…) and query
// string parameters together. The emulator turns it into the JSON operation on the emulated SQS
// and answers as the query protocol would: JSON ({"SendMessageResponse": …}) unless the
// integration request's Accept header asks for something else, then XML. Response templates read
// $input.path('$.SendMessageResponse.SendMessageResult.MessageId') in the JSON form, the form
// the API Gateway SQS tutorials map.
func (s *Service) callSQSPath(ctx context.Context, m *mappedIntegration, ir *integrationRequest, requestID string) (backendResult, error) {
	form, err := url.ParseQuery(string(ir.body))
	if err != nil {
		form = url.Values{}
	}
	for k, vs := range ir.query {
		for _, v := range vs {
			form.Add(k, v)
		}
	}
	asXML := false
	if accept := ir.header.Get("Accept"); accept != "" && !strings.Contains(strings.ToLower(accept), "json") {
		asXML = true
	}
	queueURL := "https://sqs." + s.env.Region + ".amazonaws.com/" + m.queuePath
	action := form.Get("Action")
	var in *sqsSendInput
	switch action {
	case "SendMessage":
		in, err = sendMessageInput(queueURL, form)
	case "":
		err = sim.Errorf(http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action.")
	default:
		err = sim.Errorf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this endpoint (the emulator's SQS path integration supports SendMessage).", action)
	}
	var out []byte
	if err == nil {
		body, _ := json.Marshal(in)
		out, err = s.env.Call(ctx, "sqs", action, body)
	}
	if err != nil {
		var apiErr *sim.APIError
		if !errors.As(err, &apiErr) {
			return backendResult{}, err
		}
		return sqsErrorResult(apiErr, requestID, asXML), nil
	}
	var result sqsSendResult
	if err := json.Unmarshal(out, &result); err != nil {
		return backendResult{}, fmt.Errorf("sqs %s answered %q: %w", action, out, err)
	}
	if asXML {
		return backendResult{status: http.StatusOK, header: http.Header{"Content-Type": {"text/xml"}},
			body: sqsXML(action, result, requestID)}, nil
	}
	// The query protocol's JSON form: every result member present, null when absent.
	var answer struct {
		SendMessageResponse struct {
			ResponseMetadata  struct{ RequestId string }
			SendMessageResult sqsSendResult
		}
	}
	answer.SendMessageResponse.ResponseMetadata.RequestId = requestID
	answer.SendMessageResponse.SendMessageResult = result
	body, _ := json.Marshal(&answer)
	return backendResult{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: body}, nil
}

// sqsSendInput is SendMessage's JSON input, as the SQS JSON protocol names its members.
type sqsSendInput struct {
	QueueUrl               string
	MessageBody            string
	DelaySeconds           *int                       `json:",omitempty"`
	MessageGroupId         string                     `json:",omitempty"`
	MessageDeduplicationId string                     `json:",omitempty"`
	MessageAttributes      map[string]sqsAttributeVal `json:",omitempty"`
}

type sqsAttributeVal struct {
	DataType    string
	StringValue *string `json:",omitempty"`
	BinaryValue *string `json:",omitempty"`
}

// sqsSendResult is SendMessage's result; an absent member stays null in the query protocol's
// JSON form. The members are in the order the query protocol's JSON answer lists them.
type sqsSendResult struct {
	MD5OfMessageAttributes       *string
	MD5OfMessageBody             *string
	MD5OfMessageSystemAttributes *string
	MessageId                    *string
	SequenceNumber               *string
}

// sendMessageInput reads SendMessage's query parameters into its JSON input.
func sendMessageInput(queueURL string, form url.Values) (*sqsSendInput, error) {
	if _, ok := form["MessageBody"]; !ok {
		return nil, sim.Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter MessageBody.")
	}
	in := &sqsSendInput{QueueUrl: queueURL, MessageBody: form.Get("MessageBody"),
		MessageGroupId: form.Get("MessageGroupId"), MessageDeduplicationId: form.Get("MessageDeduplicationId")}
	if v := form.Get("DelaySeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, sim.Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value %s for parameter DelaySeconds is invalid.", v)
		}
		in.DelaySeconds = &n
	}
	// MessageAttribute.N.Name, .Value.DataType, .Value.StringValue, .Value.BinaryValue
	for i := 1; ; i++ {
		p := "MessageAttribute." + strconv.Itoa(i) + "."
		name := form.Get(p + "Name")
		if name == "" {
			break
		}
		a := sqsAttributeVal{DataType: form.Get(p + "Value.DataType")}
		if v, ok := form[p+"Value.StringValue"]; ok {
			a.StringValue = &v[0]
		}
		if v, ok := form[p+"Value.BinaryValue"]; ok {
			a.BinaryValue = &v[0]
		}
		if in.MessageAttributes == nil {
			in.MessageAttributes = map[string]sqsAttributeVal{}
		}
		in.MessageAttributes[name] = a
	}
	return in, nil
}

// sqsQueryCode is the query protocol's name for an error the JSON protocol names otherwise.
func sqsQueryCode(code string) string {
	code = code[strings.LastIndexByte(code, '#')+1:] // the JSON protocol's com.amazonaws.sqs#…
	if code == "QueueDoesNotExist" {
		return "AWS.SimpleQueueService.NonExistentQueue"
	}
	return code
}

func sqsErrorResult(e *sim.APIError, requestID string, asXML bool) backendResult {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	typ := "Receiver"
	if status < 500 {
		typ = "Sender"
	}
	code := sqsQueryCode(e.Code)
	if asXML {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error>`)
		writeElement(&b, "Type", typ)
		writeElement(&b, "Code", code)
		writeElement(&b, "Message", e.Message)
		b.WriteString(`<Detail/></Error>`)
		writeElement(&b, "RequestId", requestID)
		b.WriteString(`</ErrorResponse>`)
		return backendResult{status: status, header: http.Header{"Content-Type": {"text/xml"}}, body: []byte(b.String())}
	}
	body, _ := json.Marshal(map[string]any{
		"Error":     map[string]any{"Code": code, "Message": e.Message, "Type": typ},
		"RequestId": requestID,
	})
	return backendResult{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: body}
}

// sqsXML writes a query-protocol answer: <ActionResponse><ActionResult>…</ActionResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></ActionResponse>.
func sqsXML(action string, result sqsSendResult, requestID string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><` + action + `Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><` + action + `Result>`)
	for _, m := range []struct {
		name string
		v    *string
	}{{"MD5OfMessageAttributes", result.MD5OfMessageAttributes}, {"MD5OfMessageBody", result.MD5OfMessageBody},
		{"MD5OfMessageSystemAttributes", result.MD5OfMessageSystemAttributes}, {"MessageId", result.MessageId},
		{"SequenceNumber", result.SequenceNumber}} {
		if m.v != nil {
			writeElement(&b, m.name, *m.v)
		}
	}
	b.WriteString(`</` + action + `Result><ResponseMetadata>`)
	writeElement(&b, "RequestId", requestID)
	b.WriteString(`</ResponseMetadata></` + action + `Response>`)
	return []byte(b.String())
}

func writeElement(b *strings.Builder, name, text string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">")
}
