package offline

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		in      string
		want    faultSpec
		wantErr string
	}{
		{in: "payment@latency=2s", want: faultSpec{resource: "payment", rule: fault.Rule{Latency: 2 * time.Second}}},
		{in: "payment@throttle,from=10s,for=30s", want: faultSpec{resource: "payment", rule: fault.Rule{Throttle: true}, from: 10 * time.Second, dur: 30 * time.Second}},
		{in: "lambda:f@error_rate=0.2,from=5s", want: faultSpec{resource: "lambda:f", rule: fault.Rule{ErrorRate: 0.2}, from: 5 * time.Second}},
		{in: "payment@from=10s,for=30s", wantErr: "from and for need a rule too"},
		{in: "payment@throttle,for=0s", wantErr: "for must be a duration"},
		{in: "payment@throttle,from=soon", wantErr: "from must be a duration"},
		{in: "payment", wantErr: "RESOURCE@RULE"},
		{in: "payment@slow", wantErr: "unknown rule"},
		{in: "region:us-east-1@down", want: faultSpec{resource: "region:us-east-1", down: true}},
		{in: "region:us-east-1@down,from=15s,for=30s", want: faultSpec{resource: "region:us-east-1", down: true, from: 15 * time.Second, dur: 30 * time.Second}},
		{in: "eu-west-1:lambda:f@throttle", want: faultSpec{resource: "eu-west-1:lambda:f", rule: fault.Rule{Throttle: true}}},
		{in: "region:us-east-1@throttle", wantErr: "a region's fault is an outage and nothing else"},
		{in: "region:us-east-1@down,latency=1s", wantErr: "a region's fault is an outage and nothing else"},
		{in: "region:@down", wantErr: "name the region"},
		{in: "payment@down", wantErr: "down is a regional outage"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseFault(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
