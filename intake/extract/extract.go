// Package extract reads a parsed message the way a careful coordinator
// would: it decides what kind of mail it is (application, follow-up,
// auto-reply, bounce, bulk, spam, other), whether a person should get an
// automatic acknowledgement, and which facts the applicant gave about
// themselves and their company, in French, from labelled lines or from
// sentences, ignoring quoted history and forwarders' notes.
package extract

import (
	"strings"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// Kinds of message.
const (
	KindApplication = "application"
	KindFollowUp    = "follow_up"
	KindAutoReply   = "auto_reply"
	KindBounce      = "bounce"
	KindBulk        = "bulk"
	KindSpam        = "spam"
	KindOther       = "other"
)

// Program is what extraction needs to know about the program itself.
type Program struct {
	Address         string   // the program's own mailbox, any case
	Coordinators    []string // coordinators' addresses, any case
	ReferencePrefix string   // "RSE" -> references like RSE-2026-0007
}

// Result is what one message, read alone, shows.
type Result struct {
	Kind string
	// KindRule names the classification rule that decided Kind (see
	// machineRules and humanRules).
	KindRule          string
	ShouldAcknowledge bool
	// Applicant holds the facts the author gave in this message (new text
	// and signature only). It is zero unless Kind is application or
	// follow_up. For a forward, it is the original sender's facts and
	// Applicant.ForwardedBy is the forwarder.
	Applicant applicant.Applicant
	// Reference is an application reference ("RSE-2026-0007") quoted in
	// the subject or body, "" when none.
	Reference string
}

// mainView is one message as the classifier and the extractor see it.
type mainView struct {
	msg     *mailparse.Message
	p       Program
	from    string // lowercase From address
	subject string // cleaned
	// The body (text, sec, own, ownText, name and email) is prepared by
	// readBody, before the first rule that is not a header rule.
	bodyRead bool
	text     string  // the whole body text, cleaned
	sec      section // body split into own text, history and forward
	// own is the part of the author's own lines that is read: its first
	// screens and its end (see readWindow).
	own     []string
	ownText string // own, joined
	// ownFoldedText is ownText folded with wrapped lines joined, for the
	// phrase lists (intent is read in sentences, not lines), made on
	// demand: mail the headers tell is automatic is not read for phrases.
	ownFoldedText string
	ownFoldedMade bool
	ownHits       phraseHits // the phrases ownFolded holds, found on demand (ownScan)
	stemEnds      []int32    // where the intentStems end in ownFolded, found with ownHits
	folded        string     // head of text folded, computed on demand

	// The author's facts are read only when a rule or the result asks:
	// most machine mail (lists, out-of-office replies, bounces) is told
	// from its headers, and reading the facts is most of the cost.
	name, email string // whose facts: the author, or a forward's sender
	x           extraction
	read        bool
	// motivation is the reading whose motivation is still to be read, nil
	// once it is: the rules do not read it, and most mail that is no
	// application or follow-up has its facts read for the rules only.
	motivation *reading
	few        int8 // fewFacts: 0 not asked yet, 1 yes, -1 no
}

// facts returns the author's facts, read on first use, all but the
// motivation (see applicantFacts).
func (v *mainView) facts() *extraction {
	if !v.read {
		v.motivation = readApplicant(&v.x, v.own, v.ownText, cleanText(v.name), v.email)
		v.read = true
	}
	return &v.x
}

// applicantFacts returns the author's facts with the motivation, for the
// result.
func (v *mainView) applicantFacts() *extraction {
	x := v.facts()
	if v.motivation != nil {
		v.motivation.readMotivation()
		v.motivation = nil
	}
	return x
}

// ownFolded returns the author's text folded, wrapped lines joined (see
// ownFoldedText), computed once.
func (v *mainView) ownFolded() string {
	if !v.ownFoldedMade {
		v.readBody() // a header rule may ask
		v.ownFoldedText = joinWrappedFolded(v.own)
		v.ownFoldedMade = true
	}
	return v.ownFoldedText
}

// textFolded returns the start of the whole text, folded, computed once.
func (v *mainView) textFolded() string {
	if v.folded == "" {
		v.readBody() // a header rule may ask
		v.folded = applicant.Fold(head(v.text, 3000))
	}
	return v.folded
}

func (v *mainView) isProgramOrCoordinator(addr string) bool {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" {
		return false
	}
	if strings.EqualFold(addr, strings.TrimSpace(v.p.Address)) {
		return true
	}
	for _, c := range v.p.Coordinators {
		if strings.EqualFold(addr, strings.TrimSpace(c)) {
			return true
		}
	}
	return false
}

// fewFacts reports, without reading the facts, that the author's text
// can give no labelled line, no fact in its body and none of a company's
// facts but its name and headcount: it holds no label separator (see
// mayHoldLabel; inline labels need a colon too), no digit (every SIRET,
// SIREN and postal code is written in digits) and no "secteur" (the key
// of the only sentence that gives a sector). Most questions about the
// program are so, and the rules can then tell them from an application
// without the reading, which costs as much as the rest of the analysis.
func (v *mainView) fewFacts() bool {
	if v.few == 0 {
		v.few = -1
		// The leader dots and "secteur" (in any ASCII case, as the
		// sentence's key is) are looked for with the rules' phrases, in
		// the folded text: it holds every line's ASCII words lowered and
		// its dots.
		if t := v.ownText; !holdsSeparatorByte(t) && !hasDigit(t) && !v.ownHas(manyFactsWords) {
			v.few = 1
		}
	}
	return v.few > 0
}

// manyFactsWords are the words whose absence fewFacts needs, folded.
var manyFactsWords = phrases{leaderDots, "secteur"}

// hasDigit reports an ASCII digit in s: a search for each digit skips
// through the text many bytes at a time, where a test of each byte
// against the set goes one by one.
func hasDigit(s string) bool {
	for c := byte('0'); c <= '9'; c++ {
		if strings.IndexByte(s, c) >= 0 {
			return true
		}
	}
	return false
}

// labelled is facts().labelled, known to be 0 when fewFacts holds.
func (v *mainView) labelled() int {
	if v.fewFacts() {
		return 0
	}
	return v.facts().labelled
}

// bodyFacts is facts().bodyFacts, known to be 0 when fewFacts holds.
func (v *mainView) bodyFacts() int {
	if v.fewFacts() {
		return 0
	}
	return v.facts().bodyFacts
}

// hasApplicantFacts reports whether the author's text gives facts only an
// applicant gives (SIRET, company, headcount, postal code, sector) or
// several labelled fields.
func (v *mainView) hasApplicantFacts() bool {
	return v.facts().core > 0 || v.facts().labelled >= 2
}

// Facts are where an applicant writes them: on the first screens of
// their own text (greeting, intent, labels, the sentences that present
// the company) and in the signature at its end. Pages of prose between
// them are not read, so that reading a long mail costs no more than
// reading its first screens.
const (
	readHead = 6 << 10 // first screens of the author's own text, in bytes
	readTail = 1536    // its end: closing and signature
)

// readWindow returns the lines of own that are read: up to readHead
// bytes from the start and readTail from the end, with a blank line where
// the middle was left out (so that no paragraph runs across the gap). A
// line too long for the window is cut at a character boundary.
func readWindow(own []string) []string { return windowLines(own, cutWindow(own)) }

// windowLines returns the lines of own in the window c.
func windowLines(own []string, c windowCut) []string {
	if c.all {
		return own
	}
	// Made at its size: a long text's lines are many.
	out := make([]string, 0, c.i+2+len(own)-c.j)
	if c.cutHead {
		out = append(out, own[:c.i-1]...)
		out = append(out, own[c.i-1][:c.headLen])
	} else {
		out = append(out, own[:c.i]...)
	}
	out = append(out, "")
	if c.cutTail {
		l := own[c.j-1]
		out = append(out, l[len(l)-c.tailLen:])
	}
	return append(out, own[c.j:]...)
}

// readWindowText is readWindow(own) and the window joined with line
// breaks, given joined, own joined so: the window's text is the start and
// the end of joined, written as two pieces, not joined again line by line
// (a long mail's lines are many). TestReadWindowTextAsJoin holds it to
// strings.Join.
func readWindowText(own []string, joined string) ([]string, string) {
	c := cutWindow(own)
	if c.all {
		return own, joined
	}
	// The front: own[:i] joined, the last cut to headLen bytes (the
	// whole lines before it, with their line breaks, are n bytes).
	front := joined[:max(c.n-1, 0)]
	if c.cutHead {
		front = joined[:c.n+c.headLen]
	}
	// The back: the end of own[j-1] when it is cut, and own[j:], which
	// with the line break before each are the last m bytes.
	back, hasBack := "", c.cutTail || c.j < len(own)
	if c.cutTail {
		back = joined[len(joined)-c.m-c.tailLen:]
	} else if hasBack {
		back = joined[len(joined)-c.m+1:]
	}
	// The front's lines, the blank line, the back's lines, joined.
	var b strings.Builder
	b.Grow(len(front) + 2 + len(back))
	b.WriteString(front)
	if c.i > 0 {
		b.WriteByte('\n')
	}
	if hasBack {
		b.WriteByte('\n')
		b.WriteString(back)
	}
	return windowLines(own, c), b.String()
}

// windowCut is where readWindow cuts own.
type windowCut struct {
	all bool // the window is all of own
	// own[:i] begin the window, the last cut to headLen bytes when
	// cutHead; n is the length of the whole lines among them, each with
	// its line break.
	i, n    int
	cutHead bool
	headLen int
	// own[j:] end it, m their length, each with the line break before
	// it; cutTail when the end of own[j-1], tailLen bytes, comes before
	// them.
	j, m    int
	cutTail bool
	tailLen int
}

// cutWindow finds where readWindow cuts own.
func cutWindow(own []string) windowCut {
	total := 0
	for _, l := range own {
		total += len(l) + 1
	}
	if total <= readHead+readTail {
		return windowCut{all: true}
	}
	var c windowCut
	for c.i < len(own) && c.n+len(own[c.i])+1 <= readHead {
		c.n += len(own[c.i]) + 1
		c.i++
	}
	// The line cut at the head's end, if any.
	if c.cutHead = c.i < len(own) && c.n < readHead; c.cutHead {
		c.headLen = len(head(own[c.i], readHead-c.n))
		c.i++
	}
	c.j = len(own)
	for c.j > c.i && c.m+len(own[c.j-1])+1 <= readTail {
		c.m += len(own[c.j-1]) + 1
		c.j--
	}
	if c.cutTail = c.j > c.i && c.m < readTail; c.cutTail {
		c.tailLen = len(tailOf(own[c.j-1], readTail-c.m))
	}
	return c
}

// tailOf returns the last n bytes of s or fewer, starting on a character.
func tailOf(s string, n int) string {
	if len(s) <= n {
		return s
	}
	k := len(s) - n
	for k < len(s) && s[k]&0xC0 == 0x80 {
		k++
	}
	return s[k:]
}

// maxText bounds the text analysed: applications are short, and a
// pathological body must not make classification slow.
const maxText = 64 << 10

// Analyze classifies one message and, for an application or a follow-up,
// extracts the applicant's facts from what the author wrote in it.
func Analyze(m *mailparse.Message, p Program) Result {
	if m == nil {
		return Result{Kind: KindOther, KindRule: ruleNoMessage}
	}
	v := &mainView{msg: m, p: p, from: strings.ToLower(strings.TrimSpace(m.FromEmail)), subject: cleanText(m.Subject)}
	kind, rule, ref := v.classify()
	r := Result{Kind: kind, KindRule: rule, Reference: ref}
	if kind != KindApplication && kind != KindFollowUp {
		return r
	}
	r.ShouldAcknowledge = true
	r.Applicant = v.applicantFacts().a
	if f := v.sec.fwd; f != nil && f.email != v.from {
		r.Applicant.ForwardedBy = v.from
		if f.email == "" {
			// The forwarded block did not show the address: only a
			// labelled e-mail in the forwarded text can give it.
			r.Applicant.Email = v.facts().labelEmail
		}
	}
	v.evidence(&r.Applicant)
	return r
}

// readBody prepares the body, once: cleaned, split into the author's own
// text, history and forward. Mail its headers tell is automatic (an
// out-of-office reply, most of all) is classified without it, and
// cleaning and splitting a text cost a pass or two over it each.
func (v *mainView) readBody() {
	if v.bodyRead {
		return
	}
	v.bodyRead = true
	v.text = cleanText(head(v.msg.Text, maxText))
	v.sec = splitBody(v.text, v.subject, 0)
	if v.sec.ownPiece {
		// own is a piece of the text, joined already: the window's text is
		// that, or cut from it, not joined again.
		v.own, v.ownText = readWindowText(v.sec.own, v.sec.ownJoined)
	} else {
		v.own = readWindow(v.sec.own)
		v.ownText = strings.Join(v.own, "\n")
	}

	v.name, v.email = v.msg.FromName, v.from
	if v.sec.fwd != nil {
		v.name, v.email = v.sec.fwd.name, v.sec.fwd.email
	}
}

// isInvoice reports a supplier's invoice or payment request: an invoice
// and how to pay it (folded).
func isInvoice(own string) bool {
	if !strings.Contains(own, "facture") {
		return false
	}
	for _, w := range []string{"reglement", "virement", "iban", "echeance", "a regler", "paiement", "montant de", "payer", "net a payer", " rib"} {
		if strings.Contains(own, w) {
			return true
		}
	}
	return false
}

// givesFacts reports whether a message brings facts that complete or make
// an application: fields, identification numbers, a headcount, a sector
// or an attachment.
func givesFacts(x *extraction, attachments int) bool {
	return x.labelled >= 2 || attachments > 0 || x.a.Siret != "" || x.a.Siren != "" || x.a.Headcount != nil || x.a.Sector != ""
}

// salesCount counts the distinct sales-pitch cues in the folded text.
func salesCount(own string) int {
	n := 0
	for _, w := range salesPitch {
		if strings.Contains(own, w) {
			n++
		}
	}
	return n
}

// quotesSelf reports whether the quoted history is the author's own earlier
// mail (a reply to one's own application), from the attribution line or a
// quoted header block.
func (v *mainView) quotesSelf() bool {
	att := strings.ToLower(v.sec.attribution)
	if att != "" {
		if v.from != "" && strings.Contains(att, v.from) {
			return true
		}
		if dn := personFromDisplayName(v.msg.FromName); dn != "" && strings.Contains(applicant.Fold(att), applicant.Fold(dn)) {
			return true
		}
	}
	for i, l := range v.sec.quoted {
		if i > 12 {
			break
		}
		t := strings.TrimLeft(strings.TrimSpace(l), "*")
		if len(t) < 3 || (t[0] != 'D' && t[0] != 'd' && t[0] != 'F' && t[0] != 'f') {
			continue
		}
		if h := reInnerHeader.FindStringSubmatch(applicant.Fold(t)); h != nil && (h[1] == "de" || h[1] == "from") {
			_, e := parseAddress(h[2])
			return e != "" && e == v.from
		}
	}
	return false
}

var (
	reReplySubject = lazy(`(?i)^\s*(?:re|réf|ref|aw|sv|rép|rep)\s*(?:\[\d+\])?\s*:`)
	reSubjectNoise = lazy(`(appels? a candidatures?|votre candidature|accuse de reception)`)
)

// subjectIntent reports whether the subject says the mail is an
// application ("Candidature RSE", "Inscription au programme"), not merely
// about the call for applications.
func subjectIntent(subj string) bool {
	s := reSubjectNoise.ReplaceAllString(subj, "")
	return strings.Contains(s, "candidat") || strings.Contains(s, "inscription") || strings.Contains(s, "postul")
}

// subjIntentStrong reports a subject that begins with "Candidature".
func subjIntentStrong(subj string) bool {
	s := strings.TrimSpace(reReplyPrefixFolded.ReplaceAllString(subj, ""))
	return strings.HasPrefix(s, "candidature") || strings.HasPrefix(s, "inscription")
}

var reReplyPrefixFolded = lazy(`^(?:\s*(?:re|ref|aw|tr|fwd?|transf)\s*:\s*)+`)

// repliesToCall reports a reply to the program's call for applications:
// the subject or the quoted text is the call ("appel à candidatures",
// "pour candidater, répondez à ce message"). Answering the call with one's
// facts is applying, whatever the reply prefix says.
func (v *mainView) repliesToCall(subj string) bool {
	if callWords.in(subj) {
		return true
	}
	n := 0
	for _, l := range v.sec.quoted {
		if n++; n > 60 {
			break
		}
		if callWords.in(applicant.Fold(l)) {
			return true
		}
	}
	return false
}
