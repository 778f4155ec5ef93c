// Package cfn parses CloudFormation templates (JSON, as the CDK synthesizes them) and resolves
// their intrinsic functions against the physical state the emulator builds as it provisions.
//
// Parse reads a template and keeps every value raw. Template.Order gives a creation order from
// Ref, Fn::GetAtt, Fn::Sub and DependsOn. A Resolver, made by NewResolver from the stack's pseudo
// parameters, the parameter values and two callbacks that answer Ref and Fn::GetAtt for
// provisioned resources, evaluates Conditions and resolves properties to plain JSON values
// (map[string]any, []any, string, float64, bool). Decode then turns a resource's resolved
// properties into a service's typed struct and rejects every property the struct does not
// declare, so that no service silently ignores configuration it cannot honour.
//
// Supported: Ref (parameters, pseudo parameters, resources), Fn::GetAtt, Fn::Sub, Fn::Join,
// Fn::Select, Fn::Split, Fn::If, Fn::FindInMap, Fn::Base64, Fn::GetAZs, and Fn::Equals, Fn::And,
// Fn::Or, Fn::Not and Condition in Conditions. Pseudo parameters: AWS::AccountId, AWS::NoValue,
// AWS::NotificationARNs (always empty), AWS::Partition, AWS::Region, AWS::StackId, AWS::StackName,
// AWS::URLSuffix.
//
// Limitations:
//   - JSON only: YAML templates are rejected.
//   - The Transform section (SAM, AWS::LanguageExtensions, macros) is rejected, and so are the
//     functions that need it or that the emulator does not implement: Fn::Transform, Fn::Cidr,
//     Fn::ToJsonString, Fn::Length, Fn::ForEach, Fn::GetParam, FindInMap's DefaultValue, and any
//     other function not listed above. Each is an error naming the path and the function.
//   - Fn::ImportValue is an error: cross-stack imports are not supported.
//   - Dynamic references ({{resolve:ssm:…}}, {{resolve:secretsmanager:…}}) are errors.
//   - AWS::SSM::Parameter::Value<…> parameters are not looked up: the value given, or the default
//     (the SSM parameter's name), is used as it is.
//   - Rules are parsed but not evaluated.
//   - Fn::GetAZs answers three zones, <region>a, <region>b and <region>c, for every region.
//   - AWS::StackId ends in a UUID derived from the stack's name, region and account, so it is the
//     same on every run.
//   - Dependencies come from Properties and DependsOn, not from Metadata, CreationPolicy or
//     UpdatePolicy.
//   - Fn::Select with an index out of range is an error; CloudFormation leaves it undefined.
package cfn
