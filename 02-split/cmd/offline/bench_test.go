package main

import (
	"testing"

	"github.com/emilys-pastries/serverless-evolution/shared/offline"
)

// BenchmarkOrder is what one order costs this stage in CPU, with the zero latency model
// (offline.BenchOrders; `make bench`).
func BenchmarkOrder(b *testing.B) { offline.BenchOrders(b, Stage()) }
