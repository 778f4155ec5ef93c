package pattern_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
)

// TestSurprisingCases covers behaviour the guide implies but does not show, each tied to the
// page whose rule it follows (or the engine's README where the guide is silent).
func TestSurprisingCases(t *testing.T) {
	t.Parallel()
	cases := []matchCase{
		// Numbers compare by value, however they are written.
		{"3.0 equals 3", docOperators, `{"n":[3]}`, `{"n":3.0}`, true},
		{"300 equals 3e2", docOperators, `{"n":[300]}`, `{"n":3e2}`, true},
		{"3e2 in pattern equals 300", docOperators, `{"n":[3e2]}`, `{"n":300}`, true},
		{"numeric = with exponent", docOperators, `{"n":[{"numeric":["=",3.018e2]}]}`, `{"n":301.80}`, true},
		{"numeric = with trailing zeros", docOperators, `{"n":[{"numeric":["=",5]}]}`, `{"n":5.000}`, true},
		{"negative zero equals zero", docOperators, `{"n":[0]}`, `{"n":-0.0}`, true},
		{"anything-but number written differently", docOperators, `{"n":[{"anything-but":[100]}]}`, `{"n":1e2}`, false},
		{"numeric on a string", docOperators, `{"n":[{"numeric":[">",0]}]}`, `{"n":"5"}`, false},
		{"numeric >= edge", docOperators, `{"n":[{"numeric":[">=",5]}]}`, `{"n":5}`, true},
		{"numeric < edge", docOperators, `{"n":[{"numeric":["<",5]}]}`, `{"n":5}`, false},
		{"numeric <= edge", docOperators, `{"n":[{"numeric":["<=",5]}]}`, `{"n":5}`, true},
		{"numeric negative range", docOperators, `{"n":[{"numeric":[">=",-10,"<",-1]}]}`, `{"n":-1.5}`, true},
		{"numeric decimals", docOperators, `{"n":[{"numeric":[">",0.000001]}]}`, `{"n":0.0000011}`, true},
		{"numeric beyond the documented range never matches", docOperators, `{"n":[{"numeric":[">",0]}]}`, `{"n":6e9}`, false},
		{"large exact number", docOperators, `{"account":[123456789012]}`, `{"account":123456789012}`, true},
		{"numeric on array of numbers", docOperators, `{"n":[{"numeric":[">",10]}]}`, `{"n":[1,2,30]}`, true},

		// Arrays in the event.
		{"value inside array of strings", docArrays, `{"tags":["b"]}`, `{"tags":["a","b","c"]}`, true},
		{"nested arrays are flattened", engineReadme, `{"tags":["c"]}`, `{"tags":[["a"],["b",["c"]]]}`, true},
		{"field inside array of objects", engineReadme, `{"employees":{"firstName":["Anna"]}}`, `{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}]}`, true},
		{"two fields in one array element", engineReadme, `{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}`, `{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}]}`, true},
		{"two fields across array elements", engineReadme, `{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}`, `{"employees":[{"firstName":"Anna","lastName":"Smith"},{"firstName":"Peter","lastName":"Jones"}]}`, false},
		{"array of arrays of objects", engineReadme, `{"employees":{"firstName":["Peter"]}}`, `{"employees":[[{"firstName":"John"},{"firstName":"Anna"}],[{"firstName":"Peter"}]]}`, true},
		{"deep object in array element", engineReadme, `{"items":{"cake":{"kind":["croissant"]},"qty":[2]}}`, `{"items":[{"cake":{"kind":"eclair"},"qty":2},{"cake":{"kind":"croissant"},"qty":2}]}`, true},
		{"deep object in other element", engineReadme, `{"items":{"cake":{"kind":["croissant"]},"qty":[3]}}`, `{"items":[{"cake":{"kind":"eclair"},"qty":3},{"cake":{"kind":"croissant"},"qty":2}]}`, false},
		{"empty array has no values", docArrays, `{"tags":["a"]}`, `{"tags":[]}`, false},
		{"empty array does not exist", docOperators, `{"tags":[{"exists":true}]}`, `{"tags":[]}`, false},
		{"empty array exists false", docOperators, `{"tags":[{"exists":false}]}`, `{"tags":[]}`, true},
		{"array of scalars exists", docOperators, `{"tags":[{"exists":true}]}`, `{"tags":["a"]}`, true},
		{"array of objects is not a leaf", docOperators, `{"tags":[{"exists":true}]}`, `{"tags":[{"a":1}]}`, false},
		{"prefix inside array", docOperators, `{"files":[{"prefix":"img/"}]}`, `{"files":["doc/a","img/b"]}`, true},

		// anything-but and arrays: any element that is not excluded is enough.
		{"anything-but on array with another value", docOperators, `{"state":[{"anything-but":"stopped"}]}`, `{"state":["stopped","running"]}`, true},
		{"anything-but on array of only excluded", docOperators, `{"state":[{"anything-but":["stopped","failed"]}]}`, `{"state":["stopped","failed"]}`, false},
		{"anything-but on missing field", docOperators, `{"state":[{"anything-but":"stopped"}]}`, `{"other":"x"}`, false},
		{"anything-but string lets numbers through", engineReadme, `{"state":[{"anything-but":"5"}]}`, `{"state":5}`, true},
		{"anything-but number lets strings through", engineReadme, `{"n":[{"anything-but":[5]}]}`, `{"n":"5"}`, true},
		{"anything-but lets null through", engineReadme, `{"n":[{"anything-but":"x"}]}`, `{"n":null}`, true},
		{"anything-but prefix lets numbers through", engineReadme, `{"n":[{"anything-but":{"prefix":"1"}}]}`, `{"n":123}`, true},
		{"anything-but on object value", docOperators, `{"state":[{"anything-but":"stopped"}]}`, `{"state":{"name":"running"}}`, false},

		// exists and null.
		{"exists true on null", docNulls, `{"v":[{"exists":true}]}`, `{"v":null}`, true},
		{"exists false on null", docNulls, `{"v":[{"exists":false}]}`, `{"v":null}`, false},
		{"exists true on empty string", docNulls, `{"v":[{"exists":true}]}`, `{"v":""}`, true},
		{"exists false with missing parent", docOperators, `{"detail":{"c-count":[{"exists":false}]}}`, `{"source":"x"}`, true},
		{"exists false with scalar parent", docOperators, `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":"flat"}`, true},
		{"exists true with missing parent", docOperators, `{"detail":{"c-count":[{"exists":true}]}}`, `{"source":"x"}`, false},
		{"exists false in every array element", engineReadme, `{"items":{"gift":[{"exists":false}]}}`, `{"items":[{"cake":"a"},{"cake":"b"}]}`, true},
		{"exists false with one element having it", engineReadme, `{"items":{"gift":[{"exists":false}]}}`, `{"items":[{"cake":"a"},{"cake":"b","gift":true}]}`, false},
		{"exists false next to a match in the same element", engineReadme, `{"items":{"cake":["b"],"gift":[{"exists":false}]}}`, `{"items":[{"cake":"a","gift":true},{"cake":"b"}]}`, true},
		{"exists false or a value", docOperators, `{"v":[{"exists":false},"x"]}`, `{"v":"x"}`, true},
		{"exists false or a value, absent", docOperators, `{"v":[{"exists":false},"x"]}`, `{}`, true},
		{"exists false or a value, other", docOperators, `{"v":[{"exists":false},"x"]}`, `{"v":"y"}`, false},
		{"null in an array", docNulls, `{"v":[null]}`, `{"v":["a",null]}`, true},

		// Operators applied to objects or the wrong types.
		{"exact string on object", docOperators, `{"detail":["x"]}`, `{"detail":{"x":1}}`, false},
		{"prefix on object", docOperators, `{"detail":[{"prefix":"x"}]}`, `{"detail":{"x":1}}`, false},
		{"prefix on number", docOperators, `{"n":[{"prefix":"1"}]}`, `{"n":123}`, false},
		{"suffix on boolean", docOperators, `{"b":[{"suffix":"ue"}]}`, `{"b":true}`, false},
		{"wildcard on number", docOperators, `{"n":[{"wildcard":"*"}]}`, `{"n":1}`, false},
		{"wildcard star matches any string", docOperators, `{"n":[{"wildcard":"*"}]}`, `{"n":""}`, true},
		{"equals-ignore-case on null", docOperators, `{"n":[{"equals-ignore-case":"null"}]}`, `{"n":null}`, false},
		{"nested pattern on a string", docPatterns, `{"detail":{"state":["x"]}}`, `{"detail":"state"}`, false},
		{"cidr on a non-ip string", docOperators, `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"ten.0.0.1"}`, false},
		{"cidr ipv4 pattern, ipv6 event", docOperators, `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"::1"}`, false},
		{"cidr /0", docOperators, `{"ip":[{"cidr":"0.0.0.0/0"}]}`, `{"ip":"203.0.113.9"}`, true},
		{"exact ip written differently", engineReadme, `{"ip":["2001:db8::1"]}`, `{"ip":"2001:0db8:0:0:0:0:0:1"}`, true},

		// Case-insensitivity details.
		{"equals-ignore-case non-ascii", docOperators, `{"n":[{"equals-ignore-case":"ÉCLAIR"}]}`, `{"n":"éclair"}`, true},
		{"prefix ignore case non-ascii", docOperators, `{"n":[{"prefix":{"equals-ignore-case":"CRÈME"}}]}`, `{"n":"crème brûlée"}`, true},
		{"suffix ignore case non-ascii", docOperators, `{"n":[{"suffix":{"equals-ignore-case":"BRÛLÉE"}}]}`, `{"n":"crème brûlée"}`, true},
		{"prefix ignore case longer than value", docOperators, `{"n":[{"prefix":{"equals-ignore-case":"EVENTBRIDGE"}}]}`, `{"n":"event"}`, false},
		{"plain prefix is case sensitive", docOperators, `{"n":[{"prefix":"Event"}]}`, `{"n":"eventbridge"}`, false},
		{"empty prefix matches any string", docOperators, `{"n":[{"prefix":""}]}`, `{"n":"x"}`, true},
		{"equals-ignore-case is not prefix", docOperators, `{"n":[{"equals-ignore-case":"cake"}]}`, `{"n":"cakes"}`, false},

		// Wildcards.
		{"wildcard needs the whole value", docOperators, `{"n":[{"wildcard":"*.png"}]}`, `{"n":"a.png.bak"}`, false},
		{"wildcard several stars", docOperators, `{"n":[{"wildcard":"a*b*c"}]}`, `{"n":"aXbYbZc"}`, true},
		{"wildcard overlap", docOperators, `{"n":[{"wildcard":"ab*ba"}]}`, `{"n":"aba"}`, false},
		{"wildcard repeated segment", docOperators, `{"n":[{"wildcard":"*ab*ab"}]}`, `{"n":"xxabab"}`, true},
		{"wildcard without star is exact", docOperators, `{"n":[{"wildcard":"cake"}]}`, `{"n":"cake"}`, true},

		// $or details.
		{"nested or", engineReadme, `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]},{"scope":["Service"]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/EC2","spaceId":1000}`, true},
		{"nested or inner fails", engineReadme, `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"namespace":["AWS/EC2"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]},{"scope":["Service"]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/EC2","spaceId":1}`, false},
		{"parallel or", engineReadme, `{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}],"detail":{"$or":[{"source":["aws.cloudwatch"]},{"detail-type":["CloudWatch Alarm State Change"]}]}}`, `{"namespace":"AWS/EC2","detail":{"detail-type":"CloudWatch Alarm State Change"}}`, true},
		{"parallel or one side fails", engineReadme, `{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}],"detail":{"$or":[{"source":["aws.cloudwatch"]},{"detail-type":["CloudWatch Alarm State Change"]}]}}`, `{"namespace":"AWS/ES","detail":{"detail-type":"CloudWatch Alarm State Change"}}`, false},
		{"or alternatives share an array element", engineReadme, `{"items":{"cake":["b"]},"$or":[{"items":{"qty":[1]}},{"rush":[true]}]}`, `{"items":[{"cake":"a","qty":1},{"cake":"b","qty":2}]}`, false},
		{"or alternative in same element", engineReadme, `{"items":{"cake":["b"]},"$or":[{"items":{"qty":[2]}},{"rush":[true]}]}`, `{"items":[{"cake":"a","qty":1},{"cake":"b","qty":2}]}`, true},
		{"or with exists false", docOperators, `{"$or":[{"a":[{"exists":false}]},{"b":["x"]}]}`, `{"a":1,"b":"y"}`, false},

		// Structure.
		{"top-level array event", docPatterns, `{"a":["x"]}`, `[{"a":"x"}]`, true},
		{"repeated key: last one wins", engineReadme, `{"a":["x"],"a":["y"]}`, `{"a":"x"}`, false},
		{"exactly operator", engineReadme, `{"a":[{"exactly":"x"}]}`, `{"a":"x"}`, true},
	}
	runMatchCases(t, cases)
}

// An event that is not JSON matches nothing, not even a pattern of absences.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
func TestMatchInvalidEvent(t *testing.T) {
	t.Parallel()
	p := pattern.MustCompile(`{"a":[{"exists":false}]}`)
	assert.False(t, p.Match([]byte(`{"a":`)))
	_, err := pattern.ParseEvent([]byte(`{"a":`))
	assert.Error(t, err)
}

// MatchesAny is true when one pattern of several matches.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
func TestMatchesAny(t *testing.T) {
	t.Parallel()
	ps := []*pattern.Pattern{
		pattern.MustCompile(`{"source":["aws.s3"]}`),
		pattern.MustCompile(`{"source":["aws.ec2"]}`),
	}
	ev, err := pattern.ParseEvent([]byte(ec2Event))
	require.NoError(t, err)
	assert.True(t, pattern.MatchesAny(ps, ev))
	assert.False(t, pattern.MatchesAny(ps[:1], ev))
	assert.Equal(t, `{"source":["aws.s3"]}`, ps[0].String())
}
