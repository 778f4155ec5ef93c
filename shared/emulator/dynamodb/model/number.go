package model

import (
	"strconv"
	"strings"
)

// number is a DynamoDB number in canonical form: value = ±0.digits × 10^exp, digits without
// leading or trailing zeros; zero has no digits. Two spellings of one number ("1", "1.0", "10E-1")
// have one canonical form, which is how they compare equal as keys.
type number struct {
	neg    bool
	digits string
	exp    int
}

// msgNotANumber is DynamoDB's answer to a malformed number; the current value checker quotes the
// number after it ("…: abc", "…: " for an empty one).
const msgNotANumber = "The parameter cannot be converted to a numeric value"

func errNotANumber(s string) error {
	return validation("%s: %s", msgNotANumber, s)
}

// numberShape is what a number's text says about it, found without allocating: the span of its
// significant digits (which may include the decimal point), how many there are, and the
// exponent of value = ±0.digits × 10^exp.
type numberShape struct {
	neg         bool
	first, last int // s[first:last] holds the significant digits (and maybe the point)
	sig         int
	exp         int
}

// scanNumber checks a DynamoDB number's syntax, precision and range.
func scanNumber(s string) (numberShape, error) {
	var sh numberShape
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		sh.neg = s[i] == '-'
		i++
	}
	digits, point := 0, -1 // point: number of mantissa digits before the '.'
	first, last := -1, -1
	lead := 0 // zeros before the first significant digit
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && point < 0 {
			point = digits
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if c != '0' {
			if first < 0 {
				first = i
				lead = digits
			}
			last = i + 1
		}
		digits++
	}
	if digits == 0 {
		return sh, errNotANumber(s)
	}
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' || i+1 == len(s) || s[i+1] == ' ' {
			return sh, errNotANumber(s)
		}
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return sh, errNotANumber(s)
		}
		exp = e
	}
	if first < 0 {
		return numberShape{}, nil // zero, sign dropped
	}
	if point < 0 {
		point = digits
	}
	sh.first, sh.last = first, last
	sh.sig = last - first
	if strings.IndexByte(s[first:last], '.') >= 0 {
		sh.sig--
	}
	sh.exp = point - lead + exp
	switch {
	case sh.sig > maxNumberDigits:
		return sh, validation("Attempting to store more than 38 significant digits in a Number")
	case sh.exp > maxNumberExp:
		return sh, validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
	case sh.exp < minNumberExp:
		return sh, validation("Number underflow. Attempting to store a number with magnitude smaller than supported range")
	}
	return sh, nil
}

// parseNumber parses a DynamoDB number into its canonical form.
func parseNumber(s string) (number, error) {
	sh, err := scanNumber(s)
	if err != nil || sh.sig == 0 {
		return number{}, err
	}
	digits := s[sh.first:sh.last]
	if i := strings.IndexByte(digits, '.'); i >= 0 {
		digits = digits[:i] + digits[i+1:]
	}
	return number{neg: sh.neg, digits: digits, exp: sh.exp}, nil
}

func (d number) sign() int {
	switch {
	case d.digits == "":
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// cmp compares two numbers: -1, 0 or +1.
func (d number) cmp(o number) int {
	sd, so := d.sign(), o.sign()
	if sd != so {
		if sd < so {
			return -1
		}
		return 1
	}
	if sd == 0 {
		return 0
	}
	c := 0
	switch {
	case d.exp != o.exp:
		if d.exp < o.exp {
			c = -1
		} else {
			c = 1
		}
	default:
		c = strings.Compare(d.digits, o.digits)
	}
	if sd < 0 {
		c = -c
	}
	return c
}

// String writes the number in plain decimal notation, the canonical spelling used for keys.
func (d number) String() string {
	if d.digits == "" {
		return "0"
	}
	var b strings.Builder
	if d.neg {
		b.WriteByte('-')
	}
	switch {
	case d.exp <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -d.exp))
		b.WriteString(d.digits)
	case d.exp >= len(d.digits):
		b.WriteString(d.digits)
		b.WriteString(strings.Repeat("0", d.exp-len(d.digits)))
	default:
		b.WriteString(d.digits[:d.exp])
		b.WriteByte('.')
		b.WriteString(d.digits[d.exp:])
	}
	return b.String()
}

// canonical returns a valid number's text as DynamoDB returns it: plain decimal notation
// without a plus sign, exponent, leading zeros or trailing fractional zeros ("1.50" → "1.5",
// "01" → "1", "-0" → "0", "1E2" → "100", "1.5e-3" → "0.0015"). It allocates only when s is not
// already in that form.
func canonical(s string, sh numberShape) string {
	if canonicalText(s, sh) {
		return s
	}
	if sh.sig == 0 {
		return "0"
	}
	if t := trimmed(s); canonicalText(t, sh) {
		return t // most non-canonical numbers ("12.40", "+5") are a substring of the canonical one
	}
	n, err := parseNumber(s)
	if err != nil {
		return s
	}
	return n.String()
}

// canonicalText reports whether a valid number's text is already canonical.
func canonicalText(s string, sh numberShape) bool {
	if sh.sig == 0 {
		return s == "0"
	}
	t := s
	switch t[0] {
	case '-':
		t = t[1:]
	case '+':
		return false
	}
	if t == "" || t[0] == '.' || t[0] == '0' && (len(t) == 1 || t[1] != '.') {
		return false
	}
	point := false
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case 'e', 'E':
			return false
		case '.':
			point = true
		}
	}
	return !point || t[len(t)-1] != '0' && t[len(t)-1] != '.'
}

// trimmed drops, without allocating, a plus sign, leading zeros and a fraction's trailing zeros
// from a non-zero number without an exponent; the caller checks the result is canonical.
func trimmed(s string) string {
	if strings.ContainsAny(s, "eE") {
		return s
	}
	if s[0] == '+' {
		s = s[1:]
	}
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	if s != "" && s[0] != '-' {
		for len(s) > 1 && s[0] == '0' && s[1] != '.' {
			s = s[1:]
		}
	}
	return s
}
