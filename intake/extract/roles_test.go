package extract

import (
	"testing"
)

// TestRolesInMail reads the applicant's title from sentences, labels
// and signatures; a legal status is no title.
func TestRolesInMail(t *testing.T) {
	checkFields(t, []fieldCase{
		{name: "owner-manager of a named inn", fromName: "Lucie Bastide", from: "lucie@auberge-lot.fr",
			text: "Bonjour,\nPropriétaire-gérante de l'Auberge du Lot à Chanac depuis 2015, je souhaite candidater.\nNous sommes 6 salariés.\n\nLucie Bastide",
			want: map[string]string{"role": "Propriétaire-gérante", "company": "Auberge du Lot"}},
		{name: "a legal status is not a title", fromName: "Inès Fabre", from: "ines.fabre@orange.fr",
			text: "Bonjour, je suis micro-entrepreneuse en céramique à Vebron (48400) et je souhaite participer au programme.\nInès Fabre",
			want: map[string]string{"role": ""}},
		{name: "title as the label of the author's name", from: "b.teissier@laposte.net",
			text: "Bonjour,\nJe souhaite participer au programme.\nExploitante agricole : Brigitte Teissier\nExploitation : Ferme de la Fage\nSIRET : 812 345 676 00017\nEffectif : 2\nCode postal : 48170\nCommune : Châteauneuf-de-Randon",
			want: map[string]string{"role": "Exploitante agricole", "first_name": "Brigitte", "last_name": "Teissier"}},
		{name: "the signature completes the title of the sentence",
			text: "Bonjour,\nJe suis directrice de l'usine de Chirac et je souhaite inscrire notre site au programme.\nEntreprise : Laiterie des Causses\nEffectif : 40 salariés\n\nCordialement,\n\nMarie Pons\nDirectrice d'usine | Laiterie des Causses",
			want: map[string]string{"role": "Directrice d'usine"}},
		{name: "title-and-company line under the name", fromName: "Odile Pradier", from: "odile.pradier@wanadoo.fr",
			text: "Bonjour,\nJe souhaite inscrire notre camping au programme.\n\nOdile Pradier\nDirectrice du Camping des Mélèzes\nSIRET : 81234567600017\n\nBien à vous",
			want: map[string]string{"role": "Directrice", "company": "Camping des Mélèzes"}},
	})
}

// TestLabelledRole keeps a trade and a title given together, and takes
// only the title a status field names.
func TestLabelledRole(t *testing.T) {
	tests := []struct {
		in     string
		status bool
		want   string
	}{
		{"artisan boulanger, gérant", false, "artisan boulanger, gérant"},
		{"artisane couturière, co-gérante", false, "artisane couturière, co-gérante"},
		{"gérante (depuis 2019)", false, "gérante"},
		{"comptable, à mi-temps", false, "comptable"},
		{"micro-entrepreneur passé en SASU, président", true, "président"},
		{"EI", true, ""},
	}
	for _, tt := range tests {
		if got := labelledRole(tt.in, tt.status); got != tt.want {
			t.Errorf("labelledRole(%q, %v) = %q, want %q", tt.in, tt.status, got, tt.want)
		}
	}
}

// TestRoleOnly tells a title from a title followed by other words.
func TestRoleOnly(t *testing.T) {
	for s, want := range map[string]bool{
		"Artisan plombier": true, "propriétaire-exploitante": true, "Infirmier coordinateur": true, "patronne": true,
		"artisan depuis": false,
	} {
		if got := reRoleOnly.MatchString(s); got != want {
			t.Errorf("reRoleOnly(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestRoleAfterIntroName(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Bonjour, je suis Martine Rouquette, céramiste, installée à Florac depuis 2012.", "céramiste"},
		{"Je m'appelle Paul Vidal, menuisier Ébéniste à Langogne", "menuisier"},
		{"Moi, c'est Jeanne Boyer, co-gérante\nNous faisons du pain.", "co-gérante"},
		{"Je suis Marc Vidal, chef d'exploitation du GAEC des Sagnes à Nasbinals.", "chef d'exploitation"},
		{"Je m'appelle Odile Rieu, cheffe d’exploitation, et nous élevons des brebis.", "cheffe d’exploitation"},
		{"Je suis Claire Bastide, fière de notre ferme.", ""},
		{"Je suis Louis Pagès, mère de famille.", ""},
	}
	for _, tc := range tests {
		if got := roleAfterIntroName(newCaseless(tc.text)); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestTitleAfterTheNameOfALabel: a title written after the name in the
// value of a label that names the person ("Contact : X, présidente",
// a table cell "X (gérant)") is the role, not the label; a title field
// further down says more than a title used as a label.
func TestTitleAfterTheNameOfALabel(t *testing.T) {
	facts := "\nSIRET : 812 345 676 00017\nEffectif : 5\nCode postal : 48400\nCommune : Florac"
	checkFields(t, []fieldCase{
		{name: "title after a comma", from: "contact@gite-tarnon.fr",
			text: "Bonjour,\nVoici notre candidature au programme.\nResponsable : Mathilde Crouzet, présidente\nEntreprise : Gîte du Tarnon" + facts,
			want: map[string]string{"role": "présidente", "first_name": "Mathilde", "last_name": "Crouzet"}},
		{name: "title in parentheses in a table cell", from: "contact@garage-mimente.fr",
			text: "Bonjour,\nVoici notre candidature au programme.\nEntreprise\tGarage de la Mimente\nResponsable\tHervé Fages (co-gérant)" + facts,
			want: map[string]string{"role": "co-gérant", "first_name": "Hervé", "last_name": "Fages"}},
		{name: "title field below the name", from: "contact@ferme-bougès.fr",
			text: "Bonjour,\nVoici notre candidature au programme.\nEntreprise\tFerme du Bougès\nResponsable\tAnnie Méjean\nFonction\tExploitante agricole" + facts,
			want: map[string]string{"role": "Exploitante agricole", "first_name": "Annie", "last_name": "Méjean"}},
		{name: "no title after the name keeps the label", from: "contact@scierie-born.fr",
			text: "Bonjour,\nVoici notre candidature au programme.\nEntreprise : Scierie du Born\nGérante : Sylvie Boissier" + facts,
			want: map[string]string{"role": "Gérante", "first_name": "Sylvie", "last_name": "Boissier"}},
	})
}

// TestTitleAfterHowLong: "je suis depuis 2008 le gérant de …" gives the
// title however long the author has held it, wrapped or not.
func TestTitleAfterHowLong(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"Bonjour,\nJe suis depuis 2008 le gérant de la Menuiserie Pic à Marvejols et je souhaite candidater au programme.\nNous sommes 4.\n\nLoïc Pic", "gérant"},
		{"Bonjour,\nje suis depuis dix ans la présidente de l'association Lozère Partage, et nous souhaitons participer au programme avec nos 9 salariés.\nAnne Brunel", "présidente"},
		{"Bonjour,\nJe suis depuis peu directrice de la Laiterie du Gévaudan ; je souhaite candidater au programme.\nEffectif : 25\nSabine Roux", "directrice"},
	} {
		for _, width := range []int{0, 30, 47, 72} {
			text := tt.text
			if width > 0 {
				text = wrap(text, width)
			}
			r := applicantOf(t, "", "someone@example.fr", text)
			if r.Applicant.Role != tt.want {
				t.Errorf("wrapped at %d: role %q, want %q\n%s", width, r.Applicant.Role, tt.want, text)
			}
		}
	}
}
