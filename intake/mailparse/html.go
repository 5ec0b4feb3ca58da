package mailparse

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText renders an HTML mail body as plain text for reading and for
// field extraction: blocks become lines, a table row becomes one line with
// its cells separated by a tab (so "<td>SIRET</td><td>123</td>" reads
// "SIRET\t123"), list items start with "- ", and blockquoted text keeps a
// "> " prefix so that quoted history stays recognisable.
func HTMLToText(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	c := &h2t{}
	c.push()
	z := html.NewTokenizer(strings.NewReader(s))
	z.SetMaxBuf(4 << 20)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			c.closeTables(0)
			return c.result()
		case html.TextToken:
			if c.skip > 0 {
				continue
			}
			c.text(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == 0 {
				continue
			}
			c.start(a, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			if a := atom.Lookup(name); a != 0 {
				c.end(a)
			}
		}
	}
}

// h2tSink collects lines: the whole document, or one table cell whose
// lines are only known to be a short label or a layout block at its end.
type h2tSink struct {
	lines []string
	cur   strings.Builder
	space bool // a space is pending before the next word
	nbsp  bool // the current line holds only a non-breaking space
}

type h2tTable struct {
	row     []string
	cellOn  bool
	rowOn   bool
	sinkLen int // sink depth when the table started
}

type h2t struct {
	sinks  []*h2tSink
	tables []*h2tTable
	skip   int // inside <style>, <script>, <head>...
	inHead bool
	quote  int // blockquote depth
	pre    int
}

func (c *h2t) push() { c.sinks = append(c.sinks, &h2tSink{}) }

func (c *h2t) top() *h2tSink { return c.sinks[len(c.sinks)-1] }

func (c *h2t) text(t string) {
	s := c.top()
	if c.pre > 0 {
		for i, part := range strings.Split(strings.ReplaceAll(t, "\r\n", "\n"), "\n") {
			if i > 0 {
				c.flush(true)
			}
			s.cur.WriteString(strings.ReplaceAll(part, "\u00a0", " "))
		}
		return
	}
	for _, r := range t {
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0', '\u200b':
			if r == '\u00a0' && s.cur.Len() == 0 {
				s.nbsp = true
			}
			if s.cur.Len() > 0 {
				s.space = true
			}
			continue
		}
		if s.space && !strings.HasSuffix(s.cur.String(), " ") {
			s.cur.WriteByte(' ')
		}
		s.space = false
		s.cur.WriteRune(r)
	}
}

// flush ends the current line. An empty line is only written when forced
// (<br>) or when it held a non-breaking space (Outlook's empty paragraph).
func (c *h2t) flush(force bool) {
	s := c.top()
	line := s.cur.String()
	s.cur.Reset()
	s.space = false
	nbsp := s.nbsp
	s.nbsp = false
	if line == "" && !force && !nbsp {
		return
	}
	if len(c.sinks) == 1 && c.quote > 0 {
		// Capped: a thousand nested blockquotes must not multiply the
		// size of every line.
		line = strings.Repeat("> ", min(c.quote, 8)) + line
	}
	s.lines = append(s.lines, line)
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd, atom.Hr, atom.Address, atom.Section,
		atom.Article, atom.Header, atom.Footer, atom.Center, atom.Form, atom.Fieldset,
		atom.Figure, atom.Main, atom.Nav, atom.Aside, atom.Caption, atom.Body, atom.Html:
		return true
	}
	return false
}

func (c *h2t) start(a atom.Atom, selfClosing bool) {
	switch a {
	case atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript, atom.Object, atom.Svg:
		if !selfClosing {
			c.skip++
		}
		return
	case atom.Head:
		if !selfClosing && !c.inHead {
			c.inHead = true
			c.skip++
		}
		return
	case atom.Body:
		if c.inHead {
			// Some senders never close <head>.
			c.inHead = false
			c.skip--
		}
	}
	if c.skip > 0 {
		return
	}
	switch a {
	case atom.Br:
		c.flush(true)
	case atom.Li:
		c.flush(false)
		c.top().cur.WriteString("- ")
	case atom.Blockquote:
		c.flush(false)
		c.quote++
	case atom.Pre:
		c.flush(false)
		c.pre++
	case atom.Table:
		c.flush(false)
		c.tables = append(c.tables, &h2tTable{sinkLen: len(c.sinks)})
	case atom.Tr:
		if t := c.table(); t != nil {
			c.endCell(t)
			c.endRow(t)
			t.rowOn = true
		} else {
			c.flush(false)
		}
	case atom.Td, atom.Th:
		if t := c.table(); t != nil {
			c.endCell(t)
			t.rowOn = true
			t.cellOn = true
			c.push()
		}
	case atom.Img:
		// Nothing: alt texts of logos only add noise.
	default:
		if isBlock(a) {
			c.flush(false)
		}
	}
}

func (c *h2t) end(a atom.Atom) {
	switch a {
	case atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript, atom.Object, atom.Svg:
		if c.skip > 0 {
			c.skip--
		}
		return
	case atom.Head:
		if c.inHead {
			c.inHead = false
			c.skip--
		}
		return
	}
	if c.skip > 0 {
		return
	}
	switch a {
	case atom.Blockquote:
		c.flush(false)
		if c.quote > 0 {
			c.quote--
		}
	case atom.Pre:
		c.flush(false)
		if c.pre > 0 {
			c.pre--
		}
	case atom.Td, atom.Th:
		if t := c.table(); t != nil {
			c.endCell(t)
		}
	case atom.Tr:
		if t := c.table(); t != nil {
			c.endCell(t)
			c.endRow(t)
		}
	case atom.Table:
		if len(c.tables) > 0 {
			c.closeTables(len(c.tables) - 1)
		}
	case atom.Li, atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd, atom.Address, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Center, atom.Caption:
		c.flush(false)
	}
}

func (c *h2t) table() *h2tTable {
	if len(c.tables) == 0 {
		return nil
	}
	return c.tables[len(c.tables)-1]
}

// endCell closes an open cell: a cell of at most one line joins its row,
// a cell with several lines is a layout block and keeps its lines.
func (c *h2t) endCell(t *h2tTable) {
	if !t.cellOn {
		return
	}
	t.cellOn = false
	// Tables opened inside the cell and left open end with it.
	for len(c.tables) > 0 && c.tables[len(c.tables)-1] != t {
		c.closeTables(len(c.tables) - 1)
	}
	c.flush(false)
	cell := c.sinks[len(c.sinks)-1]
	c.sinks = c.sinks[:len(c.sinks)-1]
	var lines []string
	for _, l := range cell.lines {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	switch len(lines) {
	case 0:
	case 1:
		t.row = append(t.row, strings.TrimSpace(lines[0]))
	default:
		c.endRow(t)
		t.rowOn = true
		for _, l := range cell.lines {
			c.top().cur.WriteString(l)
			c.flush(true)
		}
	}
}

func (c *h2t) endRow(t *h2tTable) {
	if len(t.row) > 0 {
		c.flush(false)
		c.top().cur.WriteString(strings.Join(t.row, "\t"))
		c.flush(false)
	}
	t.row = t.row[:0]
	t.rowOn = false
}

// closeTables ends the tables from index i up, innermost first.
func (c *h2t) closeTables(i int) {
	for len(c.tables) > i {
		t := c.tables[len(c.tables)-1]
		c.endCell(t)
		c.endRow(t)
		c.tables = c.tables[:len(c.tables)-1]
		// Cells left open by broken markup.
		for len(c.sinks) > t.sinkLen {
			c.flush(false)
			cell := c.sinks[len(c.sinks)-1]
			c.sinks = c.sinks[:len(c.sinks)-1]
			for _, l := range cell.lines {
				c.top().cur.WriteString(l)
				c.flush(true)
			}
		}
		c.flush(false)
	}
}

func (c *h2t) result() string {
	for len(c.sinks) > 1 {
		c.flush(false)
		cell := c.sinks[len(c.sinks)-1]
		c.sinks = c.sinks[:len(c.sinks)-1]
		for _, l := range cell.lines {
			c.top().cur.WriteString(l)
			c.flush(true)
		}
	}
	c.flush(false)
	var b strings.Builder
	blank := 0
	for _, l := range c.sinks[0].lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(strings.TrimLeft(l, "> ")) == "" && strings.TrimSpace(l) == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(l)
	}
	return b.String()
}
