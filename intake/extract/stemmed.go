package extract

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/bits"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// stemmed is a sentence pattern looked for only where it can start: at a
// word boundary, on one of the words its alternatives begin with. Go's
// regexp engine steps through every byte of the text for a pattern with
// no literal prefix, and a handful of such patterns ("je suis gérante
// de…", "nous sommes 12…") were most of extraction's cost on long mails.
// The result is the pattern's own, match for match (stemmed_test.go checks
// it on every corpus mail).
type stemmed struct {
	re    *lazyRegexp // the pattern, which must start with \b
	at    *lazyRegexp // the same, anchored at the start of its input
	stems []string    // ASCII lower case: each match starts with one
	// breaks, when set, replaces the stems: the pattern starts at the
	// text's start or on one of these bytes (a sentence or line break).
	breaks string
	// lead is what follows a break or a stem, after spaces, can start
	// with, or nil for anything: a break or a stem followed by another
	// word is not tried.
	lead func() *lead
	// then, when set with breaks, reports whether what follows the lead
	// and its spaces can start at t.text[j] (`lead\s+then…`): the lead
	// holds no break, and a break where then starts nowhere before the
	// next break is not tried.
	then func(t caseless, j int) bool
	// byFirst are the stems by the byte they begin with, and firsts those
	// bytes.
	byFirst [256][]string
	firsts  []byte
	// glued are the stems that begin with a letter beyond ASCII
	// ("établi"): \b holds before one only after an ASCII word byte,
	// where no word starts, so a text where one follows such a byte is
	// searched with the whole pattern.
	glued []string
	// folds: a stem holds s or k, which (?i) matches as ſ or K (the
	// Kelvin sign) too, where the stems in ASCII do not find it: a text
	// holding one of those is searched with the whole pattern.
	folds bool
}

func newStemmed(re *lazyRegexp, stems ...string) *stemmed {
	p := &stemmed{re: re, at: lazy(`^(?:` + re.String() + `)`), stems: stems}
	for _, stem := range stems {
		p.folds = p.folds || strings.ContainsAny(stem, "sk")
		if stem[0] >= utf8.RuneSelf {
			p.glued = append(p.glued, stem)
			continue
		}
		if !isASCIIWordByte(stem[0]) {
			// starts tries the stems at word starts only.
			panic("extract: a stem must begin with a letter: " + stem)
		}
		if len(p.byFirst[stem[0]]) == 0 {
			p.firsts = append(p.firsts, stem[0])
		}
		p.byFirst[stem[0]] = append(p.byFirst[stem[0]], stem)
	}
	return p
}

// wholeText reports whether t is searched with the whole pattern: the
// stems may miss a match in it (see glued and folds).
func (p *stemmed) wholeText(t caseless) bool {
	if p.folds && t.hasFoldedSK() {
		return true
	}
	for _, g := range p.glued {
		glued := false
		t.each(g, func(i int) { glued = glued || i > 0 && isASCIIWordByte(t.text[i-1]) })
		if glued {
			return true
		}
	}
	return false
}

// newAtBreaks is a pattern that starts at the beginning of the text or on
// one of the bytes of breaks, then lead, then spaces and then (see
// stemmed.then): `(?:^|[.!?,]\s+|\n)lead\s+then…`. Breaks are most of a
// text's punctuation, and trying the pattern costs as much at each: it is
// tried only where what follows the break and its spaces can start lead,
// and then follows.
func newAtBreaks(re *lazyRegexp, breaks string, lead func() *lead, then func(t caseless, j int) bool) *stemmed {
	return &stemmed{re: re, at: lazy(`^(?:` + re.String() + `)`), breaks: breaks, lead: lead, then: then}
}

// newStemmedThen is newStemmed for a pattern whose stems are its whole
// first words, each followed by optional spaces then by then:
// `\b(?:notre|mon|…)\s*then…`. A stem is tried only where what follows
// it can start then.
func newStemmedThen(re *lazyRegexp, then string, stems ...string) *stemmed {
	p := newStemmed(re, stems...)
	p.lead = leadOf(then)
	return p
}

// leadOf returns, computed on first use, what a match of pattern can
// start with, nil when it can match the empty string.
func leadOf(pattern string) func() *lead {
	return sync.OnceValue(func() *lead {
		re, err := syntax.Parse(pattern, syntax.Perl)
		if err != nil {
			// A constant of the package, as the patterns are.
			panic(fmt.Errorf("extract: lead of a sentence pattern: %w", err))
		}
		set, empty := leadRunes(re)
		if empty {
			return nil
		}
		l := &lead{runes: set}
		words := map[string]bool{} // every beginning of the words, true for the words
		for _, w := range leadWords(re, leadWordLen) {
			for k := 0; k <= len(w.s); k++ {
				words[w.s[:k]] = words[w.s[:k]] || k == len(w.s)
			}
		}
		l.trie(words)
		for k := 0; k+1 < len(set); k += 2 {
			for r := set[k]; r <= set[k+1] && r < utf8.RuneSelf; r++ {
				l.ascii[r] = true
			}
		}
		return l
	})
}

// matchBytes returns the bytes a match of pattern can hold: those of the
// runes its literals and classes match, in every case they fold to. A
// class too large to list (or an operator not listed) may hold any byte.
func matchBytes(pattern string) *[256]bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		// A constant of the package, as the patterns are.
		panic(fmt.Errorf("extract: bytes of a pattern: %w", err))
	}
	var set [256]bool
	all := func(from int) {
		for b := from; b < len(set); b++ {
			set[b] = true
		}
	}
	addRune := func(r rune) {
		if r == utf8.RuneError {
			// What an invalid byte of the text reads as.
			all(utf8.RuneSelf)
		}
		for _, b := range []byte(string(r)) {
			set[b] = true
		}
	}
	var walk func(re *syntax.Regexp)
	walk = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			for _, r := range re.Rune {
				addRune(r)
				if re.Flags&syntax.FoldCase != 0 {
					for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
						addRune(f)
					}
				}
			}
		case syntax.OpCharClass:
			for k := 0; k+1 < len(re.Rune); k += 2 {
				if re.Rune[k+1]-re.Rune[k] > 256 {
					all(0)
					return
				}
				for r := re.Rune[k]; r <= re.Rune[k+1]; r++ {
					addRune(r)
				}
			}
		case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
			syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpNoMatch:
		case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat, syntax.OpConcat, syntax.OpAlternate:
			for _, sub := range re.Sub {
				walk(sub)
			}
		default:
			all(0)
		}
	}
	walk(re)
	return &set
}

// lead is what a match of a pattern's lead can start with.
type lead struct {
	runes []rune // its first rune, as pairs of bounds (not merged)
	// The words of the lead are its first leadWordLen bytes, or fewer
	// where the pattern stops being a short choice of characters, with
	// ASCII capitals lower-cased (as in caseless): a title or a noun is
	// told from the other words of the text that start with the same
	// letter ("entreprise" from "entrepreneur") before its large pattern
	// is tried. They are held as a trie, a state for every beginning of
	// them (0 the empty one), stepped through by the byte's class (0 for
	// the bytes no word holds): next[state*width+class] is the next
	// state, 0 for none (no beginning of a word is empty); word[state]
	// says a word ends there.
	class [256]uint8
	width int
	next  []uint16
	word  []bool
	// ascii are the runes of runes below utf8.RuneSelf.
	ascii [utf8.RuneSelf]bool
}

// trie builds the lead's trie from the beginnings of its words (true for
// the words themselves).
func (l *lead) trie(words map[string]bool) {
	begins := make([]string, 0, len(words))
	for w := range words {
		begins = append(begins, w)
	}
	// Shorter first, so that a beginning's state is made before the
	// states that follow it.
	slices.SortFunc(begins, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	l.width = 1
	for _, w := range begins {
		for i := 0; i < len(w); i++ {
			if l.class[w[i]] == 0 {
				l.class[w[i]] = uint8(l.width)
				l.width++
			}
		}
	}
	if len(begins) >= 1<<16 || l.width > 255 {
		panic("extract: a lead too large for its trie")
	}
	state := make(map[string]uint16, len(begins))
	l.next = make([]uint16, len(begins)*l.width)
	l.word = make([]bool, len(begins))
	for n, w := range begins {
		state[w] = uint16(n)
		l.word[n] = words[w]
		if w != "" {
			l.next[int(state[w[:len(w)-1]])*l.width+int(l.class[w[len(w)-1]])] = uint16(n)
		}
	}
}

// leadWordLen is the length of lead's words, in bytes.
const leadWordLen = 12

// leadWord is a beginning of a match; open when what follows it in the
// pattern may still add to it.
type leadWord struct {
	s    string
	open bool
}

// leadWords returns the beginnings, cut at n bytes, that a match of re
// starts with, ASCII capitals lower-cased: every match's first bytes,
// so lower-cased, start with one of them. Where the pattern stops being a
// short choice of characters (a large class, a repetition) the beginning
// is cut there.
func leadWords(re *syntax.Regexp, n int) []leadWord {
	empty := []leadWord{{"", true}}
	switch re.Op {
	case syntax.OpNoMatch:
		return nil
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return empty
	case syntax.OpLiteral:
		ws := empty
		for _, r := range re.Rune {
			orbit := []rune{r}
			if re.Flags&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					orbit = append(orbit, f)
				}
			}
			ws = concatLeadWords(ws, runeWords(orbit, false), n)
		}
		return ws
	case syntax.OpCharClass:
		return concatLeadWords(empty, runeWords(re.Rune, true), n)
	case syntax.OpCapture:
		return leadWords(re.Sub[0], n)
	case syntax.OpQuest:
		return append(empty, leadWords(re.Sub[0], n)...)
	case syntax.OpStar:
		return append(empty, cutLeadWords(leadWords(re.Sub[0], n))...)
	case syntax.OpPlus:
		return cutLeadWords(leadWords(re.Sub[0], n))
	case syntax.OpRepeat:
		ws := leadWords(re.Sub[0], n)
		if re.Min != 1 || re.Max != 1 {
			ws = cutLeadWords(ws)
		}
		if re.Min == 0 {
			ws = append(empty, ws...)
		}
		return ws
	case syntax.OpConcat:
		ws := empty
		for _, sub := range re.Sub {
			ws = concatLeadWords(ws, leadWords(sub, n), n)
		}
		return ws
	case syntax.OpAlternate:
		var ws []leadWord
		for _, sub := range re.Sub {
			ws = append(ws, leadWords(sub, n)...)
		}
		return ws
	}
	// Any character, or an operator not listed: anything may follow.
	return []leadWord{{"", false}}
}

// runeWords returns, as words of one character, runes (pairs of bounds
// when ranges is set), ASCII capitals lower-cased. Too many of them make a
// class too wide to list: one closed empty word then, anything. An
// invalid byte of the text reads as U+FFFD: a class that holds it may
// match any invalid byte, so it is anything too.
func runeWords(runes []rune, ranges bool) []leadWord {
	const most = 8
	var ws []leadWord
	add := func(r rune) bool {
		if r == utf8.RuneError || len(ws) > most {
			return false
		}
		w := string(r)
		if r < utf8.RuneSelf {
			w = string(lowerASCII(byte(r)))
		}
		for _, x := range ws {
			if x.s == w {
				return true
			}
		}
		ws = append(ws, leadWord{w, true})
		return true
	}
	anything := []leadWord{{"", false}}
	if !ranges {
		for _, r := range runes {
			if !add(r) {
				return anything
			}
		}
		return ws
	}
	for k := 0; k+1 < len(runes); k += 2 {
		if runes[k+1]-runes[k] > most {
			return anything
		}
		for r := runes[k]; r <= runes[k+1]; r++ {
			if !add(r) {
				return anything
			}
		}
	}
	return ws
}

// concatLeadWords returns the words of a followed by those of b, the
// closed words of a kept as they are and every word cut at n bytes. Too
// many words are closed where they are.
func concatLeadWords(a, b []leadWord, n int) []leadWord {
	var out []leadWord
	for _, x := range a {
		if !x.open {
			out = append(out, x)
			continue
		}
		for _, y := range b {
			w := leadWord{x.s + y.s, y.open}
			if len(w.s) >= n {
				w = leadWord{w.s[:n], false}
			}
			out = append(out, w)
		}
	}
	if len(out) > 512 {
		return cutLeadWords(a)
	}
	return out
}

// cutLeadWords closes the words: what follows them is not known.
func cutLeadWords(ws []leadWord) []leadWord {
	out := make([]leadWord, len(ws))
	for i, w := range ws {
		out[i] = leadWord{w.s, false}
	}
	return out
}

// leadRunes returns the runes a match of re can start with, as pairs of
// bounds (not merged), and whether re can match the empty string.
func leadRunes(re *syntax.Regexp) (set []rune, empty bool) {
	switch re.Op {
	case syntax.OpNoMatch:
		return nil, false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nil, true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, true
		}
		r := re.Rune[0]
		set = []rune{r, r}
		if re.Flags&syntax.FoldCase != 0 {
			// As the compiled pattern does: every rune of r's case orbit.
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				set = append(set, f, f)
			}
		}
		return set, false
	case syntax.OpCharClass:
		return re.Rune, false // folded by the parser under (?i)
	case syntax.OpCapture, syntax.OpPlus:
		return leadRunes(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		set, _ = leadRunes(re.Sub[0])
		return set, true
	case syntax.OpRepeat:
		set, empty = leadRunes(re.Sub[0])
		return set, empty || re.Min == 0
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			s, e := leadRunes(sub)
			if set = append(set, s...); !e {
				return set, false
			}
		}
		return set, true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			s, e := leadRunes(sub)
			set, empty = append(set, s...), empty || e
		}
		return set, empty
	}
	// Any character, or an operator not listed: anything may start it.
	return []rune{0, unicode.MaxRune}, true
}

// mayLead reports whether a match of the lead l (p.lead's, asked once
// by starts, not at each of the places it tries) can start at text[i] (a
// break, or the end of a stem) or at the first character after the
// spaces that follow it.
func mayLead(t caseless, l *lead, i int) bool {
	if l == nil {
		return true
	}
	if l.startsAt(t, i) {
		return true
	}
	text := t.text
	i++
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\f' || text[i] == '\r') {
		i++
	}
	return l.startsAt(t, i)
}

// startsAt reports whether a match of l can start at t.text[i].
func (l *lead) startsAt(t caseless, i int) bool {
	text := t.text
	if i >= len(text) {
		return false
	}
	if c := text[i]; c < utf8.RuneSelf {
		return l.ascii[c] && l.mayStart(t.lower[i:])
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	for k := 0; k+1 < len(l.runes); k += 2 {
		if l.runes[k] <= r && r <= l.runes[k+1] {
			return l.mayStart(t.lower[i:])
		}
	}
	return false
}

// mayStart reports whether a match of the lead can start at the start of
// s: s, its ASCII capitals lower-cased, starts with one of its words. A
// nil lead (one that may match nothing) may start anywhere.
func (l *lead) mayStart(s string) bool {
	if l == nil {
		return true
	}
	st := 0
	for k := 0; !l.word[st]; k++ {
		if k == len(s) || k == leadWordLen {
			return false
		}
		if st = int(l.next[st*l.width+int(l.class[lowerASCII(s[k])])]); st == 0 {
			return false
		}
	}
	return true
}

// starts returns, in order, the positions of t where a match may begin:
// where a stem begins after a word boundary (ASCII, as the regexp's \b),
// or at the breaks.
func (p *stemmed) starts(t caseless) []int {
	text := t.text
	var l *lead
	if p.lead != nil {
		l = p.lead()
	}
	if p.breaks != "" {
		var out []int
		// At the start, the lead follows at once (^), or after the break
		// and spaces that open the text.
		if mayLead(t, l, 0) && p.thenFollows(t, 0) {
			out = append(out, 0)
		}
		// Each break byte is searched for alone, which is fast, and the
		// few places where the lead may follow are put in order.
		for k := 0; k < len(p.breaks); k++ {
			for i := 1; i < len(text); {
				at := strings.IndexByte(text[i:], p.breaks[k])
				if at < 0 {
					break
				}
				at += i
				// The pattern's ^ holds at the break too: lead may start on it.
				if mayLead(t, l, at) && p.thenFollows(t, at) {
					out = append(out, at)
				}
				i = at + 1
			}
		}
		slices.Sort(out)
		return out
	}
	// A stem begins a word: the text's word starts are tried, each with
	// the stems that begin with its byte. Searching the text once per stem
	// cost more than the pattern, common stems ("la", "le", "on") stopping
	// the search at every other word.
	var out []int
	lower := t.lower
	byFirst := t.wordsByFirst()
	for _, b := range p.firsts {
		for _, w := range byFirst.words[byFirst.off[b]:byFirst.off[int(b)+1]] {
			i := int(w)
			for _, stem := range p.byFirst[b] {
				if strings.HasPrefix(lower[i:], stem) && mayLead(t, l, i+len(stem)) {
					out = append(out, i)
					break
				}
			}
		}
	}
	if len(p.firsts) > 1 {
		slices.Sort(out)
	}
	return out
}

// thenFollows reports whether p.then can follow a lead that starts after
// the break at (or the text's start) and its spaces: some spaces, before
// the next break or holding it, are followed by where it can start. A
// title is followed by "de X" in few of the sentences it opens
// ("Gérante, je…"), and the pattern, tried there, cost more than the
// title search.
func (p *stemmed) thenFollows(t caseless, at int) bool {
	if p.then == nil {
		return true
	}
	text := t.text
	i := at
	if strings.IndexByte(p.breaks, text[i]) >= 0 {
		i++
	}
	for i < len(text) && isRegexpSpace(text[i]) {
		i++
	}
	for ; i < len(text); i++ {
		if isRegexpSpace(text[i]) {
			j, broke := i, false
			for ; j < len(text) && isRegexpSpace(text[j]); j++ {
				broke = broke || strings.IndexByte(p.breaks, text[j]) >= 0
			}
			if j < len(text) && p.then(t, j) {
				return true
			}
			if broke {
				return false
			}
			i = j
		}
		if i < len(text) && strings.IndexByte(p.breaks, text[i]) >= 0 {
			return false
		}
	}
	return false
}

// wordStarts are a text's word starts by their first byte (lower-cased):
// those of byte b are words[off[b]:off[b+1]], in order. Each stemmed
// pattern reads the words its stems begin with, not all of them.
type wordStarts struct {
	off   [257]int32
	words []int32
}

// wordsByFirst returns t's word starts by first byte, sorted once. The
// starts are the offsets where a word starts, after a byte that is not an
// ASCII word byte (as the regexp's \b sees it), found on the first call:
// most texts are asked for key words only.
func (t caseless) wordsByFirst() *wordStarts {
	f := t.found
	if f.byFirst != nil {
		return f.byFirst
	}
	words := wordStartsOf(t.text)
	ws := &wordStarts{words: make([]int32, len(words))}
	lower := t.lower
	var n [256]int32
	for _, w := range words {
		n[lower[w]]++
	}
	for b := range 256 {
		ws.off[b+1] = ws.off[b] + n[b]
	}
	next := ws.off
	for _, w := range words {
		b := lower[w]
		ws.words[next[b]] = w
		next[b]++
	}
	f.byFirst = ws
	return ws
}

// FindStringSubmatchIndex is regexp's, for the leftmost match.
func (p *stemmed) FindStringSubmatchIndex(t caseless) []int {
	text := t.text
	if p.wholeText(t) {
		return p.re.FindStringSubmatchIndex(text)
	}
	for _, at := range p.starts(t) {
		if m := p.at.FindStringSubmatchIndex(text[at:]); m != nil {
			return shift(m, at)
		}
	}
	return nil
}

// FindStringSubmatch is regexp's, for the leftmost match.
func (p *stemmed) FindStringSubmatch(t caseless) []string {
	text := t.text
	m := p.FindStringSubmatchIndex(t)
	if m == nil {
		return nil
	}
	out := make([]string, len(m)/2)
	for i := range out {
		if m[2*i] >= 0 {
			out[i] = text[m[2*i]:m[2*i+1]]
		}
	}
	return out
}

// FindAllStringSubmatchIndex is regexp's with n < 0: every match, none
// overlapping the one before.
func (p *stemmed) FindAllStringSubmatchIndex(t caseless) [][]int {
	text := t.text
	if p.wholeText(t) {
		return p.re.FindAllStringSubmatchIndex(text, -1)
	}
	var out [][]int
	end := 0
	for _, at := range p.starts(t) {
		if at < end {
			continue
		}
		if m := p.at.FindStringSubmatchIndex(text[at:]); m != nil {
			m = shift(m, at)
			out = append(out, m)
			end = m[1]
		}
	}
	return out
}

func shift(m []int, by int) []int {
	for i, v := range m {
		if v >= 0 {
			m[i] = v + by
		}
	}
	return m
}

// caseless is a text and its copy with the ASCII capitals lower-cased,
// every other byte kept, so that the copy has the text's offsets. A word
// in lower-case ASCII (or with signs that have no case, such as ’) found
// in the copy with strings.Index is where indexFold finds it in the text,
// in any ASCII case: the copy is made once, the dozens of key words
// tried on a message are then found in it in one pass (hasAny), and the
// sentence patterns' stems at its word starts (wordsByFirst).
type caseless struct {
	text, lower string
	// found is what is learnt of the text on demand.
	found *caselessFound
}

// caselessFound is what a caseless text is searched for once, the first
// time it is asked for.
type caselessFound struct {
	keys    phraseHits // the key words (keyLists) the copy holds
	folds   int8       // 0 unknown, 1 the text holds ſ or K, -1 neither
	byFirst *wordStarts
}

func newCaseless(s string) caseless {
	return caseless{text: s, lower: lowerString(s), found: new(caselessFound)}
}

// hasFoldedSK reports whether the text holds ſ or K (the Kelvin sign),
// which (?i) matches as s and k.
func (t caseless) hasFoldedSK() bool {
	f := t.found
	if f.folds == 0 {
		f.folds = -1
		if strings.Contains(t.text, "\u017f") || strings.Contains(t.text, "\u212a") {
			f.folds = 1
		}
	}
	return f.folds > 0
}

// keyWords are words looked for in a caseless text, lower-case ASCII (or
// with signs that have no case, such as ’), made by keys.
type keyWords []string

// keyLists are every keyWords: the extractors test the text for dozens
// of key words before running their patterns, and one pass over the text
// for them all costs less than searching it for each.
var keyLists [][]string

// keys returns words as a keyWords, known to keyMatcher. Call it only to
// set a package variable, so that the matcher, built on first use, knows
// every key word.
func keys(words ...string) keyWords {
	keyLists = append(keyLists, words)
	return keyWords(words)
}

var keyMatcher = sync.OnceValue(func() *phraseMatcher { return newPhraseMatcher(keyLists...) })

// hasAny reports whether the text holds one of k (see caseless), in any
// ASCII case.
func (t caseless) hasAny(k keyWords) bool {
	m := keyMatcher()
	if t.found.keys == nil {
		t.found.keys = m.scan(t.lower)
	}
	return m.any(t.found.keys, k, t.lower)
}

// lowerString returns s with its ASCII capitals lower-cased, s itself
// when it has none, eight bytes at a time. The word starts, which most
// texts are not asked for, are found apart (wordStartsOf).
func lowerString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	// Lowered on the stack and handed to b a block at a time; dropped
	// when s has no capital.
	var buf [512]byte
	var caps uint64
	i := 0
	for i+8 <= len(s) {
		k := min(len(s)-i, len(buf)) &^ 7
		caps |= lowerOnlyBlock(buf[:k], s[i:i+k])
		b.Write(buf[:k])
		i += k
	}
	for ; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			caps = 1
		}
		b.WriteByte(lowerASCII(c))
	}
	if caps == 0 {
		return s
	}
	return b.String()
}

// lowerOnlyBlock is lowerString over src, a multiple of eight bytes long:
// it writes src lowered to dst (as long) and returns the capitals found,
// none when 0.
func lowerOnlyBlock(dst []byte, src string) (caps uint64) {
	dst = dst[:len(src)]
	for i := 0; i < len(src)-7; i += 8 {
		w := applicant.Load64(src[i : i+8])
		upper := asciiUpper(w)
		caps |= upper
		binary.LittleEndian.PutUint64(dst[i:i+8], w|upper>>2)
	}
	return caps
}

// wordStartsOf returns the offsets of s where an ASCII word byte
// follows the start or a byte that is not one. The text is most of the
// mail: it is read eight bytes at a time, each eight classed by masks,
// and only the starts, a word every six bytes or so, are visited one by
// one.
func wordStartsOf(s string) []int32 {
	words := make([]int32, 0, len(s)/5+8)
	// A block's word starts (one in two bytes at most) are gathered on
	// the stack.
	const block = 512
	var starts [block / 2]int32
	var prev uint64 // the high bit of byte 0 set when the byte before is a word byte
	i := 0
	for i+8 <= len(s) {
		k := min(len(s)-i, block) &^ 7
		n := 0
		n, prev = wordBlock(s[i:i+k], &starts, int32(i), prev)
		words = append(words, starts[:n]...)
		i += k
	}
	in := prev != 0
	for ; i < len(s); i++ {
		w := isASCIIWordByte(s[i])
		if w && !in {
			words = append(words, int32(i))
		}
		in = w
	}
	return words
}

// wordBlock is wordStartsOf over src, a multiple of eight bytes long and
// at most twice as long as starts, at offset base of the text: it writes
// the word starts to starts, and returns how many and the flag of its
// last byte (see prev). A loop of its own, with no call in it: among the
// appends, the compiler kept its values on the stack.
func wordBlock(src string, starts *[256]int32, base int32, prev uint64) (n int, last uint64) {
	// While i < len(src)-7, not i+8 <= len(src): the compiler then
	// checks no bounds.
	for i := 0; i < len(src)-7; i += 8 {
		// The word bytes (the regexp's \w, see isASCIIWordByte), as a
		// mask; bytes beyond ASCII are none. The letters of either case
		// are those whose byte with the 0x20 bit set is a lower-case
		// letter.
		w := applicant.Load64(src[i : i+8])
		x := w & lows
		y := x | ones*0x20
		letter := (atLeast(y, 'a') &^ atLeast(y, 'z'+1)) &^ w
		digit := atLeast(x, '0') &^ atLeast(x, '9'+1)
		word := letter | (digit|zeroBytes(x^ones*'_'))&^w
		// A start is a word byte after one that is not (the flags moved
		// up a byte, the last byte's to the next eight).
		for st := word &^ (word<<8 | prev); st != 0; st &= st - 1 {
			starts[n&255] = base + int32(i+bits.TrailingZeros64(st)/8)
			n++
		}
		prev = word >> 56
	}
	return n, prev
}

// asciiUpper returns a mask with the high bit of each byte of w set where
// it is an ASCII capital.
func asciiUpper(w uint64) uint64 {
	x := w & lows
	return (atLeast(x, 'A') &^ atLeast(x, 'Z'+1)) &^ w
}

// atLeast returns the high bits of the bytes of x (each 0x7f at most) that
// are c or more: x+(0x80-c) has it set then, and no byte carries into the
// next.
func atLeast(x uint64, c byte) uint64 { return (x + ones*uint64(0x80-c)) & highs }

// zeroBytes returns the high bits of the zero bytes of t, each 0x7f at
// most: adding 0x7f to a byte sets its high bit unless it is zero.
func zeroBytes(t uint64) uint64 { return ^(t + lows | t) & highs }

// ones, highs and lows are applicant's masks of a word's bytes.
const ones, highs, lows = applicant.Ones, applicant.Highs, applicant.Lows

// has reports whether the text holds w (see caseless), in any ASCII case.
func (t caseless) has(w string) bool { return strings.Contains(t.lower, w) }

// each calls fn with every position of the text where w (see caseless)
// begins, in any ASCII case.
func (t caseless) each(w string, fn func(i int)) {
	for from := 0; ; {
		i := strings.Index(t.lower[from:], w)
		if i < 0 {
			return
		}
		fn(from + i)
		from += i + 1
	}
}
