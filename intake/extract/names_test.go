package extract

import (
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

func TestSplitName(t *testing.T) {
	tests := []struct {
		in          string
		lastFirst   bool
		first, last string
	}{
		{"Marie Dupont", false, "Marie", "Dupont"},
		{"DUPONT Marie", false, "Marie", "Dupont"},
		{"Marie DUPONT", false, "Marie", "Dupont"},
		{"Marie-Hélène de La Tour", false, "Marie-Hélène", "de La Tour"},
		{"Jean van der Berg", false, "Jean", "van der Berg"},
		{"Dupont Marie", false, "Marie", "Dupont"},
		{"Dupont Marie", true, "Marie", "Dupont"},
		{"Dupont, Marie", false, "Marie", "Dupont"},
		{"M. Bruno Castan", false, "Bruno", "Castan"},
		{"GINESTET Isabelle", false, "Isabelle", "Ginestet"},
		{"Gérard TEISSÈDRE", false, "Gérard", "Teissèdre"},
		{"BOYER Léa", true, "Léa", "Boyer"},
		{"jean-marc rouquette", false, "Jean-Marc", "Rouquette"},
		{"Hugues d'Orgeval", false, "Hugues", "d'Orgeval"},
	}
	for _, tt := range tests {
		f, l := splitName(tt.in, tt.lastFirst)
		if f != tt.first || l != tt.last {
			t.Errorf("splitName(%q, %v) = %q, %q; want %q, %q", tt.in, tt.lastFirst, f, l, tt.first, tt.last)
		}
	}
}

func TestLooksLikePerson(t *testing.T) {
	for _, s := range []string{"Marie Dupont", "DUPONT Marie", "Marie-Hélène de La Tour", "Bruno Castan", "Hugues d'Orgeval"} {
		if !looksLikePerson(s) {
			t.Errorf("looksLikePerson(%q) = false", s)
		}
	}
	for _, s := range []string{"Brasserie de la Colagne", "Garage Castan", "Coordination RSE Lozère", "Mail Delivery System", "contact@x.fr", "Cordialement"} {
		if looksLikePerson(s) {
			t.Errorf("looksLikePerson(%q) = true", s)
		}
	}
}

// TestNamesInMail reads the applicant's name from introductions,
// signatures and display names, with the accents the body gives.
func TestNamesInMail(t *testing.T) {
	checkFields(t, []fieldCase{
		{name: "moi c'est", from: "r.boyer@free.fr",
			text: "Adishatz,\nMoi c'est Robert Boyer, je tiens la scierie du village, on est 5.\n\nRobert",
			want: map[string]string{"first_name": "Robert", "last_name": "Boyer"}},
		{name: "introduction with a typo", from: "s.martin@hotmail.fr",
			text: "Bonsoir\nJe m'appele Sophie Martin et j'ai une boulangerie à Langogne.\nSophie",
			want: map[string]string{"first_name": "Sophie", "last_name": "Martin"}},
		{name: "household address: the signature's first name, the household's surname", fromName: "Famille Rouquette", from: "famille.rouquette@orange.fr",
			text: "Bonjour,\nVoici enfin le document promis.\n\nMarie-Claire\n",
			want: map[string]string{"first_name": "Marie-Claire", "last_name": "Rouquette"}},
		{name: "accents from the body", fromName: "Agnes Esperou", from: "ferme.esperou@orange.fr",
			text: "Bonjour, moi c'est Agnès Espérou, j'élève des chèvres à Meyrueis et je souhaite participer au programme RSE.\nSiret : 84715209300013\nMerci",
			want: map[string]string{"first_name": "Agnès", "last_name": "Espérou"}},
		{name: "fuller name in the signature", fromName: "Helene Bories", from: "helene.bories@free.fr",
			text: "Bonjour,\nJe souhaite inscrire ma société au programme : Bories Paysage, 48200 Saint-Chély-d'Apcher, 3 salariés.\n\nCordialement,\nHélène Bories-Malige\nGérante",
			want: map[string]string{"first_name": "Hélène", "last_name": "Bories-Malige"}},
		{name: "no accented spelling anywhere: as typed", fromName: "Jerome Astruc", from: "jerome.astruc@free.fr",
			text: "Bonjour,\nJe souhaite inscrire ma société au programme : Astruc Bois, 48200 Saint-Chély-d'Apcher, 3 salariés.\n\nJerome Astruc",
			want: map[string]string{"first_name": "Jerome", "last_name": "Astruc"}},
		{name: "contact label with a title", fromName: "Paul Vidal", from: "p.vidal@scierie-vidal.fr",
			text: "Bonjour,\nNous souhaitons participer au programme.\n\nEntreprise : Scierie Vidal\nContact : Paul Vidal, responsable HSE\nEffectif : 22\n\nCordialement",
			want: map[string]string{"first_name": "Paul", "last_name": "Vidal", "role": "responsable HSE"}},
		{name: "introduction with a particle", from: "h.dorgeval@free.fr",
			text: "Bonjour,\nJe m'appelle Hugues d'Orgeval et je souhaite candidater pour mon gîte à Meyrueis (48150).\nMerci",
			want: map[string]string{"first_name": "Hugues", "last_name": "d'Orgeval"}},
		{name: "company display name, person signs below", fromName: "SARL Dupont Frères", from: "contact@dupont-freres.fr",
			text: "Bonjour,\n\nNous souhaitons inscrire notre entreprise au programme « J'initie, je m'engage RSE ».\nNous sommes une entreprise de maçonnerie de 8 salariés basée à Marvejols (48100).\n\nCordialement,\n\nMarc Dupont\nCo-gérant",
			want: map[string]string{"first_name": "Marc", "last_name": "Dupont", "role": "Co-gérant", "company": ""}},
		{name: "company display name, no name in the body", fromName: "Boulangerie Vidal", from: "boulangerie.vidal@orange.fr",
			text: "Bonjour,\nJe souhaite candidater au programme. Nous sommes 5 salariés à Florac (48400).\nMerci",
			want: map[string]string{"first_name": "", "last_name": "", "company": "", "postal_code": "48400"}},
	})
}

// TestPersonFromDisplayName takes a person's name from a From display
// name, never a company's or a household's.
func TestPersonFromDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"sylvie marty":        "Sylvie Marty",
		"contact boulangerie": "",
		"Famille Rouquette":   "",
	} {
		if got := personFromDisplayName(in); got != want {
			t.Errorf("personFromDisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAccentedInText finds the accented spelling of a name the body gives.
func TestAccentedInText(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"Helene", "Bonsoir,\nle dossier complet suit.\nHélène", "Hélène"},
		{"Leger", "un repas léger", "Leger"},            // a lower-case common word is not the name
		{"Rene Martin", "René Martinez", "Rene Martin"}, // nor is a longer name
	}
	for _, tt := range tests {
		if got := accentedInText(tt.name, tt.text); got != tt.want {
			t.Errorf("accentedInText(%q, %q) = %q, want %q", tt.name, tt.text, got, tt.want)
		}
	}
}

// An assistant writes for the boss: the facts are the company's, the
// applicant is the boss when named.
func TestAssistantWritesForTheBoss(t *testing.T) {
	r := Analyze(message("Candidature programme RSE – Menuiserie Rouvière", "Sophie Martin", "secretariat@menuiserie-rouviere.fr",
		"Bonjour,\n\nJe suis l'assistante de M. Jean Rouvière, gérant de la Menuiserie Rouvière à Langogne (48300). "+
			"Il souhaite candidater au programme « J'initie, je m'engage RSE » et m'a chargée de vous transmettre sa candidature.\n\n"+
			"L'entreprise emploie 12 salariés. SIRET : 812 345 676 00017.\nVous pouvez le joindre directement au 06 71 82 93 04.\n\n"+
			"Cordialement,\nSophie Martin\nAssistante de direction\nMenuiserie Rouvière – 04 66 69 10 20", nil), testProgram)
	if r.Kind != KindApplication || !r.ShouldAcknowledge {
		t.Fatalf("kind %q ack %v", r.Kind, r.ShouldAcknowledge)
	}
	a := r.Applicant
	if a.FirstName != "Jean" || a.LastName != "Rouvière" || a.Role != "gérant" {
		t.Errorf("applicant %q %q role %q, want the boss Jean Rouvière, gérant", a.FirstName, a.LastName, a.Role)
	}
	if a.Company != "Menuiserie Rouvière" || a.Siret != "81234567600017" || a.PostalCode != "48300" || a.Commune != "Langogne" {
		t.Errorf("company facts: %q %q %q %q", a.Company, a.Siret, a.PostalCode, a.Commune)
	}
	if a.Headcount == nil || *a.Headcount != 12 {
		t.Errorf("headcount %v", a.Headcount)
	}
	if a.Phone != "+33671829304" {
		t.Errorf("phone %q, want the boss's direct line", a.Phone)
	}

	// "de la part de notre directrice, Mme Claire Bouquet".
	r = Analyze(message("Inscription au programme", "Accueil Gîtes du Mont Lozère", "accueil@gites-montlozere.fr",
		"Bonjour,\n\nDe la part de notre directrice, Mme Claire Bouquet, je vous adresse la candidature des Gîtes du Mont Lozère au programme.\n"+
			"Nous sommes situés au Pont-de-Montvert (48220) et comptons 6 salariés.\n\nBien cordialement,\nLéa Fabre, secrétariat", nil), testProgram)
	if r.Kind != KindApplication || !r.ShouldAcknowledge {
		t.Fatalf("on behalf of: kind %q ack %v", r.Kind, r.ShouldAcknowledge)
	}
	if a := r.Applicant; a.FirstName != "Claire" || a.LastName != "Bouquet" || a.Role != "directrice" {
		t.Errorf("on behalf of: applicant %q %q role %q, want Claire Bouquet, directrice", a.FirstName, a.LastName, a.Role)
	}
	if a := r.Applicant; a.PostalCode != "48220" || a.Headcount == nil || *a.Headcount != 6 {
		t.Errorf("on behalf of: facts %q %v", a.PostalCode, a.Headcount)
	}
}

// TestNameLabelOrder: a "Nom" label holding the whole name is read last
// name first only when nothing says otherwise: capitals, the sender's
// display name or a known first name tell the order.
func TestNameLabelOrder(t *testing.T) {
	facts := "\nEntreprise : Menuiserie du Lot\nSIRET : 812 345 676 00017\nEffectif : 4\nCode postal : 48000\n"
	checkFields(t, []fieldCase{
		{name: "sender's display name gives the order", fromName: "Thomas Vergnet", from: "t.vergnet@menuiserie-lot.fr",
			text: "Bonjour,\nVoici ma candidature au programme.\nNom : Thomas Vergnet" + facts,
			want: map[string]string{"first_name": "Thomas", "last_name": "Vergnet"}},
		{name: "a known first name gives the order", from: "contact@menuiserie-lot.fr",
			text: "Bonjour,\nVoici ma candidature au programme.\nNom : Sandrine Causse" + facts,
			want: map[string]string{"first_name": "Sandrine", "last_name": "Causse"}},
		{name: "last name in capitals first", from: "contact@menuiserie-lot.fr",
			text: "Bonjour,\nVoici ma candidature au programme.\nNom : VERGNET Thomas" + facts,
			want: map[string]string{"first_name": "Thomas", "last_name": "Vergnet"}},
		{name: "sender written last name first", fromName: "Vergnet Thomas", from: "contact@menuiserie-lot.fr",
			text: "Bonjour,\nVoici ma candidature au programme.\nNom : Vergnet Thomas" + facts,
			want: map[string]string{"first_name": "Thomas", "last_name": "Vergnet"}},
	})
}

// TestNameTokensAsFields holds nameTokens, which cuts the collapsed name
// at its spaces, to strings.Fields of it.
func TestNameTokensAsFields(t *testing.T) {
	for _, s := range []string{"", " ", "Jean", "  Jean   Dupont ", "M. Jean\tDupont", "\"Mme Élodie\u00a0Martin\" <x>", "Dr  Paul\u2003Émile Roux", "Mme"} {
		want := strings.Fields(collapseSpaces(strings.Trim(s, " \"'<>")))
		for len(want) > 0 && nameTitles[applicant.Fold(want[0])] {
			want = want[1:]
		}
		if got := nameTokens(s); strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("nameTokens(%q) = %q, want %q", s, got, want)
		}
	}
}
