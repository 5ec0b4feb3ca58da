package extract

import (
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

// Building blocks of the sentence patterns. Company names and communes are
// matched case-sensitively (they start with a capital); the words around
// them are matched case-insensitively with (?i:…) groups.
const (
	// A title as applicants write it in a sentence or a signature.
	rolePattern = `(?:co-?|co )?g[ée]rant(?:e)?(?: associ[ée]e?| majoritaire| unique)?` +
		`|(?:co-?)?fondat(?:eur|rice)(?: et g[ée]rant(?:e)?| et pr[ée]sident(?:e)?)?` +
		`|pr[ée]sident(?:e)?(?:[- ]directeur g[ée]n[ée]ral|[- ]directrice g[ée]n[ée]rale| du directoire| fondat(?:eur|rice))?` +
		`|pdg|ceo|dg` +
		`|directeur(?: g[ée]n[ée]ral| adjoint| d[ée]l[ée]gu[ée]| administratif| technique| commercial| financier| des op[ée]rations| de site| d['’]usine| d['’]agence| de magasin| d['’]exploitation| de production)*` +
		`|directrice(?: g[ée]n[ée]rale| adjointe| d[ée]l[ée]gu[ée]e| administrative| technique| commerciale| financi[èe]re| des op[ée]rations| de site| d['’]usine| d['’]agence| de magasin| d['’]exploitation| de production)*` +
		`|dirigeant(?:e)?(?: fondat(?:eur|rice))?` +
		`|(?:co-?)?associ[ée](?:e)?(?:[- ]g[ée]rant(?:e)?| fondat(?:eur|rice))?` +
		`|chef(?:fe)? d['’](?:entreprise|exploitation)` +
		`|(?:co-?)?exploitant(?:e)?(?: agricole)?` +
		`|responsable(?: rse| qse| hse| qhse| qualit[ée](?: s[ée]curit[ée] environnement)?| administrati(?:f|ve)(?: et financi(?:er|[èe]re))?| des ressources humaines| rh| d['’]exploitation| technique| commercial(?:e)?` +
		`| d[ée]veloppement durable| environnement| production| de production| des achats| achats| marketing| communication| financi(?:er|[èe]re)| logistique| des op[ée]rations| du site| d['’]agence| de site)?` +
		// A legal status (auto-entrepreneur, micro-entrepreneur) is not a
		// title: the README keeps the role null for them.
		`|artisan(?:e)?(?: [a-zàâçéèêëîïôûù]+(?:ier|i[èe]re|iste|eur|euse|on|onne|er|[èe]re))?|entrepreneu(?:r|se)` +
		`|propri[ée]taire(?:[- ]g[ée]rant(?:e)?|[- ]exploitant(?:e)?)` +
		`|patron(?:ne)?` +
		`|(?:infirmi(?:er|[èe]re)|m[ée]decin|kin[ée]sith[ée]rapeute) coordinat(?:eur|rice)` +
		`|administrat(?:eur|rice)|secr[ée]taire g[ée]n[ée]ral(?:e)?|tr[ée]sori(?:er|[èe]re)`
	// One word of a company name: capitalised or a number, or an elided
	// article glued to a capitalised word (l'Aubrac, d'Olt).
	compWord = `(?:[\p{Lu}0-9][\p{L}0-9'’&.\-]*|[dlDL]['’][\p{Lu}][\p{L}'’\-]*)`
	// The first word of a company name starts with a capital letter, so
	// that "l'entreprise : 912 847 365 00018" gives no company.
	compFirst = `(?:[\p{Lu}][\p{L}0-9'’&.\-]*|[dlDL]['’][\p{Lu}][\p{L}'’\-]*)`
	// Lower-case words allowed inside a company name.
	compConn    = `(?:&|et|de|du|des|la|le|les|en|sur|sous|aux?|d['’]|l['’])`
	companyName = compFirst + `(?:\s+(?:` + compConn + `\s+)*` + compWord + `)*`
	// A commune: capitalised words, hyphenated parts, and the particles
	// of French place names.
	communeName = `[\p{Lu}][\p{L}'’\-]*(?:[ ](?:(?:de|du|des|la|le|les|sur|sous|en|lès|et|d['’]|l['’])[ ]?)?[\p{Lu}][\p{L}'’\-]*)*`
	// The nouns of "notre entreprise, X", "ma société X" (under (?i)).
	ourCompanyNoun = `(?:business|company|entreprise(?: familiale)?|soci[ée]t[ée]|structure|exploitation|cabinet|atelier|agence|commerce|boutique|scop|sarl|sas|eurl|association|ferme|maison)`
	// The nouns of "ma SARL à Mende" (under (?i)).
	ownBusinessNoun = `(?:entreprise|soci[ée]t[ée]|sarl|sasu|sas|eurl|scop|gaec|earl|sci|structure|exploitation|atelier|commerce|boutique|cabinet|agence|ferme|restaurant|h[ôo]tel|garage|magasin|auberge|g[îi]te|camping|micro-entreprise|auto-entreprise)`
	numberWord      = `un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingts?|trente|quarante|cinquante|soixante|cents?`
	numberWords     = `(?:(?:` + numberWord + `)(?:[ -](?:et[ -])?)?)+`
)

var (
	reRoleOnly = lazy(`^(?i:` + rolePattern + `)$`)
	// A title at the start of a value, followed by anything ("responsable
	// QSE", "directrice depuis 2019").
	reRoleStart = lazy(`^(?i:` + rolePattern + `)(?:$|[^\p{L}])`)
	// "je suis (le|la) gérant(e) de la SARL X", "en tant que présidente de X".
	reRoleSentence = lazy(`(?i:\b(?:je suis|j['’]en suis|je suis actuellement|suis|en tant que|en qualit[ée] de|moi-m[êe]me|je suis aujourd['’]hui|as its|i am)\s+(?:depuis (?:\d{4}|\S+ ans?|longtemps|peu)\s+)?(?:l[ea]\s+|l['’]|un\s+|une\s+|le seul\s+|la seule\s+|l['’]un(?:e)? des\s+)?)(` + rolePattern + `)`)
	// A title opening a sentence: "Présidente de la SAS X, je souhaite…".
	reRoleAtStart = lazy(`(?:^|[.!?,]\s+|\n)((?i:` + rolePattern + `))\s+(?i:de\s+la|de\s+l['’]|de|d['’]|du|des)\s*` + compFirst)
	// The company after a title: "gérante de la SARL X", "co-fondatrice des X".
	reCompanyAfterRole = lazy(`^\s+(?i:(de\s+la|de\s+l['’]|de|d['’]|du|des|chez))\s*(` + companyName + `)`)
	// "je dirige la Scierie X", "j'ai créé l'Atelier X".
	reDirige = lazy(`(?i:\b(?:je dirige|nous dirigeons|je g[èe]re|j['’]ai (?:cr[ée]{2}|repris|fond[ée])|je co-dirige|je codirige)\s+(?:(la|le|les|l['’]|une|un)\s*)?)(` + companyName + `)`)
	// "notre entreprise, Jourdan Paysage, compte…", "la société X".
	reOurCompany = lazy(`(?i:\b(?:notre|mon|ma|l['’]|la|le|my|our)\s*` + ourCompanyNoun + `\s*[,:]?\s*(?:«\s*|"\s*)?)(` + companyName + `)`)
	// "l'entreprise s'appelle X", "ma société se nomme X", "une ferme qui
	// porte le nom de X".
	reCompanyNamed = lazy(`(?i:\b(?:entreprise|soci[ée]t[ée]|structure|exploitation|boutique|commerce|atelier|association|ferme|affaire|bo[îi]te|enseigne|cabinet|agence|magasin|restaurant|h[ôo]tel|camping|g[îi]te|scop|sarl|sas|eurl|earl|gaec|coop[ée]rative)s?(?:\s+qui)?\s+(?:s['’]appelle|se nomme|se d[ée]nomme|porte le nom(?: de)?|a pour nom|s['’]intitule|est nomm[ée]e|est d[ée]nomm[ée]e)\s*:?\s*(?:«\s*|"\s*)?)(` + companyName + `)`)
	// An assistant writing for the boss: "je suis l'assistante de M. Jean
	// X, gérant de …", "de la part de notre directrice, Mme Claire Y",
	// "pour le compte de M. Z". Group 1: a title before the name; 2: the
	// name.
	reOnBehalf = lazy(`(?i:\b(?:assistant(?:e)?(?: de direction)?|secr[ée]taire(?: de direction)?|collaborat(?:eur|rice))\s+(?:de|du)\s+|\b(?:de la part|pour le compte|[àa] la demande)\s+(?:de|du)\s+)` +
		`(?:(?i:notre|mon|ma|la|le)\s+((?i:` + rolePattern + `))\s*,?\s*)?` +
		`(?:(?:M\.|Mme\.?|Mr\.?|Monsieur|Madame|Mlle\.?)\s+)?` +
		`([\p{Lu}][\p{L}'’\-]+(?:\s+(?:de\s+|du\s+|d['’])?[\p{Lu}][\p{L}'’\-]+){0,2})`)
	// The company whose papers are sent: "le SIRET de l'Ébénisterie X",
	// "ci-joint mon Kbis de la Menuiserie X", "le numéro SIRET de X".
	reCompanyOfPapers = lazy(`(?i:\b(?:siret|siren|k-?bis|kbis)\s+(?:de\s+la|de\s+l['’]|de|d['’]|du|des)\s*)(` + companyName + `)`)
	// A line that is a title and its company: "Gérant de l'Auberge des
	// Genêts", "Directrice du Camping X".
	reRoleLine = lazy(`^((?i:` + rolePattern + `))\s+(?i:de\s+la|de\s+l['’]|de|d['’]|du|des|chez)\s*` + compFirst)
	// A legal form written as part of the name: "la SAS Fromagerie des Hautes Terres".
	// A company named at the start of a sentence before its address:
	// "Boulangerie Chabrol, 48230 Chanac."
	reCompanyBeforeAddress = lazy(`(?:^|[.!?]\s+|\n)(` + companyName + `)\s*,\s*(?:[^,\n]{0,50},\s*)?\d{5}\s+\p{Lu}`)
	reLegalForm            = lazy(`\b(?:SARL|SASU|SAS|EURL|SCOP|SCIC|GAEC|SELARL|EARL|SCEA|SNC|SCI|SA)\s+(?:(?:de\s+la|de\s+l['’]|de|du|des|d['’])\s*)?` + companyName)

	// "à Florac (48400)", "au Malzieu-Ville (48140)".
	reCommuneThenCode = lazy(`(?:(?:^|\s)(?i:(à|a|au|aux|sur|en))\s+)?(` + communeName + `)\s*\(\s*(\d{5})\s*\)`)
	// "48000 MENDE", "30120 Le Vigan".
	reCodeThenCommune = lazy(`(?:^|[^0-9\p{L}])(\d{5})\s+(` + communeName + `)`)
	// "ma SARL à Mende", "notre exploitation au Rozier".
	reOwnCompanyAt = lazy(`(?i:\b(?:mon|ma|notre)\s+` + ownBusinessNoun + `\s+(à|au|aux)\s+)(` + communeName + `)`)
	// "installée à Langogne" when no postal code is given.
	reInstalledAt = lazy(`(?i:\b(?:bas[ée]e?s?|install[ée]e?s?|situ[ée]e?s?|implant[ée]e?s?|[ée]tabli(?:e|s|es)?|domicili[ée]e?s?|si[èe]ge (?:social )?(?:est )?)\s+(à|a|au|aux|sur)\s+)(` + communeName + `)`)

	// Headcount in a sentence: "12 salariés", "une équipe de 23 personnes",
	// "TPE de 3 ETP", "douze salariés".
	reHeadcount = lazy(`(?i)(\d{1,5}|` + numberWords + `)\s+(?:salari[ée]e?s?|personnes?|employ[ée]e?s?|collaborat(?:eur|rice)s?|etp\b|[ée]quivalents?[ -]temps[ -]plein|permanents?|agents|compagnons|ouvriers?|membres|emplois|cdi\b|p\.|people\b|employees\b|staff\b)`)
	// reHeadcount split in two for headcountMatches: its unit words, and
	// the count right before them (which looks at nothing before its
	// match: headcountMatches runs it on the end of its window only).
	reHeadcountUnit   = lazy(`(?i)(?:salari[ée]e?s?|personnes?|employ[ée]e?s?|collaborat(?:eur|rice)s?|etp\b|[ée]quivalents?[ -]temps[ -]plein|permanents?|agents|compagnons|ouvriers?|membres|emplois|cdi\b|p\.|people\b|employees\b|staff\b)`)
	reHeadcountBefore = lazy(`(?i)(\d{1,5}|` + numberWords + `)\s+$`)
	reHeadcountOf     = lazy(`(?i)\b(?:effectif(?: total| actuel)?(?: est)?(?: de)?|nous sommes(?: aujourd['’]hui| actuellement)?|on est(?: aujourd['’]hui| actuellement)?|we employ|we are|nous employons|j['’]emploie|emploie|compte|comptons)\s*:?\s*(\d{1,5}|` + numberWords + `)\b`)

	// "dans le secteur du maraîchage biologique".
	reSectorSentence = lazy(`(?i)\b(?:dans le secteur|(?:notre|mon) secteur(?: d['’]activit[ée])? est(?: celui)?)\s+(?:de la |de l['’]|du |des |de |d['’]|la |le |les |l['’])?([^.,;:()\n]+)`)
	// "je travaille seule", "je suis seul dans mon entreprise": a
	// headcount of one, stated without a number.
	reAlone      = lazy(`(?i)\bje (?:travaille|suis) seule?\b(?:\s+dans\s+(?:l['’]|mon |ma )\s*(?:entreprise|soci[ée]t[ée]|structure|atelier|exploitation|bo[iî]te|affaire))?`)
	reSectorStop = lazy(`(?i)\s+(?:depuis|à|au|aux|en|pour|avec|sur|dans|qui|où|car|mais|et nous|et je|et j'|et l'|ainsi|notamment|,)\b.*$`)

	// Names introduced in a sentence.
	reIntroName = lazy(`(?i:\b(?:je m['’]appel(?:le|e|les)?|je me nomme|je soussign[ée]e?|mon nom est|moi,|moi c['’]est)\s+)((?:[\p{Lu}][\p{L}'’\-]+)(?:\s+(?:de\s+|du\s+|de la\s+|d['’])?[\p{Lu}][\p{L}'’\-]+){1,3})`)

	// Contexts that make a phone number someone else's.
	reOtherPersonPhone = lazy(`(?i:associ[ée]|coll[èe]gue|conseill[èe]re?|comptable|secr[ée]tari|assistante?\b|standard|mon fr[èe]re|ma s(?:œ|oe)ur|mon [ée]pou|ma femme|mon mari|mairie|\bcci\b|chambre|avocat|banque|fax|t[ée]l[ée]copie|urgence|rempla[çc]ant|en mon absence)|(?i:contacter|joindre|appeler) (?:M\. |Mme |[\p{Lu}][\p{Ll}])`)
	reOwnPhone         = lazy(`(?i)(me joindre|m['’]appeler|me contacter|mon (?:t[ée]l[ée]phone|portable|num[ée]ro|mobile)|t[ée]l\b|t[ée]l\.|t[ée]l[ée]phone|portable|mobile|gsm|ligne directe|joignable)`)
)

// closings start the end of a letter; what follows is the signature.
var closings = []string{
	"cordialement", "bien cordialement", "tres cordialement", "bien a vous", "bien a toi", "salutations",
	"sinceres salutations", "meilleures salutations", "bonne journee", "bonne soiree", "belle journee",
	"belle soiree", "bonne fin de journee", "bonne semaine", "belle semaine", "merci", "a bientot",
	"respectueusement", "avec mes remerciements", "en vous remerciant", "je vous prie d'agreer",
	"veuillez agreer", "amicalement", "au plaisir", "best regards", "regards", "kind regards",
	"dans l'attente", "sincerement", "tres bonne journee", "bonne continuation", "a tres bientot",
	"je reste a votre disposition", "restant a votre disposition", "je vous remercie",
	"avec mes salutations", "recevez", "dans l'attente de votre retour", "bien a vous,",
}

// closingsMaxLen is the length of the longest closing.
var closingsMaxLen = func() int {
	n := 0
	for _, c := range closings {
		n = max(n, len(c))
	}
	return n
}()

// closingStarts holds the first two bytes of the closings (c0<<7 | c1),
// which are folded ASCII, each with the closings that start with them: a
// line is compared with those alone (most lines that get that far start
// with "je", "en" or "me", and comparing them with every closing cost as
// much as the rest of isClosing). Built at start-up (forty closings, a
// few microseconds) rather than on first use: isClosing, asked of most
// lines, paid the check of a once at each call.
var closingStarts = func() *closingIndex {
	x := &closingIndex{groups: [][]string{nil}}
	for _, c := range closings {
		k := int(c[0])<<7 | int(c[1])
		if x.at[k] == 0 {
			x.at[k] = uint8(len(x.groups))
			x.groups = append(x.groups, nil)
		}
		x.groups[x.at[k]] = append(x.groups[x.at[k]], c)
	}
	return x
}()

type closingIndex struct {
	at     [1 << 14]uint8 // index in groups; 0 (nil) when no closing starts so
	groups [][]string
}

// starting returns the closings that start with c0 and c1, or nil.
func (x *closingIndex) starting(c0, c1 byte) []string {
	return x.groups[x.at[int(c0)<<7|int(c1)]]
}

// isClosing reports whether line, trimmed, is a signature separator or
// starts with a closing formula ("Cordialement", "Bien à vous").
func isClosing(line string) bool { return isTrimmedClosing(strings.TrimSpace(line)) }

// isTrimmedClosing is isClosing of a line trimmed already: the callers
// that trim each line for their own reading do not trim it twice.
func isTrimmedClosing(t string) bool {
	if t == "--" || t == "-- " || t == "—" {
		return true
	}
	if len(t) > 90 || t == "" {
		return false
	}
	// Folding goes rune by rune, each giving a byte or more: the line's
	// first two runes folded start its fold, and when no closing starts
	// with their first two bytes the whole line is not folded. Two ASCII
	// bytes fold to themselves in lower case (a backquote, folded to an
	// apostrophe, starts no closing either way), without building them.
	// Only the closings that start with those two bytes can be the line's.
	cands := closings
	if len(t) >= 2 && t[0] < utf8.RuneSelf && t[1] < utf8.RuneSelf {
		if cands = closingStarts.starting(lowerASCII(t[0]), lowerASCII(t[1])); cands == nil {
			return false
		}
	} else if f, n := foldTwoRunes(t); n >= 2 {
		if f[0] >= utf8.RuneSelf || f[1] >= utf8.RuneSelf {
			return false
		}
		if cands = closingStarts.starting(f[0], f[1]); cands == nil {
			return false
		}
	}
	// Only the start of the line can hold a closing. Its ASCII start
	// folds to itself in lower case: each closing is compared with it byte
	// by byte, and most differ within a few bytes of it (reading the whole
	// ASCII start first cost more than the comparisons). A closing whose
	// start matches up to a character beyond ASCII needs the line folded.
	possible := false
	for _, c := range cands {
		i := 0
		for i < len(c) && i < len(t) && t[i] < utf8.RuneSelf && foldedASCII(t[i]) == c[i] {
			i++
		}
		if i == len(c) {
			return true
		}
		if i < len(t) && t[i] >= utf8.RuneSelf {
			possible = true
		}
	}
	if !possible {
		return false
	}
	// Else the start is folded, rune by rune (Fold's prefix is the fold
	// of the line's prefix), until it is as long as the longest closing,
	// into an array on the stack, not a new string.
	k := min(len(t), closingsMaxLen)
	for k < len(t) && !utf8.RuneStart(t[k]) {
		k++
	}
	var buf [64]byte
	f := applicant.AppendFold(buf[:0], t[:k])
	for k < len(t) && len(f) < closingsMaxLen {
		_, w := utf8.DecodeRuneInString(t[k:])
		f = applicant.AppendFold(f, t[k:k+w])
		k += w
	}
	for _, c := range cands {
		if len(f) >= len(c) && string(f[:len(c)]) == c {
			return true
		}
	}
	return false
}

// foldTwoRunes returns applicant.Fold of the first two runes of t and its
// length, folded rune by rune into an array: isClosing asks it of most
// lines that start with an accent, and building the string cost an
// allocation each. TestFoldTwoRunesAsFold holds it to Fold.
func foldTwoRunes(t string) ([2 * utf8.UTFMax]byte, int) {
	var f [2 * utf8.UTFMax]byte
	b := f[:0]
	for i, runes := 0, 0; runes < 2 && i < len(t); runes++ {
		r, w := applicant.DecodeRune(t[i:])
		i += w
		b = applicant.AppendFoldRune(b, r)
	}
	return f, len(b)
}

// foldIs reports whether applicant.Fold(s) == want, folding s rune by rune
// against want rather than into a new string: the name rules compare every
// capitalised word of a text with a name this way. TestFoldIsAsFold holds
// it to Fold.
func foldIs(s, want string) bool {
	var f [utf8.UTFMax]byte
	k := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c != '`' {
			if k == len(want) || want[k] != lowerASCII(c) {
				return false
			}
			i++
			k++
			continue
		}
		r, w := applicant.DecodeRune(s[i:])
		i += w
		folded := applicant.AppendFoldRune(f[:0], r)
		if !strings.HasPrefix(want[k:], string(folded)) {
			return false
		}
		k += len(folded)
	}
	return k == len(want)
}

// foldedASCII is applicant.Fold of an ASCII byte: lowered, and a backquote
// as an apostrophe.
func foldedASCII(c byte) byte {
	if c == '`' {
		return '\''
	}
	return lowerASCII(c)
}

// extraction is what the applicant's own text gives, with the counts the
// classifier needs.
type extraction struct {
	a        applicant.Applicant
	labelled int // recognised "Label : value" lines with a value
	strong   int // facts only an applicant gives: SIRET/SIREN, company, headcount, postal code, sector
	core     int // the same without the company, which a signature alone can give
	// bodyFacts counts labelled lines and identification numbers given
	// before the signature.
	bodyFacts int
	// labelEmail is an address given in an "E-mail :" field.
	labelEmail string

	// What evidence needs: the rule that decided each field, the lines
	// read (the author's own), which of them are labelled, and where the
	// signature starts.
	rules   map[string]string
	lines   []string
	isLabel []bool
	sig     int
}

// note records the rule that decided field, unless one already did.
func (x *extraction) note(field, rule string) {
	if x.rules == nil {
		// Room for the dozen rules an application's reading notes:
		// grown from empty, the map was made three times over.
		x.rules = make(map[string]string, 12)
	}
	if _, ok := x.rules[field]; !ok {
		x.rules[field] = rule
	}
}

// decided records the rule that decided field, over any earlier one.
func (x *extraction) decided(field, rule string) {
	if x.rules == nil {
		x.rules = make(map[string]string, 12) // as in note
	}
	x.rules[field] = rule
}

// noteNew records rule for every field of x.a that is set now and was
// not in before.
func (x *extraction) noteNew(before *applicant.Applicant, rule string) {
	for _, f := range applicant.Fields {
		now, _ := x.a.Field(f)
		was, _ := before.Field(f)
		if now != "" && was == "" {
			x.note(f, rule)
		}
	}
}

// Rules that decide several fields.
const (
	ruleLabelledLine  = "labelled_line"
	ruleDisplayName   = "display_name"
	ruleSignatureName = "signature_name"
	ruleSenderAddress = "sender_address"
	ruleKnownCommune  = "known_commune_near_code"
)

// noteChoice records, for a field given value, the rule of the first
// candidate equal to it: pairs of rule name and candidate value.
func (x *extraction) noteChoice(field, value string, pairs ...string) {
	if value == "" {
		return
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == value {
			x.note(field, pairs[i])
			return
		}
	}
}

// maxMotivation bounds the motivation kept, in characters.
const maxMotivation = 1200

// reading is one extraction in progress: the author's lines and what the
// field extractors (one file each, field_*.go) have found so far. Each
// extractor fills only the fields still empty, so the order in which
// readApplicant runs them is the order of precedence the README
// documents, and each notes the rule that decided (for the evidence).
type reading struct {
	x           *extraction
	a           *applicant.Applicant
	name, email string   // the sender (the inner sender of a forward)
	lines       []string // the author's own lines
	isLabel     []bool   // lines read as "Label : value"
	flat, all   string   // the non-label text with paragraphs joined; all lines
	flatCase    caseless // flat, for its key words and the sentence stems
	sig         int      // first line of the signature
	first, last string
	nameSet     bool
	phone       string
	roleIsLabel bool // the role is the label of a name ("Responsable : X")
	labelEmail  string
	motivation  string
	commune     string
	postal      string
	addressPC   string // from an "Adresse :" label
	addrCom     string
	bossFirst   string // the boss an assistant writes for
	bossLast    string
	noNumbers   bool // findSiret found neither SIRET nor SIREN in all
}

func (r *reading) setName(f, l string) {
	if !r.nameSet && (f != "" || l != "") {
		r.first, r.last, r.nameSet = f, l, true
	}
}

// extractApplicant reads the applicant's facts from their own lines
// (ownText is them joined with newlines). name and email identify the
// sender (the inner sender of a forward).
func extractApplicant(own []string, ownText, name, email string) extraction {
	var x extraction
	readApplicant(&x, own, ownText, name, email).readMotivation()
	return x
}

// readApplicant is extractApplicant into x but for the motivation, which
// no classification rule reads and which costs as much as several facts:
// the returned reading's readMotivation reads it, for a mail whose facts
// are kept.
func readApplicant(x *extraction, own []string, ownText, name, email string) *reading {
	x.a.Email = strings.ToLower(strings.TrimSpace(email))
	r := &reading{x: x, a: &x.a, name: name, email: email}
	r.lines = make([]string, len(own))
	cut := 0 // the blanks trimmed
	for i, l := range own {
		r.lines[i] = trimBlanksRight(l)
		cut += len(l) - len(r.lines[i])
	}
	// The lines joined are the joined own text the caller has, but for the
	// blanks trimmed.
	r.all = ownText
	if cut > 0 {
		r.all = joinTrimmed(ownText, own, r.lines, cut)
	}
	r.isLabel = make([]bool, len(r.lines))

	r.readLabels()
	r.flatten()
	r.readInlineLabels()
	r.readIdentifiers()
	r.sig = signatureStart(r.lines)
	r.readRoleAndCompany()
	r.readNames()
	r.readPhone()
	r.readPlace()
	r.readHeadcount()
	r.readSector()
	// The motivation would be read here, last: no fact comes after it,
	// and what finish counts does not hold it.
	r.finish()
	return r
}

// flatten joins the text that is not labelled lines, paragraphs joined,
// for the sentence patterns. Labelled lines become paragraph breaks so
// that a pattern never runs from one label into the next.
func (r *reading) flatten() {
	lines, isLabel := r.lines, r.isLabel
	n := 0
	for _, l := range lines {
		n += len(l) + 1
	}
	var fb strings.Builder
	fb.Grow(n)
	for i, l := range lines {
		if isLabel[i] {
			fb.WriteString("\n")
			continue
		}
		t := trimSpace(l) // most lines need no trimming: no call
		if t == "" {
			fb.WriteString("\n")
			continue
		}
		fb.WriteString(t)
		fb.WriteString(" ")
	}
	r.flat = fb.String()
	r.flatCase = newCaseless(r.flat)
}

// trimBlanksRight is strings.TrimRight(s, " \t"), which builds a set of
// the two bytes at every call: readApplicant trims every line.
func trimBlanksRight(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// joinTrimmed is strings.Join(lines, "\n"), where lines are own trimmed
// on the right and ownText is own joined with newlines: it copies
// ownText in runs up to each blank cut (a line or two of a mail, such as
// the signature's "-- "), not line by line. cut is how many bytes the
// lines lost.
func joinTrimmed(ownText string, own, lines []string, cut int) string {
	var b strings.Builder
	b.Grow(len(ownText) - cut)
	start, pos := 0, 0 // the start of what is left to copy; of line i
	for i, l := range own {
		if len(lines[i]) < len(l) {
			b.WriteString(ownText[start : pos+len(lines[i])])
			start = pos + len(l)
		}
		pos += len(l) + 1
	}
	b.WriteString(ownText[start:])
	return b.String()
}

// finish records what the classifier needs: the counts of facts, and
// where they were read.
func (r *reading) finish() {
	a, x, lines, isLabel, sig := r.a, r.x, r.lines, r.isLabel, r.sig
	x.labelEmail = r.labelEmail
	x.lines, x.isLabel, x.sig = lines, isLabel, sig
	// Facts stated before the signature: a reply whose only facts are in
	// its signature ("Merci pour votre retour" + company address) adds
	// nothing to an application.
	for i := 0; i < sig; i++ {
		if isLabel[i] {
			x.bodyFacts++
		}
	}
	// The lines before the signature, joined: the start of all, which
	// joins the same lines.
	n := 0
	for _, l := range lines[:sig] {
		n += len(l) + 1
	}
	body := r.all[:max(n-1, 0)]
	// body is the start of all, cut before a newline: a number it gives,
	// all gives (read before the newline the same), so all without one
	// needs no second reading.
	if !r.noNumbers {
		if s, sn := findSiret(body); s != "" || sn != "" {
			x.bodyFacts++
		}
	}
	if a.PostalCode != "" && strings.Contains(body, a.PostalCode) {
		x.bodyFacts++
	}
	for _, v := range []bool{a.Siret != "" || a.Siren != "", a.Headcount != nil, a.PostalCode != "", a.Sector != ""} {
		if v {
			x.core++
		}
	}
	x.strong = x.core
	if a.Company != "" {
		x.strong++
	}
}

// reSecondLabel finds a second "Label :" after a separator in a value.
var reSecondLabel = lazy(`\s+[—–\-|;/]\s+([^:—–|;/]{2,40}?)\s*:\s*\S`)

// splitSecondLabel splits "48500 — Commune : La Canourgue" into the value
// and the next "Label : value", when the second label is known.
func splitSecondLabel(v string) (value, rest string, ok bool) {
	for _, m := range reSecondLabel.FindAllStringSubmatchIndex(v, -1) {
		if _, known := lookupLabel(normLabel(v[m[2]:m[3]]), false); known {
			return strings.TrimSpace(v[:m[0]]), v[m[2]:], true
		}
	}
	return v, "", false
}

// inlineLabels finds "Label : value" inside a sentence, after a sentence
// boundary, for the labels people write that way (sector, headcount,
// SIRET, phone).
func inlineLabels(flat string, x *extraction, phone *string) {
	a := &x.a
	for off := 0; off < len(flat); {
		k := strings.IndexByte(flat[off:], ':')
		if k < 0 {
			break
		}
		colon := off + k
		off = colon + 1
		// The label: the words just before the colon, back to a sentence
		// boundary.
		startWin := max(0, colon-45)
		before := flat[startWin:colon]
		b := strings.LastIndexAny(before, ".;!?\n")
		if b < 0 {
			if startWin > 0 {
				continue
			}
			b = -1
		}
		label := strings.TrimSpace(before[b+1:])
		if label == "" {
			continue
		}
		fld, ok := lookupLabel(normLabel(label), false)
		if !ok {
			continue
		}
		rest := flat[colon+1:]
		end := strings.IndexAny(rest, ";(\n")
		if end < 0 {
			end = len(rest)
		}
		// A full stop ends the value unless it is inside a number
		// ("06.81.45.22.07").
		for j := 0; j < end; j++ {
			if rest[j] == '.' && (j+1 >= len(rest) || rest[j+1] == ' ') {
				end = j
				break
			}
		}
		value := trimValue(rest[:end])
		if value == "" {
			continue
		}
		switch fld {
		case fSector:
			if a.Sector == "" {
				a.Sector = value
				x.labelled++
			}
		case fHeadcount:
			if a.Headcount == nil {
				if n, ok := headcountValue(value); ok {
					a.Headcount = &n
					x.labelled++
				}
			}
		case fPhone:
			if *phone == "" {
				if ps := findPhones(value); len(ps) > 0 {
					*phone = ps[0].e164
				}
			}
		case fCompany:
			if a.Company == "" && startsUpper(value) {
				a.Company = cleanCompany(value)
			}
		case fRole:
			if a.Role == "" && isRoleOnly(value) {
				a.Role = value
			}
		}
	}
}

// headcountValue reads the number in a headcount value: "31 salariés",
// "4", "douze", "6 personnes (dont 2 apprentis)".
func headcountValue(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	// A parenthesised aside breaks the count down or comments on it
	// ("vingt-deux (dont 14 associés)", "6 (moi compris)"): the count is
	// outside it, when there is one.
	if s := dropAsides(v); s != v {
		if n, ok := headcountValue(s); ok {
			return n, true
		}
	}
	// "1 salarié + 1 apprenti, soit 3 personnes": the total wins; but
	// "14 salariés, soit 11,5 ETP" converts to full-time equivalents, a
	// measure of hours, not a count of people.
	for _, m := range headcountTotals(v) {
		if isFTE(v[m[3]:]) {
			continue
		}
		if n, ok := parseFrenchNumber(v[m[2]:m[3]]); ok && n < 100000 {
			return n, true
		}
	}
	// Digits first.
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			j := i
			for j < len(v) && v[j] >= '0' && v[j] <= '9' {
				j++
			}
			n, ok := parseFrenchNumber(v[i:j])
			return n, ok && n < 100000
		}
	}
	// Number words at the start: "douze salariés", "vingt-trois".
	words := strings.Fields(strings.ToLower(v))
	var num []string
	for _, w := range words {
		w = strings.Trim(w, ",.;()")
		if _, ok := parseFrenchNumber(w); ok || w == "et" {
			num = append(num, w)
			continue
		}
		break
	}
	if len(num) > 0 {
		// "une dizaine", "une quinzaine de salariés": an approximate
		// count, not a headcount.
		if len(num) < len(words) && isApproxCount(strings.Trim(words[len(num)], ",.;()")) {
			return 0, false
		}
		return parseFrenchNumber(strings.Join(num, " "))
	}
	return 0, false
}

// reHeadcountTotal finds the total after a breakdown ("…, soit 3"), after
// one of headcountTotalWords.
var (
	headcountTotalWords = []string{"soit", "au total", "en tout"}
	reHeadcountTotal    = lazy(`(?i)\b(?:` + strings.Join(headcountTotalWords, "|") + `)\s*:?\s*(\d{1,5}|` + numberWords + `)\b`)
)

// headcountTotals is reHeadcountTotal.FindAllStringSubmatchIndex(v, 4).
// TestHeadcountTotalsAsPattern holds it to the pattern.
func headcountTotals(v string) [][]int {
	if !mayHoldTotal(v) {
		return nil
	}
	return reHeadcountTotal.FindAllStringSubmatchIndex(v, 4)
}

// mayHoldTotal reports whether v holds one of headcountTotalWords in any
// ASCII case, or the long s that (?i) reads as s: reHeadcountTotal, which
// tries its words at every byte, runs only then, and most values ("12
// salariés") hold none.
func mayHoldTotal(v string) bool {
	for _, w := range headcountTotalWords {
		if indexFold(v, w) >= 0 {
			return true
		}
	}
	return strings.Contains(v, "\u017f")
}

// isFTE reports that what follows a number makes it a decimal or a count
// of full-time equivalents ("11,5 ETP", "8 équivalents temps plein").
func isFTE(rest string) bool {
	if len(rest) > 1 && (rest[0] == ',' || rest[0] == '.') && rest[1] >= '0' && rest[1] <= '9' {
		return true
	}
	rest = applicant.Fold(strings.TrimSpace(rest))
	return strings.HasPrefix(rest, "etp") || strings.HasPrefix(rest, "equivalent")
}

// dropAsides removes the parenthesised parts of s ("6 (moi compris)" ->
// "6 "); an unclosed parenthesis runs to the end.
func dropAsides(s string) string {
	if strings.IndexByte(s, '(') < 0 {
		return s
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '(':
			depth++
		case s[i] == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// isApproxCount reports the French nouns of approximate quantity
// ("dizaine", "quinzaine", "vingtaine", "centaine"), singular or plural.
func isApproxCount(w string) bool {
	w = strings.TrimSuffix(applicant.Fold(w), "s")
	switch w {
	case "dizaine", "douzaine", "quinzaine", "vingtaine", "trentaine", "quarantaine", "cinquantaine",
		"soixantaine", "centaine", "huitaine", "neuvaine":
		return true
	}
	return false
}

// headcountMatches is reHeadcount.FindAllStringSubmatchIndex(flat, -1),
// found faster: the unit words ("salariés", "ETP"…) are searched first,
// and the count is looked for only just before each of them, instead of
// trying French number words at every position of the text.
func headcountMatches(ft caseless) [][]int {
	flat := ft.text
	var out [][]int
	for _, u := range headcountUnits(ft) {
		from := max(0, u[0]-80)
		for from > 0 && !utf8.RuneStart(flat[from]) {
			from--
		}
		// The count and its spaces hold only the bytes of digits, number
		// words and spaces: the pattern, which ends at the window's end
		// and looks at nothing before its match, runs on the end of the
		// window made of those bytes, not on all its words.
		for k, in := u[0], headcountBeforeBytes(); k > from; k-- {
			if !in[flat[k-1]] {
				from = k
				break
			}
		}
		if !mayEndCount(flat[from:u[0]]) {
			continue
		}
		if m := reHeadcountBefore.FindStringSubmatchIndex(flat[from:u[0]]); m != nil {
			if len(out) > 0 && from+m[2] < out[len(out)-1][1] {
				continue // overlaps the previous match, as FindAll would not return
			}
			out = append(out, []int{from + m[0], u[1], from + m[2], from + m[3]})
		}
	}
	return out
}

// mayEndCount reports whether reHeadcountBefore may match w, told from
// how w ends: its count ends at the spaces that end w, with a digit, a
// number word, or a separator of number words ("-", "et"). Setting up the
// regexp costs more than the few bytes it reads, for each unit word of
// the text, and few of them follow a count. A text beyond ASCII may hold
// the long s that (?i) reads as s: the regexp decides.
func mayEndCount(w string) bool {
	a := strings.TrimRight(w, " \t\n\f\r")
	if a == "" || len(a) == len(w) {
		return false
	}
	last := a[len(a)-1]
	if last >= '0' && last <= '9' || last == '-' || !isASCII(w) {
		return true
	}
	for _, n := range numberWordEnds() {
		if len(a) >= len(n) && strings.EqualFold(a[len(a)-len(n):], n) {
			return true
		}
	}
	return false
}

// numberWordEnds are the number words of numberWord, and "et", which
// joins them: what a count in words ends with, lower-case.
var numberWordEnds = sync.OnceValue(func() []string {
	re, err := syntax.Parse(numberWord, syntax.Perl)
	if err != nil {
		panic(fmt.Errorf("extract: number words: %w", err))
	}
	return append(finiteStrings(re), "et")
})

// finiteStrings returns every string re matches, for a pattern of
// literals, choices and optional parts only (a constant of the package).
func finiteStrings(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return finiteStrings(re.Sub[0])
	case syntax.OpQuest:
		return append([]string{""}, finiteStrings(re.Sub[0])...)
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, finiteStrings(sub)...)
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			var next []string
			for _, a := range out {
				for _, b := range finiteStrings(sub) {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out
	case syntax.OpCharClass:
		var out []string
		for k := 0; k+1 < len(re.Rune); k += 2 {
			for r := re.Rune[k]; r <= re.Rune[k+1]; r++ {
				out = append(out, string(r))
			}
		}
		return out
	}
	panic("extract: not a finite pattern: " + re.String())
}

// headcountBeforeBytes are the bytes a match of reHeadcountBefore can hold.
var headcountBeforeBytes = sync.OnceValue(func() *[256]bool { return matchBytes(reHeadcountBefore.String()) })

// headcountUnitStems are the ASCII stems every match of reHeadcountUnit
// holds, lowercase; "quivalent" starts one or two bytes after its match
// ("e" or "é"). They are key words: the text is searched for those of
// them the one pass over it for all key words found, not for them all.
var headcountUnitStems = keys("salari", "personne", "emplo", "collaborat", "etp", "quivalent", "permanent",
	"agents", "compagnons", "ouvrier", "membres", "cdi", "p.", "people", "staff")

// reHeadcountUnitAt is reHeadcountUnit anchored at the start of its input.
var reHeadcountUnitAt = lazy(`^` + reHeadcountUnit.String())

// headcountUnits is reHeadcountUnit.FindAllStringIndex(flat, -1), found
// faster: the pattern has no literal prefix, so the regexp engine steps
// through every byte of the text, where looking for the stems its words
// start with and matching only there costs a few string searches.
func headcountUnits(ft caseless) [][]int {
	flat := ft.text
	var starts []int
	for _, stem := range headcountUnitStems {
		if !ft.hasAny(keyWords{stem}) {
			continue
		}
		ft.each(stem, func(i int) {
			if stem == "quivalent" {
				starts = append(starts, max(i-1, 0), max(i-2, 0))
			} else {
				starts = append(starts, i)
			}
		})
	}
	slices.Sort(starts)
	var out [][]int
	end := 0
	for k, at := range starts {
		if at < end || (k > 0 && at == starts[k-1]) {
			continue
		}
		if loc := reHeadcountUnitAt.FindStringIndex(flat[at:]); loc != nil {
			out = append(out, []int{at, at + loc[1]})
			end = at + loc[1]
		}
	}
	return out
}

// Key words of the headcount sentences: reHeadcountStated runs only on a
// text holding one of the first, headcountWe of the second.
var (
	headcountStatedKeys = keys("effectif")
	headcountWeKeys     = keys("nous", "on ", "quipe", "cabinet")
)

// headcountFromText finds the headcount stated in a sentence, skipping
// sub-counts ("dont 9 en insertion", "dont deux apprentis").
func headcountFromText(ft caseless) (int, bool) {
	flat := ft.text
	// A sentence stating the headcount ("l'effectif au 1er décembre est
	// de 10 salariés") gives the total, over any count met before it in
	// a pasted report or an aside.
	if ft.hasAny(headcountStatedKeys) {
		for _, m := range reHeadcountStated.FindAllStringSubmatchIndex(flat, 4) {
			if isDecimalPart(flat, m[2]) || notAHeadcount(flat[m[3]:min(len(flat), m[3]+12)]) {
				continue
			}
			if n, ok := parseFrenchNumber(strings.Trim(flat[m[2]:m[3]], " -")); ok && n > 0 && n <= 50000 {
				return n, true
			}
		}
	}
	best, bestPos := 0, -1
	consider := func(numStr string, pos int) {
		if bestPos >= 0 && pos >= bestPos {
			return
		}
		// "8,4 ETP": the digits after a decimal comma count nothing.
		if isDecimalPart(flat, pos) {
			return
		}
		pre := strings.ToLower(flat[max(0, pos-14):pos])
		if strings.HasSuffix(strings.TrimSpace(pre), "dont") || strings.Contains(pre, "dont ") || strings.HasSuffix(strings.TrimSpace(pre), "+") ||
			strings.Contains(pre, "plus de ") && strings.Contains(pre, "accompagn") {
			return
		}
		numStr = strings.Trim(numStr, " -")
		n, ok := parseFrenchNumber(numStr)
		if !ok || n <= 0 || n > 50000 {
			return
		}
		// "nous sommes une TPE", "une équipe": an article, not a count.
		if ln := strings.ToLower(numStr); ln == "un" || ln == "une" {
			if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(flat[pos+len(numStr):min(len(flat), pos+len(numStr)+12)])), "personne") &&
				!strings.HasPrefix(strings.ToLower(strings.TrimSpace(flat[pos+len(numStr):min(len(flat), pos+len(numStr)+12)])), "salari") {
				return
			}
		}
		best, bestPos = n, pos
	}
	for _, m := range headcountMatches(ft) {
		// Only whole words: "12" not the end of "2012".
		if m[2] > 0 {
			r, _ := utf8.DecodeLastRuneInString(flat[:m[2]])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		// "p." must follow a digit count: "5 p." is rare; keep it digits only.
		consider(flat[m[2]:m[3]], m[2])
	}
	for _, m := range headcountOf.FindAllStringSubmatchIndex(ft) {
		if notAHeadcount(flat[m[3]:min(len(flat), m[3]+12)]) {
			continue
		}
		consider(flat[m[2]:m[3]], m[2])
	}
	if ft.hasAny(headcountWeKeys) {
		for _, m := range headcountWe.FindAllStringSubmatchIndex(ft) {
			consider(flat[m[2]:m[3]], m[2])
		}
	}
	return best, bestPos >= 0
}

// notAHeadcount reports the unit after a number that makes it something
// else: "nous sommes 12 ans", "compte 3 sites", "de 40 %".
func notAHeadcount(after string) bool {
	rest := strings.ToLower(strings.TrimSpace(after))
	for _, u := range []string{"ans", "km", "%", "€", "site", "client", "h", "000"} {
		if strings.HasPrefix(rest, u) {
			return true
		}
	}
	return false
}

// isDecimalPart reports digits at pos that follow a decimal comma or
// point ("8,4", "11.5").
func isDecimalPart(s string, pos int) bool {
	return pos >= 2 && (s[pos-1] == ',' || s[pos-1] == '.') && s[pos-2] >= '0' && s[pos-2] <= '9'
}

// reHeadcountStated is a sentence stating the headcount, with a date or
// a qualifier between the word and the verb: "l'effectif au 1er décembre
// 2026 est de 10 salariés", "notre effectif s'élève aujourd'hui à 14".
var reHeadcountStated = lazy(`(?i)\beffectif(?:\s+[^\s.;:!?]+){0,6}?\s+(?:est|sera|s['’][ée]l[èe]ve|atteint)` +
	`(?:\s+(?:aujourd['’]hui|actuellement|maintenant|donc|d[ée]sormais))?\s+(?:de\s+|d['’]|[àa]\s+)?(\d{1,5}|` + numberWords + `)\b`)

// reHeadcountWe counts the members of "nous", the team or the practice by
// their trade: "nous exerçons à cinq infirmières associées", "l'équipe
// compte trois vendeuses", "on travaille à 4 artisans".
var reHeadcountWe = lazy(`(?i)\b(?:nous\s+(?:sommes|exer[cç]ons|travaillons|comptons|regroupons)|on\s+(?:est|exerce|travaille)|l['’]\s*[ée]quipe\s+(?:compte|est\s+compos[ée]e\s+de|r[ée]unit|regroupe)|le\s+cabinet\s+(?:compte|regroupe|r[ée]unit|est\s+compos[ée]\s+de))\s+(?:à\s+|de\s+)?(\d{1,4}|` + numberWords + `)\s+` +
	`(?:infirmi(?:er|[èe]re)s|associ[ée]e?s|artisans?|ouvri(?:er|[èe]re)s|vendeu(?:r|se)s|serveu(?:r|se)s|chauffeurs|employ[ée]e?s|personnes|salari[ée]e?s|m[ée]decins|kin[ée]s(?:ith[ée]rapeutes)?|coiffeu(?:r|se)s|cuisini(?:er|[èe]re)s|techniciens|techniciennes|moniteurs|monitrices|guides|praticiens|praticiennes|compagnons|apprentis|collaborat(?:eur|rice)s|agents|permanents|professionnels|professionnelles|ma[çc]ons|menuisiers|bergers|[ée]ducat(?:eur|rice)s|aides?-soignant(?:e)?s|pharmaciens|pharmaciennes)\b`)

// roleLead is what a title (rolePattern) can start with: the patterns
// that start with one are tried only where a word can start it.
var roleLead = leadOf(`(?i:` + rolePattern + `)`)

// mayStartCompanyOf reports whether what follows a title in reRoleAtStart,
// `(?i:de\s+la|de\s+l['’]|de|d['’]|du|des)\s*` and compFirst, can start
// at t.text[j]: an article, then, after spaces, a capital (any character
// beyond ASCII may be one), or the d or l of "de la", "d'Olt", "l'Aubrac".
// Most words after a title that start with "de" or "du" are no article
// ("devons", "durable").
func mayStartCompanyOf(t caseless, j int) bool {
	lower := t.lower
	if strings.HasPrefix(lower[j:], "d'") || strings.HasPrefix(lower[j:], "d’") {
		return true
	}
	if !strings.HasPrefix(lower[j:], "de") && !strings.HasPrefix(lower[j:], "du") {
		return false
	}
	capitalAfter := func(k int) bool {
		for k < len(lower) && isRegexpSpace(lower[k]) {
			k++
		}
		if k == len(lower) {
			return false
		}
		c := t.text[k]
		return c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' || lower[k] == 'd' || lower[k] == 'l'
	}
	return capitalAfter(j+2) || lower[j+1] == 'e' && j+2 < len(lower) && lower[j+2] == 's' && capitalAfter(j+3)
}

// isRoleOnly is reRoleOnly.MatchString: the text is a title and nothing
// else. Most signature lines start with no title word, told so by the
// lead at a fraction of the pattern's cost. TestIsRoleOnlyAsPattern
// holds it to the pattern.
func isRoleOnly(s string) bool { return roleLead().mayStart(s) && reRoleOnly.MatchString(s) }

// The sentence patterns above, looked for only where they can start.
var (
	headcountOf = newStemmed(reHeadcountOf, "effectif", "nous sommes", "on est", "we employ", "we are",
		"nous employons", "j'emploie", "j’emploie", "emploie", "compt")
	headcountWe  = newStemmed(reHeadcountWe, "nous", "on", "l'", "l’", "le")
	roleSentence = newStemmed(reRoleSentence, "je suis", "j'en suis", "j’en suis", "suis", "en tant que",
		"en qualit", "moi-m", "as its", "i am")
	dirige            = newStemmed(reDirige, "je dirige", "nous dirigeons", "je g", "j'ai", "j’ai", "je co-dirige", "je codirige")
	ourCompany        = newStemmedThen(reOurCompany, `(?i:`+ourCompanyNoun+`)`, "notre", "mon", "ma", "l'", "l’", "la", "le", "my", "our")
	roleAtStart       = newAtBreaks(reRoleAtStart, ".!?,\n", roleLead, mayStartCompanyOf)
	installedAt       = newStemmed(reInstalledAt, "bas", "install", "implant", "etabli", "établi", "Établi", "domicili", "si")
	ownCompanyAtStems = newStemmedThen(reOwnCompanyAt, `(?i:`+ownBusinessNoun+`)`, "mon", "ma", "notre")
)

// Key words of the company sentences: each pattern runs only when one of
// its words is there.
var (
	// Whole phrases: "qualité" and "tant que" alone are in most RSE
	// mails, and the search for the stems costs as much as the pattern.
	roleSentenceKeys    = keys("suis", "en tant que", "en qualit", "moi-m", "as its", "i am")
	dirigeKeys          = keys("dirige", "j'ai", "j’ai", "je g")
	companyNamedKeys    = keys("appel", "nomm", "pour nom", "porte le nom", "intitul")
	companyOfPapersKeys = keys("siret", "siren", "bis")
)

// roleAndCompanyFromText reads "je suis gérante de la SARL X", "je dirige
// la Scierie X", "notre entreprise, X, …" and "la SAS X"; the company
// only when withCompany.
func roleAndCompanyFromText(ft caseless, withCompany bool) (role, company string) {
	flat := ft.text
	// Each pattern runs only when its key words are there: the patterns
	// are large and the text may be long.
	var loc []int
	if ft.hasAny(roleSentenceKeys) {
		loc = roleSentence.FindStringSubmatchIndex(ft)
	}
	if loc == nil {
		// A title opening a sentence is read only in a text with a title
		// word in it; the pattern, tried where a sentence starts with a
		// title, is cheaper than the search for those words, and goes
		// first.
		if l := roleAtStart.FindStringSubmatchIndex(ft); l != nil && startsWithRoleWord(flat) {
			loc = l
		}
	}
	if loc != nil {
		end := loc[3]
		if r, _ := utf8.DecodeRuneInString(flat[end:]); !unicode.IsLetter(r) {
			role = cleanRole(flat[loc[2]:loc[3]])
			if withCompany {
				if m := reCompanyAfterRole.FindStringSubmatch(flat[end:]); m != nil {
					company = companyWithArticle(m[1], m[2])
				}
			}
		}
	}
	if !withCompany {
		return role, ""
	}
	if company == "" && ft.hasAny(dirigeKeys) {
		if m := dirige.FindStringSubmatch(ft); m != nil {
			company = companyWithArticle(m[1], m[2])
		}
	}
	if company == "" && ft.hasAny(companyNamedKeys) {
		if m := reCompanyNamed.FindStringSubmatch(flat); m != nil {
			company = cleanCompany(m[1])
		}
	}
	if company == "" {
		if m := ourCompany.FindStringSubmatch(ft); m != nil {
			company = cleanCompany(m[1])
		}
	}
	// strings.ContainsAny would decode every rune of the text.
	if company == "" && (strings.IndexByte(flat, '"') >= 0 || strings.Contains(flat, "«") || strings.Contains(flat, "“")) {
		// "le gérant de la pizzeria "Le Four à Bois"": a quoted name after
		// the noun of its trade.
		if name, ok := quotedTradeName(flat); ok && !strongPerson(name) {
			company = cleanCompany(name)
		}
	}
	if company == "" && ft.hasAny(companyOfPapersKeys) {
		for _, m := range reCompanyOfPapers.FindAllStringSubmatch(flat, 4) {
			name := cutSentenceEnd(m[1])
			if !strongPerson(name) {
				company = companyWithArticle(articleBefore(m[0], m[1]), name)
				break
			}
		}
	}
	// "co-gérante du GAEC": a legal form alone is no name; the name is
	// where the author writes it in full ("GAEC de la Boria Nauta").
	if isLegalFormToken(company) {
		company = ""
	}
	if company == "" && ft.hasAny(legalFormKeys) && hasLegalForm(flat) {
		if m := reLegalForm.FindString(flat); m != "" {
			company = cleanCompany(m)
		}
	}
	if company == "" && hasCommaPostalCode(flat) {
		// "Boulangerie Chabrol, 48230 Chanac."
		if m := reCompanyBeforeAddress.FindStringSubmatch(flat); m != nil && !strongPerson(m[1]) {
			company = cleanCompany(m[1])
		}
	}
	return role, company
}

// roleCompanyLine finds a line of the author's own text that is only a
// title and a company ("Gérant de l'Auberge des Genêts"), as signatures
// put it under the name even before the closing formula.
func roleCompanyLine(lines []string, isLabel []bool) (role, company string) {
	for i, l := range lines {
		if i >= 400 {
			break // a signature is never that far down
		}
		// A line too short, or that starts with a lower-case letter or a
		// digit (most of a paragraph's), is told so before it is trimmed.
		if isLabel[i] || len(l) < 8 {
			continue
		}
		if c := l[0]; 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			continue
		}
		t := strings.TrimSpace(l)
		if len(t) < 8 || len(t) > 80 || !startsUpper(t) {
			continue
		}
		if !roleLead().mayStart(t) {
			continue // no title at its start, for reRoleLine
		}
		loc := reRoleLine.FindStringSubmatchIndex(t)
		if loc == nil {
			continue
		}
		m := reCompanyAfterRole.FindStringSubmatch(t[loc[3]:])
		// The company must be the whole rest of the line: a sentence
		// ("Gérante de la SARL X depuis 2015, je …") is read elsewhere.
		if m == nil || len(strings.TrimSpace(t[loc[3]:])) != len(strings.TrimSpace(m[0])) {
			continue
		}
		return cleanRole(t[loc[2]:loc[3]]), companyWithArticle(m[1], m[2])
	}
	return "", ""
}

// tradeWords are the trade nouns French small businesses are named with,
// before or after the owner's name (folded).
var tradeWords = map[string]bool{
	"garage": true, "plomberie": true, "menuiserie": true, "boulangerie": true, "patisserie": true,
	"boucherie": true, "charcuterie": true, "transports": true, "transport": true, "taxi": true, "taxis": true,
	"ambulances": true, "maconnerie": true, "charpente": true, "couverture": true, "electricite": true,
	"scierie": true, "ferme": true, "domaine": true, "cabinet": true, "atelier": true, "ateliers": true,
	"ets": true, "etablissements": true, "entreprise": true, "pharmacie": true, "epicerie": true,
	"carrosserie": true, "peinture": true, "paysages": true, "paysage": true, "fromagerie": true,
	"brasserie": true, "auberge": true, "camping": true, "gites": true, "traiteur": true, "distillerie": true,
	"elevage": true, "chauffage": true, "coiffure": true, "librairie": true, "imprimerie": true,
	"ebenisterie": true, "serrurerie": true, "terrassement": true, "terrassements": true, "agence": true,
	"pressing": true, "fleurs": true, "optique": true, "miellerie": true, "vergers": true, "jardins": true,
}

// tradeNamedAfter finds "<trade> <last name>" or "<last name> <trade>" in
// the text and returns it as written.
func tradeNamedAfter(ft caseless, last string) string {
	flat := ft.text
	ln := applicant.Fold(last)
	if len(ln) < 3 || strings.Contains(ln, " ") || !ft.has(ascii(ln)) {
		return ""
	}
	// The company is named early: the first 8 KB are enough, and bound
	// the cost on a hostile text.
	words := strings.Fields(head(flat, 8<<10))
	for i := 0; i+1 < len(words); i++ {
		a := strings.Trim(words[i], ",.;:!?()«»\"")
		b := strings.Trim(words[i+1], ",.;:!?()«»\"")
		fa, fb := applicant.Fold(a), applicant.Fold(b)
		if tradeWords[fa] && fb == ln || fa == ln && tradeWords[fb] {
			// Not across a sentence end: "… chez Dupuis. Garage …".
			if strings.ContainsAny(words[i], ".;!?") {
				continue
			}
			return a + " " + b
		}
	}
	return ""
}

// ascii returns the ASCII prefix of a folded word, enough for a cheap
// pre-test.
func ascii(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return s[:i]
		}
	}
	return s
}

// knownCommuneAround finds a commune of the table written next to a postal
// code ("a marvejols 48100", "48130 peyre en aubrac"), in any case, and
// returns the code and the usual spelling. When pc is set, only that code
// is considered.
func knownCommuneAround(text, pc string) (string, string) {
	// At most 12 candidate codes: an address is given once or twice, and
	// each candidate costs a dozen table look-ups.
	tried := 0
	for i := 0; i+5 <= len(text) && tried < 12; i++ {
		if text[i] < '0' || text[i] > '9' || !fiveDigitsAt(text, i) {
			continue
		}
		tried++
		code := text[i : i+5]
		// Not the tail of a grouped number ("676 00017").
		if i >= 2 && text[i-1] == ' ' && text[i-2] >= '0' && text[i-2] <= '9' || applicant.DepartementOf(code) == "" || pc != "" && code != pc {
			i += 4
			continue
		}
		after := strings.Fields(text[i+5 : min(len(text), i+5+80)])
		for n := min(len(after), 6); n >= 1; n-- {
			if c, ok := lookupCommune(strings.Trim(strings.Join(after[:n], " "), ",.;:()")); ok && len(c) >= 4 {
				return code, c
			}
		}
		before := strings.Fields(text[max(0, i-80):i])
		if len(before) > 0 && i-80 > 0 {
			before = before[1:] // the first word may be cut
		}
		for n := min(len(before), 6); n >= 1; n-- {
			if c, ok := lookupCommune(strings.Trim(strings.Join(before[len(before)-n:], " "), ",.;:()")); ok && len(c) >= 4 {
				return code, c
			}
		}
		i += 4
	}
	return "", ""
}

// companyWithArticle restores the article a French contraction absorbed:
// "co-fondatrice des Jardins de la Margeride" -> "Les Jardins de la
// Margeride". Trade names that are plural nouns ("des Transports Martin")
// do not take it.
func companyWithArticle(art, name string) string {
	name = cleanCompany(name)
	if name == "" {
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(art)) {
	case "des", "les":
		first := applicant.Fold(strings.Fields(name)[0])
		switch first {
		case "transports", "etablissements", "ets", "entreprises", "editions", "laboratoires", "les":
			return name
		}
		if strings.HasSuffix(first, "s") || strings.HasSuffix(first, "x") {
			return "Les " + name
		}
	}
	return name
}

// cleanCompany trims a company name: trailing connectors, a legal form
// given apart in parentheses ("X (EURL)"), quotes and punctuation. Only a
// parenthesis that opens a new word is an aside: one glued to a word
// (`=HYPERLINK("http://x","y")`, "Vidal(BTP)") is part of what the
// applicant wrote, and cutting there would show coordinators half of it.
func cleanCompany(s string) string {
	s = collapseSpaces(s)
	s = cutSentenceEnd(s)
	s = strings.Trim(s, " \"«»“”'’.,;:")
	if i := strings.Index(s, " ("); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	if i := strings.Index(s, " – "); i > 0 && !strings.ContainsAny(s[:i], "&") && len(strings.Fields(s[:i])) >= 1 {
		// "Garage Castan – réparation automobile": keep the name.
		if !startsUpper(s[i+3:]) {
			s = s[:i]
		}
	}
	// Drop lower-case connector words left at the end.
	words := strings.Fields(s)
	for len(words) > 0 {
		w := strings.ToLower(words[len(words)-1])
		if w == "&" || w == "et" || w == "de" || w == "du" || w == "des" || w == "la" || w == "le" || w == "les" || w == "en" || w == "sur" || w == "d'" || w == "l'" || w == "aux" || w == "au" {
			words = words[:len(words)-1]
			continue
		}
		break
	}
	// "Hôtel des Cévennes au Pont-de-Montvert": where the company is, not
	// its name.
	for i := 1; i < len(words)-1; i++ {
		if w := strings.ToLower(words[i]); w == "au" || w == "aux" || w == "à" {
			if _, ok := lookupCommune(normCommune(strings.Join(words[i+1:], " "), w)); ok {
				words = words[:i]
				break
			}
		}
	}
	if len(words) > 8 {
		words = words[:8]
	}
	return strings.Join(words, " ")
}

// cleanRole trims a title as written.
func cleanRole(s string) string {
	s = trimValue(s)
	if i := strings.IndexAny(s, "(,"); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// labelledRole reads the value of a title field. A trade followed by a
// title ("artisan ébéniste, dirigeant") is kept whole; a status field
// ("Statut : micro-entreprise, gérante") only gives the title it names.
func labelledRole(v string, status bool) string {
	v = trimValue(v)
	if i := strings.IndexByte(v, '('); i > 0 {
		v = strings.TrimSpace(v[:i])
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if !reRoleStart.MatchString(parts[0]) {
		if !status {
			return cleanRole(v)
		}
		for _, p := range parts[1:] {
			if isRoleOnly(p) {
				return p
			}
		}
		return ""
	}
	n := 1
	for n < len(parts) && isRoleOnly(parts[n]) {
		n++
	}
	return strings.Join(parts[:n], ", ")
}

// signatureStart returns the index of the first signature line: after the
// last closing formula, or the last short paragraph when there is none.
func signatureStart(lines []string) int {
	n := len(lines)
	for i := n - 1; i >= 0 && i >= n-20; i-- {
		if isClosing(lines[i]) {
			return i + 1
		}
	}
	// No closing: the last paragraph, when it is a short block of lines.
	end := n
	for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	start := end
	for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
		start--
	}
	if end-start <= 6 {
		long := false
		for _, l := range lines[start:end] {
			if len(strings.TrimSpace(l)) > 60 {
				long = true
			}
		}
		if !long {
			return start
		}
	}
	// A signature glued to the text, with neither a closing nor a blank
	// line ("… comme demandé.\nClaire Vidal\nGérante – Vidal Bois"): the
	// short lines at the end, from a person's name on.
	sig := n
	for i := end - 1; i > start && i >= end-6; i-- {
		t := strings.TrimSpace(lines[i])
		if len(t) > 60 {
			break
		}
		if looksLikePerson(t) {
			sig = i
		}
	}
	return sig
}

// signatureCompany holds company names found in a signature: titled comes
// from "Gérant – X" lines, plain from a bare line under the name.
type signatureCompany struct{ titled, plain string }

// roleAndCompanyFromSignature reads signature lines such as "Gérant –
// Scierie Pradal & Fils", "Directrice générale" and a company line.
func roleAndCompanyFromSignature(sig []string, isLabel []bool, name string) (role string, c signatureCompany) {
	seenPerson := false
	for i, l := range sig {
		t := strings.TrimSpace(l)
		if t == "" || isLabel[i] {
			continue
		}
		if isTrimmedClosing(t) {
			continue
		}
		// "Gérant – Jourdan Paysage", "Co-fondatrice, Les Jardins…".
		if r, comp, ok := splitRoleCompany(t); ok {
			if role == "" {
				role = r
			}
			if c.titled == "" && comp != "" {
				c.titled = comp
			}
			continue
		}
		if isRoleOnly(t) {
			if role == "" {
				role = t
			}
			continue
		}
		if looksLikePerson(t) && (!seenPerson || strongPerson(t)) {
			seenPerson = true
			continue
		}
		// "Pharmacienne, co-gérante": a trade and a title, no company.
		if k := strings.LastIndex(t, ", "); k > 0 && isRoleOnly(strings.TrimSpace(t[k+2:])) &&
			isTradeNoun(strings.TrimSpace(t[:k])) {
			if role == "" {
				role = strings.TrimSpace(t[k+2:])
			}
			continue
		}
		// The tagline goes before the line is judged: "SÉGURET ÉLEC –
		// Électricité générale · Domotique" is long only for its slogan.
		if n := cutTagline(t); seenPerson && c.plain == "" && isCompanyLine(n) {
			c.plain = cleanCompany(n)
		}
	}
	return role, c
}

// reTradeNoun is one word of a trade: pharmacienne, céramiste, vétérinaire,
// menuisier, boulangère.
var reTradeNoun = lazy(`^[a-zàâçéèêëîïôûù]{2,}(?:er|aire|ier|i[èe]re|iste|eur|euse|ien|ienne|on|onne|[èe]re)$`)

// isTradeNoun reports a single word naming a trade, whatever its case.
func isTradeNoun(s string) bool {
	return !strings.Contains(s, " ") && reTradeNoun.MatchString(strings.ToLower(s))
}

// cutTagline keeps the name of a signature's company line, dropping a
// slogan or a place after a spaced dash or bar: "Biscuiterie X – Biscuits
// artisanaux", "Pharmacie Y | Langogne".
func cutTagline(t string) string {
	for _, sep := range []string{" – ", " — ", " | ", " - "} {
		if k := strings.Index(t, sep); k > 0 {
			t = t[:k]
		}
	}
	return strings.TrimSpace(t)
}

// splitRoleCompany splits a signature line "Title – Company" (or with a
// comma, hyphen, bar, slash or "chez").
func splitRoleCompany(t string) (role, company string, ok bool) {
	for _, sep := range []string{" – ", " - ", " — ", ", ", " | ", " / ", " chez "} {
		k := strings.Index(t, sep)
		if k <= 0 {
			continue
		}
		left, right := strings.TrimSpace(t[:k]), strings.TrimSpace(t[k+len(sep):])
		if !isRoleOnly(left) || right == "" {
			continue
		}
		if startsUpper(right) && !strings.ContainsAny(right, "@:") {
			company = cleanCompany(right)
		}
		return left, company, true
	}
	return "", "", false
}

// notCompanyLineWords open an address or a phone, a mail client's
// footer: a line that starts with one, or holds one after a space, is no
// company name.
var notCompanyLineWords = []string{"rue ", "avenue", "chemin", "route ", "place ", "boulevard", "impasse", "allee", "lieu-dit", "zone ", "za ", "zi ", "bp ", "cedex", "envoye de", "sent from", "tel", "portable", "mobile"}

// notCompanyLineSpaced are notCompanyLineWords after a space, made once,
// not at each of the signature's lines.
var notCompanyLineSpaced = func() []string {
	out := make([]string, len(notCompanyLineWords))
	for i, w := range notCompanyLineWords {
		out[i] = " " + w
	}
	return out
}()

// isCompanyLine reports whether a signature line can be a company name:
// capitalised words, no address, phone, e-mail or web address.
func isCompanyLine(t string) bool {
	if !startsUpper(t) || len(t) > 60 || strings.ContainsAny(t, "@:0123456789") || strings.Contains(t, "www") || strings.Contains(t, "http") {
		return false
	}
	f := applicant.Fold(t)
	for i, w := range notCompanyLineWords {
		if strings.HasPrefix(f, w) || strings.Contains(f, notCompanyLineSpaced[i]) {
			return false
		}
	}
	words := strings.Fields(t)
	if len(words) > 7 {
		return false
	}
	return true
}

// signatureName finds a person's name on a line of the signature, preferring
// one that shares a word with the sender's address.
func signatureName(sig []string, isLabel []bool, email string) string {
	local := applicant.Fold(email)
	if k := strings.IndexByte(local, '@'); k >= 0 {
		local = local[:k]
	}
	var firstFound string
	for i, l := range sig {
		if isLabel[i] {
			continue
		}
		t := strings.TrimSpace(l)
		if !looksLikePerson(t) {
			continue
		}
		for _, w := range nameTokens(t) {
			fw := applicant.Fold(w)
			if len(fw) > 2 && local != "" && strings.Contains(local, fw) {
				return t
			}
		}
		if firstFound == "" {
			firstFound = t
		}
	}
	return firstFound
}

// personFromDisplayName returns the person part of a From display name
// ("Marie Dupont", "DUPONT Marie", "Marie Dupont - Garage X"), or "".
func personFromDisplayName(n string) string {
	n = collapseSpaces(strings.Trim(n, "\"' "))
	if n == "" || strings.Contains(n, "@") {
		return ""
	}
	// "Famille Malige", "Les Dupont": a household's shared address names
	// no one in particular.
	if householdName(n) != "" {
		return ""
	}
	for _, sep := range []string{" - ", " – ", " | ", " / ", " (", ", "} {
		if k := strings.Index(n, sep); k > 0 {
			if left := strings.TrimSpace(n[:k]); looksLikePerson(left) {
				return left
			}
			if sep != " (" {
				if right := strings.TrimSpace(strings.TrimRight(n[k+len(sep):], ")")); looksLikePerson(right) {
					return right
				}
			}
		}
	}
	if looksLikePerson(n) {
		return n
	}
	// A display name typed all in lower case ("thierry dupuis") is a
	// person when it holds a known first name and no company word.
	if isAllLower(n) && !strings.ContainsAny(n, ".,") {
		if c := capName(n); looksLikePerson(c) {
			for _, t := range nameTokens(c) {
				if commonFirstNames()[applicant.Fold(t)] {
					return c
				}
			}
		}
	}
	return ""
}

// pickPhone chooses the author's own number among those in text: not a
// SIRET fragment, not introduced as someone else's (an associate, an
// advisor, "contacter Sylvie au …"), preferring one introduced as theirs.
func pickPhone(text, siret string) string {
	var fallback, switchboard string
	for _, p := range findPhones(text) {
		national := "0" + strings.TrimPrefix(p.e164, "+33")
		if siret != "" && strings.Contains(siret, national[1:]) {
			continue
		}
		// The context: the same line and the one before, up to 80 bytes.
		ctxStart := max(0, p.start-80)
		ctx := text[ctxStart:p.start]
		if k := strings.LastIndex(ctx, "\n\n"); k >= 0 {
			ctx = ctx[k+2:]
		}
		// Only the current sentence matters for "someone else's" cues:
		// cut at the last line break or sentence end ("Tél. :" is not one).
		sentence := ctx
		for k := len(sentence) - 2; k >= 0; k-- {
			c := sentence[k]
			if c == '\n' {
				sentence = sentence[k+1:]
				break
			}
			if (c == '.' || c == '!' || c == '?') && (sentence[k+1] == ' ' || sentence[k+1] == '\n') {
				low := strings.ToLower(sentence[:k])
				if !strings.HasSuffix(low, "tél") && !strings.HasSuffix(low, "tel") && !strings.HasSuffix(low, "port") {
					sentence = sentence[k+1:]
					break
				}
			}
		}
		if reOtherPersonPhone.MatchString(sentence) {
			// The company switchboard in the author's own signature is
			// their number when they give no other.
			if switchboard == "" && reSwitchboard.MatchString(sentence) && !reOtherPersonPhone.MatchString(reSwitchboard.ReplaceAllString(sentence, "")) {
				switchboard = p.e164
			}
			continue
		}
		if reOwnPhone.MatchString(ctx) {
			return p.e164
		}
		if fallback == "" {
			fallback = p.e164
		}
	}
	return firstNonEmpty(fallback, switchboard)
}

// reSwitchboard marks a company switchboard ("Standard :").
var reSwitchboard = lazy(`(?i)\bstandard\b`)

// codeAndCommune reads "48000 Mende", "12100 Millau", "Mende (48000)" or
// "12 route de Génolhac, 48800 Villefort" from a value.
func codeAndCommune(v string) (pc, commune string) {
	if m := codeThenCommune(v); m != nil && applicant.DepartementOf(m[1]) != "" {
		return m[1], normCommune(stripCedex(m[2]), "")
	}
	if m := reCommuneThenCode.FindStringSubmatch(v); m != nil && applicant.DepartementOf(m[3]) != "" {
		return m[3], normCommune(m[2], m[1])
	}
	// Upper-case addresses: "48000 MENDE" is matched above; a code alone.
	return "", ""
}

// codeThenCommune is reCodeThenCommune.FindStringSubmatch(v), the pattern
// run from the character before the first run of five digits or more: no
// match starts before it (its five digits start a run, after the start or
// that character), and the pattern's ^ fails there (no digit follows it),
// as in v. An address starts with its street number, and the pattern,
// tried at every character before the code, cost most of reading it.
// TestCodeThenCommuneAsPattern holds it to the pattern.
func codeThenCommune(v string) []string {
	for i := 0; i < len(v); i++ {
		j := i
		for j < len(v) && '0' <= v[j] && v[j] <= '9' {
			j++
		}
		if j-i < 5 {
			i = j
			continue
		}
		if i > 0 {
			_, w := utf8.DecodeLastRuneInString(v[:i])
			i -= w
		}
		return reCodeThenCommune.FindStringSubmatch(v[i:])
	}
	return nil
}

func stripCedex(s string) string {
	f := applicant.Fold(s)
	if k := strings.Index(f, " cedex"); k > 0 {
		return s[:k]
	}
	return s
}

// installedAtKeys: reInstalledAt runs only on a text holding one of them.
var installedAtKeys = keys("bas", "install", "situ", "implant", "tabli", "domicili", "ge ")

// placeFromText finds the postal code and commune in sentences ("à Florac
// (48400)") or on an address line of the text or signature ("48000 MENDE").
func placeFromText(ft caseless, lines []string, isLabel []bool) (pc, commune string) {
	flat := ft.text
	if hasParenPostalCode(flat) {
		if pc, c := placeInSentences(flat); pc != "" {
			return pc, c
		}
	}
	for i, l := range lines {
		if isLabel[i] || !hasFiveDigits(l) {
			continue
		}
		for _, m := range reCodeThenCommune.FindAllStringSubmatchIndex(l, -1) {
			code := l[m[2]:m[3]]
			// A postal code is not the end of a grouped number ("676 00017").
			if m[2] >= 2 && l[m[2]-1] == ' ' && l[m[2]-2] >= '0' && l[m[2]-2] <= '9' {
				continue
			}
			if applicant.DepartementOf(code) == "" {
				continue
			}
			return code, normCommune(stripCedex(l[m[4]:m[5]]), "")
		}
	}
	if !ft.hasAny(installedAtKeys) {
		return "", ""
	}
	if m := installedAt.FindStringSubmatch(ft); m != nil {
		return "", normCommune(m[2], m[1])
	}
	return "", ""
}

// ownCompanyAtKeys: ownCompanyAt reads a text holding one of them.
var ownCompanyAtKeys = keys(" à ", " au ", " aux ")

// ownCompanyAt reads the commune of "ma SARL à Mende", "notre entreprise à
// Langogne" when no postal code is given: the author's own business and
// where it is.
func ownCompanyAt(ft caseless) string {
	flat := ft.text
	// The key words, found with the others, in any ASCII case, hold what
	// is looked for next, as written.
	if !ft.hasAny(ownCompanyAtKeys) ||
		!strings.Contains(flat, " à ") && !strings.Contains(flat, " au ") && !strings.Contains(flat, " aux ") {
		return ""
	}
	if m := ownCompanyAtStems.FindStringSubmatch(ft); m != nil {
		return normCommune(m[2], m[1])
	}
	return ""
}

// motivationCues are the words of a paragraph that says why (folded),
// found in one pass over it.
var motivationCues = sync.OnceValue(func() *phraseMatcher {
	return newPhraseMatcher([]string{"souhait", "voudrai", "motiv", "rse", "demarche", "envie", "objectif", "ameliorer", "reduire"})
})

// motivationFromText returns the author's own words: the paragraphs of the
// body that are not greetings, labelled fields, closings or signature,
// one space apart. flat is the reading's flat text of the same lines (see flatten): a
// paragraph's lines joined with spaces are written there already, so the
// paragraphs are cut from it rather than joined again.
func motivationFromText(lines []string, isLabel []bool, flat string) string {
	var paras []string
	start, end := -1, 0 // the paragraph being read, in flat
	flush := func() {
		if start >= 0 {
			paras = append(paras, flat[start:end])
			start = -1
		}
	}
	for i, at := 0, 0; i < len(lines); i++ {
		t := trimSpace(lines[i]) // as flatten trims them
		if t == "" || isLabel[i] {
			flush()
			at++ // flatten's paragraph break
			continue
		}
		lineAt := at
		at += len(t) + 1
		if isTrimmedClosing(t) {
			break
		}
		if start < 0 && len(t) < 40 {
			if f := applicant.Fold(t); strings.HasPrefix(f, "bonjour") || strings.HasPrefix(f, "madame") ||
				strings.HasPrefix(f, "monsieur") || strings.HasPrefix(f, "cher") || strings.HasPrefix(f, "bonsoir") {
				continue
			}
		}
		if start < 0 {
			start = lineAt
		}
		end = lineAt + len(t)
	}
	flush()
	// Prefer the paragraphs that say why; else the longest.
	var keep []string
	kept := 0 // runes of keep once joined and collapsed, as the caller will
	// The last paragraph kept is counted when a paragraph follows it: the
	// count only says whether to read on, and the last of them is most
	// often the last paragraph.
	counted := true
	for _, p := range paras {
		if !counted {
			// Counted no further than past what is left of the bound:
			// past it, the count only has to be too many.
			kept += collapsedRunes(keep[len(keep)-1], maxMotivation-kept) + 1
			counted = true
		}
		if kept > maxMotivation {
			// The caller keeps the first maxMotivation runes: the
			// paragraphs after them change nothing.
			break
		}
		if len(p) < 60 {
			continue
		}
		if motivationCues().holdsFolded(p) {
			keep = append(keep, p)
			counted = false
		}
	}
	if len(keep) == 0 {
		longest := ""
		for _, p := range paras {
			if len(p) > len(longest) {
				longest = p
			}
		}
		if len(longest) >= 40 {
			keep = []string{longest}
		}
	}
	// One space apart, as the caller's collapseSpacesPast puts them: a
	// blank line between them made it copy the whole text once more.
	return strings.Join(keep, " ")
}

func stripDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, s)
}

func stripParens(s string) string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		return s[:i]
	}
	return s
}

func strongOnly(n string) string {
	if strongPerson(n) {
		return n
	}
	return ""
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		// No more runes than bytes, and a byte that is no UTF-8 is one
		// rune: most evidence lines are shorter than their bound.
		return s
	}
	// The cut is found by walking n runes, not by converting all of s:
	// the motivation and every evidence line come through here.
	i, k := 0, 0 // bytes and runes passed
	for k < n && i < len(s) {
		if i+8 <= len(s) {
			// The ASCII bytes that start the next eight are as many runes:
			// passed at once, up to the first byte beyond ASCII (French
			// text has an accent every few words), which is decoded.
			a := min(bits.TrailingZeros64(applicant.Load64(s[i:i+8])&highs)/8, n-k)
			i += a
			if k += a; a == 8 || k == n {
				continue
			}
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			// A byte that is no UTF-8 becomes U+FFFD in the cut text.
			if utf8.RuneCountInString(s) <= n {
				return s
			}
			return string([]rune(s)[:n]) + "…"
		}
		i += w
		k++
	}
	if i == len(s) {
		return s
	}
	return s[:i] + "…"
}

// legalFormWords are the legal forms hasLegalForm looks for, and
// legalFormKeys the same as key words, in any case: a text without these
// holds none of those.
var (
	legalFormWords = []string{"SARL", "SAS", "EURL", "SCOP", "SCIC", "GAEC", "SELARL", "EARL", "SCEA", "SNC", "SCI", "SA "}
	legalFormKeys  = func() keyWords {
		k := make([]string, len(legalFormWords))
		for i, f := range legalFormWords {
			k[i] = strings.ToLower(f)
		}
		return keys(k...)
	}()
)

// hasLegalForm reports whether an upper-case legal form occurs in s, before
// the legal-form pattern is run.
func hasLegalForm(s string) bool {
	for _, f := range legalFormWords {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// fiveDigitsAt reports whether s[i:] starts with exactly five digits.
func fiveDigitsAt(s string, i int) bool {
	if i+5 > len(s) || (i > 0 && s[i-1] >= '0' && s[i-1] <= '9') {
		return false
	}
	for k := i; k < i+5; k++ {
		if s[k] < '0' || s[k] > '9' {
			return false
		}
	}
	return i+5 == len(s) || s[i+5] < '0' || s[i+5] > '9'
}

func hasFiveDigits(s string) bool {
	for i := 0; i+5 <= len(s); {
		// Five digits from any of i…i+4 hold s[i+4]: when it is no digit,
		// none starts there, and the search goes on after it.
		if s[i+4] < '0' || s[i+4] > '9' {
			i += 5
			continue
		}
		if s[i] >= '0' && s[i] <= '9' && fiveDigitsAt(s, i) {
			return true
		}
		i++
	}
	return false
}

// hasParenPostalCode reports "(48400)" in s.
func hasParenPostalCode(s string) bool {
	for i := strings.IndexByte(s, '('); i >= 0; {
		j := i + 1
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if fiveDigitsAt(s, j) {
			return true
		}
		k := strings.IndexByte(s[i+1:], '(')
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}

// hasCommaPostalCode reports five digits after a comma in s: ", 48230",
// or "X, 12 rue Y, 48000 Mende".
func hasCommaPostalCode(s string) bool {
	k := strings.IndexByte(s, ',')
	return k >= 0 && hasFiveDigits(s[k:])
}

// startsWithRoleWord tells whether a title read by reRoleAtStart counts:
// a title word somewhere in the text.
func startsWithRoleWord(s string) bool {
	for _, w := range []string{"rant", "sident", "recteur", "rectrice", "rigeant", "ondat", "ssoci", "PDG", "xploitant", "esponsable"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// articleBefore returns the contracted article ("des", "du") a match ends
// with just before name, for companyWithArticle.
func articleBefore(match, name string) string {
	f := strings.Fields(strings.TrimSuffix(match, name))
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// onBehalfKeys: reOnBehalf runs only on a text holding one of them.
var onBehalfKeys = keys("assistant", "secr", "collabora", "de la part", "pour le compte", "la demande")

// onBehalfOf reads the boss an assistant writes for: "je suis l'assistante
// de M. Jean Rouvière, gérant de …", "de la part de notre directrice, Mme
// Claire Bouquet". It returns the boss's name and title, or "".
func onBehalfOf(ft caseless) (first, last, role string) {
	flat := ft.text
	if !ft.hasAny(onBehalfKeys) {
		return "", "", ""
	}
	for _, m := range reOnBehalf.FindAllStringSubmatchIndex(flat, 4) {
		name := flat[m[4]:m[5]]
		titled := strings.HasSuffix(strings.TrimSpace(flat[m[0]:m[4]]), ".") || reTitleBefore.MatchString(flat[m[0]:m[4]])
		toks := nameTokens(name)
		switch {
		case len(toks) >= 2 && (titled || strongPerson(name)):
		case len(toks) == 1 && titled && !notPersonWords[applicant.Fold(toks[0])]:
		default:
			continue
		}
		if len(toks) == 1 {
			last = capName(toks[0])
		} else {
			first, last = splitName(name, false)
		}
		if m[2] >= 0 {
			role = cleanRole(flat[m[2]:m[3]])
		}
		// A title after the name: "M. Jean Rouvière, gérant de …".
		rest := strings.TrimLeft(flat[m[5]:], " ")
		if role == "" && strings.HasPrefix(rest, ",") {
			rest = strings.TrimLeft(rest[1:], " ")
			if l := reRoleStart.FindStringIndex(rest); l != nil {
				role = cleanRole(strings.TrimRight(rest[:l[1]], " ,.;:(\n"))
			}
		}
		return first, last, role
	}
	return "", "", ""
}

// reTitleBefore: the name just matched follows a civility title.
var reTitleBefore = lazy(`(?:M\.|Mme\.?|Mr\.?|Monsieur|Madame|Mlle\.?)\s+$`)

// cutSentenceEnd cuts a company name where a sentence ends inside it: "…
// pour l'atelier RSE. Merci de…" gives "RSE", while "Ets. Martin" and
// "S.A.R.L. Dupont" keep their abbreviations.
func cutSentenceEnd(s string) string {
	for off := 0; ; {
		k := strings.Index(s[off:], ". ")
		if k < 0 {
			return s
		}
		k += off
		w := s[strings.LastIndexByte(s[:k], ' ')+1 : k]
		if !strings.Contains(w, ".") && !abbreviations[applicant.Fold(w)] && utf8.RuneCountInString(w) >= 2 {
			return s[:k]
		}
		off = k + 2
	}
}

// abbreviations end with a dot inside a company name (folded).
var abbreviations = map[string]bool{"ets": true, "cie": true, "ste": true, "st": true, "sts": true, "fr": true, "m": true, "mme": true, "dr": true, "me": true, "bd": true, "av": true, "etab": true}

// placeCand is a postal code and commune found in the text, with where.
type placeCand struct {
	pos     int
	pc, com string
}

// ownPlaceCues announce the author's own address (folded).
var ownPlaceCues = phrases{"siege", "situe", "adresse", "installe", "base a", "basee a", "bases a", "implante", "domicilie", "nos locaux", "notre local"}

// elsewhereCues announce a place that is someone else's: clients,
// suppliers, the accountant, a distance from a town (folded).
var elsewhereCues = phrases{"client", "fournisseur", "comptable", "cabinet", "partenaire", "pres de", "proche de", "a cote de", " km ", "kilometres", "livrons", "livraison", "epiceries", "magasins de", "marches de", "banque", "notaire", "avocat"}

// placeInSentences picks the author's place among the "Commune (48400)"
// and "48370 Commune" phrases of the sentences: the first one that is not
// about someone else (clients, an accountant), one announced as the
// author's address ("siège situé …") first. Without this, a distractor
// written as "Nîmes (30000)" beat the company's "48370 Saint-Germain…"
// only because its pattern was tried first.
func placeInSentences(flat string) (string, string) {
	var cands []placeCand
	for _, m := range reCommuneThenCode.FindAllStringSubmatchIndex(flat, 8) {
		pc := flat[m[6]:m[7]]
		if applicant.DepartementOf(pc) == "" {
			continue
		}
		prep := ""
		if m[2] >= 0 {
			prep = flat[m[2]:m[3]]
		}
		cands = append(cands, placeCand{m[4], pc, normCommune(flat[m[4]:m[5]], prep)})
	}
	if len(cands) == 0 {
		return "", ""
	}
	for _, m := range reCodeThenCommune.FindAllStringSubmatchIndex(flat, 8) {
		pc := flat[m[2]:m[3]]
		if applicant.DepartementOf(pc) == "" || m[2] >= 2 && flat[m[2]-1] == ' ' && flat[m[2]-2] >= '0' && flat[m[2]-2] <= '9' {
			continue
		}
		// "(48400) Florac" belongs to the paren pattern already.
		if m[2] > 0 && flat[m[2]-1] == '(' {
			continue
		}
		cands = append(cands, placeCand{m[2], pc, normCommune(stripCedex(flat[m[4]:m[5]]), "")})
	}
	if len(cands) == 1 {
		return cands[0].pc, cands[0].com
	}
	best, bestScore := -1, -1
	for i, c := range cands {
		ctx := applicant.Fold(flat[max(0, c.pos-90):c.pos])
		if k := strings.LastIndexAny(ctx, ".!?\n"); k >= 0 {
			ctx = ctx[k+1:]
		}
		score := 1
		if elsewhereCues.in(ctx) {
			score = 0
		} else if ownPlaceCues.in(ctx) {
			score = 2
		}
		if score > bestScore || score == bestScore && c.pos < cands[best].pos {
			best, bestScore = i, score
		}
	}
	return cands[best].pc, cands[best].com
}

// fullerName completes the chosen name with the same person's name
// written more fully elsewhere in the message (the signature, the From
// display name): accents the chosen spelling lacks ("Cedric" in the From
// display, "Cédric" in the signature) and the rest of a compound last name
// ("Vernhet" in the From display, "Vernhet-Castanier" in the body). The
// other spelling must be the same name once folded, or extend the last
// name after a hyphen; an unaccented name that appears nowhere accented
// stays as written.
func fullerName(first, last string, alts ...string) (string, string) {
	if first == "" && last == "" {
		return first, last
	}
	var buf [64]byte // a name folded, on the stack
	for _, alt := range alts {
		if alt == "" {
			continue
		}
		af, al := splitName(alt, false)
		af, al = capName(af), capName(al)
		sameFirst := first != "" && af != "" && foldIs(af, string(applicant.AppendFold(buf[:0], first)))
		sameLast := last != "" && al != "" && foldIs(al, string(applicant.AppendFold(buf[:0], last)))
		if !sameFirst && !sameLast {
			continue
		}
		if sameFirst && isASCII(first) && !isASCII(af) {
			first = af
		}
		if sameLast && isASCII(last) && !isASCII(al) {
			last = al
		}
		if sameFirst && last != "" && al != "" {
			var alb [64]byte
			if fl := append(applicant.AppendFold(buf[:0], last), '-'); strings.HasPrefix(string(applicant.AppendFold(alb[:0], al)), string(fl)) {
				last = al
			}
		}
	}
	return first, last
}

// reCompanyHeading is an unlabelled heading line "<Name> – <what it
// does>": "Taxi du Tarn – transport de personnes".
var reCompanyHeading = lazy(`^(` + companyName + `)\s+[–—-]\s+\p{Ll}[\p{L}'’ ,\-]*$`)

// companyHeadingLine returns the company of a heading line that opens a
// block of labelled lines (the next non-empty line is a label), or "".
// A person's name or a title before the dash is not a company.
func companyHeadingLine(lines []string, isLabel []bool) string {
	for i, l := range lines {
		if i >= 400 {
			break
		}
		t := strings.TrimSpace(l)
		if isLabel[i] || len(t) < 8 || len(t) > 100 || !startsUpper(t) || !strings.ContainsAny(t, "–—-") {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j >= len(lines) || !isLabel[j] {
			continue
		}
		m := reCompanyHeading.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		c := cleanCompany(m[1])
		if c == "" || len(strings.Fields(c)) > 6 || reRoleStart.MatchString(c) || isClosing(c) ||
			looksLikePerson(c) && (strongPerson(c) || !tradeWords[applicant.Fold(strings.Fields(c)[0])]) {
			continue
		}
		return c
	}
	return ""
}

// reRoleAfterIntro reads the title or trade given right after the name in
// a self-introduction: "Je suis Lucas Meyrueis, ferronnier d'art, à la
// tête de …", "Moi c'est Fabrice Pic, associé-gérant". Group 1 is a known
// title, group 2 a trade noun (menuisier, fromagère, céramiste, …).
var reRoleAfterIntro = lazy(`(?i:\b(?:je suis|moi,? c['’]est|je m['’]appelle|je me nomme)\s+)` +
	`[\p{Lu}][\p{L}'’\-]+(?:\s+(?:de\s+|du\s+|d['’])?[\p{Lu}][\p{L}'’\-]+){1,3}\s*,\s*` +
	`(?:((?i:` + rolePattern + `))(?:[^\p{L}\-'’]|$)|` +
	`([a-zàâçéèêëîïôûù]{2,}(?:ier|i[èe]re|iste|eur|euse|ien|ienne|on|onne|[èe]re)(?:\s+d['’]art)?)` +
	`(?:\s*(?:[,.;!(\n]|$)|\s+(?:à|au|aux|depuis|chez|install[ée]e?)\s|\s+\p{Lu}))`)

// roleAfterIntro is reRoleAfterIntro looked for where it can start: at
// its first words whole, not at every "je " of a letter (a text holding
// the long s, which the regexp's (?i) reads as s, is searched whole), and
// only where a capital follows them: "je suis ravie", "je me permets"
// and "moi aussi" are most of them.
var roleAfterIntro = newStemmedThen(reRoleAfterIntro, `\p{Lu}`, introStems...)

// introStems are roleAfterIntro's stems, as key words: a text holding
// none of them (most: the gate's "est " is in nearly every mail) is not
// split into words for them.
var introStems = keys("je suis", "je m'appelle", "je m’appelle", "je me nomme", "moi c'est", "moi c’est", "moi, c'est", "moi, c’est")

// notTradeWords are words with a trade's ending that say something else
// about the writer ("fière", "ancien", "mère de trois enfants").
var notTradeWords = map[string]bool{
	"fiere": true, "fier": true, "heureuse": true, "premiere": true, "premier": true, "derniere": true, "dernier": true,
	"entiere": true, "mere": true, "pere": true, "ancien": true, "ancienne": true, "citoyen": true, "citoyenne": true,
	"bon": true, "bonne": true, "interlocuteur": true, "interlocutrice": true, "porteur": true, "porteuse": true,
}

// introRoleKeys: roleAfterIntro runs only on a text holding one of them.
var introRoleKeys = keys("je suis", "est ", "je m")

// roleAfterIntroName returns the title or trade that follows the
// writer's name in "je suis <Nom>, <métier>", or "".
func roleAfterIntroName(ft caseless) string {
	if !ft.hasAny(introRoleKeys) || !ft.hasAny(introStems) && !roleAfterIntro.wholeText(ft) {
		return ""
	}
	m := roleAfterIntro.FindStringSubmatch(ft)
	if m == nil {
		return ""
	}
	if m[1] != "" {
		return cleanRole(m[1])
	}
	if first := strings.Fields(m[2])[0]; notTradeWords[applicant.Fold(first)] {
		return ""
	}
	return strings.TrimSpace(m[2])
}

// accentedInText returns the accented spelling of an unaccented name
// part when the author's own text writes the same name, capitalised and
// with accents ("Serviere" in the From display, "je suis Didier Servière"
// in the body); otherwise the name as given. Every word of the name must
// match, in order, so that a one-word name never borrows a longer one.
func accentedInText(name, text string) string {
	accentNames(text, &name)
	return name
}

// accentNames is accentedInText for several names, in place, reading the
// text once for them all. The words are read as the search goes, not
// split first: the text is most of the mail, a name a few words of it.
func accentNames(text string, names ...*string) {
	wants := make([][]string, len(names))
	left := 0
	for k, name := range names {
		if *name != "" && isASCII(*name) {
			if wants[k] = strings.Fields(applicant.Fold(*name)); len(wants[k]) > 0 {
				left++
			}
		}
	}
	// The bytes a name's first word can start with: its capital, a
	// hyphen or an apostrophe, or a character beyond ASCII (see
	// accentedAt). The text is read for them alone (startSkipper), and
	// split into words only where one starts a word: every other word
	// fails every name on its first letter.
	sk := newStartSkipper()
	for _, want := range wants {
		if len(want) > 0 && 'a' <= want[0][0] && want[0][0] <= 'z' {
			sk.add(want[0][0] + 'A' - 'a')
		}
	}
	for i := 0; i < len(text) && left > 0; {
		// Most bytes start nothing: passed over in a loop of their own.
		i = sk.next(text, i)
		if i == len(text) {
			break
		}
		if text[i] >= utf8.RuneSelf {
			// A word that starts with a lower-case letter (accentedAt
			// wants a capital) is no name, whatever it is.
			if r, n := utf8.DecodeRuneInString(text[i:]); r != '’' && unicode.IsLetter(r) && !unicode.IsUpper(r) {
				i += n
				continue
			}
		}
		if !textWordStart(text, i) {
			i++
			continue
		}
		first, next := nextTextWord(text, i)
		i = next
		for k, want := range wants {
			if len(want) == 0 {
				continue
			}
			found, ok, more := accentedAt(text, want, first, next)
			if ok {
				*names[k] = found
			}
			if ok || !more {
				wants[k] = nil
				left--
			}
		}
	}
}

// startSkipper finds where accentNames may find a name's first word:
// at a byte of its set (a name's capital, a hyphen, an apostrophe), or at
// a character beyond ASCII that may be a capital or ’, where neither
// follows an ASCII letter of asciiWordLetters (most accented letters are
// inside a word, and a word is only tried from its start). The
// characters beyond ASCII are those of 0xC4 and up, and the capitals of
// Latin-1 (À to Þ, 0xC3 then 0x80 to 0x9E): the lower-case letters of
// Latin-1 (0xC3 then 0x9F and up), most of a French text's accents, and
// the signs of 0xC2 are none, and a word starting with one is no name's.
type startSkipper struct {
	// starts are the set, 0xC4 and up, and the second bytes of the
	// capitals of Latin-1: 0xC3, which starts the lower-case letters too,
	// is not looked for.
	starts byteSet
}

func newStartSkipper() *startSkipper {
	sk := new(startSkipper)
	sk.starts['-'], sk.starts['\''] = 1, 1
	for c := 0xC4; c < 256; c++ {
		sk.starts[c] = 1
	}
	for c := 0x80; c <= 0x9E; c++ {
		sk.starts[c] = 1
	}
	return sk
}

// add adds c, an ASCII byte, to the set.
func (sk *startSkipper) add(c byte) { sk.starts[c] = 1 }

// next returns the offset of the first byte of text[i:] where sk stops,
// or len(text). TestStartSkipperAsBytes holds it to the test byte by
// byte.
func (sk *startSkipper) next(text string, i int) int {
	st := &sk.starts
	from := i
	for {
		i = st.next(text, i)
		if i == len(text) {
			return i
		}
		k := i
		if c := text[i]; c >= utf8.RuneSelf && c < 0xC0 {
			// A second byte: a capital of Latin-1 after 0xC3, where it
			// starts (not before from), else nothing.
			if i == from || text[i-1] != 0xC3 {
				i++
				continue
			}
			k = i - 1
		}
		if k == 0 || text[k-1] >= utf8.RuneSelf || !asciiWordLetters[text[k-1]] {
			return k
		}
		i++
	}
}

// accentedAt matches want (a folded name's words) against the words of
// text from first (next is the offset after it): the words as written,
// capitalised and accented, joined, and whether they match; more is
// false when too few words are left for the name here, and so further on.
func accentedAt(text string, want []string, first string, next int) (found string, ok, more bool) {
	accented := false
	word, after := first, next
	for j, w := range want {
		if j > 0 {
			if word, after = nextTextWord(text, after); word == "" {
				return "", false, false
			}
		}
		// Most words are told from the name by their first letter in
		// ASCII, not a capital or not the name's, without trimming.
		if c := word[0]; c < utf8.RuneSelf && c != '-' && c != '\'' && (c < 'A' || c > 'Z' || c+'a'-'A' != w[0]) {
			return "", false, true
		}
		t := strings.Trim(word, "-'’")
		if t == "" {
			return "", false, true
		}
		// The first letter first: folding every word of the text
		// for every name costs more than the rest of the name rules.
		r, _ := utf8.DecodeRuneInString(t)
		if fr := applicant.FoldRune(r); !unicode.IsUpper(r) || fr < utf8.RuneSelf && byte(fr) != w[0] || !foldIs(t, w) {
			return "", false, true
		}
		accented = accented || !isASCII(t)
	}
	if !accented {
		return "", false, true
	}
	got := make([]string, len(want))
	word, after = first, next
	for j := range want {
		if j > 0 {
			word, after = nextTextWord(text, after)
		}
		got[j] = strings.Trim(word, "-'’")
	}
	return capName(strings.Join(got, " ")), true, true
}

// asciiWordLetters are the ASCII bytes of nextTextWord's words, looked up
// rather than compared, byte after byte of the text.
var asciiWordLetters = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '\''
	}
	return t
}()

// nextTextWord returns the first word of text[i:] for accentedInText
// (letters, hyphens and apostrophes: strings.FieldsFunc's fields with
// that test) and the offset just after it; "" when there is none. ASCII
// is told apart without decoding, as the whole text is read.
func nextTextWord(text string, i int) (word string, next int) {
	start := -1
	for i < len(text) {
		c, n := text[i], 1
		var in bool
		if c < utf8.RuneSelf {
			in = asciiWordLetters[c]
		} else {
			var r rune
			r, n = utf8.DecodeRuneInString(text[i:])
			in = unicode.IsLetter(r) || r == '’'
		}
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			return text[start:i], i
		}
		i += n
	}
	if start >= 0 {
		return text[start:], len(text)
	}
	return "", len(text)
}

// textWordStart reports whether one of nextTextWord's words starts at
// text[i] (i on a character's first byte).
func textWordStart(text string, i int) bool {
	if !textWordAt(text, i) {
		return false
	}
	if i == 0 {
		return true
	}
	if c := text[i-1]; c < utf8.RuneSelf {
		return !asciiWordLetters[c]
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return !unicode.IsLetter(r) && r != '’'
}

// textWordAt reports whether the character at text[i] is a letter, a
// hyphen or an apostrophe (nextTextWord's words).
func textWordAt(text string, i int) bool {
	if c := text[i]; c < utf8.RuneSelf {
		return asciiWordLetters[c]
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r) || r == '’'
}

// A company name in quotes after a trade noun and its article or
// possessive ("la pizzeria « Le Four à Bois »"): what comes before the
// opening quote, and the quoted name. One pattern for both has no literal
// to start from and runs through the whole text whenever it holds a quote
// (every application quoting the programme's « name » does); split at the
// quote, each part runs on a few bytes.
var (
	reTradeBeforeQuote = lazy(`(?i:\b(?:la|le|l['’]|notre|mon|ma)\s*[a-zàâçéèêëîïôûù\-]{4,20}\s+)$`)
	reQuotedName       = lazy(`^["«“]\s*(\p{Lu}[^"«»“”\n]{1,60}?)\s*["»”]`)
)

// quotedTradeName returns the name the first quote of text opens after a
// trade noun, as the two patterns above joined would: the leftmost match
// opens at the first quote whose text before it and after it fit, and
// what it captures depends on that quote only.
func quotedTradeName(text string) (string, bool) {
	// The quotes are searched for, each kind from where it was last
	// found, and taken in order: a byte loop trying the three at every
	// byte cost more than the patterns.
	var next [3]int
	for k := range next {
		next[k] = -1
	}
	for from := 0; ; {
		q := -1
		for k, open := range [3]string{`"`, "«", "“"} {
			if next[k] < from && next[k] != len(text) {
				if i := strings.Index(text[from:], open); i >= 0 {
					next[k] = from + i
				} else {
					next[k] = len(text)
				}
			}
			if next[k] < len(text) && (q < 0 || next[k] < q) {
				q = next[k]
			}
		}
		if q < 0 {
			return "", false
		}
		from = q + 1
		m := reQuotedName.FindStringSubmatch(text[q:])
		if m == nil || !reTradeBeforeQuote.MatchString(text[tradeStart(text, q):q]) {
			continue
		}
		return m[1], true
	}
}

// tradeStart returns where the words before the quote at q may begin: the
// blanks before it, a word (the trade noun, 20 letters of two bytes at
// most, with the article when they are joined: "l'atelier"), blanks, a
// word (the article), and back to the blank before it, so that \b reads
// the same there as in the whole text.
func tradeStart(text string, q int) int {
	i := q
	back := func(blank bool, most int) {
		for n := 0; i > 0 && (most < 0 || n < most) && isRegexpSpace(text[i-1]) == blank; n++ {
			i--
		}
	}
	back(true, -1)
	back(false, 64)
	back(true, -1)
	back(false, 16)
	back(false, -1)
	return i
}

// isRegexpSpace is \s of Go's regexp syntax.
func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// isLegalFormToken reports a company that is only a legal form ("GAEC").
func isLegalFormToken(s string) bool {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SARL", "SASU", "SAS", "EURL", "SCOP", "SCIC", "GAEC", "SELARL", "EARL", "SCEA", "SNC", "SCI", "SA":
		return true
	}
	return false
}

// householdName returns the surname of a household's display name
// ("Famille Malige", "Family Smith"), or "".
func householdName(n string) string {
	// The first word alone is folded first, on the stack: most names are
	// no household's, and are told so without splitting them.
	first := strings.TrimLeftFunc(strings.Trim(n, "\"' "), unicode.IsSpace)
	if k := strings.IndexFunc(first, unicode.IsSpace); k >= 0 {
		first = first[:k]
	}
	var buf [32]byte
	switch string(applicant.AppendFold(buf[:0], first)) {
	case "famille", "family", "fam.":
	default:
		return ""
	}
	f := strings.Fields(collapseSpaces(strings.Trim(n, "\"' ")))
	if len(f) < 2 || len(f) > 3 {
		return ""
	}
	if l := strings.Join(f[1:], " "); looksLikePerson("Jean " + capName(l)) {
		return capName(l)
	}
	return ""
}

// loneFirstName returns a signature line that is only a known first name
// ("Jean-Pierre"), or "".
func loneFirstName(sig []string, isLabel []bool) string {
	for i, l := range sig {
		t := strings.TrimSpace(l)
		if isLabel[i] || t == "" || strings.ContainsAny(t, " .,:;!?") {
			continue
		}
		ok := true
		for _, p := range strings.Split(applicant.Fold(t), "-") {
			ok = ok && commonFirstNames()[p]
		}
		if ok {
			return capName(t)
		}
	}
	return ""
}
