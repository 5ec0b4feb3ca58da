package extract

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// lazyRegexp is a pattern compiled on first use. The package has some
// sixty of them, about 10 ms of compiling: done at start-up, every
// command paid it, even those that read no mail (an empty poll, list,
// export). A pattern is a constant: TestEveryPatternCompiles compiles
// them all, so a bad one fails the tests, not a run.
type lazyRegexp struct {
	src  string
	once sync.Once
	re   *regexp.Regexp
	// needs are strings one of which every match holds (mustHold), nil
	// when the pattern gives none: a text without them is not searched.
	needs []string
}

// allPatterns lists every lazyRegexp, for TestEveryPatternCompiles.
var allPatterns []*lazyRegexp

func lazy(src string) *lazyRegexp {
	l := &lazyRegexp{src: src}
	allPatterns = append(allPatterns, l)
	return l
}

func (l *lazyRegexp) get() *regexp.Regexp {
	l.once.Do(func() {
		l.re = regexp.MustCompile(l.src)
		if re, err := syntax.Parse(l.src, syntax.Perl); err == nil {
			l.needs = mustHold(re)
		}
	})
	return l.re
}

// mayMatch reports whether s holds one of the strings every match holds:
// when it does not, the pattern does not match, and the search of s, which
// for most patterns steps through every byte of it, is not run.
func (l *lazyRegexp) mayMatch(s string) bool {
	l.get()
	if l.needs == nil {
		return true
	}
	for _, w := range l.needs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// mustHold returns strings one of which every match of re holds, as
// written (literals whose case is fixed: case-sensitive, or of signs that
// have no case, such as the colon of a (?i) pattern), or nil when it
// finds none. Even
// one byte is worth the search: a byte search is fast, the pattern's is
// not.
func mustHold(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		w := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 && !noCase(re.Rune) || strings.ContainsRune(w, utf8.RuneError) {
			// An invalid byte of the text matches U+FFFD: it need not be
			// written as one.
			return nil
		}
		return []string{w}
	case syntax.OpCharClass:
		// A class of a few digits or signs ("\d", "[’']"): one of them,
		// each searched for alone. Letters and spaces are in any text:
		// searching for them would cost and skip nothing. Invalid bytes
		// match U+FFFD, as above.
		var ws []string
		for k := 0; k+1 < len(re.Rune); k += 2 {
			lo, hi := re.Rune[k], re.Rune[k+1]
			if hi-lo >= maxClassNeeds || len(ws)+int(hi-lo)+1 > maxClassNeeds || lo <= utf8.RuneError && utf8.RuneError <= hi {
				return nil
			}
			for r := lo; r <= hi; r++ {
				if unicode.IsLetter(r) || unicode.IsSpace(r) {
					return nil
				}
				ws = append(ws, string(r))
			}
		}
		return ws
	case syntax.OpCapture, syntax.OpPlus:
		return mustHold(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return mustHold(re.Sub[0])
		}
	case syntax.OpConcat:
		// The part whose strings are the longest (the shortest of them),
		// then the fewest: a match holds each part.
		var best []string
		for _, sub := range re.Sub {
			if ws := mustHold(sub); ws != nil && (best == nil || shortest(ws) > shortest(best) ||
				shortest(ws) == shortest(best) && len(ws) < len(best)) {
				best = ws
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			ws := mustHold(sub)
			if ws == nil {
				return nil
			}
			all = append(all, ws...)
		}
		return all
	}
	return nil
}

// maxClassNeeds is the most characters of a class mustHold searches for
// one by one: the ten digits.
const maxClassNeeds = 10

// noCase reports whether no rune of rs has another case: matched
// case-insensitively, each matches itself only.
func noCase(rs []rune) bool {
	for _, r := range rs {
		if unicode.SimpleFold(r) != r {
			return false
		}
	}
	return true
}

// shortest returns the length of the shortest of ws.
func shortest(ws []string) int {
	n := len(ws[0])
	for _, w := range ws[1:] {
		n = min(n, len(w))
	}
	return n
}

// String is the pattern's source, without compiling it.
func (l *lazyRegexp) String() string { return l.src }

// The searches answer no match at once where mayMatch says there is none.

func (l *lazyRegexp) MatchString(s string) bool { return l.mayMatch(s) && l.re.MatchString(s) }
func (l *lazyRegexp) FindString(s string) string {
	if !l.mayMatch(s) {
		return ""
	}
	return l.re.FindString(s)
}
func (l *lazyRegexp) FindStringIndex(s string) []int {
	if !l.mayMatch(s) {
		return nil
	}
	return l.re.FindStringIndex(s)
}
func (l *lazyRegexp) FindStringSubmatch(s string) []string {
	if !l.mayMatch(s) {
		return nil
	}
	return l.re.FindStringSubmatch(s)
}
func (l *lazyRegexp) FindStringSubmatchIndex(s string) []int {
	if !l.mayMatch(s) {
		return nil
	}
	return l.re.FindStringSubmatchIndex(s)
}
func (l *lazyRegexp) FindAllStringIndex(s string, n int) [][]int {
	if !l.mayMatch(s) {
		return nil
	}
	return l.re.FindAllStringIndex(s, n)
}
func (l *lazyRegexp) FindAllStringSubmatch(s string, n int) [][]string {
	if !l.mayMatch(s) {
		return nil
	}
	return l.re.FindAllStringSubmatch(s, n)
}
func (l *lazyRegexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if !l.mayMatch(s) {
		return nil
	}
	return l.re.FindAllStringSubmatchIndex(s, n)
}
func (l *lazyRegexp) ReplaceAllString(src, repl string) string {
	if !l.mayMatch(src) {
		return src
	}
	return l.re.ReplaceAllString(src, repl)
}
func (l *lazyRegexp) Split(s string, n int) []string { return l.get().Split(s, n) }
