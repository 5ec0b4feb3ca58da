package extract

import (
	"github.com/rse-lozere/rse-intake/store/applicant"
	"math/bits"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// textCleaner maps the invisible or exotic characters mail clients insert
// (non-breaking and narrow spaces before French colons, zero-width joiners,
// soft hyphens) to what a reader sees, so that "Tél. :" matches whatever
// space Outlook put before the colon.
var textCleaner = strings.NewReplacer(cleanedChars...)

// cleanedChars are textCleaner's pairs of old and new strings.
var cleanedChars = []string{
	"\r\n", "\n", "\r", "\n",
	"\u00a0", " ", "\u202f", " ", "\u2007", " ", "\u2009", " ", "\u2002", " ", "\u2003", " ",
	"\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "", "\u00ad", "", "\u2060", "",
	"\u2028", "\n", "\u2029", "\n",
}

// cleanedStarts marks the first bytes of cleanedChars' old strings.
var cleanedStarts = func() (t [256]bool) {
	for k := 0; k < len(cleanedChars); k += 2 {
		t[cleanedChars[k][0]] = true
	}
	return t
}()

// needsCleaning reports whether s holds one of the strings textCleaner
// replaces: most mail holds none, and the replacer copies the whole text
// even then.
func needsCleaning(s string) bool {
	for i := 0; i < len(s); i++ {
		if !cleanedStarts[s[i]] {
			continue
		}
		for k := 0; k < len(cleanedChars); k += 2 {
			if strings.HasPrefix(s[i:], cleanedChars[k]) {
				return true
			}
		}
	}
	return false
}

// cleanText returns s as valid NFC UTF-8 with LF line ends and plain spaces.
// NFC matters because Apple Mail may send decomposed accents, which would
// otherwise defeat every accented pattern.
func cleanText(s string) string {
	if cleanAlready(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if needsCleaning(s) {
		s = textCleaner.Replace(s)
	}
	if !latinNFC(s) && !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return s
}

// nfcStarters marks the runes below U+2100 (the Latin letters of French,
// and the general punctuation: ’ « » … –) that NFC keeps as they are and
// never composes with what comes before, as the Unicode data says.
var nfcStarters = sync.OnceValue(func() *[0x2100]bool {
	var t [0x2100]bool
	for r := range t {
		p := norm.NFC.PropertiesString(string(rune(r)))
		t[r] = p.CCC() == 0 && p.BoundaryBefore() && norm.NFC.IsNormalString(string(rune(r)))
	}
	return &t
})

// latinNFC reports whether the valid UTF-8 s holds only ASCII and runes
// of nfcStarters: it is then in NFC, which a byte loop tells faster than
// the normaliser's check.
func latinNFC(s string) bool {
	t := nfcStarters()
	for i := 0; i < len(s); {
		// Prose is mostly ASCII: eight bytes at a time are told ASCII by
		// one test, not a branch each.
		for i+8 <= len(s) && applicant.Load64(s[i:i+8])&0x8080808080808080 == 0 {
			i += 8
		}
		if i == len(s) {
			break
		}
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r >= rune(len(t)) || !t[r] {
			return false
		}
		i += n
	}
	return true
}

// plainRunes are the runes of nfcStarters that textCleaner leaves as they
// are.
var plainRunes = sync.OnceValue(func() *[0x2100]bool {
	t := *nfcStarters()
	for k := 0; k < len(cleanedChars); k += 2 {
		if r, n := utf8.DecodeRuneInString(cleanedChars[k]); n == len(cleanedChars[k]) && r < rune(len(t)) {
			t[r] = false
		}
	}
	return &t
})

// highsVar is highs, read as a variable (see cleanAlready).
var highsVar uint64 = highs

// cleanAlready reports whether cleanText returns s as it is: s is valid
// UTF-8, holds no '\r' and only ASCII and plainRunes (so nothing
// textCleaner replaces, and it is NFC, see latinNFC). Most mail is: one
// pass over the text tells it, where validating, looking for what to
// clean and checking NFC took one each.
func cleanAlready(s string) bool {
	// A '\r' anywhere is searched for once, by the vector search of a
	// byte, not told in each word below with the rest (half the word's
	// instructions).
	if strings.IndexByte(s, '\r') >= 0 {
		return false
	}
	t := plainRunes()
	// The mask as a variable: as a constant, the compiler made it again
	// at every step of the loop.
	hi := highsVar
	for i := 0; i < len(s); {
		// Eight ASCII bytes at a time; where one is not, straight to it
		// (the lowest high bit set). From 0 and while k < len(rest)-7: the
		// compiler then checks no bounds.
		rest, k := s[i:], 0
		for ; k < len(rest)-7; k += 8 {
			if m := applicant.Load64(rest[k:k+8]) & hi; m != 0 {
				k += bits.TrailingZeros64(m) / 8
				break
			}
		}
		i += k
		if i == len(s) {
			break
		}
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		// Most letters beyond ASCII in French text are written C3 and a
		// byte (U+00C0 to U+00FF: é, à, ç…): decoded here, without a call.
		if c := s[i]; c == 0xC3 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			if !t[0xC0|rune(s[i+1]&0x3F)] {
				return false
			}
			i += 2
			continue
		}
		// An invalid byte decodes as U+FFFD, beyond the table.
		r, n := applicant.DecodeRune(s[i:])
		i += n
		if r >= rune(len(t)) || !t[r] {
			return false
		}
	}
	return true
}

// trimSpace is strings.TrimSpace(s), s itself when it starts and ends
// with an ASCII byte that is no space, as most lines do: splitBody trims
// every line of every mail, and the call cost more than the test.
func trimSpace(s string) string {
	if s != "" && s[0] < utf8.RuneSelf && !asciiSpaces[s[0]] && s[len(s)-1] < utf8.RuneSelf && !asciiSpaces[s[len(s)-1]] {
		return s
	}
	return trimSpaceOther(s)
}

// trimSpaceOther is trimSpace for the other lines: blank, ending in the
// spaces of format=flowed's soft breaks, or starting or ending with an
// accented letter, a line in five of a French mail. Their ASCII spaces
// are cut by a byte loop and the letters written C3 and a byte (U+00C0
// to U+00FF, none a space) are told at once; strings.TrimSpace, which
// goes rune by rune through unicode.IsSpace from the first byte beyond
// ASCII, is left the rest (TestTrimSpaceAsStrings and
// TestTrimSpaceOtherAsStrings hold them equal).
func trimSpaceOther(s string) string {
	start, stop := 0, len(s)
	for start < stop && s[start] < utf8.RuneSelf && asciiSpaces[s[start]] {
		start++
	}
	for stop > start && s[stop-1] < utf8.RuneSelf && asciiSpaces[s[stop-1]] {
		stop--
	}
	s = s[start:stop]
	if s == "" {
		return s
	}
	// The first rune is no space when its byte is ASCII (the spaces are
	// cut) or C3; the last, when its byte is ASCII or it is C3 and a
	// continuation byte.
	firstPlain := s[0] < utf8.RuneSelf || s[0] == 0xC3
	n := len(s)
	lastPlain := s[n-1] < utf8.RuneSelf || n >= 2 && s[n-2] == 0xC3 && s[n-1]&0xC0 == 0x80
	if firstPlain && lastPlain {
		return s
	}
	return strings.TrimSpace(s)
}

// collapseSpaces trims s and reduces every run of white space to one space.
// It is strings.Join(strings.Fields(s), " ") without the slice of words:
// the motivation's paragraphs go through it whole.
func collapseSpaces(s string) string { return collapseSpacesPast(s, -1) }

// collapseSpacesPast is collapseSpaces(s), stopped at the word that takes
// it past n runes (never when n < 0): truncateRunes(…, n) keeps the same of
// it, and a long text is not collapsed whole for its first n runes.
func collapseSpacesPast(s string, n int) string {
	// Most text is already collapsed (a line trimmed, words one space
	// apart): while the result is a piece of s, s[:end], it is not
	// copied; the builder is made at the first space that must change.
	var b strings.Builder
	same, end := true, 0
	// One pass over the bytes, as strings.Fields splits (see
	// collapsedRunes), each word written whole.
	runes, words := 0, 0
	for i := 0; i < len(s); {
		// White space up to the next word.
		gap := i
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				if !asciiSpaces[c] {
					break
				}
				i++
			} else if r, w := utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
				i += w
			} else {
				break
			}
		}
		if i == len(s) || n >= 0 && runes > n {
			break
		}
		if same && (words == 0 && i != 0 || words > 0 && (i != gap+1 || s[gap] != ' ')) {
			same = false
			// Room for n runes of accented text and the word that passes
			// them, not for the whole of a long s: the builder grows if a
			// word is longer.
			if n >= 0 {
				b.Grow(min(len(s), 2*n+64))
			} else {
				b.Grow(len(s))
			}
			b.WriteString(s[:end])
		}
		if words > 0 {
			if !same {
				b.WriteByte(' ')
			}
			runes++
		}
		words++
		start := i
		for i < len(s) {
			if i+8 <= len(s) {
				k := wordBytes8(applicant.Load64(s[i : i+8]))
				i += k
				runes += k
				if k == 8 {
					continue
				}
			}
			if c := s[i]; c < utf8.RuneSelf {
				if asciiSpaces[c] {
					break
				}
				i++
			} else if isLatin1Letter(s, i) {
				i += 2
			} else if r, w := utf8.DecodeRuneInString(s[i:]); !unicode.IsSpace(r) {
				i += w
			} else {
				break
			}
			runes++
		}
		if same {
			end = i
		} else {
			b.WriteString(s[start:i])
		}
	}
	if same {
		return s[:end]
	}
	return b.String()
}

// collapsedRunes is utf8.RuneCountInString(collapseSpaces(s)), counted
// without building the collapsed text, and no further than past n: the
// count it returns is above n when the whole count is.
func collapsedRunes(s string, n int) int {
	// One pass over the bytes, as strings.Fields splits (ASCII white
	// space by a table, the rest by unicode.IsSpace), without the words.
	runes, words := 0, 0
	in := false
	for i := 0; i < len(s); {
		if in && i+8 <= len(s) {
			k := wordBytes8(applicant.Load64(s[i : i+8]))
			i += k
			runes += k
			if k == 8 {
				continue
			}
		}
		c := s[i]
		space, w := false, 1
		if c < utf8.RuneSelf {
			space = asciiSpaces[c]
		} else if isLatin1Letter(s, i) {
			w = 2
		} else {
			var r rune
			r, w = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		i += w
		if space {
			in = false
			continue
		}
		if !in {
			if runes+max(words-1, 0) > n {
				break
			}
			words++
			in = true
		}
		runes++
	}
	return runes + max(words-1, 0)
}

// isLatin1Letter reports whether s[i:] starts with C3 and a continuation
// byte: U+00C0 to U+00FF, the accented letters of French text, none of
// them a space. They are passed over without decoding the rune and
// asking unicode.IsSpace, a call each.
func isLatin1Letter(s string, i int) bool {
	return s[i] == 0xC3 && i+1 < len(s) && s[i+1]&0xC0 == 0x80
}

// wordBytes8 returns how many of the eight bytes of w (little-endian, as
// applicant.Load64 reads them), from the first, are ASCII above the space:
// bytes of a word, one rune each. The motivation's words are passed over
// eight bytes at a time this way, not byte by byte; the byte that stops
// them (a space, a control byte, a byte beyond ASCII) is read alone.
func wordBytes8(w uint64) int {
	// The high bit of a byte of (w-0x21…)&^w says it is below 0x21, exact
	// up to the first such byte: a borrow only goes up.
	m := (w | (w-ones*0x21)&^w) & highs
	return bits.TrailingZeros64(m) / 8
}

// asciiSpaces are the ASCII bytes strings.Fields splits on.
var asciiSpaces = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// isUpperWord reports whether w has at least two letters and no lowercase
// letter: "GINESTET", "TEISSÈDRE", "D'APCHER".
func isUpperWord(w string) bool {
	letters := 0
	for _, r := range w {
		if r == '.' {
			return false // initials: "P.-A."
		}
		if unicode.IsLetter(r) {
			if unicode.IsLower(r) {
				return false
			}
			letters++
		}
	}
	return letters >= 2
}

// hasLower reports whether s contains a lowercase letter.
func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// startsUpper reports whether the first letter or digit of s is an
// uppercase letter.
func startsUpper(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return unicode.IsUpper(r)
		}
		if unicode.IsDigit(r) {
			return false
		}
	}
	return false
}

// capitalizeWord turns "GINESTET" or "ginestet" into "Ginestet", keeping
// hyphenated parts ("SAINT-CHELY" -> "Saint-Chely") and lowering elided
// particles ("D'APCHER" -> "d'Apcher").
func capitalizeWord(w string) string {
	if w == "" {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	start := true
	rs := []rune(w)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		// An elided particle: d' l' at the start of a part stays lowercase
		// and the next letter is capitalised.
		if start && (r == 'd' || r == 'D' || r == 'l' || r == 'L') && i+1 < len(rs) && (rs[i+1] == '\'' || rs[i+1] == '’') && i+2 < len(rs) && i > 0 {
			b.WriteRune(unicode.ToLower(r))
			b.WriteRune(rs[i+1])
			i++
			continue
		}
		if start {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = r == '-' || r == '\'' || r == '’' || r == ' '
	}
	return b.String()
}

// lowerParticles are the words kept in lower case inside place names and
// family names when they are normalised from upper case.
var lowerParticles = map[string]bool{
	"de": true, "du": true, "des": true, "sur": true, "sous": true, "en": true, "et": true,
	"lès": true, "d'": true, "l'": true, "aux": true, "au": true,
}

// naturalCase normalises an upper-case (or all lower-case) proper noun to
// its usual spelling; mixed-case input is returned as written, since the
// author's own capitalisation is the best evidence there is.
func naturalCase(s string) string {
	s = collapseSpaces(s)
	if hasLower(s) && !isAllLower(s) {
		return s
	}
	words := strings.Split(s, " ")
	for i, w := range words {
		lw := strings.ToLower(w)
		if i > 0 && lowerParticles[lw] {
			words[i] = lw
			continue
		}
		words[i] = capitalizeWord(w)
		// Particles inside hyphenated place names: Saint-Chély-d'Apcher,
		// Bagnols-les-Bains, Villeneuve-sur-Lot.
		if strings.Contains(words[i], "-") {
			parts := strings.Split(words[i], "-")
			for j := 1; j < len(parts); j++ {
				lp := strings.ToLower(parts[j])
				if lowerParticles[lp] || lp == "les" || lp == "la" || lp == "le" {
					parts[j] = lp
				} else if strings.HasPrefix(lp, "d'") || strings.HasPrefix(lp, "d’") || strings.HasPrefix(lp, "l'") {
					r := []rune(parts[j])
					if len(r) > 2 {
						parts[j] = strings.ToLower(string(r[:2])) + strings.ToUpper(string(r[2:3])) + strings.ToLower(string(r[3:]))
					}
				}
			}
			words[i] = strings.Join(parts, "-")
		}
	}
	return strings.Join(words, " ")
}

func isAllLower(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// trimValue removes what surrounds a value copied from a labelled line:
// spaces, quotes, trailing dots, commas and semicolons.
func trimValue(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, " \t\"«»“”*_")
	s = strings.TrimRight(s, " .,;:")
	return strings.TrimSpace(s)
}
