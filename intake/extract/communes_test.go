package extract

import (
	"testing"
)

// TestNormCommune spells a commune the official way: the table's
// spelling when it is known, otherwise natural case with the accents of
// the table's words.
func TestNormCommune(t *testing.T) {
	tests := []struct{ in, prep, want string }{
		{"LANGOGNE", "", "Langogne"},
		{"MENDE", "", "Mende"},
		{"SAINT-CHELY-D'APCHER", "", "Saint-Chély-d'Apcher"},
		{"SAINT-ALBAN-SUR-LIMAGNOLE", "", "Saint-Alban-sur-Limagnole"},
		{"Malzieu-Ville", "au", "Le Malzieu-Ville"},
		{"Le Bleymard", "", "Le Bleymard"},
		{"VILLENEUVE-LES-AVIGNON", "", "Villeneuve-lès-Avignon"},
		{"VILLENEUVE-SUR-LOT", "", "Villeneuve-sur-Lot"},
		{"Sainte-Enimie", "", "Sainte-Enimie"},
		{"SAINT-ANDRE-CAPCEZE", "", "Saint-André-Capcèze"},
		{"CHEYLARD-L'EVEQUE", "", "Cheylard-l'Évêque"},
		{"ventalon-en-cevennes", "", "Ventalon en Cévennes"},
		{"St Etienne du Valdonnez", "", "Saint-Étienne-du-Valdonnez"},
		{"SEVERAC D'AVEYRON", "", "Séverac-d'Aveyron"},
		{"Cans-et-Cevennes", "", "Cans-et-Cévennes"},                   // a hyphen typed with care is kept
		{"Saint Germain de Calberte", "", "Saint-Germain-de-Calberte"}, // spaces where the table has hyphens
		{"CANS-ET-CEVENNES", "", "Cans et Cévennes"},                   // careless case: the table's spelling
		{"SAINT-MARTIN-DE-BOUBAUX-LES-CEVENNES", "", "Saint-Martin-de-Boubaux-les-Cévennes"},
		{"Le Vernet-sur-Lozere", "", "Le Vernet-sur-Lozère"},
	}
	for _, tt := range tests {
		if got := normCommune(tt.in, tt.prep); got != tt.want {
			t.Errorf("normCommune(%q, %q) = %q, want %q", tt.in, tt.prep, got, tt.want)
		}
	}
}

// TestCommuneNextToCode finds a postal code and its commune in an address
// or a sentence.
func TestCommuneNextToCode(t *testing.T) {
	if pc, c := codeAndCommune("12 route de Génolhac, 48800 Villefort"); pc != "48800" || c != "Villefort" {
		t.Errorf("codeAndCommune = %q, %q", pc, c)
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

// TestPlacesInMail reads the company's own place, not its clients'.
func TestPlacesInMail(t *testing.T) {
	checkFields(t, []fieldCase{
		{name: "the seat beats a clients' town; the code ends a wrapped line", fromName: "Laure Pagès", from: "laure.pages@orange.fr",
			text: "Madame, Monsieur,\n\nNous livrons surtout des restaurants de Rodez (12000) et de Millau.\n" +
				"Je vous présente ma candidature : notre fromagerie, dont le siège social se trouve route de Javols, 48130\n" +
				"Peyre en Aubrac, emploie 6 salariés.\n\nLaure Pagès\nGérante",
			want: map[string]string{"postal_code": "48130", "commune": "Peyre en Aubrac"}},
		{name: "'notre entreprise à X' without a postal code",
			text: "Bonjour,\nNous voulons inscrire notre entreprise à Langogne au programme, 8 salariés.\nMerci",
			want: map[string]string{"commune": "Langogne", "postal_code": ""}},
	})
}
