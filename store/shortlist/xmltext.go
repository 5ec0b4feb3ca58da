package shortlist

import (
	"bufio"
	"strings"
	"unicode/utf8"
)

// maxCellChars is the most text an Excel cell holds (in UTF-16 units);
// Excel reports a workbook with a longer cell as damaged.
const maxCellChars = 32767

// cleanText returns s as an XML 1.0 document can carry it and a cell can
// hold it: characters XML 1.0 forbids (controls other than tab, line
// feed and carriage return, U+FFFE, U+FFFF) dropped, invalid UTF-8 as
// U+FFFD, and at most maxCellChars. Applicants' text comes from e-mails,
// where any of these can turn up; one of them would make the whole
// workbook unreadable.
func cleanText(s string) string {
	if len(s) <= maxCellChars && xmlSafe(s) {
		return s // the common case, without allocating
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*maxCellChars))
	units := 0
	for _, r := range s { // invalid UTF-8 comes as utf8.RuneError, U+FFFD
		if !xmlChar(r) {
			continue
		}
		w := 1
		if r > 0xFFFF {
			w = 2 // a surrogate pair in Excel's count
		}
		if units+w > maxCellChars {
			break
		}
		units += w
		b.WriteRune(r)
	}
	return b.String()
}

// xmlSafe tells whether s is valid UTF-8 made only of characters XML 1.0
// allows.
func xmlSafe(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !xmlChar(r) {
			return false
		}
		i += size
	}
	return true
}

// xmlChar tells whether XML 1.0 allows r (its Char production; Go has
// no surrogates in a rune decoded from a string).
func xmlChar(r rune) bool {
	switch {
	case r < 0x20:
		return r == '\t' || r == '\n' || r == '\r'
	case r == 0xFFFE || r == 0xFFFF:
		return false
	}
	return r <= utf8.MaxRune
}

// writeEscaped writes s, already cleaned (see cleanText), as XML text
// that is safe both between tags and inside a double-quoted attribute.
// Tab, line feed and carriage return are written as character
// references, since a parser folds them in attributes and turns a
// carriage return into a line feed everywhere.
//
// With xstring, s is an Excel string (cell text, page headers), in which
// Excel reads _xHHHH_ as the character HHHH: its underscore is then
// written _x005F_, so that what an applicant typed shows as typed.
func writeEscaped(b *bufio.Writer, s string, xstring bool) {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\t':
			esc = "&#9;"
		case '\n':
			esc = "&#10;"
		case '\r':
			esc = "&#13;"
		case '_':
			if xstring && excelEscapeAt(s, i) {
				// The underscore itself stays: it starts the rest, x0041_.
				b.WriteString(s[start:i])
				b.WriteString("_x005F")
				start = i
			}
			continue
		default:
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(esc)
		start = i + 1
	}
	b.WriteString(s[start:])
}

// excelEscapeAt tells whether s holds an Excel escape, _xHHHH_, at i.
func excelEscapeAt(s string, i int) bool {
	if len(s) < i+7 || s[i] != '_' || s[i+1] != 'x' || s[i+6] != '_' {
		return false
	}
	for _, c := range []byte(s[i+2 : i+6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// needsPreserve tells whether an XML reader could trim or fold the
// whitespace of s unless told xml:space="preserve".
func needsPreserve(s string) bool {
	if s == "" {
		return false
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	return isSpace(s[0]) || isSpace(s[len(s)-1]) || strings.ContainsAny(s, "\t\n\r")
}
