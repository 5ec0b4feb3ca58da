package extract

import (
	"strconv"
	"strings"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// digitRun reads, from s[i:], digits separated by single spaces, dots or
// hyphens ("812 345 676 00017", "512349879 00027"), up to max digits. It
// returns the digits and the end offset.
func digitRun(s string, i, max int) (digits string, end int) {
	_, end = digitRunLen(s, i, max)
	return digitsOnly(s[i:end]), end
}

// digitRunLen is digitRun without the digits: how many there are, and
// the end offset.
func digitRunLen(s string, i, max int) (n, end int) {
	end = i
	for i < len(s) && n < max {
		c := s[i]
		if c >= '0' && c <= '9' {
			n++
			i++
			end = i
			continue
		}
		if (c == ' ' || c == '.' || c == '-') && n > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			i++
			continue
		}
		break
	}
	return n, end
}

// siretKeywords finds where the text names the number: "SIRET",
// "Siret", "siren" as whole words, in any case. A scan for "sir" and its
// two letters costs a fraction of a case-insensitive regexp. They are
// found one at a time, as findSiret reads them: a SIRET given early (most
// are, on a labelled line) spares the scan of the rest of the text.
type siretKeywords struct {
	text   string
	i      int // where the scan goes on
	lo, up int // the next "s" and "S" from i, -1 before the first search
}

func newSiretKeywords(text string) *siretKeywords {
	return &siretKeywords{text: text, lo: -1, up: -1}
}

// next returns the start and end of the next keyword, ok false when there
// is none.
func (k *siretKeywords) next() (start, end int, ok bool) {
	text := k.text
	// The next "s" and "S" are each searched for from where the last was
	// found: an "S" looked for again from every "s" went through the
	// rest of the text each time.
	find := func(from int, c byte) int {
		if at := strings.IndexByte(text[from:], c); at >= 0 {
			return from + at
		}
		return len(text)
	}
	for i := k.i; i < len(text); i++ {
		if k.lo < i {
			k.lo = find(i, 's')
		}
		if k.up < i {
			k.up = find(i, 'S')
		}
		if i = min(k.lo, k.up); i+3 > len(text) {
			break
		}
		if lowerASCII(text[i+1]) != 'i' || lowerASCII(text[i+2]) != 'r' {
			continue
		}
		end := i + 5
		// Word boundaries as a regexp's \b sees them: "N°SIRET" names it.
		if end <= len(text) && (i == 0 || !isASCIIWordByte(text[i-1])) && (end == len(text) || !isASCIIWordByte(text[end])) {
			if t := text[i+3 : end]; strings.EqualFold(t, "et") || strings.EqualFold(t, "en") {
				k.i = i + 1
				return i, end, true
			}
		}
	}
	k.i = len(text)
	return 0, 0, false
}

// findSiret returns the SIRET (14 digits) and SIREN (9 digits) the text
// gives. A number introduced by "SIRET"/"SIREN" is preferred; otherwise a
// lone run of exactly 14 digits is taken as a SIRET.
func findSiret(text string) (siret, siren string) {
	for keys := newSiretKeywords(text); ; {
		_, end, ok := keys.next()
		if !ok {
			break
		}
		// Look for the first digit within a short distance, on the same
		// sentence: "SIRET : ", "N° SIRET de l'entreprise : ", "SIRET est le ".
		rest := text[end:]
		limit := min(len(rest), 60)
		start := -1
		for j := 0; j < limit; j++ {
			c := rest[j]
			if c >= '0' && c <= '9' {
				start = j
				break
			}
			if c == '\n' && j+1 < len(rest) && rest[j+1] == '\n' {
				break
			}
		}
		if start < 0 {
			continue
		}
		d, end := digitRun(rest, start, 15)
		if end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			continue
		}
		switch len(d) {
		case 14:
			return d, d[:9]
		case 9:
			if siren == "" {
				siren = d
			}
		}
	}
	// A bare 14-digit number, contiguous or grouped 3-3-3-5 / 9-5.
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c < '0' || c > '9' || (i > 0 && isWordByte(text[i-1])) || (i > 0 && text[i-1] == '+') {
			continue
		}
		// Count first: building the digits of every number in a long
		// text costs more than the rest of the SIRET rules.
		n, end := digitRunLen(text, i, 15)
		if n == 14 && (end >= len(text) || !isWordByte(text[end])) && plausibleSiretGrouping(text[i:end]) {
			d, _ := digitRun(text, i, 15)
			return d, d[:9]
		}
		i = end
	}
	return "", siren
}

// plausibleSiretGrouping accepts the ways people write a SIRET (14
// contiguous digits, 3 3 3 5, 9 5) and rejects runs of other numbers that
// happen to add up to 14 digits.
func plausibleSiretGrouping(s string) bool {
	var groups []int
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		} else {
			groups = append(groups, n)
			n = 0
		}
	}
	groups = append(groups, n)
	switch len(groups) {
	case 1:
		return true
	case 2:
		return groups[0] == 9 && groups[1] == 5
	case 4:
		return groups[0] == 3 && groups[1] == 3 && groups[2] == 3 && groups[3] == 5
	}
	return false
}

func isASCIIWordByte(c byte) bool { return asciiWordBytes[c] }

// asciiWordBytes are the bytes of the regexp's \w: a look-up costs less
// than the comparisons, in the loops over whole texts (wordStartsOf).
var asciiWordBytes = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
	}
	return t
}()

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

// rePhone matches French numbers as people write them: 06 12 34 56 78,
// 06.12.34.56.78, 0612345678, 06-12-…, +33 6 …, +33 (0)6 …, 0033 6 ….
// A mail client that wraps a sentence may break the line between two
// groups of digits ("au 06 52 73\n18 44"): the break is one more separator.
var rePhone = lazy(`^(?:(?:\+|00)\s?33\s?(?:\(\s?0\s?\)\s?)?|0)[1-9](?:(?:(?:[ .\-]|[ .\-]?\r?\n)?\d){8}|(?:/\d\d){4})`)

// phoneEnd returns the end of rePhone's match in s, or -1 when it does not
// match: the pattern read by hand, for findPhones, which tries it at every
// "0" and "+" of a text (the regexp cost some 7,000 instructions a try).
// Every choice in the pattern is told by the next bytes, so the first
// match is the only one. TestPhoneEndAsPattern holds it to the pattern.
func phoneEnd(s string) int {
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0 // no byte the pattern reads
	}
	p := 0
	switch {
	case at(0) == '+':
		p = 1
	case at(0) == '0' && at(1) == '0':
		p = 2
	case at(0) == '0':
		return phoneEndAfter(s, 1)
	default:
		return -1
	}
	// (?:\+|00)\s?33\s?(?:\(\s?0\s?\)\s?)?
	if isRegexpSpace(at(p)) {
		p++
	}
	if at(p) != '3' || at(p+1) != '3' {
		return -1
	}
	p += 2
	if isRegexpSpace(at(p)) {
		p++
	}
	if at(p) == '(' {
		q := p + 1
		if isRegexpSpace(at(q)) {
			q++
		}
		if at(q) == '0' {
			if q++; isRegexpSpace(at(q)) {
				q++
			}
			if at(q) == ')' {
				if q++; isRegexpSpace(at(q)) {
					q++
				}
				p = q
			}
		}
	}
	return phoneEndAfter(s, p)
}

// phoneEndAfter is phoneEnd for the rest of rePhone from s[p] on:
// [1-9](?:(?:(?:[ .\-]|[ .\-]?\r?\n)?\d){8}|(?:/\d\d){4}).
func phoneEndAfter(s string, p int) int {
	digit := func(i int) bool { return i < len(s) && '0' <= s[i] && s[i] <= '9' }
	is := func(i int, c byte) bool { return i < len(s) && s[i] == c }
	if !digit(p) || s[p] == '0' {
		return -1
	}
	p++
	j, n := p, 0
	for ; n < 8; n++ {
		switch {
		case digit(j):
			j++
		case (is(j, ' ') || is(j, '.') || is(j, '-')) && digit(j+1):
			j += 2
		case (is(j, ' ') || is(j, '.') || is(j, '-')) && is(j+1, '\r') && is(j+2, '\n') && digit(j+3):
			j += 4
		case (is(j, ' ') || is(j, '.') || is(j, '-')) && is(j+1, '\n') && digit(j+2):
			j += 3
		case is(j, '\r') && is(j+1, '\n') && digit(j+2):
			j += 3
		case is(j, '\n') && digit(j+1):
			j += 2
		default:
			n = 9 // not eight digits: the groups of two after slashes
		}
	}
	if n == 8 {
		return j
	}
	for k := 0; k < 4; k++ {
		if !is(p, '/') || !digit(p+1) || !digit(p+2) {
			return -1
		}
		p += 3
	}
	return p
}

// reIntlPhone matches a number written with another country code: +44 7700
// 900461, +41 79 345 67 82, +32 (0)475 61 28 93, 0041 79 345 67 82. The
// "00" form needs a separator after the country code, so that a run of
// digits starting with 00 is not taken for a phone number.
var reIntlPhone = lazy(`^(?:\+\s?[1-9]\d{0,2}|00[1-9]\d{0,2}[ .])[ .\-]?(?:\(\s?0\s?\)\s?)?\d(?:[ .\-]?\d){6,12}`)

// maxPhones bounds the numbers findPhones returns.
const maxPhones = 40

// phoneMatch is one phone number found in text.
type phoneMatch struct {
	e164       string
	start, end int
}

// findPhones returns every French phone number in text, in order. The
// anchored pattern is only tried where a number can start ("0" after a
// non-word byte, "+"), which is much faster than scanning the text with it.
func findPhones(text string) []phoneMatch {
	var out []phoneMatch
	// No author gives dozens of numbers: past maxPhones the text is a
	// list or an attack, and reading on would only cost time.
	for i := 0; i < len(text) && len(out) < maxPhones; i++ {
		c := text[i]
		if c != '0' && c != '+' {
			continue
		}
		// A phone number is never the tail of a longer run (SIRET, word).
		if i > 0 && (isWordByte(text[i-1]) || c == '0' && text[i-1] == '+') {
			continue
		}
		window := text[i:min(len(text), i+40)]
		if e := phoneEnd(window); e >= 0 {
			end := i + e
			if end < len(text) && isWordByte(text[end]) {
				continue
			}
			if e, err := applicant.NormalizePhone(text[i:end]); err == nil {
				out = append(out, phoneMatch{e, i, end})
				i = end - 1
			}
			continue
		}
		// A foreign number: the applicant's own when it is the one they
		// give (a Swiss or Belgian mobile), kept with its country code.
		if c == '+' || len(window) > 2 && window[1] == '0' {
			if loc := reIntlPhone.FindStringIndex(window); loc != nil {
				end := i + loc[1]
				if end < len(text) && isWordByte(text[end]) {
					continue
				}
				// A French number the first pattern refused stays refused.
				if e, err := applicant.NormalizePhone(text[i:end]); err == nil && !strings.HasPrefix(e, "+33") {
					out = append(out, phoneMatch{e, i, end})
					i = end - 1
				}
			}
		}
	}
	return out
}

// frenchNumberWords gives the value of the words French numbers are made of.
var frenchNumberWords = map[string]int{
	"zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
	"sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
	"quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
	"quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100, "mille": 1000,
}

// numberWordStarts marks the first bytes of frenchNumberWords.
var numberWordStarts = func() (t [256]bool) {
	for w := range frenchNumberWords {
		t[w[0]] = true
	}
	return t
}()

var numberSeparators = strings.NewReplacer(" ", "", ".", "")

// parseFrenchNumber reads a number written in digits ("12") or in French
// words ("douze", "vingt-trois", "quatre-vingt-dix", "trente et un").
func parseFrenchNumber(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(numberSeparators.Replace(s)); err == nil {
		return n, true
	}
	f := applicant.Fold(s)
	tokens := strings.FieldsFunc(f, func(r rune) bool { return r == '-' || r == ' ' })
	total, cur, seen := 0, 0, false
	for _, t := range tokens {
		if t == "et" {
			continue
		}
		v, ok := frenchNumberWords[t]
		if !ok {
			return 0, false
		}
		seen = true
		switch {
		case v == 100:
			cur = max(cur, 1) * 100
		case v == 1000:
			total += max(cur, 1) * 1000
			cur = 0
		case v == 20 && cur%100 == 4:
			// quatre-vingt(s) = 4 × 20
			cur = cur - 4 + 80
		default:
			cur += v
		}
	}
	if !seen {
		return 0, false
	}
	return total + cur, true
}
