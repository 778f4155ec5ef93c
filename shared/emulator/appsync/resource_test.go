package appsync_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// An Event API answers Ref with its ARN and GetAtt ApiId, ApiArn, Dns.Http and Dns.Realtime;
// a namespace its ARN; an API key its ARN, and GetAtt ApiKey a "da2-" key.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-appsync-api.html,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-appsync-channelnamespace.html,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-appsync-apikey.html
func TestProvision(t *testing.T) {
	t.Parallel()
	svc := appsync.New(newEnv(nil))
	defer svc.Close()
	api := provision(t, svc, "EventApi", appsync.TypeAPI, apiProps)
	id := api.Attrs["ApiId"].(string)
	assert.Regexp(t, `^[a-z0-9]{26}$`, id)
	arn := "arn:aws:appsync:us-east-1:000000000000:apis/" + id
	assert.Equal(t, arn, api.Ref)
	assert.Equal(t, arn, api.Attrs["ApiArn"])
	assert.Equal(t, "emulator.internal/appsync/"+id, api.Attrs["Dns.Http"])
	assert.Equal(t, "emulator.internal/appsync/"+id, api.Attrs["Dns.Realtime"])

	ns := provision(t, svc, "OrdersNs", appsync.TypeChannelNamespace, `{"ApiId": "`+id+`", "Name": "orders", "PublishAuthModes": [{"AuthType": "API_KEY"}], "SubscribeAuthModes": [{"AuthType": "API_KEY"}], "Tags": [{"Key": "k", "Value": "v"}]}`)
	assert.Equal(t, arn+"/channelNamespace/orders", ns.Ref)
	assert.Equal(t, ns.Ref, ns.Attrs["ChannelNamespaceArn"])

	key := provision(t, svc, "Key", appsync.TypeAPIKey, `{"ApiId": "`+id+`", "Description": "browser", "Expires": 1900000000}`)
	k := key.Attrs["ApiKey"].(string)
	assert.Regexp(t, `^da2-[a-z0-9]{26}$`, k)
	assert.Equal(t, k, key.Attrs["ApiKeyId"])
	assert.Equal(t, arn+"/apikeys/"+k, key.Ref)
	assert.Equal(t, key.Ref, key.Attrs["Arn"])

	again := appsync.New(newEnv(nil))
	defer again.Close()
	assert.Equal(t, id, provision(t, again, "EventApi", appsync.TypeAPI, apiProps).Attrs["ApiId"], "IDs are stable across runs")

	assert.Equal(t, []sim.Resource{{ID: "appsync:orders-events", Type: appsync.TypeAPI, LogicalID: "EventApi", Physical: id, ARN: arn}}, svc.Resources())
	assert.ElementsMatch(t, []string{appsync.TypeAPI, appsync.TypeChannelNamespace, appsync.TypeAPIKey}, svc.Types())
}

func TestProvisionRejects(t *testing.T) {
	t.Parallel()
	svc := appsync.New(newEnv(nil))
	defer svc.Close()
	id := provision(t, svc, "EventApi", appsync.TypeAPI, apiProps).Attrs["ApiId"].(string)
	tests := []struct {
		name, typ, props, want string
	}{
		{name: "Cognito provider", typ: appsync.TypeAPI, props: `{"Name": "x", "EventConfig": {"AuthProviders": [{"AuthType": "API_KEY"}, {"AuthType": "AMAZON_COGNITO_USER_POOLS", "CognitoConfig": {"UserPoolId": "p", "AwsRegion": "us-east-1"}}], "ConnectionAuthModes": [{"AuthType": "API_KEY"}], "DefaultPublishAuthModes": [{"AuthType": "API_KEY"}], "DefaultSubscribeAuthModes": [{"AuthType": "API_KEY"}]}}`,
			want: `resource Bad (AWS::AppSync::Api): property "EventConfig.AuthProviders[1].AuthType" "AMAZON_COGNITO_USER_POOLS" is not supported by the emulator (only API_KEY)`},
		{name: "IAM connection mode", typ: appsync.TypeAPI, props: `{"Name": "x", "EventConfig": {"AuthProviders": [{"AuthType": "API_KEY"}], "ConnectionAuthModes": [{"AuthType": "AWS_IAM"}], "DefaultPublishAuthModes": [{"AuthType": "API_KEY"}], "DefaultSubscribeAuthModes": [{"AuthType": "API_KEY"}]}}`,
			want: `resource Bad (AWS::AppSync::Api): property "EventConfig.ConnectionAuthModes[0].AuthType" "AWS_IAM" is not supported by the emulator (only API_KEY)`},
		{name: "Lambda publish mode", typ: appsync.TypeAPI, props: `{"Name": "x", "EventConfig": {"AuthProviders": [{"AuthType": "API_KEY"}], "ConnectionAuthModes": [{"AuthType": "API_KEY"}], "DefaultPublishAuthModes": [{"AuthType": "AWS_LAMBDA"}], "DefaultSubscribeAuthModes": [{"AuthType": "API_KEY"}]}}`,
			want: `resource Bad (AWS::AppSync::Api): property "EventConfig.DefaultPublishAuthModes[0].AuthType" "AWS_LAMBDA" is not supported by the emulator (only API_KEY)`},
		{name: "no EventConfig", typ: appsync.TypeAPI, props: `{"Name": "x"}`,
			want: `resource Bad (AWS::AppSync::Api): property "EventConfig" is required by the emulator (it serves Event APIs only)`},
		{name: "unknown API property", typ: appsync.TypeAPI, props: `{"Name": "x", "EventConfig": {}, "GraphqlSchema": "type Query"}`,
			want: `resource Bad (AWS::AppSync::Api): property "GraphqlSchema" is not supported by the emulator`},
		{name: "duplicate API name", typ: appsync.TypeAPI, props: apiProps,
			want: `resource Bad (AWS::AppSync::Api): api ` + id + ` already exists`},
		{name: "namespace with code handlers", typ: appsync.TypeChannelNamespace, props: `{"ApiId": "` + id + `", "Name": "h", "CodeHandlers": "export function onPublish(ctx) { return ctx.events }"}`,
			want: `resource Bad (AWS::AppSync::ChannelNamespace): property "CodeHandlers" is not supported by the emulator: channel namespace event handlers (onPublish, onSubscribe) do not run offline; remove the handler or test it on AWS`},
		{name: "namespace with handler configs", typ: appsync.TypeChannelNamespace, props: `{"ApiId": "` + id + `", "Name": "h", "HandlerConfigs": {"OnPublish": {"Behavior": "DIRECT"}}}`,
			want: `resource Bad (AWS::AppSync::ChannelNamespace): property "HandlerConfigs" is not supported by the emulator: channel namespace event handlers (onPublish, onSubscribe) do not run offline; remove the handler or test it on AWS`},
		{name: "namespace with IAM subscribe", typ: appsync.TypeChannelNamespace, props: `{"ApiId": "` + id + `", "Name": "h", "SubscribeAuthModes": [{"AuthType": "AWS_IAM"}]}`,
			want: `resource Bad (AWS::AppSync::ChannelNamespace): property "SubscribeAuthModes[0].AuthType" "AWS_IAM" is not supported by the emulator (only API_KEY)`},
		{name: "namespace of an unknown API", typ: appsync.TypeChannelNamespace, props: `{"ApiId": "nope", "Name": "h"}`,
			want: `resource Bad (AWS::AppSync::ChannelNamespace): property "ApiId" "nope" names no AWS::AppSync::Api of the template`},
		{name: "namespace with an invalid name", typ: appsync.TypeChannelNamespace, props: `{"ApiId": "` + id + `", "Name": "-h"}`,
			want: `resource Bad (AWS::AppSync::ChannelNamespace): property "Name": channel namespace name "-h" must be 1-50 letters, digits and dashes, not starting or ending with a dash`},
		{name: "key without API", typ: appsync.TypeAPIKey, props: `{"Description": "d"}`,
			want: `resource Bad (AWS::AppSync::ApiKey): property "ApiId" is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Bad", Type: tt.typ}, props(t, tt.props))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// An expired API key is refused.
// https://docs.aws.amazon.com/appsync/latest/eventapi/configure-event-api-auth.html
func TestExpiredKey(t *testing.T) {
	t.Parallel()
	clock := sim.NewFake(time.Unix(1_800_000_000, 0))
	f := start(t, clock)
	old := provision(t, f.svc, "OldKey", appsync.TypeAPIKey, `{"ApiId": "`+f.apiID+`", "Expires": 1800000060}`).Attrs["ApiKey"].(string)
	body := map[string]any{"channel": "/orders/1", "events": []string{"1"}}
	status, _ := f.publish(t, old, body)
	assert.Equal(t, http.StatusOK, status)
	clock.Advance(time.Minute)
	status, res := f.publish(t, old, body)
	assert.Equal(t, http.StatusUnauthorized, status, "%v", res)
}
