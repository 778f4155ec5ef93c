package model

import (
	"math/big"
	"strings"
	"unicode/utf8"
)

// validQueueName: 1–80 characters, alphanumerics, hyphens and underscores, ".fifo" for FIFO
// queues. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
func validQueueName(name string, fifo bool) bool {
	base := name
	if fifo {
		var ok bool
		if base, ok = strings.CutSuffix(name, ".fifo"); !ok {
			return false
		}
	}
	if name == "" || len(name) > 80 || base == "" {
		return false
	}
	return idChars(base)
}

func idChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validBatchID: up to 80 alphanumerics, hyphens and underscores.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
func validBatchID(id string) bool { return id != "" && len(id) <= 80 && idChars(id) }

// badChar returns the first character outside the set SQS accepts in a message, if any:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
func badChar(s string) (rune, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return rune(c), true
		}
		if !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return r, true
		}
		i += size
	}
	return 0, false
}

func invalidContents(r rune) *Error {
	return errorf(CodeInvalidMessageContents, "Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r)
}

// MaxAttributes is how many message attributes a message may carry.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
const MaxAttributes = 10

// checkAttributes validates message attributes and returns the bytes they add to the message
// size (name, type and value). https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
func checkAttributes(attrs map[string]MessageAttributeValue) (int, *Error) {
	if len(attrs) > MaxAttributes {
		return 0, errorf(CodeInvalidParameterValue, "Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), MaxAttributes)
	}
	size := 0
	for name, v := range attrs {
		if err := checkAttributeName(name); err != nil {
			return 0, err
		}
		base, custom, _ := strings.Cut(v.DataType, ".")
		switch {
		case v.DataType == "":
			return 0, errorf(CodeInvalidParameterValue, "The message attribute '%s' must contain non-empty message attribute type.", name)
		case base != "String" && base != "Number" && base != "Binary",
			strings.Contains(v.DataType, ".") && custom == "", len(v.DataType) > 256:
			return 0, errorf(CodeInvalidParameterValue, "The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		switch base {
		case "Binary":
			if len(v.BinaryValue) == 0 {
				return 0, errorf(CodeInvalidParameterValue, "The message attribute '%s' with type 'Binary' must use field 'Binary'.", name)
			}
			size += len(v.BinaryValue)
		default:
			if v.StringValue == "" {
				return 0, errorf(CodeInvalidParameterValue, "The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, base)
			}
			if r, bad := badChar(v.StringValue); bad {
				return 0, errorf(CodeInvalidParameterValue, "Message (user) attribute '%s' value contains invalid character #x%X.", name, r)
			}
			if base == "Number" && !validNumber(v.StringValue) {
				return 0, errorf(CodeInvalidParameterValue, "Value %s for parameter MessageAttributes is invalid. Reason: Could not parse the Number value of message attribute '%s'.", v.StringValue, name)
			}
			size += len(v.StringValue)
		}
		size += len(name) + len(v.DataType)
	}
	return size, nil
}

// checkAttributeName: up to 256 characters of A-Z a-z 0-9 _ - ., no AWS. or Amazon. prefix, no
// leading, trailing or doubled period.
func checkAttributeName(name string) *Error {
	bad := name == "" || len(name) > 256 || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..")
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		bad = true
	}
	for i := 0; i < len(name) && !bad; i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			bad = true
		}
	}
	if bad {
		return errorf(CodeInvalidParameterValue, "Message (user) attribute name '%s' is invalid.", name)
	}
	return nil
}

// validNumber: SQS Number attributes hold up to 38 significant digits, between -10^128 and 10^126.
func validNumber(s string) bool {
	f, ok := new(big.Float).SetString(s)
	if !ok {
		return false
	}
	digits := 0
	for _, c := range strings.TrimLeft(strings.SplitN(strings.ToLower(s), "e", 2)[0], "+-0.") {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	lo, _ := new(big.Float).SetString("-1e128")
	hi, _ := new(big.Float).SetString("1e126")
	return digits <= 38 && f.Cmp(lo) >= 0 && f.Cmp(hi) <= 0
}
