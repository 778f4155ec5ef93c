// Command vtl renders an API Gateway mapping template against a request, the way a REST API's
// non-proxy integration would, without deploying anything.
//
//	go run ./shared/cmd/vtl -template FILE -request FILE [-json] [-request-template FILE]
//
// The request file is a JSON object:
//
//	{
//	  "body": "{\"item\":\"croissant\"}",          raw payload text (a JSON value is used as its text)
//	  "headers": {"Content-Type": "application/json"},
//	  "querystring": {"dryRun": "true"},
//	  "path": {"orderId": "42"},                   path parameters
//	  "stageVariables": {"table": "orders"},
//	  "context": {"requestId": "r-1", "identity": {"sourceIp": "192.0.2.1"}}
//	}
//
// It prints the rendered text, or with -json {"output", "status", "headers"} after any
// $context.responseOverride. With -request-template it runs a MOCK integration: that request
// template first, whose output must be JSON with an integer statusCode choosing the integration
// response, then -template as the integration response template.
//
// Instead of -template, -stack and -method take the template from a stage's synthesized
// CloudFormation template, as the stage deploys it:
//
//	go run ./shared/cmd/vtl -stack 04-refactor/infra/golden/template.json -method 'GET /orders/{id}' -response 200 -request FILE
//
// picks the response template of that method's integration response with status 200 (without
// -response, its request template). For a response template the request file's body is what the
// integration's backend answered (a DynamoDB GetItem answer, for instance): API Gateway's $input
// is the backend's answer there.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway/vtl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "vtl:", err)
		os.Exit(1)
	}
}

// request is the -request file.
type request struct {
	Body           json.RawMessage   `json:"body"`
	Headers        map[string]string `json:"headers"`
	QueryString    map[string]string `json:"querystring"`
	Path           map[string]string `json:"path"`
	StageVariables map[string]string `json:"stageVariables"`
	Context        map[string]any    `json:"context"`
}

// result is what -json prints.
type result struct {
	Output  string            `json:"output"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
}

// run follows the project's CLI shape. Rendering is quick and local, so it neither watches ctx
// nor reads the environment.
func run(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vtl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	templateFile := fs.String("template", "", "mapping template to render (the integration response template with -request-template)")
	requestFile := fs.String("request", "", "JSON file with body, headers, querystring, path, stageVariables and context")
	asJSON := fs.Bool("json", false, `print {"output", "status", "headers"} with $context.responseOverride applied`)
	mockFile := fs.String("request-template", "", "run a MOCK integration: this request template picks the integration response by its statusCode")
	stackFile := fs.String("stack", "", "take the template from this CloudFormation template (a stage's infra/golden/*.json) instead of -template")
	method := fs.String("method", "", `with -stack: the method, as "GET /orders/{id}"`)
	response := fs.String("response", "", "with -stack: the status code of the integration response whose template to render (default: the request template)")
	contentType := fs.String("content-type", "application/json", "with -stack: the content type the template is for")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vtl -template FILE -request FILE [-json] [-request-template FILE]")
		fmt.Fprintln(stderr, "       vtl -stack TEMPLATE.json -method 'GET /path' [-response STATUS] -request FILE [-json]")
		fmt.Fprintln(stderr, "Renders an API Gateway REST API mapping template (VTL) against a request.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: vtl takes flags only", fs.Args())
	}
	var tpl *vtl.Template
	switch {
	case *stackFile != "" && (*templateFile != "" || *mockFile != ""):
		return errors.New("-stack takes the template from the stack: leave out -template and -request-template")
	case *stackFile != "" && *method == "":
		return errors.New(`-stack needs -method, e.g. -method "GET /orders/{id}"`)
	case *stackFile == "" && (*method != "" || *response != ""):
		return errors.New("-method and -response pick a template from -stack, which is missing")
	case (*templateFile == "" && *stackFile == "") || *requestFile == "":
		return errors.New("-template (or -stack and -method) and -request are required (see -h)")
	case *stackFile != "":
		text, notes, err := stackTemplate(*stackFile, *method, *response, *contentType)
		if err != nil {
			return err
		}
		for _, n := range notes {
			fmt.Fprintln(stderr, "note:", n)
		}
		if tpl, err = vtl.Parse(*method, text); err != nil {
			return err
		}
	default:
		var err error
		if tpl, err = parseFile(*templateFile); err != nil {
			return err
		}
	}
	in, err := readRequest(*requestFile)
	if err != nil {
		return err
	}

	status := 200
	var reqOut vtl.Output
	if *mockFile != "" {
		mock, err := parseFile(*mockFile)
		if err != nil {
			return err
		}
		if reqOut, err = mock.Render(in); err != nil {
			return fmt.Errorf("render %s: %w", *mockFile, err)
		}
		if status, err = mockStatus(reqOut.Body); err != nil {
			return fmt.Errorf("%s: %w", *mockFile, err)
		}
		// A MOCK integration answers with no body; the response template sees the request
		// template's overrides.
		in.Response = &vtl.IntegrationResponse{StatusCode: status}
		in.RequestOverride = reqOut.RequestOverride
	}
	out, err := tpl.Render(in)
	if err != nil {
		return fmt.Errorf("render %s: %w", *templateFile, err)
	}
	if !*asJSON {
		_, err := io.WriteString(stdout, out.Body)
		return err
	}
	res := result{Output: out.Body, Status: status, Headers: map[string]string{}}
	for _, ov := range []vtl.ResponseOverride{reqOut.ResponseOverride, out.ResponseOverride} {
		if ov.Status != 0 {
			res.Status = ov.Status
		}
		for k, v := range ov.Header {
			res.Headers[k] = v
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}

func parseFile(path string) (*vtl.Template, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return vtl.Parse(path, string(text))
}

func readRequest(path string) (vtl.Input, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return vtl.Input{}, fmt.Errorf("read request: %w", err)
	}
	var r request
	if err := json.Unmarshal(data, &r); err != nil {
		return vtl.Input{}, fmt.Errorf("request file %s: invalid JSON: %w", path, err)
	}
	in := vtl.Input{Headers: r.Headers, QueryString: r.QueryString, Path: r.Path, StageVariables: r.StageVariables, Context: r.Context}
	if len(r.Body) > 0 && string(r.Body) != "null" {
		var s string
		if err := json.Unmarshal(r.Body, &s); err == nil {
			in.Body = s
		} else {
			in.Body = string(r.Body) // a JSON object or array stands for its own text
		}
	}
	return in, nil
}

// mockStatus reads the statusCode a MOCK integration's request template chose.
func mockStatus(rendered string) (int, error) {
	var v struct {
		StatusCode json.RawMessage `json:"statusCode"`
	}
	var n int
	if err := json.Unmarshal([]byte(rendered), &v); err != nil || json.Unmarshal(v.StatusCode, &n) != nil {
		// API Gateway's log line for this configuration error.
		return 0, fmt.Errorf("unable to parse statusCode; it should be an integer that is defined in the request template (output: %q)", rendered)
	}
	return n, nil
}
