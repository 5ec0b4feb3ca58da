package extract

import (
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// section is a message body split the way a reader splits it: what the
// author wrote now (including their signature), the quoted history, and,
// for a forward, who the forwarded message is from.
type section struct {
	own []string // the author's new text and signature
	// ownJoined is own joined with newlines when own are lines that
	// follow one another in the text read, a piece of it; ownPiece says
	// it is.
	ownJoined string
	ownPiece  bool
	quoted    []string // quoted history (">" lines, text below an attribution or an Outlook header block)
	// attribution holds the "Le … a écrit :" lines found, which tell whose
	// mail is quoted.
	attribution string
	fwd         *forwarded
}

// forwarded describes the message found inside a forward.
type forwarded struct {
	name, email string   // the original sender, from the inner From:/De: line
	subject     string   // inner Subject:/Objet:
	note        []string // the forwarder's own note, never applicant data
}

var (
	// Forward markers written by Gmail, Thunderbird, Apple Mail, Zimbra and
	// Outlook, in French and English (folded text).
	reForwardMarker = lazy(`^-{2,}\s*(forwarded message|message transfere|mail transfere|message reexpedie|courriel transfere)\s*-{2,}$|^(debut du message reexpedie|begin forwarded message|message transfere)\s*:?$`)
	// Separators that start a quoted original in a reply; in a message whose
	// subject says "TR:"/"Fwd:" they start the forwarded message instead.
	reOriginalSep = lazy(`^-{2,}\s*(original message|message d'origine|mail original|message original|message initial)\s*-{2,}$`)
	// An attribution line ends with "a écrit :" / "wrote:" (folded text).
	reAttributionEnd = lazy(`(a ecrit|wrote|escribio|schrieb|ha scritto)\s*:\s*$`)
	// Header lines of a quoted or forwarded message (folded text).
	reInnerHeader = lazy(`^\*?\s*(de|from|date|envoye|envoye le|sent|a|to|cc|cci|bcc|objet|subject|sujet|pour|copie a|repondre a|reply-to|importance|expediteur)\s*\*?\s*:\s*\*?(.*)$`)
	// Forward prefixes of a subject: "TR :", "Fwd:", "Fw:", "Transf:".
	reForwardSubject = lazy(`(?i)^\s*(?:(?:re|réf|ref|aw)\s*:\s*)*(?:fwd?|tr|transf|wg|fw)\s*:`)
	reEmail          = lazy(`[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
)

// historyKind says what a line starts.
type historyKind int

const (
	histNone historyKind = iota
	histForward
	histSeparator
	histHeaderBlock
	histAttribution
)

// detectHistory reports whether lines[i] (t, trimmed, as the caller has
// it) starts quoted or forwarded history, and how many lines the marker
// itself takes (for attributions wrapped over several lines). seen is
// shared by the calls on one text.
func detectHistory(lines []string, i int, t string, seen *lineTests) (historyKind, int) {
	if t == "" {
		return histNone, 0
	}
	// Cheap tests first: this runs on every line of every message.
	if (t[0] == '-' || t[0] == 'D' || t[0] == 'B' || t[0] == 'M') && mayStartMarker(t) {
		f := applicant.Fold(t)
		if hasMarkerStart(f) && reForwardMarker.MatchString(f) {
			return histForward, 1
		}
		if strings.HasPrefix(f, "--") && reOriginalSep.MatchString(f) {
			return histSeparator, 1
		}
	}
	// Outlook's separator line before the header block.
	if strings.HasPrefix(t, "________") && strings.Trim(t, "_") == "" {
		for j := i + 1; j < len(lines) && j <= i+2; j++ {
			tj := strings.TrimSpace(lines[j])
			if tj == "" {
				continue
			}
			if isHeaderBlock(lines, j, tj) {
				return histSeparator, 1
			}
			break
		}
		return histNone, 0
	}
	// A header starts with its name (after stars) and has a colon: other
	// lines are not read further.
	if c := t[0]; (c == 'D' || c == 'd' || c == 'F' || c == 'f' || c == '*') && seen.nextColon(lines, i) == i &&
		isHeaderBlock(lines, i, t) {
		return histHeaderBlock, 0
	}
	// Attribution, possibly wrapped by the client over up to three lines.
	// It ends with a colon (reAttributionEnd), which folding neither makes
	// nor removes: a byte search for one goes before the verbs'.
	if len(t) < 400 && seen.colonNear(lines, i) && near(seen.verbs, lines, i, attributionVerbs().holds) {
		joined := applicant.Fold(t)
		for n := 1; n <= 3; n++ {
			if reAttributionEnd.MatchString(joined) && looksLikeAttributionStart(applicant.Fold(strings.TrimSpace(lines[i]))) {
				return histAttribution, n
			}
			if i+n >= len(lines) || strings.TrimSpace(lines[i+n]) == "" || len(joined) > 300 {
				break
			}
			joined += " " + applicant.Fold(strings.TrimSpace(lines[i+n]))
		}
	}
	return histNone, 0
}

// hasMarkerStart reports whether the folded line f starts as the matches
// of reForwardMarker do: the regexp is tried on the lines of prose that
// start with D, B or M only then.
func hasMarkerStart(f string) bool {
	for _, p := range markerStarts {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

// markerStarts are how reForwardMarker's matches start (folded), the
// longest of them markerStartsMaxLen long.
var markerStarts = []string{"--", "debut du message reexpedie", "begin forwarded message", "message transfere"}

const markerStartsMaxLen = len("debut du message reexpedie")

// mayStartMarker reports whether hasMarkerStart(applicant.Fold(t)) may
// hold, from the fold of t's first bytes made on the stack: most lines
// that start with D, B or M are prose, and folding them whole made a
// string each. The start is long enough when its fold is as long as the
// longest marker start.
func mayStartMarker(t string) bool {
	const n = 28 // the fold of up to n bytes fits the stack's string buffer
	k := min(len(t), n)
	for k < len(t) && !utf8.RuneStart(t[k]) {
		k++
	}
	var buf [64]byte
	f := applicant.AppendFold(buf[:0], t[:k])
	return k < len(t) && len(f) < markerStartsMaxLen || hasMarkerStart(string(f))
}

// lineTests remember which lines of a text hold a colon and which the
// verb of an attribution line: each line is looked at for the three lines
// that may start an attribution, and tested once.
type lineTests struct {
	text string // the lines' text, cut at its newlines into them
	// line is the line last asked about and off its offset in text: the
	// lines are asked in order.
	line, off int
	// colonLine is the first line that holds a colon from a line at or
	// before line on, math.MaxInt for none, -1 when not searched yet: most
	// lines hold none, and one search of the text jumps from colon to
	// colon, where a search of each line cost a call each.
	colonLine int
	verbs     []int8 // by line: 0 not tested yet, 1 no, 2 yes
}

// newLineTests returns the lineTests of lines, text cut at its newlines,
// none tested yet.
func newLineTests(text string, lines []string) *lineTests {
	return &lineTests{text: text, colonLine: -1, verbs: make([]int8, len(lines))}
}

// colonNear reports whether one of lines[i:i+3] holds a colon.
func (seen *lineTests) colonNear(lines []string, i int) bool { return seen.nextColon(lines, i) < i+3 }

// nextColon returns the first line from lines[i] on that holds a colon,
// math.MaxInt when none does.
func (seen *lineTests) nextColon(lines []string, i int) int {
	if i < seen.line {
		seen.line, seen.off, seen.colonLine = 0, 0, -1
	}
	for ; seen.line < i; seen.line++ {
		seen.off += len(lines[seen.line]) + 1
	}
	if seen.colonLine < i {
		seen.colonLine = math.MaxInt // none left
		if k := strings.IndexByte(seen.text[seen.off:], ':'); k >= 0 {
			// The line of the colon: the first whose newline (or the
			// text's end) comes after it.
			j, end := i, seen.off+len(lines[i])
			for end < seen.off+k {
				j++
				end += len(lines[j]) + 1
			}
			seen.colonLine = j
		}
	}
	return seen.colonLine
}

// attributionVerbs finds in one pass over a line the verbs of attribution
// lines ("a écrit", "wrote"…), as written, in any of the languages.
var attributionVerbs = sync.OnceValue(func() *phraseMatcher {
	return newPhraseMatcher([]string{"crit", "wrote", "CRIT", "escribi", "schrieb", "scritto"})
})

// near reports whether one of lines[i:i+3] passes test, remembered in
// seen (see lineTests): an attribution's colon and verb are looked for
// before any costly test.
func near(seen []int8, lines []string, i int, test func(string) bool) bool {
	for n := 0; n < 3 && i+n < len(lines); n++ {
		if seen[i+n] == 0 {
			seen[i+n] = 1
			if test(lines[i+n]) {
				seen[i+n] = 2
			}
		}
		if seen[i+n] == 2 {
			return true
		}
	}
	return false
}

func hasColon(l string) bool { return strings.IndexByte(l, ':') >= 0 }

// looksLikeAttributionStart filters out sentences of the author's own that
// happen to end with "a écrit :" by requiring the usual openings: "Le …",
// "On …", a date, or an address.
func looksLikeAttributionStart(f string) bool {
	for _, p := range []string{"le ", "on ", "el ", "am ", "em "} {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	if f != "" && f[0] >= '0' && f[0] <= '9' {
		return true
	}
	return strings.Contains(f, "@") || strings.Contains(f, "<")
}

// isHeaderBlock reports whether lines[i] (t, trimmed) starts an
// Outlook-style block of "De : … / Envoyé : … / À : … / Objet : …" lines.
func isHeaderBlock(lines []string, i int, t string) bool {
	if t != "" && t[0] == '*' {
		t = strings.TrimLeft(t, "*")
	}
	// A header has a colon, which folding neither makes nor removes: a
	// line of prose without one is not folded to be told from a header.
	if len(t) < 3 || (t[0] != 'D' && t[0] != 'd' && t[0] != 'F' && t[0] != 'f') || strings.IndexByte(t, ':') < 0 {
		return false
	}
	m := reInnerHeader.FindStringSubmatch(applicant.Fold(t))
	if m == nil || (m[1] != "de" && m[1] != "from") {
		return false
	}
	var sent, subj bool
	for j := i + 1; j < len(lines) && j <= i+7; j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			continue
		}
		h := reInnerHeader.FindStringSubmatch(applicant.Fold(t))
		if h == nil {
			break
		}
		switch h[1] {
		case "envoye", "envoye le", "sent", "date":
			sent = true
		case "objet", "subject", "sujet", "a", "to", "pour":
			subj = true
		}
	}
	return sent && subj
}

// splitBody separates what the author wrote from quoted history and finds
// forwarded messages. depth bounds recursion into nested forwards.
func splitBody(text, subject string, depth int) section {
	lines := strings.Split(text, "\n")
	var s section
	first, last, apart := -1, -1, false // the author's lines, and whether one was skipped
	// While the author's lines are one run, lines[first:last+1], they are
	// that piece of lines, not copied into s.own: most mail is so. s.own
	// is made only when a line is skipped, and set from the run on return.
	ownRun := func() {
		if first >= 0 && !apart {
			s.own = lines[first : last+1 : last+1]
		}
	}
	done := func() section {
		ownRun()
		if first >= 0 && !apart {
			s.ownJoined, s.ownPiece = linesPiece(text, lines, first, last), true
		}
		return s
	}
	fwdSubject := reForwardSubject.MatchString(subject)
	seen := newLineTests(text, lines)
	for i := 0; i < len(lines); i++ {
		t := trimSpace(lines[i])
		if strings.HasPrefix(t, ">") {
			s.quoted = append(s.quoted, strings.TrimLeft(t, "> "))
			continue
		}
		kind, n := detectHistory(lines, i, t, seen)
		switch kind {
		case histForward:
			if depth < 4 {
				ownRun()
				return s.forward(lines, i+n, depth)
			}
			s.quoted = append(s.quoted, lines[i:]...)
			return done()
		case histSeparator, histHeaderBlock:
			if fwdSubject && depth < 4 && len(s.quoted) == 0 {
				ownRun()
				return s.forward(lines, i+n, depth)
			}
			s.quoted = append(s.quoted, lines[i:]...)
			return done()
		case histAttribution:
			for k := 0; k < n; k++ {
				s.attribution += strings.TrimSpace(lines[i+k]) + " "
			}
			next := i + n
			for next < len(lines) && strings.TrimSpace(lines[next]) == "" {
				next++
			}
			if next < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[next]), ">") {
				// Quoted lines follow: keep reading, since an
				// interleaved reply puts new text between quotes.
				i += n - 1
				continue
			}
			// Unquoted history below the attribution: all of it is old.
			s.quoted = append(s.quoted, lines[i+n:]...)
			return done()
		}
		if first < 0 {
			first = i
		}
		if !apart && last >= 0 && i != last+1 {
			// A line was skipped: the run so far is copied, with room for
			// the lines left, rather than the slice growing line by line.
			apart = true
			s.own = append(make([]string, 0, last+1-first+len(lines)-i), lines[first:last+1]...)
		}
		last = i
		if apart {
			s.own = append(s.own, lines[i])
		}
	}
	return done()
}

// linesPiece returns lines[first:last+1] joined with newlines, lines
// being text cut at its newlines: the piece of text they are.
func linesPiece(text string, lines []string, first, last int) string {
	start := 0
	for _, l := range lines[:first] {
		start += len(l) + 1
	}
	end := start
	for _, l := range lines[first : last+1] {
		end += len(l) + 1
	}
	return text[start : end-1]
}

// forward reads a forwarded message starting at lines[start] (its header
// block) and makes it the section's own text; the lines read so far become
// the forwarder's note.
func (s section) forward(lines []string, start, depth int) section {
	fw := &forwarded{note: s.own}
	i := start
	// Skip blank lines and Outlook's underscore separator before the headers.
	for i < len(lines) {
		t := strings.TrimSpace(lines[i])
		if t == "" || (strings.HasPrefix(t, "____") && strings.Trim(t, "_") == "") {
			i++
			continue
		}
		break
	}
	seen := 0
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(lines[i]), ">"))
		if t == "" {
			if seen > 0 {
				break
			}
			continue
		}
		m := reInnerHeader.FindStringSubmatchIndex(applicant.Fold(t))
		if m == nil {
			break
		}
		seen++
		key := applicant.Fold(t)[m[2]:m[3]]
		// The value: what follows the first colon in the original text.
		value := t
		if c := strings.IndexByte(t, ':'); c >= 0 {
			value = strings.TrimSpace(strings.Trim(t[c+1:], "* "))
		}
		switch key {
		case "de", "from", "expediteur":
			fw.name, fw.email = parseAddress(value)
		case "objet", "subject", "sujet":
			fw.subject = value
		}
	}
	inner := lines[i:]
	// Some clients quote the forwarded body with ">": remove one level.
	var nonEmpty, quotedN int
	for _, l := range inner {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		nonEmpty++
		if strings.HasPrefix(t, ">") {
			quotedN++
		}
	}
	if nonEmpty > 0 && quotedN*10 >= nonEmpty*6 {
		for k, l := range inner {
			t := strings.TrimSpace(l)
			if strings.HasPrefix(t, ">") {
				t = strings.TrimPrefix(t, ">")
				t = strings.TrimPrefix(t, " ")
			}
			inner[k] = t
		}
	}
	sub := splitBody(strings.Join(inner, "\n"), fw.subject, depth+1)
	if sub.fwd != nil {
		// A forward of a forward: the applicant is the innermost sender.
		fw.name, fw.email, fw.subject = sub.fwd.name, sub.fwd.email, sub.fwd.subject
	}
	return section{own: sub.own, ownJoined: sub.ownJoined, ownPiece: sub.ownPiece, quoted: append(s.quoted, sub.quoted...),
		attribution: sub.attribution, fwd: fw}
}

// parseAddress reads "Name <addr>", "Name [mailto:addr]", "\"Name\" <addr>"
// or a bare address as written in a quoted header line.
func parseAddress(v string) (name, email string) {
	if e := reEmail.FindString(v); e != "" {
		email = strings.ToLower(e)
	}
	n := v
	for _, sep := range []string{"<", "[mailto:", "[", "("} {
		if k := strings.Index(n, sep); k >= 0 {
			n = n[:k]
		}
	}
	n = strings.Trim(strings.TrimSpace(n), "\"'")
	if strings.Contains(n, "@") {
		n = ""
	}
	return collapseSpaces(n), email
}
