package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
)

// spanHolds tells what is wrong with a's Base64Span over raw, "" when
// nothing: the text it names is what encoding data (the attachment's
// bytes, which a names by sha256) in its lines gives back, starting a line.
func spanHolds(raw []byte, a Attachment, data []byte) string {
	s := a.Base64
	switch {
	case s.Start < 0 || s.End > int64(len(raw)) || s.Start >= s.End:
		return "out of the mail"
	case s.Start > 0 && raw[s.Start-1] != '\n':
		return "not at a line start"
	case s.Line < 72 || s.Line%4 != 0:
		return "bad line length"
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(data)) != a.Size {
		return "the data is not the attachment's"
	}
	eol := "\n"
	if s.CRLF {
		eol = "\r\n"
	}
	if string(raw[s.Start:s.End]) != imaptest.Base64LinesOf(data, s.Line, eol) {
		return "the text is not what encoding the data gives"
	}
	return ""
}

func checkSpan(t *testing.T, raw []byte, a Attachment, data []byte) {
	t.Helper()
	if why := spanHolds(raw, a, data); why != "" {
		t.Errorf("%s: span %+v: %s", a.Filename, *a.Base64, why)
	}
}

// spanDecoded is the bytes a's span decodes to, strictly (no stray
// character, padding as encoding puts it); ok false if it does not.
func spanDecoded(raw []byte, a Attachment) ([]byte, bool) {
	s := a.Base64
	if s.Start < 0 || s.End > int64(len(raw)) || s.Start >= s.End {
		return nil, false
	}
	text := raw[s.Start:s.End]
	text = bytes.ReplaceAll(text, []byte("\r\n"), nil)
	text = bytes.ReplaceAll(text, []byte("\n"), nil)
	data, err := base64.StdEncoding.Strict().DecodeString(string(text))
	return data, err == nil
}

// keepAll is a Sink that keeps every attachment's bytes, in order.
type keepAll struct{ data [][]byte }

func (k *keepAll) Put(r io.Reader, a *Attachment) (int64, string, error) {
	b, err := io.ReadAll(r)
	k.data = append(k.data, b)
	return int64(len(b)), "", err
}

// spanMail is a mail whose second part is a PDF with body as its
// base64 text, lines ended by eol.
func spanMail(eol, body string) []byte {
	return []byte("From: Anne Roux <anne@example.fr>" + eol + "Subject: Dossier" + eol + "MIME-Version: 1.0" + eol +
		"Content-Type: multipart/mixed; boundary=b" + eol + eol + "--b" + eol +
		"Content-Type: text/plain" + eol + eol + "Bonjour, voici mon dossier." + eol +
		"--b" + eol + "Content-Type: application/pdf; name=cv.pdf" + eol +
		"Content-Transfer-Encoding: base64" + eol + eol + body + "--b--" + eol)
}

// TestBase64Span: the parser says where an attachment's base64 lies when,
// and only when, it is exactly what encoding the attachment gives back.
func TestBase64Span(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pdf := make([]byte, 20000)
	for i := range pdf {
		pdf[i] = byte(rng.Uint32())
	}
	crlf76 := imaptest.Base64LinesOf(pdf, 76, "\r\n")
	lines := strings.SplitAfter(crlf76, "\r\n")
	lines = lines[:len(lines)-1]
	// Two bytes: one group "xx==", the low four bits of x's second
	// character unused.
	two := imaptest.Base64LinesOf(pdf[:19999], 76, "\n")
	badBits := []byte(two)
	pos := bytes.IndexByte(badBits, '=') - 1
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	badBits[pos] = alphabet[strings.IndexByte(alphabet, badBits[pos])^1]
	urlSafe := strings.Replace(crlf76, "+", "-", 1)
	if urlSafe == crlf76 {
		t.Fatal("no + in the test data")
	}
	tests := []struct {
		name  string
		eol   string
		body  string
		data  []byte
		canon bool
	}{
		{"76 CRLF", "\r\n", crlf76, pdf, true},
		{"72 LF", "\n", imaptest.Base64LinesOf(pdf, 72, "\n"), pdf, true},
		{"LF mail, CRLF lines", "\n", crlf76, pdf, true},
		{"one long line", "\r\n", imaptest.Base64LinesOf(pdf, 30000, "\r\n"), pdf, true},
		{"lines longer than the read buffer", "\r\n", imaptest.Base64LinesOf(pdf, 20000, "\r\n"), pdf, true},
		{"last line full", "\r\n", imaptest.Base64LinesOf(pdf[:57*40], 76, "\r\n"), pdf[:57*40], true},
		{"one padding", "\r\n", imaptest.Base64LinesOf(pdf[:19997], 76, "\r\n"), pdf[:19997], true},
		{"two paddings", "\n", two, pdf[:19999], true},
		{"blank lines around", "\r\n", "\r\n\r\n" + crlf76 + "\r\n\r\n", pdf, true},

		{"lines of mixed lengths", "\r\n", strings.Replace(crlf76, "\r\n", "", 1), pdf, false},
		{"a short line inside", "\r\n", strings.Join(lines[:3], "") + lines[3][:40] + "\r\n" + lines[3][40:] + strings.Join(lines[4:], ""), pdf, false},
		{"last line longer", "\r\n", strings.Join(lines[:len(lines)-2], "") + strings.TrimSuffix(lines[len(lines)-2], "\r\n") + lines[len(lines)-1], pdf, false},
		{"lines of 68", "\r\n", imaptest.Base64LinesOf(pdf, 68, "\r\n"), pdf, false},
		{"lines of 78", "\r\n", imaptest.Base64LinesOf(pdf, 78, "\r\n"), pdf, false},
		{"mixed line endings", "\r\n", strings.Replace(crlf76, "\r\n", "\n", 1), pdf, false},
		{"a bare CR", "\r\n", strings.Replace(crlf76, "\r\n", "\r", 1), pdf, false},
		{"trailing space", "\r\n", strings.Replace(crlf76, "\r\n", " \r\n", 1), pdf, false},
		{"leading space", "\r\n", " " + crlf76, pdf, false},
		// Lines of the right lengths, groups whole: only counting the
		// white space tells.
		{"four spaces inside a line", "\r\n", strings.Join(lines[:3], "") + "    " + lines[3][4:] + strings.Join(lines[4:], ""), nil, false},
		{"a white line of four after", "\r\n", imaptest.Base64LinesOf(pdf[:57*40], 76, "\r\n") + "    \r\n", pdf[:57*40], false},
		{"white lines around", "\r\n", "\r\n \r\n" + crlf76 + "\r\n\t\r\n", pdf, false}, // kept as they came: rare enough
		{"blank line inside", "\r\n", strings.Join(lines[:3], "") + "\r\n" + strings.Join(lines[3:], ""), pdf, false},
		{"URL alphabet", "\r\n", urlSafe, pdf, false},
		{"padding missing", "\r\n", strings.ReplaceAll(imaptest.Base64LinesOf(pdf[:19997], 76, "\r\n"), "=", ""), pdf[:19997], false},
		{"padding doubled", "\r\n", strings.Replace(imaptest.Base64LinesOf(pdf[:19997], 76, "\r\n"), "=", "==", 1), pdf[:19997], false},
		{"unused bits set", "\n", string(badBits), nil, false},
		{"two encodings", "\r\n", imaptest.Base64LinesOf(pdf[:19997], 76, "\r\n") + imaptest.Base64LinesOf(pdf[:19997], 76, "\r\n"), nil, false},
		{"garbage", "\r\n", strings.Replace(crlf76, "A", "!", 1), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := spanMail(tt.eol, tt.body)
			if tt.canon && bytes.Count(raw, []byte(strings.TrimLeft(tt.body, "\r\n")[:72])) != 1 {
				t.Fatal("the text's first line is not unique in the mail")
			}
			sink := &keepAll{}
			m, err := Parse(bytes.NewReader(raw), Options{Sink: sink})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Attachments) != 1 {
				t.Fatalf("attachments %+v", m.Attachments)
			}
			a := m.Attachments[0]
			if tt.data != nil && !bytes.Equal(sink.data[0], tt.data) {
				t.Fatalf("decoded %d bytes, not the %d encoded", len(sink.data[0]), len(tt.data))
			}
			switch {
			case a.Base64 == nil && tt.canon:
				t.Errorf("no span, want one")
			case a.Base64 != nil && !tt.canon:
				t.Errorf("span %+v, want none", *a.Base64)
			case a.Base64 != nil:
				checkSpan(t, raw, a, sink.data[0])
				if want := strings.Index(string(raw), strings.TrimLeft(tt.body, "\r\n")); a.Base64.Start != int64(want) {
					t.Errorf("span starts at %d, want %d", a.Base64.Start, want)
				}
			}
		})
	}
}

// TestBase64SpanWhere: spans of a part at the end of a mail without a
// boundary, of a mail that is itself the attachment, and of attachments
// inside an attached message are offsets into the mail read.
func TestBase64SpanWhere(t *testing.T) {
	pdf := bytes.Repeat([]byte("%PDF-1.4 une candidature\n"), 400)
	body := imaptest.Base64LinesOf(pdf, 76, "\r\n")
	single := "From: a@example.fr\r\nSubject: cv\r\nContent-Type: application/pdf; name=cv.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n"
	inner := "From: b@example.fr\r\nSubject: Fwd\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n" +
		"Content-Type: application/pdf; name=cv.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body + "--in--\r\n"
	attached := func(cte string, msg string) string {
		return "From: a@example.fr\r\nSubject: cv\r\nContent-Type: multipart/mixed; boundary=out\r\n\r\n--out\r\n" +
			"Content-Type: message/rfc822; name=fwd.eml\r\n" + cte + "\r\n" + msg + "--out--\r\n"
	}
	tests := []struct {
		name  string
		raw   string
		spans []bool // per attachment, whether it has one
	}{
		{"single part, ended", single + body, []bool{true}},
		{"single part, no line end", single + strings.TrimSuffix(body, "\r\n"), []bool{false}},
		{"after blank lines and an mbox line", "\r\n\r\nFrom a@example.fr Mon Jan  5 10:00:00 2026\r\n" + single + body, []bool{true}},
		// The first line of base64 is read as a header line, and given
		// back to be the body's first.
		{"no blank line after the part header", "From: a@example.fr\r\nSubject: cv\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: application/pdf; name=cv.pdf\r\nContent-Transfer-Encoding: base64\r\n" + body + "--b--\r\n", []bool{true}},
		{"in an attached message", attached("", inner), []bool{false, true}},
		{"in an attached message, 8bit", attached("Content-Transfer-Encoding: 8bit\r\n", inner), []bool{false, true}},
		{"in a base64 attached message", attached("Content-Transfer-Encoding: base64\r\n",
			imaptest.Base64LinesOf([]byte(inner), 76, "\r\n")), []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &keepAll{}
			raw := []byte(tt.raw)
			m, err := Parse(bytes.NewReader(raw), Options{Sink: sink})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Attachments) != len(tt.spans) {
				t.Fatalf("attachments %+v", m.Attachments)
			}
			for i, a := range m.Attachments {
				if (a.Base64 != nil) != tt.spans[i] {
					t.Errorf("%s: span %v, want one: %v", a.Filename, a.Base64, tt.spans[i])
					continue
				}
				if a.Base64 != nil {
					checkSpan(t, raw, a, sink.data[i])
				}
			}
		})
	}
}

// FuzzBase64Span: bytes encoded with any line length of the rule and
// either line ending are given a span; whatever damage the text then
// takes, a span given still names exactly what encoding the decoded
// bytes gives back. Reads are cut anywhere (one byte at a time, or a few
// lines), or the mail read where it lies (ParseBytes), since the
// parser's offsets must not depend on them.
func FuzzBase64Span(f *testing.F) {
	f.Add(uint64(1), uint16(5000), uint8(1), true, uint32(0), byte('A'), uint8(0))
	f.Add(uint64(2), uint16(4096), uint8(0), false, uint32(77), byte('\n'), uint8(3))
	f.Add(uint64(3), uint16(4097), uint8(7), true, uint32(5000), byte('='), uint8(1))
	f.Add(uint64(4), uint16(4098), uint8(200), false, uint32(13), byte(' '), uint8(2))
	f.Add(uint64(5), uint16(10), uint8(3), true, uint32(3), byte('-'), uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, size uint16, quarters uint8, crlf bool, damageAt uint32, damage byte, reads uint8) {
		rng := rand.New(rand.NewPCG(seed, 3))
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		eol := "\n"
		if crlf {
			eol = "\r\n"
		}
		body := []byte(imaptest.Base64LinesOf(data, 72+4*int(quarters), eol))
		damaged := false
		if len(body) > 0 && damageAt != 0 {
			i := int(damageAt) % len(body)
			damaged = body[i] != damage
			body[i] = damage
		}
		raw := spanMail(eol, string(body))
		var r io.Reader = bytes.NewReader(raw)
		switch reads % 4 {
		case 1:
			r = &oneByteReader{raw}
		case 2:
			r = &chunkReader{b: raw, n: 1 + int(seed%300)}
		case 3:
			r = nil // ParseBytes: the body read where it lies
		}
		sink := &keepAll{}
		var m *Message
		var err error
		if r != nil {
			m, err = Parse(r, Options{Sink: sink})
		} else {
			m, err = ParseBytes(raw, Options{Sink: sink})
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Attachments) != 1 {
			return // damage that made a boundary or header of the text
		}
		a := m.Attachments[0]
		if a.Base64 == nil {
			if !damaged && base64.StdEncoding.EncodedLen(len(data)) >= 72 {
				t.Fatalf("no span for %d bytes in lines of %d", len(data), 72+4*int(quarters))
			}
			return
		}
		checkSpan(t, raw, a, sink.data[0])
	})
}

type oneByteReader struct{ b []byte }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.b[0]
	o.b = o.b[1:]
	return 1, nil
}

type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[k:]
	return k, nil
}
