package pattern_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
)

// TestInvalidPatterns checks that every pattern the documentation calls invalid is refused,
// with the reason EventBridge gives. Reasons are the engine's wording (see
// engineReadme); AWS returns them after "Event pattern is not valid. Reason: ", as public
// issue threads show, e.g. https://github.com/cloud-custodian/cloud-custodian/issues/6507
// ("Empty objects are not allowed") and https://github.com/buildkite/docs/pull/896
// ("\"slug\" must be an object or an array").
func TestInvalidPatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		doc     string
		pattern string
		reason  string
	}{
		// docPatterns: a pattern is a JSON object whose leaves are arrays.
		{"not an object", docPatterns, `["aws.ec2"]`, "Filter is not an object"},
		{"a string", docPatterns, `"aws.ec2"`, "Filter is not an object"},
		{"not json", docPatterns, `source: aws.ec2`, "Filter is not an object"},
		{"empty object", docPatterns, `{}`, "Empty objects are not allowed"},
		{"empty nested object", docPatterns, `{"source":["aws.health"],"detail":{}}`, "Empty objects are not allowed"},
		{"leaf value not in an array", docPatterns, `{"detail":{"pipeline":{"slug":"some-pipeline"}}}`, `"slug" must be an object or an array`},
		{"leaf number not in an array", docPatterns, `{"n":5}`, `"n" must be an object or an array`},
		{"leaf null not in an array", docPatterns, `{"n":null}`, `"n" must be an object or an array`},
		{"empty array", docPatterns, `{"source":[]}`, "Empty arrays are not allowed"},
		{"array in array", docPatterns, `{"source":[["aws.ec2"]]}`, "Match value must be String, number, true, false, or null"},

		// docOperators: operators.
		{"unknown operator", docOperators, `{"source":[{"contains":"ec2"}]}`, "Unrecognized match type contains"},
		{"operator object empty", docOperators, `{"source":[{}]}`, "Match expression name not found"},
		{"two operators in one object", docOperators, `{"source":[{"prefix":"a","suffix":"b"}]}`, "Only one key allowed in match expression"},
		{"prefix with number", docOperators, `{"time":[{"prefix":2017}]}`, "prefix match pattern must be a string"},
		{"prefix with array", docOperators, `{"time":[{"prefix":["2017"]}]}`, "prefix match pattern must be a string"},
		{"prefix with unknown object", docOperators, `{"time":[{"prefix":{"wildcard":"a*"}}]}`, "Unsupported prefix pattern: wildcard"},
		{"prefix ignore case with number", docOperators, `{"time":[{"prefix":{"equals-ignore-case":1}}]}`, "equals-ignore-case match pattern must be a string"},
		{"suffix with number", docOperators, `{"f":[{"suffix":1}]}`, "suffix match pattern must be a string"},
		{"suffix with unknown object", docOperators, `{"f":[{"suffix":{"prefix":"a"}}]}`, "Unsupported suffix pattern: prefix"},
		{"equals-ignore-case with number", docOperators, `{"n":[{"equals-ignore-case":5}]}`, "equals-ignore-case match pattern must be a string"},
		{"exists with string", docOperators, `{"n":[{"exists":"true"}]}`, "exists match pattern must be either true or false."},
		{"cidr with number", docOperators, `{"ip":[{"cidr":10}]}`, "prefix match pattern must be a string"},
		{"cidr without mask", docOperators, `{"ip":[{"cidr":"10.0.0.0"}]}`, "Malformed CIDR, one '/' required"},
		{"cidr bad mask", docOperators, `{"ip":[{"cidr":"10.0.0.0/x"}]}`, "Malformed CIDR, mask bits must be an integer"},
		{"cidr negative mask", docOperators, `{"ip":[{"cidr":"10.0.0.0/-1"}]}`, "Malformed CIDR, mask bits must not be negative"},
		{"cidr ipv4 mask too long", docOperators, `{"ip":[{"cidr":"10.0.0.0/33"}]}`, "IPv4 mask bits must be < 32"},
		{"cidr ipv6 mask too long", docOperators, `{"ip":[{"cidr":"2001:db8::/129"}]}`, "IPv6 mask bits must be < 128"},
		{"cidr hostname", docOperators, `{"ip":[{"cidr":"example.com/8"}]}`, "Nonstandard IP address: example.com"},
		{"cidr bad address", docOperators, `{"ip":[{"cidr":"999.0.0.0/8"}]}`, "Invalid IP address: 999.0.0.0"},

		// docOperators: numeric matching.
		{"numeric not an array", docOperators, `{"n":[{"numeric":">"}]}`, "Value of numeric must be an array."},
		{"numeric operand first", docOperators, `{"n":[{"numeric":[0,">"]}]}`, "Invalid member in numeric match: 0"},
		{"numeric unknown operator", docOperators, `{"n":[{"numeric":["!=",0]}]}`, "Unrecognized numeric range operator: !="},
		{"numeric string operand", docOperators, `{"n":[{"numeric":[">","0"]}]}`, "Value of > must be numeric"},
		{"numeric equals string", docOperators, `{"n":[{"numeric":["=","5"]}]}`, "Value of equals must be numeric"},
		{"numeric equals with extra", docOperators, `{"n":[{"numeric":["=",5,"<",6]}]}`, "Too many elements in numeric expression"},
		{"numeric upper bound first", docOperators, `{"n":[{"numeric":["<",5,">",0]}]}`, "Too many elements in numeric expression"},
		{"numeric two lower bounds", docOperators, `{"n":[{"numeric":[">",0,">",5]}]}`, "Bad numeric range operator: >"},
		{"numeric range operand missing", docOperators, `{"n":[{"numeric":[">",0,5]}]}`, "Bad value in numeric range: 5"},
		{"numeric range upper not a number", docOperators, `{"n":[{"numeric":[">",0,"<=","5"]}]}`, "Value of <= must be numeric"},
		{"numeric range too long", docOperators, `{"n":[{"numeric":[">",0,"<",5,"<",6]}]}`, "Too many terms in numeric range expression"},
		{"numeric empty range", docOperators, `{"n":[{"numeric":[">",5,"<",5]}]}`, "Bottom must be less than top"},
		{"numeric above the limit", docOperators, `{"n":[{"numeric":[">",5.1e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"numeric below the limit", docOperators, `{"n":[{"numeric":["<",-6000000000]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"numeric seven decimals", docOperators, `{"n":[{"numeric":["=",0.0000001]}]}`, "Only values upto 6 decimals are supported"},

		// docOperators: anything-but.
		{"anything-but null", docOperators, `{"n":[{"anything-but":null}]}`, "Value of anything-but must be an array or single string/number value."},
		{"anything-but boolean", docOperators, `{"n":[{"anything-but":true}]}`, "Value of anything-but must be an array or single string/number value."},
		{"anything-but mixed list", docOperators, `{"n":[{"anything-but":["a",1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but empty list", docOperators, `{"n":[{"anything-but":[]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but null in list", docOperators, `{"n":[{"anything-but":["a",null]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{"anything-but unknown operator", docOperators, `{"n":[{"anything-but":{"numeric":[">",1]}}]}`, "Unsupported anything-but pattern: numeric"},
		{"anything-but empty object", docOperators, `{"n":[{"anything-but":{}}]}`, "Anything-But expression name not found"},
		{"anything-but prefix number", docOperators, `{"n":[{"anything-but":{"prefix":1}}]}`, "prefix/suffix match pattern must be a string"},
		{"anything-but prefix empty", docOperators, `{"n":[{"anything-but":{"prefix":""}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but suffix empty in list", docOperators, `{"n":[{"anything-but":{"suffix":["a",""]}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but ignore case number", docOperators, `{"n":[{"anything-but":{"equals-ignore-case":[1]}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{"anything-but wildcard number", docOperators, `{"n":[{"anything-but":{"wildcard":1}}]}`, "wildcard match pattern must be a string"},
		{"anything-but wildcard double star", docOperators, `{"n":[{"anything-but":{"wildcard":"a**"}}]}`, "Consecutive wildcard characters at pos 2"},
		{"anything-but number out of range", docOperators, `{"n":[{"anything-but":[1e10]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"anything-but extra key", docOperators, `{"n":[{"anything-but":"a","prefix":"b"}]}`, "Too many elements in numeric expression"},

		// docOperators: wildcard.
		{"wildcard consecutive asterisks", docOperators, `{"n":[{"wildcard":"a**b"}]}`, "Consecutive wildcard characters at pos 2"},
		{"wildcard invalid escape", docOperators, `{"n":[{"wildcard":"a\\b"}]}`, "Invalid escape character at pos 2"},
		{"wildcard trailing backslash", docOperators, `{"n":[{"wildcard":"ab\\"}]}`, "Invalid escape character at pos 3"},
		{"wildcard with number", docOperators, `{"n":[{"wildcard":5}]}`, "wildcard match pattern must be a string"},

		// docOperators: $or.
		{"or not an array", docOperators, `{"$or":{"a":["x"]}}`, "It must be an Array followed with $or."},
		{"or with one object", docOperators, `{"$or":[{"a":["x"]}]}`, "There must have at least 2 Objects in $or relationship."},
		{"or with an empty array", docOperators, `{"$or":[]}`, "There must have at least 2 Objects in $or relationship."},
		{"or with a string", docOperators, `{"$or":["a","b"]}`, "Only JSON object is allowed in array of $or relationship."},
		{"or with an empty object", docOperators, `{"$or":[{},{"a":["x"]}]}`, "Empty objects are not allowed"},
		{"or with an operator as field", docOperators, `{"$or":[{"numeric":[">",1]},{"prefix":["abc"]}]}`, "numeric is Ruler reserved fieldName which cannot be used inside $or."},
		{"nested or with a reserved field", docOperators, `{"$or":[{"a":{"exists":[true]}},{"b":["x"]}]}`, "exists is Ruler reserved fieldName which cannot be used inside $or."},
		{"nested or with one object", docOperators, `{"$or":[{"a":["x"],"$or":[{"b":["y"]}]},{"c":["z"]}]}`, "There must have at least 2 Objects in $or relationship."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := pattern.Compile([]byte(tt.pattern))
			require.Error(t, err, "%s should be refused (%s)", tt.pattern, tt.doc)
			assert.Nil(t, p)
			var ip *pattern.InvalidPatternError
			require.True(t, errors.As(err, &ip), "error type %T", err)
			assert.Equal(t, tt.reason, ip.Reason)
			assert.Equal(t, "Event pattern is not valid. Reason: "+tt.reason, err.Error())
		})
	}
}

// Valid patterns near the limits compile.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
func TestValidAtTheLimits(t *testing.T) {
	t.Parallel()
	for _, p := range []string{
		`{"n":[{"numeric":[">=",-5e9,"<=",5e9]}]}`,
		`{"n":[{"numeric":["=",0.000001]}]}`,
		`{"n":[{"numeric":["=",1.2300000]}]}`,
		`{"n":[{"anything-but":{"prefix":["a","b"]}}]}`,
		`{"n":[{"wildcard":"a\\**"}]}`,
		`{"n":[{"anything-but":{"equals-ignore-case":[]}}]}`,
		`{"ip":[{"cidr":"10.0.0.1/31"}]}`,
		`{"account":[123456789012345678901234567890]}`,
		`{"$or":[{"a":["x"]},{"b":["y"]}],"c":["z"]}`,
	} {
		_, err := pattern.Compile([]byte(p))
		assert.NoError(t, err, p)
	}
}

// Nested $or multiplies out; past the emulator's cap the pattern is refused.
func TestOrExpansionCap(t *testing.T) {
	t.Parallel()
	alt := `"$or":[{"a":["1"]},{"b":["2"]},{"c":["3"]},{"d":["4"]},{"e":["5"]},{"f":["6"]},{"g":["7"]},{"h":["8"]},{"i":["9"]},{"j":["10"]}]`
	p := `{"k1":{` + alt + `},"k2":{` + alt + `},"k3":{` + alt + `},"k4":{` + alt + `},"k5":{` + alt + `}}`
	_, err := pattern.Compile([]byte(p))
	var ip *pattern.InvalidPatternError
	require.ErrorAs(t, err, &ip)
	assert.Equal(t, "Rule is too complex", ip.Reason)
}
