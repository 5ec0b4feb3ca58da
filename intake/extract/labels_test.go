package extract

import (
	"testing"
)

func TestSplitLabel(t *testing.T) {
	tests := []struct {
		line  string
		f     field
		value string
	}{
		{"Raison sociale : SAS Fromagerie", fCompany, "SAS Fromagerie"},
		{"N° SIRET : 84523176000016", fSiret, "84523176000016"},
		{"Tél.\u00a0: 04 66 32 18 90", fPhone, "04 66 32 18 90"},
		{"Effectif\t31 salariés", fHeadcount, "31 salariés"},
		{"- Code postal / Commune : 12100 Millau", fPostalCommune, "12100 Millau"},
		{"SOCIETE : GARAGE ROUQUETTE", fCompany, "GARAGE ROUQUETTE"},
		{"secteur d'activité: hôtellerie", fSector, "hôtellerie"},
		{"*Nom / Prénom* : BOYER Léa", fFullNameLastFirst, "BOYER Léa"},
		{"Secteur d’activité : services", fSector, "services"},
		{"Mon téléphone : 06 19 27 83 40.", fPhone, "06 19 27 83 40."},
		{"Siret\u202f: 794 123 586 00016", fSiret, "794 123 586 00016"},
	}
	for _, tt := range tests {
		_, f, v, ok := splitLabel(cleanText(tt.line))
		if !ok || f != tt.f || v != tt.value {
			t.Errorf("splitLabel(%q) = %v, %q, %v; want %v, %q", tt.line, f, v, ok, tt.f, tt.value)
		}
	}
	if _, f, _, _ := splitLabel("Je suis gérant : voici pourquoi"); f != fNone {
		t.Errorf("sentence taken as a label: %v", f)
	}
}

// English labels, numbered lists, one typing error in a long label word,
// qualifiers and dashes still name the field.
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

// TestLabelledForms reads forms pasted with dot leaders and business
// nouns used as labels.
func TestLabelledForms(t *testing.T) {
	checkFields(t, []fieldCase{
		{name: "paper form with dot leaders", fromName: "Paul ROUVIERE", from: "p.rouviere@wanadoo.fr",
			text: "Bonjour,\nVoici le formulaire :\nNom.................. ROUVIERE\nPrénom............... Paul\n" +
				"Fonction............. éleveur, gérant\nEntreprise........... Bergerie des Hauts Plateaux\n" +
				"Effectif………… 2\nSecteur.............. élevage ovin\nCode postal.......... 48130\n\nPaul Rouvière",
			want: map[string]string{"company": "Bergerie des Hauts Plateaux", "headcount": "2", "sector": "élevage ovin", "postal_code": "48130"}},
		{name: "values on the line below their labels", fromName: "Jean Vidal", from: "j.vidal@menuiserie-vidal.fr",
			text: "Bonjour,\nJe vous adresse ma candidature au programme.\nEntreprise :\nMenuiserie Vidal\nN° SIRET :\n812 345 676 00017\n" +
				"Effectif :\n6\nCode postal :\n48100\nCommune :\nMarvejols\n\nJean Vidal",
			want: map[string]string{"company": "Menuiserie Vidal", "siret": "81234567600017", "headcount": "6", "postal_code": "48100",
				"commune": "Marvejols"}},
		{name: "a label alone keeps the next label", fromName: "Jean Vidal", from: "j.vidal@menuiserie-vidal.fr",
			text: "Bonjour,\nJe vous adresse ma candidature au programme.\nSecteur :\nEffectif : 6\nCode postal : 48100\n\nJean Vidal",
			want: map[string]string{"sector": "", "headcount": "6", "postal_code": "48100"}},
		{name: "business noun with its article as a label", fromName: "Kees Jansen", from: "kees@example.nl",
			text: "Hello,\nL'hôtel : Auberge du Lac SARL\nPersonnes qui travaillent : 6 (moi, ma femme et quatre salariés)\nDank je!\nKees",
			want: map[string]string{"company": "Auberge du Lac SARL", "headcount": "6"}},
	})
}

// TestCountedPeopleAsALabel: a label naming the people counted, its
// "Nombre de" left out and narrowed by a qualifier, is the headcount.
func TestCountedPeopleAsALabel(t *testing.T) {
	for _, tt := range []struct {
		line, value string
		want        int
	}{
		{"Personnes au sein de la structure : 9", "9", 9},
		{"Collaborateurs dans l'équipe\t4 (dont moi)", "4 (dont moi)", 4},
		{"Employés de l'établissement : douze", "douze", 12},
	} {
		_, f, v, ok := splitLabel(cleanText(tt.line))
		if !ok || f != fHeadcount || v != tt.value {
			t.Errorf("splitLabel(%q) = %v, %q, %v; want the headcount %q", tt.line, f, v, ok, tt.value)
			continue
		}
		if n, ok := headcountValue(v); !ok || n != tt.want {
			t.Errorf("headcountValue(%q) = %d, %v; want %d", v, n, ok, tt.want)
		}
	}
	// A qualified label of anything else stays unknown.
	if _, f, _, _ := splitLabel("Clients dans la région : 200"); f == fHeadcount {
		t.Errorf("clients counted as the headcount")
	}
}
