package extract

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A headcount is read in sentences, never from other counts (kilometres,
// lorries, farms).
func TestHeadcountFromText(t *testing.T) {
	tests := []struct {
		in   string
		want int // 0: none
	}{
		{"Nous sommes 12 salariés et nous travaillons le bois.", 12},
		{"Nous sommes aujourd'hui une équipe de 23 personnes, dont 9 en parcours d'insertion.", 23},
		{"Nous sommes une TPE de 3 ETP et nous consacrons 2 500 € à la formation.", 3},
		{"Nous employons 5 salariés, dont deux apprentis.", 5},
		{"Notre entreprise compte quinze salariés ; nous brassons depuis 2014.", 15},
		{"Nous sommes 14 salariés, dont 9 associés.", 14},
		{"l'effectif est de 3 personnes en comptant la direction", 3},
		{"j'emploie trois salariés depuis quatre ans", 3},
		{"L'association emploie 31 personnes (dont 20 en insertion), soit 24,5 ETP.", 31},
		{"Nous sommes dix-huit (dont 6 associés) à travailler sur le site.", 18},
		{"Bilan 2024 : 6,5 ETP, 2 stagiaires. Avec les embauches de l'été, notre effectif en novembre est de 9 salariés.", 9},
		{"Rapport : 4 personnes en 2018, 7 en 2021. Aujourd'hui l'effectif total de la coopérative s'élève à douze personnes.", 12},
		{"Effectif moyen : 3,6 ETP sur l'année.", 0},
		{"L'effectif de la saison est de 40 % plus élevé ; nous sommes 8 salariés.", 8},
		{"Nous roulons 1 400 000 km par an avec 14 poids lourds.", 0},
		{"Installé depuis douze ans, je travaille avec 42 exploitations.", 0},
	}
	for _, tt := range tests {
		n, ok := headcountFromText(newCaseless(tt.in))
		if !ok {
			n = 0
		}
		if n != tt.want {
			t.Errorf("headcountFromText(%q) = %d, want %d", tt.in, n, tt.want)
		}
	}
}

// TestHeadcountValue reads the value of a headcount label: digits or
// words, a breakdown followed by its total; an approximation is none.
func TestHeadcountValue(t *testing.T) {
	tests := []struct {
		in   string
		want int // -1: none
	}{
		{"4", 4},
		{"31 salariés", 31},
		{"douze salariés", 12},
		{"6 personnes (dont 2 apprentis)", 6},
		{"trois personnes", 3},
		{"2 salariés + 2 saisonniers, soit 5 avec moi", 5},
		{"3 CDI et 1 CDD, au total 4", 4},
		{"6 salariés", 6},
		{"vingt et un (dont 9 saisonniers)", 21},
		{"9 salariés (3 CDD, 6 CDI) + 2 apprentis, soit 11", 11},
		{"27 (dont 4 à temps partiel), soit 24,5 ETP", 27},
		{"8 personnes, soit 6,8 équivalents temps plein", 8},
		{"dix-sept (y compris les 2 gérants)", 17},
		{"(moi compris) 5", 5},
		{"une quinzaine de salariés", -1},
		{"une vingtaine", -1},
		{"Une dizaine", -1},
	}
	for _, tt := range tests {
		n, ok := headcountValue(tt.in)
		if !ok {
			n = -1
		}
		if n != tt.want {
			t.Errorf("headcountValue(%q) = %d, want %d", tt.in, n, tt.want)
		}
	}
}

// People counted by their trade ("trois kinés", "6 vendeuses") are a
// headcount; communes counted the same way are not.
func TestHeadcountByTrade(t *testing.T) {
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
		if n, ok := headcountFromText(newCaseless(tc.text)); !ok || n != tc.want {
			t.Errorf("%q: got %d %v, want %d", tc.text, n, ok, tc.want)
		}
	}
	// Counting something else is not a headcount.
	if n, ok := headcountFromText(newCaseless("Nous livrons à cinq communes du canton.")); ok {
		t.Errorf("communes: %d", n)
	}
}

// "Je travaille seule" is a headcount of one, unless someone works with
// the author; the sector can be a sentence.
func TestWorkingAloneAndSectorInSentences(t *testing.T) {
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

// TestHeadcountInMail reads informal and English headcounts in whole mails.
func TestHeadcountInMail(t *testing.T) {
	checkFields(t, []fieldCase{
		{name: "'on est 3' is a headcount", text: "Bonjour\nJe voudrais candidater pour le programme, je tiens la boulangerie Rieu à Mende 48000, on est 3 en tout.\nSiret 81234567600017\nPaul",
			want: map[string]string{"headcount": "3"}},
		{name: "English headcount", text: "Hello,\nI would like to apply with my company, Aubrac Lodges, which I run as its manager.\nWe employ 6 people all year.\nBest regards,\nTom Reed",
			want: map[string]string{"headcount": "6", "company": "Aubrac Lodges"}},
	})
}

// TestHeadcountUnitsAgreeWithPattern: looking for the unit words by their
// stems finds exactly what the unit pattern finds, on every corpus mail
// and on texts crowded with the units, accented, capitalised and glued.
func TestHeadcountUnitsAgreeWithPattern(t *testing.T) {
	texts := []string{"", "12 salariés", "Équivalent temps plein", "3 ÉQUIVALENTS-TEMPS-PLEIN et 2 equivalents temps plein",
		"ETP ETPs etp. 4 p. personnes personne PERSONNEL employés employées emplois Employees staffs people",
		"collaboratrices collaborateurs compagnons ouvrières ouvriers membres agents permanentes CDI cdis",
		"salariéesalariés" + strings.Repeat("é", 3) + "quivalent", "xetp etpx p.p. éé équivalent"}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b))
		}
	}
	for _, text := range texts {
		got, want := headcountUnits(newCaseless(text)), reHeadcountUnit.FindAllStringIndex(text, -1)
		if !slices.EqualFunc(got, want, slices.Equal[[]int]) {
			t.Fatalf("in %.80q: stems found %v, pattern %v", text, got, want)
		}
	}
}

// TestHeadcountMatchesAgreeWithPattern: the counts read before the unit
// words, where how the text before a unit ends says a count may end
// there, are what the whole pattern finds, on every corpus mail and on
// texts whose counts end every way one can (digits, number words in any
// case, "et", a hyphen, the long s).
func TestHeadcountMatchesAgreeWithPattern(t *testing.T) {
	texts := []string{"", "12 salariés", "douze salariés", "VINGT-DEUX personnes", "vingt et un salariés", "vingt et  salariés",
		"vingt-  salariés", "trente-et- salariés", "chacun 4 employés, commune salariés, projet salariés, concept 3 ETP",
		"123456 salariés", "xun salariés", "deuxtrois personnes", "ſix salariés", "Six\tsalariés", "cents\n\npersonnes",
		"quatre-vingts salariés; soixante-dix-sept membres", "nous sommes 5salariés", "7 p. et 8 cdi"}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b))
		}
	}
	for _, text := range texts {
		got, want := headcountMatches(newCaseless(text)), reHeadcount.FindAllStringSubmatchIndex(text, -1)
		if !slices.EqualFunc(got, want, slices.Equal[[]int]) {
			t.Fatalf("in %.80q: found %v, pattern %v", text, got, want)
		}
	}
}
