package extract

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// phraseMatcher finds in one pass over a folded text which of the known
// phrases it holds (Aho–Corasick over bytes). The phrase lists are tried
// against the author's text by dozens of rules; testing each phrase with
// strings.Contains cost more than all the rest of classification.
type phraseMatcher struct {
	class [256]uint8 // byte -> column; 0 for bytes no phrase holds
	width int        // columns
	// delta maps state*width + column to the next state, once built
	// stored as next*width (its row), and as ^(next*width) when phrases
	// end there: scan then steps from byte to byte with one addition and
	// one read, and looks at out only where a phrase ends. Once built,
	// the rows follow the columns of the 256 bytes (class), from root on,
	// and the rows are stored with root added: steps4 reads a byte's
	// column and the next state from one table, whose address is then
	// one register fewer in its loop, which had one too many.
	delta []int32
	out   [][]int32 // state -> ids of the phrases that end there
	ids   map[string]int32
	// lists are the lists the matcher was built from, by the list: the
	// rules ask about the same lists dozens of times a mail, and one
	// look-up per list costs less than one per phrase.
	lists map[listKey]*phraseList
	// byFirst is lists by where the list starts alone (the first of
	// those that start there): a map keyed by a pointer is searched in
	// fewer instructions than one keyed by a pointer and a length.
	byFirst map[*string]*phraseList
	// listsOf are the indexes of the lists that hold each phrase, by
	// its id: a scan marks a list found where one of its phrases ends, so
	// that whether a text holds one of a list is read, not sought among
	// its phrases.
	listsOf [][]int32
	nIDs    int // phrases, len(ids)
	// longest is the length of the longest phrase, in bytes.
	longest int
}

// phraseList is one list of phrases a matcher was built from.
type phraseList struct {
	ids   []int32 // its phrases' ids (-1 for none, "")
	index int32   // its index among the matcher's lists
	whole bool    // every phrase has an id
}

// listKey tells a list of phrases by where it is, not what it holds.
type listKey struct {
	first *string
	n     int
}

func newPhraseMatcher(lists ...[]string) *phraseMatcher {
	m := &phraseMatcher{ids: map[string]int32{}, lists: map[listKey]*phraseList{}, byFirst: map[*string]*phraseList{}}
	var words []string
	for _, l := range lists {
		for _, w := range l {
			if _, ok := m.ids[w]; !ok && w != "" {
				m.ids[w] = int32(len(words))
				words = append(words, w)
			}
		}
	}
	m.nIDs = len(words)
	m.listsOf = make([][]int32, len(words))
	for _, l := range lists {
		if len(l) == 0 || m.lists[listKey{&l[0], len(l)}] != nil {
			continue
		}
		pl := &phraseList{ids: make([]int32, len(l)), index: int32(len(m.lists)), whole: true}
		for i, w := range l {
			id, ok := m.ids[w]
			if !ok {
				pl.ids[i], pl.whole = -1, false
				continue
			}
			pl.ids[i] = id
			if of := m.listsOf[id]; len(of) == 0 || of[len(of)-1] != pl.index {
				m.listsOf[id] = append(of, pl.index)
			}
		}
		m.lists[listKey{&l[0], len(l)}] = pl
		if m.byFirst[&l[0]] == nil {
			m.byFirst[&l[0]] = pl
		}
	}
	m.width = 1
	for _, w := range words {
		m.longest = max(m.longest, len(w))
		for i := 0; i < len(w); i++ {
			if m.class[w[i]] == 0 {
				m.class[w[i]] = uint8(m.width)
				m.width++
			}
		}
	}
	// The trie, with 0 as "no edge" (the root is never a child), made at
	// the most states it can have: grown by doubling, a long list's table
	// of a megabyte or two was allocated and copied over and over, each
	// new page faulted in (tens of milliseconds at start).
	states := 1
	for _, w := range words {
		states += len(w)
	}
	m.delta = make([]int32, m.width, states*m.width)
	m.out = make([][]int32, 1, states)
	for id, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := int32(m.class[w[i]])
			if next := m.delta[s*int32(m.width)+c]; next != 0 {
				s = next
				continue
			}
			next := int32(len(m.out))
			m.delta = m.delta[:len(m.delta)+m.width] // zeros: made so
			m.out = append(m.out, nil)
			m.delta[s*int32(m.width)+c] = next
			s = next
		}
		m.out[s] = append(m.out[s], int32(id))
	}
	// Breadth first: failure links, then the full transition table.
	fail := make([]int32, len(m.out))
	queue := []int32{}
	for c := 1; c < m.width; c++ {
		if s := m.delta[c]; s != 0 {
			queue = append(queue, s)
		}
	}
	order := []int32{0} // the states breadth first
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		order = append(order, s)
		m.out[s] = append(m.out[s], m.out[fail[s]]...)
		for c := 1; c < m.width; c++ {
			i := s*int32(m.width) + int32(c)
			if t := m.delta[i]; t != 0 {
				fail[t] = m.delta[fail[s]*int32(m.width)+int32(c)]
				queue = append(queue, t)
			} else {
				m.delta[i] = m.delta[fail[s]*int32(m.width)+int32(c)]
			}
		}
	}
	// States numbered breadth first: a text keeps the scan in the states
	// near the root, whose rows are then side by side at the start of the
	// table, not spread over the megabyte or two of a long list's table.
	renum := make([]int32, len(order))
	for n, s := range order {
		renum[s] = int32(n)
	}
	// The table's length made a power of two, the rest zeros never read:
	// steps4 then masks its indexes, which the compiler knows to be in
	// bounds, and checks none. The pad is never written, so its pages
	// are never faulted in.
	size := 1
	for size < root+len(m.delta) {
		size *= 2
	}
	delta, out := make([]int32, size), make([][]int32, len(m.out))
	for c, col := range m.class {
		delta[c] = int32(col)
	}
	rows := delta[root:]
	for n, s := range order {
		for c := 0; c < m.width; c++ {
			rows[n*m.width+c] = renum[m.delta[int(s)*m.width+c]]
		}
		out[n] = m.out[s]
	}
	for i, t := range rows[:len(m.delta)] {
		rows[i] = root + t*int32(m.width)
		if len(out[t]) > 0 {
			rows[i] = ^rows[i]
		}
	}
	m.delta, m.out = delta, out
	return m
}

// root is the row of a matcher's first state in its table, after the
// columns of the bytes (see delta).
const root = 256

// phraseHits says which phrases a text holds, by phrase id, then which
// of the matcher's lists it holds one of, by their index after the ids.
type phraseHits []bool

// scan returns the phrases s holds.
func (m *phraseMatcher) scan(s string) phraseHits {
	hits, _ := m.scanEnds(s, nil)
	return hits
}

// scanEnds is scan, and returns too, in order, the offsets in s where a
// phrase marked in mark (by id) ends: the offset of its last byte.
//
// Each step of the automaton waits for the table read of the step
// before, which is most of the time of a scan: a long text is scanned as
// four quarters at once, each step of one going on while the others
// wait (two halves left the core idle half the time). A quarter's scan
// starts the longest phrase's length back, so that it finds every phrase
// that ends in it (the state after a byte is the same whether the scan
// starts there or further back, for the phrases that end there and start
// after it), and reports only those.
func (m *phraseMatcher) scanEnds(s string, mark []bool) (hits phraseHits, ends []int32) {
	hits = make(phraseHits, m.nIDs+len(m.lists))
	// Each quarter's ends are gathered on the stack (a long text's too),
	// and the result made once at its size.
	var buf [lanes][32]int32
	var le [lanes][]int32
	for q := range le {
		le[q] = buf[q][:0]
	}
	n := len(s) / lanes // the first quarter, the shortest
	if len(s) < 512 || n < m.longest {
		le[0] = m.scanFrom(s, 0, len(s), root, hits, mark, le[0])
	} else {
		var b, st [lanes + 1]int
		for q := range b {
			b[q] = q * len(s) / lanes
		}
		for q := 1; q < lanes; q++ {
			st[q] = b[q] - m.longest + 1
		}
		s0, s1, s2, s3 := s[:n], s[st[1]:st[1]+n], s[st[2]:st[2]+n], s[st[3]:st[3]+n]
		r0, r1, r2, r3 := int32(root), int32(root), int32(root), int32(root)
		for i := 0; i < n; i++ {
			var k int
			k, r0, r1, r2, r3 = m.steps4(s0[i:], s1[i:], s2[i:], s3[i:], r0, r1, r2, r3)
			if i += k; i == n {
				break
			}
			if r0 < 0 {
				r0 = ^r0
				le[0] = m.found(r0, i, hits, mark, le[0])
			}
			if r1 < 0 {
				r1 = ^r1
				if j := st[1] + i; j >= b[1] {
					le[1] = m.found(r1, j, hits, mark, le[1])
				}
			}
			if r2 < 0 {
				r2 = ^r2
				if j := st[2] + i; j >= b[2] {
					le[2] = m.found(r2, j, hits, mark, le[2])
				}
			}
			if r3 < 0 {
				r3 = ^r3
				if j := st[3] + i; j >= b[3] {
					le[3] = m.found(r3, j, hits, mark, le[3])
				}
			}
		}
		// Each quarter but the first goes on to its end: the first
		// quarter is the shortest, and the others began further back.
		for q, r := range [lanes]int32{r0, r1, r2, r3} {
			if q > 0 {
				le[q] = m.scanFrom(s, st[q]+n, b[q+1], r, hits, mark, le[q])
			}
		}
	}
	total := 0
	for _, e := range le {
		total += len(e)
	}
	if total > 0 {
		ends = make([]int32, 0, total)
		for _, e := range le {
			ends = append(ends, e...)
		}
	}
	return hits, ends
}

// lanes is how many parts of a long text scanEnds scans at once.
const lanes = 4

// steps4 steps the four lanes of scanEnds over s0 to s3 (as long as
// s0) until a phrase ends in one of them, and returns the index of that
// byte, len(s0) when none does, and the states after it. A loop of its
// own: in scanEnds, among the handling of what is found, the compiler
// kept the states on the stack, a store and a load each per byte.
func (m *phraseMatcher) steps4(s0, s1, s2, s3 string, q0, q1, q2, q3 int32) (int, int32, int32, int32, int32) {
	delta := m.delta
	// Indexes masked to the table's length, a power of two (every index
	// is below it: the mask changes none): the compiler then checks no
	// read of the table against its length, a compare and a branch for
	// each lane and byte. A byte's column is read from the table too
	// (see delta), unmasked: every byte is below root.
	mask := len(delta) - 1
	_ = delta[mask]
	_ = delta[root-1]
	// Cut to the length of s0, so that the compiler knows their length
	// and checks no byte of the loop against it.
	s1, s2, s3 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)]
	// States as int: no widening of each sum before the table read. Read
	// as uint32, the 32-bit load widens them (as int32, a load and a sign
	// extension apart): a state where a phrase ends, negative in the
	// table, then has bit 31 set, which the mask drops and the test
	// below sees.
	r0, r1, r2, r3 := int(uint32(q0)), int(uint32(q1)), int(uint32(q2)), int(uint32(q3))
	i := 0
	for ; i < len(s0); i++ {
		r0 = int(uint32(delta[(r0+int(uint32(delta[s0[i]])))&mask]))
		r1 = int(uint32(delta[(r1+int(uint32(delta[s1[i]])))&mask]))
		r2 = int(uint32(delta[(r2+int(uint32(delta[s2[i]])))&mask]))
		r3 = int(uint32(delta[(r3+int(uint32(delta[s3[i]])))&mask]))
		if int32(r0|r1|r2|r3) < 0 {
			break
		}
	}
	return i, int32(r0), int32(r1), int32(r2), int32(r3)
}

// scanFrom goes on with a scan from s[i:end], in the state of row: it
// marks in hits the phrases found and appends to ends where the marked
// ones end.
func (m *phraseMatcher) scanFrom(s string, i, end int, row int32, hits phraseHits, mark []bool, ends []int32) []int32 {
	delta, class := m.delta, &m.class
	for ; i < end; i++ {
		if row = delta[row+int32(class[s[i]])]; row < 0 {
			row = ^row
			ends = m.found(row, i, hits, mark, ends)
		}
	}
	return ends
}

// found marks the phrases that end at s[i] in the state of row, and
// appends i to ends when a marked one does.
func (m *phraseMatcher) found(row int32, i int, hits phraseHits, mark []bool, ends []int32) []int32 {
	for _, id := range m.out[(row-root)/int32(m.width)] {
		hits[id] = true
		for _, l := range m.listsOf[id] {
			hits[m.nIDs+int(l)] = true
		}
		if mark != nil && mark[id] && (len(ends) == 0 || ends[len(ends)-1] != int32(i)) {
			ends = append(ends, int32(i))
		}
	}
	return ends
}

// holds reports whether s holds one of the matcher's phrases, stopping at
// the first.
func (m *phraseMatcher) holds(s string) bool {
	row, delta, class := int32(root), m.delta, &m.class
	for i := 0; i < len(s); i++ {
		if row = delta[row+int32(class[s[i]])]; row < 0 {
			return true
		}
	}
	return false
}

// holdsFolded is holds(applicant.Fold(s)), folding s a piece at a time
// and stopping at the first phrase: a long paragraph is not folded whole
// when a phrase comes early. Folding goes rune by rune, so the pieces,
// cut where a rune starts, fold to the pieces of the whole.
func (m *phraseMatcher) holdsFolded(s string) bool {
	row, delta, class := int32(root), m.delta, &m.class
	// Each piece folded into an array on the stack, not a new string: a
	// piece whose fold is longer (rare runes fold to more bytes) grows
	// out of it.
	var buf [512 + 64]byte
	for len(s) > 0 {
		k := min(len(s), 512)
		for k < len(s) && !utf8.RuneStart(s[k]) {
			k++
		}
		f := applicant.AppendFold(buf[:0], s[:k])
		for i := 0; i < len(f); i++ {
			if row = delta[row+int32(class[f[i]])]; row < 0 {
				return true
			}
		}
		s = s[k:]
	}
	return false
}

// id returns the id of the i-th phrase of p, -1 when the matcher does not
// know it; ids are the ids of p's phrases when p is one of the matcher's
// lists, else nil.
func (m *phraseMatcher) id(ids []int32, p []string, i int) int32 {
	if ids != nil {
		return ids[i]
	}
	if id, ok := m.ids[p[i]]; ok {
		return id
	}
	return -1
}

// list returns p when it is one of the matcher's lists, else nil.
func (m *phraseMatcher) list(p []string) *phraseList {
	if len(p) == 0 {
		return nil
	}
	if pl := m.byFirst[&p[0]]; pl != nil && len(pl.ids) == len(p) {
		return pl
	}
	return m.lists[listKey{&p[0], len(p)}]
}

// listIDs returns the ids of the phrases of p when p is one of the
// matcher's lists, else nil.
func (m *phraseMatcher) listIDs(p []string) []int32 {
	if pl := m.list(p); pl != nil {
		return pl.ids
	}
	return nil
}

// any reports whether one of the phrases of p was found; phrases the
// matcher does not know are looked for in s.
func (m *phraseMatcher) any(h phraseHits, p []string, s string) bool {
	pl := m.list(p)
	if pl != nil && pl.whole {
		return h[m.nIDs+int(pl.index)]
	}
	var ids []int32
	if pl != nil {
		ids = pl.ids
	}
	for i := range p {
		if id := m.id(ids, p, i); id >= 0 {
			if h[id] {
				return true
			}
		} else if strings.Contains(s, p[i]) {
			return true
		}
	}
	return false
}

// count returns how many of the phrases of p were found, or are in also
// (folded); alsoHits is also's scan by m, nil to have it scanned here.
func (m *phraseMatcher) count(h phraseHits, p []string, s, also string, alsoHits phraseHits) int {
	pl := m.list(p)
	var ids []int32
	if pl != nil {
		ids = pl.ids
	}
	// A list of the matcher's is looked for in also with one scan of it,
	// not a search of it for each phrase (the spam words in the subject:
	// some eighty searches of every mail's).
	if alsoHits == nil && also != "" && ids != nil {
		alsoHits = m.scan(also)
	}
	// A list none of whose phrases either text holds, as the scans mark
	// it, counts none: most mail holds none of the pitches and spam.
	if pl != nil && pl.whole && !h[m.nIDs+int(pl.index)] && (also == "" || !alsoHits[m.nIDs+int(pl.index)]) {
		return 0
	}
	n := 0
	for i := range p {
		found := false
		id := m.id(ids, p, i)
		if id >= 0 {
			found = h[id]
		} else {
			found = strings.Contains(s, p[i])
		}
		if alsoHits != nil && id >= 0 {
			found = found || alsoHits[id]
		} else if also != "" {
			found = found || strings.Contains(also, p[i])
		}
		if found {
			n++
		}
	}
	return n
}

// ownPhrases is the matcher for the author's text: every phrase list the
// rules try on it. Built on first use (about 10 MB of tables): commands
// that read no mail do not pay for it.
var ownPhrases = sync.OnceValue(func() *phraseMatcher { return newPhraseMatcher(ownLists...) })

// ownLists are the phrase lists the rules try on the author's text.
var ownLists = [][]string{applyIntent, freshApplication, beforeApplying, laterIntent, callWords, question,
	completion, salesPitch, notApplicant, invitation, jobSeeker, jobStrong, jobSupport, offersServices, priceCues,
	requestsForm, forClient, thirdParty, receiptQuestion, mentionsOwnApplication, ownCompanyWords, toTheCompany,
	solicitTopic, solicitAction, solicitPressure, applyWords, autoBody, bounceBody, spamWords, spamStrongWords,
	comeBackStems, intentStems, sendsLaterCue, manyFactsWords}

// bounceSubjects finds the bounceSubject phrases in a folded subject: a
// rule asks it of every mail, and one pass over the subject costs less
// than twenty searches of it.
var bounceSubjects = sync.OnceValue(func() *phraseMatcher { return newPhraseMatcher(bounceSubject) })

// intentStemMarks marks the intentStems among ownPhrases' ids: the scan
// of the author's text says where they end, for saysNotApplyingYet,
// which reads the sentences around them.
var intentStemMarks = sync.OnceValue(func() []bool {
	m := ownPhrases()
	marks := make([]bool, len(m.ids))
	for _, w := range intentStems {
		marks[m.ids[w]] = true
	}
	return marks
})

// ownScan finds, once, the phrases the author's own text holds, and
// where the intent stems end in it.
func (v *mainView) ownScan() phraseHits {
	if v.ownHits == nil {
		v.ownHits, v.stemEnds = ownPhrases().scanEnds(v.ownFolded(), intentStemMarks())
	}
	return v.ownHits
}

// ownHas reports whether the author's own text (folded) holds one of p.
func (v *mainView) ownHas(p phrases) bool {
	return ownPhrases().any(v.ownScan(), p, v.ownFolded())
}

// ownCount counts the phrases of p the author's own text (folded) or also
// (folded, "" for none) holds; alsoHits is also's scan by ownPhrases, nil
// to have it scanned.
func (v *mainView) ownCount(p []string, also string, alsoHits phraseHits) int {
	return ownPhrases().count(v.ownScan(), p, v.ownFolded(), also, alsoHits)
}
