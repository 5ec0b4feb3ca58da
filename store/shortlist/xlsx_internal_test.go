package shortlist

import (
	"bufio"
	"io"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

func TestColumnName(t *testing.T) {
	for n, want := range map[int]string{1: "A", 24: "X", 26: "Z", 27: "AA", 52: "AZ", 702: "ZZ", 703: "AAA"} {
		if got := columnName(n); got != want {
			t.Errorf("columnName(%d) = %q, want %q", n, got, want)
		}
	}
	if got := absolute(lastCell(4)); got != "$X$5" {
		t.Errorf("absolute(lastCell(4)) = %q", got)
	}
}

func TestDateCell(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		t      time.Time
		kind   cellKind
		serial float64
	}{
		{time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), cellDate, 61},
		{time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), cellDate, 46083.5},
		// The wall clock of the location: 08:00 UTC is 10:00 in a Paris
		// summer.
		{time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC).In(paris), cellDate, 46204 + 10.0/24},
		{time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), cellInline, 0},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), cellInline, 0},
		{time.Time{}, cellEmpty, 0},
	} {
		got := dateCell(c.t)
		if got.kind != c.kind || got.date != c.serial {
			t.Errorf("dateCell(%v) = kind %d serial %v, want kind %d serial %v", c.t, got.kind, got.date, c.kind, c.serial)
		}
	}
}

// Past Excel's 65,530 links a sheet, an address is text.
func TestMailtoLinksCapped(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 65,531 rows")
	}
	a := &store.Application{Applicant: store.Applicant{Email: "lea@example.fr"}}
	rows := make([]Row, maxMailtoLinks+1)
	for i := range rows {
		rows[i].Application = a
	}
	sw := &sheetWriter{b: bufio.NewWriter(io.Discard), loc: time.UTC}
	for r := range rows {
		sw.writeRow(r+2, &rows[r])
	}
	if len(sw.links) != maxMailtoLinks || sw.links[len(sw.links)-1].row != maxMailtoLinks+1 {
		t.Errorf("%d links, the last on row %d; want %d, the last on row %d", len(sw.links),
			sw.links[len(sw.links)-1].row, maxMailtoLinks, maxMailtoLinks+1)
	}
}
