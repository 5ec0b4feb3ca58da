package shortlist

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
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

// xlsxStyles are the style ids of the cells of every sheet.
type xlsxStyles struct {
	header, cell, wrap, date, link int
}

// WriteXLSX writes rows as a workbook for a selection committee, with
// three sheets: the selection (active when the file opens), the waiting
// list, and all rows. Each has a bold frozen title row with an
// autofilter, columns in ReadingColumns order with titles and words in
// opts.Language; dates and numbers are real date and number cells; text
// is neutralized (see Neutralize) and written as text, never as a
// formula. Printed, each sheet is landscape A4 fitted to one page wide,
// the title row repeated on every page, headed with the programme, the
// sheet and the export date, and numbered. Sheets are streamed, so ten
// thousand rows take about a second.
func WriteXLSX(w io.Writer, rows []Row, opts XLSXOptions) error {
	loc, err := location(opts.Location)
	if err != nil {
		return err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), SheetSelection); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	for _, name := range []string{SheetWaiting, SheetAll} {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("write xlsx: sheet %s: %w", name, err)
		}
	}
	// Set while the sheets are empty: once they are streamed, the call
	// would parse every sheet back into memory.
	f.SetActiveSheet(0)
	st, err := newXLSXStyles(f)
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	sections := map[string][]Row{}
	for _, r := range rows {
		sections[r.Section] = append(sections[r.Section], r)
	}
	for _, s := range []struct {
		name string
		rows []Row
	}{
		{SheetSelection, sections[SectionSelection]},
		{SheetWaiting, sections[SectionWaiting]},
		{SheetAll, rows},
	} {
		if err := writeSheet(f, s.name, s.rows, st, loc, opts, now.In(loc)); err != nil {
			return fmt.Errorf("write xlsx: sheet %s: %w", s.name, err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	top := func(wrap bool) *excelize.Alignment {
		return &excelize.Alignment{Vertical: "top", WrapText: wrap}
	}
	dateFmt := xlsxDate
	var st xlsxStyles
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&st.header, &excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE5F0"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		}},
		{&st.cell, &excelize.Style{Alignment: top(false)}},
		{&st.wrap, &excelize.Style{Alignment: top(true)}},
		{&st.date, &excelize.Style{CustomNumFmt: &dateFmt, Alignment: top(false)}},
		{&st.link, &excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}, Alignment: top(true)}},
	} {
		id, err := f.NewStyle(s.style)
		if err != nil {
			return st, fmt.Errorf("style: %w", err)
		}
		*s.id = id
	}
	return st, nil
}

// maxMailtoLinks caps the e-mail links of a sheet: excelize numbers each
// link by scanning those already set, so ten thousand links would take
// seconds. A committee's sheet has far fewer rows; past the cap, an
// address is text that can still be copied.
const maxMailtoLinks = 1000

func writeSheet(f *excelize.File, name string, rows []Row, st xlsxStyles, loc *time.Location, opts XLSXOptions, now time.Time) error {
	// The sheet properties are written when the stream writer is created,
	// so fit-to-page is set before.
	fit := true
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	// Widths and panes must be set before the first row is streamed.
	// excelize puts each new column before the ones already set, and Excel
	// wants them in order: so from the last column to the first.
	for i := len(readingOrder) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, readingOrder[i].width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	cells := make([]any, len(readingOrder))
	for i, c := range readingOrder {
		cells[i] = excelize.Cell{StyleID: st.header, Value: c.title(opts.Language)}
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{StyleID: st.header}); err != nil {
		return err
	}
	emailCol := slices.Index(ReadingColumns, "email") + 1
	var vals []value
	for i := range rows {
		vals = rows[i].values(vals)
		for j, k := range readingIndex {
			cells[j] = xlsxCell(vals[k], loc, opts.Language, readingOrder[j].wrap, st)
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		// A valid address is a mailto link: a hyperlink of the sheet, never
		// a HYPERLINK formula, so nothing an applicant wrote is evaluated.
		if addr := rows[i].Application.Email; i < maxMailtoLinks && mailtoAddress(addr) {
			cells[emailCol-1] = excelize.Cell{StyleID: st.link, Value: addr}
			cell, err := excelize.CoordinatesToCellName(emailCol, i+2)
			if err != nil {
				return err
			}
			if err := f.SetCellHyperLink(name, cell, "mailto:"+addr, "External"); err != nil {
				return err
			}
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	last, err := excelize.CoordinatesToCellName(len(readingOrder), len(rows)+1)
	if err != nil {
		return err
	}
	// The stream writer writes the worksheet's autofilter, hyperlinks and
	// page setup when it flushes, so they are set on the worksheet now,
	// between the rows and Flush.
	if err := f.AutoFilter(name, "A1:"+last, nil); err != nil {
		return err
	}
	if strings.Contains(name, "'") {
		if err := fixFilterName(f, name, last); err != nil {
			return err
		}
	}
	if err := setPrint(f, name, opts, now); err != nil {
		return fmt.Errorf("print setup: %w", err)
	}
	return sw.Flush()
}

// setPrint sets how a sheet prints: landscape A4, fitted to one page wide
// (as many pages down as needed), narrow margins, the title row on every
// page, a header with the programme, the sheet and the export date, and
// page numbers in the footer.
func setPrint(f *excelize.File, sheet string, opts XLSXOptions, now time.Time) error {
	landscape, a4, one, auto := "landscape", 9, 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape,
		FitToWidth: &one, FitToHeight: &auto}); err != nil {
		return err
	}
	left, right, top, bottom, header, footer := 0.4, 0.4, 0.75, 0.6, 0.3, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &left, Right: &right,
		Top: &top, Bottom: &bottom, Header: &header, Footer: &footer}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sheet, pageHeaderFooter(opts, sheet, now)); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
		RefersTo: quoteSheet(sheet) + "!$1:$1", Scope: sheet}); err != nil {
		return fmt.Errorf("print titles: %w", err)
	}
	return nil
}

// pageHeaderFooter is printed on every page: the programme at the left,
// the sheet in the middle, the export date at the right; "Page 2 / 5"
// below.
func pageHeaderFooter(opts XLSXOptions, sheet string, now time.Time) *excelize.HeaderFooterOptions {
	exported, page := "Export du ", "&CPage &P / &N"
	if opts.Language == "en" {
		exported, page = "Exported ", "&CPage &P of &N"
	}
	return &excelize.HeaderFooterOptions{
		OddHeader: "&L" + headerText(opts.Program, 80) + "&C&\"-,Bold\"" + headerText(sheet, 40) +
			"&R" + exported + now.Format(frenchDate),
		OddFooter: page,
	}
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

// fixFilterName rewrites the autofilter's defined name of a sheet whose
// name holds an apostrophe ("Liste d'attente"): excelize writes
// 'Liste d'attente'!$A$1:…, which Excel rejects (an apostrophe inside a
// quoted sheet name is doubled), and LibreOffice finds the autofilter
// through that name. The rewritten name is no longer hidden in the name
// manager, which is harmless.
func fixFilterName(f *excelize.File, sheet, last string) error {
	const filterName = "_xlnm._FilterDatabase"
	if err := f.DeleteDefinedName(&excelize.DefinedName{Name: filterName, Scope: sheet}); err != nil {
		return fmt.Errorf("autofilter name: %w", err)
	}
	abs, err := absolute(last)
	if err != nil {
		return err
	}
	ref := quoteSheet(sheet) + "!$A$1:" + abs
	if err := f.SetDefinedName(&excelize.DefinedName{Name: filterName, RefersTo: ref, Scope: sheet}); err != nil {
		return fmt.Errorf("autofilter name: %w", err)
	}
	return nil
}

// absolute turns X5 into $X$5.
func absolute(cell string) (string, error) {
	col, row, err := excelize.CellNameToCoordinates(cell)
	if err != nil {
		return "", err
	}
	name, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return "", err
	}
	return "$" + name + "$" + strconv.Itoa(row), nil
}

// xlsxCell returns what the stream writer takes for v: numbers, a date
// cell, or neutralized text (a Go string is written as an inline string,
// never as a formula), each styled to sit at the top of its row.
func xlsxCell(v value, loc *time.Location, lang string, wrap bool, st xlsxStyles) any {
	style := st.cell
	if wrap {
		style = st.wrap
	}
	switch v.kind {
	case kindText, kindList, kindSiret, kindStatus, kindMissing:
		s := cellText(v, loc, false, lang)
		if v.kind == kindSiret {
			s = v.s // the cell is text: no grouping needed to keep it whole
		}
		if s == "" {
			return nil // an empty list is an empty cell, not an empty string
		}
		return excelize.Cell{StyleID: style, Value: Neutralize(s)}
	case kindPhone:
		return excelize.Cell{StyleID: style, Value: FrenchPhone(v.s)}
	case kindInt:
		return excelize.Cell{StyleID: style, Value: v.n}
	case kindBool:
		return excelize.Cell{StyleID: style, Value: yesNo(v.b, lang)}
	case kindTime:
		if v.t.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: st.date, Value: v.t.In(loc)}
	}
	return nil
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
