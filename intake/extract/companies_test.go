package extract

import (
	"testing"
)

// TestCompaniesInMail reads the company from sentences, signatures and
// quoted trade names; a legal form alone, a slogan or a quoted person is
// no company.
func TestCompaniesInMail(t *testing.T) {
	checkFields(t, []fieldCase{
		{name: "legal form followed by its name", fromName: "Pierre Vidal", from: "earl.vidal@gmail.com",
			text: "Bonjour,\nNous élevons des brebis, EARL des Combes Hautes, à Fournels (48310). Je suis associé de l'EARL avec mon fils.\nNous sommes 2.\n\nPierre Vidal",
			want: map[string]string{"company": "EARL des Combes Hautes"}},
		{name: "a bare legal form", fromName: "Pierre Vidal", from: "earl.vidal@gmail.com",
			text: "Bonjour,\nVoici le SIRET du GAEC : 812 345 676 00017\n\nPierre",
			want: map[string]string{"company": ""}},
		{name: "'notre société se nomme X'", fromName: "Karim Haddad", from: "k.haddad@gmail.com",
			text: "Bonjour,\nje souhaite candidater. Notre société se nomme Lozère Vélo Services et compte 4 salariés.\nKarim Haddad",
			want: map[string]string{"company": "Lozère Vélo Services"}},
		{name: "trade named after the owner, all lower case", fromName: "regis vidal", from: "vidal.regis@sfr.fr",
			text: "salut je voudrais participer au programme pour ma menuiserie menuiserie vidal on est 3 a langogne 48300 merci",
			want: map[string]string{"company": "menuiserie vidal", "first_name": "Regis", "last_name": "Vidal", "postal_code": "48300", "commune": "Langogne"}},
		{name: "signature company without its slogan",
			text: "Bonjour,\nJe souhaite participer au programme. Nous sommes 5 salariés à Mende (48000).\n\nBien à vous,\n\nLaure Pic\nGérante\nCidrerie Pic – Le goût de l'Aubrac\n06 11 22 33 44",
			want: map[string]string{"company": "Cidrerie Pic"}},
		{name: "quoted name after the noun of its trade", fromName: "Nadia Amrani", from: "nadia.amrani@hotmail.fr",
			text: "Bonjour\nJe tient la crêperie « La Galette à Jo » à Langogne depuis 2012, on est trois.\nNadia",
			want: map[string]string{"company": "La Galette à Jo"}},
		{name: "a quoted person is no company", fromName: "Nadia Amrani", from: "nadia.amrani@hotmail.fr",
			text: "Bonjour\nMa collègue \"Julie Martin\" m'a parlé du programme.\nNadia Amrani",
			want: map[string]string{"company": ""}},
	})
}

// A sentence end is no part of a company name.
func TestCleanCompanyDropsTheSentenceEnd(t *testing.T) {
	for in, want := range map[string]string{
		"RSE. Merci de":        "RSE",
		"Ets. Martin":          "Ets. Martin",
		"S.A.R.L. Dupont":      "S.A.R.L. Dupont",
		"Menuiserie Rouvière.": "Menuiserie Rouvière",
	} {
		if got := cleanCompany(in); got != want {
			t.Errorf("cleanCompany(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompanyHeadingLine(t *testing.T) {
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

// TestSignatureCompanyWithALongTagline: a signature's company line in
// capitals, with a list of activities after a dash, is the company once
// the activities go; a line "trade, title" names no company.
func TestSignatureCompanyWithALongTagline(t *testing.T) {
	body := "Bonjour,\nJe souhaite inscrire mon entreprise au programme. Nous sommes 7 personnes.\n\nCordialement,\n\n"
	checkFields(t, []fieldCase{
		{name: "capitals and en dash", from: "contact@vernhet-toitures.fr",
			text: body + "--\nPaul VERNHET\nGérant\nVERNHET TOITURES – Couverture · Zinguerie · Isolation des combles perdus\n3 rue du Pont – 48100 Marvejols",
			want: map[string]string{"company": "Vernhet Toitures", "role": "Gérant"}},
		{name: "capitals and a spaced hyphen", from: "a.rieu@rieu-paysages.fr",
			text: body + "Anne Rieu\nCo-gérante\nRIEU PAYSAGES - Création et entretien de jardins, élagage, clôtures\nPortable : 06 12 77 48 90",
			want: map[string]string{"company": "Rieu Paysages", "role": "Co-gérante"}},
		{name: "trade and title on one line", from: "m.boyer@orange.fr",
			text: body + "Marie Boyer\nVétérinaire, associée\n06 31 52 47 88",
			want: map[string]string{"company": "", "role": "associée"}},
		{name: "trade and title, the trade in capitals", from: "l.pages@orange.fr",
			text: body + "Luc Pagès\nBoulanger, gérant\n06 31 52 47 89",
			want: map[string]string{"company": "", "role": "gérant"}},
	})
}

// TestCompanyEndsWithItsSignatureLine: a company read in the joined text
// does not run on into the next line of the signature.
func TestCompanyEndsWithItsSignatureLine(t *testing.T) {
	body := "Bonjour,\nJe souhaite inscrire notre entreprise au programme. Nous sommes 11.\n\nCordialement,\n\n--\n"
	checkFields(t, []fieldCase{
		{name: "legal form, then an industrial estate", from: "contact@vidal-btp.fr",
			text: body + "Sophie Vidal\nDirectrice\nSARL Vidal Terrassement\nParc d'activités du Causse\n48100 Marvejols",
			want: map[string]string{"company": "SARL Vidal Terrassement"}},
		{name: "cooperative, then a hamlet", from: "contact@scop-cevennes.fr",
			text: body + "Henri Malaval\nGérant\nSCOP Bois des Cévennes\nHameau de Valdonnez\nTél. 04 66 47 12 90",
			want: map[string]string{"company": "SCOP Bois des Cévennes"}},
	})
}
