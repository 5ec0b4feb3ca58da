package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
)

var updateTNEF = flag.Bool("update-tnef", false, "rewrite testdata/winmail.dat and testdata/tnef-winmail.eml from the test encoder")

// tnefEnc builds a TNEF stream (tests only): the reader is checked
// against streams laid out as MS-OXTNEF describes, checksums included.
type tnefEnc struct{ bytes.Buffer }

func newTNEFEnc() *tnefEnc {
	e := &tnefEnc{}
	e.u32(tnefSignature)
	e.u16(0x0001) // legacy key
	return e
}

func (e *tnefEnc) u16(v uint16) { e.Write(binary.LittleEndian.AppendUint16(nil, v)) }
func (e *tnefEnc) u32(v uint32) { e.Write(binary.LittleEndian.AppendUint32(nil, v)) }

// attr writes one attribute with its checksum.
func (e *tnefEnc) attr(level byte, id uint32, data []byte) {
	e.WriteByte(level)
	e.u32(id)
	e.u32(uint32(len(data)))
	e.Write(data)
	e.u16(tnefChecksum(data))
}

// Full attribute IDs (type in the high word) as Outlook writes them.
const (
	idTnefVersion     = 0x00089006
	idOemCodepage     = 0x00069007
	idAttachRendData  = 0x00069002
	idAttachTitle     = 0x00018010
	idAttachData      = 0x0006800F
	idAttachment      = 0x00069005
	idAttachModifDate = 0x00038013
)

// start writes the message attributes that precede the attachments.
func (e *tnefEnc) start(codepage uint32) {
	e.attr(tnefLevelMessage, idTnefVersion, []byte{0x00, 0x00, 0x01, 0x00})
	cp := binary.LittleEndian.AppendUint32(nil, codepage)
	e.attr(tnefLevelMessage, idOemCodepage, append(cp, 0, 0, 0, 0))
}

// file writes one attachment: rendering data, title, a date, the bytes
// and, when props is not nil, its MAPI properties.
func (e *tnefEnc) file(title []byte, data []byte, props *propList) {
	e.attr(tnefLevelAttachment, idAttachRendData, make([]byte, 14))
	if title != nil {
		e.attr(tnefLevelAttachment, idAttachTitle, append(slices.Clone(title), 0))
	}
	e.attr(tnefLevelAttachment, idAttachModifDate, make([]byte, 14))
	e.attr(tnefLevelAttachment, idAttachData, data)
	if props != nil {
		e.attr(tnefLevelAttachment, idAttachment, props.bytes())
	}
}

// propList builds the MAPI property list of attAttachment.
type propList struct {
	n uint32
	b bytes.Buffer
}

func (l *propList) u32(v uint32) { l.b.Write(binary.LittleEndian.AppendUint32(nil, v)) }

func (l *propList) value(v []byte) {
	l.u32(1) // value count
	l.u32(uint32(len(v)))
	l.b.Write(v)
	l.b.Write(make([]byte, (4-len(v)%4)%4))
}

func (l *propList) long(id uint16, v uint32) {
	l.n++
	l.u32(uint32(id)<<16 | 0x0003)
	l.u32(v)
}

func (l *propList) string8(id uint16, s []byte) {
	l.n++
	l.u32(uint32(id)<<16 | ptString8)
	l.value(append(slices.Clone(s), 0))
}

func (l *propList) unicode(id uint16, s string) {
	l.n++
	l.u32(uint32(id)<<16 | ptUnicode)
	l.value(utf16le(s + "\x00"))
}

func (l *propList) binary(id uint16, v []byte) {
	l.n++
	l.u32(uint32(id)<<16 | ptBinary)
	l.value(v)
}

// namedLong writes a named property (string name) holding a PT_LONG, the
// shape Outlook uses for its own extensions.
func (l *propList) namedLong(name string, v uint32) {
	l.n++
	l.u32(0x8005<<16 | 0x0003)
	l.b.Write(bytes.Repeat([]byte{0xAB}, 16)) // GUID
	l.u32(1)                                  // kind: string name
	n := utf16le(name + "\x00")
	l.u32(uint32(len(n)))
	l.b.Write(n)
	l.b.Write(make([]byte, (4-len(n)%4)%4))
	l.u32(v)
}

func (l *propList) bytes() []byte {
	return append(binary.LittleEndian.AppendUint32(nil, l.n), l.b.Bytes()...)
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// Contents of the fixture files: deterministic, larger than one base64
// line, with every byte value.
var (
	cvPDF   = fixtureBytes("%PDF-1.4\n", 3000)
	kbisJPG = fixtureBytes("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 1500)
)

func fixtureBytes(head string, n int) []byte {
	b := []byte(head)
	for i := 0; len(b) < n; i++ {
		b = append(b, byte(i*7+i/256))
	}
	return b
}

const cvName = "CV Hélène Martin.pdf"

// fixtureTNEF is testdata/winmail.dat: the CV named by a Unicode
// PR_ATTACH_LONG_FILENAME (behind a named and a binary property), and a
// Kbis named only by its attAttachTitle.
func fixtureTNEF() []byte {
	e := newTNEFEnc()
	e.start(1252)
	var cv propList
	cv.long(0x0E21, 0) // PR_ATTACH_NUM
	cv.namedLong("X-Outlook-Extension", 7)
	cv.binary(0x3702, []byte{1, 2, 3, 4, 5}) // PR_ATTACH_ENCODING
	cv.unicode(prAttachLongFilename, cvName)
	cv.string8(prAttachMimeTag, []byte("application/pdf"))
	e.file([]byte("CVHLNE~1.PDF"), cvPDF, &cv)
	e.file([]byte("kbis.jpg"), kbisJPG, nil)
	return e.Bytes()
}

// tnefMessage wraps a TNEF stream in the multipart/mixed message Outlook
// sends: a text part, then winmail.dat in base64.
func tnefMessage(tnef []byte) []byte {
	var b strings.Builder
	b.WriteString("From: Helene Martin <helene.martin@example.fr>\r\n" +
		"To: rse@example.org\r\n" +
		"Subject: Candidature RSE\r\n" +
		"Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n" +
		"Message-ID: <tnef-fixture@example.fr>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"X-MS-TNEF-Correlator: 00000000C04E073D465A69BF1BE526CB\r\n" +
		"Content-Type: multipart/mixed;\r\n\tboundary=\"----=_NextPart_000_0001\"\r\n" +
		"\r\n" +
		"This is a multipart message in MIME format.\r\n" +
		"\r\n" +
		"------=_NextPart_000_0001\r\n" +
		"Content-Type: text/plain; charset=\"utf-8\"\r\n" +
		"\r\n" +
		"Bonjour, voici ma candidature, mon CV et le Kbis.\r\n" +
		"\r\n" +
		"------=_NextPart_000_0001\r\n" +
		"Content-Type: application/ms-tnef;\r\n\tname=\"winmail.dat\"\r\n" +
		"Content-Disposition: attachment;\r\n\tfilename=\"winmail.dat\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n")
	b.WriteString(imaptest.Base64Lines(tnef) + "\r\n------=_NextPart_000_0001--\r\n")
	return []byte(b.String())
}

// TestTNEFFixtures keeps the committed fixtures equal to what the encoder
// builds, so the fixtures and the tests cannot drift apart.
func TestTNEFFixtures(t *testing.T) {
	for name, want := range map[string][]byte{
		"winmail.dat":      fixtureTNEF(),
		"tnef-winmail.eml": tnefMessage(fixtureTNEF()),
	} {
		path := filepath.Join("testdata", name)
		if *updateTNEF {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the encoder's output: run go test -run TestTNEFFixtures -update-tnef", path)
		}
	}
}

// keptSink records what Put was given (tests only).
type keptSink struct {
	atts []Attachment
	data [][]byte
	fail string // Put fails for this filename
}

func (s *keptSink) Put(r io.Reader, a *Attachment) (int64, string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return 0, "", err
	}
	if a.Filename == s.fail {
		return 0, "", io.ErrClosedPipe
	}
	s.atts = append(s.atts, *a)
	s.data = append(s.data, b)
	sum := sha256.Sum256(b)
	return int64(len(b)), hex.EncodeToString(sum[:]), nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestTNEFUnpack(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "tnef-winmail.eml"))
	if err != nil {
		t.Fatal(err)
	}
	container, err := os.ReadFile(filepath.Join("testdata", "winmail.dat"))
	if err != nil {
		t.Fatal(err)
	}
	sink := &keptSink{}
	m, err := Parse(bytes.NewReader(raw), Options{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Errors) != 0 {
		t.Errorf("Errors = %q, want none", m.Errors)
	}
	if !strings.Contains(m.Text, "voici ma candidature") {
		t.Errorf("Text = %q", m.Text)
	}
	want := []Attachment{
		{Filename: "winmail.dat", ContentType: "application/ms-tnef", Size: int64(len(container)), SHA256: sha(container)},
		{Filename: cvName, ContentType: "application/pdf", Size: int64(len(cvPDF)), SHA256: sha(cvPDF), Container: "winmail.dat"},
		{Filename: "kbis.jpg", ContentType: "image/jpeg", Size: int64(len(kbisJPG)), SHA256: sha(kbisJPG), Container: "winmail.dat"},
	}
	// The container's base64 is canonical, the files unpacked from it
	// are nowhere in the mail.
	if a := m.Attachments[0]; a.Base64 == nil {
		t.Errorf("winmail.dat: no base64 span")
	} else {
		checkSpan(t, raw, a, container)
	}
	for i := range m.Attachments {
		m.Attachments[i].Base64 = nil
	}
	if !slices.Equal(m.Attachments, want) {
		t.Errorf("Attachments =\n%+v\nwant\n%+v", m.Attachments, want)
	}
	// The Sink saw each file with its name, type and container set, and
	// got exactly its bytes.
	if len(sink.atts) != len(want) {
		t.Fatalf("Sink got %d attachments, want %d", len(sink.atts), len(want))
	}
	for i, a := range sink.atts {
		w := want[i]
		if a.Filename != w.Filename || a.ContentType != w.ContentType || a.Container != w.Container {
			t.Errorf("Sink got %+v, want %+v", a, w)
		}
		if sha(sink.data[i]) != w.SHA256 {
			t.Errorf("Sink got other bytes for %q", a.Filename)
		}
	}
}

// parseTNEF parses tnef wrapped in a message.
func parseTNEF(t testing.TB, tnef []byte, opts Options) *Message {
	t.Helper()
	m, err := Parse(bytes.NewReader(tnefMessage(tnef)), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// unpacked lists "name | type | size" of the files unpacked from a container.
func unpacked(m *Message) []string {
	var out []string
	for _, a := range m.Attachments {
		if a.Container != "" {
			out = append(out, a.Filename+" | "+a.ContentType+" | "+strconv.FormatInt(a.Size, 10))
		}
	}
	return out
}

func hasDefect(m *Message, sub string) bool {
	return slices.ContainsFunc(m.Errors, func(e string) bool { return strings.Contains(e, sub) })
}

func TestTNEFNamesAndTypes(t *testing.T) {
	e := newTNEFEnc()
	e.start(1252)
	// A windows-1252 long name with a MIME tag carrying parameters.
	var p1 propList
	p1.string8(prAttachLongFilename, []byte("Relev\xe9 d'identit\xe9.docx"))
	p1.string8(prAttachMimeTag, []byte("Application/PDF; name=x"))
	e.file([]byte("RELEVE~1.DOC"), []byte("one"), &p1)
	// No name at all, no tag: generated name, octet-stream.
	e.file(nil, []byte("two"), nil)
	// A long name with a path and a bidi override, type from the extension.
	var p3 propList
	p3.unicode(prAttachLongFilename, "..\\..\\evil\u202egpj.exe")
	e.file([]byte("EVILGP~1.EXE"), []byte("three"), &p3)
	// A display name only, upper-case extension.
	var p4 propList
	p4.unicode(prDisplayName, "SCAN.PNG")
	e.file(nil, []byte("four"), &p4)
	m := parseTNEF(t, e.Bytes(), Options{})
	got := unpacked(m)
	want := []string{
		"Relevé d'identité.docx | application/pdf | 3",
		"winmail-2.bin | application/octet-stream | 3",
		"evilgpj.exe | " + tnefContentType("", "x.exe") + " | 5",
		"SCAN.PNG | image/png | 4",
	}
	if !slices.Equal(got, want) {
		t.Errorf("unpacked =\n%q\nwant\n%q", got, want)
	}
	if len(m.Errors) != 0 {
		t.Errorf("Errors = %q", m.Errors)
	}

	// An 8-bit name in a UTF-8 code page.
	e = newTNEFEnc()
	e.start(65001)
	e.file([]byte("Pièce.pdf"), []byte("x"), nil)
	if got := unpacked(parseTNEF(t, e.Bytes(), Options{})); !slices.Equal(got, []string{"Pièce.pdf | application/pdf | 1"}) {
		t.Errorf("UTF-8 code page: %q", got)
	}
}

func TestTNEFDamaged(t *testing.T) {
	good := fixtureTNEF()
	// Where the Kbis data starts in the fixture.
	kbisAt := bytes.Index(good, kbisJPG[:12])

	badLength := slices.Clone(good)
	// The length field of the Kbis attAttachData sits just before its data.
	binary.LittleEndian.PutUint32(badLength[kbisAt-4:], uint32(len(kbisJPG)+1000))

	badSum := slices.Clone(good)
	badSum[kbisAt+100] ^= 0xFF

	badLevel := slices.Clone(good)
	badLevel[6] = 7

	// Attachment properties of an unknown type: the title still names the file.
	e := newTNEFEnc()
	e.start(1252)
	var p propList
	p.n = 2
	p.u32(0x3701<<16 | 0x0999)
	e.file([]byte("devis.pdf"), []byte("devis"), &p)
	badProps := e.Bytes()

	many := newTNEFEnc()
	many.start(1252)
	for i := 0; i < tnefMaxFiles+5; i++ {
		many.file([]byte("f.txt"), []byte{byte(i)}, nil)
	}

	tests := []struct {
		name   string
		tnef   []byte
		files  int    // files unpacked
		defect string // "" for none
	}{
		{"truncated in the second file", good[:kbisAt+10], 1, "winmail.dat: cannot unpack: attribute 0x0006800F"},
		{"signature only", good[:4], 0, "winmail.dat: cannot unpack: truncated after the signature"},
		{"garbage", []byte("this is not a TNEF stream at all, just text"), 0, "winmail.dat: cannot unpack: not a TNEF stream"},
		{"empty", nil, 0, "winmail.dat: cannot unpack: not a TNEF stream"},
		{"declared length beyond the data", badLength, 1, "declares 2500 bytes, only 1502 left"},
		{"bad checksum", badSum, 1, "bad checksum"},
		{"bad level", badLevel, 0, "invalid attribute level 7"},
		{"unknown property type", badProps, 1, "attachment properties at byte"},
		{"too many files", many.Bytes(), tnefMaxFiles, "more than 100 files"},
		{"no files", good[:6], 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The reader's own cap is under test: no per-message limit.
			m := parseTNEF(t, tc.tnef, Options{Sink: &keptSink{}, Limits: Limits{MaxAttachments: -1, MaxFiles: -1}})
			if len(m.Attachments) == 0 || m.Attachments[0].Filename != "winmail.dat" || m.Attachments[0].Container != "" {
				t.Fatalf("container not recorded first: %+v", m.Attachments)
			}
			if got := len(unpacked(m)); got != tc.files {
				t.Errorf("%d files unpacked, want %d: %q", got, tc.files, unpacked(m))
			}
			if tc.defect == "" && len(m.Errors) != 0 {
				t.Errorf("Errors = %q, want none", m.Errors)
			}
			if tc.defect != "" && !hasDefect(m, tc.defect) {
				t.Errorf("Errors = %q, want one with %q", m.Errors, tc.defect)
			}
		})
	}
	// The damaged Kbis is not reported, the intact CV is.
	m := parseTNEF(t, badSum, Options{})
	if got := unpacked(m); len(got) != 1 || !strings.HasPrefix(got[0], cvName) {
		t.Errorf("bad checksum: unpacked %q", got)
	}
}

// TestTNEFLimits: a container above the size limit is recorded TooLarge,
// not unpacked; a Sink failure on an unpacked file fails Parse as for any
// attachment.
func TestTNEFLimits(t *testing.T) {
	good := fixtureTNEF()
	m := parseTNEF(t, good, Options{MaxAttachmentSize: int64(len(good) - 1), Sink: &keptSink{}})
	if len(m.Attachments) != 1 || !m.Attachments[0].TooLarge {
		t.Errorf("Attachments = %+v, want the container alone, TooLarge", m.Attachments)
	}
	if !hasDefect(m, "winmail.dat: cannot unpack: larger than") {
		t.Errorf("Errors = %q", m.Errors)
	}
	// Exactly at the limit: unpacked.
	m = parseTNEF(t, good, Options{MaxAttachmentSize: int64(len(good))})
	if len(unpacked(m)) != 2 {
		t.Errorf("at the limit: unpacked %q", unpacked(m))
	}

	_, err := Parse(bytes.NewReader(tnefMessage(good)), Options{Sink: &keptSink{fail: "kbis.jpg"}})
	if err == nil || !strings.Contains(err.Error(), "kbis.jpg") {
		t.Errorf("Parse error = %v, want the Sink's failure on kbis.jpg", err)
	}
}

// TestTNEFNamedWinmail: a winmail.dat labelled application/octet-stream is
// unpacked too; a real MIME part keeps Container "".
func TestTNEFNamedWinmail(t *testing.T) {
	raw := bytes.Replace(tnefMessage(fixtureTNEF()), []byte("application/ms-tnef"), []byte("application/octet-stream"), 1)
	m, err := Parse(bytes.NewReader(raw), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(unpacked(m)) != 2 {
		t.Errorf("unpacked %q, want 2 files", unpacked(m))
	}
	for _, a := range parseFile(t, filepath.Join("testdata", "nested.eml")).Attachments {
		if a.Container != "" {
			t.Errorf("%q: Container = %q", a.Filename, a.Container)
		}
	}
}

// TestTNEFExtraCorpus: the winmail.dat of the extra corpus holds a valid
// signature followed by noise. It stays recorded as the one attachment
// the ground truth lists, with a defect.
func TestTNEFExtraCorpus(t *testing.T) {
	path := filepath.Join("..", "testdata", "extra", "09-outlook-siret-invalide-tirets-winmail.eml")
	if _, err := os.Stat(path); err != nil {
		t.Skip(err)
	}
	m := parseFile(t, path)
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "winmail.dat" || m.Attachments[0].ContentType != "application/ms-tnef" {
		t.Errorf("Attachments = %+v", m.Attachments)
	}
	if !hasDefect(m, "winmail.dat: cannot unpack: invalid attribute level") {
		t.Errorf("Errors = %q", m.Errors)
	}
}

func FuzzTNEF(f *testing.F) {
	good := fixtureTNEF()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:6])
	e := newTNEFEnc()
	e.start(65001)
	var p propList
	p.namedLong("n", 1)
	p.unicode(prAttachLongFilename, "é.pdf")
	p.string8(prAttachMimeTag, []byte("image/png"))
	e.file([]byte("x"), []byte("data"), &p)
	f.Add(e.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := readTNEF(data)
		if len(files) > tnefMaxFiles {
			t.Fatalf("%d files", len(files))
		}
		total := 0
		for _, fl := range files {
			total += len(fl.Data)
			if !utf8.ValidString(fl.Name) || !utf8.ValidString(fl.ContentType) {
				t.Errorf("invalid UTF-8: %q %q", fl.Name, fl.ContentType)
			}
			ct := tnefContentType(fl.ContentType, fl.Name)
			if ct != strings.ToLower(ct) || strings.Count(ct, "/") != 1 {
				t.Errorf("content type %q", ct)
			}
		}
		if total > len(data) {
			t.Errorf("files hold %d bytes of a %d-byte stream", total, len(data))
		}
		if err == nil && len(data) < 6 {
			t.Errorf("no error for a %d-byte stream", len(data))
		}
		// The same bytes through Parse: the container first, then the
		// files found above, all with sane names.
		m := parseTNEF(t, data, Options{})
		if len(m.Attachments) != 1+len(files) {
			t.Fatalf("%d attachments for %d files", len(m.Attachments), len(files))
		}
		for i, a := range m.Attachments {
			if (i == 0) != (a.Container == "") {
				t.Errorf("attachment %d: Container %q", i, a.Container)
			}
			if a.Filename == "" || len(a.Filename) > 200 || strings.ContainsAny(a.Filename, "/\\\x00") {
				t.Errorf("bad filename %q", a.Filename)
			}
		}
		if (err != nil) != hasDefect(m, "cannot unpack") {
			t.Errorf("err %v, Errors %q", err, m.Errors)
		}
	})
}
