package extract

import "strings"

// phrases is a list of folded phrases looked up as substrings of folded
// text. Plain substring tests keep classification fast: the same lists as
// regexp alternations cost more than all the rest of the analysis.
type phrases []string

// in reports whether one of the phrases occurs in the folded text s.
func (p phrases) in(s string) bool {
	for _, w := range p {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var (
	// applyIntent: the author wants to apply (folded).
	applyIntent = phrases{
		"ma candidature", "notre candidature", "je candidate", "nous candidatons", "candidater",
		"postuler", "je postule", "nous postulons", "souhaite participer", "souhaitons participer",
		"souhaiterais participer", "souhaiterions participer", "voudrais participer", "aimerais participer",
		"participer au programme", "participer a votre programme", "participer a la prochaine",
		"m'inscrire", "nous inscrire", "je m'inscris", "inscrire mon entreprise", "inscrire notre entreprise",
		"inscrire ma ", "inscrire la ", "inscrire le ", "inscrire l'", "inscrire notre", "inscrire mon",
		"me porte candidat", "porter candidat", "integrer le programme", "integrer votre programme",
		"rejoindre le programme", "rejoindre votre programme", "dossier de candidature",
		"candidature au programme", "candidature pour le programme", "la candidature de notre",
		"presenter la candidature", "inscription au programme", "inscription a la prochaine",
		"je souhaite m'engager dans", "nous souhaitons nous engager dans", "m'engager dans le programme",
		"nous engager dans le programme", "beneficier du programme", "faire partie de la prochaine",
		"poser la candidature", "deposer la candidature", "porter la candidature", "la candidature de l'entreprise",
		"la candidature de mon entreprise", "la candidature de ma societe", "la candidature de notre societe",
		"la candidature de notre structure", "la candidature de mon exploitation",
	}
	// freshApplication: an explicit new application (folded).
	freshApplication = phrases{
		"voici ma candidature", "voici notre candidature", "ci-joint ma candidature", "ci-joint notre candidature",
		"ci-dessous ma candidature", "ci-dessous notre candidature", "trouverez ma candidature",
		"trouverez notre candidature", "ci-joint ma candidature", "ci-dessous ma candidature",
		"je vous adresse ma candidature", "je vous envoie ma candidature", "je vous transmets ma candidature",
		"je vous fais parvenir ma candidature", "je vous propose ma candidature", "je vous soumets ma candidature",
		"nous vous adressons notre candidature", "nous vous envoyons notre candidature",
		"nous vous transmettons notre candidature", "vous adresser ma candidature", "vous adresser notre candidature",
		"poser ma candidature", "poser notre candidature", "presenter ma candidature", "presenter notre candidature",
		"presenter la candidature", "deposer ma candidature", "deposer notre candidature",
		"je candidate", "nous candidatons", "je postule", "nous postulons", "je me porte candidat",
		"je souhaite candidater", "je souhaite participer", "je souhaite m'inscrire", "je souhaite postuler",
		"je souhaite inscrire", "nous souhaitons candidater", "nous souhaitons participer",
		"nous souhaitons nous inscrire", "nous souhaitons postuler", "nous souhaitons inscrire",
		"je voudrais candidater", "je voudrais participer", "je voudrais inscrire", "je voudrais m'inscrire",
		"je souhaiterais candidater", "je souhaiterais participer", "je souhaiterais inscrire",
		"nous souhaiterions candidater", "nous souhaiterions participer", "j'aimerais candidater",
		"j'aimerais participer", "j'aimerais inscrire", "candidature de notre entreprise",
		"ci-dessous les informations demandees", "voici les informations demandees",
		"souhaite poser la candidature", "souhaitons poser la candidature", "souhaite deposer la candidature",
		"souhaitons deposer la candidature", "souhaite presenter la candidature", "souhaitons presenter la candidature",
	}
	// beforeApplying: a question asked before applying (folded).
	beforeApplying = phrases{
		"avant de candidater", "avant de postuler", "avant de m'inscrire", "avant de nous inscrire",
		"avant de deposer", "avant de m'engager", "avant de nous engager", "avant de poser",
		"avant d'envoyer", "avant de faire acte de candidature", "avant de presenter",
	}
	// laterIntent: the author means to apply later, in the future or the
	// conditional, or asks whether they could (folded).
	laterIntent = phrases{
		"je compte candidater", "je compte postuler", "je compte deposer", "je compte m'inscrire",
		"nous comptons candidater", "nous comptons postuler", "nous comptons deposer", "nous comptons nous inscrire",
		"je deposerai", "nous deposerons", "je candidaterai", "nous candidaterons", "je postulerai",
		"nous postulerons", "je m'inscrirai", "nous nous inscrirons", "j'envisage de candidater",
		"j'envisage de postuler", "j'envisage de deposer", "nous envisageons de candidater",
		"nous envisageons de postuler", "nous envisageons de deposer", "je pense candidater", "je pense postuler",
		"je vous enverrai mon dossier", "je vous enverrai ma candidature", "nous vous enverrons notre dossier",
		"nous vous enverrons notre candidature", "je vous ferai parvenir ma candidature",
		"serait eligible", "serait-elle eligible", "serait-il eligible", "serions-nous eligible",
		"serais-je eligible", "pourrait etre eligible", "pourrais-je candidater", "pourrais-je postuler",
		"pourrions-nous candidater", "pourrions-nous postuler", "si je peux candidater", "si nous pouvons candidater",
		"si je peux postuler", "si nous pouvons postuler", "avant toute candidature", "avant d'envoyer mon dossier",
		"avant d'envoyer notre dossier", "avant d'envoyer ma candidature", "avant d'envoyer notre candidature",
	}
	// callWords: the program's call for applications, quoted (folded).
	callWords = phrases{"appel a candidature", "appels a candidature", "pour candidater, repondez", "pour candidater, il suffit"}
	// question: the author asks something (folded).
	question = phrases{
		"j'aurais voulu savoir", "j'aurais aime savoir", "j'aurais souhaite savoir", "je voudrais savoir",
		"j'aimerais savoir", "je souhaiterais savoir", "pourriez-vous", "pouvez-vous m'indiquer",
		"pouvez-vous me dire", "est-il possible", "serait-il possible", "est-ce que", "renseignement",
		"quelles sont les", "combien de", "combien coute", "quand commence", "quand demarre",
		"quand debute", "comment candidater", "comment postuler", "comment s'inscrire", "comment faire pour",
		"est-il ouvert", "est-elle ouverte", "sommes-nous eligible", "suis-je eligible", "eligibilite",
		"je me demandais", "nous nous demandions",
	}
	// completion: the author completes or corrects an earlier application,
	// or withdraws it (folded).
	completion = phrases{
		"comme promis", "comme annonce", "comme convenu", "comme indique", "suite a ma candidature",
		"suite a notre candidature", "en complement", "pour completer", "complement a ma", "complement a notre",
		"complement de ma", "complement de mon", "complement de notre", "completer ma candidature",
		"completer mon dossier", "completer notre dossier", "completer notre candidature", "j'avais oublie",
		"nous avions oublie", "oublie de vous", "oublie de joindre", "oublie de transmettre", "oublie d'indiquer",
		"oublie de preciser", "je n'avais pas pu", "je n'avais pas", "nous n'avions pas", "manquant", "manquait",
		"ma candidature du", "ma candidature envoyee", "ma candidature transmise", "ma candidature deposee",
		"notre candidature du", "notre candidature envoyee", "mon dossier du", "mon dossier envoye",
		"rectifi", "erreur dans", "une erreur", "mise a jour", "nouveau numero", "nouvelle adresse",
		"piece manquante", "voici le numero siret", "voici mon numero siret", "voici notre numero siret",
		"voici le siret", "voici notre siret", "voici mon siret", "voici mon cv", "voici le cv", "ci-joint mon cv",
		"ci-joint le cv", "voici le kbis", "voici notre kbis", "ci-joint le kbis", "ci-joint notre kbis",
		"mon kbis", "notre kbis", "mon k-bis", "notre k-bis", "mon extrait", "notre extrait", "extrait kbis",
		"extrait k-bis", "l'extrait k", "le numero qui manquait", "les pieces demandees", "les documents demandes",
		"le document demande",
		"je retire ma candidature", "retirer ma candidature", "retirer notre candidature", "nous retirons",
		"desist", "annuler ma candidature", "je corrige", "il fallait lire", "et non ", "plutot que",
		"petite correction", "une correction", "correction a ", "correction de mon", "correction de ma",
		"correction sur", "corriger mon", "corriger ma", "corriger une", "corriger l'", "la bonne adresse", "le bon numero", "la bonne commune", "j'ai demenage",
		"nous avons demenage", "a demenage", "je ne suis plus a", "nous ne sommes plus a", "je me suis trompe",
		"mon message d'hier", "mon precedent message", "mon premier message",
	}
	// salesPitch: a supplier offering its services to the program (folded).
	// One cue is not enough (an applicant may sell training too); two,
	// without any wish to apply, make a sales pitch.
	salesPitch = phrases{
		"je me permets de vous presenter", "permettez-moi de vous presenter", "je me permets de vous contacter",
		"nous proposons", "nous vous proposons", "je vous propose nos", "je vous propose notre", "notre offre",
		"offre speciale", "offre promotionnelle", "tarif preferentiel", "tarifs preferentiels", "nos modules",
		"notre catalogue", "nos formations", "nos prestations", "nos solutions", "nos services", "€ ht",
		"euros ht", "au lieu de", "remise de", "% de remise", "devis", "vos candidats", "vos candidates",
		"vos adherents", "vos beneficiaires", "vos participants", "vos entreprises", "aupres de vos",
		"financables", "prise en charge opco", "partenariat", "une demonstration", "echange telephonique",
		"en parler de vive voix", "plaquette commerciale", "notre expertise", "nos references",
	}
	// notApplicant: the author writes in a capacity that is not an
	// applicant's (press) (folded).
	notApplicant = phrases{
		"je suis journaliste", "journaliste a ", "journaliste au ", "journaliste pour", "demande d'interview",
		"vous interviewer", "d'interviewer", "realiser un reportage", "pour un article", "pour notre article",
		"notre redaction", "je suis etudiant", "je suis etudiante", "dans le cadre de mon memoire",
		"dans le cadre de mes etudes", "stage de fin d'etudes",
	}
	// invitation: the author invites to an event they organise (folded).
	invitation = phrases{
		"vous invite a participer", "vous invite a notre", "vous invite au ", "vous invite a la ", "vous invite a un",
		"plaisir de vous inviter", "vous inviter a notre", "vous inviter au ", "vous inviter a la ", "vous convier",
		"vous convie", "inscrivez-vous", "inscription gratuite", "les inscriptions sont ouvertes",
		"inscriptions ouvertes", "places sont limitees", "nombre de places est limite", "reservez votre place",
	}
	// jobSeeker: a job or internship application, not one to the
	// program (folded).
	jobSeeker = phrases{
		"candidature spontanee", "offre d'emploi", "pour un poste", "postuler au poste", "candidature au poste",
		"recherche d'emploi", "recherche un emploi", "recherche d'un emploi", "recherche un stage",
		"recherche d'un stage", "en alternance", "contrat d'apprentissage", "demandeur d'emploi",
		"demandeuse d'emploi", "votre annonce de recrutement", "vous recrutez",
	}
	// jobStrong: the author applies for a job or an internship (folded).
	jobStrong = phrases{
		"candidature spontanee", "pour un poste", "un poste de", "postuler au poste", "candidature au poste",
		"offre d'emploi", "offre de stage", "recherche d'emploi", "recherche un emploi", "recherche d'un emploi",
		"recherche un stage", "recherche d'un stage", "demandeur d'emploi", "demandeuse d'emploi",
		"votre annonce de recrutement", "vous recrutez", "stage de fin d'etudes", "contrat d'apprentissage",
	}
	// jobSupport: what comes with a job application (folded).
	jobSupport = phrases{
		"lettre de motivation", "curriculum", "mon cv", "mon parcours", "mes competences", "ces competences",
		"titulaire d'un", "diplome", "diplomee", "disponible a partir", "disponible des", "mon alternance",
		"au sein de votre equipe", "au sein de l'equipe", "rejoindre votre equipe", "integrer votre equipe",
	}
	// offersServices: the author offers the program their services as a
	// speaker, trainer or supplier (folded).
	offersServices = phrases{
		"vous proposer mes services", "vous proposer nos services", "proposer mes services", "proposer nos services",
		"offrir mes services", "offrir nos services", "mes services comme", "nos services comme", "comme intervenant",
		"en tant qu'intervenant", "comme formateur", "comme formatrice", "comme animateur", "comme animatrice",
		"animer les ateliers", "animer vos ateliers", "animer certains ateliers", "animer un atelier pour vous",
		"intervenir dans vos ateliers", "intervenir dans le programme", "intervenir aupres de vos",
		"proposition d'intervention", "proposition de prestation", "proposition de partenariat",
	}
	// priceCues: a price asked for a service (folded).
	priceCues = phrases{"€ ht", "euros ht", "€ ttc", "euros ttc", "tarif", "la demi-journee", "honoraires", "devis"}
	// requestsForm: the author asks to be sent the application file or
	// form, so has not applied yet (folded).
	requestsForm = phrases{
		"m'envoyer le dossier", "m'envoyer un dossier", "me transmettre le dossier", "m'adresser le dossier",
		"me faire parvenir le dossier", "m'envoyer le formulaire", "me transmettre le formulaire",
		"m'adresser le formulaire", "me faire parvenir le formulaire", "nous envoyer le dossier",
		"nous transmettre le dossier", "nous envoyer le formulaire", "recevoir le dossier de candidature",
		"obtenir le dossier de candidature", "recevoir le formulaire", "obtenir le formulaire",
		"ou trouver le dossier", "ou trouver le formulaire",
	}
	// forClient: the author writes for a client or a member, not for
	// their own company (folded).
	forClient = phrases{
		"mes clients", "mon client", "ma cliente", "mes clientes", "pour un client", "pour une cliente",
		"un de nos adherents", "une de nos adherentes", "l'un de nos adherents", "mes adherents",
		"entreprise que j'accompagne", "entreprises que j'accompagne", "que nous accompagnons",
	}
	// thirdParty: the author writes about someone else's application: a
	// secretary, a colleague, a relative (folded).
	thirdParty = phrases{
		"sa candidature", "son dossier", "leur candidature", "leur dossier", "candidature de m. ",
		"candidature de mme", "candidature de monsieur", "candidature de madame", "candidature de mon ",
		"candidature de ma ", "candidature de notre ", "dossier de mon ", "dossier de ma ", "dossier de notre ",
		"mon patron", "ma patronne", "mon employeur",
	}
	// receiptQuestion: the author asks whether earlier mail arrived (folded).
	receiptQuestion = phrases{
		"bien recu", "bien recue", "avez-vous recu", "avez vous recu", "l'avez-vous", "l'avez vous",
		"est-elle bien arrivee", "est bien arrivee", "bien arrive", "a-t-elle ete recue", "a-t-elle bien ete",
		"a bien ete recue", "a bien ete recu", "pas eu de retour", "pas eu de reponse", "pas vu de reponse",
		"sans nouvelles", "toujours pas recu", "pas recu d'accuse", "pas de confirmation",
	}
	// mentionsOwnApplication: the author refers to their earlier application (folded).
	mentionsOwnApplication = phrases{
		"ma candidature du", "ma candidature envoyee", "ma candidature transmise", "ma candidature deposee",
		"ma candidature de la semaine", "ma candidature d'hier", "suite a ma candidature", "suite a notre candidature",
		"mon dossier", "notre dossier", "ma precedente", "mon precedent", "mon mail du", "mon message du",
		"mon courriel du", "mon envoi du",
	}
	// ownCompanyWords: the author speaks of their own company, as an
	// applicant does and a seller writing to a company does not (folded).
	ownCompanyWords = phrases{
		"mon entreprise", "ma societe", "ma structure", "mon exploitation", "mon atelier", "mon commerce",
		"ma boutique", "mon garage", "ma ferme", "mon gite", "mon restaurant", "mon hotel", "ma micro-entreprise",
		"mon auto-entreprise", "notre entreprise", "notre exploitation", "notre atelier", "notre ferme",
		"je suis gerant", "je suis la gerante", "je suis le gerant", "je dirige", "nous dirigeons",
	}
	// toTheCompany: the mail is addressed to a company about its data
	// (folded).
	toTheCompany = phrases{
		"votre entreprise", "votre societe", "votre etablissement", "votre structure", "votre fiche",
		"votre inscription", "votre nom de domaine", "votre site", "votre activite professionnelle",
		"votre numero siret", "votre siret", "votre siren", "votre kbis", "votre referencement",
		"votre mise en conformite", "votre situation", "vos donnees", "vos informations", "vos coordonnees",
		"madame, monsieur le dirigeant", "monsieur le dirigeant", "madame la dirigeante", "monsieur le gerant",
		"madame la gerante", "cher dirigeant", "chere dirigeante", "chers dirigeants", "votre commerce",
		"votre marque", "cher client", "chere cliente", "chers clients", "votre parution", "votre abonnement",
		"votre contrat", "votre insertion", "votre annonce professionnelle", "votre compte professionnel",
	}
	// solicitTopic: registries, directories, compliance, renewals, unpaid
	// invoices (folded).
	solicitTopic = phrases{
		"registre", "repertoire des", "repertoire national", "annuaire", "inscription obligatoire",
		"mise a jour obligatoire", "mise a jour de vos", "mettre a jour vos", "mises a jour", "fiche entreprise",
		"fiche de votre", "referencement", "regularis", "mise en conformite", "rgpd", "affichage obligatoire",
		"affiches obligatoires", "affichage legal", "document unique", "duerp", "nom de domaine",
		"renouvellement", "expire", "expiration", "penalite", "amende", "mise en demeure", "contentieux",
		"sous peine", "faute de quoi", "obligation legale", "conformement a la reglementation",
		"conformement a la loi", "bon de commande", "impaye", "en attente de reglement", "reste due",
		"non regle", "relance de paiement", "parution", "arrive a echeance", "abonnement annuel",
	}
	// solicitAction: a payment or a click asked for (folded).
	solicitAction = phrases{
		"frais de", "frais annuels", "facture", "reglement", "reglez", "paiement", "payer", "iban", "virement",
		"€ ht", "€ ttc", "euros ht", "euros ttc", "€ par mois", "€/mois", "€ par an", "€/an", "bon de commande",
		"cliquez", "cliquant", "cliquer", "lien ci-dessous", "lien suivant", "ce lien", "http://",
		"https://", "validez", "valider vos", "valider la commande", "confirmez", "confirmer vos",
		"retourner ce formulaire", "nous retourner", "retournez", "regularisez", "carte bancaire", "prelevement",
	}
	// solicitPressure: threats and deadlines of a scam (folded).
	solicitPressure = phrases{
		"obligatoire", "penalite", "amende", "sanction", "mise en demeure", "contentieux", "sous peine",
		"faute de quoi", "dernier rappel", "urgent", "sous 24", "sous 48", "sous 72", "sous 8 jours",
		"sous 15 jours", "24 heures", "48 heures", "72 heures", "24h", "48h", "72h", "expire", "suspendu",
		"suspension", "impaye", "sauf erreur de notre part", "conformement a la reglementation",
		"conformement a la loi", "obligation legale", "derniere relance", "sans reponse de votre part",
	}
	// applyWords: the topic is an application (folded).
	applyWords = phrases{"candidat", "postul", "inscri", "particip"}
	// autoBody: an out-of-office text (folded).
	autoBody = phrases{
		"je suis absent", "je serai absent", "je suis actuellement absent", "je suis en conge",
		"je suis en deplacement", "i am out of the office", "i am currently out of", "i am away",
		"message automatique", "reponse automatique", "absent du bureau", "absente du bureau",
		"out of office", "de retour le", "de retour a partir",
	}
	// bounceBody: a delivery failure report (folded).
	bounceBody = phrases{
		"could not be delivered", "couldn't be delivered", "was not delivered", "delivery has failed",
		"undeliverable", "n'a pas pu etre remis", "n'a pas pu etre distribue", "n'a pas pu etre delivre",
		"n'a pas pu etre transmis", "user unknown", "mailbox unavailable", "address rejected",
		"adresse introuvable", "destinataire inconnu", "550 5.", "boite aux lettres pleine", "mailbox full",
	}
)
