package applicant

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	if !foldChanges(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	FoldTo(&b, s)
	return b.String()
}

// foldChanges reports whether Fold(s) differs from s: s holds a capital,
// a backquote or a byte beyond ASCII. Most strings folded are short ASCII
// lines and words; they are told eight bytes at a time, in one pass (a
// test for ASCII then strings.ToLower's pass for capitals took two, byte
// by byte), and those with capitals are lowered by AppendFold's
// eight-byte path.
func foldChanges(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// A word with no stop is ASCII, lowered exactly: it changes only
		// if it held a capital.
		w := Load64(s[i : i+8])
		if lowered, stops := lowerWord(w); stops != 0 || lowered != w {
			return true
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c == '`' || 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// FoldTo writes Fold(s) to b. Folding goes rune by rune: the pieces of a
// text folded one after the other are the text folded, without the
// copy of the whole that folding it after joining would make.
func FoldTo(b *strings.Builder, s string) {
	// Folded a piece at a time into a block on the stack (AppendFold),
	// handed to b whole: written to b run by run, the runs of ASCII
	// between capitals and accents (a few words each in French) cost a
	// copy call apiece. The pieces are cut where a rune starts, so they
	// fold to the pieces of the whole; a piece whose fold outgrows the
	// block (rare runes fold to more bytes) is given a larger one.
	var buf [128]byte
	for len(s) > 0 {
		k := min(len(s), len(buf)-8)
		for k < len(s) && !utf8.RuneStart(s[k]) {
			k++
		}
		b.Write(AppendFold(buf[:0], s[:k]))
		s = s[k:]
	}
}

// lowerWords writes src, a multiple of eight bytes long, lowered to dst
// (as long) eight bytes at a time by lowerWord, up to its first stop, and
// returns the offset of that stop, or len(src). A loop of its own: inside
// the fold's loop, among its writes, the compiler kept the masks and the
// pointers on the stack and loaded them again at every word, as many
// instructions as the word's fold. Both cut to the same length, the
// compiler checks no index in the loop (moving both along by reslicing
// cost about a third of the loop's instructions).
func lowerWords(dst []byte, src string) int {
	dst = dst[:len(src)]
	// The masks as variables, read once: as constants, the compiler made
	// each one again at every word.
	fromA, pastZ, hi, bq, one := fromAVar, pastZVar, highsVar, backquotesVar, onesVar
	j := 0
	for ; j < len(src)-7; j += 8 {
		lowered, m := lowerWordWith(Load64(src[j:j+8]), fromA, pastZ, hi, bq, one)
		binary.LittleEndian.PutUint64(dst[j:j+8], lowered)
		if m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
	}
	return j
}

// lowerWord folds eight ASCII bytes at once (w, little-endian): capitals
// lowered by a mask. stops has the high bit set of each byte that is a
// backquote or not ASCII, which the fold leaves to the rune-by-rune path:
// its lowest bit is exact, as carries and borrows only go up, so every
// byte below it was lowered right.
func lowerWord(w uint64) (lowered, stops uint64) {
	return lowerWordWith(w, fromA, pastZ, highs, backquotes, ones)
}

// The masks lowerWord adds, tests and compares with, and the same read as
// variables (see lowerWords).
const (
	ones, highs         = Ones, Highs
	fromA, pastZ        = ones * (0x80 - 'A'), ones * (0x80 - 'Z' - 1)
	backquotes   uint64 = ones * '`'
)

var fromAVar, pastZVar, highsVar, backquotesVar, onesVar uint64 = fromA, pastZ, highs, backquotes, ones

// lowerWordWith is lowerWord with its masks given.
func lowerWordWith(w, fromA, pastZ, highs, backquotes, ones uint64) (lowered, stops uint64) {
	// For ASCII bytes, the high bit of b+(0x80-x) says b >= x.
	upper := (w + fromA) &^ (w + pastZ) & highs
	// The backquotes are the zero bytes of q.
	q := w ^ backquotes
	return w | upper>>2, w&highs | (q-ones)&^q&highs
}

// Ones, Highs and Lows are a byte's lowest bit, its highest, and all but
// its highest, in each byte of a word (see Load64): the masks of the
// loops that test text eight bytes at a time.
const Ones, Highs, Lows = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f

// Load64 returns the first eight bytes of s, little-endian, in one load,
// for the loops that test text eight bytes at a time: on a piece of known
// length the bytes are in bounds, and the compiler combines them (indexed
// from a longer string, each was loaded and checked apart, most of the
// cost of those loops).
func Load64(s string) uint64 {
	s = s[:8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// asciiFolds is what Fold writes for each ASCII byte: its lower case, an
// apostrophe for the backquote.
var asciiFolds = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		t[c] = byte(FoldRune(rune(c)))
	}
	return t
}()

// latinFoldTable is what Fold writes for each rune of Latin-1 and Latin
// Extended (runes), the letters of French text, so that folding them costs
// a look up instead of a search of the Unicode case tables; and c3, by
// the second byte of the runes written C3 and one byte (U+00C0 to
// U+00FF: à, é, ç…), the ASCII byte their fold is, 0 when it is not one.
type latinFoldTable struct {
	runes [0x250]string
	c3    [0x40]byte
}

// latinFolds returns the latinFoldTable. It is built on first use, not by
// every command as it starts. AppendFold asks for it at every call (a call
// a line, most of the time): once built, it is one load, inlined, where
// sync.OnceValue's call cost some forty instructions.
func latinFolds() *latinFoldTable {
	if t := latinTable.Load(); t != nil {
		return t
	}
	return buildLatinFolds()
}

var (
	latinTable     atomic.Pointer[latinFoldTable]
	latinTableOnce sync.Once
)

func buildLatinFolds() *latinFoldTable {
	latinTableOnce.Do(func() {
		t := &latinFoldTable{}
		for r := range t.runes {
			t.runes[r] = foldRuneString(rune(r))
		}
		for k := range t.c3 {
			if f := t.runes[0xC0+k]; len(f) == 1 {
				t.c3[k] = f[0]
			}
		}
		latinTable.Store(t)
	})
	return latinTable.Load()
}

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

// AppendFold appends Fold(s) to dst, folding in dst's room: FoldTo folds
// into a block on the stack so, and the lines of a mail's text are folded
// into one buffer (joinWrapped). A word folded into an array on the stack
// and looked up in a set as string(…) is then no new string: the name
// rules fold each word of every candidate name.
func AppendFold(dst []byte, s string) []byte {
	latin := latinFolds()
	for i := 0; i < len(s); {
		// Eight ASCII bytes at once, capitals lowered by a mask, up to the
		// first that is a backquote or not ASCII: the bytes before it are
		// kept (French has an accent every few words, and going byte by
		// byte up to it cost more than the accent).
		if room := cap(dst) - len(dst); room >= 8 {
			n := len(dst)
			if i+8 <= len(s) {
				k := min(len(s)-i, room) &^ 7
				j := lowerWords(dst[n:n+k], s[i:i+k])
				dst, i = dst[:n+j], i+j
				if i == len(s) {
					break
				}
			} else if len(s) >= 8 {
				// The last bytes, fewer than eight (the end of most
				// lines): the word that ends s, shifted so that they are
				// its low bytes, is lowered as above, not byte by byte.
				// The zero bytes shifted in are no capital, backquote or
				// byte beyond ASCII, and are written past the end only.
				r := len(s) - i
				lowered, m := lowerWord(Load64(s[len(s)-8:]) >> (64 - 8*r))
				binary.LittleEndian.PutUint64(dst[n:n+8], lowered)
				if m == 0 {
					return dst[:n+r]
				}
				j := bits.TrailingZeros64(m) / 8
				dst, i = dst[:n+j], i+j
			}
		} else if i+8 <= len(s) {
			// No room: made for the rest of s, as folded by most runes.
			dst = slices.Grow(dst, len(s)-i)
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, asciiFolds[c])
			i++
			continue
		}
		// The letters of French text but œ are C3 and a byte after it,
		// nearly all folding to one ASCII letter: told by a look-up of
		// the second byte, without decoding the rune and finding its
		// fold.
		if c == 0xC3 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			if f := latin.c3[s[i+1]&0x3F]; f != 0 {
				dst = append(dst, f)
				i += 2
				continue
			}
		}
		r, w := DecodeRune(s[i:])
		i += w
		dst = AppendFoldRune(dst, r)
	}
	return dst
}

// AppendFoldRune appends to dst Fold of the one rune r, at most
// utf8.UTFMax bytes: Fold folds each rune alone.
func AppendFoldRune(dst []byte, r rune) []byte {
	if latin := latinFolds(); r >= 0 && r < rune(len(latin.runes)) {
		return append(dst, latin.runes[r]...)
	}
	return utf8.AppendRune(dst, FoldRune(r))
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

// DecodeRune is utf8.DecodeRuneInString with the two-byte letters of
// Latin scripts (every French accented letter) decoded inline: folding
// and cleaning call it for every non-ASCII character of a mail, and the
// general decoder's call was a tenth of their time. An invalid byte
// decodes as U+FFFD, as there.
func DecodeRune(s string) (rune, int) {
	if len(s) > 1 && s[0] >= 0xC2 && s[0] < 0xE0 && s[1]&0xC0 == 0x80 {
		return rune(s[0]&0x1F)<<6 | rune(s[1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(s)
}
