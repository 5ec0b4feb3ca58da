package applicant

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s lowercased, without accents ("Élodie" -> "elodie"), with
// œ and æ written out and typographic apostrophes, dashes and quotes made
// plain. Labels, keywords, names and roles are compared folded, because
// applicants write "Societe", "Société" and "SOCIÉTÉ" alike. It does not
// keep byte offsets: search the folded text, not the original, with them.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == '`' {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	FoldTo(&b, s)
	return b.String()
}

// FoldTo writes Fold(s) to b. Folding goes rune by rune: the pieces of a
// text folded one after the other are the text folded, without the
// copy of the whole that folding it after joining would make.
func FoldTo(b *strings.Builder, s string) {
	latin := latinFolds()
	for i := 0; i < len(s); {
		// ASCII is most of any French text: FoldRune's answer for it is
		// plain lower case, so runs of it that fold to themselves are
		// copied whole, and the other bytes written without decoding.
		j := i
		for j < len(s) && foldsToItself[s[j]] {
			j++
		}
		b.WriteString(s[i:j])
		if i = j; i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '`' {
				c = '\''
			} else {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		// Latin letters are two bytes: decoded here, not by a call, and
		// their fold, mostly one letter, written as a byte.
		var r rune
		if c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			r = rune(c&0x1F)<<6 | rune(s[i+1]&0x3F)
			i += 2
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(s[i:])
			i += n
		}
		if r < rune(len(latin)) {
			if f := latin[r]; len(f) == 1 {
				b.WriteByte(f[0])
			} else {
				b.WriteString(f)
			}
			continue
		}
		// œ and æ are in the table: above it, FoldRune says it all.
		b.WriteRune(FoldRune(r))
	}
}

// foldsToItself marks the ASCII bytes Fold writes as they are: all but
// the capitals and the backquote. One look-up a byte, not four tests, in
// the loop over the runs of them that are most of any text.
var foldsToItself = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = (c < 'A' || c > 'Z') && c != '`'
	}
	return t
}()

// latinFolds holds what Fold writes for each rune of Latin-1 and Latin
// Extended, the letters of French text, so that folding them costs a look
// up instead of a search of the Unicode case tables. It is built on first
// use, not by every command as it starts.
var latinFolds = sync.OnceValue(func() *[0x250]string {
	var t [0x250]string
	for r := range t {
		t[r] = foldRuneString(rune(r))
	}
	return &t
})

// foldRuneString is Fold for one rune: FoldRune, with œ and æ written out.
func foldRuneString(r rune) string {
	switch r {
	case 'œ', 'Œ':
		return "oe"
	case 'æ', 'Æ':
		return "ae"
	}
	return string(FoldRune(r))
}

// FoldRune lowercases r and removes its diacritics (é -> e); typographic
// apostrophes, dashes and quotes become ', - and ". Letters that fold to
// two letters (œ, æ) are left to Fold.
func FoldRune(r rune) rune {
	r = unicode.ToLower(r)
	if r < 0x80 {
		if r == '`' {
			return '\''
		}
		return r
	}
	switch r {
	case 'à', 'â', 'ä', 'á', 'ã', 'å':
		return 'a'
	case 'ç':
		return 'c'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'î', 'ï', 'í', 'ì':
		return 'i'
	case 'ô', 'ö', 'ó', 'ò', 'õ':
		return 'o'
	case 'ù', 'û', 'ü', 'ú':
		return 'u'
	case 'ÿ', 'ý':
		return 'y'
	case 'ñ':
		return 'n'
	case '’', '‘', 'ʼ', '´':
		return '\''
	case '–', '—', '‐', '‑', '−':
		return '-'
	case '«', '»', '“', '”':
		return '"'
	}
	// Any other accented letter: its base letter, when the decomposition
	// is one letter followed by combining marks only.
	if unicode.IsLetter(r) {
		var b [utf8.UTFMax]byte
		d := b[:utf8.EncodeRune(b[:], r)]
		if norm.NFD.Properties(d).Decomposition() == nil {
			// Most letters (all of Chinese, say) have none: they are
			// told so without decomposing them.
			return r
		}
		base := []rune(norm.NFD.String(string(d)))
		if len(base) > 1 && unicode.IsLetter(base[0]) {
			for _, m := range base[1:] {
				if !unicode.Is(unicode.Mn, m) {
					return r
				}
			}
			return base[0]
		}
	}
	return r
}
