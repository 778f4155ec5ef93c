// Package uuid writes random version 4 UUIDs (RFC 9562, section 5.4): the form of the ids AWS
// gives requests, messages, events and executions, and that clients send where AWS asks for a
// unique id. Every emulated service takes its ids from here.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// New is a random version 4 UUID, its 122 random bits from crypto/rand.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return Format(b)
}

// Format writes b as a version 4 UUID in its 36-character form, with the version and variant
// bits set (the other 122 bits are b's): for callers with their own source of random bits.
func Format(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
