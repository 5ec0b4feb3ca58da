package extract

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// longMail builds a raw French application of about size bytes: a
// labelled application, then paragraphs of the author's own prose about
// the company (the pieces in testdata/long-application-*.txt, repeated
// as needed), then a signature. Long mail is this: facts on the first
// screen and in the signature, pages of prose between.
func longMail(tb testing.TB, size int) []byte {
	tb.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	head, prose, tail := read("long-application-head.txt"), read("long-application-prose.txt"), read("long-application-tail.txt")
	paras := bytes.Split(prose, []byte("\n\n"))
	var b bytes.Buffer
	b.WriteString("From: Mathilde Combes <m.combes@fromagerie-hauts-randon.fr>\r\n" +
		"To: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature programme RSE – Fromagerie des Hauts de Randon\r\n" +
		"Date: Tue, 01 Dec 2026 09:12:44 +0100\r\nMessage-ID: <long-1@fromagerie-hauts-randon.fr>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.Write(head)
	for i := 0; b.Len()+len(tail) < size; i++ {
		b.Write(paras[i%len(paras)])
		b.WriteString("\n\n")
	}
	b.Write(tail)
	return bytes.ReplaceAll(b.Bytes(), []byte("\n"), []byte("\r\n"))
}

// readMail is what intake does with one raw mail before storing it:
// parse, classify, extract.
func readMail(tb testing.TB, raw []byte) Result {
	m, err := mailparse.Parse(bytes.NewReader(raw), mailparse.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return Analyze(m, testProgram)
}

// BenchmarkReadMail measures parse + classify + extract of one text mail
// by size, on one core (go test -bench ReadMail -cpu 1). Targets: 5 KB
// under 0.4 ms, 32 KB under 2 ms, and no more cost per byte at 128 KB
// than at 8 KB (the cpu-ns/B column).
func BenchmarkReadMail(b *testing.B) {
	for _, size := range []int{5 << 10, 8 << 10, 32 << 10, 128 << 10} {
		raw := longMail(b, size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				readMail(b, raw)
			}
			// On a shared machine wall time counts other people's work:
			// the process's CPU time per mail says what reading costs.
			perOp := float64((cpuTime() - cpu).Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp, "cpu-ns/op")
			b.ReportMetric(perOp/float64(len(raw)), "cpu-ns/B")
		})
	}
}

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestLongMailGivesItsFacts: however long the prose between, the facts of
// the first screen and of the signature are read, the same at every size.
func TestLongMailGivesItsFacts(t *testing.T) {
	want := readMail(t, longMail(t, 2<<10))
	if want.Kind != KindApplication || want.Applicant.Siret != "81234567600017" || want.Applicant.Phone != "+33648271593" ||
		want.Applicant.Headcount == nil || *want.Applicant.Headcount != 14 || want.Applicant.Commune == "" {
		t.Fatalf("short mail: %s %+v", want.Kind, want.Applicant)
	}
	for _, size := range []int{8 << 10, 32 << 10, 128 << 10} {
		got := readMail(t, longMail(t, size))
		if got.Kind != want.Kind {
			t.Errorf("%d KB: kind %s, want %s", size>>10, got.Kind, want.Kind)
		}
		for _, f := range []string{"first_name", "last_name", "company", "role", "siret", "phone", "postal_code",
			"commune", "headcount", "sector"} {
			g, _ := got.Applicant.Field(f)
			w, _ := want.Applicant.Field(f)
			if g != w {
				t.Errorf("%d KB: %s = %q, want %q", size>>10, f, g, w)
			}
		}
	}
}

// BenchmarkAnalyzeBenchMailbox measures classify + extract over the
// mailbox the poll benchmarks take in (imaptest.GenerateMailbox), parsed
// once outside the loop: what Analyze costs a mail on the usual mix of
// applications, follow-ups, newsletters and out-of-office replies, on one
// core (-cpu 1). cpu-ns/op is per mail.
func BenchmarkAnalyzeBenchMailbox(b *testing.B) {
	raws, _ := imaptest.GenerateMailbox(500, 1)
	msgs := make([]*mailparse.Message, len(raws))
	for i, raw := range raws {
		m, err := mailparse.Parse(bytes.NewReader(raw), mailparse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = m
	}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		for _, m := range msgs {
			Analyze(m, testProgram)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N*len(msgs)), "cpu-ns/op")
}
