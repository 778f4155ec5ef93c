package vtl

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Documentation pages the cases come from.
const (
	refPage      = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html"
	examplesPage = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-variable-examples.html"
	modelsPage   = "https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html"
	photosPage   = "https://docs.aws.amazon.com/apigateway/latest/developerguide/example-photos.html"
	overridePage = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html"
	knownIssues  = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html"
	velocity     = "https://velocity.apache.org/engine/1.7/user-guide.html"
	velocityVTL  = "https://velocity.apache.org/engine/1.7/vtl-reference.html"
)

const petsBody = `[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}]`

const photosBody = `{"photos":{"page":1,"pages":"1234","perpage":100,"total":"123398","photo":[
{"id":"12345678901","owner":"23456789@A12","secret":"abc123d456","server":"1234","farm":1,"title":"Sample photo 1","ispublic":1,"isfriend":0,"isfamily":0},
{"id":"23456789012","owner":"34567890@B23","secret":"bcd234e567","server":"2345","farm":2,"title":"Sample photo 2","ispublic":1,"isfriend":0,"isfamily":0}]}}`

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string // the page the behaviour comes from
		tpl  string
		in   Input
		want string
	}{
		// $input, from the mapping template reference.
		{"input body raw", refPage, `$input.body`, Input{Body: `{"a": 1}`}, `{"a": 1}`},
		{"input json root", refPage, `$input.json('$')`, Input{Body: `{"a": 1, "b": [true, null]}`}, `{"a":1,"b":[true,null]}`},
		{"input json sub object", refPage, `$input.json('$.pets')`, Input{Body: `{"pets":[{"id":1}]}`}, `[{"id":1}]`},
		{"input json string is quoted", refPage, `$input.json('$.name')`, Input{Body: `{"name":"Mr \"B\""}`}, `"Mr \"B\""`},
		{"input json number", refPage, `$input.json('$.price')`, Input{Body: `{"price":249.99}`}, `249.99`},
		{"input json missing is null", refPage, `$input.json('$.nope')`, Input{Body: `{}`}, `null`},
		{"input path scalar", refPage, `$input.path('$.name')`, Input{Body: `{"name":"croissant"}`}, `croissant`},
		{"input path size of map", refPage, `$input.path('$.things').size()`, Input{Body: `{"things":{"1":{},"2":{},"3":{}}}`}, `3`},
		{"input path size of list", refPage, `$input.path('$.pets').size()`, Input{Body: `{"pets":[1,2,3]}`}, `3`},
		{"input path get", refPage, `$input.path('$.pets').get(1).type`, Input{Body: `{"pets":[{"type":"dog"},{"type":"cat"}]}`}, `cat`},
		{"input path index", refPage, `$input.path('$.pets')[0].type`, Input{Body: `{"pets":[{"type":"dog"}]}`}, `dog`},
		{"input path bracket key", refPage, `$input.path("$['odd key']")`, Input{Body: `{"odd key":"v"}`}, `v`},
		{"input path map renders as Java map", refPage, `$input.path('$')`, Input{Body: `{"a":"x","b":2}`}, `{a=x, b=2}`},
		{"input path list renders as JSON", refPage, `$input.path('$.l')`, Input{Body: `{"l":["a",{"b":1}]}`}, `["a",{"b":1}]`},
		{"input path list inside map", refPage, `$input.path('$')`, Input{Body: `{"a":1,"b":[{"c":5}]}`}, `{a=1, b=[{"c":5}]}`},
		{"input path wildcard", refPage, `$input.json('$.pets[*].id')`, Input{Body: `{"pets":[{"id":1},{"id":2}]}`}, `[1,2]`},
		{"input path deep scan", refPage, `$input.json('$..id')`, Input{Body: `{"a":{"id":1},"b":[{"id":2}]}`}, `[1,2]`},
		{"input path negative index", refPage, `$input.path('$.l[-1]')`, Input{Body: `{"l":[1,2,3]}`}, `3`},
		{"input path missing renders literally", refPage, `$input.path('$.nope')`, Input{Body: `{}`}, `$input.path('$.nope')`},
		{"input path missing quiet", refPage, `$!input.path('$.nope')`, Input{Body: `{}`}, ``},
		{"empty body is {}", "https://github.com/localstack/localstack/pull/12413", `$input.body|$input.json('$')`, Input{}, `{}|{}`},
		{"non-JSON body reads as a string", "https://stackoverflow.com/questions/77909018", `$input.path('$').split('&').size()`, Input{Body: `a=1&b=2`}, `2`},
		{"params by name path first", refPage, `$input.params('id')`, Input{Path: map[string]string{"id": "p"}, QueryString: map[string]string{"id": "q"}, Headers: map[string]string{"id": "h"}}, `p`},
		{"params by name querystring second", refPage, `$input.params('id')`, Input{QueryString: map[string]string{"id": "q"}, Headers: map[string]string{"id": "h"}}, `q`},
		{"params by name header last", refPage, `$input.params('id')`, Input{Headers: map[string]string{"id": "h"}}, `h`},
		{"params missing is empty", refPage, `"$input.params('name')"`, Input{}, `""`},
		{"params headers are case-sensitive", knownIssues, `[$input.params('x-a')]`, Input{Headers: map[string]string{"X-A": "1"}}, `[]`},
		{"params map parts", refPage, `$input.params().querystring`, Input{QueryString: map[string]string{"fields": "id", "b": "c"}}, `{b=c, fields=id}`},
		{"params header get", refPage, `$input.params().header.get('Accept')`, Input{Headers: map[string]string{"Accept": "application/json"}}, `application/json`},
		{"params keySet", refPage, `$input.params().keySet()`, Input{}, `[path, querystring, header]`},
		{"doc example with three functions", refPage,
			"{\n    \"id\" : \"$input.params('id')\",\n    \"count\" : \"$input.path('$.things').size()\",\n    \"things\" : $util.escapeJavaScript($input.json('$.things'))\n}",
			Input{Path: map[string]string{"id": "abc"}, Body: `{"things":{"1":{},"2":{},"3":{}}}`},
			"{\n    \"id\" : \"abc\",\n    \"count\" : \"3\",\n    \"things\" : {\\\"1\\\":{},\\\"2\\\":{},\\\"3\\\":{}}\n}"},
		{"doc example name and body", refPage, "{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$') \n}",
			Input{QueryString: map[string]string{"name": "me"}, Body: `{"x":1}`}, "{\n    \"name\" : \"me\",\n    \"body\" : {\"x\":1} \n}"},
		{"all params example", refPage + "#input-examples-mapping-templates",
			"#set($allParams = $input.params())\n{\n  \"params\" : {\n    #foreach($type in $allParams.keySet())\n    #set($params = $allParams.get($type))\n    \"$type\" : {\n      #foreach($paramName in $params.keySet())\n      \"$paramName\" : \"$util.escapeJavaScript($params.get($paramName))\"\n      #if($foreach.hasNext),#end\n      #end\n    }\n    #if($foreach.hasNext),#end\n    #end\n  }\n}",
			Input{Path: map[string]string{"id": "1"}, QueryString: map[string]string{"q": "it's"}, Headers: map[string]string{"H": "v"}},
			// Indentation before #foreach, #if and #end is kept; only #set swallows its own.
			"{\n  \"params\" : {\n        \"path\" : {\n            \"id\" : \"1\"\n                }\n    ,        \"querystring\" : {\n            \"q\" : \"it\\'s\"\n                }\n    ,        \"header\" : {\n            \"H\" : \"v\"\n                }\n          }\n}"},

		// $util.
		{"escapeJavaScript quotes", refPage, `$util.escapeJavaScript("it's ""x""")`, Input{}, `it\'s \"x\"`},
		{"escapeJavaScript with replaceAll for JSON", refPage, `$util.escapeJavaScript("it's").replaceAll("\\'","'")`, Input{}, `it's`},
		{"escapeJavaScript control and slash", refPage, `$util.escapeJavaScript($input.path('$.s'))`, Input{Body: `{"s":"a/b\n\t\\"}`}, `a\/b\n\t\\`},
		{"escapeJavaScript non-ASCII", refPage, `$util.escapeJavaScript("café €")`, Input{}, `caf\u00E9 \u20AC`},
		{"parseJson nested index", refPage,
			"#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))\n{\n   \"errorMessageObjKey2ArrVal\" : $errorMessageObj.key2.arr[0]\n}",
			Input{Body: `{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}`}, "{\n   \"errorMessageObjKey2ArrVal\" : 1\n}"},
		{"urlEncode", refPage, `$util.urlEncode("a b&c=d/é*~")`, Input{}, `a+b%26c%3Dd%2F%C3%A9*%7E`},
		{"urlDecode", refPage, `$util.urlDecode("a+b%26c")`, Input{}, `a b&c`},
		{"base64Encode", refPage, `$util.base64Encode("hello")`, Input{}, `aGVsbG8=`},
		{"base64Decode", refPage, `$util.base64Decode("aGVsbG8=")`, Input{}, `hello`},
		{"unknown util function renders literally", "https://repost.aws/questions/QUd8ArVQaaReyZv3nmigFDGQ", `$util.hmac("x")`, Input{}, `$util.hmac("x")`},

		// $context and $stageVariables.
		{"context variables example", examplesPage, `{"stage" : "$context.stage", "request_id" : "$context.requestId", "source_ip" : "$context.identity.sourceIp"}`,
			Input{Context: map[string]any{"stage": "prod", "requestId": "abcdefg-000", "identity": map[string]any{"sourceIp": "192.0.2.1"}}},
			`{"stage" : "prod", "request_id" : "abcdefg-000", "source_ip" : "192.0.2.1"}`},
		{"context dotted keys", examplesPage, `$context.identity.sourceIp $context.authorizer.principalId`,
			Input{Context: map[string]any{"identity.sourceIp": "192.0.2.1", "authorizer.principalId": "u1"}}, `192.0.2.1 u1`},
		{"context epoch number", refPage, `$context.requestTimeEpoch`, Input{Context: map[string]any{"requestTimeEpoch": int64(1700000000000)}}, `1700000000000`},
		{"context undefined renders literally", refPage, `$context.apiKey`, Input{}, `$context.apiKey`},
		{"gateway response error", refPage, `{"message":$context.error.messageString,"type":"$context.error.responseType"}`,
			Input{Context: map[string]any{"error": map[string]any{"messageString": `"Missing Authentication Token"`, "responseType": "MISSING_AUTHENTICATION_TOKEN"}}},
			`{"message":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN"}`},
		{"stage variable dot", refPage, `$stageVariables.tableName`, Input{StageVariables: map[string]string{"tableName": "orders"}}, `orders`},
		{"stage variable bracket", refPage, `$stageVariables['tableName']`, Input{StageVariables: map[string]string{"tableName": "orders"}}, `orders`},
		{"stage variable formal bracket", refPage, `${stageVariables['tableName']}-x`, Input{StageVariables: map[string]string{"tableName": "orders"}}, `orders-x`},

		// Examples from the models and mapping templates pages.
		{"petstore example", modelsPage,
			"#set($inputRoot = $input.path('$'))\n[\n#foreach($elem in $inputRoot)\n  {\n    \"description\" : \"Item $elem.id is a $elem.type.\",\n    \"askingPrice\" : $elem.price\n  }#if($foreach.hasNext),#end\n\n#end\n]",
			Input{Body: petsBody},
			"[\n  {\n    \"description\" : \"Item 1 is a dog.\",\n    \"askingPrice\" : 249.99\n  },\n  {\n    \"description\" : \"Item 2 is a cat.\",\n    \"askingPrice\" : 124.99\n  },\n  {\n    \"description\" : \"Item 3 is a fish.\",\n    \"askingPrice\" : 0.99\n  }\n]"},
		{"photos output template", photosPage,
			"#set($inputRoot = $input.path('$'))\n{\n  \"photos\": [\n#foreach($elem in $inputRoot.photos.photo)\n    {\n      \"id\": \"$elem.id\",\n      \"title\": \"$elem.title\",\n      \"ispublic\": $elem.ispublic\n    }#if($foreach.hasNext),#end\n\t\t\n#end\n  ]\n}",
			Input{Body: photosBody},
			// #end swallows the line break after it, so the tabs of the blank line follow the comma.
			"{\n  \"photos\": [\n    {\n      \"id\": \"12345678901\",\n      \"title\": \"Sample photo 1\",\n      \"ispublic\": 1\n    },\t\t\n    {\n      \"id\": \"23456789012\",\n      \"title\": \"Sample photo 2\",\n      \"ispublic\": 1\n    }\t\t\n  ]\n}"},
		{"photos input template numbers and strings", photosPage,
			"#set($inputRoot = $input.path('$'))\n\"page\": $inputRoot.photos.page, \"pages\": \"$inputRoot.photos.pages\", \"perpage\": $inputRoot.photos.perpage",
			Input{Body: photosBody}, `"page": 1, "pages": "1234", "perpage": 100`},
		{"response template for a backend answer", modelsPage, `#set($r = $input.path('$'))$r.message`,
			Input{Body: `{"message":"request"}`, Response: &IntegrationResponse{Body: `{"message":"from backend"}`, StatusCode: 200}}, `from backend`},
		{"override example contains error", overridePage, "#set($inputRoot = $input.path('$'))\n#if($inputRoot.toString().contains(\"error\"))yes#end",
			Input{Body: `{"errors":[{"key":"GetPetRequest.petId","message":"The value is out of range."}]}`}, `yes`},

		// Velocity references.
		{"undefined reference renders literally", velocity, `Hello $name!`, Input{}, `Hello $name!`},
		{"quiet reference", velocity, `Hello $!name!`, Input{}, `Hello !`},
		{"formal reference", velocity, `#set($a = "x")${a}y`, Input{}, `xy`},
		{"quiet formal reference", velocity, `[$!{nope}]`, Input{}, `[]`},
		{"undefined method chain renders whole", velocity, `$nope.foo("a", 1)`, Input{}, `$nope.foo("a", 1)`},
		{"dollar without name is text", velocity, `cost: $5 and $`, Input{}, `cost: $5 and $`},
		{"escaped defined reference", velocity, `#set($email = "foo")\$email`, Input{}, `$email`},
		{"escaped undefined reference", velocity, `\$email`, Input{}, `\$email`},
		{"double escape prints value", velocity, `#set($email = "foo")\\$email`, Input{}, `\foo`},
		{"escaped directive", velocity, `\#if`, Input{}, `#if`},
		{"identifier may contain hyphen", velocity, `#set($a-b = 1)$a-b`, Input{}, `1`},
		{"property stops at dot before non-letter", velocity, `#set($a = "x")$a.`, Input{}, `x.`},
		{"email-like text", velocity, `#set($u = "ann")$u@example.com`, Input{}, `ann@example.com`},

		// Velocity directives.
		{"set string and interpolate", velocity, `#set($a = "x")#set($b = "$a-y")$b`, Input{}, `$a-y`},
		{"set interpolate formal", velocity, `#set($a = "x")#set($b = "${a}-y")$b`, Input{}, `x-y`},
		{"single quotes do not interpolate", velocity, `#set($a = "x")#set($b = '$a')$b`, Input{}, `$a`},
		{"doubled quote in string", velocity, `#set($a = "say ""hi""")$a`, Input{}, `say "hi"`},
		{"set null leaves variable unchanged", velocity, `#set($a = "keep")#set($a = $nope)$a`, Input{}, `keep`},
		{"set null from map get", velocity, `#set($m = {})#set($a = 1)#set($a = $m.get("x"))$a`, Input{}, `1`},
		{"set eats leading spaces and line break", velocity, "a\n   #set($x = 1)\nb$x", Input{}, "a\nb1"},
		{"if else", velocity, `#if(false)a#elseif(true)b#else c#end`, Input{}, `b`},
		{"if eats line breaks", velocity, "#if(true)\nyes\n#end\ndone", Input{}, "yes\ndone"},
		{"else branch", velocity, "#if($nope)\nA\n#else\nB\n#end", Input{}, "B\n"},
		{"braced directives", velocity, `#{if}(true)x#{else}y#{end}z`, Input{}, `xz`},
		{"empty string is true in 1.7", velocityVTL, `#if("")t#{else}f#end`, Input{}, `t`},
		{"null is false", velocity, `#if($nope)t#{else}f#end`, Input{}, `f`},
		{"foreach list", velocity, `#foreach($i in [1, 2, 3])$i#if($foreach.hasNext),#end#end`, Input{}, `1,2,3`},
		{"foreach index count", velocity, `#foreach($i in ["a", "b"])$foreach.index:$foreach.count:$velocityCount #end`, Input{}, `0:1:1 1:2:2 `},
		{"foreach first last", velocity, `#foreach($i in [1, 2])${foreach.first}-$foreach.last #end`, Input{}, `true-false false-true `},
		// Velocity 1.7 identifiers take '-', so "first-" is the property's name.
		{"hyphen joins the property name", velocity, `#foreach($i in [1])$foreach.first-x#end`, Input{}, `$foreach.first-x`},
		{"foreach map iterates values", velocity, `#foreach($v in {"a": 1, "b": 2})$v#end`, Input{}, `12`},
		{"foreach entrySet", velocity, `#set($m = {"a": 1, "b": 2})#foreach($e in $m.entrySet())$e.key=$e.value;#end`, Input{}, `a=1;b=2;`},
		{"foreach range", velocity, `#foreach($i in [1..3])$i#end`, Input{}, `123`},
		{"foreach descending range", velocity, `#foreach($i in [3..1])$i#end`, Input{}, `321`},
		{"foreach break", velocity, `#foreach($i in [1..5])#if($i == 3)#break#end$i#end`, Input{}, `12`},
		{"foreach nested parent", velocity, `#foreach($a in [1,2])#foreach($b in [1])$foreach.parent.index#end#end`, Input{}, `01`},
		{"foreach restores variable", velocity, `#set($i = "x")#foreach($i in [1])#end$i`, Input{}, `x`},
		{"foreach over null skips", velocity, `#foreach($i in $nope)x#end.`, Input{}, `.`},
		{"stop", velocity, `a#stop b`, Input{}, `a`},
		{"define block", velocity, `#define($greet)Hi $who#end#set($who = "Ann")$greet`, Input{}, `Hi Ann`},
		{"macro", velocity, "#macro(tag $n $v)<$n>$v</$n>#end\n#tag(\"b\" \"x\")", Input{}, `<b>x</b>`},
		{"macro with commas", velocity, `#macro(sum $a $b)#set($s = $a + $b)$s#end#sum(2, 3)`, Input{}, `5`},
		{"unknown macro call is text", velocity, `#nothing(1)`, Input{}, `#nothing(1)`},
		{"hash without directive is text", velocity, `# heading #1 #`, Input{}, `# heading #1 #`},
		{"line comment eats line", velocity, "a## comment\nb", Input{}, "ab"},
		{"block comment", velocity, `a#* x *#b`, Input{}, `ab`},
		{"text block is literal", velocity, `#[[$a #if]]#`, Input{}, `$a #if`},

		// Velocity operators.
		{"integer arithmetic", velocity, `#set($a = 7 + 3 * 2 - 1)$a`, Input{}, `12`},
		{"integer division truncates", velocity, `#set($a = 7 / 2)$a`, Input{}, `3`},
		{"modulo", velocity, `#set($a = 7 % 3)$a`, Input{}, `1`},
		{"double arithmetic", velocity, `#set($a = 1.5 * 2)$a`, Input{}, `3.0`},
		{"division by zero is null", velocity, `#set($a = 1)#set($a = 1 / 0)$a`, Input{}, `1`},
		{"parentheses", velocity, `#set($a = (1 + 2) * 3)$a`, Input{}, `9`},
		{"negative literal", velocity, `#set($a = -4 + 1)$a`, Input{}, `-3`},
		{"string concatenation with plus", velocity, `#set($a = "n" + 1)$a`, Input{}, `n1`},
		{"comparison", velocity, `#if(2 > 1 && 1 <= 1 && 1 != 2 && !(1 == 2))ok#end`, Input{}, `ok`},
		{"word operators", velocity, `#if(2 gt 1 and not false or false)ok#end`, Input{}, `ok`},
		{"eq ne lt ge le", velocity, `#if(1 eq 1 && 1 ne 2 && 1 lt 2 && 2 ge 2 && 2 le 3)ok#end`, Input{}, `ok`},
		{"int equals double", velocity, `#if(1 == 1.0)ok#end`, Input{}, `ok`},
		{"different types compare toString", velocity, `#if("1" == 1)ok#end`, Input{}, `ok`},
		{"string equality", velocity, `#if("a" == "a" && "a" != "b")ok#end`, Input{}, `ok`},
		{"null equals null", velocity, `#if($a == $b)ok#end`, Input{}, `ok`},
		{"json number compare", velocity, `#if($input.path('$.n') > 10)big#end`, Input{Body: `{"n": 11}`}, `big`},
		{"double from JSON keeps .0", velocity, `$input.path('$.n')`, Input{Body: `{"n": 1.0}`}, `1.0`},
		{"large double uses exponent", velocity, `$input.path('$.n')`, Input{Body: `{"n": 12345678.9}`}, `1.23456789E7`},

		// Java methods.
		{"string methods", velocity, `#set($s = " Ab,c ")$s.trim().toLowerCase() $s.length() $s.contains("b,") $s.indexOf("c")`, Input{}, `ab,c 6 true 4`},
		{"substring", velocity, `#set($s = "croissant")$s.substring(1, 4) $s.substring(5)`, Input{}, `roi sant`},
		{"startsWith endsWith", velocity, `#set($s = "croissant")$s.startsWith("cro") $s.endsWith("x")`, Input{}, `true false`},
		{"replace and replaceAll", velocity, `#set($s = "a.b.c")$s.replace(".", "-") $s.replaceAll("[.]", "") $s.replaceAll("(a)", "<$1>")`, Input{}, `a-b-c abc <a>.b.c`},
		{"split and index", velocity, `#set($p = "a,b,,")#set($l = $p.split(","))$l.size() $l[1] $l`, Input{}, `2 b [a, b]`},
		{"matches", velocity, `#set($s = "abc123")$s.matches("[a-z]+\d+") $s.matches("\d+")`, Input{}, `true false`},
		{"equals and isEmpty", velocity, `#set($s = "")$s.isEmpty() $s.empty "x".equals("x") "x".equalsIgnoreCase("X")`, Input{}, `true true "x".equals("x") "x".equalsIgnoreCase("X")`},
		{"unicode length counts UTF-16", velocity, `#set($s = "é😀")$s.length()`, Input{}, `3`},
		{"list methods", velocity, `#set($l = [1, "two"])#set($ok = $l.add(3))$l.size() $l.get(1) $l.contains(3) $l.isEmpty() $l`, Input{}, `3 two true false [1, two, 3]`},
		{"list add renders true", velocity, `#set($l = [])$l.add("x")`, Input{}, `true`},
		{"map methods", velocity, `#set($m = {"a": 1})#set($x = $m.put("b", [2]))$m.size() $m.containsKey("b") $m.keySet() $m.values() $m`, Input{}, `2 true [a, b] [1, [2]] {a=1, b=[2]}`},
		{"map property and bracket", velocity, `#set($m = {"k": "v"})$m.k $m["k"] $m.get("k")`, Input{}, `v v v`},
		{"set map property", velocity, `#set($m = {})#set($m.k = "v")$m`, Input{}, `{k=v}`},
		{"integer methods", velocity, `#set($n = 5)$n.toString() $n.doubleValue()`, Input{}, `5 5.0`},
		{"unknown method renders literally", velocity, `#set($s = "x")$s.frobnicate()`, Input{}, `$s.frobnicate()`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := Parse(tt.name, tt.tpl)
			require.NoError(t, err, tt.doc)
			out, err := tpl.Render(tt.in)
			require.NoError(t, err, tt.doc)
			assert.Equal(t, tt.want, out.Body, tt.doc)
		})
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
	tests := []struct {
		name    string
		tpl     string
		in      Input
		wantReq RequestOverride
		wantRes ResponseOverride
		wantErr string
	}{
		{
			name: "request header override from two headers",
			tpl: "#set($header1Override = \"foo\")\n#set($header3Value = \"$input.params('header1')$input.params('header2')\")\n" +
				"$input.json(\"$\")\n#set($context.requestOverride.header.header3 = $header3Value)\n#set($context.requestOverride.header.header1 = $header1Override)",
			in:      Input{Headers: map[string]string{"header1": "header1Val", "header2": "header2Val"}},
			wantReq: RequestOverride{Header: map[string]string{"header3": "header1Valheader2Val", "header1": "foo"}},
		},
		{
			name:    "status override on error",
			tpl:     "#set($inputRoot = $input.path('$'))\n$input.json(\"$\")\n#if($inputRoot.toString().contains(\"error\"))\n#set($context.responseOverride.status = 400)\n#end",
			in:      Input{Body: `{"errors":[{"message":"The value is out of range."}]}`},
			wantRes: ResponseOverride{Status: 400},
		},
		{
			name:    "querystring path and response header",
			tpl:     `#set($context.requestOverride.querystring.q = "1")#set($context.requestOverride.path.id = "7")#set($context.responseOverride.header.X-Id = "7")#set($context.responseOverride.status = "201")`,
			wantReq: RequestOverride{QueryString: map[string]string{"q": "1"}, Path: map[string]string{"id": "7"}},
			wantRes: ResponseOverride{Status: 201, Header: map[string]string{"X-Id": "7"}},
		},
		{
			name:    "overriding twice fails",
			tpl:     `#set($context.requestOverride.header.a = "1")#set($context.requestOverride.header.a = "2")`,
			wantErr: "overridden more than once",
		},
		{
			name:    "status twice fails",
			tpl:     `#set($context.responseOverride.status = 400)#set($context.responseOverride.status = 500)`,
			wantErr: "overridden more than once",
		},
		{
			name:    "request overrides of an earlier template are readable",
			tpl:     `$context.requestOverride.header.a`,
			in:      Input{RequestOverride: RequestOverride{Header: map[string]string{"a": "from request"}}},
			wantReq: RequestOverride{Header: map[string]string{"a": "from request"}},
		},
		{
			// $context is only built for a template that names it; one that does not must still
			// pass an earlier template's overrides on.
			name:    "a template without $context keeps the earlier request overrides",
			tpl:     `{"id": "$input.path('$.id')"}`,
			in:      Input{Body: `{"id": "7"}`, RequestOverride: RequestOverride{Path: map[string]string{"id": "7"}}},
			wantReq: RequestOverride{Path: map[string]string{"id": "7"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := Parse(tt.name, tt.tpl)
			require.NoError(t, err)
			out, err := tpl.Render(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				var oe *OverrideError
				assert.True(t, errors.As(err, &oe))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantReq, out.RequestOverride)
			assert.Equal(t, tt.wantRes, out.ResponseOverride)
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tpl     string
		in      Input
		wantErr string
	}{
		// Syntax errors name the line and column (Velocity's parser rejects these too:
		// https://velocity.apache.org/engine/1.7/user-guide.html).
		{"missing end", "a\n#if(true)\nb", Input{}, "t:3:2: missing #end"},
		{"unexpected end", "a\n  #end", Input{}, "t:2:3: unexpected #end"},
		{"unclosed paren", "#set($a = (1 + 2)", Input{}, "t:1:18: #set: expected ')'"},
		{"bad set", "#set(a = 1)", Input{}, "t:1:6: #set: expected a reference"},
		{"unterminated string", "\n#set($a = \"x)", Input{}, "t:2:11: unterminated string literal"},
		{"unclosed comment", "x #* y", Input{}, "t:1:3: unclosed comment"},
		{"foreach without in", "#foreach($a [1])#end", Input{}, "t:1:13: #foreach: expected \"in\""},
		{"bad method args", "$a.b(1 2)", Input{}, "t:1:8: call of b: expected , or )"},
		// Run-time errors that fail the request on AWS.
		{"substring out of range", "#set($s = \"ab\")\n$s.substring(1, 5)", Input{}, "t:2:3: substring(1, 5): index out of range"},
		{"list index out of range", "#set($l = [1])$l.get(3)", Input{}, "index out of bounds"},
		{"invalid JSON body", "$input.json('$')", Input{Body: `{"a":`}, "invalid JSON in payload"},
		{"unsupported JSONPath", "$input.json('$.a[?(@.b)]')", Input{Body: `{}`}, "unsupported JSONPath selector"},
		{"parseJson of bad JSON", "$util.parseJson('{')", Input{}, "$util.parseJson"},
		{"status not a number", "#set($context.responseOverride.status = 'abc')", Input{}, "is not a status code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := Parse("t", tt.tpl)
			if err == nil {
				_, err = tpl.Render(tt.in)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	t.Parallel()
	_, err := Parse("req", "line1\n  #foreach($x in [1])\n")
	var se *SyntaxError
	require.True(t, errors.As(err, &se))
	assert.Equal(t, "req", se.Name)
	assert.Equal(t, 3, se.Line)
}

// sfnInput is a typical POST request for the Step Functions template.
func sfnInput() Input {
	return Input{
		Body:        `{"item":"croissant","quantity":2,"note":"it's \"warm\"","tags":["a/b","é"]}`,
		Headers:     map[string]string{"Accept": "application/json", "Content-Type": "application/json", "Host": "abc.execute-api.us-east-1.amazonaws.com", "User-Agent": "curl/8.4.0", "X-Amzn-Trace-Id": "Root=1-6543-abc"},
		QueryString: map[string]string{"dryRun": "false"},
		Path:        map[string]string{"orderId": "o-42"},
		Context: map[string]any{
			"accountId": "123456789012", "apiId": "abcd1234", "httpMethod": "POST", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			"resourcePath": "/orders/{orderId}", "stage": "prod", "identity": map[string]any{"accountId": "123456789012", "sourceIp": "192.0.2.1"},
		},
	}
}

// TestStepFunctionsTemplate renders the request template CDK's StepFunctionsRestApi generates
// (aws-cdk-lib/aws-apigateway/lib/integrations/stepfunctions.vtl, with headers, query string,
// path and request context included) and checks that its "input" is the JSON the state machine
// gets, as the CDK documents for StepFunctionsRestApi:
// https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_apigateway.StepFunctionsRestApi.html
func TestStepFunctionsTemplate(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile("testdata/stepfunctions-start-sync.vtl")
	require.NoError(t, err)
	tpl, err := Parse("stepfunctions.vtl", string(text))
	require.NoError(t, err)

	out, err := tpl.Render(sfnInput())

	require.NoError(t, err)
	var req struct {
		StateMachineArn string `json:"stateMachineArn"`
		Input           string `json:"input"`
	}
	require.NoError(t, json.Unmarshal([]byte(out.Body), &req), out.Body)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:OrderFlow", req.StateMachineArn)
	var input map[string]any
	require.NoError(t, json.Unmarshal([]byte(req.Input), &input), req.Input)
	assert.Equal(t, map[string]any{
		"body":        map[string]any{"item": "croissant", "quantity": 2.0, "note": `it's "warm"`, "tags": []any{"a/b", "é"}},
		"header":      map[string]any{"Accept": "application/json", "Content-Type": "application/json", "Host": "abc.execute-api.us-east-1.amazonaws.com", "User-Agent": "curl/8.4.0", "X-Amzn-Trace-Id": "Root=1-6543-abc"},
		"querystring": map[string]any{"dryRun": "false"},
		"path":        map[string]any{"orderId": "o-42"},
		"requestContext": map[string]any{
			"accountId": "123456789012", "httpMethod": "POST", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			"resourcePath": "/orders/{orderId}", "stage": "prod",
		},
	}, input)
}

func TestTemplateIsReusable(t *testing.T) {
	t.Parallel()
	// Parse once, render many: state such as #set variables does not leak between renders.
	// https://velocity.apache.org/engine/1.7/user-guide.html
	tpl, err := Parse("t", `#if($seen)again#end#set($seen = true)$input.params('n')`)
	require.NoError(t, err)
	for _, n := range []string{"1", "2"} {
		out, err := tpl.Render(Input{QueryString: map[string]string{"n": n}})
		require.NoError(t, err)
		assert.Equal(t, n, out.Body)
	}
}

func BenchmarkStepFunctionsTemplate(b *testing.B) {
	text, err := os.ReadFile("testdata/stepfunctions-start-sync.vtl")
	require.NoError(b, err)
	tpl, err := Parse("stepfunctions.vtl", string(text))
	require.NoError(b, err)
	in := sfnInput()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestJSONScannerMatchesDecoder: the scanner for valid JSON must give what the token decoder
// gives, for every shape a backend answer can take.
func TestJSONScannerMatchesDecoder(t *testing.T) {
	t.Parallel()
	docs := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `12`, `-7`, `1.5`, `1e3`, `2E-2`, `9223372036854775807`,
		`9223372036854775808`, `true`, `false`, `null`, ` { "a" : [ 1 , 2.0 , "x" ] , "b" : { } } `,
		`{"a": 1, "a": 2}`, `{"s": "quote \" slash \/ tab \t uni \u00e9 pair \ud83e\udd50"}`,
		"{\"bad\": \"\xff\xfe\"}", `{"é": "café 🥐"}`, `[[[[]]], {"x": [null, true, false]}]`,
		`{"Item": {"id": {"S": "o-1"}, "total": {"N": "12.50"}}, "ConsumedCapacity": null}`,
		"\n\t[1,\r\n2]\n",
	}
	for _, doc := range docs {
		t.Run(doc, func(t *testing.T) {
			t.Parallel()
			require.True(t, json.Valid([]byte(doc)))
			dec := json.NewDecoder(strings.NewReader(doc))
			dec.UseNumber()
			want, err := decodeValue(dec)
			require.NoError(t, err)
			p := jsonScanner{s: doc}
			got := p.value()
			require.NoError(t, p.err)
			assert.Equal(t, want, got)
		})
	}
	// Out of a double's range: the scanner hands over, and the decoder's error is kept.
	_, err := parseJSONValue(`{"n": 1e999}`)
	assert.ErrorContains(t, err, "value out of range")
}

// More pages the cases below come from.
const (
	// The reference page as the archived developer guide repository has it; it carries the
	// $input examples ("Example Mapping Template Using $input") that the current page moved.
	refPageSource = "https://github.com/awsdocs/amazon-api-gateway-developer-guide/blob/main/doc_source/api-gateway-mapping-template-reference.md"
	jayway        = "https://github.com/json-path/JsonPath#operators" // the reference page's "JSONPath for Java"
	commonsLang   = "https://commons.apache.org/proper/commons-lang/javadocs/api-2.6/org/apache/commons/lang/StringEscapeUtils.html#escapeJavaScript(java.lang.String)"
	velocityRange = "https://velocity.apache.org/engine/1.7/user-guide.html#range-operator"
)

// TestDocumentedExamples runs the examples and statements of the mapping template reference,
// the examples page and the Velocity 1.7 user guide that TestRender does not already hold.
func TestDocumentedExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		tpl  string
		in   Input
		want string
	}{
		// "Example Mapping Template Using $input": a property of the body by JSONPath.
		{"json of a property", refPageSource, "{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$.mykey')  \n}",
			Input{QueryString: map[string]string{"name": "ann"}, Body: `{"mykey": {"a": [1, "x"]}, "other": 2}`},
			"{\n    \"name\" : \"ann\",\n    \"body\" : {\"a\":[1,\"x\"]}  \n}"},
		{"json of a property, escaped", refPageSource, "{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $util.escapeJavaScript($input.json('$.mykey')) \n}",
			Input{QueryString: map[string]string{"name": "ann"}, Body: `{"mykey": "it's"}`},
			"{\n    \"name\" : \"ann\",\n    \"body\" : \\\"it\\'s\\\" \n}"},
		// $input.json('$.pets') "returns a JSON string representing the pets structure".
		{"json of the pets structure", refPage, `$input.json('$.pets')`, Input{Body: `{"pets":` + petsBody + `}`}, petsBody},
		// $input.path('$.pets') returns the list itself, usable natively in VTL.
		{"path of pets, size", refPage, `$input.path('$.pets').size()`, Input{Body: `{"pets":` + petsBody + `}`}, `3`},
		{"path of pets, loop", refPage, `#foreach($p in $input.path('$.pets'))$p.type=$p.price#if($foreach.hasNext);#end#end`,
			Input{Body: `{"pets":` + petsBody + `}`}, `dog=249.99;cat=124.99;fish=0.99`},
		// $input.params(x): path, then query string, then header; "" when absent.
		{"params order with all three", refPage, `$input.params('petId')|$input.params('type')|$input.params('Accept')`,
			Input{Path: map[string]string{"petId": "7"}, QueryString: map[string]string{"type": "dog", "petId": "q"}, Headers: map[string]string{"Accept": "application/json", "type": "h"}},
			`7|dog|application/json`},
		// $util.escapeJavaScript(data).replaceAll("\\'","'") as the $util table shows it.
		{"escapeJavaScript then replaceAll", refPage, `$util.escapeJavaScript($input.path('$.s')).replaceAll("\\'","'")`,
			Input{Body: `{"s": "O'Brien said \"hi\""}`}, `O'Brien said \"hi\"`},
		// Commons Lang escapes characters below 32 and above 0x7F; DEL (0x7F) stays as it is.
		{"escapeJavaScript leaves DEL", commonsLang, "$util.escapeJavaScript(\"a\x7fb\x01c\u0080\")", Input{}, "a\x7fb\\u0001c\\u0080"},
		{"escapeJavaScript surrogate pair", commonsLang, `$util.escapeJavaScript("🥐")`, Input{}, `\uD83E\uDD50`},
		// $util.parseJson, the table's own example, and an object printed as a Java map.
		{"parseJson object and array", refPage, `#set($o = $util.parseJson('{"a":{"b":[1,2]},"c":"d"}'))$o.a.b.size() $o.c $o.a.b[1]`, Input{}, `2 d 2`},
		// urlEncode/urlDecode: application/x-www-form-urlencoded; base64 over UTF-8.
		{"urlEncode form encoding", refPage, `$util.urlEncode("name=Emily's pastries & café")`, Input{}, `name%3DEmily%27s+pastries+%26+caf%C3%A9`},
		{"urlDecode form encoding", refPage, `$util.urlDecode("name%3DEmily%27s+pastries+%26+caf%C3%A9")`, Input{}, `name=Emily's pastries & café`},
		{"base64 round trip", refPage, `$util.base64Decode($util.base64Encode("croissant 🥐"))`, Input{}, `croissant 🥐`},
		{"base64Encode of UTF-8", refPage, `$util.base64Encode("é")`, Input{}, `w6k=`},
		// $stageVariables in all three documented forms.
		{"stage variables three forms", refPage, `$stageVariables.v|$stageVariables['v']|${stageVariables['v']}`,
			Input{StageVariables: map[string]string{"v": "beta"}}, `beta|beta|beta`},
		// $context: the examples page's first example with the values its output shows.
		{"context example 1", examplesPage,
			`{"stage" : "$context.stage", "api_id" : "$context.apiId", "resource_path" : "$context.resourcePath", "http_method" : "$context.httpMethod", "user-agent" : "$context.identity.userAgent"}`,
			Input{Context: map[string]any{"stage": "prod", "apiId": "abcd1234", "resourcePath": "/", "httpMethod": "GET", "identity": map[string]any{"userAgent": "curl/7.84.0"}}},
			`{"stage" : "prod", "api_id" : "abcd1234", "resource_path" : "/", "http_method" : "GET", "user-agent" : "curl/7.84.0"}`},
		// $context.authorizer.<key> is the stringified value of the authorizer's context map.
		{"authorizer context strings", refPage, `$context.authorizer.key $context.authorizer.numKey $context.authorizer.boolKey`,
			Input{Context: map[string]any{"authorizer": map[string]any{"key": "value", "numKey": "1", "boolKey": "true"}}}, `value 1 true`},

		// JSONPath for Java (Jayway), which the reference page points to for $input.json/path.
		{"slice from to", jayway, `$input.json('$.l[0:2]')`, Input{Body: `{"l":[1,2,3,4]}`}, `[1,2]`},
		{"slice to", jayway, `$input.json('$.l[:2]')`, Input{Body: `{"l":[1,2,3,4]}`}, `[1,2]`},
		{"slice last two", jayway, `$input.json('$.l[-2:]')`, Input{Body: `{"l":[1,2,3,4]}`}, `[3,4]`},
		{"slice from", jayway, `$input.json('$.l[2:]')`, Input{Body: `{"l":[1,2,3,4]}`}, `[3,4]`},
		{"slice past the end", jayway, `$input.json('$.l[1:10]')`, Input{Body: `{"l":[1,2,3]}`}, `[2,3]`},
		{"index list", jayway, `$input.json('$.l[0,2]')`, Input{Body: `{"l":["a","b","c"]}`}, `["a","c"]`},
		{"slice of objects then field", jayway, `$input.json('$.pets[0:2].type')`, Input{Body: `{"pets":` + petsBody + `}`}, `["dog","cat"]`},
		{"slice via path loops", jayway, `#foreach($p in $input.path('$.pets[1:]'))$p.id#end`, Input{Body: `{"pets":` + petsBody + `}`}, `23`},

		// Velocity: the range operator takes integers only ("Both n and m must either be or
		// produce integers"); a string end gives no list, so the loop renders nothing.
		{"range of integers", velocityRange, `#foreach($i in [1..3])$i#end`, Input{}, `123`},
		{"range with integer variable", velocityRange, `#set($n = 2)#foreach($i in [0..$n])$i#end`, Input{}, `012`},
		{"range with a string end is empty", velocityRange, `#set($n = "3")#foreach($i in [1..$n])$i#end.`, Input{}, `.`},
		{"range with a query parameter is empty", velocityRange, `#foreach($i in [1..$input.params('n')])$i#end.`, Input{QueryString: map[string]string{"n": "3"}}, `.`},
		{"range from a JSON number", velocityRange, `#foreach($i in [1..$input.path('$.n')])$i#end`, Input{Body: `{"n": 3}`}, `123`},
		// Relational operators: numbers only; strings do not compare ("a" < "b" is false).
		{"strings do not compare with <", velocityVTL, `#if("a" < "b")lt#{else}no#end`, Input{}, `no`},
		{"int and double compare", velocityVTL, `#if(1 < 2.5 && 3 >= 3.0)ok#end`, Input{}, `ok`},
		{"boolean equals its string", velocityVTL, `#set($b = true)#if($b == "true")same#end`, Input{}, `same`},
		{"null is not the empty string", velocityVTL, `#if($nope == "")eq#{else}ne#end`, Input{}, `ne`},
		{"not null", velocityVTL, `#if(!$nope)none#end`, Input{}, `none`},
		// Arithmetic (Velocity 1.7 MathUtils): integers stay integers, doubles print as Java does.
		{"double sum", velocityVTL, `#set($a = 0.1 + 0.2)$a`, Input{}, `0.30000000000000004`},
		{"int times double", velocityVTL, `#set($i = 3)#set($j = $i * 1.5)$j`, Input{}, `4.5`},
		{"negative integer division", velocityVTL, `#set($x = -7 / 2)$x`, Input{}, `-3`},
		{"string plus number", velocityVTL, `#set($s = "42")#set($n = $s + 1)$n`, Input{}, `421`},
		// String, list and map methods (Java's, which Velocity calls).
		{"string methods", velocity, `#set($s = "Hello World")$s.replace("World", "There") $s.toLowerCase() $s.toUpperCase() $s.substring(0, 5) $s.length()`, Input{}, `Hello There hello world HELLO WORLD Hello 11`},
		{"map put returns the old value", velocity, `#set($m = {})$m.put("k", "v")|$m.put("k", "w")|$m.k`, Input{}, `$m.put("k", "v")|v|w`},
		{"nested velocityCount", velocity, `#foreach($a in [1,2])#foreach($b in [5,6])$velocityCount#end#end`, Input{}, `1212`},
		{"quiet missing property", velocity, `#set($m = {"a": 1})$m.a $m.b [$!m.b]`, Input{}, `1 $m.b []`},
		{"quiet missing JSON path", velocity, `#set($x = $input.path('$.a.b.c'))[$!x]`, Input{Body: `{"a":{}}`}, `[]`},
		{"JSON boolean false is false", velocity, `#if($input.path('$.b'))T#{else}F#end`, Input{Body: `{"b":false}`}, `F`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := Parse(tt.name, tt.tpl)
			require.NoError(t, err, tt.doc)
			out, err := tpl.Render(tt.in)
			require.NoError(t, err, tt.doc)
			assert.Equal(t, tt.want, out.Body, tt.doc)
		})
	}
}

// TestUnsupportedJSONPath: JSONPath that the engine does not evaluate fails the render (a 500
// on the request) instead of answering something AWS may not answer.
func TestUnsupportedJSONPath(t *testing.T) {
	t.Parallel()
	for _, p := range []string{`$.l.length()`, `$.l[?(@.a > 1)]`, `$.l[0:4:2]`} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			tpl, err := Parse("t", `$input.json('`+p+`')`)
			require.NoError(t, err)
			_, err = tpl.Render(Input{Body: `{"l":[{"a":1},{"a":2}]}`})
			assert.ErrorContains(t, err, "unsupported JSONPath", jayway)
		})
	}
}

// Velocity 1.7's ASTStringLiteral turns \uXXXX in a double-quoted literal into its character
// before interpolating, and leaves single-quoted literals alone; it has no other escapes.
// https://velocity.apache.org/engine/1.7/vtl-reference.html (string literals) and ASTStringLiteral.unescape
func TestStringLiteralUnicodeEscape(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, tpl, want string }{
		{"double-quoted", `#set($s = "caf\u00e9")$s`, "café"},
		{"upper-case hex", `#set($s = "\u00C9t\u00E9")$s`, "Été"},
		{"single-quoted stays", `#set($s = 'caf\u00e9')$s`, `caf\u00e9`},
		{"a quote by escape", `#set($s = "say \u0022hi\u0022")$s`, `say "hi"`},
		{"before interpolation", `#set($x = "v")#set($s = "[\u0024x]")$s`, `[v]`},
		{"surrogate pair", `#set($s = "\ud83e\udd50")$s`, "🥐"},
		{"other backslashes are text", `#set($s = "a\tb\n")$s`, `a\tb\n`},
		{"as a method argument", `$util.escapeJavaScript("\u00e9")`, `\u00E9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := Parse("t", tt.tpl)
			require.NoError(t, err)
			out, err := tpl.Render(Input{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.Body)
		})
	}
	_, err := Parse("t", `#set($s = "\u00zz")`)
	assert.ErrorContains(t, err, "four hex digits")
}

// Velocity 1.7's ASTAddNode: + with a string on either side concatenates, and a null side
// stands as its own source text; without a string, a null side makes the sum null (and #set
// then leaves its variable unchanged). https://velocity.apache.org/engine/1.7/vtl-reference.html
func TestPlusWithNull(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, tpl, want string }{
		{"string plus null reference", `#set($a = "x" + $nope)$a`, `x$nope`},
		{"null reference plus string", `#set($a = $nope + "x")$a`, `$nopex`},
		{"quiet reference keeps its text", `#set($a = "x" + $!nope)$a`, `x$!nope`},
		{"formal reference keeps its text", `#set($a = "x" + ${nope})$a`, `x${nope}`},
		{"missing property", `#set($m = {})#set($a = "id-" + $m.id)$a`, `id-$m.id`},
		{"chained", `#set($a = "a" + $nope + "b")$a`, `a$nopeb`},
		{"number plus null is null", `#set($a = 1)#set($a = 2 + $nope)$a`, `1`},
		{"string plus number", `#set($a = "n" + 1)$a`, `n1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := Parse("t", tt.tpl)
			require.NoError(t, err)
			out, err := tpl.Render(Input{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.Body)
		})
	}
}

// Velocity 1.7's #foreach puts $velocityCount and $velocityHasNext in the context (deprecated
// for $foreach.count and $foreach.hasNext, removed in 2.0), restoring an outer loop's after an
// inner one, and removing both after the loop. Velocity 1.7's Foreach directive and
// https://velocity.apache.org/engine/1.7/user-guide.html#loops
func TestDeprecatedLoopVariables(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, tpl, want string }{
		{"velocityHasNext", `#foreach($i in [1, 2, 3])$i#if($velocityHasNext),#end#end`, `1,2,3`},
		{"velocityHasNext printed", `#foreach($i in [1, 2])$velocityHasNext #end`, `true false `},
		{"velocityCount with a method", `#foreach($i in ["a"])$velocityCount.toString()#end`, `1`},
		{"outer restored after inner", `#foreach($a in [1, 2])#foreach($b in [1])#end$velocityHasNext #end`, `true false `},
		{"gone after the loop", `#foreach($i in [1])#end$velocityHasNext $velocityCount`, `$velocityHasNext $velocityCount`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := Parse("t", tt.tpl)
			require.NoError(t, err)
			out, err := tpl.Render(Input{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.Body)
		})
	}
}
