package uuid_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// RFC 9562, section 5.4: version 4 sets the version nibble to 0100 and the variant bits to 10.
var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		in   [16]byte
		want string
	}{
		{"zero bits", [16]byte{}, "00000000-0000-4000-8000-000000000000"},
		{"all bits", [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "ffffffff-ffff-4fff-bfff-ffffffffffff"},
		// RFC 9562's example of a version 4 UUID (appendix A.3), its random bits given as they are.
		{"RFC 9562 A.3", [16]byte{0x91, 0x91, 0x08, 0xf7, 0x52, 0xd1, 0x43, 0x20, 0x9b, 0xac, 0xf8, 0x47, 0xdb, 0x41, 0x48, 0xa8}, "919108f7-52d1-4320-9bac-f847db4148a8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, uuid.Format(tt.in))
			assert.Regexp(t, v4, uuid.Format(tt.in))
		})
	}
}

func TestNewIsRandomAndVersion4(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := uuid.New()
		assert.Regexp(t, v4, id)
		assert.False(t, seen[id], "repeated %s", id)
		seen[id] = true
	}
}
