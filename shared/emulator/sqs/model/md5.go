package model

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
)

// md5Hex is the hex MD5 of s, as MD5OfMessageBody and MD5OfBody carry it.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes computes MD5OfMessageAttributes as AWS documents it: the attributes sorted by
// name, each encoded as the name, the data type and the value, every part prefixed by its length
// as a 4-byte big-endian integer, with a one-byte transport type (1 string, 2 binary) before the
// value. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
func md5OfAttributes(attrs map[string]MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	var n4 [4]byte
	part := func(b []byte) {
		binary.BigEndian.PutUint32(n4[:], uint32(len(b)))
		h.Write(n4[:])
		h.Write(b)
	}
	for _, name := range names {
		v := attrs[name]
		part([]byte(name))
		part([]byte(v.DataType))
		if isBinary(v.DataType) {
			h.Write([]byte{2})
			part(v.BinaryValue)
		} else {
			h.Write([]byte{1})
			part([]byte(v.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func isBinary(dataType string) bool {
	return dataType == "Binary" || strings.HasPrefix(dataType, "Binary.")
}
