package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// Table prints the comparison table of one profile as aligned text for a terminal: a line saying
// where the numbers came from, then one row per stage in stage order. Results of other profiles
// are ignored.
func Table(w io.Writer, results []*loadgen.Result, profile string) error {
	rows := filter(results, func(r *loadgen.Result) bool { return r.Profile == profile })
	if len(rows) == 0 {
		_, err := fmt.Fprintf(w, "%s: no results\n", profile)
		return err
	}
	cols := append([]column{stageColumn}, comparisonColumns...)
	cells := make([][]string, 0, len(rows)+1)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.short
	}
	cells = append(cells, header)
	for _, r := range rows {
		cells = append(cells, rowCells(cols, r))
	}
	widths := columnWidths(cells)

	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n", profile, provenanceOf(rows).line(plain))
	for _, row := range cells {
		var line strings.Builder
		for i, cell := range row {
			if i == 0 {
				line.WriteString(padRight(cell, widths[i]))
				continue
			}
			line.WriteString("  ")
			line.WriteString(padLeft(cell, widths[i]))
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	for _, mark := range cpuBound(rows) {
		b.WriteString("! " + mark + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markdownTable writes a Markdown table with the key column left-aligned and the others
// right-aligned, padded so the source lines up too.
func markdownTable(b *strings.Builder, cols []column, rows []*loadgen.Result) {
	cells := make([][]string, 0, len(rows)+1)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.header
	}
	cells = append(cells, header)
	for _, r := range rows {
		cells = append(cells, rowCells(cols, r))
	}
	widths := columnWidths(cells)
	for i := range widths {
		widths[i] = max(widths[i], 4) // room for the "---:" separator
	}
	writeRow := func(row []string) {
		b.WriteString("|")
		for i, cell := range row {
			if i == 0 {
				b.WriteString(" " + padRight(cell, widths[i]) + " |")
			} else {
				b.WriteString(" " + padLeft(cell, widths[i]) + " |")
			}
		}
		b.WriteString("\n")
	}
	writeRow(cells[0])
	b.WriteString("|")
	for i, w := range widths {
		if i == 0 {
			b.WriteString(" " + strings.Repeat("-", w) + " |")
		} else {
			b.WriteString(" " + strings.Repeat("-", w-1) + ": |")
		}
	}
	b.WriteString("\n")
	for _, row := range cells[1:] {
		writeRow(row)
	}
}

func rowCells(cols []column, r *loadgen.Result) []string {
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = c.cell(r)
	}
	return row
}

func columnWidths(cells [][]string) []int {
	widths := make([]int, len(cells[0]))
	for _, row := range cells {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	return widths
}

func padRight(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

func padLeft(s string, width int) string {
	return strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s))) + s
}
