package extract

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// nameParticles start a French (or Dutch, German, Italian…) family name:
// "Marie-Hélène de La Tour" is Marie-Hélène / de La Tour.
var nameParticles = map[string]bool{
	"de": true, "du": true, "des": true, "d'": true, "van": true, "von": true, "der": true,
	"den": true, "di": true, "da": true, "del": true, "della": true, "dos": true, "das": true,
	"le": true, "la": true, "ben": true, "ter": true, "ten": true,
}

// titles are dropped before a name is split.
var nameTitles = map[string]bool{
	"m": true, "m.": true, "mr": true, "mr.": true, "mme": true, "mme.": true, "mlle": true,
	"madame": true, "monsieur": true, "mademoiselle": true, "dr": true, "dr.": true,
	"docteur": true, "me": true, "maitre": true, "mrs": true, "ms": true, "pr": true,
}

// commonFirstNames helps order "Dupont Marie" (surname first, no capitals)
// and tell people from companies in display names. Folded.
var commonFirstNames = sync.OnceValue(func() map[string]bool {
	list := `jean pierre michel andre philippe alain bernard jacques christian daniel patrick nicolas
francois eric christophe frederic laurent stephane david olivier pascal thierry sebastien julien
vincent gerard marc didier dominique bruno yves guillaume jerome thomas alexandre antoine romain
maxime anthony kevin mathieu matthieu fabrice franck serge claude rene paul louis lucas hugo
arthur jules leo gabriel raphael adam nathan theo enzo clement benjamin florian quentin adrien
damien cedric ludovic gregory yannick arnaud xavier emmanuel joel gilles herve lionel loic
regis hubert henri georges robert roger marcel raymond lucien fernand gaston emile albert
victor samuel simon martin baptiste axel tom noah mathis valentin cyril jeremy jonathan
mickael michael charles etienne gael erwan yann ronan tristan corentin bastien thibault
thibaut aurelien remi benoit sylvain fabien jean-pierre jean-marc jean-luc jean-claude
jean-francois jean-louis jean-michel jean-paul jean-philippe jean-marie pierre-yves
marie nathalie isabelle sylvie catherine christine francoise monique valerie sandrine
veronique nicole sophie stephanie celine patricia martine chantal anne brigitte laurence
virginie caroline julie aurelie emilie elodie claire camille lea manon chloe emma ines
jade louise alice lina rose anna mila julia zoe charlotte lucie sarah laura pauline
marion mathilde juliette clemence oceane audrey melanie amandine helene agnes annie
corinne muriel karine carole florence delphine beatrice elisabeth jacqueline michele
danielle josiane colette odile evelyne fabienne pascale agathe margaux marine morgane
justine alexandra amelie anais angelique cecile charline coralie estelle eva fanny
gaelle geraldine heloise jeanne jessica johanna justine laetitia lucile maeva magali
marlene maud melissa mireille myriam nadege nadia noemie ophelie pauline perrine rachel
sabrina severine solene solenne tiphaine vanessa yasmine yvette yvonne ginette josette
marie-helene marie-claude marie-christine marie-france marie-laure marie-pierre anne-marie
anne-laure anne-sophie marie-anne marie-odile marie-therese kevin gaetan jordan dylan
loris lilian lilou nina margot elise eloise adele apolline capucine clementine constance
diane eleonore gabrielle garance hortense josephine lou madeleine salome victoire
ambre lena romane maelys flavie irene lydie maryse odette paulette renee simone suzanne
therese viviane denise gisele huguette jocelyne liliane marcelle micheline mauricette
maurice jean-baptiste leon noel pierrick killian kilian mael malo nolan sacha timothee
eliott elliot jacky joachim loick fred freddy tony jimmy johnny steve steven wilfried
`
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
})

// notPersonWords appear in display names and signature lines that are not a
// person: companies, services, mailboxes.
var notPersonWords = map[string]bool{
	"sarl": true, "sas": true, "sasu": true, "eurl": true, "scop": true, "gaec": true, "sa": true,
	"sci": true, "earl": true, "selarl": true, "scea": true, "snc": true, "ei": true, "eirl": true,
	"garage": true, "auberge": true, "atelier": true, "ateliers": true, "transports": true,
	"transport": true, "boulangerie": true, "scierie": true, "entreprise": true, "entreprises": true,
	"societe": true, "cabinet": true, "services": true, "service": true, "informatique": true,
	"conseil": true, "formation": true, "paysage": true, "couverture": true, "menuiserie": true,
	"plomberie": true, "coordination": true, "rse": true, "contact": true, "info": true, "infos": true,
	"accueil": true, "mairie": true, "association": true, "commune": true, "cci": true, "chambre": true,
	"plateforme": true, "newsletter": true, "equipe": true, "team": true, "support": true,
	"admin": true, "commercial": true, "gites": true, "gite": true, "ferme": true, "domaine": true,
	"hotel": true, "restaurant": true, "camping": true, "fromagerie": true, "jardins": true,
	"maconnerie": true, "charpente": true, "taxis": true, "ambulances": true, "canoes": true,
	"cooperative": true, "groupe": true, "agence": true, "bureau": true, "direction": true,
	"secretariat": true, "comptabilite": true, "facturation": true, "notification": true,
	"notifications": true, "noreply": true, "no-reply": true, "mail": true, "delivery": true,
	"system": true, "subsystem": true, "daemon": true, "postmaster": true, "occitanie": true,
	"lozere": true, "programme": true, "lettre": true, "club": true, "federation": true,
	"syndicat": true, "region": true, "departement": true, "patrimoine": true, "invest": true,
	"boutique": true, "magasin": true, "pharmacie": true, "electricite": true, "batiment": true,
	"btp": true, "bois": true, "brasserie": true, "vergers": true, "paysages": true,
	"traiteur": true, "bio": true, "energie": true, "distillerie": true,
	"laiterie": true, "cave": true, "caves": true, "fromages": true, "jardin": true, "construction": true, "fils": true, "freres": true, "ets": true, "etablissements": true,
	"cordialement": true, "bonjour": true, "merci": true, "salutations": true,
	"tel": true, "telephone": true, "portable": true, "mobile": true, "gerant": true, "gerante": true,
	"president": true, "presidente": true, "directeur": true, "directrice": true, "fondateur": true,
	"fondatrice": true, "co-fondatrice": true, "co-fondateur": true, "dirigeant": true, "dirigeante": true,
	"co-gerant": true, "co-gerante": true, "responsable": true, "associe": true, "associee": true,
	"generale": true, "general": true, "siret": true, "effectif": true, "envoye": true, "iphone": true,
	"android": true, "outlook": true, "gmail": true, "orange": true, "free": true,
}

// nameTokens splits a person's name into words, dropping titles.
func nameTokens(s string) []string { return appendNameTokens(nil, s) }

// appendNameTokens is nameTokens appending to dst: looksLikePerson and
// strongPerson keep the words in an array on the stack.
func appendNameTokens(dst []string, s string) []string {
	s = collapseSpaces(strings.Trim(s, " \"'<>"))
	// Collapsed, s has its words one space apart: they are the pieces
	// between the spaces, as strings.Fields would give them.
	toks := dst
	for s != "" {
		w, rest, _ := strings.Cut(s, " ")
		toks = append(toks, w)
		s = rest
	}
	var buf [32]byte
	for len(toks) > 0 && nameTitles[string(applicant.AppendFold(buf[:0], toks[0]))] {
		toks = toks[1:]
	}
	return toks
}

// looksLikePerson reports whether s reads as a person's name: two to four
// words, each a capitalised or upper-case word or a particle, no digits,
// none of them a company or mailbox word.
func looksLikePerson(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 60 || holdsNotInName(s) {
		return false
	}
	var words [6]string
	toks := appendNameTokens(words[:0], s)
	if len(toks) < 2 || len(toks) > 5 {
		return false
	}
	real := 0
	first := false
	var buf [32]byte
	for i, t := range toks {
		// Folded on the stack: f is only looked up and compared.
		f := string(applicant.AppendFold(buf[:0], strings.Trim(t, ",.")))
		if notPersonWords[f] {
			return false
		}
		if i > 0 && nameParticles[f] {
			continue
		}
		// "d'Auriac" is a whole family name, its particle elided.
		if i > 0 && strings.HasPrefix(f, "d'") && len(f) > 3 {
			if r := []rune(strings.TrimSpace(t))[2:]; len(r) > 0 && unicode.IsUpper(r[0]) {
				real++
				continue
			}
		}
		if commonFirstNames()[f] {
			first = true
		}
		for _, r := range t {
			if !(unicode.IsLetter(r) || r == '-' || r == '\'' || r == '’' || r == '.' || r == ',') {
				return false
			}
		}
		if !startsUpper(t) {
			return false
		}
		real++
	}
	if real < 2 {
		return false
	}
	// Three capitalised words with no known first name are more often a
	// company ("Brunel Informatique Services") than a person.
	return first || real == 2 || anyUpperWord(toks)
}

// notInNames are the signs no name holds, for holdsNotInName.
const notInNames = "@0123456789:;/|!?&+=_()[]{}<>«»\""

// notInNameBytes marks the ASCII signs of notInNames.
var notInNameBytes = func() (t [utf8.RuneSelf]bool) {
	for _, r := range notInNames {
		if r < utf8.RuneSelf {
			t[r] = true
		}
	}
	return t
}()

// holdsNotInName is strings.ContainsAny(s, notInNames), which, for a set
// beyond ASCII, searches the set for each rune of s: here the ASCII signs
// are looked up byte by byte, and the others (« ») searched for once each
// (TestHoldsNotInNameAsContainsAny).
func holdsNotInName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf && notInNameBytes[c] {
			return true
		}
	}
	for _, r := range notInNames {
		if r >= utf8.RuneSelf && strings.ContainsRune(s, r) {
			return true
		}
	}
	return false
}

// strongPerson reports a name that is surely a person's: a known first
// name, or a "NOM Prénom" upper-case family name.
func strongPerson(s string) bool {
	if !looksLikePerson(s) {
		return false
	}
	var words [6]string
	toks := appendNameTokens(words[:0], s)
	var buf [32]byte
	for _, t := range toks {
		if commonFirstNames()[string(applicant.AppendFold(buf[:0], strings.Trim(t, ",.")))] {
			return true
		}
	}
	return anyUpperWord(toks) && !allUpper(toks)
}

func allUpper(toks []string) bool {
	for _, t := range toks {
		if !isUpperWord(t) {
			return false
		}
	}
	return true
}

func anyUpperWord(toks []string) bool {
	for _, t := range toks {
		if isUpperWord(t) && len([]rune(t)) > 2 {
			return true
		}
	}
	return false
}

// splitName splits a full name into first and last names. Upper-case words
// are the family name ("DUPONT Marie"); particles start it ("Marie-Hélène
// de La Tour"); "Nom, Prénom" and lastFirst labels ("Nom et prénom")
// put the family name first; otherwise a known first name in last
// position ("Dupont Marie") wins over the usual "Prénom Nom" order.
func splitName(full string, lastFirst bool) (first, last string) {
	full = strings.TrimSpace(full)
	if i := strings.IndexAny(full, "(|"); i > 0 {
		full = full[:i]
	}
	if i := strings.Index(full, " - "); i > 0 {
		full = full[:i]
	}
	if i := strings.Index(full, " – "); i > 0 {
		full = full[:i]
	}
	if i := strings.IndexByte(full, ','); i > 0 {
		// "Dupont, Marie"
		a, b := nameTokens(full[:i]), nameTokens(full[i+1:])
		if len(a) > 0 && len(b) > 0 {
			return capName(strings.Join(b, " ")), capName(strings.Join(a, " "))
		}
	}
	// The words are kept in an array on the stack, and folded into one:
	// every candidate name of a mail is split.
	var words [8]string
	toks := appendNameTokens(words[:0], full)
	for i, t := range toks {
		toks[i] = strings.Trim(t, ".,;")
	}
	var buf [32]byte
	switch len(toks) {
	case 0:
		return "", ""
	case 1:
		if commonFirstNames()[applicant.Fold(toks[0])] {
			return capName(toks[0]), ""
		}
		return "", capName(toks[0])
	}
	// Upper-case words form the family name when others are not.
	upper := make([]bool, len(toks))
	nUpper := 0
	for i, t := range toks {
		if isUpperWord(t) {
			upper[i] = true
			nUpper++
		}
	}
	if nUpper > 0 && nUpper < len(toks) {
		var f, l []string
		for i, t := range toks {
			// A particle just before an upper-case word belongs to it.
			if upper[i] || (nameParticles[applicant.Fold(t)] && i+1 < len(toks) && upper[i+1] && len(f) > 0) {
				l = append(l, t)
			} else {
				f = append(f, t)
			}
		}
		if len(f) > 0 && len(l) > 0 {
			return capName(strings.Join(f, " ")), capName(strings.Join(l, " "))
		}
	}
	// A particle starts the family name.
	for i := 1; i < len(toks); i++ {
		ft := string(applicant.AppendFold(buf[:0], toks[i]))
		if nameParticles[ft] || (strings.HasPrefix(ft, "d'") && len(ft) > 2) {
			if i+1 < len(toks) || strings.HasPrefix(ft, "d'") {
				return capName(strings.Join(toks[:i], " ")), capName(strings.Join(toks[i:], " "))
			}
		}
	}
	if lastFirst {
		return capName(strings.Join(toks[1:], " ")), capName(toks[0])
	}
	if len(toks) == 2 && commonFirstNames()[applicant.Fold(toks[1])] && !commonFirstNames()[applicant.Fold(toks[0])] {
		return capName(toks[1]), capName(toks[0])
	}
	return capName(toks[0]), capName(strings.Join(toks[1:], " "))
}

// capName gives a name its natural capitalisation when it was typed all in
// capitals or all in lower case; particles stay lower case.
func capName(s string) string {
	if s == "" {
		return s
	}
	if hasLower(s) && !isAllLower(s) {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		lw := strings.ToLower(w)
		if i < len(words)-1 && nameParticles[applicant.Fold(lw)] {
			words[i] = lw
			continue
		}
		words[i] = capitalizeWord(w)
	}
	return strings.Join(words, " ")
}
