package shortlist_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

// rows10k is a season far beyond the program's: ten thousand varied
// applications, ranked.
func rows10k() []shortlist.Row {
	apps := make([]*store.Application, 10000)
	names := map[int64][]string{}
	statuses := []string{store.StatusComplete, store.StatusIncomplete, store.StatusShortlisted,
		store.StatusWithdrawn, store.StatusComplete}
	for i := range apps {
		apps[i] = application(i+1, func(a *store.Application) {
			a.Status = statuses[i%len(statuses)]
			a.Company = fmt.Sprintf("Entreprise n°%d des Causses", i)
			a.Notes = "Rappeler après le comité; dossier à compléter"
			if i%3 == 0 {
				a.Score = ptr(i % 11)
			}
			if i%7 == 0 {
				a.Departement = "30"
			}
			if a.Status == store.StatusIncomplete {
				a.Missing = []store.Missing{{Field: "siret", Reason: "SIRET invalide"}, {Field: "phone"}}
			}
			if i%10 == 0 {
				a.Company = "=HYPERLINK(\"http://x\",\"y\")"
			}
		})
		names[int64(i+1)] = []string{"CV.pdf", "Kbis.pdf"}
	}
	return shortlist.Rank(apps, shortlist.DefaultRules(), 8, names)
}

func benchExport(b *testing.B, write func(w io.Writer, rows []shortlist.Row) error) {
	rows := rows10k()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := write(&buf, rows); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/export")
	b.ReportMetric(float64(size), "bytes/export")
}

// BenchmarkExportCSV10k: the goal is under a second.
func BenchmarkExportCSV10k(b *testing.B) {
	loc := paris(b)
	benchExport(b, func(w io.Writer, rows []shortlist.Row) error {
		return shortlist.WriteCSV(w, rows, shortlist.CSVOptions{Location: loc})
	})
}

// BenchmarkExportXLSX10k: the goal is about a second or less, in little
// memory (B/op with -benchmem): the sheets are streamed.
func BenchmarkExportXLSX10k(b *testing.B) {
	loc := paris(b)
	benchExport(b, func(w io.Writer, rows []shortlist.Row) error {
		return shortlist.WriteXLSX(w, rows, shortlist.XLSXOptions{Location: loc})
	})
}

func BenchmarkExportJSON10k(b *testing.B) {
	loc := paris(b)
	benchExport(b, func(w io.Writer, rows []shortlist.Row) error { return shortlist.WriteJSON(w, rows, loc) })
}

func BenchmarkRank10k(b *testing.B) {
	rows := rows10k()
	apps := make([]*store.Application, len(rows))
	for i, r := range rows {
		apps[i] = r.Application
	}
	for b.Loop() {
		shortlist.Rank(apps, shortlist.DefaultRules(), 8, nil)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/rank")
}
