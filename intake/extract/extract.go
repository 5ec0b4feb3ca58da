// Package extract reads a parsed message the way a careful coordinator
// would: it decides what kind of mail it is (application, follow-up,
// auto-reply, bounce, bulk, spam, other), whether a person should get an
// automatic acknowledgement, and which facts the applicant gave about
// themselves and their company, in French, from labelled lines or from
// sentences, ignoring quoted history and forwarders' notes.
package extract

import (
	"regexp"
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
	Kind              string
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
	from    string  // lowercase From address
	text    string  // the whole body text, cleaned
	sec     section // body split into own text, history and forward
	ownText string  // the applicant's own lines, joined
	// ownFolded is ownText folded, for the phrase lists.
	ownFolded string
	x         extraction
	folded    string // head of text folded, computed on demand
}

// textFolded returns the start of the whole text, folded, computed once.
func (v *mainView) textFolded() string {
	if v.folded == "" {
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

// hasApplicantFacts reports whether the author's text gives facts only an
// applicant gives (SIRET, company, headcount, postal code, sector) or
// several labelled fields.
func (v *mainView) hasApplicantFacts() bool {
	return v.x.core > 0 || v.x.labelled >= 2
}

// maxText bounds the text analysed: applications are short, and a
// pathological body must not make classification slow.
const maxText = 64 << 10

// Analyze classifies one message and, for an application or a follow-up,
// extracts the applicant's facts from what the author wrote in it.
func Analyze(m *mailparse.Message, p Program) Result {
	if m == nil {
		return Result{Kind: KindOther}
	}
	v := &mainView{msg: m, p: p, from: strings.ToLower(strings.TrimSpace(m.FromEmail))}
	v.text = cleanText(head(m.Text, maxText))
	subject := cleanText(m.Subject)
	v.sec = splitBody(v.text, subject, 0)
	v.ownText = strings.Join(v.sec.own, "\n")
	v.ownFolded = applicant.Fold(v.ownText)

	name, email := m.FromName, v.from
	if v.sec.fwd != nil {
		name, email = v.sec.fwd.name, v.sec.fwd.email
	}
	v.x = extractApplicant(v.sec.own, cleanText(name), email)

	kind := machineKind(v)
	var ref string
	if kind == "" {
		kind, ref = v.humanKind(subject)
	}
	r := Result{Kind: kind, Reference: ref}
	if kind != KindApplication && kind != KindFollowUp {
		return r
	}
	r.ShouldAcknowledge = true
	r.Applicant = v.x.a
	if f := v.sec.fwd; f != nil && f.email != v.from {
		r.Applicant.ForwardedBy = v.from
		if f.email == "" {
			// The forwarded block did not show the address: only a
			// labelled e-mail in the forwarded text can give it.
			r.Applicant.Email = v.x.labelEmail
		}
	}
	return r
}

// humanKind tells an application, a follow-up and other human mail apart,
// and returns the application reference the message quotes.
func (v *mainView) humanKind(subject string) (kind, ref string) {
	m := v.msg
	own := v.ownFolded
	subj := applicant.Fold(subject)
	if v.sec.fwd != nil && v.sec.fwd.subject != "" {
		subj += " | " + applicant.Fold(v.sec.fwd.subject)
	}

	attachments := 0
	for _, a := range m.Attachments {
		if !a.Inline {
			attachments++
		}
	}
	x := &v.x
	fresh := applyIntent.in(own)
	freshStrong := freshApplication.in(own)
	asks := question.in(own) || strings.Contains(v.ownText, "?")
	// Facts written in the body itself, not only in a signature.
	newFacts := x.bodyFacts > 0 || x.labelled >= 2 || attachments > 0

	// A job application ("candidature spontanée pour un poste") is no
	// application to the program: it names no company of the author's.
	if jobSeeker.in(own) && x.a.Company == "" && x.a.Siret == "" && x.a.Siren == "" && x.a.Headcount == nil && x.a.Sector == "" {
		return KindOther, ""
	}

	// A job or internship application with its CV and cover letter, even
	// when it names the headcount of a former employer: the author offers
	// work, not a company to the program.
	if jobStrong.in(own) && (jobSupport.in(own) || jobStrong.in(subj)) && x.a.Company == "" && x.a.Siret == "" && x.a.Siren == "" && x.a.Sector == "" {
		return KindOther, ""
	}
	// A consultant or trainer offering to work for the program describes
	// her own business exactly as an applicant would; she sells, with a
	// price or a pitch, and never says she wants to take part.
	if !fresh && !freshStrong && (offersServices.in(own) || offersServices.in(subj)) && (priceCues.in(own) || salesCount(own) > 0) {
		return KindOther, ""
	}
	// Asking for the application file, or writing for a client: the
	// author has not applied (an adviser describing a client, a would-be
	// applicant asking for the form). A person answers.
	if asks && !freshStrong && (requestsForm.in(own) || forClient.in(own)) && x.a.Siret == "" && x.labelled < 3 && attachments == 0 {
		return KindOther, ""
	}

	// People who are not applicants: a supplier's sales pitch, the press,
	// a secretary asking whether the boss's application arrived, anyone
	// asking whether their mail was received. Their signatures carry
	// company facts; a person should answer them, never the robot.
	if !freshStrong && !completion.in(own) {
		sales := salesCount(own)
		switch {
		case !fresh && !newFacts && notApplicant.in(own):
			return KindOther, ""
		case !fresh && !subjIntentStrong(subj) && x.labelled < 2 && x.bodyFacts == 0 && (sales >= 3 || sales >= 2 && attachments == 0):
			// A catalogue attached to a pitch is no application form.
			return KindOther, ""
		case !fresh && x.labelled < 2 && (invitation.in(own) || isInvoice(own) && !subjIntentStrong(subj)):
			// An organiser inviting to an event ("inscription gratuite
			// mais obligatoire"), a supplier sending an invoice: their
			// signatures carry a SIRET and an address, and a person must
			// handle them.
			return KindOther, ""
		case asks && !givesFacts(x, attachments) && (thirdParty.in(own) || receiptQuestion.in(own)):
			// "ma candidature pour le programme" reads as intent, but
			// asking whether it arrived adds nothing to it. An address
			// alone (often a signature without a closing) is no new fact.
			return KindOther, ""
		}
	}

	// A reference number in the subject or the new text: the author is
	// writing about an application already registered.
	ref = findReference(subject, v.p.ReferencePrefix)
	if ref == "" {
		ref = findReference(v.ownText, v.p.ReferencePrefix)
	}
	if ref == "" && v.sec.fwd != nil {
		ref = findReference(v.sec.fwd.subject, v.p.ReferencePrefix)
	}
	if ref != "" {
		return KindFollowUp, ref
	}

	subjIntent := subjectIntent(subj)
	before := beforeApplying.in(own)
	completion := completion.in(own)
	full := x.strong >= 3 || x.labelled >= 4

	// Intent to apply later ("avant de déposer mon dossier", "je compte
	// candidater", "ma société serait-elle éligible ?") around questions,
	// with no act of applying now: the author asks before applying, even
	// when they introduce their company with a SIRET and an address. A
	// person answers.
	if (before || laterIntent.in(own)) && asks && !freshStrong && !completion && attachments == 0 && x.labelled < 3 {
		return KindOther, ""
	}

	isReply := m.InReplyTo != "" || len(m.References) > 0 || reReplySubject.MatchString(subject)
	if isReply && v.sec.fwd == nil {
		quotedSelf := v.quotesSelf()
		switch {
		case full && !quotedSelf && (fresh || subjIntent || x.labelled >= 4 || x.strong >= 4 || !completion && v.repliesToCall(subj)):
			// A new application written as a reply (to the call for
			// applications, to an answer to a question).
			return KindApplication, ""
		case freshStrong && !quotedSelf && (x.strong >= 1 || attachments > 0 || x.labelled >= 2):
			return KindApplication, ""
		case completion || attachments > 0 || x.bodyFacts > 0:
			return KindFollowUp, ""
		case quotedSelf && (applyWords.in(own) || strings.Contains(own, "dossier")):
			// Writing again about one's own application (a withdrawal,
			// a correction): a follow-up.
			return KindFollowUp, ""
		case fresh && !asks && !quotedSelf:
			return KindApplication, ""
		}
		return KindOther, ""
	}

	switch {
	case before && x.core == 0 && x.labelled < 2 && attachments == 0:
		// "Avant de candidater, …?": a person should answer.
		return KindOther, ""
	case completion && !freshStrong && !subjIntentStrong(subj) && (x.core > 0 || attachments > 0 || mentionsOwnApplication.in(own)):
		return KindFollowUp, ""
	case asks && !fresh && !subjIntent && x.a.Siret == "" && x.labelled < 3 && attachments == 0:
		// A question with facts but no intention to apply ("Le programme
		// est-il ouvert aux associations ?"): a person should answer.
		return KindOther, ""
	case asks && !freshStrong && x.core == 0 && x.labelled < 2 && attachments == 0 && !(subjIntent && !strings.Contains(v.ownText, "?")):
		return KindOther, ""
	case fresh || subjIntent || x.strong >= 2 || x.labelled >= 3:
		return KindApplication, ""
	case v.sec.fwd != nil && (applyWords.in(applicant.Fold(strings.Join(v.sec.fwd.note, " "))) || applyWords.in(subj)):
		return KindApplication, ""
	}
	return KindOther, ""
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
	reReplySubject = regexp.MustCompile(`(?i)^\s*(?:re|réf|ref|aw|sv|rép|rep)\s*(?:\[\d+\])?\s*:`)
	reSubjectNoise = regexp.MustCompile(`(appels? a candidatures?|votre candidature|accuse de reception)`)
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

var reReplyPrefixFolded = regexp.MustCompile(`^(?:\s*(?:re|ref|aw|tr|fwd?|transf)\s*:\s*)+`)

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
