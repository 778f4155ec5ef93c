package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunServesATemplate(t *testing.T) {
	urls := make(chan string, 1)
	ready = func(u string) { urls <- u }
	t.Cleanup(func() { ready = nil })
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-template", filepath.Join("..", "..", "emulator", "testdata", "messaging.template.json"), "-addr", "127.0.0.1:0", "-model", "zero"}, nil, &out, &errOut)
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("run ended early: %v\n%s", err, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not start")
	}
	client := sqs.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")})
	list, err := client.ListQueues(context.Background(), &sqs.ListQueuesInput{})
	require.NoError(t, err)
	assert.Equal(t, []string{url + "/000000000000/orders", url + "/000000000000/orders-dlq"}, list.QueueUrls)
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "events:bakery/Emulated-PaidToQueue")
	assert.Contains(t, out.String(), "QueueUrl = http://emulator.internal/000000000000/orders")
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no template", nil, "-template is required"},
		{"missing file", []string{"-template", "nope.json"}, "read the template"},
		{"bad model", []string{"-template", filepath.Join("..", "..", "emulator", "testdata", "messaging.template.json"), "-model", "fast"}, "-model must be aws or zero"},
		{"bad param", []string{"-param", "novalue"}, "Key=Value"},
		{"not loopback", []string{"-template", filepath.Join("..", "..", "emulator", "testdata", "messaging.template.json"), "-addr", "0.0.0.0:0"}, "loopback"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, nil, &out, &errOut)
			require.Error(t, err)
			assert.Contains(t, err.Error()+errOut.String(), tt.want)
		})
	}
}
