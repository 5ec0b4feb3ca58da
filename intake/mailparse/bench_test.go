package mailparse

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/internal/heap"
	"github.com/rse-lozere/rse-intake/store"
)

// message5KB is a typical application: multipart/alternative, QP text and
// HTML, one small PDF, about 5 KB in all.
func message5KB() []byte {
	var b bytes.Buffer
	b.WriteString("From: =?UTF-8?Q?H=C3=A9l=C3=A8ne_Astruc?= <contact@auberge.fr>\r\n" +
		"To: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: =?UTF-8?Q?Candidature_RSE_=E2=80=93_Auberge?=\r\n" +
		"Date: Wed, 4 Nov 2026 10:31:09 +0100\r\n" +
		"Message-ID: <b7e4c0d2-8a1f@auberge.fr>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n" +
		"--mix\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	for i := 0; i < 20; i++ {
		b.WriteString("Nom : Astruc, pr=C3=A9nom : H=C3=A9l=C3=A8ne, t=C3=A9l=C3=A9phone : 04 66 32 14 57\r\n")
	}
	b.WriteString("\r\n--alt\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<html><body>")
	for i := 0; i < 20; i++ {
		b.WriteString("<p>Nom : Astruc, pr=C3=A9nom : H=C3=A9l=C3=A8ne</p><table><tr><td>SIRET</td><td>1</td></tr></table>\r\n")
	}
	b.WriteString("</body></html>\r\n--alt--\r\n\r\n--mix\r\nContent-Type: application/pdf; name=\"cv.pdf\"\r\n" +
		"Content-Disposition: attachment; filename*=UTF-8''CV%20H%C3%A9l%C3%A8ne.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	pdf := bytes.Repeat([]byte("%PDF-1.4 fake content "), 50)
	b.WriteString(imaptest.Base64Lines(pdf) + "--mix--\r\n")
	return b.Bytes()
}

func BenchmarkParse5KB(b *testing.B) {
	msg := message5KB()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(msg), Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

func BenchmarkParseCorpus(b *testing.B) {
	var msgs [][]byte
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
	}
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		for _, m := range msgs {
			if _, err := Parse(bytes.NewReader(m), Options{}); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}

// writeBigMessage writes a message with a size-byte random attachment,
// base64 encoded, to a temporary file and returns its path.
func writeBigMessage(t testing.TB, size int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.eml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "From: a@example.fr\r\nSubject: big\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nVoir PJ.\r\n"+
		"--b\r\nContent-Type: application/pdf; name=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	lw := &lineWrapper{w: w}
	enc := base64.NewEncoder(base64.StdEncoding, lw)
	if _, err := io.CopyN(enc, rand.Reader, int64(size)); err != nil {
		t.Fatal(err)
	}
	enc.Close()
	fmt.Fprintf(w, "\r\n--b--\r\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// lineWrapper cuts base64 output into 76-character lines.
type lineWrapper struct {
	w   io.Writer
	col int
}

func (l *lineWrapper) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(76-l.col, len(p))
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		l.col += k
		p = p[k:]
		if l.col == 76 {
			io.WriteString(l.w, "\r\n")
			l.col = 0
		}
	}
	return n, nil
}

// discardSink reads attachments to the end, as a storing Sink would.
type discardSink struct{}

func (discardSink) Put(r io.Reader, a *Attachment) (int64, string, error) {
	n, err := io.Copy(io.Discard, r)
	return n, "", err
}

func BenchmarkParse25MBAttachment(b *testing.B) {
	path := writeBigMessage(b, 25<<20)
	var peak uint64
	for b.Loop() {
		p := heap.Peak(func() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			m, err := Parse(f, Options{Sink: discardSink{}, MaxAttachmentSize: 30 << 20})
			if err != nil || len(m.Attachments) != 1 || m.Attachments[0].Size != 25<<20 {
				b.Fatalf("Parse: %v", err)
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

func TestLargeAttachmentMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and parses a 34 MB message")
	}
	path := writeBigMessage(t, 25<<20)
	for _, tc := range []struct {
		name     string
		sink     Sink
		max      int64
		tooLarge bool
	}{
		{"stored", discardSink{}, 30 << 20, false},
		{"too large", discardSink{}, 0, true},
		{"no sink", nil, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m *Message
			peak := heap.Peak(func() {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				m, err = Parse(f, Options{Sink: tc.sink, MaxAttachmentSize: tc.max})
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
			})
			if peak > 64<<20 {
				t.Errorf("peak heap %d MB, want < 64 MB", peak>>20)
			}
			t.Logf("peak heap %.1f MB", float64(peak)/(1<<20))
			if len(m.Attachments) != 1 {
				t.Fatalf("attachments: %+v", m.Attachments)
			}
			a := m.Attachments[0]
			if a.Size != 25<<20 || a.TooLarge != tc.tooLarge || !strings.HasPrefix(m.Text, "Voir PJ.") {
				t.Errorf("size %d TooLarge %v Text %q Errors %q", a.Size, a.TooLarge, m.Text, m.Errors)
			}
		})
	}
}

// frenchSentences feed realisticMail: accented French prose, as an
// applicant writes it, so that quoted-printable has escapes to undo.
var frenchSentences = []string{
	"Bonjour, je me permets de vous adresser la candidature de notre entreprise au programme RSE.",
	"Nous sommes une société de maçonnerie installée à Mende depuis 1998, avec douze salariés.",
	"Notre gérante, Hélène Astruc, souhaite engager l'équipe dans une démarche de qualité de vie au travail.",
	"Vous trouverez ci-dessous nos coordonnées : téléphone 04 66 32 14 57, SIRET 812 345 676 00017.",
	"Nous avons déjà réduit nos déchets de chantier de 30 % grâce au tri sélectif et au réemploi.",
	"L'accompagnement proposé nous intéresse particulièrement pour former nos chefs d'équipe.",
	"Je reste à votre disposition pour tout complément d'information, y compris par téléphone.",
	"Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
}

// realisticMail builds a Gmail-like application of about textBytes of
// text (multipart/alternative, quoted-printable text and HTML), with a
// base64 PDF of pdfBytes when pdfBytes > 0.
func realisticMail(textBytes, pdfBytes int) []byte {
	var text strings.Builder
	for i := 0; text.Len() < textBytes/2; i++ {
		text.WriteString(frenchSentences[i%len(frenchSentences)])
		if i%3 == 2 {
			text.WriteString("\n\n")
		} else {
			text.WriteByte(' ')
		}
	}
	var qpText, qpHTML bytes.Buffer
	w := quotedprintable.NewWriter(&qpText)
	io.WriteString(w, text.String())
	w.Close()
	w = quotedprintable.NewWriter(&qpHTML)
	io.WriteString(w, "<div dir=\"ltr\"><div>"+strings.ReplaceAll(text.String(), "\n\n", "</div><div><br></div><div>")+"</div></div>")
	w.Close()

	var b bytes.Buffer
	b.WriteString("From: =?UTF-8?Q?H=C3=A9l=C3=A8ne_Astruc?= <contact@auberge.fr>\r\n" +
		"To: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: =?UTF-8?Q?Candidature_RSE_=E2=80=93_Auberge?=\r\n" +
		"Date: Wed, 4 Nov 2026 10:31:09 +0100\r\n" +
		"Message-ID: <CAB7e4c0d2-8a1f@mail.gmail.com>\r\nMIME-Version: 1.0\r\n")
	if pdfBytes > 0 {
		b.WriteString("Content-Type: multipart/mixed; boundary=\"000000000000mix\"\r\n\r\n--000000000000mix\r\n")
	}
	b.WriteString("Content-Type: multipart/alternative; boundary=\"000000000000alt\"\r\n\r\n" +
		"--000000000000alt\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.Write(bytes.ReplaceAll(qpText.Bytes(), []byte("\n"), []byte("\r\n")))
	b.WriteString("\r\n\r\n--000000000000alt\r\nContent-Type: text/html; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.Write(bytes.ReplaceAll(qpHTML.Bytes(), []byte("\n"), []byte("\r\n")))
	b.WriteString("\r\n\r\n--000000000000alt--\r\n")
	if pdfBytes > 0 {
		b.WriteString("\r\n--000000000000mix\r\nContent-Type: application/pdf; name=\"Dossier candidature.pdf\"\r\n" +
			"Content-Disposition: attachment; filename=\"Dossier candidature.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		pdf := make([]byte, pdfBytes)
		for i := range pdf {
			pdf[i] = byte(i*7 + i>>8)
		}
		lw := &lineWrapper{w: &b}
		enc := base64.NewEncoder(base64.StdEncoding, lw)
		enc.Write(pdf)
		enc.Close()
		b.WriteString("\r\n--000000000000mix--\r\n")
	}
	return b.Bytes()
}

// BenchmarkParseSizes shows the cost per byte across sizes: it must stay
// flat (a 128 KB mail no costlier per byte than an 8 KB one).
func BenchmarkParseSizes(b *testing.B) {
	for _, tc := range []struct {
		name      string
		text, pdf int
	}{
		{"text5KB", 5 << 10, 0},
		{"text8KB", 8 << 10, 0},
		{"text32KB", 32 << 10, 0},
		{"text100KB", 100 << 10, 0},
		{"text128KB", 128 << 10, 0},
		{"text5KB+pdf500KB", 5 << 10, 500 << 10},
	} {
		msg := realisticMail(tc.text, tc.pdf)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bytes.NewReader(msg), Options{Sink: discardSink{}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// filesSink stores attachments as intake's own sink does, in a
// store.Files folder, the folders synced once at the end.
type filesSink struct {
	files store.Files
	dirs  *store.Dirs
}

func (s filesSink) Put(r io.Reader, a *Attachment) (int64, string, error) {
	return s.files.WriteDeferred(r, s.dirs)
}

// BenchmarkParseMailbox is parsing as intake does it: the generated
// mailbox's mix (imaptest.GenerateMailbox: mostly 3–10 KB of text, one in
// twenty with a 500 KB base64 PDF), attachments written to files. After
// the first round every file is there already and is not fsync'd again:
// what is measured is the CPU, which fsync would drown in disk noise.
func BenchmarkParseMailbox(b *testing.B) {
	raws, total := imaptest.GenerateMailbox(500, 1)
	b.SetBytes(total)
	b.ReportAllocs()
	files := store.Files{Dir: filepath.Join(b.TempDir(), "files")}
	start := time.Now()
	n := 0
	for b.Loop() {
		dirs := &store.Dirs{}
		for _, raw := range raws {
			if _, err := ParseBytes(raw, Options{Sink: filesSink{files, dirs}}); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := dirs.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
}
