package offline

import (
	"bytes"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cpupart"
)

// cpuProfile writes a profile shaped as runtime/pprof writes a CPU profile: sample types
// samples/count and cpu/nanoseconds, labels per sample.
func cpuProfile(t *testing.T, samples map[string]int64, types ...string) []byte {
	t.Helper()
	p := &profile.Profile{PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}, Period: 10_000_000}
	for _, ty := range types {
		unit := "nanoseconds"
		if ty == "samples" {
			unit = "count"
		}
		p.SampleType = append(p.SampleType, &profile.ValueType{Type: ty, Unit: unit})
	}
	for part, ns := range samples {
		s := &profile.Sample{Value: make([]int64, len(types))}
		for i, ty := range types {
			s.Value[i] = ns / 10_000_000
			if ty == "cpu" {
				s.Value[i] = ns
			}
		}
		if part != "" {
			s.Label = map[string][]string{cpupart.Label: {part}}
		}
		p.Sample = append(p.Sample, s)
	}
	var b bytes.Buffer
	require.NoError(t, p.Write(&b))
	return b.Bytes()
}

func TestCPUParts(t *testing.T) {
	tests := []struct {
		name    string
		samples map[string]int64
		types   []string
		want    map[string]float64
		wantErr string
	}{
		{
			name:    "shares of the whole, unlabelled CPU counted in the total only",
			samples: map[string]int64{cpupart.Emulator: 700e6, cpupart.Handler: 200e6, "": 100e6},
			types:   []string{"samples", "cpu"},
			want:    map[string]float64{cpupart.Emulator: 0.7, cpupart.Handler: 0.2},
		},
		{
			name:    "an empty profile",
			samples: map[string]int64{},
			types:   []string{"samples", "cpu"},
			want:    map[string]float64{},
		},
		{
			name:    "not a CPU profile",
			samples: map[string]int64{cpupart.Emulator: 1},
			types:   []string{"alloc_space"},
			wantErr: "no cpu sample type",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CPUParts(bytes.NewReader(cpuProfile(t, tt.samples, tt.types...)))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, got, len(tt.want))
			for k, v := range tt.want {
				assert.InDelta(t, v, got[k], 1e-9, k)
			}
		})
	}
	_, err := CPUParts(bytes.NewReader([]byte("not a profile")))
	assert.ErrorContains(t, err, "read the CPU profile")
}
