package extract

import (
	"testing"
)

// Round 5: the classes of error of the `holdout3` corpus, each written
// anew with other people, companies, places and phrasings.

func TestRound5Phones(t *testing.T) {
	// Slashes between the pairs of digits.
	if got := pickPhone("Mobile : 07/12/58/36/94\n", ""); got != "+33712583694" {
		t.Errorf("slashed phone: %q", got)
	}
	// A company switchboard is the author's number when it is the only one.
	sig := "Nathalie Roche\nDirectrice\nLes Ateliers du Lot SAS – capital 20 000 €\nRCS Mende 812345676 – APE 3109B\nStandard : +33 (0)4 66 32 10 87\n"
	if got := pickPhone(sig, ""); got != "+33466321087" {
		t.Errorf("switchboard: %q", got)
	}
	// Another number given as the author's own still wins over it.
	if got := pickPhone("Standard : 04 66 32 10 87\nPortable : 06 44 55 66 77\n", ""); got != "+33644556677" {
		t.Errorf("switchboard vs mobile: %q", got)
	}
	// A fax is never the phone, even alone.
	if got := pickPhone("Fax : 04 66 32 10 88\n", ""); got != "" {
		t.Errorf("fax: %q", got)
	}
}

func TestRound5LabelledForms(t *testing.T) {
	// A paper form copied with dot leaders.
	r := applicantOf(t, "Paul ROUVIERE", "p.rouviere@wanadoo.fr",
		"Bonjour,\nVoici le formulaire :\nNom.................. ROUVIERE\nPrénom............... Paul\n"+
			"Fonction............. éleveur, gérant\nEntreprise........... Bergerie des Hauts Plateaux\n"+
			"Effectif………… 2\nSecteur.............. élevage ovin\nCode postal.......... 48130\n\nPaul Rouvière")
	a := r.Applicant
	if a.Company != "Bergerie des Hauts Plateaux" || a.Headcount == nil || *a.Headcount != 2 || a.Sector != "élevage ovin" || a.PostalCode != "48130" {
		t.Errorf("dot leaders: %+v", a)
	}
	// A trade and a title in one field are kept together.
	for in, want := range map[string]string{
		"artisan boulanger, gérant":       "artisan boulanger, gérant",
		"artisane couturière, co-gérante": "artisane couturière, co-gérante",
		"gérante (depuis 2019)":           "gérante",
		"comptable, à mi-temps":           "comptable",
	} {
		if got := labelledRole(in, false); got != want {
			t.Errorf("labelledRole(%q) = %q, want %q", in, got, want)
		}
	}
	// A status field gives only the title it names.
	if got := labelledRole("micro-entrepreneur passé en SASU, président", true); got != "président" {
		t.Errorf("status with title: %q", got)
	}
	if got := labelledRole("EI", true); got != "" {
		t.Errorf("status alone: %q", got)
	}
	// A breakdown followed by its total: the total.
	for in, want := range map[string]int{
		"2 salariés + 2 saisonniers, soit 5 avec moi": 5,
		"3 CDI et 1 CDD, au total 4":                  4,
		"6 salariés":                                  6,
	} {
		if n, ok := headcountValue(in); !ok || n != want {
			t.Errorf("headcountValue(%q) = %d %v, want %d", in, n, ok, want)
		}
	}
	// A business noun with its article as a label.
	r = applicantOf(t, "Kees Jansen", "kees@example.nl",
		"Hello,\nL'hôtel : Auberge du Lac SARL\nPersonnes qui travaillent : 6 (moi, ma femme et quatre salariés)\nDank je!\nKees")
	if a := r.Applicant; a.Company != "Auberge du Lac SARL" || a.Headcount == nil || *a.Headcount != 6 {
		t.Errorf("hotel label: %q %v", a.Company, a.Headcount)
	}
}

func TestRound5RolesAndCompanies(t *testing.T) {
	// Titles in sentences and signatures.
	for _, s := range []string{"Artisan plombier", "propriétaire-exploitante", "Infirmier coordinateur", "patronne"} {
		if !reRoleOnly.MatchString(s) {
			t.Errorf("%q is a title", s)
		}
	}
	// "artisan depuis…" is no trade.
	if reRoleOnly.MatchString("artisan depuis") {
		t.Error("artisan depuis is no title")
	}
	r := applicantOf(t, "Lucie Bastide", "lucie@auberge-lot.fr",
		"Bonjour,\nPropriétaire-gérante de l'Auberge du Lot à Chanac depuis 2015, je souhaite candidater.\nNous sommes 6 salariés.\n\nLucie Bastide")
	if a := r.Applicant; a.Role != "Propriétaire-gérante" || a.Company != "Auberge du Lot" {
		t.Errorf("owner-manager: %q %q", a.Role, a.Company)
	}
	// A legal form alone is no company name; its full name is.
	r = applicantOf(t, "Pierre Vidal", "earl.vidal@gmail.com",
		"Bonjour,\nNous élevons des brebis, EARL des Combes Hautes, à Fournels (48310). Je suis associé de l'EARL avec mon fils.\n"+
			"Nous sommes 2.\n\nPierre Vidal")
	if a := r.Applicant; a.Company != "EARL des Combes Hautes" {
		t.Errorf("legal form + name: %q", a.Company)
	}
	r = applicantOf(t, "Pierre Vidal", "earl.vidal@gmail.com",
		"Bonjour,\nVoici le SIRET du GAEC : 812 345 676 00017\n\nPierre")
	if a := r.Applicant; a.Company != "" {
		t.Errorf("bare legal form: %q", a.Company)
	}
}

func TestRound5Names(t *testing.T) {
	// Informal introductions.
	r := applicantOf(t, "", "r.boyer@free.fr",
		"Adishatz,\nMoi c'est Robert Boyer, je tiens la scierie du village, on est 5.\n\nRobert")
	if a := r.Applicant; a.FirstName != "Robert" || a.LastName != "Boyer" {
		t.Errorf("moi c'est: %q %q", a.FirstName, a.LastName)
	}
	r = applicantOf(t, "", "s.martin@hotmail.fr",
		"Bonsoir\nJe m'appele Sophie Martin et j'ai une boulangerie à Langogne.\nSophie")
	if a := r.Applicant; a.FirstName != "Sophie" || a.LastName != "Martin" {
		t.Errorf("typo intro: %q %q", a.FirstName, a.LastName)
	}
	// A household's shared address: no "Famille" first name; the
	// signature's first name with the household's surname.
	r = applicantOf(t, "Famille Rouquette", "famille.rouquette@orange.fr",
		"Bonjour,\nVoici enfin le document promis.\n\nMarie-Claire\n")
	if a := r.Applicant; a.FirstName != "Marie-Claire" || a.LastName != "Rouquette" {
		t.Errorf("household: %q %q", a.FirstName, a.LastName)
	}
	if got := personFromDisplayName("Famille Rouquette"); got != "" {
		t.Errorf("household display name is no person: %q", got)
	}
}

func TestRound5QuotedTradeName(t *testing.T) {
	// A quoted name after the noun of its trade, connectors included.
	r := applicantOf(t, "Nadia Amrani", "nadia.amrani@hotmail.fr",
		"Bonjour\nJe tient la crêperie « La Galette à Jo » à Langogne depuis 2012, on est trois.\nNadia")
	if a := r.Applicant; a.Company != "La Galette à Jo" {
		t.Errorf("quoted trade name: %q", a.Company)
	}
	// A quoted person is no company.
	r = applicantOf(t, "Nadia Amrani", "nadia.amrani@hotmail.fr",
		"Bonjour\nMa collègue \"Julie Martin\" m'a parlé du programme.\nNadia Amrani")
	if a := r.Applicant; a.Company != "" {
		t.Errorf("quoted person: %q", a.Company)
	}
}
