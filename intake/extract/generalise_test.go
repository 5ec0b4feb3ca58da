package extract

import (
	"testing"
)

// The tests below prove the generalising rules on mail written for them,
// with other names, places and phrasings than any corpus message.

// applicantOf runs Analyze on a plain application and returns its facts.
func applicantOf(t *testing.T, fromName, from, text string) Result {
	t.Helper()
	r := analyzeText("Candidature programme RSE", fromName, from, text, nil)
	if r.Kind != KindApplication || !r.ShouldAcknowledge {
		t.Fatalf("kind %q ack %v, want an acknowledged application", r.Kind, r.ShouldAcknowledge)
	}
	return r
}

func TestLabelVariants(t *testing.T) {
	tests := []struct {
		line  string
		f     field
		value string
	}{
		// English labels.
		{"Business name: Causse Bikes Ltd", fCompany, "Causse Bikes Ltd"},
		{"Job title: Managing director", fRole, "Managing director"},
		{"Staff: 3", fHeadcount, "3"},
		{"Industry: outdoor tourism", fSector, "outdoor tourism"},
		{"Mobile number: +44 7911 123456", fPhone, "+44 7911 123456"},
		{"Town: Meyrueis", fCommune, "Meyrueis"},
		// Numbered lists and pasted web forms.
		{"3) Raison sociale : Les Ruchers du Mont Aigoual", fCompany, "Les Ruchers du Mont Aigoual"},
		{"12. Effectif : 7", fHeadcount, "7"},
		{"Question 4 - Secteur d'activité : apiculture", fSector, "apiculture"},
		{"Champ 9 – Portable : 07 11 22 33 44", fPhone, "07 11 22 33 44"},
		{"b) Fonction : trésorière", fRole, "trésorière"},
		// One typing error in a long label word, in capitals.
		{"SOCIETTE : AMBULANCES DU TARN", fCompany, "AMBULANCES DU TARN"},
		{"N° SIRETT : 52312345600011", fSiret, "52312345600011"},
		{"EFFECTIFE : 9", fHeadcount, "9"},
		{"ADRESSSE : 3 PLACE DU FORAIL 48130 AUMONT-AUBRAC", fAddress, "3 PLACE DU FORAIL 48130 AUMONT-AUBRAC"},
		{"TELEPHONE PORTABLLE : 0622334455", fPhone, "0622334455"},
		// A qualifier that does not change the field.
		{"Nombre de salariés au sein du GAEC : 14", fHeadcount, "14"},
		{"Secteur d'activité actuel : élevage caprin", fSector, "élevage caprin"},
		// "Nom de la …" asks for the structure's name.
		{"Nom de l'association : Les Amis du Causse", fCompany, "Les Amis du Causse"},
		{"Nom de la ferme : Ferme du Bouquet", fCompany, "Ferme du Bouquet"},
		// A dash after a known label.
		{"Forme juridique / Qualité – présidente", fNone, ""},
		{"Qualité – présidente", fRole, "présidente"},
		{"Téléphone - 04 66 45 12 12", fPhone, "04 66 45 12 12"},
	}
	for _, tt := range tests {
		_, f, v, ok := splitLabel(cleanText(tt.line))
		if tt.f == fNone {
			if ok && f != fNone {
				t.Errorf("splitLabel(%q) = %v, want no field", tt.line, f)
			}
			continue
		}
		if !ok || f != tt.f || v != tt.value {
			t.Errorf("splitLabel(%q) = %v, %q, %v; want %v, %q", tt.line, f, v, ok, tt.f, tt.value)
		}
	}
	// Fuzzy matching must not turn ordinary words into labels.
	for _, line := range []string{
		"Mobilité : nous voulons réduire les trajets", "Attention : le dossier est incomplet",
		"Portail : www.exemple.fr", "Domicile : chez mes parents", "SIREN : 512 874 369",
	} {
		if _, f, _, _ := splitLabel(line); f != fNone && f != fSiren {
			t.Errorf("splitLabel(%q) = %v, want no field", line, f)
		}
	}
	// "Nom - Prénom : X" keeps the colon label, not the dash.
	if _, f, v, _ := splitLabel("Nom - Prénom : VIDAL Agnès"); f != fFullNameLastFirst || v != "VIDAL Agnès" {
		t.Errorf("Nom - Prénom: %v %q", f, v)
	}
}

func TestForeignPhones(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mobile : +44 20 7946 0958", "+442079460958"},
		{"joignable au +49 151 23456789 en semaine", "+4915123456789"},
		{"Tel 0041 76 512 34 56", "+41765123456"},
		{"Portable belge : +32 (0)486 12 34 56", "+32486123456"},
		{"Tél. +352 621 123 456 (Luxembourg)", "+352621123456"},
		{"+33 (0)4 66 65 00 00", "+33466650000"},
		{"Budget + 1 290 000 €", ""},
	}
	checkFirstPhones(t, tests)
}

func TestNamesGeneralise(t *testing.T) {
	// An elided particle is a whole family name.
	if !looksLikePerson("Hugues d'Orgeval") {
		t.Error("Hugues d'Orgeval is a person")
	}
	if f, l := splitName("Hugues d'Orgeval", false); f != "Hugues" || l != "d'Orgeval" {
		t.Errorf("splitName = %q %q", f, l)
	}
	// A display name typed in lower case.
	if got := personFromDisplayName("sylvie marty"); got != "Sylvie Marty" {
		t.Errorf("personFromDisplayName = %q", got)
	}
	if got := personFromDisplayName("contact boulangerie"); got != "" {
		t.Errorf("company display name taken for a person: %q", got)
	}

	r := applicantOf(t, "Paul Vidal", "p.vidal@scierie-vidal.fr",
		"Bonjour,\nNous souhaitons participer au programme.\n\nEntreprise : Scierie Vidal\nContact : Paul Vidal, responsable HSE\nEffectif : 22\n\nCordialement")
	if a := r.Applicant; a.FirstName != "Paul" || a.LastName != "Vidal" || a.Role != "responsable HSE" {
		t.Errorf("contact with title: %q %q %q", a.FirstName, a.LastName, a.Role)
	}
	r = applicantOf(t, "", "h.dorgeval@free.fr",
		"Bonjour,\nJe m'appelle Hugues d'Orgeval et je souhaite candidater pour mon gîte à Meyrueis (48150).\nMerci")
	if a := r.Applicant; a.FirstName != "Hugues" || a.LastName != "d'Orgeval" {
		t.Errorf("intro with particle: %q %q", a.FirstName, a.LastName)
	}
}

func TestRoleAndCompanyGeneralise(t *testing.T) {
	// A legal status is not a title.
	r := applicantOf(t, "Inès Fabre", "ines.fabre@orange.fr",
		"Bonjour, je suis micro-entrepreneuse en céramique à Vebron (48400) et je souhaite participer au programme.\nInès Fabre")
	if r.Applicant.Role != "" {
		t.Errorf("status taken as role: %q", r.Applicant.Role)
	}
	// "notre société se nomme X".
	r = applicantOf(t, "Karim Haddad", "k.haddad@gmail.com",
		"Bonjour,\nje souhaite candidater. Notre société se nomme Lozère Vélo Services et compte 4 salariés.\nKarim Haddad")
	if r.Applicant.Company != "Lozère Vélo Services" {
		t.Errorf("company from 'se nomme': %q", r.Applicant.Company)
	}
	// A title-and-company line under the name, before the closing.
	r = applicantOf(t, "Odile Pradier", "odile.pradier@wanadoo.fr",
		"Bonjour,\nJe souhaite inscrire notre camping au programme.\n\nOdile Pradier\nDirectrice du Camping des Mélèzes\nSIRET : 81234567600017\n\nBien à vous")
	if a := r.Applicant; a.Role != "Directrice" || a.Company != "Camping des Mélèzes" {
		t.Errorf("role line: %q / %q", a.Role, a.Company)
	}
	// A trade named after the owner, typed in lower case.
	r = applicantOf(t, "regis vidal", "vidal.regis@sfr.fr",
		"salut je voudrais participer au programme pour ma menuiserie menuiserie vidal on est 3 a langogne 48300 merci")
	if a := r.Applicant; a.Company != "menuiserie vidal" || a.FirstName != "Regis" || a.LastName != "Vidal" {
		t.Errorf("lower-case mail: company %q name %q %q", a.Company, a.FirstName, a.LastName)
	}
	if a := r.Applicant; a.PostalCode != "48300" || a.Commune != "Langogne" {
		t.Errorf("lower-case commune: %q %q", a.PostalCode, a.Commune)
	}
}

func TestCommuneTable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SAINT-ANDRE-CAPCEZE", "Saint-André-Capcèze"},
		{"CHEYLARD-L'EVEQUE", "Cheylard-l'Évêque"},
		{"ventalon-en-cevennes", "Ventalon en Cévennes"},
		{"St Etienne du Valdonnez", "Saint-Étienne-du-Valdonnez"},
		{"SEVERAC D'AVEYRON", "Séverac-d'Aveyron"},
	}
	for _, tt := range tests {
		if got := normCommune(tt.in, ""); got != tt.want {
			t.Errorf("normCommune(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ text, pc, commune string }{
		{"on est basé a saint chely d'apcher 48200 depuis 2010", "48200", "Saint-Chély-d'Apcher"},
		{"adresse 12 rue haute 48400 florac trois rivieres", "48400", "Florac Trois Rivières"},
		{"SIRET 812 345 676 00017", "", ""},
	} {
		pc, c := knownCommuneAround(tt.text, "")
		if pc != tt.pc || c != tt.commune {
			t.Errorf("knownCommuneAround(%q) = %q %q", tt.text, pc, c)
		}
	}
}

func TestHeadcountAndSectorGeneralise(t *testing.T) {
	tests := []struct {
		text   string
		want   int // 0: none
		sector string
	}{
		{"Je souhaite candidater. Je travaille seule dans mon atelier de reliure à Florac (48400).", 1, ""},
		{"Je souhaite candidater. Je travaille seul avec mon apprenti à Mende (48000).", 0, ""},
		{"Je souhaite candidater. Je suis seule à porter ce projet, à Mende (48000).", 0, ""},
		{"Je souhaite candidater.\nNombre de personnes au sein de la structure : 1 (moi)\nCode postal : 48000", 1, ""},
		{"Je souhaite candidater. Notre secteur d'activité est la restauration traditionnelle. Mende (48000).", 0, "restauration traditionnelle"},
	}
	for _, tt := range tests {
		r := applicantOf(t, "Anne Rouvière", "anne.rouviere@free.fr", tt.text)
		got := 0
		if r.Applicant.Headcount != nil {
			got = *r.Applicant.Headcount
		}
		if got != tt.want || r.Applicant.Sector != tt.sector {
			t.Errorf("%q: headcount %d sector %q", tt.text, got, r.Applicant.Sector)
		}
	}
}

func TestNonApplicantsGeneralise(t *testing.T) {
	tests := []struct {
		name, subject, fromName, from, text string
		hdrs                                map[string]string
		kind                                string
	}{
		{"sales pitch with catalogue wording", "Accompagnez vos candidats vers le label", "Julie Sarda - Verdure Conseil", "j.sarda@verdure-conseil.fr",
			"Bonjour,\n\nPermettez-moi de vous présenter Verdure Conseil. Nous proposons des audits énergétiques à tarif préférentiel pour vos participants, finançables par leur OPCO.\n\nBien à vous,\nJulie Sarda\nVerdure Conseil – 34000 Montpellier\nSIRET 81234567600017", nil, KindOther},
		{"radio interview", "Émission sur la RSE", "Marc Delon", "m.delon@radio-lozere.fr",
			"Bonjour,\nJournaliste pour Radio Lozère, je souhaiterais réaliser un reportage sur votre programme et rencontrer deux ou trois entreprises.\nMarc Delon\n06 71 82 93 04", nil, KindOther},
		{"spouse asks about the file", "Dossier de mon mari", "Hélène Bastide", "helene.bastide@orange.fr",
			"Bonjour,\nMon mari vous a envoyé son dossier pour la Ferme Bastide la semaine dernière. Est-il complet ?\nHélène Bastide\n48190 Le Bleymard", nil, KindOther},
		{"applicant asks whether it arrived", "Ma candidature", "Yves Crouzet", "yves.crouzet@gmail.com",
			"Bonjour,\nJ'ai envoyé ma candidature pour le programme lundi, pouvez-vous me dire si elle a bien été reçue ? Je n'ai pas eu de retour.\nYves Crouzet\nCrouzet Élagage, 48150 Meyrueis", nil, KindOther},
		{"ooo subject, facts in signature, reference", "Réponse automatique : RSE-2026-0012", "Lise Pagès", "lise@pages-bois.fr",
			"Bonjour,\nJe suis absente jusqu'au 8 janvier.\n\nLise Pagès\nPagès Bois SARL – 48200 Saint-Chély-d'Apcher\nSIRET 812 345 676 00017", nil, KindAutoReply},
		{"headerless ooo with signature", "Re: votre message", "Lise Pagès", "lise@pages-bois.fr",
			"Je suis en congé et de retour le 8 janvier.\n\nLise Pagès\nPagès Bois\n48200 Saint-Chély-d'Apcher\nSIRET 812 345 676 00017", nil, KindAutoReply},
		{"form platform notification", "Nouvelle réponse : Candidature RSE", "Typeform", "team@typeform.com",
			"Nouvelle réponse\nEntreprise : Fromagerie du Causse\nEffectif : 6\nCode postal : 48500", nil, KindOther},
	}
	for _, tt := range tests {
		r := analyzeText(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs)
		if r.Kind != tt.kind || r.ShouldAcknowledge {
			t.Errorf("%s: kind %q ack %v, want %q", tt.name, r.Kind, r.ShouldAcknowledge, tt.kind)
		}
		if !r.Applicant.IsZero() {
			t.Errorf("%s: applicant fields set", tt.name)
		}
	}
}

func TestApplicantsStayApplicants(t *testing.T) {
	tests := []struct{ name, subject, text string }{
		{"training firm applying", "Candidature",
			"Bonjour,\nNotre organisme propose des formations et nos prestations évoluent : je souhaite candidater au programme.\nEntreprise : Form'Aubrac\nEffectif : 5\nCode postal : 48130\nCordialement"},
		{"secretary sends the boss's application", "Candidature de notre gérant",
			"Bonjour,\nNotre gérant m'a demandé de vous transmettre sa candidature. Pouvez-vous confirmer la réception ?\nEntreprise : Vidal Frères\nSIRET : 81234567600017\nEffectif : 12\nCode postal : 48100"},
		{"application asking a question", "Candidature RSE",
			"Bonjour,\nJe vous envoie ma candidature. Pourriez-vous me dire quand commence la session ?\nSociété : Atelier Lumen\nSIRET : 81234567600017\nCommune : Mende"},
	}
	for _, tt := range tests {
		r := analyzeText(tt.subject, "Claire Bouquet", "claire@exemple.fr", tt.text, nil)
		if r.Kind != KindApplication || !r.ShouldAcknowledge {
			t.Errorf("%s: kind %q ack %v", tt.name, r.Kind, r.ShouldAcknowledge)
		}
	}
}

func TestCorrectionFollowUp(t *testing.T) {
	text := "Bonjour,\n\nUne petite correction : nous avons déménagé l'atelier, la bonne adresse est 2 rue du Pont, 48100 Marvejols.\n\nBien à vous,\nAgnès Vidal\n\nLe 2 déc. 2026 à 10:12, Agnès Vidal <agnes.vidal@gmail.com> a écrit :\n> Bonjour, voici ma candidature.\n> Atelier à Mende (48000)\n"
	r := analyzeText("Re: Candidature atelier", "Agnès Vidal", "agnes.vidal@gmail.com", text, map[string]string{"In-Reply-To": "<orig@gmail.com>"})
	if r.Kind != KindFollowUp || !r.ShouldAcknowledge {
		t.Fatalf("kind %q ack %v", r.Kind, r.ShouldAcknowledge)
	}
	if a := r.Applicant; a.PostalCode != "48100" || a.Commune != "Marvejols" {
		t.Errorf("corrected place: %q %q", a.PostalCode, a.Commune)
	}
}
