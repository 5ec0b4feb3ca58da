package shortlist

import (
	"fmt"
	"io"
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

// columnWidths, in characters, fit the usual content of each column
// without hiding the header.
var columnWidths = map[string]float64{
	"rank": 6, "reference": 15, "status": 12, "last_name": 18, "first_name": 16, "company": 28,
	"siret": 16, "siret_valid": 11, "commune": 18, "postal_code": 11, "departement": 12, "headcount": 10,
	"role": 20, "sector": 20, "email": 30, "phone": 16, "received_at": 17, "complete": 10, "missing": 28,
	"eligible": 9, "reasons": 40, "score": 7, "notes": 30, "attachments": 30,
}

// xlsxDate shows received_at the French way, as a real date that sorts
// and filters as one.
const xlsxDate = "dd/mm/yyyy hh:mm"

// WriteXLSX writes rows as a workbook with three sheets: the selection,
// the waiting list, and all rows. Each has a bold frozen header with an
// autofilter; dates and numbers are real date and number cells; text is
// neutralized (see Neutralize) and written as text, never as a formula.
// Sheets are streamed, so ten thousand rows take about a second.
func WriteXLSX(w io.Writer, rows []Row, loc *time.Location) error {
	loc, err := location(loc)
	if err != nil {
		return err
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
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE5F0"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
	if err != nil {
		return fmt.Errorf("write xlsx: header style: %w", err)
	}
	dateFmt := xlsxDate
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fmt.Errorf("write xlsx: date style: %w", err)
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
		if err := writeSheet(f, s.name, s.rows, header, date, loc); err != nil {
			return fmt.Errorf("write xlsx: sheet %s: %w", s.name, err)
		}
	}
	// No SetActiveSheet: the first sheet already is, and the call would
	// parse every streamed sheet back into memory (most of the time of a
	// large export).
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

func writeSheet(f *excelize.File, name string, rows []Row, header, date int, loc *time.Location) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	// Widths and panes must be set before the first row is streamed.
	// excelize puts each new column before the ones already set, and Excel
	// wants them in order: so from the last column to the first.
	for i := len(Columns) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, columnWidths[Columns[i]]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	cells := make([]any, len(Columns))
	for i, c := range Columns {
		cells[i] = excelize.Cell{StyleID: header, Value: c}
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{StyleID: header}); err != nil {
		return err
	}
	var vals []value
	for i := range rows {
		vals = rows[i].values(vals)
		for j, v := range vals {
			cells[j] = xlsxCell(v, loc, date)
		}
		ref, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	last, err := excelize.CoordinatesToCellName(len(Columns), len(rows)+1)
	if err != nil {
		return err
	}
	// The stream writer writes the worksheet's autofilter when it flushes,
	// so it is set on the worksheet now, between the rows and Flush.
	if err := f.AutoFilter(name, "A1:"+last, nil); err != nil {
		return err
	}
	if strings.Contains(name, "'") {
		if err := fixFilterName(f, name, last); err != nil {
			return err
		}
	}
	return sw.Flush()
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
	ref := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!$A$1:" + abs
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
// never as a formula).
func xlsxCell(v value, loc *time.Location, date int) any {
	switch v.kind {
	case kindText, kindList, kindSiret:
		if v.s == "" {
			return nil // an empty list is an empty cell, not an empty string
		}
		return Neutralize(v.s)
	case kindPhone:
		return FrenchPhone(v.s)
	case kindInt:
		return v.n
	case kindBool:
		if v.b {
			return "oui"
		}
		return "non"
	case kindTime:
		if v.t.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: date, Value: v.t.In(loc)}
	}
	return nil
}
