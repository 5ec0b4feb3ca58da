package shortlist

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// Sheets of the XLSX export, in order.
const (
	SheetSelection = "Sélection"
	SheetWaiting   = "Liste d'attente"
	SheetAll       = "Toutes"
)

// xlsxDate shows received_at the French way, as a real date that sorts
// and filters as one.
const xlsxDate = "dd/mm/yyyy hh:mm"

// XLSXOptions say what the workbook's pages are headed with.
type XLSXOptions struct {
	// Language of the titles, words, header and footer: "en" for English,
	// French otherwise ([program] language).
	Language string
	// Program is the programme's name, printed at the top left of every
	// page.
	Program string
	// Location of the dates; the program's timezone when nil.
	Location *time.Location
	// Now is the export date printed at the top right of every page; the
	// current time when zero.
	Now time.Time
}

// xlsxSheet is a sheet of the workbook and the rows it lists.
type xlsxSheet struct {
	name string
	rows []Row
}

// WriteXLSX writes rows as a workbook for a selection committee, with
// three sheets: the selection (active when the file opens), the waiting
// list, and all rows. Each has a bold frozen title row with an
// autofilter, columns in ReadingColumns order with titles and words in
// opts.Language; dates and numbers are real date and number cells; text
// is written as text, never as a formula, and text a spreadsheet would
// take for a formula is neutralised as in the CSV (see Neutralize), so
// that it stays inert however the sheet is saved again. Printed, each sheet is landscape A4 fitted to one page
// wide, the title row repeated on every page, headed with the programme,
// the sheet and the export date, and numbered. Rows are streamed into
// the zip as they are written, so ten thousand rows take a fraction of a
// second and little memory.
func WriteXLSX(w io.Writer, rows []Row, opts XLSXOptions) error {
	loc, err := location(opts.Location)
	if err != nil {
		return err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.In(loc)
	if len(rows) >= maxSheetRows {
		return fmt.Errorf("write xlsx: %d rows, more than a sheet holds (%d with its title row)", len(rows), maxSheetRows)
	}
	sheets := xlsxSheets(rows)
	zw := zip.NewWriter(w)
	p := &xlsxPackage{zw: zw, modified: now}
	if err := p.writeWorkbookParts(sheets); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	for i, s := range sheets {
		if err := p.writeSheet(i, s, loc, opts, now); err != nil {
			return fmt.Errorf("write xlsx: sheet %s: %w", s.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// xlsxSheets splits rows into the sheets of the workbook, in order.
func xlsxSheets(rows []Row) []xlsxSheet {
	var selection, waiting []Row
	for _, r := range rows {
		switch r.Section {
		case SectionSelection:
			selection = append(selection, r)
		case SectionWaiting:
			waiting = append(waiting, r)
		}
	}
	return []xlsxSheet{{SheetSelection, selection}, {SheetWaiting, waiting}, {SheetAll, rows}}
}

// maxSheetRows is the most rows an Excel sheet has; a sheet with more
// would not open.
const maxSheetRows = 1 << 20

// maxMailtoLinks caps the e-mail links of a sheet at Excel's limit of
// hyperlinks per worksheet; past it, Excel drops links or reports the
// file damaged. An address past the cap is text that can still be
// copied.
const maxMailtoLinks = 65530

// emailColumn is the index of the e-mail in the reading order.
var emailColumn = slices.Index(ReadingColumns, "email")

// columnNames are the letters of the columns of a sheet: A, B, … X.
var columnNames = func() []string {
	names := make([]string, len(readingOrder))
	for i := range names {
		names[i] = columnName(i + 1)
	}
	return names
}()

// columnName is the letters of column n, counted from 1: 1 is A, 27 AA.
func columnName(n int) string {
	var b []byte
	for ; n > 0; n = (n - 1) / 26 {
		b = append(b, byte('A'+(n-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

// lastCell names the bottom right cell of a sheet of n rows under its
// title row.
func lastCell(n int) string {
	return columnNames[len(columnNames)-1] + strconv.Itoa(n+1)
}

// absolute turns X5 into $X$5.
func absolute(cell string) string {
	i := strings.IndexAny(cell, "0123456789")
	return "$" + cell[:i] + "$" + cell[i:]
}

// writeSheet writes sheet i and, when it has e-mail links, the
// relationships that hold their targets.
func (p *xlsxPackage) writeSheet(i int, s xlsxSheet, loc *time.Location, opts XLSXOptions, now time.Time) error {
	sw := &sheetWriter{loc: loc, lang: opts.Language}
	err := p.part("xl/"+sheetPath(i), func(b *bufio.Writer) {
		sw.b = b
		sw.writeStart(i == 0, len(s.rows))
		for r := range s.rows {
			sw.writeRow(r+2, &s.rows[r])
		}
		sw.writeEnd(len(s.rows))
		sw.writePrintSetup(s.name, opts, now)
	})
	if err != nil || len(sw.links) == 0 {
		return err
	}
	return p.part("xl/worksheets/_rels/sheet"+strconv.Itoa(i+1)+".xml.rels", func(b *bufio.Writer) {
		b.WriteString(xmlDecl + `<Relationships xmlns="` + nsPkgRels + `">`)
		for k, l := range sw.links {
			writeRel(b, k+1, relHyperlink, "mailto:"+l.addr, true)
		}
		b.WriteString(`</Relationships>`)
	})
}

// sheetWriter streams the XML of one sheet.
type sheetWriter struct {
	b     *bufio.Writer
	loc   *time.Location
	lang  string
	vals  []value     // the values of the row being written, reused
	num   []byte      // scratch for numbers
	links []sheetLink // the e-mail links, in row order
}

// sheetLink is an e-mail link: a hyperlink of the sheet, never a
// HYPERLINK formula, so that nothing an applicant wrote is evaluated.
type sheetLink struct {
	row  int
	addr string
}

// writeStart writes what precedes the rows: fit to page (so that the
// page setup's fit to width applies), the used range, the frozen title
// row, the column widths, and the title row.
func (sw *sheetWriter) writeStart(selected bool, rows int) {
	b := sw.b
	b.WriteString(xmlDecl + `<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsDocRels + `">`)
	b.WriteString(`<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`)
	b.WriteString(`<dimension ref="A1:` + lastCell(rows) + `"/>`)
	b.WriteString(`<sheetViews><sheetView`)
	if selected {
		b.WriteString(` tabSelected="true"`)
	}
	b.WriteString(` workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
		`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>`)
	b.WriteString(`<sheetFormatPr defaultRowHeight="15"/><cols>`)
	for i, c := range readingOrder {
		n := strconv.Itoa(i + 1)
		b.WriteString(`<col min="` + n + `" max="` + n + `" width="` + strconv.FormatFloat(c.width, 'f', -1, 64) +
			`" customWidth="1"/>`)
	}
	b.WriteString(`</cols><sheetData><row r="1" s="` + strconv.Itoa(styleHeader) + `" customFormat="1">`)
	for i, c := range readingOrder {
		sw.writeCell(i, 1, xlsxCell{kind: cellInline, style: styleHeader, text: c.title(sw.lang)})
	}
	b.WriteString(`</row>`)
}

// writeRow writes row as row number r of the sheet.
func (sw *sheetWriter) writeRow(r int, row *Row) {
	sw.vals = row.values(sw.vals)
	sw.b.WriteString(`<row r="`)
	sw.writeInt(r)
	sw.b.WriteString(`">`)
	for j, k := range readingIndex {
		c := sw.cell(sw.vals[k], readingOrder[j].wrap)
		if addr := row.Application.Email; j == emailColumn && len(sw.links) < maxMailtoLinks && mailtoAddress(addr) {
			c.style = styleLink
			sw.links = append(sw.links, sheetLink{row: r, addr: addr})
		}
		sw.writeCell(j, r, c)
	}
	sw.b.WriteString(`</row>`)
}

// writeEnd closes the rows and writes the autofilter over the title row
// and the rows, and the e-mail links.
func (sw *sheetWriter) writeEnd(rows int) {
	b := sw.b
	b.WriteString(`</sheetData><autoFilter ref="A1:` + lastCell(rows) + `"/>`)
	if len(sw.links) == 0 {
		return
	}
	b.WriteString(`<hyperlinks>`)
	for k, l := range sw.links {
		b.WriteString(`<hyperlink ref="`)
		b.WriteString(columnNames[emailColumn])
		sw.writeInt(l.row)
		b.WriteString(`" r:id="rId`)
		sw.writeInt(k + 1)
		b.WriteString(`"/>`)
	}
	b.WriteString(`</hyperlinks>`)
}

// writePrintSetup writes how the sheet prints and closes it: landscape
// A4, fitted to one page wide (as many pages down as needed), narrow
// margins, a header with the programme, the sheet and the export date,
// and page numbers in the footer. The title row repeated on every page
// is a name of the workbook (see writeWorkbook).
func (sw *sheetWriter) writePrintSetup(sheet string, opts XLSXOptions, now time.Time) {
	b := sw.b
	b.WriteString(`<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.6" header="0.3" footer="0.3"/>`)
	b.WriteString(`<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>`)
	header, footer := pageHeaderFooter(opts, sheet, now)
	b.WriteString(`<headerFooter><oddHeader>`)
	writeEscaped(b, cleanText(header), true)
	b.WriteString(`</oddHeader><oddFooter>`)
	writeEscaped(b, cleanText(footer), true)
	b.WriteString(`</oddFooter></headerFooter></worksheet>`)
}

// pageHeaderFooter is printed on every page: the programme at the left,
// the sheet in the middle, the export date at the right; "Page 2 / 5"
// below.
func pageHeaderFooter(opts XLSXOptions, sheet string, now time.Time) (header, footer string) {
	exported, page := "Export du ", "&CPage &P / &N"
	if opts.Language == "en" {
		exported, page = "Exported ", "&CPage &P of &N"
	}
	return "&L" + headerText(opts.Program, 80) + "&C&\"-,Bold\"" + headerText(sheet, 40) +
		"&R" + exported + now.Format(frenchDate), page
}

// headerText escapes s for a page header or footer, where & starts a
// code, and caps it to max characters: Excel refuses a header over 255.
func headerText(s string, max int) string {
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return strings.ReplaceAll(s, "&", "&&")
}

// quoteSheet quotes a sheet name for a reference, an apostrophe inside
// doubled: 'Liste d”attente'.
func quoteSheet(sheet string) string {
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
}

// cellKind is how a cell is written.
type cellKind uint8

const (
	cellEmpty cellKind = iota // no cell at all
	cellInt
	cellDate   // an Excel serial, with the date style
	cellInline // an inline string
)

// xlsxCell is a cell as the sheet holds it.
type xlsxCell struct {
	kind  cellKind
	style int
	n     int
	date  float64
	text  string
}

// cell returns what the sheet holds for v: a number, a date, or text,
// each styled to sit at the top of its row.
func (sw *sheetWriter) cell(v value, wrap bool) xlsxCell {
	style := styleCell
	if wrap {
		style = styleWrap
	}
	switch v.kind {
	case kindText, kindList, kindStatus, kindMissing:
		return textCell(cellText(v, sw.loc, false, sw.lang), style)
	case kindSiret:
		return textCell(v.s, style) // the cell is text: no grouping needed to keep it whole
	case kindPhone:
		return textCell(applicant.DisplayPhone(v.s), style)
	case kindInt:
		return xlsxCell{kind: cellInt, style: style, n: v.n}
	case kindBool:
		return textCell(yesNo(v.b, sw.lang), style)
	case kindTime:
		return dateCell(v.t.In(sw.loc))
	}
	return xlsxCell{}
}

// textCell returns s as a text cell, cleaned for XML; empty text (an
// empty list, say) is an empty cell, not an empty string. Text that a
// spreadsheet would take for a formula is neutralised as in the CSV
// (Neutralize): a leading apostrophe, kept as text, that shows and
// survives the cell being saved again as CSV. It is decided on the text
// as written, so a control character dropped from the front does not
// hide a formula.
func textCell(s string, style int) xlsxCell {
	s = Neutralize(cleanText(s))
	if s == "" {
		return xlsxCell{}
	}
	return xlsxCell{kind: cellInline, style: style, text: s}
}

// Excel has no date before 1 March 1900 (its serials count a 29 February
// 1900 that never was) and none after 9999.
var (
	excelEpoch   = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelFirst   = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
	excelPastEnd = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// dateCell returns t as an Excel date: days since the end of 1899 on the
// wall clock of t's location, the fraction being the time of day. A date
// Excel cannot hold is text.
func dateCell(t time.Time) xlsxCell {
	if t.IsZero() {
		return xlsxCell{}
	}
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	wall := time.Date(y, m, d, h, mi, s, t.Nanosecond(), time.UTC)
	if wall.Before(excelFirst) || !wall.Before(excelPastEnd) {
		return textCell(t.Format(frenchDate), styleCell)
	}
	secs := float64(wall.Unix()-excelEpoch.Unix()) + float64(wall.Nanosecond())/1e9
	return xlsxCell{kind: cellDate, style: styleDate, date: secs / 86400}
}

// writeCell writes c as the cell of column col (from 0) in row r.
func (sw *sheetWriter) writeCell(col, r int, c xlsxCell) {
	if c.kind == cellEmpty {
		return
	}
	b := sw.b
	b.WriteString(`<c r="`)
	b.WriteString(columnNames[col])
	sw.writeInt(r)
	b.WriteString(`" s="`)
	sw.writeInt(c.style)
	switch c.kind {
	case cellInt:
		b.WriteString(`"><v>`)
		sw.writeInt(c.n)
		b.WriteString(`</v></c>`)
	case cellDate:
		b.WriteString(`"><v>`)
		sw.num = strconv.AppendFloat(sw.num[:0], c.date, 'f', -1, 64)
		b.Write(sw.num)
		b.WriteString(`</v></c>`)
	case cellInline:
		b.WriteString(`" t="inlineStr"><is><t`)
		if needsPreserve(c.text) {
			b.WriteString(` xml:space="preserve"`)
		}
		b.WriteString(`>`)
		writeEscaped(b, c.text, true)
		b.WriteString(`</t></is></c>`)
	}
}

func (sw *sheetWriter) writeInt(n int) {
	sw.num = strconv.AppendInt(sw.num[:0], int64(n), 10)
	sw.b.Write(sw.num)
}

// mailtoAddress tells whether an e-mail address is plain enough to be a
// mailto link as it is: ASCII letters, digits and . _ + - before the @,
// dot-separated letters, digits and hyphens after. Anything else stays
// text.
func mailtoAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(s) > 254 || len(local) > 64 || !isAlnum(local[0]) {
		return false
	}
	for i := 0; i < len(local); i++ {
		if c := local[i]; !isAlnum(c) && !strings.ContainsRune("._+-", rune(c)) {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
