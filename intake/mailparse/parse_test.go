package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type att struct{ name, ct string }

func atts(m *Message) []att {
	var out []att
	for _, a := range m.Attachments {
		out = append(out, att{a.Filename, a.ContentType})
	}
	return out
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		file      string
		fromEmail string
		subject   string
		text      []string // substrings of Text
		notText   []string
		attach    []att
		inline    []string // filenames expected Inline
		errSubstr []string // substrings expected among Errors
		noErrors  bool
	}{
		{
			file: "nested.eml", fromEmail: "marie.dupont@example.fr", subject: "Imbriqué",
			text:   []string{"Texte imbriqué."},
			attach: []att{{"logo.png", "image/png"}, {"part-4.pdf", "application/pdf"}, {"data.bin", "application/octet-stream"}},
			inline: []string{"logo.png"}, noErrors: true,
		},
		{
			file: "rfc2231.eml", text: []string{"Voir pieces jointes."},
			attach: []att{
				{"Dossier de candidature Société finale.pdf", "application/pdf"},
				{"Reçu.pdf", "application/pdf"},
				{"Pièce jointe.pdf", "application/pdf"},
			},
		},
		{
			file: "traversal.eml", text: []string{"Corps."}, notText: []string{"root:x"},
			attach: []att{
				{"passwd", "text/plain"},
				{"win.ini", "application/octet-stream"},
				{"CV[31mfdp.exe", "application/octet-stream"},
				{"htaccess", "application/octet-stream"},
				{"attachment", "application/octet-stream"},
			},
		},
		{
			file:      "unreadable.eml",
			errSubstr: []string{"top-level header: missing"},
		},
		{
			file: "truncated-base64.eml", text: []string{"Bonjour."},
			attach:    []att{{"cv.pdf", "application/pdf"}},
			errSubstr: []string{"truncated base64", "closing boundary missing"},
		},
		{
			file: "latin1-undeclared.eml", fromEmail: "g@example.fr", subject: "Société",
			text:      []string{"Société à Mende, coût 100 €."},
			errSubstr: []string{"undeclared 8-bit text in text/plain part: decoded as windows-1252", "raw 8-bit bytes in Subject"},
		},
		{
			file: "no-separator.eml", fromEmail: "a@example.fr", subject: "no blank line",
			text:      []string{"Bonjour, pas de ligne vide.\nSIRET : 123"},
			errSubstr: []string{"no blank line before the body"},
		},
		{
			file: "no-boundary-param.eml", text: []string{"Récupéré"},
			errSubstr: []string{"without boundary parameter"},
		},
		{
			file: "bad-qp.eml", text: []string{"bad =ZZ escape, softbreak, ctrl  char, cut"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m := parseFile(t, filepath.Join("testdata", tc.file))
			if tc.fromEmail != "" && m.FromEmail != tc.fromEmail {
				t.Errorf("FromEmail = %q, want %q", m.FromEmail, tc.fromEmail)
			}
			if tc.subject != "" && m.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.subject)
			}
			for _, s := range tc.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Text lacks %q: %q", s, m.Text)
				}
			}
			for _, s := range tc.notText {
				if strings.Contains(m.Text, s) {
					t.Errorf("Text has %q: %q", s, m.Text)
				}
			}
			if got := atts(m); !slices.Equal(got, tc.attach) {
				t.Errorf("attachments = %q, want %q", got, tc.attach)
			}
			var inline []string
			for _, a := range m.Attachments {
				if a.Inline {
					inline = append(inline, a.Filename)
				}
			}
			if !slices.Equal(inline, tc.inline) {
				t.Errorf("inline = %q, want %q", inline, tc.inline)
			}
			for _, e := range tc.errSubstr {
				if !slices.ContainsFunc(m.Errors, func(s string) bool { return strings.Contains(s, e) }) {
					t.Errorf("Errors %q lack %q", m.Errors, e)
				}
			}
			if tc.noErrors && len(m.Errors) > 0 {
				t.Errorf("Errors = %q, want none", m.Errors)
			}
			if !strings.Contains(m.Text, "\r") && strings.ContainsAny(m.Text, "\x00\x01\x1b") {
				t.Errorf("Text keeps control characters: %q", m.Text)
			}
		})
	}
}

func TestNestedHeaders(t *testing.T) {
	m := parseFile(t, filepath.Join("testdata", "nested.eml"))
	if want := []string{"<a@x>", "<b@y>", "<c@z>"}; !slices.Equal(m.References, want) {
		t.Errorf("References = %q, want %q", m.References, want)
	}
	if m.InReplyTo != "<c@z>" || m.MessageID != "<nested-1@example.fr>" {
		t.Errorf("InReplyTo %q MessageID %q", m.InReplyTo, m.MessageID)
	}
	if m.FromName != "Dupont, Marie" {
		t.Errorf("FromName = %q", m.FromName)
	}
	if len(m.To) != 2 || m.To[1].Name != "B" || m.To[1].Email != "b@example.org" {
		t.Errorf("To = %+v", m.To)
	}
	if !m.HasDate || m.Date.Year() != 2026 {
		t.Errorf("Date = %v %v", m.Date, m.HasDate)
	}
	if m.ContentType != "multipart/mixed" || m.Header.Get("Subject") != "Imbriqué" {
		t.Errorf("ContentType %q, Header Subject %q", m.ContentType, m.Header.Get("Subject"))
	}
	// data.bin is 00 01 02 03.
	sum := sha256.Sum256([]byte{0, 1, 2, 3})
	if a := m.Attachments[2]; a.Size != 4 || a.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("data.bin size %d sha %s", a.Size, a.SHA256)
	}
}

// TestFirstMsgID pins firstMsgID to the first of msgIDs.
func TestFirstMsgID(t *testing.T) {
	for _, v := range []string{"", "<a@x>", "<a@x> <b@y>", "<> <a@x>", "<>", "<> bare@x", "bare@x", "two words", "<a@x", " x@y> ", "<>>"} {
		want := ""
		if ids := msgIDs(v); len(ids) > 0 {
			want = ids[0]
		}
		if got := firstMsgID(v); got != want {
			t.Errorf("firstMsgID(%q) = %q, msgIDs gives %q first", v, got, want)
		}
	}
}

// TestTopHeaderKept: the top-level header's fields, kept from one Parse
// to the next, leave no trace in the next mail nor change the last one.
func TestTopHeaderKept(t *testing.T) {
	var long strings.Builder
	for i := range 40 {
		fmt.Fprintf(&long, "X-Field-%d: value %d\r\n", i, i)
	}
	a, err := Parse(strings.NewReader(long.String()+"Subject: a\r\n\r\nbody a\r\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(strings.NewReader("Subject: b\r\n\r\nbody b\r\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Header) != 41 || a.Header.Get("X-Field-39") != "value 39" || a.Subject != "a" {
		t.Errorf("first mail's header changed: %d fields, %v", len(a.Header), a.Header)
	}
	if len(b.Header) != 1 || b.Subject != "b" {
		t.Errorf("second mail's header = %v", b.Header)
	}
}

func TestRFC2231ContinuationContent(t *testing.T) {
	m := parseFile(t, filepath.Join("testdata", "rfc2231.eml"))
	// The two base64 lines of the first attachment decode as one stream.
	if a := m.Attachments[0]; a.Size != 18 {
		t.Errorf("size = %d, want 18", a.Size)
	}
}

func TestCorpusReportAndDate(t *testing.T) {
	m := corpusMessage(t, "10")
	if m.ContentType != "multipart/report" || m.ReportType != "delivery-status" {
		t.Errorf("ContentType %q ReportType %q", m.ContentType, m.ReportType)
	}
	if strings.Contains(m.Text, "Reporting-MTA") {
		t.Errorf("Text includes the machine part: %q", m.Text)
	}
	if m.Header.Get("Auto-Submitted") != "auto-replied" {
		t.Errorf("Auto-Submitted = %q", m.Header.Get("Auto-Submitted"))
	}
	m = corpusMessage(t, "21")
	if m.HasDate {
		t.Errorf("HasDate = true for a message without Date")
	}
	for _, e := range m.Errors {
		if strings.Contains(e, "Date") {
			t.Errorf("absent Date noted as an error: %q", e)
		}
	}
}

func TestParseUnparseableDate(t *testing.T) {
	m, err := Parse(strings.NewReader("From: a@b.c\nDate: lundi dernier\n\nx\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.HasDate || !slices.ContainsFunc(m.Errors, func(s string) bool { return strings.Contains(s, "Date") }) {
		t.Errorf("HasDate %v Errors %q", m.HasDate, m.Errors)
	}
}

func TestSanitizeFilename(t *testing.T) {
	long := strings.Repeat("é", 150) + ".pdf"
	tests := []struct{ in, want string }{
		{"../../etc/passwd", "passwd"},
		{`C:\Users\x\CV.pdf`, "CV.pdf"},
		{"dir/", "dir"},
		{"  .hidden  ", "hidden"},
		{"a\x00b\tc.txt", "ab c.txt"},
		{"", "attachment"},
		{"..", "attachment"},
		{"cv\u202efdp.exe", "cvfdp.exe"},
		{long, strings.Repeat("é", 98) + ".pdf"},
		{"Re\xe7u.pdf", "Reçu.pdf"},
	}
	for _, tc := range tests {
		got := SanitizeFilename(tc.in)
		if got != tc.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) > 200 {
			t.Errorf("SanitizeFilename(%q) is %d bytes", tc.in, len(got))
		}
	}
}

func TestUnflow(t *testing.T) {
	tests := []struct {
		in    string
		delsp bool
		want  string
	}{
		{"a \nb\n", false, "a b\n"},
		{"a \nb\n", true, "ab\n"},
		{"> q \n> r\nx\n", false, "> q r\nx\n"},
		{"-- \nsig\n", false, "-- \nsig\n"},
		{" From stuffed\n", false, "From stuffed\n"},
		{"a \n> b\n", false, "a \n> b\n"},
	}
	for _, tc := range tests {
		if got := unflow(tc.in, tc.delsp); got != tc.want {
			t.Errorf("unflow(%q, %v) = %q, want %q", tc.in, tc.delsp, got, tc.want)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"table", "<table><tr><td>SIRET</td><td>123</td></tr><tr><td><p>Nom</p></td><td><p>X</p></td></tr></table>", "SIRET\t123\nNom\tX"},
		{"list", "<ul><li>Nom : A</li><li>Ville : B</li></ul>", "- Nom : A\n- Ville : B"},
		{"blocks", "<div>Bonjour,</div><div><br></div><div>Texte&nbsp;ici   et   là</div>", "Bonjour,\n\nTexte ici et là"},
		{"skip", "<html><head><title>T</title><style>p{}</style></head><body><script>x()</script><p>Vu</p></body></html>", "Vu"},
		{"entities", "<p>&eacute;t&eacute; &amp; 5&nbsp;&euro; &#8217;</p>", "été & 5 € ’"},
		{"quote", "<p>Réponse</p><blockquote><p>Ancien</p><p>texte</p></blockquote><p>Fin</p>", "Réponse\n> Ancien\n> texte\nFin"},
		{"layout cell", "<table><tr><td><p>Ligne 1</p><p>Ligne 2</p></td></tr></table>", "Ligne 1\nLigne 2"},
		{"unclosed", "<table><tr><td>a<td>b<tr><td>c", "a\tb\nc"},
		{"empty", "<div dir=\"ltr\"><br></div>", ""},
		{"headless", "<head><style>x</style><body>Corps", "Corps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HTMLToText(tc.in); got != tc.want {
				t.Errorf("HTMLToText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDecoders(t *testing.T) {
	b64 := func(s string) string {
		d := newBase64Reader(strings.NewReader(s))
		out, _ := io.ReadAll(d)
		return string(out)
	}
	for in, want := range map[string]string{
		"SGVsbG8=":           "Hello",
		"SGVs\r\nbG8=":       "Hello",
		"SGVsbG8":            "Hello",
		"SGVsbG8=V29ybGQ=":   "HelloWorld",
		"SGV!sbG8=":          "Hello",
		"":                   "",
		"S":                  "",
		"SGVsbG8gV29ybGQhIQ": "Hello World!!",
	} {
		if got := b64(in); got != want {
			t.Errorf("base64 %q = %q, want %q", in, got, want)
		}
	}
	qp := func(s string) string {
		out, _ := io.ReadAll(newQPReader(strings.NewReader(s)))
		return string(out)
	}
	for in, want := range map[string]string{
		"a=3Db":                              "a=b",
		"soft=\r\nbreak":                     "softbreak",
		"soft= \nbreak":                      "softbreak",
		"pad   \nx":                          "pad\r\nx",
		"bad=ZZ":                             "bad=ZZ",
		"end=":                               "end",
		"=C3=A9t=C3=A9":                      "été",
		"low=c3=a9":                          "low\u00e9",
		strings.Repeat("a", 5000) + "=C3=A9": strings.Repeat("a", 5000) + "é",
	} {
		if got := qp(in); got != want {
			t.Errorf("qp %.40q = %.40q, want %.40q", in, got, want)
		}
	}
}

// recordingSink stores attachments in memory (tests only).
type recordingSink struct {
	got map[string][]byte
	err error
}

func (s *recordingSink) Put(r io.Reader, a *Attachment) (int64, string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return 0, "", err
	}
	if s.err != nil {
		return 0, "", s.err
	}
	s.got[a.Filename] = b
	sum := sha256.Sum256(b)
	return int64(len(b)), hex.EncodeToString(sum[:]), nil
}

// TestCleanText: CRLF line ends become "\n" whether the text takes the
// fast way (nothing but CRLF to clean, in place when its bytes are at
// hand) or the general one; a lone CR is a line end too, other control
// characters go.
func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"":                                     "",
		"déjà vu":                              "déjà vu",
		"ligne un\r\nligne deux\r\n":           "ligne un\nligne deux\n",
		"un\r\r\ndeux":                         "un\n\ndeux",
		"fin\r":                                "fin\n",
		"tab\tet\nlf\r\n":                      "tab\tet\nlf\n",
		"bip\x07 et\x7f\x1b[31m rouge\r\n":     "bip et[31m rouge\n",
		"longue ligne de plus de huit\x00\r\n": "longue ligne de plus de huit\n",
		"\r\n\r\n\r\n":                         "\n\n\n",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
		got, clean := cleanTextString([]byte(in), shapeOf([]byte(in)).crlfOnly)
		if !clean {
			got = cleanText(got)
		}
		if got != want {
			t.Errorf("cleanTextString(%q) = %q (clean %v), want %q", in, got, clean, want)
		}
	}
}

func TestSink(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "nested.eml"))
	if err != nil {
		t.Fatal(err)
	}
	s := &recordingSink{got: map[string][]byte{}}
	m, err := Parse(bytes.NewReader(raw), Options{Sink: s, MaxAttachmentSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.got["data.bin"], []byte{0, 1, 2, 3}) {
		t.Errorf("sink got %q", s.got["data.bin"])
	}
	if _, ok := s.got["part-4.pdf"]; ok {
		t.Errorf("too large attachment stored")
	}
	for _, a := range m.Attachments {
		if a.Filename == "part-4.pdf" && (!a.TooLarge || a.Size != 9) {
			t.Errorf("part-5.pdf TooLarge %v size %d", a.TooLarge, a.Size)
		}
	}

	boom := errors.New("disk full")
	_, err = Parse(bytes.NewReader(raw), Options{Sink: &recordingSink{got: map[string][]byte{}, err: boom}})
	if !errors.Is(err, boom) {
		t.Errorf("Parse with failing sink: err = %v, want %v", err, boom)
	}
}

// TestSinkReadSHA256: the reader a Sink gets tells the sha256 of what the
// Sink read, which is the Attachment's.
func TestSinkReadSHA256(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "nested.eml"))
	if err != nil {
		t.Fatal(err)
	}
	s := &summingSink{sums: map[string]string{}}
	m, err := Parse(bytes.NewReader(raw), Options{Sink: s})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.sums) == 0 {
		t.Fatal("no attachment stored")
	}
	for _, a := range m.Attachments {
		if got, ok := s.sums[a.Filename]; ok && got != a.SHA256 {
			t.Errorf("%s: reader's sum %s, attachment's %s", a.Filename, got, a.SHA256)
		}
	}
}

// summingSink reads each attachment and keeps its reader's ReadSHA256.
type summingSink struct{ sums map[string]string }

func (s *summingSink) Put(r io.Reader, a *Attachment) (int64, string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return 0, "", err
	}
	n, sum := r.(interface{ ReadSHA256() (int64, []byte) }).ReadSHA256()
	if want := sha256.Sum256(b); n != int64(len(b)) || !bytes.Equal(sum, want[:]) {
		return 0, "", fmt.Errorf("ReadSHA256 = %d %x, want %d %x", n, sum, len(b), want)
	}
	s.sums[a.Filename] = hex.EncodeToString(sum)
	return n, s.sums[a.Filename], nil
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := copy(p, bytes.Repeat([]byte("Subject: x\n"), 1+len(p)/11)[:min(len(p), f.n)])
	f.n -= n
	return n, nil
}

func TestReaderFailure(t *testing.T) {
	m, err := Parse(&failingReader{n: 100}, Options{})
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("err = %v, want the reader's failure", err)
	}
	if m == nil {
		t.Errorf("nil Message on reader failure")
	}
}

// TestHostileShapes checks that pathological but cheap inputs finish and
// stay bounded.
func TestHostileShapes(t *testing.T) {
	var deep strings.Builder
	deep.WriteString("Content-Type: multipart/mixed; boundary=b0\n\n")
	for i := 1; i < 200; i++ {
		deep.WriteString("--b" + string(rune('0'+i%10)) + strings.Repeat("x", i) + "\n")
		deep.WriteString("Content-Type: multipart/mixed; boundary=b" + string(rune('0'+(i+1)%10)) + strings.Repeat("x", i+1) + "\n\n")
	}
	many := "Content-Type: multipart/mixed; boundary=z\n\n" + strings.Repeat("--z\nContent-Type: application/octet-stream\n\nx\n", 3000) + "--z--\n"
	tests := map[string]string{
		"deep":          deep.String(),
		"many parts":    many,
		"long header":   "Subject: " + strings.Repeat("a", 3<<20) + "\n\nbody",
		"many headers":  strings.Repeat("X-A: b\n", 100000) + "\nbody",
		"long line":     "Subject: x\n\n" + strings.Repeat("b", 5<<20),
		"only header":   "Subject: x",
		"empty":         "",
		"blank":         "\n\n\n",
		"boundary only": "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(in), Options{})
			if err != nil || m == nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(m.Attachments) > maxParts {
				t.Errorf("%d attachments", len(m.Attachments))
			}
			if len(m.Text) > maxBodyText+1024 {
				t.Errorf("Text is %d bytes", len(m.Text))
			}
		})
	}
}

// TestHeaderControlCharacters: an encoded word can carry a terminal escape;
// it never reaches the subject or the sender's name.
func TestHeaderControlCharacters(t *testing.T) {
	raw := "From: =?UTF-8?Q?Jean=1B]0;pwned=07_Dupont?= <jean@example.fr>\r\n" +
		"Subject: =?UTF-8?Q?Candidature=1B[2J=C2=9B_RSE?=\r\n\r\nBonjour\r\n"
	m, err := Parse(strings.NewReader(raw), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{m.Subject, m.FromName} {
		for _, r := range s {
			if r < 0x20 || (r >= 0x7f && r < 0xa0) {
				t.Errorf("control character %U left in %q", r, s)
			}
		}
	}
	if m.FromName != "Jean]0;pwned Dupont" || m.Subject != "Candidature[2J RSE" {
		t.Errorf("name %q, subject %q", m.FromName, m.Subject)
	}
}
