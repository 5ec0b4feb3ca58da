package shortlist_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

// quotePrefixed reads which cell styles of the workbook b carry Excel's
// quote prefix (excelize does not say) and returns whether a cell has
// one of them.
func quotePrefixed(t *testing.T, b []byte, f *excelize.File) func(sheet, cell string) bool {
	t.Helper()
	var styles struct {
		Xfs []struct {
			QuotePrefix bool `xml:"quotePrefix,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.Unmarshal([]byte(readZip(t, b, "xl/styles.xml")), &styles); err != nil {
		t.Fatal(err)
	}
	return func(sheet, cell string) bool {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		if id < 0 || id >= len(styles.Xfs) {
			t.Fatalf("%s!%s has style %d, not in styles.xml", sheet, cell, id)
		}
		return styles.Xfs[id].QuotePrefix
	}
}

// TestXLSXQuotePrefix checks that exactly the cells whose text a
// spreadsheet would take for a formula (those Neutralize quotes in CSV)
// have the quote prefix, decided on the text as written: a control
// character dropped from the front makes the rest formula-like.
func TestXLSXQuotePrefix(t *testing.T) {
	stripped := application(9, func(a *store.Application) { a.Company = "\x01=1+1" })
	rows := append(append(sampleRows(), injectionRows()...),
		shortlist.Rank([]*store.Application{stripped}, shortlist.Rules{}, 8, nil)...)
	b, f := writeXLSX(t, rows, "fr")
	wellFormed(t, b)
	quoted := quotePrefixed(t, b, f)
	var all []string // the quoted cells of Toutes
	for _, sheet := range sheets {
		got, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r := range got {
			for c := range shortlist.ReadingColumns {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				v, err := f.GetCellValue(sheet, cell)
				if err != nil {
					t.Fatal(err)
				}
				want := shortlist.Neutralize(v) != v
				if got := quoted(sheet, cell); got != want {
					t.Errorf("%s!%s = %q: quote prefix %v, want %v", sheet, cell, v, got, want)
				}
				if want && sheet == "Toutes" {
					all = append(all, cell)
				}
			}
		}
	}
	// The foreign phone of the second row, 11 cells of the hostile row
	// (the e-mail among them), and the stripped company.
	want := []string{"T3", "D6", "E6", "F6", "G6", "H6", "L6", "P6", "R6", "T6", "U6", "X6", "D7"}
	if !slices.Equal(all, want) {
		t.Errorf("quoted cells of Toutes %q, want %q", all, want)
	}
	if v, _ := f.GetCellValue("Toutes", cellOf("company", 7)); v != "=1+1" {
		t.Errorf("stripped company shows %q", v)
	}
}

// Text from e-mails comes back as written, but for what XML 1.0 cannot
// carry and what a cell cannot hold.
func TestXLSXTextEscaped(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<b>&"x"</b> 'y' ]]>`, `<b>&"x"</b> 'y' ]]>`},
		{"_x0041_ et _x005F_ et _x00", "_x0041_ et _x005F_ et _x00"},
		{"a\x01b\x00c\x1f", "abc"},
		{"caf\xff", "caf\uFFFD"},
		{"x\uFFFEy\uFFFF", "xy"},
		{"  deux espaces  ", "  deux espaces  "},
		{"ligne 1\r\nligne 2\tfin\n", "ligne 1\r\nligne 2\tfin\n"},
		{strings.Repeat("é", 40000), strings.Repeat("é", 32767)},
		// An emoji is two of Excel's 32,767 characters.
		{strings.Repeat("😀", 20000), strings.Repeat("😀", 16383)},
	} {
		a := application(1, func(a *store.Application) { a.Company = c.in })
		b, f := writeXLSX(t, shortlist.Rank([]*store.Application{a}, shortlist.Rules{}, 8, nil), "fr")
		wellFormed(t, b)
		v, err := f.GetCellValue("Toutes", cellOf("company", 2))
		if err != nil {
			t.Fatal(err)
		}
		if v != c.want {
			t.Errorf("%.40q reads back as %.40q (%d runes), want %.40q (%d runes)", c.in, v,
				utf8.RuneCountInString(v), c.want, utf8.RuneCountInString(c.want))
		}
	}
}

// wellFormed checks that every part of the workbook b parses as XML and
// has a content type.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	types := readZip(t, b, "[Content_Types].xml")
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(rc)
		for {
			if _, err = d.Token(); err != nil {
				break
			}
		}
		rc.Close()
		if !errors.Is(err, io.EOF) {
			t.Errorf("%s is not well-formed XML: %v", zf.Name, err)
		}
		if zf.Name != "[Content_Types].xml" && !strings.Contains(types, `PartName="/`+zf.Name+`"`) &&
			!strings.Contains(types, `Extension="`+strings.TrimPrefix(path.Ext(zf.Name), ".")+`"`) {
			t.Errorf("%s has no content type", zf.Name)
		}
	}
}

// An export of nothing is a workbook of three sheets of titles, each
// filtered.
func TestXLSXEmpty(t *testing.T) {
	b, f := writeXLSX(t, nil, "fr")
	wellFormed(t, b)
	for _, sheet := range sheets {
		rows, err := f.GetRows(sheet)
		if err != nil || len(rows) != 1 || rows[0][0] != "Rang" {
			t.Errorf("%s: %q %v, want the titles only", sheet, rows, err)
		}
	}
	if x := readZip(t, b, "xl/worksheets/sheet2.xml"); !strings.Contains(x, `<autoFilter ref="A1:X1"/>`) ||
		strings.Contains(x, "<hyperlinks") {
		t.Errorf("empty sheet: %s", x)
	}
}

func TestXLSXLinkStyle(t *testing.T) {
	b, f := writeXLSX(t, sampleRows(), "fr")
	wellFormed(t, b)
	id, err := f.GetCellStyle("Toutes", cellOf("email", 2))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if s.Font == nil || s.Font.Color != "0563C1" || s.Font.Underline != "single" {
		t.Errorf("link font %+v, want blue underlined", s.Font)
	}
	id, _ = f.GetCellStyle("Toutes", cellOf("received_at", 2))
	if s, err := f.GetStyle(id); err != nil || s.CustomNumFmt == nil || *s.CustomNumFmt != "dd/mm/yyyy hh:mm" {
		t.Errorf("date style %+v %v", s, err)
	}
	id, _ = f.GetCellStyle("Toutes", "A1")
	if s, err := f.GetStyle(id); err != nil || s.Fill.Type != "pattern" || s.Fill.Pattern != 1 ||
		s.Alignment == nil || !s.Alignment.WrapText {
		t.Errorf("title style %+v %v, want filled and wrapped", s, err)
	}
	// excelize reads a fill's colour only from a workbook with a theme.
	if !strings.Contains(readZip(t, b, "xl/styles.xml"), `<fgColor rgb="FFDDE5F0"/>`) {
		t.Error("title fill is not DDE5F0")
	}
}

// FuzzXLSXText writes whatever an applicant typed as a company and checks
// that the workbook stays well-formed, that the cell reads back as typed
// but for what XML 1.0 cannot carry, and that it has the quote prefix
// exactly when it would read as a formula.
func FuzzXLSXText(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	for _, s := range []string{"Causses & Cie <SARL> \"x\"", "_x0041__x005F_x0042_", "\x00=1", " \r\n", "caf\xe9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := application(1, func(a *store.Application) { a.Company = s })
		b, xf := writeXLSX(t, shortlist.Rank([]*store.Application{a}, shortlist.Rules{}, 8, nil), "fr")
		wellFormed(t, b)
		cell := cellOf("company", 2)
		v, err := xf.GetCellValue("Toutes", cell)
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		for _, r := range s { // invalid UTF-8 comes as U+FFFD
			if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
				want.WriteRune(r)
			}
		}
		if v != want.String() {
			t.Fatalf("company %q reads back as %q, want %q", s, v, want.String())
		}
		if v != "" {
			if got, want := quotePrefixed(t, b, xf)("Toutes", cell), shortlist.Neutralize(v) != v; got != want {
				t.Fatalf("company %q: quote prefix %v, want %v", s, got, want)
			}
		}
	})
}
