package extract

import (
	"testing"
)

// Round 4: the classes of error of the `holdout2` corpus, each written
// anew with other people, companies, places and phrasings.

func TestRound4Classification(t *testing.T) {
	tests := []struct {
		name string
		subj string
		who  string
		from string
		text string
		hdrs map[string]string
		want string
	}{
		{"questions before applying, with SIRET and address, future intent",
			"Renseignements programme RSE", "Gilles Boyer", "gilles.boyer@wanadoo.fr",
			"Bonjour,\n\nJe dirige une petite boulangerie à Aumont-Aubrac (48130), 4 salariés, SIRET 812 345 676 00017.\n\n" +
				"Je compte candidater à la prochaine session mais je déposerai mon dossier seulement après notre inventaire de décembre. " +
				"Les ateliers ont-ils lieu à Mende ou en visio ?\n\nBien cordialement,\nGilles Boyer\n06 11 22 33 44", nil, KindOther},
		{"eligibility asked in the conditional",
			"Question", "Nadia Roux", "nadia.roux@gmail.com",
			"Bonjour,\n\nNotre SCOP de 18 salariés, installée à Florac (48400), serait-elle éligible au programme ? " +
				"Le siège est en Lozère mais une partie de l'équipe travaille dans le Gard.\n\nMerci,\nNadia Roux\nCo-gérante", nil, KindOther},
		{"an application that ends with a question is still one",
			"Candidature – Atelier Cabrol", "Julien Cabrol", "julien@atelier-cabrol.fr",
			"Bonjour,\n\nJe vous adresse ma candidature au programme.\nEntreprise : Atelier Cabrol\nSIRET : 812 345 676 00017\n" +
				"Effectif : 7\nCode postal : 48200\nCommune : Saint-Chély-d'Apcher\n\nLes dates des ateliers sont-elles déjà fixées ?\n\nJulien Cabrol", nil, KindApplication},
		{"Thunderbird reply to the call for applications with the facts in sentences",
			"Re: Lancement de l'appel à candidatures RSE 2027", "Martine Bouviala", "m.bouviala@cave-du-causse.fr",
			"Bonjour,\n\nJe gère la Cave du Causse, caviste à Meyrueis (48150) ; nous sommes 5 salariés.\n" +
				"Mon numéro : 06 87 65 43 21. Le SIRET suivra dès réception du Kbis.\n\nMartine Bouviala\n\n" +
				"Le 28/10/2026 à 10:15, Coordination RSE a écrit :\n> Bonjour,\n> L'appel à candidatures est ouvert : 6 demi-journées pour les dirigeants de 1 à 49 salariés.\n" +
				"> Contact : 04 66 65 20 10, 48000 Mende",
			map[string]string{"In-Reply-To": "<call-2027@rse-lozere.fr>"}, KindApplication},
		{"a reply to the call that only sends a SIRET is a follow-up",
			"Re: Appel à candidatures", "Martine Bouviala", "m.bouviala@cave-du-causse.fr",
			"Bonjour,\n\nComme promis, voici le SIRET : 812 345 676 00017.\n\nMartine Bouviala\n\n" +
				"Le 28/10/2026 à 10:15, Coordination RSE a écrit :\n> L'appel à candidatures est ouvert.",
			map[string]string{"In-Reply-To": "<call-2027@rse-lozere.fr>"}, KindFollowUp},
	}
	for _, tt := range tests {
		r := Analyze(r2Message(tt.subj, tt.who, tt.from, tt.text, tt.hdrs), testProgram)
		if r.Kind != tt.want {
			t.Errorf("%s: kind %q, want %q", tt.name, r.Kind, tt.want)
		}
		if ack := tt.want == KindApplication || tt.want == KindFollowUp; r.ShouldAcknowledge != ack {
			t.Errorf("%s: should_acknowledge %v, want %v", tt.name, r.ShouldAcknowledge, ack)
		}
	}
}

func TestRound4Fields(t *testing.T) {
	// The company's place, announced as its seat, beats a clients' town
	// written earlier as "Commune (CP)"; the code ends a wrapped line.
	r := applicantOf(t, "Laure Pagès", "laure.pages@orange.fr",
		"Madame, Monsieur,\n\nNous livrons surtout des restaurants de Rodez (12000) et de Millau.\n"+
			"Je vous présente ma candidature : notre fromagerie, dont le siège social se trouve route de Javols, 48130\n"+
			"Peyre en Aubrac, emploie 6 salariés.\n\nLaure Pagès\nGérante")
	if a := r.Applicant; a.PostalCode != "48130" || a.Commune != "Peyre en Aubrac" {
		t.Errorf("own place: %q %q", a.PostalCode, a.Commune)
	}
	// An approximate count is no headcount.
	for _, v := range []string{"une quinzaine de salariés", "une vingtaine", "Une dizaine"} {
		if n, ok := headcountValue(v); ok {
			t.Errorf("headcountValue(%q) = %d, want none", v, n)
		}
	}
	if n, ok := headcountValue("douze salariés"); !ok || n != 12 {
		t.Errorf("headcountValue(douze) = %d %v", n, ok)
	}
	// A title as the label of the author's name.
	r = applicantOf(t, "", "b.teissier@laposte.net",
		"Bonjour,\nJe souhaite participer au programme.\nExploitante agricole : Brigitte Teissier\nExploitation : Ferme de la Fage\n"+
			"SIRET : 812 345 676 00017\nEffectif : 2\nCode postal : 48170\nCommune : Châteauneuf-de-Randon")
	if a := r.Applicant; a.Role != "Exploitante agricole" || a.FirstName != "Brigitte" || a.LastName != "Teissier" {
		t.Errorf("role label: %q %q %q", a.Role, a.FirstName, a.LastName)
	}
	// The From display lacks accents and half the compound name; the
	// signature has them.
	r = applicantOf(t, "Helene Bories", "helene.bories@free.fr",
		"Bonjour,\nJe souhaite inscrire ma société au programme : Bories Paysage, 48200 Saint-Chély-d'Apcher, 3 salariés.\n\n"+
			"Cordialement,\nHélène Bories-Malige\nGérante")
	if a := r.Applicant; a.FirstName != "Hélène" || a.LastName != "Bories-Malige" {
		t.Errorf("fuller name: %q %q", a.FirstName, a.LastName)
	}
	// Without an accented spelling anywhere, the name stays as typed.
	r = applicantOf(t, "Jerome Astruc", "jerome.astruc@free.fr",
		"Bonjour,\nJe souhaite inscrire ma société au programme : Astruc Bois, 48200 Saint-Chély-d'Apcher, 3 salariés.\n\nJerome Astruc")
	if a := r.Applicant; a.FirstName != "Jerome" || a.LastName != "Astruc" {
		t.Errorf("unaccented name: %q %q", a.FirstName, a.LastName)
	}
}

func TestRound4Communes(t *testing.T) {
	tests := []struct{ in, want string }{
		// A hyphen typed with care is kept, the table's accents added.
		{"Cans-et-Cevennes", "Cans-et-Cévennes"},
		// Spaces typed where the table has hyphens: the table wins.
		{"Saint Germain de Calberte", "Saint-Germain-de-Calberte"},
		// Careless case: the table's spelling.
		{"CANS-ET-CEVENNES", "Cans et Cévennes"},
		// A commune outside the table typed without accents: the accents
		// of the table's words come back.
		{"SAINT-MARTIN-DE-BOUBAUX-LES-CEVENNES", "Saint-Martin-de-Boubaux-les-Cévennes"},
		// Natural case outside the table: only the accents come back.
		{"Le Vernet-sur-Lozere", "Le Vernet-sur-Lozère"},
	}
	for _, tt := range tests {
		if got := normCommune(tt.in, ""); got != tt.want {
			t.Errorf("normCommune(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
