package loadgen

import "net/http"

// outcome is the class of one answer, as counted in Outcomes.
type outcome int

const (
	ok outcome = iota
	soldOut
	rejected4xx
	throttled429
	server5xx
	gatewayTimeout504
)

// classify maps an HTTP status code to its outcome. A code no API should answer with (1xx, 3xx)
// counts as a server failure.
func classify(code int) outcome {
	switch {
	case code >= 200 && code <= 299:
		return ok
	case code == http.StatusConflict:
		return soldOut
	case code == http.StatusTooManyRequests:
		return throttled429
	case code >= 400 && code <= 499:
		return rejected4xx
	case code == http.StatusGatewayTimeout:
		return gatewayTimeout504
	default:
		return server5xx
	}
}

func (o *Outcomes) add(c outcome) {
	switch c {
	case ok:
		o.OK++
	case soldOut:
		o.SoldOut++
	case rejected4xx:
		o.Rejected4xx++
	case throttled429:
		o.Throttled429++
	case gatewayTimeout504:
		o.GatewayTimeout504++
	default:
		o.Server5xx++
	}
}

func (l *LateAnswers) add(c outcome) {
	var o Outcomes
	o.add(c)
	l.OK += o.OK
	l.SoldOut += o.SoldOut
	l.Rejected4xx += o.Rejected4xx
	l.Throttled429 += o.Throttled429
	l.Server5xx += o.Server5xx
	l.GatewayTimeout504 += o.GatewayTimeout504
}
