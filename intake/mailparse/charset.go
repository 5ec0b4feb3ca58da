package mailparse

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// charsetResult says how convertCharset read the bytes.
type charsetResult int

const (
	charsetOK             charsetResult = iota
	charsetUnknown                      // label unknown: fallback used
	charsetGuessed                      // undeclared/ASCII-labelled 8-bit, or declared UTF-8 that is not: charset detected
	charsetMixedUTF8                    // declared UTF-8 with a few stray bytes, read as windows-1252
	charsetUndeclared8bit               // undeclared 8-bit that was valid UTF-8
	charsetUndeclared7bit               // ASCII-labelled text that is ISO-2022-JP
)

// convertCharset decodes b labelled with label into UTF-8 and says which
// charset it really used. It never fails: what real mail needs is a
// readable string and a note of what was guessed, not an error.
func convertCharset(b []byte, label string) (s string, res charsetResult, used string) {
	return convertCharsetKeep(b, label, bytesString)
}

func bytesString(b []byte, _ bool) string { return string(b) }

// convertCharsetKeep is convertCharset making the string of a text it
// keeps as it is (ASCII, or valid UTF-8) with keep(b, crlfOnly), after
// its BOM; crlfOnly is textShape's, from the scan that found the text
// could be kept.
func convertCharsetKeep(b []byte, label string, keep func(b []byte, crlfOnly bool) string) (s string, res charsetResult, used string) {
	label = strings.Trim(strings.TrimSpace(label), `"'`)
	if strings.EqualFold(label, "utf-8") {
		label = "utf-8" // the label most mail has, often "UTF-8": not lowered into a new string each time
	} else {
		label = strings.ToLower(label)
	}
	// A byte-order mark says more than a label (WHATWG does the same for
	// web pages): Windows editors and some web forms put one in front of
	// a text whatever its MIME header says.
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		b, label = b[3:], "utf-8"
	case len(b) >= 2 && (b[0] == 0xff && b[1] == 0xfe || b[0] == 0xfe && b[1] == 0xff) && !utf8.Valid(b):
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		if out, err := dec.Bytes(b); err == nil {
			return string(out), charsetOK, "UTF-16"
		}
	}
	switch {
	case isASCIILabel(label):
		sh := shapeOf(b)
		if sh.ascii {
			// An ISO-2022-JP text is pure ASCII: its escape sequences
			// give it away when the label does not.
			if bytes.Contains(b, []byte("\x1b$B")) || bytes.Contains(b, []byte("\x1b$@")) {
				if out, err := japanese.ISO2022JP.NewDecoder().Bytes(b); err == nil {
					return string(out), charsetUndeclared7bit, "ISO-2022-JP"
				}
			}
			return keep(b, sh.crlfOnly), charsetOK, "US-ASCII"
		}
		if sh.utf8 {
			return keep(b, sh.crlfOnly), charsetUndeclared8bit, "UTF-8"
		}
		s, used := guessLegacy(b)
		return s, charsetGuessed, used
	case label == "utf-8" || label == "utf8" || label == "x-utf_8j" || label == "unicode-1-1-utf-8":
		if sh := shapeOf(b); sh.utf8 {
			return keep(b, sh.crlfOnly), charsetOK, "UTF-8"
		}
		s, used := guessLegacy(b)
		if used == mixedUTF8 {
			return s, charsetMixedUTF8, used
		}
		return s, charsetGuessed, used
	case label == "iso-8859-1" || label == "iso8859-1" || label == "iso_8859-1" || label == "latin1" ||
		label == "l1" || label == "windows-1252" || label == "cp1252" || label == "x-cp1252":
		// WHATWG: ISO-8859-1 is read as windows-1252, since the C1 range
		// it leaves undefined carries the euro sign and curly quotes.
		if sh := shapeOf(b); sh.ascii {
			return keep(b, sh.crlfOnly), charsetOK, "windows-1252"
		}
		return decodeWindows1252(b), charsetOK, "windows-1252"
	case label == "utf-7" || label == "utf7" || label == "unicode-1-1-utf-7" || label == "x-unicode-2-0-utf-7" || label == "csunicode11utf7":
		return decodeUTF7(b), charsetOK, "UTF-7"
	}
	sh := shapeOf(b)
	if sh.ascii && !statefulCharset(label) {
		if _, err := charset.Reader(label, bytes.NewReader(nil)); err != nil {
			return keep(b, sh.crlfOnly), charsetUnknown, "US-ASCII"
		}
		return keep(b, sh.crlfOnly), charsetOK, label
	}
	r, err := charset.Reader(label, bytes.NewReader(b))
	if err == nil {
		out, err := io.ReadAll(r)
		if err == nil {
			return string(out), charsetOK, label
		}
	}
	if sh.utf8 {
		return keep(b, sh.crlfOnly), charsetUnknown, "UTF-8"
	}
	s, used = guessLegacy(b)
	return s, charsetUnknown, used
}

// isASCIILabel tells the labels that mean "no charset" or plain ASCII.
func isASCIILabel(label string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`)) {
	case "", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "7bit", "8bit":
		return true
	}
	return false
}

// htmlMetaCharset returns the charset an HTML page declares in a <meta>
// of its first 4 KB, or "".
func htmlMetaCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	for {
		i := indexFold(b, "<meta")
		if i < 0 {
			return ""
		}
		b = b[i+5:]
		end := bytes.IndexByte(b, '>')
		if end < 0 {
			end = len(b)
		}
		tag := b[:end]
		if j := indexFold(tag, "charset="); j >= 0 {
			v := bytes.TrimLeft(tag[j+8:], `"' `)
			k := 0
			for k < len(v) && (v[k] == '-' || v[k] == '_' || v[k] == '.' || v[k] == ':' ||
				'0' <= v[k] && v[k] <= '9' || 'a' <= v[k]|0x20 && v[k]|0x20 <= 'z') {
				k++
			}
			if k > 0 && k <= 40 {
				return string(v[:k])
			}
		}
		b = b[end:]
	}
}

// indexFold is bytes.Index for an ASCII lowercase needle, ignoring case.
func indexFold(b []byte, needle string) int {
	c0, c1 := needle[0], needle[0]&^0x20 // the bytes that may start it
	for i := 0; i+len(needle) <= len(b); i++ {
		// Skipped to the next of those by IndexByte, which runs wide: an
		// HTML part's first 4 KB compared byte by byte cost as much as
		// decoding its quoted-printable.
		k := bytes.IndexByte(b[i:], c0)
		if k < 0 {
			k = len(b) - i
		}
		if c1 != c0 {
			if k1 := bytes.IndexByte(b[i:i+k], c1); k1 >= 0 {
				k = k1
			}
		}
		if i += k; i+len(needle) > len(b) {
			return -1
		}
		j := 0
		for j < len(needle) && (b[i+j]|0x20) == needle[j] {
			j++
		}
		if j == len(needle) {
			return i
		}
	}
	return -1
}

// statefulCharset tells the 7-bit charsets whose text is ASCII bytes
// that still must be decoded (escape or shift sequences).
func statefulCharset(label string) bool {
	return strings.HasPrefix(label, "iso-2022-") || strings.HasPrefix(label, "csiso2022") ||
		label == "hz-gb-2312" || label == "hz"
}

const mixedUTF8 = "UTF-8 with stray windows-1252 bytes"

// guessLegacy reads 8-bit text that is not valid UTF-8. Text whose high
// bytes all pair up as GB2312, in runs, is Chinese; text with some valid
// UTF-8 sequences stays UTF-8, only its stray bytes read as windows-1252
// (a Latin-1 line pasted into a UTF-8 mail: a chance UTF-8 sequence in
// Latin-1 text takes unusual pairs such as "Ã©"); anything else is read
// as windows-1252, the charset of old French clients and web forms.
func guessLegacy(b []byte) (string, string) {
	var high, inUTF8, gbPaired int
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			i++
			continue
		}
		if r, n := utf8.DecodeRune(b[i:]); r != utf8.RuneError && n > 1 {
			high += n
			inUTF8 += n
			i += n
			continue
		}
		high++
		i++
	}
	for i := 0; i+1 < len(b); i++ {
		if b[i] >= 0xa1 && b[i] <= 0xf7 && b[i+1] >= 0xa1 && b[i+1] <= 0xfe {
			gbPaired += 2
			i++
		}
	}
	if high >= 4 && gbPaired*20 >= high*19 && !latinRuns(b) {
		if out, err := simplifiedchinese.GBK.NewDecoder().Bytes(b); err == nil && utf8.Valid(out) {
			return string(out), "GBK"
		}
	}
	if inUTF8 > 0 {
		return decodeMixed(b), mixedUTF8
	}
	return decodeWindows1252(b), "windows-1252"
}

// latinRuns reports whether the high bytes of b mostly sit alone between
// ASCII letters, as accented letters do in French, rather than in runs of
// two or more, as CJK double-byte characters do.
func latinRuns(b []byte) bool {
	alone, runs := 0, 0
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] >= 0x80 {
			j++
		}
		if j-i == 1 {
			alone++
		} else {
			runs++
		}
		i = j
	}
	return alone > runs
}

// decodeMixed keeps the valid UTF-8 of b and reads each stray byte as
// windows-1252.
func decodeMixed(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			sb.WriteRune(windows1252Rune(b[0]))
			b = b[1:]
			continue
		}
		sb.Write(b[:n])
		b = b[n:]
	}
	return sb.String()
}

func isASCII(b []byte) bool {
	// Eight bytes at a time: every header field's value is read so, a
	// byte loop cost as much as its unfolding.
	for ; len(b) >= 8; b = b[8:] {
		if binary.LittleEndian.Uint64(b)&highs != 0 {
			return false
		}
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func decodeWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
			continue
		}
		sb.WriteRune(windows1252Rune(c))
	}
	return sb.String()
}

func windows1252Rune(c byte) rune {
	if c < 0x80 {
		return rune(c)
	}
	r := charmap.Windows1252.DecodeByte(c)
	if r == utf8.RuneError {
		// The five bytes windows-1252 leaves undefined.
		r = rune(c)
	}
	return r
}

// decodeUTF7 decodes RFC 2152 UTF-7, which golang.org/x/text does not
// offer: "+" starts modified base64 of UTF-16, ended by "-" (absorbed)
// or by any character outside the alphabet; "+-" is a plus sign. Broken
// input is kept as far as it decodes.
func decodeUTF7(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	var units []uint16
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '+' {
			if c < 0x80 {
				sb.WriteByte(c)
			} else {
				sb.WriteRune(windows1252Rune(c))
			}
			continue
		}
		i++
		if i < len(b) && b[i] == '-' {
			sb.WriteByte('+')
			continue
		}
		var acc uint32
		bits := 0
		units = units[:0]
		for ; i < len(b); i++ {
			v := b64table[b[i]]
			if v >= 64 || b[i] == '-' || b[i] == '_' {
				break
			}
			acc = acc<<6 | uint32(v)
			bits += 6
			if bits >= 16 {
				bits -= 16
				units = append(units, uint16(acc>>bits))
				acc &= 1<<bits - 1
			}
		}
		for _, r := range utf16.Decode(units) {
			sb.WriteRune(r)
		}
		if i < len(b) && b[i] != '-' {
			i-- // the character that ended the run is text
		}
	}
	return sb.String()
}
