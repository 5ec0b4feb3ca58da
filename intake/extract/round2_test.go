package extract

import (
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// Round 2: mail written for the next likely failures on unseen mail, with
// other names, companies, places and phrasings than any corpus message.

// r2Message builds a message; hdrs may set In-Reply-To, To and any header.
func r2Message(subject, fromName, from, text string, hdrs map[string]string, attachments ...string) *mailparse.Message {
	h := textproto.MIMEHeader{}
	for k, v := range hdrs {
		h.Set(k, v)
	}
	m := &mailparse.Message{Subject: subject, FromName: fromName, FromEmail: from, Text: text, Header: h,
		To: []mailparse.Address{{Email: testProgram.Address}}, InReplyTo: h.Get("In-Reply-To")}
	for _, a := range attachments {
		m.Attachments = append(m.Attachments, mailparse.Attachment{Filename: a, ContentType: "application/pdf"})
	}
	return m
}

// B2B scams and solicitations that quote the recipient company's own data
// (name, SIRET, address) must never be answered nor harvested.
func TestRound2CompanyScams(t *testing.T) {
	tests := []struct {
		name, subject, fromName, from, text string
		hdrs                                map[string]string
	}{
		{"fake business directory, no trace headers", "Votre inscription à l'Annuaire Officiel des Professionnels",
			"Annuaire Officiel des Pros", "service.client@annuaire-officiel-pros.com",
			"Madame, Monsieur,\n\nVotre entreprise figure dans notre base :\n\nRaison sociale : MENUISERIE ROUVIERE\nSIRET : 812 345 676 00017\nAdresse : 12 rue du Foirail, 48300 LANGOGNE\nActivité : menuiserie\n\n" +
				"Afin de maintenir votre référencement pour l'année 2027, merci de confirmer vos données en retournant le bon de commande signé. Frais annuels d'inscription : 489 € HT.\n\n" +
				"Service Inscriptions\nAnnuaire Officiel des Professionnels", nil},
		{"fake GDPR compliance with penalty", "URGENT : mise en conformité RGPD de votre entreprise",
			"Cellule Conformité RGPD", "contact@conformite-rgpd-entreprises.fr",
			"Bonjour,\n\nSauf erreur de notre part, votre société FROMAGERIE DU VALDONNEZ (SIRET 81234567600017, 48190 Saint-Étienne-du-Valdonnez) n'a pas encore effectué sa mise en conformité RGPD obligatoire.\n" +
				"Les contrôles de la CNIL peuvent entraîner une amende de 20 000 €. Pour régulariser votre situation, réglez les frais de dossier de 290 € par virement :\nIBAN : FR76 3000 4000 0500 0012 3456 789\n\nLe service conformité", nil},
		{"mandatory workplace posters", "Affichage obligatoire – votre établissement n'est pas en règle",
			"Service Affichage Légal", "commandes@affichage-legal-pro.fr",
			"Madame, Monsieur le dirigeant,\n\nDepuis le 1er janvier, l'affichage obligatoire doit être mis à jour dans tous les établissements employant des salariés. Votre établissement GARAGE DES CAUSSES, 48500 La Canourgue, effectif 7, n'est pas à jour.\n" +
				"Commandez votre kit d'affiches obligatoires (149 € TTC) et votre document unique avant le 30 novembre pour éviter toute sanction : http://affichage-legal-pro.fr/commande\n\nService Affichage Légal", nil},
		{"fake unpaid invoice", "Facture n° FR-2026-11874 en attente de règlement",
			"Service Facturation", "facturation@registre-pro-france.net",
			"Madame, Monsieur,\n\nSauf erreur de notre part, la facture n° FR-2026-11874 relative à l'inscription de votre entreprise ATELIER LUMEN (SIRET 812 345 676 00017) au Répertoire des Professionnels reste impayée.\n" +
				"Merci de procéder au paiement de 357,60 € TTC sous 72 heures par virement sur l'IBAN ci-dessous, faute de quoi le dossier sera transmis au service contentieux.\n\nIBAN : FR76 1751 5900 0008 0012 3456 789\n\nService Facturation",
			map[string]string{"Reply-To": "paiement@secure-reglement.top"}},
		{"domain name renewal", "Expiration de votre nom de domaine scierie-pages.fr",
			"Domain Services France", "renouvellement@domaines-services-france.com",
			"Bonjour,\n\nLe nom de domaine scierie-pages.fr de votre entreprise Scierie Pagès (48200 Saint-Chély-d'Apcher) expire le 30/11/2026.\n" +
				"Sans renouvellement, votre site internet et vos adresses e-mail seront suspendus. Renouvelez dès maintenant pour 5 ans (189 € HT) en cliquant sur le lien suivant : https://domaines-services-france.com/renouveler\n\nL'équipe Domain Services", nil},
		{"seo referencing offer quoting the company", "Référencement de votre entreprise sur Google",
			"Thomas Legrand", "t.legrand@webvisibilite-pro.fr",
			"Bonjour,\n\nEn consultant la fiche de votre entreprise Boulangerie Crouzet (48000 Mende, SIRET 812 345 676 00017), j'ai constaté qu'elle n'apparaît pas en première position sur Google Maps.\n" +
				"Pour 49 € par mois, nous mettons à jour vos données sur 40 annuaires et améliorons votre référencement local. Il vous suffit de valider la commande via ce lien : https://webvisibilite-pro.fr/go\n\nThomas Legrand\nConsultant Web Visibilité", nil},
		{"registry update by reply", "Mise à jour obligatoire de vos données – Registre du Commerce",
			"Registre des Entreprises", "mise-a-jour@registre-entreprises.eu",
			"Bonjour,\n\nConformément à la réglementation, les informations de votre société doivent être mises à jour chaque année.\n\nDénomination : TRANSPORTS VIDAL\nSIREN : 812 345 676\nCode postal : 48100\nCommune : MARVEJOLS\nDirigeant : Pierre VIDAL\n\n" +
				"Merci de nous retourner ce formulaire complété et signé avec le règlement des frais de traitement (195 €) sous 15 jours.\n\nRegistre des Entreprises – Service des inscriptions", nil},
	}
	for _, tt := range tests {
		r := Analyze(r2Message(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs), testProgram)
		if r.ShouldAcknowledge || r.Kind == KindApplication || r.Kind == KindFollowUp {
			t.Errorf("%s: kind %q ack %v, want no acknowledgment", tt.name, r.Kind, r.ShouldAcknowledge)
		}
		if r.Kind != KindSpam && r.Kind != KindOther {
			t.Errorf("%s: kind %q, want spam or other", tt.name, r.Kind)
		}
		if !r.Applicant.IsZero() {
			t.Errorf("%s: applicant fields set: %+v", tt.name, r.Applicant)
		}
	}
}

// Real applicants whose mail shares words with those scams stay applicants.
func TestRound2ApplicantsWithScamWords(t *testing.T) {
	tests := []struct{ name, subject, fromName, from, text string }{
		{"web agency applying", "Candidature programme RSE", "Julie Sarda", "julie@sarda-web.fr",
			"Bonjour,\n\nJe souhaite candidater au programme pour mon entreprise, Sarda Web, une agence de référencement et de mise en conformité RGPD pour les artisans.\n" +
				"Nous renouvelons les noms de domaine et gérons la facturation de nos clients, et nous voulons réduire l'empreinte de nos serveurs.\n\nSIRET : 812 345 676 00017\nEffectif : 4\nCode postal : 48000 Mende\n\nJulie Sarda\nGérante – Sarda Web"},
		{"accountant applying, mentions invoices", "Inscription au programme",
			"Marc Bastide", "marc.bastide@cabinet-bastide.fr",
			"Bonjour,\n\nNous souhaitons participer au programme. Notre cabinet d'expertise comptable accompagne 300 TPE lozériennes (factures, paiements, virements, mise à jour des registres).\n" +
				"Notre entreprise, Cabinet Bastide, compte 9 salariés à Marvejols (48100).\n\nMarc Bastide\nAssocié gérant"},
	}
	for _, tt := range tests {
		r := Analyze(r2Message(tt.subject, tt.fromName, tt.from, tt.text, nil), testProgram)
		if r.Kind != KindApplication || !r.ShouldAcknowledge {
			t.Errorf("%s: kind %q ack %v, want an acknowledged application", tt.name, r.Kind, r.ShouldAcknowledge)
		}
	}
}

// Follow-ups name the company in their text or signature; the quoted
// history must not give it.
func TestRound2FollowUpCompany(t *testing.T) {
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
		r := Analyze(r2Message(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs, tt.attachments...), testProgram)
		if r.Kind != KindFollowUp || !r.ShouldAcknowledge {
			t.Errorf("%s: kind %q ack %v, want an acknowledged follow-up", tt.name, r.Kind, r.ShouldAcknowledge)
			continue
		}
		if !sameCompany(r.Applicant.Company, tt.company) || r.Applicant.Siret != tt.siret {
			t.Errorf("%s: company %q siret %q, want %q %q", tt.name, r.Applicant.Company, r.Applicant.Siret, tt.company, tt.siret)
		}
	}
}

// An assistant writes for the boss: the facts are the company's, the
// applicant is the boss when named.
func TestRound2AssistantForTheBoss(t *testing.T) {
	r := Analyze(r2Message("Candidature programme RSE – Menuiserie Rouvière", "Sophie Martin", "secretariat@menuiserie-rouviere.fr",
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
	r = Analyze(r2Message("Inscription au programme", "Accueil Gîtes du Mont Lozère", "accueil@gites-montlozere.fr",
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

// A sender whose display name is a company: it is no person's name, and
// the person signs below.
func TestRound2CompanyDisplayName(t *testing.T) {
	r := Analyze(r2Message("Candidature RSE", "SARL Dupont Frères", "contact@dupont-freres.fr",
		"Bonjour,\n\nNous souhaitons inscrire notre entreprise au programme « J'initie, je m'engage RSE ».\n"+
			"Nous sommes une entreprise de maçonnerie de 8 salariés basée à Marvejols (48100).\n\nCordialement,\n\nMarc Dupont\nCo-gérant", nil), testProgram)
	if r.Kind != KindApplication || !r.ShouldAcknowledge {
		t.Fatalf("kind %q ack %v", r.Kind, r.ShouldAcknowledge)
	}
	a := r.Applicant
	if a.FirstName != "Marc" || a.LastName != "Dupont" || !strings.EqualFold(a.Role, "co-gérant") {
		t.Errorf("person %q %q role %q", a.FirstName, a.LastName, a.Role)
	}
	// The company is what the author writes, never the display name (a
	// follow-up from "Boulangerie X" states no company).
	if a.Company != "" {
		t.Errorf("company %q taken from the display name", a.Company)
	}

	// No name in the body at all: the display name is a company, never
	// split into a first and last name.
	r = Analyze(r2Message("Candidature au programme RSE", "Boulangerie Vidal", "boulangerie.vidal@orange.fr",
		"Bonjour,\nJe souhaite candidater au programme. Nous sommes 5 salariés à Florac (48400).\nMerci", nil), testProgram)
	if r.Kind != KindApplication || !r.ShouldAcknowledge {
		t.Fatalf("bare: kind %q ack %v", r.Kind, r.ShouldAcknowledge)
	}
	if a := r.Applicant; a.FirstName != "" || a.LastName != "" || a.Company != "" || a.PostalCode != "48400" {
		t.Errorf("bare: person %q %q company %q place %q", a.FirstName, a.LastName, a.Company, a.PostalCode)
	}
}

// sameCompany compares company names as the ground truth does: case, the
// apostrophe and legal-form tokens do not matter.
func sameCompany(a, b string) bool {
	norm := func(s string) string {
		var out []string
		for _, w := range strings.Fields(strings.ReplaceAll(strings.ToLower(s), "’", "'")) {
			switch w {
			case "sarl", "sas", "sasu", "eurl", "scop", "gaec", "sa":
				continue
			}
			out = append(out, w)
		}
		return strings.Join(out, " ")
	}
	return norm(a) == norm(b)
}

// Human mail that is no application although its signature carries a
// SIRET, an address and a company: a person answers it, never the robot.
func TestRound2OtherHumanMail(t *testing.T) {
	tests := []struct {
		name, subject, fromName, from, text string
		attachments                         []string
	}{
		{"supplier invoice", "Facture n° F2026-118 – location de salle", "Comptabilité Hôtel du Parc", "compta@hotel-parc-mende.fr",
			"Bonjour,\n\nVeuillez trouver ci-joint la facture n° F2026-118 correspondant à la location de la salle Gévaudan le 12 novembre pour l'atelier RSE.\nMerci de procéder au règlement par virement sous 30 jours.\nIBAN : FR76 1234 5678 9012 3456 7890 123\n\n" +
				"Cordialement,\nNathalie Bonnet\nService comptabilité\nHôtel du Parc SARL – 47 avenue Foch, 48000 Mende\nSIRET 812 345 676 00017", []string{"Facture-F2026-118.pdf"}},
		{"event invitation with 'Inscription' subject", "Inscription : petit-déjeuner RSE du 3 décembre", "Marie Causse", "m.causse@lozere.cci.fr",
			"Bonjour,\n\nLa CCI Lozère organise un petit-déjeuner sur la RSE le 3 décembre à 8h30 à Mende. Inscription gratuite mais obligatoire via le lien : https://cci-lozere.fr/evenements\n\n" +
				"Bien cordialement,\nMarie Causse\nConseillère entreprises – CCI Lozère\n16 boulevard du Soubeyran, 48000 Mende\n04 66 49 00 33", nil},
		{"job application", "Candidature spontanée – chargé de mission RSE", "Lucas Martin", "lucas.martin@gmail.com",
			"Bonjour,\n\nJe vous adresse ma candidature spontanée pour un poste de chargé de mission RSE. Titulaire d'un master en développement durable, je suis disponible dès janvier.\nVous trouverez mon CV en pièce jointe.\n\nCordialement,\nLucas Martin\n06 12 34 56 78", []string{"CV Lucas Martin.pdf"}},
		{"directory renewal to a 'cher client'", "Renouvellement de votre parution 2027", "Pages Pros", "service@pagespros-france.com",
			"Cher client,\n\nVotre parution dans l'annuaire Pages Pros arrive à échéance. Pour la renouveler, merci de régler 299 € HT via le lien : https://pagespros-france.com/paiement\n\nLe service client\nPages Pros SAS – 75008 Paris – SIRET 812 345 676 00017", nil},
	}
	for _, tt := range tests {
		r := Analyze(r2Message(tt.subject, tt.fromName, tt.from, tt.text, nil, tt.attachments...), testProgram)
		if r.ShouldAcknowledge || r.Kind == KindApplication || r.Kind == KindFollowUp {
			t.Errorf("%s: kind %q ack %v, want no acknowledgment", tt.name, r.Kind, r.ShouldAcknowledge)
		}
		if !r.Applicant.IsZero() {
			t.Errorf("%s: applicant fields set: %+v", tt.name, r.Applicant)
		}
	}
	// An applicant who invites the reader to visit the website and whose
	// company runs events stays an applicant.
	r := Analyze(r2Message("Candidature RSE", "Nadia Benali", "nadia@domaine-des-aulnes.fr",
		"Bonjour,\n\nJe souhaite inscrire le Domaine des Aulnes au programme. Nous organisons des séminaires et des mariages, et je vous invite à consulter notre site.\n"+
			"Nous sommes 7 salariés à Chanac (48230).\n\nNadia Benali\nGérante", nil), testProgram)
	if r.Kind != KindApplication || !r.ShouldAcknowledge {
		t.Errorf("event venue applicant: kind %q ack %v", r.Kind, r.ShouldAcknowledge)
	}
}

// A sentence end is no part of a company name.
func TestRound2CompanySentenceEnd(t *testing.T) {
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

// TestRound2Pathological feeds 64 KB of the new rules' cues: each step
// must stay linear.
func TestRound2Pathological(t *testing.T) {
	for _, unit := range []string{
		"le SIRET de la Menuiserie A B C ", "Kbis de l'Atelier X. Merci. ", "assistante de M. Jean Dupont, gérant de ",
		"de la part de notre directrice, Mme Claire Bouquet ", "votre entreprise registre facture https:// ",
		"candidature spontanée pour un poste ", "facture iban ", "A. B. C. D. ",
	} {
		text := strings.Repeat(unit, 64<<10/len(unit))
		m := r2Message("Candidature", "A B", "a@b.fr", text, nil)
		st := time.Now()
		Analyze(m, testProgram)
		if d := time.Since(st); d > time.Second {
			t.Errorf("%q: %v", unit, d)
		}
	}
}

// Follow-ups sent as new mail (no reply headers, no reference): papers
// "ci-joint mon Kbis", a signature glued to the text, an assistant writing
// for the boss.
func TestRound2FollowUpStyles(t *testing.T) {
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
		r := Analyze(r2Message(tt.subject, tt.fromName, tt.from, tt.text, nil, tt.attachments...), testProgram)
		if r.Kind != KindFollowUp || !r.ShouldAcknowledge {
			t.Errorf("%s: kind %q ack %v, want an acknowledged follow-up", tt.name, r.Kind, r.ShouldAcknowledge)
			continue
		}
		a := r.Applicant
		if a.FirstName != tt.first || a.LastName != tt.last || !sameCompany(a.Company, tt.company) || !strings.EqualFold(a.Role, tt.role) || a.Siret != tt.siret {
			t.Errorf("%s: %q %q company %q role %q siret %q", tt.name, a.FirstName, a.LastName, a.Company, a.Role, a.Siret)
		}
	}
}
