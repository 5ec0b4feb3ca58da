package shortlist

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// Columns are the machine field names, in the order of the exports for
// programs: the RFC 4180 CSV has them as its header, JSON as its keys.
// The exports people read (the default CSV, the XLSX) have the same
// columns in ReadingColumns order, with titles (see Titles).
var Columns = []string{
	"rank", "reference", "status", "last_name", "first_name", "company", "siret", "siret_valid",
	"commune", "postal_code", "departement", "headcount", "role", "sector", "email", "phone",
	"received_at", "complete", "missing", "eligible", "reasons", "score", "notes", "attachments",
}

// ProgramTimezone is where the program's coordinators read dates.
const ProgramTimezone = "Europe/Paris"

type kind uint8

const (
	kindNull kind = iota
	kindText
	kindInt
	kindBool
	kindTime
	kindPhone   // E.164 in JSON, the French way in spreadsheets
	kindList    // an array in JSON, text in spreadsheets
	kindSiret   // digits, grouped in the French CSV
	kindStatus  // a code for programs, a word for people
	kindMissing // field codes for programs, names for people
)

// value is one cell, typed, so that each writer renders it its own way.
type value struct {
	kind kind
	s    string // text, phone, or a list as text
	n    int
	b    bool
	t    time.Time
	list []string
	miss []store.Missing // kindMissing
}

func text(s string) value {
	if s == "" {
		return value{}
	}
	return value{kind: kindText, s: s}
}

func siret(s string) value {
	if s == "" {
		return value{}
	}
	return value{kind: kindSiret, s: s}
}

func intPtr(p *int) value {
	if p == nil {
		return value{}
	}
	return value{kind: kindInt, n: *p}
}

func boolPtr(p *bool) value {
	if p == nil {
		return value{}
	}
	return value{kind: kindBool, b: *p}
}

func list(items []string, asText string) value {
	if items == nil {
		items = []string{}
	}
	return value{kind: kindList, list: items, s: asText}
}

// values returns the cells of row in Columns order, into dst (reused to
// spare an allocation per row on large exports).
func (row *Row) values(dst []value) []value {
	a := row.Application
	rank := value{}
	if row.Rank > 0 {
		rank = value{kind: kindInt, n: row.Rank}
	}
	phone := value{}
	if a.Phone != "" {
		phone = value{kind: kindPhone, s: a.Phone}
	}
	missing := make([]string, len(a.Missing))
	missingCodes := make([]string, len(a.Missing))
	for i, m := range a.Missing {
		missing[i], missingCodes[i] = m.Field, m.Field
		if m.Reason != "" {
			missingCodes[i] += " (" + m.Reason + ")"
		}
	}
	return append(dst[:0],
		rank,
		text(a.Reference),
		value{kind: kindStatus, s: a.Status},
		text(a.LastName),
		text(a.FirstName),
		text(a.Company),
		siret(a.Siret),
		boolPtr(a.SiretValid),
		text(a.Commune),
		text(a.PostalCode),
		text(a.Departement),
		intPtr(a.Headcount),
		text(a.Role),
		text(a.Sector),
		text(a.Email),
		phone,
		value{kind: kindTime, t: a.ReceivedAt},
		value{kind: kindBool, b: row.Complete},
		value{kind: kindMissing, list: missing, s: strings.Join(missingCodes, ", "), miss: a.Missing},
		value{kind: kindBool, b: row.Eligible},
		list(row.Reasons, strings.Join(row.Reasons, " ; ")),
		intPtr(a.Score),
		text(a.Notes),
		list(row.Attachments, strings.Join(row.Attachments, ", ")),
	)
}

// Neutralize makes a cell inert in a spreadsheet (OWASP "CSV injection"):
// text that a spreadsheet would read as a formula, because it starts with
// = + - @, a tab, a carriage return or a line feed (or their full-width
// forms, which some spreadsheets fold), gets a leading single quote, which
// Excel and LibreOffice take as "this is text".
func Neutralize(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// formulaLike tells whether a spreadsheet could read s as a formula (see
// Neutralize).
func formulaLike(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return true
	}
	for _, p := range []string{"＝", "＋", "－", "＠"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// FrenchPhone writes an E.164 French number the way it is read in France,
// +33612345678 -> "06 12 34 56 78". Anything else is returned neutralized
// as it is ("'+41221234567"), since a leading + would be a formula.
func FrenchPhone(e164 string) string {
	if d := applicant.DisplayPhone(e164); d != e164 {
		return d
	}
	return Neutralize(e164)
}

// frenchDate is how French spreadsheets show a date and time.
const frenchDate = "02/01/2006 15:04"

// CSVOptions choose the CSV dialect.
type CSVOptions struct {
	// RFC4180 writes plain CSV for programs: comma, CRLF, no BOM, the
	// machine field names (Columns) as header, status codes, RFC 3339
	// dates, booleans true/false. The default is for people in a French
	// Excel: BOM (so it reads UTF-8), semicolon (the comma is the decimal
	// separator), CRLF, titles in ReadingColumns order, statuses as words,
	// dd/mm/yyyy hh:mm, oui/non.
	RFC4180 bool
	// Language of the titles and words of the default dialect: "en" for
	// English, French otherwise ([program] language).
	Language string
	// Location of the dates; the program's timezone when nil.
	Location *time.Location
}

// WriteCSV writes rows with a header line. Every cell is neutralized
// (see Neutralize), whatever the dialect: a CSV is opened in a spreadsheet
// sooner or later.
func WriteCSV(w io.Writer, rows []Row, opts CSVOptions) error {
	loc, err := location(opts.Location)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if !opts.RFC4180 {
		if _, err := bw.WriteString("\uFEFF"); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		cw.Comma = ';'
	}
	header, order := Titles(opts.Language), readingIndex
	if opts.RFC4180 {
		header, order = Columns, identity
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	record := make([]string, len(Columns))
	var vals []value
	for i := range rows {
		vals = rows[i].values(vals)
		for j, k := range order {
			record[j] = Neutralize(cellText(vals[k], loc, opts.RFC4180, opts.Language))
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// identity is the order of Columns.
var identity = func() []int {
	idx := make([]int, len(Columns))
	for i := range idx {
		idx[i] = i
	}
	return idx
}()

// cellText renders v as text: for programs when plain, otherwise for
// people reading lang.
func cellText(v value, loc *time.Location, plain bool, lang string) string {
	switch v.kind {
	case kindText, kindList:
		return v.s
	case kindStatus:
		if plain {
			return v.s
		}
		return StatusLabel(v.s, lang)
	case kindMissing:
		if plain {
			return v.s
		}
		return missingText(v.miss, lang)
	case kindPhone:
		return FrenchPhone(v.s)
	case kindSiret:
		if plain || len(v.s) != 14 {
			return v.s
		}
		// 14 digits would turn into 7,32829E+13 in Excel; grouped the way
		// INSEE prints them, they stay text.
		return v.s[:3] + " " + v.s[3:6] + " " + v.s[6:9] + " " + v.s[9:]
	case kindInt:
		return strconv.Itoa(v.n)
	case kindBool:
		if plain {
			return strconv.FormatBool(v.b)
		}
		return yesNo(v.b, lang)
	case kindTime:
		if v.t.IsZero() {
			return ""
		}
		if plain {
			return v.t.In(loc).Format(time.RFC3339)
		}
		return v.t.In(loc).Format(frenchDate)
	}
	return ""
}

// WriteJSON writes rows as an array of objects keyed by Columns, with
// typed values: numbers, booleans, arrays, RFC 3339 dates, the phone in
// E.164, and null when absent. JSON is for programs, so nothing is
// neutralized.
func WriteJSON(w io.Writer, rows []Row, loc *time.Location) error {
	loc, err := location(loc)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	bw.WriteString("[")
	var vals []value
	for i := range rows {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  {")
		vals = rows[i].values(vals)
		for j, v := range vals {
			if j > 0 {
				bw.WriteString(", ")
			}
			buf.Reset()
			if err := enc.Encode(Columns[j]); err != nil {
				return fmt.Errorf("write json: %w", err)
			}
			buf.Truncate(buf.Len() - 1) // Encode ends with a newline
			buf.WriteString(": ")
			if err := enc.Encode(jsonValue(v, loc)); err != nil {
				return fmt.Errorf("write json %s: %w", Columns[j], err)
			}
			buf.Truncate(buf.Len() - 1)
			bw.Write(buf.Bytes())
		}
		bw.WriteString("}")
	}
	if len(rows) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func jsonValue(v value, loc *time.Location) any {
	switch v.kind {
	case kindText, kindPhone, kindSiret, kindStatus:
		return v.s
	case kindInt:
		return v.n
	case kindBool:
		return v.b
	case kindList, kindMissing:
		return v.list
	case kindTime:
		if v.t.IsZero() {
			return nil
		}
		return v.t.In(loc).Format(time.RFC3339)
	}
	return nil
}

// location returns loc, or the program's timezone when nil.
func location(loc *time.Location) (*time.Location, error) {
	if loc != nil {
		return loc, nil
	}
	l, err := time.LoadLocation(ProgramTimezone)
	if err != nil {
		return nil, fmt.Errorf("export dates: timezone %s: %w", ProgramTimezone, err)
	}
	return l, nil
}
