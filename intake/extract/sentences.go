package extract

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// joinWrapped joins the lines of each paragraph with one space, so that
// intent is read in sentences, not lines: mail clients wrap at 72 to 78
// columns, and "je ne candidate\npas encore" must read as one phrase.
// Paragraphs (separated by blank lines) stay on lines of their own.
func joinWrapped(lines []string) string {
	return joinWrappedWith(lines, func(b []byte, l string) []byte { return append(b, l...) })
}

// joinWrappedFolded is applicant.Fold(joinWrapped(lines)), each line
// folded as it is joined: by AppendFold, eight bytes at a time into the
// buffer's room (FoldTo gathered each line on the stack, zeroed at every
// call, and copied it to a builder, more than the fold of a short line).
func joinWrappedFolded(lines []string) string { return joinWrappedWith(lines, applicant.AppendFold) }

// joinWrappedWith is joinWrapped, each line appended by add.
func joinWrappedWith(lines []string, add func([]byte, string) []byte) string {
	// At most the lines and a byte after each: made once, not grown as
	// it fills, in a buffer kept from one text to the next (only the
	// string made of it at the end is new, as a builder's would be).
	n := 0
	for _, l := range lines {
		n += len(l) + 1
	}
	buf := joinScratch.Get().(*[]byte)
	defer joinScratch.Put(buf)
	b := slices.Grow((*buf)[:0], n)
	inPara := false
	for _, l := range lines {
		l = trimSpace(l) // most lines need no trimming: no call
		if l == "" {
			if inPara {
				b = append(b, '\n')
			}
			inPara = false
			continue
		}
		if inPara {
			b = append(b, ' ')
		}
		b = add(b, l)
		inPara = true
	}
	*buf = b
	return string(b)
}

// joinScratch holds the buffers joinWrappedWith joins lines in.
var joinScratch = sync.Pool{New: func() any { return new([]byte) }}

// intentStems are the word stems of applying (folded).
var intentStems = []string{"candidat", "postul", "inscri", "particip", "depos"}

// intentStemMatcher finds the intentStems in one pass.
var intentStemMatcher = sync.OnceValue(func() *phraseMatcher { return newPhraseMatcher(intentStems) })

var (
	// reNegatedIntent: applying itself negated, "je ne candidate pas
	// (encore)", "nous ne postulons pas", "je ne suis pas encore
	// candidate", "je ne m'inscris pas".
	reNegatedIntent = lazy(`\b(?:ne |n')(?:me |m'|nous |vous |y |en )?(?:candidat|postul|inscri|particip|depos)\w* (?:pas|jamais|point)\b|\b(?:ne |n')(?:suis|sommes|serai|serons) (?:pas|jamais) (?:encore |tout de suite |maintenant )?candidat`)
	// reNegatedWish: the wish or plan to apply negated, "je ne souhaite
	// pas (encore) candidater", "nous n'allons pas postuler tout de suite".
	reNegatedWish = lazy(`\b(?:ne |n')(?:souhait|veu|voul|vais|allons|va |compt|pens|envisag|desir|peu|pouv|sui|somme)\w* ?(?:pas|jamais) (?:\S+ ){0,3}?(?:(?:me |m'|nous )?(?:candidat|postul|inscri|particip|depos)|(?:pret|prete|prets|pretes) a )`)
	// reNotAnApplication: the author says the mail is not one.
	reNotAnApplication = lazy(`\b(?:ce|ceci|cela|ca|il|mon message|ce message|ce mail|ce courriel)(?: ne | n')(?:est|s'agit|constitue|vaut) (?:pas|en rien) (?:encore |vraiment |officiellement )?(?:une |d'une |de )?(?:candidature|inscription|dossier)`)
	// rePutOff: applying put off, "mais pas avant janvier".
	rePutOff = lazy(`\bpas avant\b`)
	// rePostponed: weaker signs of a later application, "plus tard",
	// "l'année prochaine", "pas pour l'instant": they may also speak of a
	// missing piece ("le Kbis suivra plus tard"), so they count only in a
	// sentence that does not apply outright.
	rePostponed = lazy(`\bplus tard\b|\bdans un second temps\b|\bulterieurement\b|\bl'an(?:nee)? prochaine?\b|\bpas (?:tout de suite|maintenant|pour l'instant|pour le moment|cette annee|pour cette (?:session|promotion|annee))\b`)
)

// saysNotApplyingYet reports whether the author says, in one sentence
// about applying, that they are not applying now: negated ("je ne
// candidate pas encore"), denied ("ceci n'est pas une candidature") or
// postponed ("nous candidaterons, mais pas avant janvier"). own is the
// folded own text with wrapped lines joined.
func saysNotApplyingYet(own string) bool {
	_, ends := intentStemMatcher().scanEnds(own, allMarked(len(intentStems)))
	return notApplyingYetAround(own, ends)
}

// allMarked returns n marks, all set.
func allMarked(n int) []bool {
	m := make([]bool, n)
	for i := range m {
		m[i] = true
	}
	return m
}

// notApplyingYetAround is saysNotApplyingYet given where the intent stems
// end in own (offsets of their last bytes, in order). Few sentences speak
// of applying: only the sentences with a stem are read, each cut around
// its stem (a stem holds no sentence end), instead of cutting the text
// into sentences and scanning each.
func notApplyingYetAround(own string, stemEnds []int32) bool {
	from := 0
	for _, e := range stemEnds {
		if int(e) < from {
			continue // a sentence read already
		}
		start, end := sentenceAround(own, int(e))
		from = end + 1
		s := strings.TrimSpace(own[start:end])
		negation, later := putOffWords(s)
		if negation && (negates(reNegatedIntent, s) || negates(reNegatedWish, s) || reNotAnApplication.MatchString(s)) ||
			later && (rePutOff.MatchString(s) || rePostponed.MatchString(s) && !freshApplication.in(s)) {
			return true
		}
	}
	return false
}

var (
	// reLaterSession: a session, promotion or cohort after the one open,
	// "la prochaine session", "la session du printemps", "la promotion de
	// 2027" (folded text).
	reLaterSession = lazy(`\b(?:(?:prochaine|suivante|future) (?:session|promotion|promo|cohorte|edition)|` +
		`(?:session|promotion|promo|cohorte|edition) (?:suivante|prochaine|du printemps|de printemps|de l'automne|d'automne|` +
		`de (?:janvier|fevrier|mars|avril|mai|juin|juillet|septembre|octobre|novembre|decembre)|de 20\d\d))\b`)
	// reComeBack: the author will be back, "on se manifestera", "je
	// reviendrai vers vous", "nous vous recontacterons".
	reComeBack = lazy(`\b(?:se|nous|me|m'|vous) ?manifest\w*|\breviendr\w*|\brecontact\w*|\breprendr\w* contact\b`)
	// comeBackStems: every match of reComeBack holds one of them (its
	// needs, TestComeBackStems), looked for with the author's phrases.
	comeBackStems = phrases{"manifest", "reviendr", "recontact", "reprendr"}
)

// defersToLaterSession reports a sentence in which the author says they
// will come back for a later session, without the words of applying:
// "on se manifestera pour la session du printemps", "je reviendrai vers
// vous pour la prochaine promotion". Their company's facts often follow,
// "pour que vous ayez déjà une idée": no application yet. own is the
// folded own text with wrapped lines joined; the caller tries it only on
// a text that holds one of comeBackStems: few texts say they will come
// back, and none of their sentences does without one.
func defersToLaterSession(own string) bool {
	// In a sentence, coming back is the rarer test (many name the
	// session): it comes first.
	for _, s := range splitSentences(own) {
		if reComeBack.MatchString(s) && reLaterSession.MatchString(s) && !freshApplication.in(s) {
			return true
		}
	}
	return false
}

// reBeforeSending: the author means to send an application but has not
// yet, "avant de vous envoyer un dossier", "avant de vous faire parvenir
// notre candidature", "avant de constituer le dossier": a verb of sending
// or preparing, then within a few words what is sent.
var reBeforeSending = lazy(`^avant (?:de |d')(?:(?:vous |nous |me |m'|lui |leur |en |y |le |la |les |l')){0,2}` +
	`(?:envoy|transmet|adress|depos|soum|fair\w* parvenir|present|constitu|rempli|prepar|mont|redig|finalis|lanc)\w*` +
	`(?: \S+){0,4}? (?:dossier|candidature|inscription|formulaire|demande de participation)\b`)

// sendsLaterCue starts every sentence sendsLater reads: looked for with
// the author's phrases, so that a text without it is not searched ("a" is
// too common a byte for strings.Index to jump far).
var sendsLaterCue = phrases{"avant d"}

// sendsLater reports a sentence in which the author says they will send
// their application only after something, the usual opening of a question
// asked before applying ("Avant de vous envoyer un dossier, … peut
// participer ?"). own is the folded own text with wrapped lines joined.
func sendsLater(own string) bool {
	// The pattern is tried only from each "avant d" to its sentence end:
	// the text may be long, the phrase is short.
	for rest := own; ; {
		k := strings.Index(rest, "avant d")
		if k < 0 {
			return false
		}
		rest = rest[k:]
		end := strings.IndexAny(rest, ".!?;\n")
		if end < 0 {
			end = len(rest)
		}
		if reBeforeSending.MatchString(rest[:end]) {
			return true
		}
		rest = rest[len("avant d"):]
	}
}

// hedges make a wish to apply uncertain (folded).
var hedges = []string{"peut-etre", "eventuellement", "pas sur", "pas certain", "j'hesite", "nous hesitons", "je me demande si"}

// hedgesIntent reports a sentence about applying that the author hedges:
// "j'aimerais peut-être participer", "nous hésitons à candidater".
func hedgesIntent(own string) bool {
	for _, s := range splitSentences(own) {
		for _, h := range hedges {
			if strings.Contains(s, h) && hasIntentStem(s) {
				return true
			}
		}
	}
	return false
}

// notOnly are the words after a negation that restrict rather than deny:
// "je ne candidate pas seule", "nous ne souhaitons pas seulement
// participer", "je ne postule pas pour un emploi".
var notOnly = []string{"seul", "que ", "uniquement", "simplement", "pour un ", "pour une ", "a titre", "en tant que", "au nom"}

// negates reports a match of re in s whose negation denies applying, not
// one that only restricts it.
func negates(re *lazyRegexp, s string) bool {
	for _, loc := range re.FindAllStringIndex(s, 4) {
		m := s[loc[0]:loc[1]]
		k := strings.LastIndex(m, " pas ")
		if k < 0 {
			k = strings.LastIndex(m, " jamais ")
		}
		// What follows the negation word, within the match and after it.
		after := s[loc[0]:]
		if k >= 0 {
			after = s[loc[0]+k:]
			after = after[strings.IndexByte(after[1:], ' ')+2:]
		} else {
			after = s[loc[1]:]
		}
		after = strings.TrimSpace(after)
		restricts := false
		for _, w := range notOnly {
			if strings.HasPrefix(after, w) {
				restricts = true
				break
			}
		}
		if !restricts {
			return true
		}
	}
	return false
}

// putOffWords reports the words that start every match of the patterns
// of putting off, at the start of a word (after a byte that is not the
// patterns' \w): "ne " or "n'" for reNegatedIntent, reNegatedWish and
// reNotAnApplication; "pas ", "plus tard", "dans un second temps",
// "ulterieurement" or "l'an" for rePutOff and rePostponed. The searches
// cost more than the rest of classification, and most sentences about
// applying hold none of the words where a word starts ("prochaine " holds
// "ne " inside a word only).
func putOffWords(s string) (negation, later bool) {
	for i := 0; i < len(s); i++ {
		if i > 0 && isASCIIWordByte(s[i-1]) {
			continue
		}
		switch t := s[i:]; t[0] {
		case 'n':
			negation = negation || strings.HasPrefix(t, "ne ") || strings.HasPrefix(t, "n'")
		case 'p':
			later = later || strings.HasPrefix(t, "pas ") || strings.HasPrefix(t, "plus tard")
		case 'd':
			later = later || strings.HasPrefix(t, "dans un second temps")
		case 'u':
			later = later || strings.HasPrefix(t, "ulterieurement")
		case 'l':
			later = later || strings.HasPrefix(t, "l'an")
		}
	}
	return negation, later
}

func hasIntentStem(s string) bool {
	for _, w := range intentStems {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// sentenceAround returns the piece of s, between the sentence ends
// splitSentences cuts at, that holds the byte at i: its start, and its
// end (the cut's byte, or len(s)). Trimmed, it is one of splitSentences'
// sentences.
func sentenceAround(s string, i int) (start, end int) {
	// Most bytes are none that may end a sentence: told so by a look-up,
	// not five comparisons each, eight at a time (TestSentenceAroundAsBytes).
	e := &sentenceEndBytes
	for start = i; start > 0; start-- {
		if start >= 8 && e.noneOf8(s[start-8:start]) {
			start -= 7
			continue
		}
		if e[s[start-1]] != 0 && sentenceEndAt(s, start-1) {
			break
		}
	}
	for end = i; end < len(s); end++ {
		if end+8 <= len(s) && e.noneOf8(s[end:end+8]) {
			end += 7
			continue
		}
		if e[s[end]] != 0 && sentenceEndAt(s, end) {
			break
		}
	}
	return start, end
}

// sentenceEndBytes are the bytes sentenceEndAt may cut at: 1, the others 0.
var sentenceEndBytes = byteSet{'\n': 1, '.': 1, '!': 1, '?': 1, ';': 1}

// sentenceEndAt reports whether splitSentences cuts s at byte i.
func sentenceEndAt(s string, i int) bool {
	c := s[i]
	return c == '\n' || (c == '.' || c == '!' || c == '?' || c == ';') && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n')
}

// splitSentences cuts text at sentence ends (. ! ? … followed by a space
// or the end, and line breaks). Abbreviations cut too early at worst,
// which only shortens the window a phrase is looked for in.
func splitSentences(s string) []string {
	var out []string
	for _, sp := range sentenceSpans(s) {
		out = append(out, s[sp[0]:sp[1]])
	}
	return out
}

// sentenceSpans returns where splitSentences cuts s: the start and end
// of each sentence, spaces trimmed.
func sentenceSpans(s string) [][2]int {
	var out [][2]int
	add := func(start, end int) {
		t := strings.TrimSpace(s[start:end])
		if t == "" {
			return
		}
		start += len(s[start:end]) - len(strings.TrimLeftFunc(s[start:end], unicode.IsSpace))
		out = append(out, [2]int{start, start + len(t)})
	}
	start := 0
	for i := 0; i < len(s); i++ {
		if !sentenceEndAt(s, i) {
			continue
		}
		add(start, i)
		start = i + 1
	}
	add(start, len(s))
	return out
}
