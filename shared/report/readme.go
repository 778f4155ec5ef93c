package report

import (
	"errors"
	"fmt"
	"strings"
)

// The markers around a stage README's generated "Measured" block.
const (
	beginMarker = "<!-- measured:begin -->"
	endMarker   = "<!-- measured:end -->"
)

// errNoMarkers means a README has no measured block: it is left alone.
var errNoMarkers = errors.New("no measured markers")

// replaceMeasured replaces what lies between the markers in doc with block and leaves every
// other byte alone. It wants exactly one begin marker followed by one end marker; a README
// with neither gives errNoMarkers. Generated lines follow the file's line endings.
func replaceMeasured(doc, block string) (string, error) {
	begins, ends := strings.Count(doc, beginMarker), strings.Count(doc, endMarker)
	if begins == 0 && ends == 0 {
		return doc, errNoMarkers
	}
	if begins != 1 || ends != 1 {
		return doc, fmt.Errorf("want one %s and one %s, found %d and %d", beginMarker, endMarker, begins, ends)
	}
	start := strings.Index(doc, beginMarker) + len(beginMarker)
	end := strings.Index(doc, endMarker)
	if end < start {
		return doc, fmt.Errorf("%s comes before %s", endMarker, beginMarker)
	}
	nl := "\n"
	if strings.Contains(doc, "\r\n") {
		nl = "\r\n"
		block = strings.ReplaceAll(block, "\n", "\r\n")
	}
	return doc[:start] + nl + block + doc[end:], nil
}
