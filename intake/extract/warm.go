package extract

import (
	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// Warm builds what reading mail needs once per process (the patterns and
// phrase tables common mail uses), which the first mail read would
// otherwise pay while the other readers wait on it. A poll runs it once it
// knows mail waits, while the first mail is fetched; it may run at the
// same time as Analyze: whichever needs a pattern first compiles it.
//
// It reads sample mail rather than compile every pattern: the benchmark's
// mailbox (applications, replies, newsletters, out-of-office notes) used
// 16 of the 71, and compiling the others cost each poll some 15 ms of CPU
// for nothing. A pattern only unusual mail needs is compiled when that mail
// comes (a fraction of a millisecond).
func Warm() {
	p := Program{Address: "programme@example.org", ReferencePrefix: "RSE"}
	for _, m := range warmMail {
		Analyze(m, p)
	}
}

// warmMail is one application with its facts, a question in reply and a
// thank-you, enough to take Analyze through its readers and rules.
var warmMail = []*mailparse.Message{
	{
		Subject: "Candidature au programme", FromEmail: "marie.dupont@example.fr", FromName: "Marie Dupont",
		Text: "Bonjour,\n\nJe souhaite candidater au programme « J'initie, je m'engage RSE ».\n" +
			"Je suis gérante de la Boulangerie Dupont à Mende (48000), 12 salariés.\n\n" +
			"Nom : Dupont\nPrénom : Marie\nEntreprise : Boulangerie Dupont\nSIRET : 732 829 320 00074\n" +
			"Adresse : 3 rue du Pont, 48000 Mende\nTéléphone : 06 12 34 56 78\nEffectif : 12 salariés\n\n" +
			"Nous voulons réduire nos déchets et mieux associer l'équipe.\n\nCordialement,\nMarie Dupont\n",
	},
	{
		Subject: "Re: Candidature au programme", FromEmail: "paul.roux@example.fr", FromName: "Paul Roux",
		InReplyTo: "<q-1@example.fr>",
		Text: "Bonjour,\n\nUne question sur le calendrier des séances collectives : " +
			"quand a lieu la première ?\n\nMerci,\nPaul Roux\nMenuiserie Roux\n\n" +
			"Le 3 mars 2026, programme@example.org a écrit :\n> Bonjour,\n> Voici le calendrier.\n",
	},
}
