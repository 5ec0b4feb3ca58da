package extract

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// field names a fact that a labelled line can give.
type field int

const (
	fNone field = iota
	fLastName
	fFirstName
	fFullName
	fFullNameLastFirst // "Nom et prénom : DUPONT Marie"
	fRole
	fCompany
	fSiret
	fSiren
	fHeadcount
	fSector
	fAddress
	fPostalCode
	fPostalCommune // "Code postal / Commune : 12100 Millau"
	fCommune
	fPhone
	fEmail
	fMotivation
	fStatus // "Statut : auto-entrepreneuse devenue EURL, gérante"
)

// labelFields maps folded labels to fields. Labels are normalised by
// normLabel first (accents, "N°", possessives and "(s)" removed).
var labelFields = map[string]field{
	"nom": fLastName, "nom de famille": fLastName, "nom d'usage": fLastName, "patronyme": fLastName,
	"prenom": fFirstName, "prenoms": fFirstName,

	"nom et prenom": fFullNameLastFirst, "nom prenom": fFullNameLastFirst, "nom/prenom": fFullNameLastFirst,
	"nom / prenom": fFullNameLastFirst, "nom, prenom": fFullNameLastFirst, "nom - prenom": fFullNameLastFirst,
	"nom & prenom":  fFullNameLastFirst,
	"prenom et nom": fFullName, "prenom nom": fFullName, "prenom / nom": fFullName, "prenom/nom": fFullName,
	"prenom, nom": fFullName, "prenom - nom": fFullName, "nom complet": fFullName, "identite": fFullName,
	"candidat": fFullName, "candidate": fFullName, "nom du candidat": fFullName, "nom de la candidate": fFullName,
	"nom du dirigeant": fFullName, "nom de la dirigeante": fFullName, "nom du gerant": fFullName,
	"nom de la gerante": fFullName, "representant legal": fFullName, "representante legale": fFullName,
	"contact": fFullName, "nom du contact": fFullName, "personne a contacter": fFullName,
	"interlocuteur": fFullName, "interlocutrice": fFullName, "porteur de projet": fFullName,
	"porteuse de projet": fFullName, "signataire": fFullName, "nom du representant": fFullName,
	"personne referente": fFullName, "referent": fFullName, "referente": fFullName,

	"fonction": fRole, "qualite": fRole, "poste": fRole, "titre": fRole, "role": fRole,
	"fonction occupee": fRole, "poste occupe": fRole, "fonction dans l'entreprise": fRole,
	"poste dans l'entreprise": fRole, "statut dans l'entreprise": fRole, "statut": fStatus, "qualite du signataire": fRole,

	"entreprise": fCompany, "societe": fCompany, "camping": fCompany, "hotel": fCompany, "restaurant": fCompany,
	"gaec": fCompany, "earl": fCompany, "ferme": fCompany, "nom du camping": fCompany, "nom de l'hotel": fCompany,
	"nom du restaurant": fCompany, "nom du gaec": fCompany, "nom de la ferme": fCompany,
	"le camping": fCompany, "l'hotel": fCompany, "le restaurant": fCompany, "le gaec": fCompany, "la ferme": fCompany, "raison sociale": fCompany, "nom de l'entreprise": fCompany,
	"nom de la societe": fCompany, "denomination": fCompany, "denomination sociale": fCompany,
	"structure": fCompany, "nom de la structure": fCompany, "etablissement": fCompany,
	"organisme": fCompany, "enseigne": fCompany, "nom commercial": fCompany, "exploitation": fCompany,
	"entreprise / structure": fCompany, "nom de l'exploitation": fCompany, "nom de l'etablissement": fCompany,
	"organisation": fCompany, "nom de l'organisation": fCompany, "raison sociale de l'entreprise": fCompany,
	"entreprise candidate": fCompany, "societe / entreprise": fCompany, "company": fCompany,

	"siret": fSiret, "siret de l'entreprise": fSiret, "siret de la societe": fSiret, "siret (14 chiffres)": fSiret,
	"siren": fSiren, "siren de l'entreprise": fSiren,

	"effectif": fHeadcount, "effectifs": fHeadcount, "effectif salarie": fHeadcount, "effectif total": fHeadcount,
	"nombre de salaries": fHeadcount, "nb de salaries": fHeadcount, "nb salaries": fHeadcount,
	"nombre d'employes": fHeadcount, "nombre de collaborateurs": fHeadcount, "salaries": fHeadcount,
	"nombre de personnes": fHeadcount, "personnes qui travaillent": fHeadcount, "personnes travaillant": fHeadcount, "taille de l'entreprise": fHeadcount, "effectif actuel": fHeadcount,
	"nombre de salarie": fHeadcount, "nbre de salaries": fHeadcount, "effectif de l'entreprise": fHeadcount,
	"etp": fHeadcount, "nombre d'etp": fHeadcount, "effectif (etp)": fHeadcount, "effectif etp": fHeadcount,

	"secteur": fSector, "secteur d'activite": fSector, "activite": fSector, "domaine d'activite": fSector,
	"domaine": fSector, "activite principale": fSector, "metier": fSector, "filiere": fSector,
	"branche": fSector, "secteur / activite": fSector, "activite de l'entreprise": fSector,
	"secteur d'activites": fSector, "activites": fSector, "secteur activite": fSector,

	"adresse": fAddress, "adresse postale": fAddress, "siege": fAddress, "siege social": fAddress,
	"adresse du siege": fAddress, "adresse de l'entreprise": fAddress, "adresse du siege social": fAddress,
	"adresse de la societe": fAddress, "coordonnees": fAddress, "adresse complete": fAddress,

	"code postal": fPostalCode, "cp": fPostalCode, "c.p": fPostalCode, "c. p": fPostalCode,
	"code postal / commune": fPostalCommune, "code postal / ville": fPostalCommune,
	"code postal et commune": fPostalCommune, "code postal et ville": fPostalCommune,
	"cp / ville": fPostalCommune, "cp / commune": fPostalCommune, "cp ville": fPostalCommune,
	"code postal - ville": fPostalCommune, "code postal - commune": fPostalCommune, "cp et ville": fPostalCommune,
	"cp - ville": fPostalCommune, "code postal, ville": fPostalCommune, "code postal, commune": fPostalCommune,
	"code postal/commune": fPostalCommune, "code postal/ville": fPostalCommune, "cp/ville": fPostalCommune,
	"ville / code postal": fPostalCommune, "commune / code postal": fPostalCommune, "localisation": fPostalCommune,

	"commune": fCommune, "ville": fCommune, "localite": fCommune, "commune d'implantation": fCommune,
	"commune du siege": fCommune, "ville du siege": fCommune, "lieu": fCommune, "implantation": fCommune,

	"telephone": fPhone, "tel": fPhone, "tel portable": fPhone, "portable": fPhone, "mobile": fPhone,
	"gsm": fPhone, "telephone portable": fPhone, "telephone mobile": fPhone, "tel mobile": fPhone,
	"tel fixe": fPhone, "telephone fixe": fPhone, "fixe": fPhone, "ligne directe": fPhone,
	"numero de telephone": fPhone, "contact telephonique": fPhone, "telephone / portable": fPhone,
	"tel / portable": fPhone, "phone": fPhone, "tel.": fPhone, "tel direct": fPhone, "telephone direct": fPhone,

	"e-mail": fEmail, "email": fEmail, "mail": fEmail, "courriel": fEmail, "adresse mail": fEmail,
	"adresse e-mail": fEmail, "adresse email": fEmail, "adresse electronique": fEmail, "e mail": fEmail,

	// English labels, written by foreign applicants and pasted from
	// English web forms.
	"name": fFullName, "full name": fFullName, "contact name": fFullName, "contact person": fFullName,
	"first name": fFirstName, "given name": fFirstName, "last name": fLastName, "surname": fLastName,
	"family name": fLastName, "position": fRole, "job title": fRole, "job": fRole, "title": fRole,
	"company name": fCompany, "business": fCompany, "business name": fCompany, "organization": fCompany,
	"organisation name": fCompany, "organization name": fCompany, "trading name": fCompany,
	"number of employees": fHeadcount, "employees": fHeadcount, "staff": fHeadcount, "headcount": fHeadcount,
	"team size": fHeadcount, "number of staff": fHeadcount, "workforce": fHeadcount, "company size": fHeadcount,
	"business sector": fSector, "sector": fSector, "industry": fSector, "activity": fSector,
	"business activity": fSector, "line of business": fSector, "address": fAddress, "postal address": fAddress,
	"business address": fAddress, "postcode": fPostalCode, "post code": fPostalCode, "zip": fPostalCode,
	"zip code": fPostalCode, "postal code": fPostalCode, "city": fCommune, "town": fCommune,
	"phone number": fPhone, "telephone number": fPhone, "mobile phone": fPhone, "mobile number": fPhone,
	"cell": fPhone, "cell phone": fPhone, "e-mail address": fEmail, "email address": fEmail,

	"motivation": fMotivation, "motivations": fMotivation, "pourquoi ce programme": fMotivation,
	"attentes": fMotivation, "objectifs": fMotivation, "nos attentes": fMotivation,
	"pourquoi candidater": fMotivation, "vos motivations": fMotivation, "projet rse": fMotivation,
	"lettre de motivation": fMotivation, "motivations et attentes": fMotivation,
}

// roleLabels are titles an applicant sometimes uses as a label for their
// own name: "Gérant : Bruno Castan".
var roleLabels = map[string]bool{
	"gerant": true, "gerante": true, "co-gerant": true, "co-gerante": true, "cogerant": true, "cogerante": true,
	"president": true, "presidente": true, "directeur": true, "directrice": true, "dirigeant": true,
	"dirigeante": true, "directeur general": true, "directrice generale": true, "pdg": true,
	"fondateur": true, "fondatrice": true, "co-fondateur": true, "co-fondatrice": true,
	"chef d'entreprise": true, "responsable": true, "exploitant": true, "exploitante": true,
	"exploitant agricole": true, "exploitante agricole": true, "co-exploitant": true, "co-exploitante": true,
	"associe gerant": true, "associee gerante": true, "associe-gerant": true, "associee-gerante": true,
	"cheffe d'entreprise": true, "chef d'exploitation": true, "cheffe d'exploitation": true,
	"artisan": true, "artisane": true, "proprietaire": true, "directeur general delegue": true,
	"directrice generale deleguee": true, "president directeur general": true,
}

// labelNoise removes plural and gender marks and markdown from labels.
var labelNoise = strings.NewReplacer("(s)", "", "(e)", "", "(es)", "", "*", "", "\t", " ")

// normLabel folds a label and removes what varies without changing its
// meaning: "N° SIRET", "Votre téléphone", "Effectif(s)", "Tél.".
func normLabel(l string) string {
	f := applicant.Fold(l)
	// The replacer copies even a label it leaves as it is, and most hold
	// none of the bytes its patterns start with (a byte search each:
	// strings.ContainsAny builds a set at every call).
	if strings.IndexByte(f, '(') >= 0 || strings.IndexByte(f, '*') >= 0 || strings.IndexByte(f, '\t') >= 0 {
		f = labelNoise.Replace(f)
	}
	f = collapseSpaces(f)
	f = strings.TrimRight(f, " .:-")
	for _, p := range []string{"- ", "• ", "· ", "o "} {
		f = strings.TrimPrefix(f, p)
	}
	for changed := true; changed; {
		changed = false
		for _, p := range []string{"votre ", "vos ", "mon ", "ma ", "mes ", "notre ", "nos ", "n° ", "n°", "no ", "no. ", "n. ", "n ", "numero de ", "numero ", "num ", "num. ", "nº "} {
			// The first bytes compared first: most labels start with
			// none of these words.
			if len(f) > len(p) && f[0] == p[0] && strings.HasPrefix(f, p) {
				f = strings.TrimSpace(f[len(p):])
				changed = true
			}
		}
	}
	f = strings.TrimRight(f, " .")
	// Numbered lists and pasted web forms: "1) Structure", "3. Effectif",
	// "Champ 4 - Fonction", "Question 2 : Secteur". The number is the
	// form's, not part of the label.
	if f != "" {
		if m := labelNumber(f); m != nil && m[1] < len(f) {
			f = strings.TrimSpace(f[m[1]:])
		}
	}
	return f
}

// reLabelNumber matches the item number in front of a label (folded).
var reLabelNumber = lazy(`^(?:(?:champ|question|rubrique|item|field|point|etape|q)\s*\d{1,2}\s*[).\-/:]?|\d{1,2}\s*[).\-/]|[a-h]\))\s*`)

// labelNumber is reLabelNumber.FindStringIndex(f). A match holds a digit
// or ")": most labels hold neither, and are not searched with the pattern
// (TestLabelNumberAsPattern).
func labelNumber(f string) []int {
	for i := 0; i < len(f); i++ {
		if c := f[i]; '0' <= c && c <= '9' || c == ')' {
			return reLabelNumber.FindStringIndex(f)
		}
	}
	return nil
}

// labelQualifiers are the words that narrow a label without changing the
// field it names: "Nombre de personnes dans l'entreprise", "Effectif
// total de la structure", "Secteur d'activité actuel".
var labelQualifiers = []string{
	" dans ", " au sein ", " de l'entreprise", " de la structure", " de la societe", " de votre ",
	" de l'exploitation", " de l'etablissement", " de l'association", " actuel", " total",
}

// lookupLabel finds the field a normalised label names: exactly, then
// without a parenthesis ("SIRET (14 chiffres)"), then without a qualifier,
// then, when fuzzy is set, allowing one typing error in a long word
// ("ENTREPISE", "TELEPHONNE", "N° SIRRET", "EFECTIF").
func lookupLabel(nl string, fuzzy bool) (field, bool) {
	if f, ok := labelFields[nl]; ok {
		return f, true
	}
	if nl == "" || len(nl) > 60 {
		return fNone, false
	}
	if i := strings.IndexByte(nl, '('); i > 0 {
		if f, ok := labelFields[strings.TrimSpace(nl[:i])]; ok {
			return f, true
		}
	}
	// "Nom de l'association", "Nom de la ferme": the name of a structure.
	if strings.HasPrefix(nl, "nom de l'") || strings.HasPrefix(nl, "nom de la ") || strings.HasPrefix(nl, "nom du ") {
		w := nl[strings.LastIndexAny(nl[:min(10, len(nl))], " '")+1:]
		if k := strings.IndexByte(w, ' '); k > 0 {
			w = w[:k]
		}
		if structureWords[w] {
			return fCompany, true
		}
		return fNone, false
	}
	for _, q := range labelQualifiers {
		if i := strings.Index(nl, q); i > 0 {
			base := strings.TrimSpace(nl[:i])
			if f, ok := labelFields[base]; ok && f != fCompany && f != fMotivation {
				return f, true
			}
			// "Personnes dans l'entreprise": the people counted, the
			// "Nombre de" left out.
			if f, ok := labelFields["nombre de "+base]; ok && f == fHeadcount {
				return f, true
			}
			if f, ok := labelFields["nombre d'"+base]; ok && f == fHeadcount {
				return f, true
			}
		}
	}
	if fuzzy {
		return fuzzyLabel(nl)
	}
	return fNone, false
}

// fuzzyLabel looks up the corrections of a label: every way of correcting
// it that names a known label must name the same field ("EFFECTIFE" is one
// edit from both "effectif" and "effectifs").
func fuzzyLabel(nl string) (field, bool) {
	found := fNone
	for _, c := range correctLabel(nl) {
		f, ok := labelFields[c]
		if !ok {
			continue
		}
		if found != fNone && f != found {
			return fNone, false
		}
		found = f
	}
	return found, found != fNone
}

// structureWords name the kinds of structure whose name a "Nom de la …"
// label asks for.
var structureWords = map[string]bool{
	"entreprise": true, "societe": true, "structure": true, "association": true, "exploitation": true,
	"etablissement": true, "ferme": true, "commerce": true, "boutique": true, "cooperative": true,
	"organisme": true, "enseigne": true, "gaec": true, "earl": true, "sarl": true, "domaine": true,
	"restaurant": true, "hotel": true, "cabinet": true, "atelier": true, "agence": true, "scop": true,
	"scic": true, "sas": true, "magasin": true, "camping": true, "gite": true, "gites": true,
}

// labelVocabulary holds the words (six letters or more) of the known
// labels, by first letter, for correctLabel.
var labelVocabulary = sync.OnceValue(func() map[byte][]string {
	seen := map[string]bool{}
	m := map[byte][]string{}
	for l := range labelFields {
		for _, w := range strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == '\'' || r == '/' || r == ',' }) {
			if len(w) >= 5 && !seen[w] {
				seen[w] = true
				m[w[0]] = append(m[w[0]], w)
			}
		}
	}
	for _, ws := range m {
		sort.Strings(ws) // a deterministic choice between equal candidates
	}
	return m
})

// correctLabel returns the labels obtained by replacing each unknown word
// of six letters or more by the label words within one edit (two for
// words of ten letters or more), keeping the first letter, which people
// rarely mistype. Labels of more than four words are sentences, not
// labels; at most eight corrections are returned.
func correctLabel(nl string) []string {
	words := strings.Split(nl, " ")
	if len(words) > 4 {
		return nil
	}
	out := []string{""}
	changed := false
	for i, w := range words {
		opts := []string{w}
		if len(w) >= 6 && isASCIIWord(w) && !slices.Contains(labelVocabulary()[w[0]], w) {
			maxD := 1
			if len(w) >= 10 {
				maxD = 2
			}
			bestD := maxD + 1
			var best []string
			for _, c := range labelVocabulary()[w[0]] {
				if d := len(c) - len(w); d > maxD || -d > maxD {
					continue
				}
				switch d := editDistance(w, c, maxD); {
				case d < bestD:
					bestD, best = d, append(best[:0], c)
				case d == bestD && d <= maxD:
					best = append(best, c)
				}
			}
			if len(best) == 0 || len(best) > 2 {
				return nil
			}
			opts, changed = best, true
		}
		var next []string
		for _, prefix := range out {
			for _, o := range opts {
				if i > 0 {
					next = append(next, prefix+" "+o)
				} else {
					next = append(next, o)
				}
			}
		}
		if len(next) > 8 {
			return nil
		}
		out = next
	}
	if !changed {
		return nil
	}
	return out
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// editDistance is the Levenshtein distance between two short ASCII words,
// or max+1 as soon as it must exceed max.
func editDistance(a, b string, max int) int {
	if len(a) > 32 || len(b) > 32 {
		return max + 1
	}
	var prev, cur [33]int
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev = cur
	}
	if prev[len(b)] > max {
		return max + 1
	}
	return prev[len(b)]
}

// dashCut returns the offset and length of the first spaced dash in the
// first 60 bytes of t ("Secteur – bâtiment"), or -1.
func dashCut(t string) (int, int) {
	w := t[:min(len(t), 64)]
	// Most lines have no dash: the dashes alone are searched for first,
	// a byte search where the spaced dashes stop at every space.
	if strings.IndexByte(w, '-') < 0 && !strings.Contains(w, "–") && !strings.Contains(w, "—") {
		return -1, 0
	}
	best, bl := -1, 0
	for _, d := range []string{" – ", " - ", " — "} {
		if k := strings.Index(w, d); k > 0 && (best < 0 || k < best) {
			best, bl = k, len(d)
		}
	}
	return best, bl
}

// knownLabel reports whether l, as written before a separator, is a label
// of a known field.
func knownLabel(l string) bool {
	l = strings.TrimSpace(l)
	if l == "" || strings.Count(l, " ") > 6 {
		return false
	}
	_, ok := lookupLabel(normLabel(l), true)
	return ok
}

// splitLabel splits "Label : value", "Label\tvalue" or "Label: value" and
// returns the field for known labels. roleLabel is set when the label is a
// title ("Gérant : Bruno Castan").
func splitLabel(line string) (label string, f field, value string, ok bool) {
	if !mayHoldLabel(labelHead(line)) {
		return "", fNone, "", false
	}
	return cutLabel(line)
}

// labelHeadLen bounds where cutLabel finds a separator: a label is 60
// bytes at most, and the separator's first byte follows it (the dash of
// " – " one byte after); leader dots start before it.
const labelHeadLen = 62

// labelHead is the start of line that holds any separator cutLabel cuts
// at, for mayHoldLabel: most lines are prose longer than a label, and
// their ends need not be read. A line that starts with a word byte (a
// letter, a digit, "_") is not trimmed at its start; any other is taken
// whole.
// TestLabelHeadHoldsTheCut holds cutLabel to it.
func labelHead(line string) string {
	if len(line) > labelHeadLen && asciiWordBytes[line[0]] {
		return line[:labelHeadLen]
	}
	return line
}

// cutLabel is splitLabel without its quick test of the line.
func cutLabel(line string) (label string, f field, value string, ok bool) {
	t := strings.TrimSpace(line)
	t = strings.TrimLeft(t, "-•·*–>▪◦● ")
	t = strings.TrimSpace(t)
	cut := -1
	sepLen := 0
	if k := strings.IndexByte(t, ':'); k > 0 {
		cut, sepLen = k, 1
	}
	if k := strings.IndexByte(t, '\t'); k > 0 && (cut < 0 || k < cut) {
		cut, sepLen = k, 1
	}
	if k := strings.Index(t, "："); k > 0 && (cut < 0 || k < cut) {
		cut, sepLen = k, len("：")
	}
	// "Raison sociale – Menuiserie X", "Effectif - 3": a dash separates a
	// label from its value when the words before it are a known label and
	// no known label ends at a colon.
	if d, dl := dashCut(t); d > 0 && (cut < 0 || d < cut) {
		if cut < 0 || !knownLabel(t[:cut]) {
			if knownLabel(t[:d]) {
				cut, sepLen = d, dl
			}
		}
	}
	// "NOM........ CASTANIER": a form copied with dot leaders.
	if k, kl := dotLeader(t); k > 0 && (cut < 0 || k < cut) && knownLabel(t[:k]) {
		cut, sepLen = k, kl
	}
	if cut < 0 || cut > 60 {
		return "", fNone, "", false
	}
	label = strings.TrimSpace(t[:cut])
	value = strings.TrimSpace(strings.TrimLeft(t[cut+sepLen:], ":\t "))
	if strings.Count(label, " ") > 8 {
		return "", fNone, "", false
	}
	nl := normLabel(label)
	if fld, ok := lookupLabel(nl, true); ok {
		return label, fld, value, true
	}
	// Long labels are only labels when known ("Nombre de personnes au
	// sein de la structure"): otherwise they are sentences with a colon.
	if strings.Count(label, " ") > 6 {
		return "", fNone, "", false
	}
	// "Tél. portable", "Tél/Fax": try the first word(s).
	if strings.HasPrefix(nl, "tel ") || strings.HasPrefix(nl, "tel/") || strings.HasPrefix(nl, "telephone ") {
		return label, fPhone, value, true
	}
	if strings.HasPrefix(nl, "siret") {
		return label, fSiret, value, true
	}
	return label, fNone, value, true
}

// mayHoldLabel reports whether line holds something splitLabel cuts a
// label at: a colon (":" or the full-width "："), a tab, a dash ("-",
// "–", "—"), leader dots ("..." or "…"); the three-byte ones by their
// first byte, which "–", "—" and "…" share. It is holdsSeparatorByte(line)
// || strings.Contains(line, leaderDots), read in one pass: most lines are
// prose, and each of those six searches went through the whole line
// (TestMayHoldLabelAsSearches).
func mayHoldLabel(line string) bool {
	for i := 0; ; i++ {
		if i = labelStops.next(line, i); i == len(line) {
			return false
		}
		if line[i] != leaderDots[0] || strings.HasPrefix(line[i:], leaderDots) {
			return true
		}
	}
}

// labelStops marks the bytes mayHoldLabel stops at: the separator bytes
// and the first of the leader dots.
var labelStops = func() (t byteSet) {
	for _, c := range separatorBytes {
		t[c] = 1
	}
	t[leaderDots[0]] = 1
	return t
}()

// leaderDots are the dots of a form's leaders written in ASCII.
const leaderDots = "..."

// separatorBytes are the bytes of the separators splitLabel cuts a label
// at, the three-byte ones by their first byte.
var separatorBytes = [...]byte{':', '\t', '-', "："[0], "–"[0]}

// holdsSeparatorByte is mayHoldLabel but for the ASCII leader dots.
func holdsSeparatorByte(s string) bool {
	for _, c := range separatorBytes {
		if strings.IndexByte(s, c) >= 0 {
			return true
		}
	}
	return false
}

// dotLeader returns the offset and length of the first run of at least
// three leader dots (or ellipses) in the first 60 bytes of t, or -1.
func dotLeader(t string) (int, int) {
	w := t[:min(len(t), 60)]
	k := strings.Index(w, leaderDots)
	if e := strings.Index(w, "…"); e >= 0 && (k < 0 || e < k) {
		k = e
	}
	if k <= 0 {
		return -1, 0
	}
	end := k
	for end < len(t) {
		switch {
		case t[end] == '.' || t[end] == ' ' || t[end] == '\t' || t[end] == ':':
			end++
		case strings.HasPrefix(t[end:], "…"):
			end += len("…")
		default:
			return k, end - k
		}
	}
	return k, end - k
}
