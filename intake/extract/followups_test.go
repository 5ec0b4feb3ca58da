package extract

import (
	"strings"
	"testing"
)

// Follow-ups name the company in their text or signature; the quoted
// history must not give it.
func TestFollowUpCompanyFromOwnText(t *testing.T) {
	tests := []struct {
		name, subject, fromName, from, text string
		hdrs                                map[string]string
		attachments                         []string
		company, siret                      string
	}{
		{"company in the signature, quoted history below", "Re: Candidature RSE", "Marc Pagès", "marc.pages@gmail.com",
			"Bonjour,\n\nVoici le numéro manquant : 812 345 676 00017.\n\nCordialement,\nMarc Pagès\nGérant – Scierie Pagès\n\n" +
				"Le mar. 3 nov. 2026 à 09:12, Marc Pagès <marc.pages@gmail.com> a écrit :\n> Bonjour, je souhaite candidater pour la Menuiserie du Lot.\n> SIRET à venir.\n",
			map[string]string{"In-Reply-To": "<orig-1@mail.gmail.com>"}, nil, "Scierie Pagès", "81234567600017"},
		{"company on a plain signature line", "RE: Votre candidature RSE-2026-0012", "Sylvie Marty", "s.marty@orange.fr",
			"Bonjour,\n\nComme convenu, voici notre SIRET : 81234567600017.\n\nBien à vous,\n\nSylvie Marty\nLes Jardins de la Margeride\n48200 Saint-Chély-d'Apcher", nil, nil, "Les Jardins de la Margeride", "81234567600017"},
		{"Kbis attached, company in the sentence", "Kbis", "Paul Rouvière", "paul.rouviere@free.fr",
			"Bonjour,\n\nPour compléter ma candidature, ci-joint mon Kbis de la Menuiserie Rouvière.\n\nBonne journée,\nPaul Rouvière", nil, []string{"Kbis.pdf"}, "Menuiserie Rouvière", ""},
		{"missing number of a named company", "Re: Votre candidature RSE-2026-0004", "Anne Crouzet", "anne@crouzet-elagage.fr",
			"Bonjour,\nvoici le numéro manquant, le SIRET de Crouzet Élagage : 812 345 676 00017.\nAnne Crouzet", nil, nil, "Crouzet Élagage", "81234567600017"},
		{"extrait Kbis of a SARL", "Re: Votre candidature RSE-2026-0009", "Jean Vidal", "jean.vidal@wanadoo.fr",
			"Bonjour,\nVous trouverez ci-joint l'extrait Kbis de la SARL Vidal Frères, comme demandé.\nCordialement\nJean Vidal", nil, []string{"extrait-kbis.pdf"}, "SARL Vidal Frères", ""},
	}
	for _, tt := range tests {
		r := Analyze(message(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs, tt.attachments...), testProgram)
		checkKind(t, tt.name, r, KindFollowUp)
		if normCompany(r.Applicant.Company) != normCompany(tt.company) || r.Applicant.Siret != tt.siret {
			t.Errorf("%s: company %q siret %q, want %q %q", tt.name, r.Applicant.Company, r.Applicant.Siret, tt.company, tt.siret)
		}
	}
}

// Follow-ups sent as new mail (no reply headers, no reference): papers
// "ci-joint mon Kbis", a signature glued to the text, an assistant writing
// for the boss.
func TestFollowUpsSentAsNewMail(t *testing.T) {
	tests := []struct {
		name, subject, fromName, from, text string
		attachments                         []string
		first, last, company, role, siret   string
	}{
		{"bare Kbis", "Kbis", "Paul Rouvière", "paul.rouviere@free.fr",
			"Bonjour,\nci-joint mon Kbis.\nPaul Rouvière\nMenuiserie Rouvière", []string{"kbis.pdf"}, "Paul", "Rouvière", "Menuiserie Rouvière", "", ""},
		{"missing number, no reply headers", "SIRET manquant", "Paul Rouvière", "paul.rouviere@free.fr",
			"Bonjour,\nvoici le numéro manquant : 812 345 676 00017\nPaul Rouvière\nMenuiserie Rouvière", nil, "Paul", "Rouvière", "Menuiserie Rouvière", "", "81234567600017"},
		{"papers, signature glued to the text", "Documents", "Claire Vidal", "claire@vidal-bois.fr",
			"Bonjour,\nVoici mon extrait Kbis et l'attestation URSSAF, comme demandé par Mme Bonnefoy.\nClaire Vidal\nGérante – Vidal Bois\n48100 Marvejols",
			[]string{"kbis.pdf", "urssaf.pdf"}, "Claire", "Vidal", "Vidal Bois", "Gérante", ""},
		{"secretary sends the boss's number", "Re: Votre candidature RSE-2026-0004", "Secrétariat Garage Castan", "secretariat@garage-castan.fr",
			"Bonjour,\nDe la part de M. Bruno Castan, voici le SIRET du Garage Castan : 812 345 676 00017.\nCordialement\nLe secrétariat", nil, "Bruno", "Castan", "Garage Castan", "", "81234567600017"},
	}
	for _, tt := range tests {
		r := Analyze(message(tt.subject, tt.fromName, tt.from, tt.text, nil, tt.attachments...), testProgram)
		checkKind(t, tt.name, r, KindFollowUp)
		a := r.Applicant
		if a.FirstName != tt.first || a.LastName != tt.last || normCompany(a.Company) != normCompany(tt.company) || !strings.EqualFold(a.Role, tt.role) || a.Siret != tt.siret {
			t.Errorf("%s: %q %q company %q role %q siret %q", tt.name, a.FirstName, a.LastName, a.Company, a.Role, a.Siret)
		}
	}
}

// A reply that corrects the address gives the new one, not the quoted one.
func TestFollowUpCorrectsThePlace(t *testing.T) {
	text := "Bonjour,\n\nUne petite correction : nous avons déménagé l'atelier, la bonne adresse est 2 rue du Pont, 48100 Marvejols.\n\nBien à vous,\nAgnès Vidal\n\nLe 2 déc. 2026 à 10:12, Agnès Vidal <agnes.vidal@gmail.com> a écrit :\n> Bonjour, voici ma candidature.\n> Atelier à Mende (48000)\n"
	r := analyzeText("Re: Candidature atelier", "Agnès Vidal", "agnes.vidal@gmail.com", text, map[string]string{"In-Reply-To": "<orig@gmail.com>"})
	if r.Kind != KindFollowUp || !r.ShouldAcknowledge {
		t.Fatalf("kind %q ack %v", r.Kind, r.ShouldAcknowledge)
	}
	if a := r.Applicant; a.PostalCode != "48100" || a.Commune != "Marvejols" {
		t.Errorf("corrected place: %q %q", a.PostalCode, a.Commune)
	}
}

// A reference written in the text, in any case and width, makes a follow-up.
func TestReferenceInTextMakesAFollowUp(t *testing.T) {
	r := analyzeText("Complément", "Camille Rousset", "c@x.fr", "Pour compléter mon dossier (référence rse-2026-12), voici le SIRET : 912 847 365 00018", nil)
	if r.Kind != KindFollowUp || r.Reference != "RSE-2026-0012" {
		t.Errorf("got %q %q", r.Kind, r.Reference)
	}
}

// TestFindReference reads a reference wherever its prefix starts a word,
// in any case, with the separators people write.
func TestFindReference(t *testing.T) {
	for s, want := range map[string]string{
		"RSE-2026-0007": "RSE-2026-0007",
		"Suite à mon dossier rse 2026 7, merci.": "RSE-2026-0007",
		"réf. RSE_2026-12":                       "RSE-2026-0012",
		"RSE–2026–0003":                          "RSE-2026-0003",
		"COURSE-2026-0001":                       "",
		"RSE-2026":                               "",
		"rse rse RSE2026-0042 2020":              "RSE-2026-0042",
		"programme RSE, le 12/10/2026":           "",
		"":                                       "",
		"20":                                     "",
		"RSE-1999-0001 puis RSE-2025-0002":       "RSE-2025-0002",
	} {
		if got := findReference(s, "RSE"); got != want {
			t.Errorf("findReference(%q) = %q, want %q", s, got, want)
		}
		if got, want := lastIndex20(s), strings.LastIndex(s, "20"); got != want {
			t.Errorf("lastIndex20(%q) = %d, want %d", s, got, want)
		}
	}
	for _, s := range []string{"2", "202", "2020", "20202", "x220", "0220"} {
		if got, want := lastIndex20(s), strings.LastIndex(s, "20"); got != want {
			t.Errorf("lastIndex20(%q) = %d, want %d", s, got, want)
		}
	}
}
