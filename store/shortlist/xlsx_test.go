package shortlist_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

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
// that the workbook stays well-formed and that the cell reads back as
// typed but for what XML 1.0 cannot carry, neutralised as the CSV is
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
		if w := shortlist.Neutralize(want.String()); v != w {
			t.Fatalf("company %q reads back as %q, want %q", s, v, w)
		}
	})
}
