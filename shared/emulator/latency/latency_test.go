package latency_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultModelIsSourced(t *testing.T) {
	m := latency.Default(1)
	require.NotEmpty(t, m.Components())
	for _, c := range m.Components() {
		assert.NotEmpty(t, c.Source, c.ID)
		assert.NotEmpty(t, c.What, c.ID)
	}
	assert.Equal(t, "aws-2026-11 v1", m.Name())
}

func TestSampleFitsMedianAndP99(t *testing.T) {
	m := latency.Default(42)
	byID := map[string]latency.Component{}
	for _, c := range m.Components() {
		byID[c.ID] = c
	}
	for _, id := range []string{"dynamodb.PutItem", "lambda.invoke", "apigateway.rest"} {
		t.Run(id, func(t *testing.T) {
			c := byID[id]
			const n = 20000
			s := make([]float64, n)
			for i := range s {
				s[i] = float64(m.Sample(id)) / float64(time.Millisecond)
			}
			sort.Float64s(s)
			assert.InEpsilon(t, c.MedianMS, s[n/2], 0.05, "median")
			assert.InEpsilon(t, c.P99MS, s[n*99/100], 0.15, "p99")
		})
	}
}

func TestSeedRepeats(t *testing.T) {
	a, b := latency.Default(7), latency.Default(7)
	for range 100 {
		assert.Equal(t, a.Sample("dynamodb.GetItem"), b.Sample("dynamodb.GetItem"))
	}
}

// A component's draws depend on the seed and on how many draws it made before, not on what the
// other components drew in between: the n-th charge of a run takes the same time whatever order
// the goroutines around it sampled in.
func TestComponentsDrawFromTheirOwnStreams(t *testing.T) {
	tests := []struct {
		name        string
		seedA       int64
		seedB       int64
		interleaved int // draws of another component between two charges, in the second model
		same        bool
	}{
		{"same seed, nothing in between", 7, 7, 0, true},
		{"same seed, other components drawing in between", 7, 7, 3, true},
		{"another seed", 7, 8, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := latency.Default(tt.seedA), latency.Default(tt.seedB)
			var got, want []time.Duration
			for range 50 {
				want = append(want, a.Sample("payment.charge"))
				for range tt.interleaved {
					b.Sample("dynamodb.GetItem")
					b.Float64()
				}
				got = append(got, b.Sample("payment.charge"))
			}
			if tt.same {
				assert.Equal(t, want, got)
			} else {
				assert.NotEqual(t, want, got)
			}
		})
	}
}

func TestZeroModel(t *testing.T) {
	m := latency.Zero()
	assert.Equal(t, time.Duration(0), m.Sample("lambda.invoke"))
	assert.Panics(t, func() { m.Sample("no.such.component") })
	assert.NoError(t, m.Spend(context.Background(), "dynamodb.GetItem"))
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"no name", `{"version":"1","components":[]}`, "name and version"},
		{"p99 below median", `{"name":"x","version":"1","components":[{"id":"a","median_ms":5,"p99_ms":1,"tag":"AWS","source":"s"}]}`, `"a": p99_ms must be at least`},
		{"bad tag", `{"name":"x","version":"1","components":[{"id":"a","median_ms":5,"p99_ms":6,"tag":"guess","source":"s"}]}`, "tag must be"},
		{"no source", `{"name":"x","version":"1","components":[{"id":"a","median_ms":5,"p99_ms":6,"tag":"AWS"}]}`, "source is required"},
		{"duplicate", `{"name":"x","version":"1","components":[{"id":"a","median_ms":5,"p99_ms":6,"tag":"AWS","source":"s"},{"id":"a","median_ms":5,"p99_ms":6,"tag":"AWS","source":"s"}]}`, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := latency.Parse([]byte(tt.json), 1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestWaitHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, latency.Wait(ctx, time.Hour), context.Canceled)
}

func BenchmarkSample(b *testing.B) {
	m := latency.Default(1)
	for b.Loop() {
		m.Sample("dynamodb.GetItem")
	}
}

func ExampleModel_Sample() {
	m := latency.Zero()
	fmt.Println(m.Name(), m.Sample("dynamodb.GetItem"))
	// Output: zero 0s
}
