package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// A MOCK integration as API Gateway runs it: the request template chooses the status code, the
// integration response template writes the body and a header.
func Example() {
	dir, _ := os.MkdirTemp("", "vtl-example")
	defer os.RemoveAll(dir)
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, []byte(content), 0o644)
		return path
	}
	req := write("request.json", `{"path": {"orderId": "42"}}`)
	mock := write("mock.vtl", `{"statusCode": 200}`)
	resp := write("response.vtl", "#set($context.responseOverride.header.X-Order = $input.params('orderId'))\n{\"order\": \"$input.params('orderId')\"}")

	err := run(context.Background(), []string{"-json", "-request-template", mock, "-template", resp, "-request", req},
		func(string) string { return "" }, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// {
	//   "output": "{\"order\": \"42\"}",
	//   "status": 200,
	//   "headers": {
	//     "X-Order": "42"
	//   }
	// }
}
