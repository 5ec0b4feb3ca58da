package extract

import (
	"strings"
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
	"poste dans l'entreprise": fRole, "statut dans l'entreprise": fRole, "qualite du signataire": fRole,

	"entreprise": fCompany, "societe": fCompany, "raison sociale": fCompany, "nom de l'entreprise": fCompany,
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
	"nombre de personnes": fHeadcount, "taille de l'entreprise": fHeadcount, "effectif actuel": fHeadcount,
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
}

// labelNoise removes plural and gender marks and markdown from labels.
var labelNoise = strings.NewReplacer("(s)", "", "(e)", "", "(es)", "", "*", "", "\t", " ")

// normLabel folds a label and removes what varies without changing its
// meaning: "N° SIRET", "Votre téléphone", "Effectif(s)", "Tél.".
func normLabel(l string) string {
	f := labelNoise.Replace(fold(l))
	f = collapseSpaces(f)
	f = strings.TrimRight(f, " .:-")
	for _, p := range []string{"- ", "• ", "· ", "o "} {
		f = strings.TrimPrefix(f, p)
	}
	for changed := true; changed; {
		changed = false
		for _, p := range []string{"votre ", "vos ", "mon ", "ma ", "mes ", "notre ", "nos ", "n° ", "n°", "no ", "no. ", "n. ", "n ", "numero de ", "numero ", "num ", "num. ", "nº "} {
			if strings.HasPrefix(f, p) && len(f) > len(p) {
				f = strings.TrimSpace(f[len(p):])
				changed = true
			}
		}
	}
	return strings.TrimRight(f, " .")
}

// splitLabel splits "Label : value", "Label\tvalue" or "Label: value" and
// returns the field for known labels. roleLabel is set when the label is a
// title ("Gérant : Bruno Castan").
func splitLabel(line string) (label string, f field, value string, ok bool) {
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
	if cut < 0 || cut > 60 {
		return "", fNone, "", false
	}
	label = strings.TrimSpace(t[:cut])
	value = strings.TrimSpace(strings.TrimLeft(t[cut+sepLen:], ":\t "))
	if strings.Count(label, " ") > 6 {
		return "", fNone, "", false
	}
	nl := normLabel(label)
	if fld, ok := labelFields[nl]; ok {
		return label, fld, value, true
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
