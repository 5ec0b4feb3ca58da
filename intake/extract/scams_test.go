package extract

import (
	"testing"
)

// B2B scams and solicitations that quote the recipient company's own data
// (name, SIRET, address) must never be answered nor harvested.
func TestScamsQuotingTheCompanyAreNotAnswered(t *testing.T) {
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
		checkKind(t, tt.name, Analyze(message(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs), testProgram), "spam|other")
	}
}

// Real applicants whose mail shares words with those scams stay applicants.
func TestApplicantsUsingScamWordsAreAnswered(t *testing.T) {
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
		checkKind(t, tt.name, Analyze(message(tt.subject, tt.fromName, tt.from, tt.text, nil), testProgram), KindApplication)
	}
}
