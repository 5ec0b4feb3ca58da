package extract

import (
	"testing"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// Round 3: the classification edges of the `edge` corpus, each written
// anew with other people, companies, places and phrasings.

func TestRound3Classification(t *testing.T) {
	cal := r2Message("Invitation : réunion du jury – candidatures de décembre", "Paul Hermet", "p.hermet@cabinet-hermet.fr",
		"Réunion du jury – candidatures de décembre\nmardi 8 décembre 2026 ⋅ 10:00 – 12:00\n\nLieu\nSalle du conseil, 48200 Saint-Chély-d'Apcher\n\n"+
			"Ordre du jour : examen des 9 dossiers reçus.\n\nOrganisateur\nPaul Hermet\n\nInvitation de l'agenda Outlook", nil)
	cal.Attachments = append(cal.Attachments, mailparse.Attachment{Filename: "reunion.ics", ContentType: "text/calendar"})

	tests := []struct {
		name string
		m    *mailparse.Message
		want string
	}{
		{"application ending with a question about the sessions",
			r2Message("Programme RSE – Menuiserie Gély", "Yannick Gély", "contact@menuiserie-gely.fr",
				"Bonjour,\n\nNous souhaitons déposer la candidature de notre société au programme « J'initie, je m'engage RSE ». "+
					"La Menuiserie Gély est installée à Saint-Alban-sur-Limagnole (48120) et compte 9 salariés.\n\n"+
					"Secteur : menuiserie bois et aluminium\nTél. : 06 21 43 65 87\n\n"+
					"Savez-vous à quelle date débutera le premier atelier ? Nous devons prévoir les chantiers.\n\nCordialement,\nYannick Gély\nGérant", nil),
			KindApplication},
		{"reply to an out-of-office whose cue is only after RE:",
			r2Message("RE: Message d'absence : congés", "Hélène Brun", "h.brun@garage-brun48.fr",
				"Bonjour,\n\nVotre collègue étant en congés, je vous transmets ici ma candidature au programme.\n\n"+
					"Nom : Brun\nPrénom : Hélène\nEntreprise : Garage Brun\nSIRET : 812 345 676 00017\nEffectif : 6 salariés\nCode postal : 48500\nCommune : La Canourgue\n\n"+
					"Cordialement,\nHélène Brun\n\n"+
					"De : Coordination <coordination@rse-lozere.fr>\nEnvoyé : lundi 16 novembre 2026 09:12\nÀ : h.brun@garage-brun48.fr\nObjet : Message d'absence : congés\n\n"+
					"Je suis absente du bureau jusqu'au 23 novembre. Réponse automatique.",
				map[string]string{"In-Reply-To": "<oof-123@rse-lozere.fr>"}),
			KindApplication},
		{"real out-of-office still one",
			r2Message("Message d'absence : Candidature programme RSE", "Hélène Brun", "h.brun@garage-brun48.fr",
				"Bonjour,\nJe suis absente du bureau jusqu'au 23 novembre.\nHélène Brun", map[string]string{"Auto-Submitted": "auto-replied"}),
			KindAutoReply},
		{"applicant forwards the failure notice of his first try",
			r2Message("TR: Undelivered Mail Returned to Sender", "Joël Bastide", "joel.bastide@orange.fr",
				"Bonjour,\n\nMon premier message vous est revenu (erreur dans l'adresse), le voici de nouveau.\n\nJoël Bastide\n\n"+
					"-------- Message transféré --------\nDe : MAILER-DAEMON@orange.fr\nDate : 17/11/2026 08:40\nÀ : joel.bastide@orange.fr\nObjet : Undelivered Mail Returned to Sender\n\n"+
					"This is the mail system at host smtp.orange.fr. I'm sorry to have to inform you that your message could not be delivered.\n<rse.innovation@gmail.com>: 550 5.1.1 user unknown\n\n"+
					"-------- Message transféré --------\nDe : Joël Bastide <joel.bastide@orange.fr>\nDate : 17/11/2026 08:39\nÀ : rse.innovation@gmail.com\nObjet : Candidature RSE\n\n"+
					"Bonjour,\nJe vous adresse ma candidature au programme.\nEntreprise : Bastide Maçonnerie\nSIRET : 812 345 676 00017\nEffectif : 5 salariés\nCode postal : 48130\nCommune : Aumont-Aubrac\nTél. : 06 44 55 66 77\nJoël Bastide", nil),
			KindApplication},
		{"a true bounce is still a bounce",
			r2Message("Undelivered Mail Returned to Sender", "Mail Delivery System", "mailer-daemon@mx.example.fr",
				"This is the mail system at host mx.example.fr.\n<x@example.fr>: user unknown", map[string]string{"Return-Path": "<>"}),
			KindBounce},
		{"adviser asks for the form for a company she coaches",
			r2Message("Formulaire de candidature", "Claire Vidal", "c.vidal@initiative-lozere.fr",
				"Bonjour,\n\nUne des entreprises que j'accompagne, la Fromagerie Rouvière à Marvejols (48100), 11 salariés, voudrait entrer dans le programme. "+
					"Pourriez-vous me transmettre le formulaire de candidature ? Je le remplirai avec la dirigeante.\n\nMerci,\nClaire Vidal\nChargée d'affaires – Initiative Lozère\n04 66 00 11 22", nil),
			KindOther},
		{"tax-exemption investment pitch signed with a SIRET",
			r2Message("Chefs d'entreprise : réduisez votre impôt grâce aux SCPI", "Marc Ollier", "m.ollier@gestion-privee-sud.fr",
				"Madame, Monsieur,\n\nEn tant que dirigeant, vous cherchez sans doute à faire fructifier votre épargne tout en allégeant votre fiscalité. "+
					"Nos solutions de défiscalisation en SCPI vous permettent de viser un rendement cible de 5,8 %.\n\n"+
					"Je vous propose un rendez-vous de 15 minutes : répondez simplement à ce message.\n\nMarc Ollier\nGestion Privée Sud SAS – 4 avenue de la Gare, 30000 Nîmes\nSIRET 812 345 676 00017\nTél. 06 10 20 30 40\n\n"+
					"Investir comporte un risque de perte en capital. Pour ne plus recevoir nos messages, répondez STOP.", nil),
			KindSpam},
		{"account phishing",
			r2Message("Action requise : votre messagerie sera désactivée", "Support Messagerie", "support@secure-webmail-check.top",
				"Cher client,\n\nUne activité suspecte a été détectée sur votre compte. Votre compte sera désactivé sous 48 heures.\n"+
					"Pour conserver l'accès à vos dossiers, vérifiez votre identité ici : https://webmail-check.top/login\n\nLe support",
				map[string]string{"Received-Spf": "fail (domain does not designate)"}),
			KindSpam},
		{"calendar invitation with an .ics event", cal, KindOther},
		{"job application for an internship",
			r2Message("Candidature spontanée – stage RSE", "Inès Combes", "ines.combes@gmail.com",
				"Madame, Monsieur,\n\nÉtudiante en master développement durable, je vous adresse ma candidature spontanée pour un stage de six mois au sein de votre équipe. "+
					"J'ai travaillé l'été dernier dans une coopérative de 30 salariés à Florac.\n\nVous trouverez ci-joint mon CV et ma lettre de motivation.\n\n"+
					"Cordialement,\nInès Combes\n06 77 88 99 00", nil, "CV Ines Combes.pdf", "Lettre.pdf"),
			KindOther},
		{"trainer offering workshops with a company block",
			r2Message("Animation d'ateliers RSE", "Romain Teissier", "romain@teissier-formation.fr",
				"Bonjour,\n\nFormateur en achats responsables, je souhaite vous proposer mes services pour animer les ateliers de votre prochaine promotion.\n\n"+
					"Entreprise : Teissier Formation\nSIRET : 812 345 676 00017\nEffectif : 2\nAdresse : 5 rue Basse, 48000 Mende\nTarif : 900 € HT la journée\n\n"+
					"Je peux vous envoyer mes références.\n\nRomain Teissier", nil),
			KindOther},
	}
	for _, tc := range tests {
		r := Analyze(tc.m, testProgram)
		if r.Kind != tc.want {
			t.Errorf("%s: kind %s, want %s", tc.name, r.Kind, tc.want)
		}
		wantAck := tc.want == KindApplication || tc.want == KindFollowUp
		if r.ShouldAcknowledge != wantAck {
			t.Errorf("%s: should_acknowledge %v, want %v", tc.name, r.ShouldAcknowledge, wantAck)
		}
	}
}

func TestRound3Fields(t *testing.T) {
	tests := []struct {
		name, text, field, want string
	}{
		{"commune of 'notre entreprise à X' without postal code",
			"Bonjour,\nNous voulons inscrire notre entreprise à Langogne au programme, 8 salariés.\nMerci", "commune", "Langogne"},
		{"no postal code then none", "Bonjour,\nNous voulons inscrire notre entreprise à Langogne au programme, 8 salariés.\nMerci", "postal_code", ""},
		{"signature completes the title of the sentence",
			"Bonjour,\nJe suis directrice de l'usine de Chirac et je souhaite inscrire notre site au programme.\nEntreprise : Laiterie des Causses\nEffectif : 40 salariés\n\nCordialement,\n\nMarie Pons\nDirectrice d'usine | Laiterie des Causses", "role", "Directrice d'usine"},
		{"'on est 3' is a headcount",
			"Bonjour\nJe voudrais candidater pour le programme, je tiens la boulangerie Rieu à Mende 48000, on est 3 en tout.\nSiret 81234567600017\nPaul", "headcount", "3"},
		{"signature company without its slogan",
			"Bonjour,\nJe souhaite participer au programme. Nous sommes 5 salariés à Mende (48000).\n\nBien à vous,\n\nLaure Pic\nGérante\nCidrerie Pic – Le goût de l'Aubrac\n06 11 22 33 44", "company", "Cidrerie Pic"},
		{"English headcount",
			"Hello,\nI would like to apply with my company, Aubrac Lodges, which I run as its manager.\nWe employ 6 people all year.\nBest regards,\nTom Reed", "headcount", "6"},
		{"English company",
			"Hello,\nI would like to apply with my company, Aubrac Lodges, which I run as its manager.\nWe employ 6 people all year.\nBest regards,\nTom Reed", "company", "Aubrac Lodges"},
	}
	for _, tc := range tests {
		r := analyzeText("Candidature programme RSE", "", "someone@example.fr", tc.text, nil)
		got, _ := r.Applicant.Field(tc.field)
		if !sameValue(tc.field, got, tc.want) {
			t.Errorf("%s: %s = %q, want %q (kind %s)", tc.name, tc.field, got, tc.want, r.Kind)
		}
	}
}
