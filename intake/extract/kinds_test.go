package extract

import (
	"strconv"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// TestKinds pins one plain mail of each kind.
func TestKinds(t *testing.T) {
	tests := []struct {
		name, subject, fromName, from, text string
		hdrs                                map[string]string
		kind                                string
	}{
		{"application", "Candidature", "Marie Dupont", "m@x.fr", "Bonjour,\nJe souhaite candidater au programme.\nSIRET : 812 345 676 00017\nMarie Dupont", nil, KindApplication},
		{"question", "Renseignements", "Luc Roux", "l@x.fr", "Bonjour,\nAvant de candidater, j'aurais voulu savoir si la formation est payante ?\nLuc", nil, KindOther},
		{"reference", "Re: Votre candidature RSE-2026-0007", "Luc Roux", "l@x.fr", "Voici le SIRET : 812 345 676 00017", nil, KindFollowUp},
		{"auto-submitted", "Réponse automatique : Absent du bureau", "Luc Roux", "l@x.fr", "Je suis absent.", map[string]string{"Auto-Submitted": "auto-replied"}, KindAutoReply},
		{"x-autoreply", "Absence", "Luc Roux", "l@x.fr", "Je suis absent.", map[string]string{"X-Autoreply": "yes"}, KindAutoReply},
		{"ooo subject only", "Absent(e) du bureau jusqu'au 30/11", "Luc Roux", "l@x.fr", "Bonjour, je suis absente jusqu'au 30 novembre.", nil, KindAutoReply},
		{"english ooo", "Automatic reply: Candidature", "Luc Roux", "l@x.fr", "I am out of the office.", map[string]string{"Auto-Submitted": "auto-generated"}, KindAutoReply},
		{"mailer-daemon", "Undelivered Mail Returned to Sender", "Mail Delivery System", "mailer-daemon@x.fr", "could not be delivered", map[string]string{"Return-Path": "<>"}, KindBounce},
		{"non remis", "Non remis : Accusé de réception", "Microsoft Outlook", "postmaster@x.fr", "Le message n'a pas pu être remis.", nil, KindBounce},
		{"list", "La lettre", "Asso", "info@asso.fr", "Appel à candidatures", map[string]string{"List-Unsubscribe": "<mailto:u@asso.fr>"}, KindBulk},
		{"precedence bulk", "La lettre", "Asso", "contact@asso.fr", "Appel à candidatures", map[string]string{"Precedence": "bulk"}, KindBulk},
		{"noreply", "Votre compte", "Plateforme", "ne-pas-repondre@plateforme.fr", "Votre compte a été créé.", nil, KindOther},
		{"notifications", "Votre dossier", "Plateforme", "notifications@plateforme.fr", "Votre dossier a été créé.", nil, KindOther},
		{"program address", "Note", "RSE", "RSE.Innovation.Manageriale@gmail.com", "Candidature de Marie, SIRET 812 345 676 00017", nil, KindOther},
		{"coordinator", "Point candidatures", "Coordination", "coordination@rse-lozere.fr", "Je souhaite candidater", nil, KindOther},
		{"spam", "FÉLICITATIONS ! Vous avez gagné", "Cabinet", "x@invest.top", "Placement en cryptomonnaies, gains garantis sans risque. Cliquez ici.", map[string]string{"To": "undisclosed-recipients:;", "Received-SPF": "softfail (x)"}, KindSpam},
		{"thanks", "Re: Accusé de réception", "Luc Roux", "l@x.fr", "Merci pour votre retour.\n\nLuc Roux\nRoux SARL – 48000 Mende", map[string]string{"In-Reply-To": "<ack@x>"}, KindOther},
	}
	for _, tt := range tests {
		checkKind(t, tt.name, analyzeText(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs), tt.kind)
	}
}

// Human mail that is no application although its signature carries a
// SIRET, an address and a company: a person answers it, never the robot.
func TestHumanMailWithCompanyFactsIsNoApplication(t *testing.T) {
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
		checkKind(t, tt.name, Analyze(message(tt.subject, tt.fromName, tt.from, tt.text, nil, tt.attachments...), testProgram), "other|spam|bulk")
	}
	// An applicant who invites the reader to visit the website and whose
	// company runs events stays an applicant.
	r := Analyze(message("Candidature RSE", "Nadia Benali", "nadia@domaine-des-aulnes.fr",
		"Bonjour,\n\nJe souhaite inscrire le Domaine des Aulnes au programme. Nous organisons des séminaires et des mariages, et je vous invite à consulter notre site.\n"+
			"Nous sommes 7 salariés à Chanac (48230).\n\nNadia Benali\nGérante", nil), testProgram)
	checkKind(t, "event venue applicant", r, KindApplication)
}

// A question inside an application, a reply to an out-of-office, a pitch
// signed with a SIRET: cues of one kind in mail of another.
func TestKindDespiteMisleadingCues(t *testing.T) {
	cal := message("Invitation : réunion du jury – candidatures de décembre", "Paul Hermet", "p.hermet@cabinet-hermet.fr",
		"Réunion du jury – candidatures de décembre\nmardi 8 décembre 2026 ⋅ 10:00 – 12:00\n\nLieu\nSalle du conseil, 48200 Saint-Chély-d'Apcher\n\n"+
			"Ordre du jour : examen des 9 dossiers reçus.\n\nOrganisateur\nPaul Hermet\n\nInvitation de l'agenda Outlook", nil)
	cal.Attachments = append(cal.Attachments, mailparse.Attachment{Filename: "reunion.ics", ContentType: "text/calendar"})

	tests := []struct {
		name string
		m    *mailparse.Message
		want string
	}{
		{"application ending with a question about the sessions",
			message("Programme RSE – Menuiserie Gély", "Yannick Gély", "contact@menuiserie-gely.fr",
				"Bonjour,\n\nNous souhaitons déposer la candidature de notre société au programme « J'initie, je m'engage RSE ». "+
					"La Menuiserie Gély est installée à Saint-Alban-sur-Limagnole (48120) et compte 9 salariés.\n\n"+
					"Secteur : menuiserie bois et aluminium\nTél. : 06 21 43 65 87\n\n"+
					"Savez-vous à quelle date débutera le premier atelier ? Nous devons prévoir les chantiers.\n\nCordialement,\nYannick Gély\nGérant", nil),
			KindApplication},
		{"reply to an out-of-office whose cue is only after RE:",
			message("RE: Message d'absence : congés", "Hélène Brun", "h.brun@garage-brun48.fr",
				"Bonjour,\n\nVotre collègue étant en congés, je vous transmets ici ma candidature au programme.\n\n"+
					"Nom : Brun\nPrénom : Hélène\nEntreprise : Garage Brun\nSIRET : 812 345 676 00017\nEffectif : 6 salariés\nCode postal : 48500\nCommune : La Canourgue\n\n"+
					"Cordialement,\nHélène Brun\n\n"+
					"De : Coordination <coordination@rse-lozere.fr>\nEnvoyé : lundi 16 novembre 2026 09:12\nÀ : h.brun@garage-brun48.fr\nObjet : Message d'absence : congés\n\n"+
					"Je suis absente du bureau jusqu'au 23 novembre. Réponse automatique.",
				map[string]string{"In-Reply-To": "<oof-123@rse-lozere.fr>"}),
			KindApplication},
		{"real out-of-office still one",
			message("Message d'absence : Candidature programme RSE", "Hélène Brun", "h.brun@garage-brun48.fr",
				"Bonjour,\nJe suis absente du bureau jusqu'au 23 novembre.\nHélène Brun", map[string]string{"Auto-Submitted": "auto-replied"}),
			KindAutoReply},
		{"applicant forwards the failure notice of his first try",
			message("TR: Undelivered Mail Returned to Sender", "Joël Bastide", "joel.bastide@orange.fr",
				"Bonjour,\n\nMon premier message vous est revenu (erreur dans l'adresse), le voici de nouveau.\n\nJoël Bastide\n\n"+
					"-------- Message transféré --------\nDe : MAILER-DAEMON@orange.fr\nDate : 17/11/2026 08:40\nÀ : joel.bastide@orange.fr\nObjet : Undelivered Mail Returned to Sender\n\n"+
					"This is the mail system at host smtp.orange.fr. I'm sorry to have to inform you that your message could not be delivered.\n<rse.innovation@gmail.com>: 550 5.1.1 user unknown\n\n"+
					"-------- Message transféré --------\nDe : Joël Bastide <joel.bastide@orange.fr>\nDate : 17/11/2026 08:39\nÀ : rse.innovation@gmail.com\nObjet : Candidature RSE\n\n"+
					"Bonjour,\nJe vous adresse ma candidature au programme.\nEntreprise : Bastide Maçonnerie\nSIRET : 812 345 676 00017\nEffectif : 5 salariés\nCode postal : 48130\nCommune : Aumont-Aubrac\nTél. : 06 44 55 66 77\nJoël Bastide", nil),
			KindApplication},
		{"a true bounce is still a bounce",
			message("Undelivered Mail Returned to Sender", "Mail Delivery System", "mailer-daemon@mx.example.fr",
				"This is the mail system at host mx.example.fr.\n<x@example.fr>: user unknown", map[string]string{"Return-Path": "<>"}),
			KindBounce},
		{"adviser asks for the form for a company she coaches",
			message("Formulaire de candidature", "Claire Vidal", "c.vidal@initiative-lozere.fr",
				"Bonjour,\n\nUne des entreprises que j'accompagne, la Fromagerie Rouvière à Marvejols (48100), 11 salariés, voudrait entrer dans le programme. "+
					"Pourriez-vous me transmettre le formulaire de candidature ? Je le remplirai avec la dirigeante.\n\nMerci,\nClaire Vidal\nChargée d'affaires – Initiative Lozère\n04 66 00 11 22", nil),
			KindOther},
		{"tax-exemption investment pitch signed with a SIRET",
			message("Chefs d'entreprise : réduisez votre impôt grâce aux SCPI", "Marc Ollier", "m.ollier@gestion-privee-sud.fr",
				"Madame, Monsieur,\n\nEn tant que dirigeant, vous cherchez sans doute à faire fructifier votre épargne tout en allégeant votre fiscalité. "+
					"Nos solutions de défiscalisation en SCPI vous permettent de viser un rendement cible de 5,8 %.\n\n"+
					"Je vous propose un rendez-vous de 15 minutes : répondez simplement à ce message.\n\nMarc Ollier\nGestion Privée Sud SAS – 4 avenue de la Gare, 30000 Nîmes\nSIRET 812 345 676 00017\nTél. 06 10 20 30 40\n\n"+
					"Investir comporte un risque de perte en capital. Pour ne plus recevoir nos messages, répondez STOP.", nil),
			KindSpam},
		{"account phishing",
			message("Action requise : votre messagerie sera désactivée", "Support Messagerie", "support@secure-webmail-check.top",
				"Cher client,\n\nUne activité suspecte a été détectée sur votre compte. Votre compte sera désactivé sous 48 heures.\n"+
					"Pour conserver l'accès à vos dossiers, vérifiez votre identité ici : https://webmail-check.top/login\n\nLe support",
				map[string]string{"Received-Spf": "fail (domain does not designate)"}),
			KindSpam},
		{"calendar invitation with an .ics event", cal, KindOther},
		{"job application for an internship",
			message("Candidature spontanée – stage RSE", "Inès Combes", "ines.combes@gmail.com",
				"Madame, Monsieur,\n\nÉtudiante en master développement durable, je vous adresse ma candidature spontanée pour un stage de six mois au sein de votre équipe. "+
					"J'ai travaillé l'été dernier dans une coopérative de 30 salariés à Florac.\n\nVous trouverez ci-joint mon CV et ma lettre de motivation.\n\n"+
					"Cordialement,\nInès Combes\n06 77 88 99 00", nil, "CV Ines Combes.pdf", "Lettre.pdf"),
			KindOther},
		{"trainer offering workshops with a company block",
			message("Animation d'ateliers RSE", "Romain Teissier", "romain@teissier-formation.fr",
				"Bonjour,\n\nFormateur en achats responsables, je souhaite vous proposer mes services pour animer les ateliers de votre prochaine promotion.\n\n"+
					"Entreprise : Teissier Formation\nSIRET : 812 345 676 00017\nEffectif : 2\nAdresse : 5 rue Basse, 48000 Mende\nTarif : 900 € HT la journée\n\n"+
					"Je peux vous envoyer mes références.\n\nRomain Teissier", nil),
			KindOther},
	}
	for _, tc := range tests {
		checkKind(t, tc.name, Analyze(tc.m, testProgram), tc.want)
	}
}

// Questions before applying, and replies to the call for applications.
func TestRepliesToTheCallAndQuestions(t *testing.T) {
	tests := []struct {
		name string
		subj string
		who  string
		from string
		text string
		hdrs map[string]string
		want string
	}{
		{"questions before applying, with SIRET and address, future intent",
			"Renseignements programme RSE", "Gilles Boyer", "gilles.boyer@wanadoo.fr",
			"Bonjour,\n\nJe dirige une petite boulangerie à Aumont-Aubrac (48130), 4 salariés, SIRET 812 345 676 00017.\n\n" +
				"Je compte candidater à la prochaine session mais je déposerai mon dossier seulement après notre inventaire de décembre. " +
				"Les ateliers ont-ils lieu à Mende ou en visio ?\n\nBien cordialement,\nGilles Boyer\n06 11 22 33 44", nil, KindOther},
		{"eligibility asked in the conditional",
			"Question", "Nadia Roux", "nadia.roux@gmail.com",
			"Bonjour,\n\nNotre SCOP de 18 salariés, installée à Florac (48400), serait-elle éligible au programme ? " +
				"Le siège est en Lozère mais une partie de l'équipe travaille dans le Gard.\n\nMerci,\nNadia Roux\nCo-gérante", nil, KindOther},
		{"an application that ends with a question is still one",
			"Candidature – Atelier Cabrol", "Julien Cabrol", "julien@atelier-cabrol.fr",
			"Bonjour,\n\nJe vous adresse ma candidature au programme.\nEntreprise : Atelier Cabrol\nSIRET : 812 345 676 00017\n" +
				"Effectif : 7\nCode postal : 48200\nCommune : Saint-Chély-d'Apcher\n\nLes dates des ateliers sont-elles déjà fixées ?\n\nJulien Cabrol", nil, KindApplication},
		{"Thunderbird reply to the call for applications with the facts in sentences",
			"Re: Lancement de l'appel à candidatures RSE 2027", "Martine Bouviala", "m.bouviala@cave-du-causse.fr",
			"Bonjour,\n\nJe gère la Cave du Causse, caviste à Meyrueis (48150) ; nous sommes 5 salariés.\n" +
				"Mon numéro : 06 87 65 43 21. Le SIRET suivra dès réception du Kbis.\n\nMartine Bouviala\n\n" +
				"Le 28/10/2026 à 10:15, Coordination RSE a écrit :\n> Bonjour,\n> L'appel à candidatures est ouvert : 6 demi-journées pour les dirigeants de 1 à 49 salariés.\n" +
				"> Contact : 04 66 65 20 10, 48000 Mende",
			map[string]string{"In-Reply-To": "<call-2027@rse-lozere.fr>"}, KindApplication},
		{"a reply to the call that only sends a SIRET is a follow-up",
			"Re: Appel à candidatures", "Martine Bouviala", "m.bouviala@cave-du-causse.fr",
			"Bonjour,\n\nComme promis, voici le SIRET : 812 345 676 00017.\n\nMartine Bouviala\n\n" +
				"Le 28/10/2026 à 10:15, Coordination RSE a écrit :\n> L'appel à candidatures est ouvert.",
			map[string]string{"In-Reply-To": "<call-2027@rse-lozere.fr>"}, KindFollowUp},
	}
	for _, tt := range tests {
		checkKind(t, tt.name, Analyze(message(tt.subj, tt.who, tt.from, tt.text, tt.hdrs), testProgram), tt.want)
	}
}

// Sales pitches, the press, relatives and platforms write about applications
// without applying.
func TestNonApplicantsGiveNoFacts(t *testing.T) {
	tests := []struct {
		name, subject, fromName, from, text string
		hdrs                                map[string]string
		kind                                string
	}{
		{"sales pitch with catalogue wording", "Accompagnez vos candidats vers le label", "Julie Sarda - Verdure Conseil", "j.sarda@verdure-conseil.fr",
			"Bonjour,\n\nPermettez-moi de vous présenter Verdure Conseil. Nous proposons des audits énergétiques à tarif préférentiel pour vos participants, finançables par leur OPCO.\n\nBien à vous,\nJulie Sarda\nVerdure Conseil – 34000 Montpellier\nSIRET 81234567600017", nil, KindOther},
		{"radio interview", "Émission sur la RSE", "Marc Delon", "m.delon@radio-lozere.fr",
			"Bonjour,\nJournaliste pour Radio Lozère, je souhaiterais réaliser un reportage sur votre programme et rencontrer deux ou trois entreprises.\nMarc Delon\n06 71 82 93 04", nil, KindOther},
		{"spouse asks about the file", "Dossier de mon mari", "Hélène Bastide", "helene.bastide@orange.fr",
			"Bonjour,\nMon mari vous a envoyé son dossier pour la Ferme Bastide la semaine dernière. Est-il complet ?\nHélène Bastide\n48190 Le Bleymard", nil, KindOther},
		{"applicant asks whether it arrived", "Ma candidature", "Yves Crouzet", "yves.crouzet@gmail.com",
			"Bonjour,\nJ'ai envoyé ma candidature pour le programme lundi, pouvez-vous me dire si elle a bien été reçue ? Je n'ai pas eu de retour.\nYves Crouzet\nCrouzet Élagage, 48150 Meyrueis", nil, KindOther},
		{"ooo subject, facts in signature, reference", "Réponse automatique : RSE-2026-0012", "Lise Pagès", "lise@pages-bois.fr",
			"Bonjour,\nJe suis absente jusqu'au 8 janvier.\n\nLise Pagès\nPagès Bois SARL – 48200 Saint-Chély-d'Apcher\nSIRET 812 345 676 00017", nil, KindAutoReply},
		{"headerless ooo with signature", "Re: votre message", "Lise Pagès", "lise@pages-bois.fr",
			"Je suis en congé et de retour le 8 janvier.\n\nLise Pagès\nPagès Bois\n48200 Saint-Chély-d'Apcher\nSIRET 812 345 676 00017", nil, KindAutoReply},
		{"form platform notification", "Nouvelle réponse : Candidature RSE", "Typeform", "team@typeform.com",
			"Nouvelle réponse\nEntreprise : Fromagerie du Causse\nEffectif : 6\nCode postal : 48500", nil, KindOther},
	}
	for _, tt := range tests {
		checkKind(t, tt.name, analyzeText(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs), tt.kind)
	}
}

// An application that also asks something is still answered.
func TestApplicationsWithRequestsStayApplications(t *testing.T) {
	tests := []struct{ name, subject, text string }{
		{"training firm applying", "Candidature",
			"Bonjour,\nNotre organisme propose des formations et nos prestations évoluent : je souhaite candidater au programme.\nEntreprise : Form'Aubrac\nEffectif : 5\nCode postal : 48130\nCordialement"},
		{"secretary sends the boss's application", "Candidature de notre gérant",
			"Bonjour,\nNotre gérant m'a demandé de vous transmettre sa candidature. Pouvez-vous confirmer la réception ?\nEntreprise : Vidal Frères\nSIRET : 81234567600017\nEffectif : 12\nCode postal : 48100"},
		{"application asking a question", "Candidature RSE",
			"Bonjour,\nJe vous envoie ma candidature. Pourriez-vous me dire quand commence la session ?\nSociété : Atelier Lumen\nSIRET : 81234567600017\nCommune : Mende"},
	}
	for _, tt := range tests {
		checkKind(t, tt.name, analyzeText(tt.subject, "Claire Bouquet", "claire@exemple.fr", tt.text, nil), KindApplication)
	}
}

// TestRuleNamesAreUnique: kind_rule names one rule.
func TestRuleNamesAreUnique(t *testing.T) {
	seen := map[string]bool{ruleNoMessage: true, ruleNoRule: true}
	for _, r := range append(append([]kindRule{}, machineRules...), humanRules...) {
		if r.name == "" || seen[r.name] {
			t.Errorf("rule name %q empty or used twice", r.name)
		}
		seen[r.name] = true
	}
}

// TestQuestionBeforeSendingIsNotAcknowledged: "avant de vous envoyer un
// dossier" and a question is a question asked before applying, however
// the sentence is worded or wrapped: a person answers it.
func TestQuestionBeforeSendingIsNotAcknowledged(t *testing.T) {
	tests := []struct{ name, subject, text string }{
		{"send the file after an eligibility question", "Candidature au programme ?",
			"Bonjour,\n\nAvant de vous transmettre notre candidature, pourriez-vous me dire si une association loi 1901 " +
				"de 3 salariés peut s'inscrire ? Nous sommes à Marvejols (48100).\n\nMerci,\nHélène Pagès\n06 21 43 65 87"},
		{"have the file sent once a doubt is cleared", "Programme RSE et micro-entreprise",
			"Madame, Monsieur,\nAvant de vous faire parvenir mon dossier de candidature, je voudrais savoir si les " +
				"micro-entrepreneurs sont acceptés : je suis paysagiste à Florac, seul.\nEst-ce possible ?\n\nBernard Causse"},
		{"prepare the file after a question on the dates", "Dossier",
			"Bonjour, avant de constituer le dossier, une question : les ateliers auront-ils lieu le soir ? " +
				"Je dirige une fromagerie de 7 personnes à Nasbinals (48260).\nCordialement, Lise Bastide, gérante"},
		{"before writing the application, asks about costs", "Candidature RSE - question",
			"Bonjour,\n\nAvant d'en rédiger la candidature, j'aimerais comprendre : le programme est-il payant pour une entreprise " +
				"de 12 salariés ? Notre SARL, Garage du Lot, est installée au Bleymard.\n\nBien à vous,\nYves Rouvière"},
	}
	for _, tt := range tests {
		for _, width := range []int{0, 34, 60, 72, 78} {
			text := tt.text
			if width > 0 {
				text = wrap(text, width)
			}
			r := analyzeText(tt.subject, "", "contact@entreprise-exemple.fr", text, nil)
			name := tt.name + " wrapped at " + strconv.Itoa(width)
			checkKind(t, name, r, KindOther)
			if r.Kind == KindOther && r.KindRule != "intends_to_apply_later" && r.KindRule != "question_before_applying" {
				t.Errorf("%s: decided by %s, want a question before applying", name, r.KindRule)
			}
		}
	}
}

// TestSendingAPieceLaterIsStillAnApplication: an application that will
// send one more piece "before" something is still an application.
func TestSendingAPieceLaterIsStillAnApplication(t *testing.T) {
	checkKinds(t, []kindCase{
		{name: "applies, asks where to send the Kbis", subject: "Candidature programme RSE", fromName: "Paul Vidal",
			from: "paul@vidal-bois.fr",
			text: "Bonjour,\n\nJe vous adresse ma candidature au programme pour Vidal Bois, scierie de 9 salariés à Langogne " +
				"(48300), SIRET 812 345 676 00017.\nAvant de vous envoyer le Kbis, pouvez-vous me dire à quelle adresse ?\n\nPaul Vidal, gérant",
			want: KindApplication},
	})
}
