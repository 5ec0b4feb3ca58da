package store

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// Length caps for text taken from a mail, in characters. A sender can
// write anything of any length; what is kept is what a person could
// mean. Longer values are cut at the store boundary, with "…".
const (
	MaxNameLen       = 200  // first or last name, company, role, commune, sector
	MaxShortLen      = 320  // an address (RFC 5321's 254 plus room), a phone, a SIRET...
	MaxSubjectLen    = 500  // a subject or a display name
	MaxMotivationLen = 5000 // the motivation paragraph
)

// invisible reports the characters that must never reach a stored field
// or a header: C0 and C1 controls, DEL, the Unicode line and paragraph
// separators (which some clients render as line breaks), and the
// bidirectional overrides that can make "exe.pdf" read as "fdp.exe".
func invisible(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == '\u2028', r == '\u2029', r == '\ufeff':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// CleanLine makes one line of s: controls removed, runs of white space
// (line breaks and separators included) folded to one space, trimmed, and at
// most max characters (0: no cap). Invalid UTF-8 becomes U+FFFD.
func CleanLine(s string, max int) string {
	if isCleanLine(s, max) {
		return s
	}
	return cleanLine(s, max)
}

// cleanLine is CleanLine's work for a line that needs it.
func cleanLine(s string, max int) string {
	var b strings.Builder
	b.Grow(min(len(s), 4*max+8))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\ufffd") {
		// NEL and the Unicode separators are line breaks in some
		// clients: a space here, never a break.
		if r == '\n' || r == '\r' || r == '\t' || r == ' ' || r == '\u0085' || r == '\u2028' || r == '\u2029' {
			space = b.Len() > 0
			continue
		}
		if invisible(r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return Truncate(b.String(), max)
}

// isCleanLine reports whether CleanLine would return s as it is: printable
// characters with single inner spaces, valid UTF-8, nothing invisible,
// within max. Most names, companies and subjects are, and need no copy.
func isCleanLine(s string, max int) bool {
	n, ok := cleanLineRunes(s)
	return ok && (max <= 0 || n <= max)
}

// cleanLineRunes reports whether s is a clean line as isCleanLine has it
// (any length), and its characters when it is. Printable ASCII is passed
// eight bytes at a time: every field and motivation the writer stores is
// checked, and the byte loop was a tenth of storing an application.
func cleanLineRunes(s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return 0, false
	}
	const ones, highs, lows = applicant.Ones, applicant.Highs, applicant.Lows
	n := 0         // characters
	space := false // the byte before i is a space
	for i := 0; i < len(s); {
		end := len(s)
		if i+8 <= len(s) {
			w := applicant.Load64(s[i : i+8])
			// A byte below 0x20, above 0x7e (DEL, non-ASCII), exact: a
			// borrow or carry only starts at such a byte.
			odd := ((w-ones*0x20)&^w | (w + ones) | w) & highs
			// The spaces, exactly: the high bit of each byte of w that is 0x20.
			z := w ^ ones*0x20
			sp := ^((z&lows + lows) | z | lows)
			if odd == 0 && sp&(sp<<8) == 0 && !(space && sp&0x80 != 0) {
				n, i, space = n+8, i+8, sp>>63 != 0
				continue
			}
			end = i + 8 // these eight a byte at a time, then try again
			if odd != 0 {
				// The printable bytes before the first odd one at once,
				// and that character alone: French text has an accent
				// in most eight bytes.
				k := bits.TrailingZeros64(odd) >> 3
				spk := sp & (1<<(8*k) - 1)
				if spk&(spk<<8) == 0 && !(space && spk&0x80 != 0) {
					if k > 0 {
						n, i, space = n+k, i+k, spk>>(8*k-1) != 0
					}
					end = i + 1
				}
			}
		}
		for i < end {
			c := s[i]
			// A character of two bytes from U+00C0 (French accented
			// letters) is never invisible: no decoding.
			if c >= 0xc3 && c <= 0xdf && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
				n, i, space = n+1, i+2, false
				continue
			}
			if c >= utf8.RuneSelf {
				r, size := utf8.DecodeRuneInString(s[i:])
				if r == utf8.RuneError && size == 1 || invisible(r) {
					return 0, false
				}
				n, i, space = n+1, i+size, false
				continue
			}
			if c == ' ' {
				if space {
					return 0, false
				}
				space = true
			} else if c < 0x21 || c > 0x7e {
				return 0, false
			} else {
				space = false
			}
			n, i = n+1, i+1
		}
	}
	return n, true
}

// isCleanText reports whether CleanText would return s as it is: clean
// lines (see isCleanLine), none blank at the start or end, never two
// blank in a row, no white space around the whole, within max. Most
// motivations are, and need no copy.
func isCleanText(s string, max int) bool {
	if s == "" {
		return true
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return false
	}
	n := 0 // characters, line breaks included
	blank := false
	for rest := s; ; {
		line, more := rest, false
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest, more = rest[:i], rest[i+1:], true
		}
		if line == "" {
			if blank {
				return false
			}
			blank = true
		} else {
			k, ok := cleanLineRunes(line)
			if !ok {
				return false
			}
			n, blank = n+k, false
		}
		if !more {
			break
		}
		n++
	}
	return max <= 0 || n <= max
}

// CleanText is CleanLine for text that keeps its lines (a motivation):
// line breaks are kept as "\n" (at most one blank line in a row), tabs
// become spaces, everything else invisible is removed.
func CleanText(s string, max int) string {
	if isCleanText(s, max) {
		return s
	}
	return cleanText(s, max)
}

// cleanText is CleanText's work for a text that needs it.
func cleanText(s string, max int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\ufffd"), "\r\n", "\n")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = CleanLine(l, 0)
		if l == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return Truncate(strings.TrimSpace(strings.Join(out, "\n")), max)
}

// Truncate cuts s to at most max characters, the last being "…" when it
// was cut; max <= 0 leaves s as it is.
func Truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// CleanApplicant is cleanApplicant, for a caller that reads an
// application's fields before CreateApplication stores them.
func CleanApplicant(a *Applicant) { cleanApplicant(a) }

// cleanApplicant applies the text rules to every field of an applicant before it
// is stored: whatever extraction found, nothing invisible and nothing
// longer than a person could mean reaches the database, the exports or a
// mail.
func cleanApplicant(a *Applicant) {
	for _, f := range []*string{&a.FirstName, &a.LastName, &a.Company, &a.Role, &a.Commune, &a.Sector} {
		*f = CleanLine(*f, MaxNameLen)
	}
	for _, f := range []*string{&a.Email, &a.Phone, &a.Siret, &a.Siren, &a.PostalCode, &a.Departement, &a.ForwardedBy} {
		*f = CleanLine(*f, MaxShortLen)
	}
	a.Motivation = CleanText(a.Motivation, MaxMotivationLen)
}

// clean applies the text rules to the header values of a message kept
// for coordinators to read (list, show, exports).
func (m *Message) clean() {
	m.FromEmail = CleanLine(m.FromEmail, MaxShortLen)
	m.FromName = CleanLine(m.FromName, MaxSubjectLen)
	m.Subject = CleanLine(m.Subject, MaxSubjectLen)
}
