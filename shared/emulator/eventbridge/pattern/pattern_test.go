package pattern_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
)

// Documentation pages the cases come from.
const (
	docPatterns  = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html"
	docOperators = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html"
	docFiltering = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html"
	docArrays    = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html"
	docNulls     = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html"
	docPractices = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-patterns-best-practices.html"
	engineReadme = "https://github.com/aws/event-ruler/blob/main/README.md"
)

// ec2Event is the example event of docPatterns.
const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}
}`

// rulerEvent is the example event of the engine's README, which the guide's content
// filtering examples are written against.
const rulerEvent = `{
  "version": "0",
  "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "012345679012",
  "time": "2017-10-02T16:24:49Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {
    "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000", "state": "running"
  }
}`

type matchCase struct {
	name    string
	doc     string
	pattern string
	event   string
	want    bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := pattern.Compile([]byte(tt.pattern))
			require.NoError(t, err, "pattern from %s", tt.doc)
			assert.Equal(t, tt.want, p.Match([]byte(tt.event)), "pattern %s\nevent %s\n(%s)", tt.pattern, tt.event, tt.doc)

			// The decoded forms agree with the byte form.
			ev, err := pattern.ParseEvent([]byte(tt.event))
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.MatchValue(ev), "json.Number event")
			var f any
			require.NoError(t, json.Unmarshal([]byte(tt.event), &f))
			assert.Equal(t, tt.want, p.MatchValue(f), "float64 event")
		})
	}
}

// TestDocumentedExamples has one case per example in the EventBridge user guide.
func TestDocumentedExamples(t *testing.T) {
	t.Parallel()
	cases := []matchCase{
		// docPatterns: creating event patterns.
		{"ec2 termination pattern", docPatterns, `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`, ec2Event, true},
		{"ec2 termination pattern other state", docPatterns, `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["running"]}}`, ec2Event, false},
		{"fields not in the pattern are ignored", docPatterns, `{"source":["aws.ec2"]}`, ec2Event, true},
		{"every pattern field must be in the event", docPatterns, `{"source":["aws.ec2"],"detail":{"missing":["x"]}}`, ec2Event, false},
		{"nesting must agree", docPatterns, `{"state":["terminated"]}`, ec2Event, false},
		{"value in a list of values", docPatterns, `{"detail":{"state":["running","terminated"]}}`, ec2Event, true},
		{"matching is case sensitive", docPatterns, `{"source":["AWS.EC2"]}`, ec2Event, false},
		{"a number value", docPatterns, `{"detail":{"count":[5]}}`, `{"detail":{"count":5}}`, true},
		{"a boolean value", docPatterns, `{"detail":{"ok":[true]}}`, `{"detail":{"ok":true}}`, true},
		{"boolean is not its string", docPatterns, `{"detail":{"ok":[true]}}`, `{"detail":{"ok":"true"}}`, false},
		{"number is not its string", docPatterns, `{"detail":{"count":[5]}}`, `{"detail":{"count":"5"}}`, false},

		// docArrays: arrays.
		{"pattern array meets event array", docArrays, `{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f","arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f","arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}`,
			`{"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate","arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, true},
		{"empty intersection", docArrays, `{"resources":["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}`,
			`{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, false},

		// docNulls: null values and empty strings.
		{"null matches null", docNulls, `{"detail":{"responseElements":[null]}}`, `{"detail":{"eventVersion":"","responseElements":null}}`, true},
		{"empty string matches empty string", docNulls, `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":"","responseElements":null}}`, true},
		{"null does not match empty string", docNulls, `{"detail":{"eventVersion":[null]}}`, `{"detail":{"eventVersion":"","responseElements":null}}`, false},
		{"empty string does not match null", docNulls, `{"detail":{"responseElements":[""]}}`, `{"detail":{"eventVersion":"","responseElements":null}}`, false},
		{"null does not match a missing field", docNulls, `{"detail":{"other":[null]}}`, `{"detail":{"eventVersion":""}}`, false},

		// docOperators: the summary table.
		{"and", docOperators, `{"Location":["New York"],"Day":["Monday"]}`, `{"Location":"New York","Day":"Monday"}`, true},
		{"and one wrong", docOperators, `{"Location":["New York"],"Day":["Monday"]}`, `{"Location":"New York","Day":"Tuesday"}`, false},
		{"empty", docOperators, `{"LastName":[""]}`, `{"LastName":""}`, true},
		{"equals", docOperators, `{"Name":["Alice"]}`, `{"Name":"Alice"}`, true},
		{"equals ignore case", docOperators, `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"Alice"}`, true},
		{"equals ignore case other name", docOperators, `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"Alicia"}`, false},
		{"ends with", docOperators, `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.png"}`, true},
		{"ends with not", docOperators, `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.PNG"}`, false},
		{"ends with ignore case", docOperators, `{"service":[{"suffix":{"equals-ignore-case":"tBridge"}}]}`, `{"service":"EventBRIDGE"}`, true},
		{"exists", docOperators, `{"ProductName":[{"exists":true}]}`, `{"ProductName":"Cake"}`, true},
		{"exists missing", docOperators, `{"ProductName":[{"exists":true}]}`, `{"Product":"Cake"}`, false},
		{"does not exist", docOperators, `{"ProductName":[{"exists":false}]}`, `{"Product":"Cake"}`, true},
		{"does not exist present", docOperators, `{"ProductName":[{"exists":false}]}`, `{"ProductName":"Cake"}`, false},
		{"not", docOperators, `{"Weather":[{"anything-but":["Raining"]}]}`, `{"Weather":"Sunny"}`, true},
		{"not raining", docOperators, `{"Weather":[{"anything-but":["Raining"]}]}`, `{"Weather":"Raining"}`, false},
		{"null", docOperators, `{"UserID":[null]}`, `{"UserID":null}`, true},
		{"number", docOperators, `{"Price":[100]}`, `{"Price":100}`, true},
		{"number range", docOperators, `{"Price":[{"numeric":[">",10,"<=",20]}]}`, `{"Price":20}`, true},
		{"number range low end open", docOperators, `{"Price":[{"numeric":[">",10,"<=",20]}]}`, `{"Price":10}`, false},
		{"or in values", docOperators, `{"PaymentType":["Credit","Debit"]}`, `{"PaymentType":"Debit"}`, true},
		{"or across fields", docOperators, `{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}`, `{"Location":"Boston","Day":"Monday"}`, true},
		{"or across fields neither", docOperators, `{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}`, `{"Location":"Boston","Day":"Friday"}`, false},
		{"wildcard in folder", docOperators, `{"FileName":[{"wildcard":"dir/*.png"}]}`, `{"FileName":"dir/cake.png"}`, true},
		{"wildcard other folder", docOperators, `{"FileName":[{"wildcard":"dir/*.png"}]}`, `{"FileName":"other/cake.png"}`, false},

		// docOperators: prefix matching.
		{"prefix", docOperators, `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-02T18:43:48Z"}`, true},
		{"prefix other day", docOperators, `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-03T18:43:48Z"}`, false},
		{"prefix ignore case EventB", docOperators, `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EventBridge"}}`, true},
		{"prefix ignore case EVENTB", docOperators, `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EVENTBRIDGE"}}`, true},
		{"prefix ignore case eventb", docOperators, `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"eventbus"}}`, true},
		{"prefix ignore case other", docOperators, `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"Event"}}`, false},
		{"region in the US", docOperators, `{"Region":[{"prefix":"us-"}]}`, `{"Region":"us-east-1"}`, true},

		// docOperators: suffix matching.
		{"suffix FileName", docOperators, `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"cake.png"}`, true},
		{"suffix ignore case .PNG", docOperators, `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"CAKE.PNG"}}`, true},
		{"suffix ignore case .jpg", docOperators, `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"cake.jpg"}}`, false},

		// docOperators: anything-but matching.
		{"anything-but string", docOperators, `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but string excluded", docOperators, `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":"initializing"}}`, false},
		{"anything-but number", docOperators, `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":124}}`, true},
		{"anything-but number excluded", docOperators, `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":123}}`, false},
		{"anything-but string list", docOperators, `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but string list excluded", docOperators, `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"overloaded"}}`, false},
		{"anything-but number list", docOperators, `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":150}}`, true},
		{"anything-but number list excluded", docOperators, `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":200}}`, false},
		{"anything-but prefix", docOperators, `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but prefix excluded", docOperators, `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"initializing"}}`, false},
		{"anything-but prefix list", docOperators, `{"detail":{"state":[{"anything-but":{"prefix":["init","error"]}}]}}`, `{"detail":{"state":"error-42"}}`, false},
		{"anything-but suffix", docOperators, `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"cake.png"}}`, true},
		{"anything-but suffix excluded", docOperators, `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"notes.txt"}}`, false},
		{"anything-but suffix list", docOperators, `{"detail":{"FileName":[{"anything-but":{"suffix":[".txt",".md"]}}]}}`, `{"detail":{"FileName":"README.md"}}`, false},
		{"anything-but ignore case", docOperators, `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}}`, `{"detail":{"state":"INITIALIZING"}}`, false},
		{"anything-but ignore case other", docOperators, `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but ignore case list", docOperators, `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["initializing","stopped"]}}]}}`, `{"detail":{"state":"Stopped"}}`, false},
		{"anything-but wildcard", docOperators, `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/bin/cake"}}`, true},
		{"anything-but wildcard excluded", docOperators, `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/lib/cake.so"}}`, false},
		{"anything-but wildcard list", docOperators, `{"detail":{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}]}}`, `{"detail":{"FilePath":"/usr/bin/cake"}}`, false},

		// docOperators: numeric matching.
		{"numeric example", docOperators, `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, rulerEvent, true},
		{"numeric example one out", docOperators, `{"detail":{"c-count":[{"numeric":[">",0,"<=",4]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, rulerEvent, false},

		// docOperators: IP address matching.
		{"cidr ipv4", docOperators, `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.0.24"}}`, true},
		{"cidr ipv4 outside", docOperators, `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.1.1"}}`, false},
		{"cidr ipv6", docOperators, `{"detail":{"sourceIPAddress":[{"cidr":"bc98:f8e9:cc1d::/48"}]}}`, `{"detail":{"sourceIPAddress":"bc98:f8e9:cc1d:0:1::7"}}`, true},
		{"cidr ipv6 outside", docOperators, `{"detail":{"sourceIPAddress":[{"cidr":"bc98:f8e9:cc1d::/48"}]}}`, `{"detail":{"sourceIPAddress":"bc98:f8e9:cc1e::1"}}`, false},

		// docOperators: exists matching.
		{"exists false absent", docOperators, `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail-type":"EC2 Instance State-change Notification","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],"detail":{"state":["initializing","running"]}}`, true},
		{"exists false on a non-leaf", docOperators, `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail-type":"EC2 Instance State-change Notification","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],"detail":{"state":["initializing","running"],"c-count":{"c1":100}}}`, true},
		{"exists true", docOperators, `{"detail":{"state":[{"exists":true}]}}`, ec2Event, true},
		{"exists true on a non-leaf", docOperators, `{"detail":{"c-count":[{"exists":true}]}}`, `{"detail":{"c-count":{"c1":100}}}`, false},

		// docOperators: wildcard matching.
		{"wildcard event bus", docOperators, `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/orders"}`, true},
		{"wildcard event bus other region", docOperators, `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:eu-west-1:123456789012:event-bus/orders"}`, false},
		{"wildcard matches nothing", docOperators, `{"Name":[{"wildcard":"cake*"}]}`, `{"Name":"cake"}`, true},
		{"wildcard middle", docOperators, `{"Title":[{"wildcard":"*Title*"}]}`, `{"Title":"The Title Page"}`, true},
		{"escaped asterisk is literal", docOperators, `{"Name":[{"wildcard":"a\\*b"}]}`, `{"Name":"a*b"}`, true},
		{"escaped asterisk is not a wildcard", docOperators, `{"Name":[{"wildcard":"a\\*b"}]}`, `{"Name":"axxb"}`, false},
		{"escaped backslash", docOperators, `{"Name":[{"wildcard":"a\\\\*"}]}`, `{"Name":"a\\bc"}`, true},

		// docOperators: $or matching.
		{"or numeric", docOperators, `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}`, `{"detail":{"c-count":50,"d-count":50,"x-limit":301.8}}`, true},
		{"or numeric none", docOperators, `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}`, `{"detail":{"c-count":50,"d-count":50,"x-limit":1}}`, false},
		{"or with and", docOperators, `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.cloudwatch","namespace":"AWS/ES"}`, true},
		{"or with and wrong source", docOperators, `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.ec2","namespace":"AWS/ES"}`, false},

		// docFiltering: complex example with multiple matching.
		{"complex example", docFiltering, `{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}]}}`, rulerEvent, true},
		{"complex example with cidr", engineReadme, `{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}],"source-ip":[{"cidr":"10.0.0.0/8"}]}}`, rulerEvent, true},

		// docPractices: specific patterns over broad ones.
		{"anything-but source catches others", docPractices, `{"source":[{"anything-but":["aws.ec2"]}]}`, `{"source":"com.emilys.orders"}`, true},
	}
	runMatchCases(t, cases)
}
