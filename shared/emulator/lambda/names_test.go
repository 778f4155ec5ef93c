package lambda_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdklambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
)

// A FunctionName outside the pattern and length the API reference documents is a 400
// ValidationException before any lookup; a well-formed name of no function is a 404
// ResourceNotFoundException.
func TestFunctionNameValidation(t *testing.T) {
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	defer svc.Close()
	name := provision(t, svc, "Echo", nil)
	srv := httptest.NewServer(svc)
	defer srv.Close()
	client := sdklambda.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")},
		func(o *sdklambda.Options) { o.BaseEndpoint = aws.String(srv.URL); o.RetryMaxAttempts = 1 })
	ctx := context.Background()

	const (
		invokeDoc = "https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html"
		getDoc    = "https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html"
	)
	cases := []struct {
		name, doc, fn string
		get           bool // GetFunction rather than Invoke
		wantCode      string
		wantStatus    int
	}{
		{"a space and ! are outside the pattern", invokeDoc, "bad name!", false, "ValidationException", 400},
		{"so is a slash", getDoc, "a/b", true, "ValidationException", 400},
		{"more than 170 characters", invokeDoc, strings.Repeat("f", 171), false, "ValidationException", 400},
		{"a well-formed name of no function", invokeDoc, "nope", false, "ResourceNotFoundException", 404},
		{"a well-formed ARN of no function", getDoc, "arn:aws:lambda:us-east-1:000000000000:function:nope", true, "ResourceNotFoundException", 404},
		{"the function by name", invokeDoc, name, false, "", 200},
		{"by name with $LATEST", getDoc, name + ":$LATEST", true, "", 200},
		{"by partial ARN", invokeDoc, "000000000000:function:" + name, false, "", 200},
		{"by full ARN", getDoc, "arn:aws:lambda:us-east-1:000000000000:function:" + name, true, "", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(c.doc)
			var err error
			if c.get {
				_, err = client.GetFunction(ctx, &sdklambda.GetFunctionInput{FunctionName: aws.String(c.fn)})
			} else {
				_, err = client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String(c.fn), Payload: []byte(`{"Name":"x"}`)})
			}
			if c.wantCode == "" {
				require.NoError(t, err)
				return
			}
			var ae smithy.APIError
			require.True(t, errors.As(err, &ae), "%v", err)
			assert.Equal(t, c.wantCode, ae.ErrorCode())
			var re *awshttp.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, c.wantStatus, re.HTTPStatusCode())
		})
	}
}

// The emulator has no versions or aliases, so a qualifier other than $LATEST (in the name or
// as ?Qualifier=) names a version or alias that does not exist: 404 ResourceNotFoundException,
// as https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors documents
// for a resource that does not exist. $LATEST is the function itself.
func TestQualifiers(t *testing.T) {
	svc := lambda.New(newEnv(), map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	defer svc.Close()
	name := provision(t, svc, "Echo", nil)
	srv := httptest.NewServer(svc)
	defer srv.Close()
	client := sdklambda.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")},
		func(o *sdklambda.Options) { o.BaseEndpoint = aws.String(srv.URL); o.RetryMaxAttempts = 1 })
	ctx := context.Background()
	cases := []struct {
		name, fn, qualifier string
		get                 bool
		wantCode            string
	}{
		{"an alias in the name", name + ":prod", "", false, "ResourceNotFoundException"},
		{"a version in a full ARN", "arn:aws:lambda:us-east-1:000000000000:function:" + name + ":1", "", true, "ResourceNotFoundException"},
		{"a Qualifier parameter", name, "live", false, "ResourceNotFoundException"},
		{"a Qualifier parameter on GetFunction", name, "3", true, "ResourceNotFoundException"},
		{"$LATEST in the name", name + ":$LATEST", "", false, ""},
		{"$LATEST as the Qualifier", name, "$LATEST", true, ""},
		{"a partial ARN", "000000000000:function:" + name, "", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var q *string
			if c.qualifier != "" {
				q = aws.String(c.qualifier)
			}
			var err error
			if c.get {
				_, err = client.GetFunction(ctx, &sdklambda.GetFunctionInput{FunctionName: aws.String(c.fn), Qualifier: q})
			} else {
				_, err = client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String(c.fn), Qualifier: q, Payload: []byte(`{"Name":"x"}`)})
			}
			if c.wantCode == "" {
				require.NoError(t, err)
				return
			}
			var ae smithy.APIError
			require.True(t, errors.As(err, &ae), "%v", err)
			assert.Equal(t, c.wantCode, ae.ErrorCode())
			var re *awshttp.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 404, re.HTTPStatusCode())
		})
	}
}
