package extract

import (
	"strings"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

var (
	// Subjects of out-of-office replies and read receipts, at the start of
	// the subject (folded). A person replying "Re: Absence de SIRET" does
	// not match, since "re:" comes first.
	reAutoSubject = lazy(`^(reponse automatique|reponse auto\b|absent|absence|out of office|automatic reply|auto[- ]?reply|autoreply|auto-response|auto response|auto:|message d'absence|conges|en conge|vacances|vacation|away from|abwesend|abwesenheit|accuse de lecture|notification de lecture|confirmation de lecture|read receipt|read:|lu :|lu:|accuse de reception|accuse reception|automatische antwort|respuesta automatica|risposta automatica)`)
	// The same cues anywhere in the subject (see autoSubjectAnywhere).
	autoSubjectPhrases = phrases{"absent du bureau", "out of office", "reponse automatique", "automatic reply", "message d'absence"}
	// Delivery failure subjects (folded): plain substrings, which an
	// alternation regexp tried at every position of the subject costs
	// more to find.
	bounceSubject = phrases{"undeliver", "undelivered", "delivery status notification", "non remis", "echec de la remise",
		"echec de remise", "echec de distribution", "mail delivery failed", "delivery failure", "delivery has failed",
		"returned mail", "failure notice", "message non delivre", "non distribuable", "impossible de remettre",
		"mail system error", "returned to sender", "delivery notification", "rejet de message", "message bloque"}

	// reReferenceAt reads a reference ("RSE-2026-0007") at the start of
	// its input.
	reReferenceAt = lazy(`(?i)^([a-z]{2,12})[-‐–_ ]?(20\d{2})[-‐–_ ](\d{1,5})\b`)
)

// autoSubjectAnywhere reports an out-of-office cue anywhere in the folded
// subject: one of autoSubjectPhrases, or "autoreply" as a word. Substring
// tests, which an alternation regexp tried at every position costs more
// to find.
func autoSubjectAnywhere(s string) bool {
	if autoSubjectPhrases.in(s) {
		return true
	}
	const w = "autoreply"
	for i := 0; ; i++ {
		k := strings.Index(s[i:], w)
		if k < 0 {
			return false
		}
		i += k
		if (i == 0 || !isASCIIWordByte(s[i-1])) && (i+len(w) == len(s) || !isASCIIWordByte(s[i+len(w)])) {
			return true
		}
	}
}

// hdr returns a header value, "" when absent. key is in canonical form
// (as textproto.CanonicalMIMEHeaderKey makes it, as the parser keys the
// header): it is looked up as it is, not made canonical at every call.
func hdr(m *mailparse.Message, key string) string {
	if v := m.Header[key]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// hasHdr reports whether the header holds key, in canonical form (see
// hdr).
func hasHdr(m *mailparse.Message, key string) bool {
	if m.Header == nil {
		return false
	}
	_, ok := m.Header[key]
	return ok
}

func localPart(addr string) string {
	if k := strings.IndexByte(addr, '@'); k >= 0 {
		return addr[:k]
	}
	return addr
}

func domainOf(addr string) string {
	if k := strings.LastIndexByte(addr, '@'); k >= 0 {
		return strings.ToLower(addr[k+1:])
	}
	return ""
}

// isNoReply reports whether a sender's local part says nobody reads
// replies: noreply, no-reply, ne-pas-repondre, donotreply, notification(s)…
func isNoReply(local string) bool {
	l := withoutSeparators(applicant.Fold(local))
	for _, w := range noReplyWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	for _, p := range noReplyStarts {
		if l == p || strings.HasPrefix(l, p) && len(l) <= len(p)+3 {
			return true
		}
	}
	return false
}

// noReplyWords and noReplyStarts are what isNoReply looks for in a local
// part without its separators: anywhere, and at its start.
var (
	noReplyWords  = []string{"noreply", "nepasrepondre", "donotreply", "nereplypas", "norepl", "nonrepondre", "pasderepons"}
	noReplyStarts = []string{"notification", "notifications", "notify", "alerts", "alert", "automailer", "mailer", "robot",
		"system", "auto"}
)

// withoutSeparators returns s without its '-', '_' and '.', which a local
// part is compared without: s itself when it holds none, as most do.
func withoutSeparators(s string) string {
	if strings.IndexByte(s, '-') < 0 && strings.IndexByte(s, '_') < 0 && strings.IndexByte(s, '.') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '-' && c != '_' && c != '.' {
			b = append(b, c)
		}
	}
	return string(b)
}

// notificationPlatforms send machine notifications (bookings, form
// answers, calendar invitations) that may embed an applicant's answers but
// are never written by one. Domains, or their parents.
var notificationPlatforms = []string{
	"calendly.com", "typeform.com", "jotform.com", "doodle.com", "zoom.us", "eventbrite.com",
	"eventbrite.fr", "surveymonkey.com", "tally.so", "framaforms.org", "helloasso.com", "hubspot.com",
	"hubspotemail.net", "linkedin.com", "facebookmail.com", "docusign.net", "yousign.com",
	"wetransfer.com", "doctolib.fr", "agendize.com", "acuityscheduling.com", "zcal.co", "cal.com",
	"google.com", "microsoft.com", "teams.microsoft.com", "notion.so", "trello.com", "slack.com",
}

// isNotificationPlatform reports whether a sender's domain is a platform
// that sends notifications.
func isNotificationPlatform(domain string) bool {
	for _, p := range notificationPlatforms {
		// A parent is told by the dot before its name, not by a search
		// for "."+p: the rule runs on most mail, and each of the
		// platforms' strings was made at every call.
		if domain == p || strings.HasSuffix(domain, p) && domain[len(domain)-len(p)-1] == '.' {
			return true
		}
	}
	return false
}

// isBulkSender reports whether a local part is a mass-mailing address.
func isBulkSender(local string) bool {
	l := applicant.Fold(local)
	for _, p := range []string{"newsletter", "news", "lettre", "infolettre", "marketing", "campaign", "campagne", "emailing", "mailing", "promo", "offres", "actualites", "actu", "communication"} {
		// The byte after the prefix is read, not searched for with p+"-"
		// and the like: those strings were made at every call.
		if !strings.HasPrefix(l, p) {
			continue
		}
		if len(l) == len(p) || p == "newsletter" {
			return true
		}
		if c := l[len(p)]; c == '-' || c == '.' || c == '_' {
			return true
		}
	}
	return false
}

// spamWords are cues of unsolicited commercial mail (folded). Plain
// substring tests: a large alternation regexp over the whole body would
// cost more than all the rest of the analysis.
var spamWords = []string{
	"crypto", "bitcoin", "ethereum", "forex", "trading", "placement", "rendement", "gains garanti",
	"gain garanti", "investissement garanti", "sans risque", "sans aucun risque", "vous avez gagne",
	"vous etes gagnant", "heureux gagnant", "selectionne(e)", "vous avez ete selectionne",
	"felicitations", "loterie", "heritage", "million", "cadeau", "gratuit", "offre exclusive",
	"offre limitee", "offre valable", "cliquez ici", "click here", "activez votre compte",
	"places limitees", "dernier rappel", "casino", "viagra", "pret rapide", "pret personnel",
	"rachat de credit", "credit immediat", " seo", "seo ", "referencement", "premiere page de google",
	"backlink", "netlinking", "augmentez votre", "augmenter votre trafic", "visibilite sur google",
	"devis gratuit", "promotion exceptionnelle", "€ de gains", "opportunite unique", "revenu passif",
	"remise exceptionnelle", "sans engagement", "unsubscribe", "se desabonner", "100% ",
	// Financial products pushed to business owners.
	"scpi", "investissez", "votre epargne", "perte en capital", "performances passees", "defiscalis",
	"rendement cible", "repondant stop", "repondez stop",
	// Phishing: an account threatened, an identity to "verify".
	"verifier votre identite", "verifiez votre identite", "confirmer votre identite", "confirmez votre identite",
	"activite inhabituelle", "activite suspecte", "sera suspendu", "sera desactive", "seront definitivement supprimes",
	"definitivement supprime", "conserver l'acces", "votre compte sera", "votre compte gmail",
}

// spamStrongWords are cues that almost never appear in an application.
var spamStrongWords = []string{
	"crypto", "bitcoin", "gains garanti", "gain garanti", "vous avez gagne", "loterie", "heritage",
	"casino", "viagra", "premiere page de google", "backlink", "netlinking", "revenu passif",
	"activez votre compte", "€ de gains", "performances passees ne prejugent", "perte en capital",
	"verifier votre identite", "verifiez votre identite", "confirmer votre identite", "confirmez votre identite",
}

// spamCutoff is the score from which a mail is spam.
const spamCutoff = 3

// isSpam adds up the cues of unsolicited commercial mail. Content cues
// are required: a misconfigured SPF alone never makes an applicant spam.
func (m *mainView) isSpam() bool {
	msg := m.msg
	// The author's own text: spam carries no quoted history, and an
	// applicant's reply may quote anything.
	subj := applicant.Fold(msg.Subject)
	// The subject is scanned once for both lists.
	subjHits := ownPhrases().scan(subj)
	c := m.ownCount(spamWords, subj, subjHits)
	if c == 0 {
		return false
	}
	score := min(c, 3)
	if m.ownCount(spamStrongWords, subj, subjHits) > 0 {
		score++
	}
	to := strings.ToLower(hdr(msg, "To"))
	if strings.Contains(to, "undisclosed") || strings.Contains(to, "destinataires inconnus") || (to == "" && len(msg.To) == 0) {
		score++
	}
	spf := strings.TrimSpace(strings.ToLower(hdr(msg, "Received-Spf")))
	auth := strings.ToLower(hdr(msg, "Authentication-Results"))
	if strings.HasPrefix(spf, "fail") || strings.HasPrefix(spf, "softfail") ||
		strings.Contains(auth, "spf=fail") || strings.Contains(auth, "spf=softfail") || strings.Contains(auth, "dmarc=fail") {
		score++
	}
	replyTo := false
	for _, rt := range msg.ReplyTo {
		if d := domainOf(rt.Email); d != "" && d != domainOf(m.from) {
			replyTo = true
		}
	}
	if e := reEmail.FindString(hdr(msg, "Reply-To")); e != "" && domainOf(e) != domainOf(m.from) {
		replyTo = true
	}
	if replyTo {
		score++
	}
	// An applicant's facts weigh against spam, unless they are only a
	// seller's signature below a pitch that never asks to take part. They
	// are read (the costly part) only when they can change the answer.
	const factsWeight = 2
	if score < spamCutoff || score-factsWeight >= spamCutoff {
		return score >= spamCutoff
	}
	if m.hasApplicantFacts() && (m.facts().labelled >= 2 || m.ownHas(applyIntent) || m.ownHas(completion)) {
		score -= factsWeight
	}
	return score >= spamCutoff
}

// isCalendarInvite reports a calendar invitation: a text/calendar (.ics)
// event attached, or the mail sent on the organiser's behalf by a
// notification platform (Sender: calendar-notification@google.com), with
// no application written around it.
func (m *mainView) isCalendarInvite() bool {
	if m.ownHas(freshApplication) {
		return false
	}
	if s := hdr(m.msg, "Sender"); s != "" {
		if e := reEmail.FindString(s); e != "" && isNotificationPlatform(domainOf(strings.ToLower(e))) {
			return true
		}
	}
	for _, a := range m.msg.Attachments {
		ct := strings.ToLower(a.ContentType)
		if ct == "text/calendar" || ct == "application/ics" || strings.HasSuffix(strings.ToLower(a.Filename), ".ics") {
			return true
		}
	}
	return false
}

func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Do not cut a UTF-8 sequence in half.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// findReference returns a reference such as "RSE-2026-0003" quoted in s,
// normalised to upper case with hyphens, or "".
func findReference(s, prefix string) string {
	if prefix == "" {
		prefix = "RSE"
	}
	// Only where the prefix is written: a regexp over the whole text
	// costs more than all the rest of classification on a long mail. And
	// only before the last "20" (every reference's year starts so, after
	// its prefix): prose without one, most mail, is not searched at all.
	end := lastIndex20(s)
	for i := 0; i < end; {
		k := indexFold(s[i:end], prefix)
		if k < 0 {
			return ""
		}
		i += k
		if i == 0 || !isWordByte(s[i-1]) {
			if m := reReferenceAt.FindStringSubmatch(s[i:min(len(s), i+48)]); m != nil && strings.EqualFold(m[1], prefix) {
				num := m[3]
				for len(num) < 4 {
					num = "0" + num
				}
				return strings.ToUpper(prefix) + "-" + m[2] + "-" + num
			}
		}
		i++
	}
	return ""
}

// lastIndex20 is strings.LastIndex(s, "20"), which searches byte after
// byte backwards; a forward search jumps to each "20" of a text, and most
// hold few.
func lastIndex20(s string) int {
	last := -1
	for i := 0; ; {
		k := strings.Index(s[i:], "20")
		if k < 0 {
			return last
		}
		last = i + k
		i = last + 1
	}
}

// indexFold returns the index of the first instance of the ASCII word w
// in s, in any case, or -1, without allocating.
func indexFold(s, w string) int {
	n := len(w)
	if n == 0 {
		return 0
	}
	lo, up := lowerASCII(w[0]), upperASCII(w[0])
	// The next upper-case start, kept between candidates so that each
	// byte is scanned once for it.
	nextUp := -1
	if lo != up {
		nextUp = -2
	}
	for i := 0; i+n <= len(s); {
		// Jump to the next byte that can start w.
		limit := s[:len(s)-n+1]
		k := strings.IndexByte(limit[i:], lo)
		if k >= 0 {
			k += i
		}
		if nextUp == -2 || nextUp >= 0 && nextUp < i {
			nextUp = strings.IndexByte(limit[i:], up)
			if nextUp >= 0 {
				nextUp += i
			} else {
				nextUp = -3 // none left
			}
		}
		if nextUp >= 0 && (k < 0 || nextUp < k) {
			k = nextUp
		}
		if k < 0 {
			return -1
		}
		i = k
		if strings.EqualFold(s[i:i+n], w) {
			return i
		}
		i++
	}
	return -1
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// companySolicitation recognises mail written TO a company about its own
// data by someone who sells or extorts something: fake registries and
// directories, fake compliance (GDPR, mandatory posters, "document
// unique"), invoices for an inscription nobody ordered, domain-name and
// referencing renewals. They quote the recipient's name, SIRET and address,
// which must not read as an application. The signal is the address to the
// reader ("votre entreprise"), a registry or compliance topic, a payment or
// a click asked for, and no wish of the author to apply. It returns
// KindSpam when the mail threatens or presses (penalty, deadline,
// "obligatoire") or its headers are forged, KindOther for a plain offer
// (a person may answer it), and "" otherwise.
func (m *mainView) companySolicitation() string {
	if m.ownHas(applyIntent) || m.ownHas(freshApplication) || m.ownHas(mentionsOwnApplication) || m.ownHas(ownCompanyWords) {
		return ""
	}
	// The subject and the own text: no phrase holds a line break, so a
	// phrase is in one or the other, and the own text's are known.
	subj := applicant.Fold(m.msg.Subject)
	has := func(p phrases) bool { return p.in(subj) || m.ownHas(p) }
	if findReference(m.msg.Subject, m.p.ReferencePrefix) != "" || findReference(m.ownText, m.p.ReferencePrefix) != "" {
		// Writing about an application the program registered.
		return ""
	}
	if !has(toTheCompany) || !has(solicitTopic) || !has(solicitAction) {
		return ""
	}
	if has(solicitPressure) || m.forgedHeaders() {
		return KindSpam
	}
	return KindOther
}

// forgedHeaders reports the header signs of mass or forged mail: hidden
// recipients, a failed SPF/DMARC check, replies sent to another domain.
func (m *mainView) forgedHeaders() bool {
	msg := m.msg
	to := strings.ToLower(hdr(msg, "To"))
	if strings.Contains(to, "undisclosed") || strings.Contains(to, "destinataires inconnus") {
		return true
	}
	spf := strings.TrimSpace(strings.ToLower(hdr(msg, "Received-Spf")))
	auth := strings.ToLower(hdr(msg, "Authentication-Results"))
	if strings.HasPrefix(spf, "fail") || strings.HasPrefix(spf, "softfail") || strings.Contains(auth, "spf=fail") ||
		strings.Contains(auth, "spf=softfail") || strings.Contains(auth, "dmarc=fail") {
		return true
	}
	for _, rt := range msg.ReplyTo {
		if d := domainOf(rt.Email); d != "" && d != domainOf(m.from) {
			return true
		}
	}
	if e := reEmail.FindString(hdr(msg, "Reply-To")); e != "" && domainOf(e) != domainOf(m.from) {
		return true
	}
	return false
}
