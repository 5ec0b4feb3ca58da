package extract

import (
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// FuzzAnalyze feeds arbitrary subjects and bodies to Analyze: it must
// never panic, whatever the bytes.
func FuzzAnalyze(f *testing.F) {
	f.Add("Candidature", "Nom : Dupont\nPrénom : Marie\nSIRET : 812 345 676 00017\nTél : 06 12 34 56 78")
	f.Add("Fwd: x", "---------- Forwarded message ---------\nDe : A <a@b.fr>\n\n> Code postal : 20200")
	f.Add("Re: x", "Le 1 janv., X a écrit :\n> y\nDe : Z\nEnvoyé : 1\nObjet : 2\n")
	f.Add("", "Effectif : quatre-vingt-dix-neuf\nÀ Saint-Chély-d'Apcher (48200)\n\u00a0:\t\u202f")
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.eml"))
	for _, p := range files[:min(5, len(files))] {
		if b, err := os.ReadFile(p); err == nil {
			f.Add("Candidature", string(b))
		}
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		m := &mailparse.Message{Subject: subject, Text: text, FromName: subject, FromEmail: "a@b.fr", Header: textproto.MIMEHeader{}}
		r := Analyze(m, testProgram)
		if r.Kind == "" {
			t.Fatal("empty kind")
		}
	})
}

// BenchmarkAnalyze measures Analyze on a corpus message padded to about
// 5 KB, the size of a long application with its quoted history.
func BenchmarkAnalyze(b *testing.B) {
	f, err := os.Open(filepath.Join("..", "testdata", "corpus", "29-reponse-citant-mail-info.eml"))
	if err != nil {
		b.Skip(err)
	}
	m, err := mailparse.Parse(f, mailparse.Options{})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	for len(m.Text) < 5000 {
		m.Text += "\n> " + strings.ReplaceAll(m.Text[:min(len(m.Text), 1000)], "\n", "\n> ")
	}
	m.Text = head(m.Text, 5000)
	b.SetBytes(int64(len(m.Text)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(m, testProgram)
	}
}

// BenchmarkParseAnalyzeCorpus measures the whole intake path, parse then
// classify and extract, over every shared corpus message.
func BenchmarkParseAnalyzeCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.eml"))
	var raws [][]byte
	for _, p := range files {
		if raw, err := os.ReadFile(p); err == nil {
			raws = append(raws, raw)
		}
	}
	if len(raws) == 0 {
		b.Skip("no corpus")
	}
	b.ReportAllocs()
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		m, err := mailparse.Parse(strings.NewReader(string(raws[i%len(raws)])), mailparse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		Analyze(m, testProgram)
		i++
	}
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
}
