package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestTrimSpaceOtherAsStrings holds trimSpace, and its trimSpaceOther, to
// strings.TrimSpace on lines with ASCII and Unicode spaces, letters
// written C3 and a byte, other runes and broken UTF-8 at either end.
func TestTrimSpaceOtherAsStrings(t *testing.T) {
	pieces := []string{"", " ", "\t", "\r", "\v\f", "a", "Z", "é", "À", "ÿ", "\u00a0", "\u0085", "\u2009", "\u3000",
		"\u202f", "œ", "’", "–", "\xc3", "\xa9", "\xc3\x28", "\xe2\x80", "\xff", "mot", " mot ", "-- "}
	rng := rand.New(rand.NewPCG(9, 3))
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		want := strings.TrimSpace(s)
		if got := trimSpace(s); got != want {
			t.Fatalf("trimSpace(%q) = %q, want %q", s, got, want)
		}
		if got := trimSpaceOther(s); got != want {
			t.Fatalf("trimSpaceOther(%q) = %q, want %q", s, got, want)
		}
	}
}

// readWindowByLine is readWindow as it was written before cutWindow: the
// oracle of TestReadWindowTextAsJoin.
func readWindowByLine(own []string) []string {
	total := 0
	for _, l := range own {
		total += len(l) + 1
	}
	if total <= readHead+readTail {
		return own
	}
	n, i := 0, 0
	for i < len(own) && n+len(own[i])+1 <= readHead {
		n += len(own[i]) + 1
		i++
	}
	cutHead := i < len(own) && n < readHead
	if cutHead {
		i++
	}
	m, j := 0, len(own)
	for j > i && m+len(own[j-1])+1 <= readTail {
		m += len(own[j-1]) + 1
		j--
	}
	var out []string
	if cutHead {
		out = append(out, own[:i-1]...)
		out = append(out, head(own[i-1], readHead-n))
	} else {
		out = append(out, own[:i]...)
	}
	out = append(out, "")
	if j > i && m < readTail {
		out = append(out, tailOf(own[j-1], readTail-m))
	}
	return append(out, own[j:]...)
}

// TestReadWindowTextAsJoin holds readWindow to its oracle and the text
// readWindowText cuts from own joined to the window joined line by line,
// on lines of every length about the window's bounds (one longer than
// the whole window, cuts inside a character, blank lines, one line).
func TestReadWindowTextAsJoin(t *testing.T) {
	lens := []int{0, 0, 1, 7, 60, 72, 80, 300, readTail - 1, readTail, readTail + 1, readHead - 1, readHead, readHead + 1,
		readHead + readTail, 3 * readHead}
	rng := rand.New(rand.NewPCG(6, 1))
	line := func(n int) string {
		// Accented letters, so that a cut may fall inside one.
		s := strings.Repeat("é", n/2) + strings.Repeat("a", n%2)
		if rng.IntN(2) == 0 {
			s = strings.Repeat("x", n)
		}
		return s
	}
	for range 5000 {
		own := make([]string, 1+rng.IntN(40))
		for i := range own {
			if rng.IntN(4) == 0 {
				own[i] = line(lens[rng.IntN(len(lens))])
			} else {
				own[i] = line(rng.IntN(120))
			}
		}
		want := readWindowByLine(own)
		if got := readWindow(own); strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != len(want) {
			t.Fatalf("readWindow of %d lines: %d lines, want %d", len(own), len(got), len(want))
		}
		got, text := readWindowText(own, strings.Join(own, "\n"))
		if len(got) != len(want) || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("readWindowText of %d lines: %d lines, want %d", len(own), len(got), len(want))
		}
		if w := strings.Join(want, "\n"); text != w {
			t.Fatalf("readWindowText of %d lines (%v): text of %d bytes, want %d", len(own), cutWindow(own), len(text), len(w))
		}
	}
}
