package model

import (
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The hand-written scanners answer what the regular expressions they replaced answer.
func TestPlaceholdersMatchTheirRegularExpressions(t *testing.T) {
	tokens := regexp.MustCompile(`[#:][A-Za-z0-9_]+`)
	nameKey := regexp.MustCompile(`^#[0-9A-Za-z_]+$`)
	valueKey := regexp.MustCompile(`^:[0-9A-Za-z_]+$`)
	for _, s := range []string{
		"", "#", ":", "##a", "::v", "#a", ":v", "#a:b", "#a.#b[0] = :v_1",
		"attribute_not_exists(#pk) AND #n < :max",
		"SET #s = :s, #u = if_not_exists(#u, :zero) + :one REMOVE #old",
		"#é = :v", "a#b", "# a", ": v", "#_", ":9", "#a-b", "#a\x00:b", "#pk:sk:",
	} {
		t.Run(s, func(t *testing.T) {
			want := tokens.FindAllString(s, -1)
			assert.Equal(t, want, slices.Collect(placeholders(s)))
			assert.Equal(t, nameKey.MatchString(s), isPlaceholderKey(s, '#'))
			assert.Equal(t, valueKey.MatchString(s), isPlaceholderKey(s, ':'))
		})
	}
}
