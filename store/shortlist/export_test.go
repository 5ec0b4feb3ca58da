package shortlist_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// sampleRows is a small, fixed export: a selection of two, one on the
// waiting list, one out of the perimeter.
func sampleRows() []shortlist.Row {
	apps := []*store.Application{
		application(1, func(a *store.Application) {
			a.FirstName, a.LastName, a.Company, a.Role = "Hélène", "Séguret", "Fromagerie de l'Aubrac", "Co-gérante"
			a.Score, a.Notes = ptr(8), "Très motivée; à rappeler"
		}),
		application(2, func(a *store.Application) {
			a.FirstName, a.LastName, a.Company = "Éric", "Boyer", "Menuiserie \"Les Causses\""
			a.ReceivedAt = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC) // summer time
			a.Headcount, a.Phone = nil, "+41221234567"
		}),
		application(3, func(a *store.Application) {
			a.FirstName, a.LastName, a.Company = "Inès", "Roux", "Gîtes du Mont Lozère"
			a.Status, a.Missing = store.StatusIncomplete, []store.Missing{{Field: "siret", Reason: "SIRET invalide"},
				{Field: "phone"}}
			a.Siret, a.SiretValid, a.Phone = "73282932000075", ptr(false), ""
		}),
		application(4, func(a *store.Application) {
			a.FirstName, a.LastName, a.Company, a.Departement, a.PostalCode = "Paul", "Vidal", "Vidal BTP", "30", "30100"
		}),
	}
	// SIRET not required, so that the incomplete application with an
	// invalid SIRET waits on the list rather than being out.
	return shortlist.Rank(apps, shortlist.Rules{Departements: []string{"48"}}, 2,
		map[int64][]string{1: {"CV Hélène.pdf", "Kbis.pdf"}})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestCSVGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		opts shortlist.CSVOptions
	}{
		{"export.csv", shortlist.CSVOptions{Location: paris(t)}},
		{"export-en.csv", shortlist.CSVOptions{Language: "en", Location: paris(t)}},
		{"export-rfc4180.csv", shortlist.CSVOptions{RFC4180: true, Location: paris(t)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := shortlist.WriteCSV(&buf, sampleRows(), c.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, buf.Bytes())
		})
	}
}

// TestCSVFrenchExcel checks the bytes a French Excel needs.
func TestCSVFrenchExcel(t *testing.T) {
	var buf bytes.Buffer
	if err := shortlist.WriteCSV(&buf, sampleRows(), shortlist.CSVOptions{}); err != nil { // default timezone
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 BOM: % x", b[:3])
	}
	header := "Rang;Référence;Statut;Entreprise;Nom;Prénom;Fonction;Commune;Code postal;Département;Effectif;" +
		"Secteur;Éligible;Motifs;Complet;Pièces manquantes;Note;Commentaires;Reçue le;Téléphone;E-mail;SIRET;" +
		"SIRET valide;Pièces jointes\r\n"
	if !bytes.HasPrefix(b[3:], []byte(header)) {
		t.Fatalf("header line:\n%q", b[3:3+len(header)])
	}
	if n := bytes.Count(b, []byte("\n")); n != bytes.Count(b, []byte("\r\n")) || n != 5 {
		t.Fatalf("%d line feeds, %d CRLF, want 5 CRLF only", n, bytes.Count(b, []byte("\r\n")))
	}
	for _, s := range []string{"Hélène", "Séguret", "Gîtes du Mont Lozère"} {
		if !bytes.Contains(b, []byte(s)) { // UTF-8, as written
			t.Errorf("%q not in UTF-8", s)
		}
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(rec []string, name string) string { return rec[slices.Index(shortlist.ReadingColumns, name)] }
	first, summer := recs[1], recs[2]
	checks := []struct{ got, want string }{
		{col(first, "rank"), "1"},
		{col(first, "siret"), "732 829 320 00074"},
		{col(first, "received_at"), "02/03/2026 11:15"},  // 10:15 UTC, CET
		{col(summer, "received_at"), "01/07/2026 10:00"}, // 08:00 UTC, CEST
		{col(first, "phone"), "06 12 34 56 78"},
		{col(summer, "phone"), "'+41221234567"},
		{col(first, "complete"), "oui"},
		{col(first, "siret_valid"), "oui"},
		{col(first, "headcount"), "12"},
		{col(summer, "headcount"), ""},
		{col(first, "score"), "8"},
		{col(summer, "score"), ""},
		{col(first, "notes"), "Très motivée; à rappeler"},
		{col(first, "attachments"), "CV Hélène.pdf, Kbis.pdf"},
		{col(summer, "company"), "Menuiserie \"Les Causses\""},
		{col(first, "status"), "Complète"},
		{col(recs[3], "status"), "Incomplète"},
		{col(recs[3], "missing"), "SIRET (SIRET invalide), Téléphone"},
		{col(recs[3], "complete"), "non"},
		{col(recs[4], "eligible"), "non"},
		{col(recs[4], "rank"), ""},
		{col(recs[4], "reasons"), "département 30 hors périmètre (48 attendu)"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: %q, want %q", i, c.got, c.want)
		}
	}
}

func TestCSVRFC4180(t *testing.T) {
	var buf bytes.Buffer
	if err := shortlist.WriteCSV(&buf, sampleRows(), shortlist.CSVOptions{RFC4180: true, Location: paris(t)}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatal("BOM in RFC 4180 CSV")
	}
	if !bytes.HasPrefix(b, []byte("rank,reference,status,")) || !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatalf("not comma CSV with CRLF: %q", b[:40])
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(shortlist.Columns, "received_at")
	if got := recs[1][col]; got != "2026-03-02T11:15:00+01:00" {
		t.Errorf("received_at %q", got)
	}
	if got := recs[1][slices.Index(shortlist.Columns, "eligible")]; got != "true" {
		t.Errorf("eligible %q", got)
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := shortlist.WriteJSON(&buf, sampleRows(), paris(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "export.json", buf.Bytes())
	var objs []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &objs); err != nil {
		t.Fatal(err)
	}
	if len(objs) != 4 {
		t.Fatalf("%d objects", len(objs))
	}
	for _, o := range objs {
		if len(o) != len(shortlist.Columns) {
			t.Errorf("%d keys, want %d", len(o), len(shortlist.Columns))
		}
	}
	first, summer, out := objs[0], objs[1], objs[3]
	checks := []struct {
		got, want any
	}{
		{first["rank"], 1.0},
		{first["headcount"], 12.0},
		{first["score"], 8.0},
		{first["siret_valid"], true},
		{first["phone"], "+33612345678"},
		{first["received_at"], "2026-03-02T11:15:00+01:00"},
		{summer["headcount"], nil},
		{summer["score"], nil},
		{summer["notes"], nil},
		{out["rank"], nil},
		{out["eligible"], false},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: %#v, want %#v", i, c.got, c.want)
		}
	}
	if got := first["attachments"].([]any); len(got) != 2 || got[0] != "CV Hélène.pdf" {
		t.Errorf("attachments %#v", got)
	}
	if got := out["reasons"].([]any); len(got) != 1 {
		t.Errorf("reasons %#v", got)
	}
	if got := summer["missing"].([]any); len(got) != 0 {
		t.Errorf("missing %#v, want []", got)
	}

	buf.Reset()
	if err := shortlist.WriteJSON(&buf, nil, paris(t)); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "[]\n" {
		t.Errorf("empty export %q", buf.String())
	}
}

// exportDate is the export date the XLSX tests print in page headers.
var exportDate = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func writeXLSX(t *testing.T, rows []shortlist.Row, lang string) ([]byte, *excelize.File) {
	t.Helper()
	var buf bytes.Buffer
	if err := shortlist.WriteXLSX(&buf, rows, shortlist.XLSXOptions{Language: lang,
		Program: "J'initie, je m'engage RSE & co", Location: paris(t), Now: exportDate}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return buf.Bytes(), f
}

// cellOf names the cell of a reading column in row.
func cellOf(col string, row int) string {
	name, _ := excelize.CoordinatesToCellName(slices.Index(shortlist.ReadingColumns, col)+1, row)
	return name
}

var sheets = []string{"Sélection", "Liste d'attente", "Toutes"}

func TestXLSXSheetsAndTitles(t *testing.T) {
	b, f := writeXLSX(t, sampleRows(), "fr")
	if got := f.GetSheetList(); !slices.Equal(got, sheets) {
		t.Fatalf("sheets %q, want %q", got, sheets)
	}
	wantRefs := map[string][]string{
		"Sélection":       {"RSE-2026-0001", "RSE-2026-0002"},
		"Liste d'attente": {"RSE-2026-0003"},
		"Toutes":          {"RSE-2026-0001", "RSE-2026-0002", "RSE-2026-0003", "RSE-2026-0004"},
	}
	for _, sheet := range sheets {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if want := shortlist.Titles("fr"); !slices.Equal(rows[0], want) {
			t.Errorf("%s titles %q, want %q", sheet, rows[0], want)
		}
		if rows[0][0] != "Rang" || rows[0][1] != "Référence" || rows[0][2] != "Statut" {
			t.Errorf("%s starts %q", sheet, rows[0][:3])
		}
		var refs []string
		for _, r := range rows[1:] {
			refs = append(refs, r[1])
		}
		if !slices.Equal(refs, wantRefs[sheet]) {
			t.Errorf("%s rows %q, want %q", sheet, refs, wantRefs[sheet])
		}
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
			t.Errorf("%s panes %+v, want the title row frozen", sheet, panes)
		}
		style, err := f.GetCellStyle(sheet, "A1")
		if err != nil {
			t.Fatal(err)
		}
		if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
			t.Errorf("%s title row not bold: %+v %v", sheet, s, err)
		}
	}
	// "Sélection" opens first: the workbook's active tab and the only
	// selected sheet tab.
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d, want 0 (Sélection)", i)
	}
	for i, name := range []string{"sheet1", "sheet2", "sheet3"} {
		if got := strings.Contains(readZip(t, b, "xl/worksheets/"+name+".xml"), `tabSelected="true"`); got != (i == 0) {
			t.Errorf("%s tabSelected %v", name, got)
		}
	}
	// One autofilter per sheet, over the title row and its rows.
	var filters []string
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm._FilterDatabase" {
			filters = append(filters, n.RefersTo)
		}
	}
	slices.Sort(filters)
	wantFilters := []string{"'Liste d''attente'!$A$1:$X$2", "'Sélection'!$A$1:$X$3", "'Toutes'!$A$1:$X$5"}
	if !slices.Equal(filters, wantFilters) {
		t.Errorf("autofilters %q, want %q", filters, wantFilters)
	}
	sheetXML := readZip(t, b, "xl/worksheets/sheet3.xml")
	if !strings.Contains(sheetXML, `<cols><col min="1" max="1" width="6" customWidth="1"/><col min="2" max="2"`) {
		t.Errorf("column widths missing or out of order")
	}
	if !strings.Contains(sheetXML, `<autoFilter ref="A1:X5"`) {
		t.Errorf("no autofilter in the Toutes sheet")
	}
}

func TestXLSXPrintSetup(t *testing.T) {
	for _, c := range []struct {
		lang, header, footer string
	}{
		{"fr", "&LJ'initie, je m'engage RSE && co&C&\"-,Bold\"%s&RExport du 02/12/2026 10:00", "&CPage &P / &N"},
		{"en", "&LJ'initie, je m'engage RSE && co&C&\"-,Bold\"%s&RExported 02/12/2026 10:00", "&CPage &P of &N"},
	} {
		_, f := writeXLSX(t, sampleRows(), c.lang)
		titles := map[string]string{}
		for _, n := range f.GetDefinedName() {
			if n.Name == "_xlnm.Print_Titles" {
				titles[n.Scope] = n.RefersTo
			}
		}
		for _, sheet := range sheets {
			layout, err := f.GetPageLayout(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if *layout.Orientation != "landscape" || layout.FitToWidth == nil || *layout.FitToWidth != 1 ||
				layout.FitToHeight == nil || *layout.FitToHeight != 0 || *layout.Size != 9 {
				t.Errorf("%s %s: orientation %s, size %d, fit to width %v height %v, want landscape A4 one page wide",
					c.lang, sheet, *layout.Orientation, *layout.Size, layout.FitToWidth, layout.FitToHeight)
			}
			props, err := f.GetSheetProps(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if props.FitToPage == nil || !*props.FitToPage {
				t.Errorf("%s %s: fit to page is off, so the fit to width is ignored", c.lang, sheet)
			}
			want := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!$1:$1"
			if titles[sheet] != want {
				t.Errorf("%s %s: print titles %q, want %q (the title row on every page)", c.lang, sheet, titles[sheet], want)
			}
			hf, err := f.GetHeaderFooter(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf(c.header, sheet); hf.OddHeader != want {
				t.Errorf("%s %s: page header %q, want %q", c.lang, sheet, hf.OddHeader, want)
			}
			if hf.OddFooter != c.footer {
				t.Errorf("%s %s: page footer %q, want %q", c.lang, sheet, hf.OddFooter, c.footer)
			}
		}
	}
}

func TestXLSXCells(t *testing.T) {
	_, f := writeXLSX(t, sampleRows(), "fr")
	// A real date with the French format.
	date := cellOf("received_at", 2)
	if v, _ := f.GetCellValue("Toutes", date); v != "02/03/2026 11:15" {
		t.Errorf("received_at shows %q", v)
	}
	if v, _ := f.GetCellValue("Toutes", date, excelize.Options{RawCellValue: true}); !strings.HasPrefix(v, "46083.46") {
		t.Errorf("received_at is %q, want an Excel date serial", v)
	}
	if v, _ := f.GetCellValue("Toutes", cellOf("received_at", 3)); v != "01/07/2026 10:00" {
		t.Errorf("summer received_at shows %q", v)
	}
	for _, col := range []string{"rank", "headcount", "score"} {
		typ, err := f.GetCellType("Toutes", cellOf(col, 2))
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s has type %v, want a number", col, typ)
		}
		if v, _ := f.GetCellValue("Toutes", cellOf(col, 2)); v == "" {
			t.Errorf("%s empty", col)
		}
	}
	for _, c := range []struct{ cell, want string }{
		{cellOf("status", 2), "Complète"},
		{cellOf("status", 4), "Incomplète"},
		{cellOf("eligible", 5), "non"},
		{cellOf("missing", 4), "SIRET (SIRET invalide), Téléphone"},
		{cellOf("phone", 2), "06 12 34 56 78"},
		{cellOf("siret", 2), "73282932000074"},
		{cellOf("company", 2), "Fromagerie de l'Aubrac"},
		{cellOf("score", 3), ""},
		{cellOf("reasons", 5), "département 30 hors périmètre (48 attendu)"},
	} {
		if v, _ := f.GetCellValue("Toutes", c.cell); v != c.want {
			t.Errorf("%s shows %q, want %q", c.cell, v, c.want)
		}
	}
	// Long texts wrap; short ones do not.
	for _, c := range []struct {
		cell string
		wrap bool
	}{{cellOf("notes", 2), true}, {cellOf("reasons", 5), true}, {cellOf("company", 2), true}, {cellOf("reference", 2), false}} {
		id, err := f.GetCellStyle("Toutes", c.cell)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Alignment != nil && s.Alignment.WrapText; got != c.wrap {
			t.Errorf("%s wraps: %v, want %v", c.cell, got, c.wrap)
		}
	}
	// A valid e-mail is a mailto link, not a formula.
	ok, link, err := f.GetCellHyperLink("Toutes", cellOf("email", 2))
	if err != nil || !ok || link != "mailto:lea@example.fr" {
		t.Errorf("e-mail link %v %q %v", ok, link, err)
	}
}

func TestXLSXEnglish(t *testing.T) {
	_, f := writeXLSX(t, sampleRows(), "en")
	rows, err := f.GetRows("Sélection")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], shortlist.Titles("en")) || rows[0][2] != "Status" {
		t.Errorf("titles %q", rows[0])
	}
	if v, _ := f.GetCellValue("Toutes", cellOf("status", 4)); v != "Incomplete" {
		t.Errorf("status %q", v)
	}
	if v, _ := f.GetCellValue("Toutes", cellOf("complete", 4)); v != "no" {
		t.Errorf("complete %q", v)
	}
}

func readZip(t *testing.T, b []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// hostile is what an applicant could type to run a formula in a
// coordinator's spreadsheet.
var hostile = []string{
	`=HYPERLINK("http://x","y")`, "+33612345678", "@SUM(1)", "-2+3", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0",
	"＝1+1",
}

func injectionRows() []shortlist.Row {
	a := application(1, func(a *store.Application) {
		a.Company, a.FirstName, a.LastName, a.Role = hostile[0], hostile[1], hostile[2], hostile[3]
		a.Commune, a.Sector, a.Notes, a.Email = hostile[4], hostile[5], hostile[6], hostile[7]
		a.Phone = "+41221234567"
		a.Missing = []store.Missing{{Field: "=1+1"}}
	})
	return shortlist.Rank([]*store.Application{a}, shortlist.DefaultRules(), 8,
		map[int64][]string{1: {"=evil.pdf", "cv.pdf"}})
}

func dangerous(s string) bool {
	return s != "" && (strings.ContainsRune("=+-@\t\r\n", rune(s[0])) || strings.HasPrefix(s, "＝"))
}

func TestCSVInjection(t *testing.T) {
	for _, rfc := range []bool{false, true} {
		var buf bytes.Buffer
		if err := shortlist.WriteCSV(&buf, injectionRows(), shortlist.CSVOptions{RFC4180: rfc, Location: paris(t)}); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF"))))
		if !rfc {
			r.Comma = ';'
		}
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		names := shortlist.ReadingColumns
		if rfc {
			names = shortlist.Columns
		}
		for _, rec := range recs {
			for i, v := range rec {
				if dangerous(v) {
					t.Errorf("rfc4180=%v: %s = %q is live", rfc, names[i], v)
				}
			}
		}
		col := func(name string) string { return recs[1][slices.Index(names, name)] }
		if got := col("company"); got != `'=HYPERLINK("http://x","y")` {
			t.Errorf("company %q", got)
		}
		if got := col("phone"); got != "'+41221234567" {
			t.Errorf("foreign phone %q", got)
		}
		if got := col("commune"); got != "'\t=1+1" {
			t.Errorf("commune %q", got)
		}
	}
}

// TestXLSXInjection reads every cell back: none is a formula, none starts
// like one, and what an applicant wrote is there whole, neutralised as in
// the CSV.
func TestXLSXInjection(t *testing.T) {
	b, f := writeXLSX(t, injectionRows(), "fr")
	cells := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				name, _ := excelize.CoordinatesToCellName(c+1, r+1)
				v, err := f.GetCellValue(sheet, name)
				if err != nil {
					t.Fatal(err)
				}
				formula, err := f.GetCellFormula(sheet, name)
				if err != nil {
					t.Fatal(err)
				}
				typ, err := f.GetCellType(sheet, name)
				if err != nil {
					t.Fatal(err)
				}
				if formula != "" || dangerous(v) || v != "" && typ != excelize.CellTypeInlineString && typ != excelize.CellTypeNumber && typ != excelize.CellTypeDate && typ != excelize.CellTypeUnset {
					t.Errorf("%s!%s = %q (type %v) formula %q is live", sheet, name, v, typ, formula)
				}
				cells++
			}
		}
	}
	if cells < 2*len(shortlist.Columns) {
		t.Fatalf("read back only %d cells", cells)
	}
	// The hostile company is there whole, as a text cell, inert.
	company := cellOf("company", 2)
	if v, _ := f.GetCellValue("Toutes", company); v != `'=HYPERLINK("http://x","y")` {
		t.Errorf("company %q", v)
	}
	if typ, _ := f.GetCellType("Toutes", company); typ != excelize.CellTypeInlineString {
		t.Errorf("company cell type %v, want an inline string", typ)
	}
	// An e-mail that is not an address is text, never a link.
	if ok, link, _ := f.GetCellHyperLink("Toutes", cellOf("email", 2)); ok {
		t.Errorf("hostile e-mail became the link %q", link)
	}
	// No formula element anywhere in the sheets.
	for _, name := range []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"} {
		if x := readZip(t, b, name); strings.Contains(x, "<f>") || strings.Contains(x, "<f ") {
			t.Errorf("%s holds a formula", name)
		}
	}
}

// Only a plain address becomes a mailto link; the cell shows what was
// written either way (neutralised when it starts like a formula).
func TestXLSXMailtoOnlyValidAddresses(t *testing.T) {
	for addr, link := range map[string]bool{
		"lea@example.fr":                  true,
		"jean.dupont+rse@mail.example.fr": true,
		"lea@localhost":                   false,
		"lea martin@example.fr":           false,
		`"lea"@example.fr`:                false,
		"-lea@example.fr":                 false,
		"lea@-example.fr":                 false,
		"lea@exa_mple.fr":                 false,
		"lea@example..fr":                 false,
		"lea@example.fr?subject=x":        false,
		`=HYPERLINK("mailto:a@b.fr")`:     false,
		"léa@example.fr":                  false,
	} {
		a := application(1, func(a *store.Application) { a.Email = addr })
		_, f := writeXLSX(t, shortlist.Rank([]*store.Application{a}, shortlist.Rules{}, 8, nil), "fr")
		ok, target, err := f.GetCellHyperLink("Toutes", cellOf("email", 2))
		if err != nil {
			t.Fatal(err)
		}
		if ok != link || ok && target != "mailto:"+addr {
			t.Errorf("%q: link %v %q, want %v", addr, ok, target, link)
		}
		if v, _ := f.GetCellValue("Toutes", cellOf("email", 2)); v != shortlist.Neutralize(addr) {
			t.Errorf("%q shows %q", addr, v)
		}
	}
}

func TestFrenchPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+33612345678": "06 12 34 56 78",
		"+33466490000": "04 66 49 00 00",
		"+41221234567": "'+41221234567",
		"+3361234":     "'+3361234",
		"0612345678":   "0612345678",
	} {
		if got := shortlist.FrenchPhone(in); got != want {
			t.Errorf("FrenchPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCSVNeutralized writes whatever an applicant typed and checks that
// it reads back unchanged, apart from the quote that makes it inert.
func FuzzCSVNeutralized(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("Causses & Cie; \"SARL\"\r\nligne 2")
	f.Fuzz(func(t *testing.T, s string) {
		a := application(1, func(a *store.Application) { a.Company = s })
		rows := shortlist.Rank([]*store.Application{a}, shortlist.Rules{}, 8, nil)
		var buf bytes.Buffer
		if err := shortlist.WriteCSV(&buf, rows, shortlist.CSVOptions{Location: time.UTC}); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF"))))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("the CSV written for company %q does not read back: %v", s, err)
		}
		got := recs[1][slices.Index(shortlist.ReadingColumns, "company")]
		if dangerous(got) {
			t.Fatalf("company %q is live", got)
		}
		// encoding/csv turns \r\n into \n inside quoted fields.
		want := strings.ReplaceAll(s, "\r\n", "\n")
		if got != want && got != "'"+want && !strings.Contains(s, "\r") {
			t.Fatalf("company %q read back as %q", s, got)
		}
	})
}

// Every valid address is a link, past a thousand rows too (Excel takes
// 65,530 links a sheet).
func TestXLSXMailtoLinksPastAThousand(t *testing.T) {
	apps := make([]*store.Application, 1001)
	for i := range apps {
		apps[i] = application(i+1, nil)
	}
	_, f := writeXLSX(t, shortlist.Rank(apps, shortlist.Rules{}, 8, nil), "fr")
	for row, want := range map[int]bool{2: true, 1001: true, 1002: true} {
		ok, _, err := f.GetCellHyperLink("Toutes", cellOf("email", row))
		if err != nil || ok != want {
			t.Errorf("row %d: link %v %v, want %v", row, ok, err, want)
		}
		if v, _ := f.GetCellValue("Toutes", cellOf("email", row)); v != "lea@example.fr" {
			t.Errorf("row %d shows %q", row, v)
		}
	}
}
