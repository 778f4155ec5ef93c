package appsync

import (
	"context"
	"fmt"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// CloudFormation resource types the service provisions.
const (
	TypeAPI              = "AWS::AppSync::Api"
	TypeChannelNamespace = "AWS::AppSync::ChannelNamespace"
	TypeAPIKey           = "AWS::AppSync::ApiKey"
)

// authAPIKey is the one authorization type the emulator supports.
const authAPIKey = "API_KEY"

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string { return []string{TypeAPI, TypeChannelNamespace, TypeAPIKey} }

// authMode is an AuthMode of EventConfig and of a channel namespace.
type authMode struct {
	AuthType string `json:"AuthType"`
}

// authProvider is an AuthProvider of EventConfig. The configurations of the other types are
// declared so that the error names the AuthType rather than an unknown property.
type authProvider struct {
	AuthType               string `json:"AuthType"`
	CognitoConfig          any    `json:"CognitoConfig"`
	LambdaAuthorizerConfig any    `json:"LambdaAuthorizerConfig"`
	OpenIDConnectConfig    any    `json:"OpenIDConnectConfig"`
}

type eventConfig struct {
	AuthProviders             []authProvider `json:"AuthProviders"`
	ConnectionAuthModes       []authMode     `json:"ConnectionAuthModes"`
	DefaultPublishAuthModes   []authMode     `json:"DefaultPublishAuthModes"`
	DefaultSubscribeAuthModes []authMode     `json:"DefaultSubscribeAuthModes"`
	LogConfig                 any            `json:"LogConfig"` // logs go to the emulator's output
}

// apiProps are AWS::AppSync::Api's properties.
type apiProps struct {
	Name         string       `json:"Name"`
	EventConfig  *eventConfig `json:"EventConfig"`
	OwnerContact string       `json:"OwnerContact"`
	Tags         any          `json:"Tags"`
}

// namespaceProps are AWS::AppSync::ChannelNamespace's properties.
type namespaceProps struct {
	APIID              string     `json:"ApiId"`
	Name               string     `json:"Name"`
	CodeHandlers       string     `json:"CodeHandlers"`
	CodeS3Location     string     `json:"CodeS3Location"`
	HandlerConfigs     any        `json:"HandlerConfigs"`
	PublishAuthModes   []authMode `json:"PublishAuthModes"`
	SubscribeAuthModes []authMode `json:"SubscribeAuthModes"`
	Tags               any        `json:"Tags"`
}

// apiKeyProps are AWS::AppSync::ApiKey's properties.
type apiKeyProps struct {
	APIID       string  `json:"ApiId"`
	Description string  `json:"Description"`
	Expires     float64 `json:"Expires"` // seconds since the epoch
	APIKeyID    string  `json:"ApiKeyId"`
}

// Provision creates an Event API, a channel namespace or an API key.
//
// AWS::AppSync::Api: Ref is the API's ARN; GetAtt offers ApiId, ApiArn, Dns.Http and
// Dns.Realtime ("emulator.internal/appsync/<apiId>"; clients append /event and /event/realtime).
// AWS::AppSync::ChannelNamespace: Ref and GetAtt ChannelNamespaceArn are its ARN.
// AWS::AppSync::ApiKey: Ref and GetAtt Arn are its ARN; GetAtt ApiKey and ApiKeyId the key.
func (s *Service) Provision(_ context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	switch res.Type {
	case TypeAPI:
		return s.provisionAPI(res, props)
	case TypeChannelNamespace:
		return s.provisionNamespace(res, props)
	case TypeAPIKey:
		return s.provisionKey(res, props)
	}
	return sim.Physical{}, fmt.Errorf("resource %s (%s): the AppSync service does not provision this type", res.LogicalID, res.Type)
}

// checkModes rejects every auth type but API_KEY, naming the property.
func checkModes(res *cfn.Resource, prop string, modes []authMode) error {
	for i, m := range modes {
		if m.AuthType != authAPIKey {
			return fmt.Errorf("resource %s (%s): property \"%s[%d].AuthType\" %q is not supported by the emulator (only API_KEY)", res.LogicalID, res.Type, prop, i, m.AuthType)
		}
	}
	return nil
}

func (s *Service) provisionAPI(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p apiProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if p.Name == "" {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property \"Name\" is required", res.LogicalID, res.Type)
	}
	if p.EventConfig == nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property \"EventConfig\" is required by the emulator (it serves Event APIs only)", res.LogicalID, res.Type)
	}
	ec := p.EventConfig
	for i, a := range ec.AuthProviders {
		if a.AuthType != authAPIKey {
			return sim.Physical{}, fmt.Errorf("resource %s (%s): property \"EventConfig.AuthProviders[%d].AuthType\" %q is not supported by the emulator (only API_KEY)", res.LogicalID, res.Type, i, a.AuthType)
		}
	}
	for _, m := range []struct {
		prop  string
		modes []authMode
	}{
		{"EventConfig.ConnectionAuthModes", ec.ConnectionAuthModes},
		{"EventConfig.DefaultPublishAuthModes", ec.DefaultPublishAuthModes},
		{"EventConfig.DefaultSubscribeAuthModes", ec.DefaultSubscribeAuthModes},
	} {
		if err := checkModes(res, m.prop, m.modes); err != nil {
			return sim.Physical{}, err
		}
	}
	id := stableID(s.env.Region+"/"+s.env.AccountID+"/"+p.Name, 26)
	arn := s.env.ARN("appsync", "apis/"+id)
	if _, err := s.model.CreateAPI(id, p.Name, arn); err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): %w", res.LogicalID, res.Type, err)
	}
	s.mu.Lock()
	s.logical[id] = res.LogicalID
	s.mu.Unlock()
	return sim.Physical{Ref: arn, Attrs: map[string]any{
		"ApiId":        id,
		"ApiArn":       arn,
		"Dns.Http":     dnsName(id),
		"Dns.Realtime": dnsName(id),
	}}, nil
}

// api finds the API a namespace or key belongs to, by ID (or name, for hand-written templates).
func (s *Service) api(res *cfn.Resource, id string) (*model.API, error) {
	if id == "" {
		return nil, fmt.Errorf("resource %s (%s): property \"ApiId\" is required", res.LogicalID, res.Type)
	}
	a, ok := s.model.API(id)
	if !ok {
		return nil, fmt.Errorf("resource %s (%s): property \"ApiId\" %q names no AWS::AppSync::Api of the template", res.LogicalID, res.Type, id)
	}
	return a, nil
}

func (s *Service) provisionNamespace(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p namespaceProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	for _, h := range []struct {
		prop string
		set  bool
	}{{"CodeHandlers", p.CodeHandlers != ""}, {"CodeS3Location", p.CodeS3Location != ""}, {"HandlerConfigs", hasHandlers(p.HandlerConfigs)}} {
		if h.set {
			return sim.Physical{}, fmt.Errorf("resource %s (%s): property %q is not supported by the emulator: channel namespace event handlers (onPublish, onSubscribe) do not run offline; remove the handler or test it on AWS", res.LogicalID, res.Type, h.prop)
		}
	}
	if err := checkModes(res, "PublishAuthModes", p.PublishAuthModes); err != nil {
		return sim.Physical{}, err
	}
	if err := checkModes(res, "SubscribeAuthModes", p.SubscribeAuthModes); err != nil {
		return sim.Physical{}, err
	}
	a, err := s.api(res, p.APIID)
	if err != nil {
		return sim.Physical{}, err
	}
	arn := a.ARN + "/channelNamespace/" + p.Name
	if err := a.AddNamespace(model.Namespace{Name: p.Name, ARN: arn}); err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property \"Name\": %w", res.LogicalID, res.Type, err)
	}
	return sim.Physical{Ref: arn, Attrs: map[string]any{"ChannelNamespaceArn": arn}}, nil
}

func (s *Service) provisionKey(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p apiKeyProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	a, err := s.api(res, p.APIID)
	if err != nil {
		return sim.Physical{}, err
	}
	key := p.APIKeyID
	if key == "" {
		key = "da2-" + stableID(a.ID+"/"+res.LogicalID, 26)
	}
	arn := a.ARN + "/apikeys/" + key
	k := model.APIKey{Key: key, Description: p.Description, ARN: arn}
	if p.Expires > 0 {
		k.Expires = time.Unix(int64(p.Expires), 0)
	}
	a.AddKey(k)
	return sim.Physical{Ref: arn, Attrs: map[string]any{"ApiKey": key, "ApiKeyId": key, "Arn": arn}}, nil
}

// hasHandlers reports whether HandlerConfigs configures a handler: the CDK writes an empty
// object for a namespace without one.
func hasHandlers(v any) bool {
	switch c := v.(type) {
	case nil:
		return false
	case map[string]any:
		return len(c) > 0
	}
	return true
}
