package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/textcut"
)

// column is one table column: it never gets narrower than min unless the
// terminal cannot hold even that, and it grows up to ideal (or beyond, if grow).
type column struct {
	title      string
	min, ideal int
	grow       bool // takes the room left over
	give       int  // columns with a higher give shrink first, 0 to maxGive
}

const maxGive = 3

// cell is one table cell: the first of its forms (longest first) that fits is shown.
type cell struct {
	forms  []string
	style  *lipgloss.Style
	middle bool // cut in the middle: IDs differ at their ends as often as at their starts
}

func text(forms ...string) cell { return cell{forms: forms} }

func idCell(id string) cell { return cell{forms: []string{id}, middle: true} }

func styled(st *lipgloss.Style, forms ...string) cell { return cell{forms: forms, style: st} }

const columnGap = 1

// fitColumns gives each column a width so that the row fits total: columns
// shrink from their ideal towards min, the highest give first; when even the
// minimums do not fit, trailing columns are dropped (width 0).
func fitColumns(cols []column, total int) []int {
	w := make([]int, len(cols))
	sum := 0
	for i, c := range cols {
		w[i] = c.ideal
		sum += c.ideal
	}
	sum += columnGap * (len(cols) - 1)
	for level := maxGive; level >= 0 && sum > total; level-- {
		for sum > total {
			widest := -1 // among the columns of this level, the one with the most room gives first
			for i, c := range cols {
				if c.give == level && w[i] > c.min && (widest < 0 || w[i]-c.min > w[widest]-cols[widest].min) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			w[widest]--
			sum--
		}
	}
	for i := len(cols) - 1; i > 0 && sum > total; i-- {
		sum -= w[i] + columnGap
		w[i] = 0
	}
	if sum > total {
		w[0] = max(0, w[0]-(sum-total))
	}
	if extra := total - sum; extra > 0 {
		for i, c := range cols {
			if c.grow {
				w[i] += extra
				break
			}
		}
	}
	return w
}

// renderCells lays cells out in the widths given, truncating each; never wider than the sum.
func renderCells(cells []cell, widths []int) string {
	var b strings.Builder
	first := true
	for i, c := range cells {
		if i >= len(widths) || widths[i] == 0 {
			continue
		}
		if !first {
			b.WriteString(strings.Repeat(" ", columnGap))
		}
		first = false
		b.WriteString(fitCell(c, widths[i]))
	}
	return b.String()
}

func fitCell(c cell, w int) string {
	s := ""
	for _, f := range c.forms {
		s = f
		if lipgloss.Width(f) <= w {
			break
		}
	}
	if c.middle {
		s = textcut.Middle(s, w)
	}
	s = textcut.Pad(textcut.End(s, w), w)
	if c.style != nil {
		return c.style.Render(s)
	}
	return s
}

func headerCells(cols []column) []cell {
	cells := make([]cell, len(cols))
	for i, c := range cols {
		cells[i] = text(c.title)
	}
	return cells
}

// fitLines makes exactly h lines, each cut to w cells: what a screen region must be.
func fitLines(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i := range lines {
		lines[i] = textcut.End(lines[i], w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// window returns the first visible index so that cursor stays in a window of h rows.
func window(offset, cursor, h, n int) int {
	if h <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	return max(0, min(offset, n-h))
}

// table is a list drawn as rows of cells under column titles, the columns fitted to its width.
type table struct {
	list
	columns []column
	widths  []int
}

func newTable(columns []column) table { return table{list: newList(), columns: columns} }

// resize fits the columns to w, less the selection mark before each row, and gives the
// rows page lines.
func (t *table) resize(w, page int) {
	t.widths = fitColumns(t.columns, w-2)
	t.list.resize(w, page)
}

// drawCells is the table's lines: top, then the empty message, or the column titles and the
// rows on screen, row i drawn from cells(i).
func (t *table) drawCells(st Styles, top, empty string, cells func(i int) []cell) []string {
	header := "  " + st.ColumnHeader.Render(renderCells(headerCells(t.columns), t.widths))
	return t.draw(st, top, empty, header, func(i int, selected bool) string {
		return selectable(st, cells(i), t.widths, selected)
	})
}
