package extract

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// wrap folds text the way a mail client does: each paragraph's words
// fill lines of at most width columns.
func wrap(text string, width int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			switch {
			case line == "":
				line = w
			case len(line)+1+len(w) > width:
				out = append(out, line)
				line = w
			default:
				line += " " + w
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// notYetMails give every fact of a company and say the author is not
// applying now. Each is answered by a person, never acknowledged.
var notYetMails = []struct{ name, subject, text string }{
	{"not applying yet, facts labelled", "Programme RSE – Brasserie du Causse Noir",
		"Bonjour,\nJe vous écris pour me présenter, mais je ne candidate pas encore : nous attendons la fin de la saison pour décider.\n" +
			"Entreprise : Brasserie du Causse Noir\nSIRET : 812 345 676 00017\nEffectif : 9 salariés\nCode postal : 48150\nCommune : Meyrueis\n" +
			"Téléphone : 06 52 41 30 87\nSecteur : brasserie artisanale\n\nBien à vous,\nThibault Séguret\nGérant"},
	{"will apply, but not before January", "Candidature RSE",
		"Bonjour,\nNous aimerions candidater au programme, mais pas avant janvier, quand notre nouveau local sera ouvert.\n" +
			"La Savonnerie des Gorges, SARL de 4 salariés à Sainte-Enimie (48210), SIRET 812 345 676 00017, fabrique des savons à froid.\n" +
			"Vous pouvez me joindre au 07 61 24 58 93.\n\nCordialement,\nCamille Bonnal, cogérante"},
	{"wish negated", "Programme RSE",
		"Madame, Monsieur,\nJe ne souhaite pas encore m'inscrire au programme, mon associé n'étant pas convaincu.\n" +
			"Pour information : Menuiserie Astruc, 6 salariés, 15 avenue du Gévaudan 48100 Marvejols, SIRET 812 345 676 00017, tél. 04 66 32 77 10.\n" +
			"Je reviendrai vers vous.\nPierre Astruc, gérant"},
	{"this is no application", "Informations sur ma société",
		"Bonjour,\nCeci n'est pas encore une candidature : je voulais d'abord vous décrire notre activité.\n" +
			"Raison sociale : Transports Malaval\nN° SIRET : 812 345 676 00017\nNombre de salariés : 23\nAdresse : ZA du Causse, 48000 Mende\n" +
			"Activité : transport de marchandises\n\nSophie Malaval\nDirectrice générale\n06 14 27 38 49"},
	{"back for a later session, no word of applying", "Le programme RSE",
		"Bonjour,\nLe programme nous tente beaucoup, mais pour cette fois c'est trop juste avec la saison des marchés de Noël. " +
			"Nous vous recontacterons pour la session de septembre si vous en ouvrez une.\n" +
			"Pour vous situer : la Biscuiterie du Valdonnez, SAS de 7 salariés à Lanuéjols (48000), SIRET 812 345 676 00017.\n" +
			"Téléphone : 06 31 72 48 95\n\nBien cordialement,\nNadia Pantel"},
	{"later this year", "Programme",
		"Bonjour, je participerai sans doute à une prochaine promotion, mais je ne postule pas pour cette session. " +
			"Mon entreprise, Ferme de la Borie, compte 3 salariés à Langogne (48300), SIRET 812 345 676 00017, secteur élevage et vente directe. " +
			"Mon numéro : 06 77 21 45 98.\nJulien Borie"},
}

// TestNotApplyingYetIsNotAcknowledged: however the lines are wrapped,
// mail that says it is not applying yet is other.
func TestNotApplyingYetIsNotAcknowledged(t *testing.T) {
	for _, tt := range notYetMails {
		for _, width := range []int{0, 38, 60, 72, 76, 78} {
			text := tt.text
			if width > 0 {
				text = wrap(text, width)
			}
			r := analyzeText(tt.subject, "", "contact@entreprise-exemple.fr", text, nil)
			name := tt.name + " wrapped at " + strconv.Itoa(width)
			checkKind(t, name, r, KindOther)
			if r.Kind == KindOther && r.KindRule != "not_applying_yet" && r.KindRule != "intends_to_apply_later" {
				t.Errorf("%s: decided by %s, want not_applying_yet", name, r.KindRule)
			}
		}
	}
}

// TestApplyingDespiteNegations: negations about something else, or a
// missing piece promised for later, do not undo an application.
func TestApplyingDespiteNegations(t *testing.T) {
	tests := []struct{ name, text string }{
		{"a piece that will follow", "Bonjour,\nVoici ma candidature pour le programme, le Kbis suivra plus tard.\n" +
			"Entreprise : Atelier Vernhet\nSIRET : 812 345 676 00017\nEffectif : 5\nCode postal : 48200\n\nLucie Vernhet"},
		{"negation about the SIRET", "Bonjour,\nJe n'ai pas encore mon numéro SIRET mais je souhaite candidater au programme.\n" +
			"Nous sommes 3 salariés à Florac (48400), l'entreprise s'appelle Les Jardins du Tarnon.\n\nMarc Pellet"},
		{"negation about waiting", "Bonjour,\nJe ne veux pas attendre la prochaine session : je vous adresse ma candidature.\n" +
			"Société : Garage Boissier\nEffectif : 7\nCode postal : 48500\nCommune : La Canourgue\n\nAnne Boissier"},
	}
	for _, tt := range tests {
		for _, width := range []int{0, 40, 72} {
			text := tt.text
			if width > 0 {
				text = wrap(text, width)
			}
			checkKind(t, tt.name+" at "+strconv.Itoa(width), analyzeText("Candidature programme RSE", "", "x@exemple.fr", text, nil), KindApplication)
		}
	}
}

// TestSaysNotApplyingYet pins the phrases, one sentence each.
func TestSaysNotApplyingYet(t *testing.T) {
	for s, want := range map[string]bool{
		"je ne candidate pas encore.":                               true,
		"nous ne postulons pas cette annee.":                        true,
		"je ne suis pas encore candidate.":                          true,
		"je ne souhaite pas encore candidater.":                     true,
		"nous n'allons pas nous inscrire tout de suite.":            true,
		"je ne suis pas prete a candidater.":                        true,
		"ce message n'est pas une candidature.":                     true,
		"il ne s'agit pas d'une candidature.":                       true,
		"nous candidaterons, mais pas avant janvier.":               true,
		"je participerai plus tard.":                                true,
		"je ne peux pas fournir le kbis. je souhaite candidater.":   false,
		"voici ma candidature, le kbis suivra plus tard.":           false,
		"je n'ai pas de siret mais je souhaite candidater.":         false,
		"nous souhaitons participer a la prochaine session.":        false,
		"je ne sais pas encore quand. voici ma candidature.":        false,
		"je ne veux pas attendre : je vous adresse ma candidature.": false,
		"je ne candidate pas seule, mon associe aussi.":             false,
		"nous ne souhaitons pas seulement participer, mais agir.":   false,
		"je ne postule pas pour un emploi mais pour le programme.":  false,
		"je ne candidate jamais seul.":                              false,
	} {
		if got := saysNotApplyingYet(s); got != want {
			t.Errorf("saysNotApplyingYet(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestDefersToLaterSession pins the sentences that put off an application
// to a later session without the words of applying, one sentence each.
func TestDefersToLaterSession(t *testing.T) {
	for s, want := range map[string]bool{
		"on se manifestera pour la session du printemps, vers mars.":                            true,
		"je reviendrai vers vous pour la prochaine promotion.":                                  true,
		"nous vous recontacterons pour la session de septembre.":                                true,
		"nous reprendrons contact pour la cohorte de 2027.":                                     true,
		"nous souhaitons participer a la prochaine session.":                                    false,
		"je reviendrai vers vous avec mon kbis.":                                                false,
		"la prochaine session commence quand ? je reviendrai vers vous.":                        false,
		"voici ma candidature pour la prochaine session, je reviendrai vers vous avec le kbis.": false,
	} {
		if got := defersToLaterSession(s); got != want {
			t.Errorf("defersToLaterSession(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestJoinWrapped joins the lines of a paragraph, not paragraphs.
func TestJoinWrapped(t *testing.T) {
	got := joinWrapped([]string{"Je ne candidate ", " pas encore.", "", "Merci", "Paul"})
	if want := "Je ne candidate pas encore.\nMerci Paul"; got != want {
		t.Errorf("joinWrapped = %q, want %q", got, want)
	}
	// Folded as joined, the lines are the joined lines folded.
	texts := [][]string{{"Élodie `Sté` ", "", " ŒUVRE\xff", "ıİ K"}}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, strings.Split(string(b), "\n"))
		}
	}
	for _, lines := range texts {
		if got, want := joinWrappedFolded(lines), applicant.Fold(joinWrapped(lines)); got != want {
			t.Fatalf("joinWrappedFolded(%.40q) = %.60q, want %.60q", lines, got, want)
		}
	}
}

// TestUndecidedIsLeftToAPerson: a mail that could be an application or a
// question is other, answered by a person rather than acknowledged.
func TestUndecidedIsLeftToAPerson(t *testing.T) {
	checkKinds(t, []kindCase{
		{name: "hesitant wish and a question, no facts", subject: "Programme RSE", fromName: "Nina Pradal", from: "nina@pradal.fr",
			text: "Bonjour,\nJ'aimerais peut-être participer au programme, mais est-il adapté à une entreprise de trois personnes ?\nNina", want: KindOther},
		{name: "asks whether they can apply, with a company described", subject: "Question", fromName: "Rémi Soulier", from: "remi@soulier.fr",
			text: "Bonjour,\nNotre SARL de couverture, à Langogne, pourrait-elle candidater alors que nous sommes en redressement ?\nRémi Soulier, gérant", want: KindOther},
		{name: "wrapped hesitation before applying", subject: "Avant de candidater", fromName: "Rémi Soulier", from: "remi@soulier.fr",
			text: wrap("Bonjour, avant de déposer notre dossier, pouvez-vous me dire si les ateliers ont lieu à Mende ? Nous sommes une entreprise de 7 salariés à Langogne (48300).", 40), want: KindOther},
	})
}

// TestComeBackStems: the stems the classifier looks for before trying
// defersToLaterSession are those one of which every match of reComeBack
// holds.
func TestComeBackStems(t *testing.T) {
	reComeBack.get()
	if !slices.Equal(reComeBack.needs, comeBackStems) {
		t.Errorf("reComeBack needs %q, comeBackStems are %q", reComeBack.needs, comeBackStems)
	}
}

// TestPutOffWordsStartEveryMatch: the patterns of putting off are tried
// only on a sentence where putOffWords finds their first words; every
// match in the corpus mails' sentences (folded) and in tricky ones starts
// with them.
func TestPutOffWordsStartEveryMatch(t *testing.T) {
	sentences := []string{"je ne candidate pas encore", "ce n'est pas une candidature", "mais pas avant janvier",
		"je participerai plus tard", "l'an prochain", "dans un second temps", "ulterieurement, oui",
		"pas pour l'instant", "_ne candidate pas", "une candidature pas encore", "prochaine candidature",
		"ne\tpostule pas", "n'y participe pas", "1ne pas candidater", "é ne candidate pas"}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			sentences = append(sentences, splitSentences(applicant.Fold(string(b)))...)
		}
	}
	for _, s := range sentences {
		negation, later := putOffWords(s)
		for _, re := range []*lazyRegexp{reNegatedIntent, reNegatedWish, reNotAnApplication} {
			if !negation && re.get().MatchString(s) {
				t.Errorf("%.40q matches %q, putOffWords finds no negation", re.String(), s)
			}
		}
		for _, re := range []*lazyRegexp{rePutOff, rePostponed} {
			if !later && re.get().MatchString(s) {
				t.Errorf("%.40q matches %q, putOffWords finds no word of later", re.String(), s)
			}
		}
	}
}
