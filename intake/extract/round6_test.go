package extract

import (
	"testing"
)

// Round 6: the remaining classes of error of the `holdout3` corpus, each
// written anew with other people, companies, places and phrasings.

func TestRound6AccentedNameFromBody(t *testing.T) {
	// The From display name lacks the accents the body gives the name.
	r := applicantOf(t, "Agnes Esperou", "ferme.esperou@orange.fr",
		"Bonjour, moi c'est Agnès Espérou, j'élève des chèvres à Meyrueis et je souhaite participer au programme RSE.\nSiret : 84715209300013\nMerci")
	if a := r.Applicant; a.FirstName != "Agnès" || a.LastName != "Espérou" {
		t.Errorf("accented body name: %q %q", a.FirstName, a.LastName)
	}
	// A lone first name signed with accents.
	if got := accentedInText("Helene", "Bonsoir,\nle dossier complet suit.\nHélène"); got != "Hélène" {
		t.Errorf("signed first name: %q", got)
	}
	// A lower-case common word is not the name; nor is a longer name.
	if got := accentedInText("Leger", "un repas léger"); got != "Leger" {
		t.Errorf("common word: %q", got)
	}
	if got := accentedInText("Rene Martin", "René Martinez"); got != "Rene Martin" {
		t.Errorf("other name: %q", got)
	}
}

func TestRound6HeadcountByTrade(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"Au cabinet nous travaillons à trois kinés associés depuis 2019.", 3},
		{"L'équipe compte 6 vendeuses et un livreur.", 6},
		{"On exerce à deux médecins dans la maison de santé.", 2},
		{"Le cabinet regroupe quatre infirmiers.", 4},
	}
	for _, tc := range tests {
		if n, ok := headcountFromText(tc.text); !ok || n != tc.want {
			t.Errorf("%q: got %d %v, want %d", tc.text, n, ok, tc.want)
		}
	}
	// Counting something else is not a headcount.
	if n, ok := headcountFromText("Nous livrons à cinq communes du canton."); ok {
		t.Errorf("communes: %d", n)
	}
}

func TestRound6CompanyHeadingLine(t *testing.T) {
	lines := []string{"Bonjour,", "", "Garage des Cévennes — mécanique et carrosserie toutes marques", "Gérante : Odile Pratlong", "Effectif : 3"}
	isLabel := []bool{false, false, false, true, true}
	if got := companyHeadingLine(lines, isLabel); got != "Garage des Cévennes" {
		t.Errorf("heading: %q", got)
	}
	// A person's name before the dash, or a heading not followed by the
	// labelled block, gives no company.
	lines[2] = "Odile Pratlong – gérante depuis dix ans"
	if got := companyHeadingLine(lines, isLabel); got != "" {
		t.Errorf("person heading: %q", got)
	}
	lines = []string{"Pharmacie du Pont – ouverte le dimanche", "", "Nous aimerions candidater."}
	if got := companyHeadingLine(lines, []bool{false, false, false}); got != "" {
		t.Errorf("no labels after: %q", got)
	}
}

func TestRound6RoleAfterIntroName(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Bonjour, je suis Martine Rouquette, céramiste, installée à Florac depuis 2012.", "céramiste"},
		{"Je m'appelle Paul Vidal, menuisier Ébéniste à Langogne", "menuisier"},
		{"Moi, c'est Jeanne Boyer, co-gérante\nNous faisons du pain.", "co-gérante"},
		{"Je suis Claire Bastide, fière de notre ferme.", ""},
		{"Je suis Louis Pagès, mère de famille.", ""},
	}
	for _, tc := range tests {
		if got := roleAfterIntroName(tc.text); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.text, got, tc.want)
		}
	}
}
