package extract

import (
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

func TestFindPhones(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Vous pouvez me joindre au 06 12 48 73 05.", "+33612487305"},
		{"Tél. : 04 66 32 18 90", "+33466321890"},
		{"SIRET : 812 345 676 00017", ""},
		{"SIRET 84523176000016", ""},
		{"Nous roulons 1 400 000 km par an", ""},
		{"Portable : +33 (0)6 27 58 14 93", "+33627581493"},
	}
	checkFirstPhones(t, tests)
}

// checkFirstPhones checks the first phone findPhones sees in each input
// ("" when none).
func checkFirstPhones(t *testing.T, tests []struct{ in, want string }) {
	t.Helper()
	for _, tt := range tests {
		got := ""
		if ps := findPhones(tt.in); len(ps) > 0 {
			got = ps[0].e164
		}
		if got != tt.want {
			t.Errorf("findPhones(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPickPhoneSkipsOtherPeople(t *testing.T) {
	text := "Pour toute urgence, merci de contacter Sylvie au 04 66 47 12 30.\nMon portable : 06 11 22 33 44"
	if got := pickPhone(text, ""); got != "+33611223344" {
		t.Errorf("pickPhone = %q", got)
	}
	text = "Mon associé Paul est joignable au 06 99 88 77 66.\n\nJean Martin\n07 12 34 56 78"
	if got := pickPhone(text, ""); got != "+33712345678" {
		t.Errorf("pickPhone = %q", got)
	}
}

func TestSiretAndLuhn(t *testing.T) {
	tests := []struct {
		in           string
		siret, siren string
		valid        bool
	}{
		{"SIRET : 812 345 676 00017", "81234567600017", "812345676", true},
		{"N° SIRET : 84523176000016", "84523176000016", "845231760", true},
		{"SIRET : 512349879 00027", "51234987900027", "512349879", true},
		{"Notre numéro SIRET : 790 123 459 00033", "79012345900033", "790123459", false},
		{"Siret 736.481.925.00012", "73648192500012", "736481925", false},
		{"notre SIREN est le 512 874 369, merci", "", "512874369", false},
		{"Numéro : 53012874300016", "53012874300016", "530128743", true},
		{"Nous roulons 1 400 000 km par an", "", "", false},
		{"SIRET : en cours", "", "", false},
	}
	for _, tt := range tests {
		siret, siren := findSiret(tt.in)
		if siret != tt.siret || siren != tt.siren {
			t.Errorf("findSiret(%q) = %q, %q; want %q, %q", tt.in, siret, siren, tt.siret, tt.siren)
		}
		if siret != "" && applicant.ValidSiret(siret) != tt.valid {
			t.Errorf("applicant.ValidSiret(%q) = %v, want %v", siret, !tt.valid, tt.valid)
		}
	}
	// La Poste's establishments use another rule.
	if !applicant.ValidSiret("35600000000048") || !applicant.ValidSiret("35600000049837") {
		t.Error("La Poste SIRET rejected")
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		in          string
		lastFirst   bool
		first, last string
	}{
		{"Marie Dupont", false, "Marie", "Dupont"},
		{"DUPONT Marie", false, "Marie", "Dupont"},
		{"Marie DUPONT", false, "Marie", "Dupont"},
		{"Marie-Hélène de La Tour", false, "Marie-Hélène", "de La Tour"},
		{"Jean van der Berg", false, "Jean", "van der Berg"},
		{"Dupont Marie", false, "Marie", "Dupont"},
		{"Dupont Marie", true, "Marie", "Dupont"},
		{"Dupont, Marie", false, "Marie", "Dupont"},
		{"M. Bruno Castan", false, "Bruno", "Castan"},
		{"GINESTET Isabelle", false, "Isabelle", "Ginestet"},
		{"Gérard TEISSÈDRE", false, "Gérard", "Teissèdre"},
		{"BOYER Léa", true, "Léa", "Boyer"},
		{"jean-marc rouquette", false, "Jean-Marc", "Rouquette"},
	}
	for _, tt := range tests {
		f, l := splitName(tt.in, tt.lastFirst)
		if f != tt.first || l != tt.last {
			t.Errorf("splitName(%q, %v) = %q, %q; want %q, %q", tt.in, tt.lastFirst, f, l, tt.first, tt.last)
		}
	}
}

func TestLooksLikePerson(t *testing.T) {
	for _, s := range []string{"Marie Dupont", "DUPONT Marie", "Marie-Hélène de La Tour", "Bruno Castan"} {
		if !looksLikePerson(s) {
			t.Errorf("looksLikePerson(%q) = false", s)
		}
	}
	for _, s := range []string{"Brasserie de la Colagne", "Garage Castan", "Coordination RSE Lozère", "Mail Delivery System", "contact@x.fr", "Cordialement"} {
		if looksLikePerson(s) {
			t.Errorf("looksLikePerson(%q) = true", s)
		}
	}
}

func TestParseFrenchNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"12", 12}, {"douze", 12}, {"trois", 3}, {"quinze", 15}, {"dix-sept", 17},
		{"vingt-trois", 23}, {"trente et un", 31}, {"soixante-dix", 70},
		{"quatre-vingts", 80}, {"quatre-vingt-dix", 90}, {"cent vingt", 120},
	}
	for _, tt := range tests {
		if got, ok := parseFrenchNumber(tt.in); !ok || got != tt.want {
			t.Errorf("parseFrenchNumber(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
		}
	}
	if _, ok := parseFrenchNumber("quelques"); ok {
		t.Error("parseFrenchNumber(quelques) ok")
	}
}

func TestHeadcount(t *testing.T) {
	tests := []struct {
		in   string
		want int // 0: none
	}{
		{"Nous sommes 12 salariés et nous travaillons le bois.", 12},
		{"Nous sommes aujourd'hui une équipe de 23 personnes, dont 9 en parcours d'insertion.", 23},
		{"Nous sommes une TPE de 3 ETP et nous consacrons 2 500 € à la formation.", 3},
		{"Nous employons 5 salariés, dont deux apprentis.", 5},
		{"Notre entreprise compte quinze salariés ; nous brassons depuis 2014.", 15},
		{"Nous sommes 14 salariés, dont 9 associés.", 14},
		{"l'effectif est de 3 personnes en comptant la direction", 3},
		{"j'emploie trois salariés depuis quatre ans", 3},
		{"Nous roulons 1 400 000 km par an avec 14 poids lourds.", 0},
		{"Installé depuis douze ans, je travaille avec 42 exploitations.", 0},
	}
	for _, tt := range tests {
		n, ok := headcountFromText(tt.in)
		if !ok {
			n = 0
		}
		if n != tt.want {
			t.Errorf("headcountFromText(%q) = %d, want %d", tt.in, n, tt.want)
		}
	}
	for in, want := range map[string]int{"4": 4, "31 salariés": 31, "douze salariés": 12, "6 personnes (dont 2 apprentis)": 6, "trois personnes": 3} {
		if n, ok := headcountValue(in); !ok || n != want {
			t.Errorf("headcountValue(%q) = %d, %v; want %d", in, n, ok, want)
		}
	}
}

func TestDepartement(t *testing.T) {
	tests := map[string]string{
		"48000": "48", "12100": "12", "30120": "30", "75011": "75",
		"20000": "2A", "20090": "2A", "20167": "2A", "20200": "2B", "20600": "2B",
		"97400": "974", "00123": "", "4800": "", "ABCDE": "",
	}
	for pc, want := range tests {
		if got := applicant.DepartementOf(pc); got != want {
			t.Errorf("applicant.DepartementOf(%q) = %q, want %q", pc, got, want)
		}
	}
}

func TestCommune(t *testing.T) {
	tests := []struct{ in, prep, want string }{
		{"LANGOGNE", "", "Langogne"},
		{"MENDE", "", "Mende"},
		{"SAINT-CHELY-D'APCHER", "", "Saint-Chély-d'Apcher"},
		{"SAINT-ALBAN-SUR-LIMAGNOLE", "", "Saint-Alban-sur-Limagnole"},
		{"Malzieu-Ville", "au", "Le Malzieu-Ville"},
		{"Le Bleymard", "", "Le Bleymard"},
		// In the table: the official spelling, accent included.
		{"VILLENEUVE-LES-AVIGNON", "", "Villeneuve-lès-Avignon"},
		// Not in the table: natural case only.
		{"VILLENEUVE-SUR-LOT", "", "Villeneuve-sur-Lot"},
		{"Sainte-Enimie", "", "Sainte-Enimie"},
	}
	for _, tt := range tests {
		if got := normCommune(tt.in, tt.prep); got != tt.want {
			t.Errorf("normCommune(%q, %q) = %q, want %q", tt.in, tt.prep, got, tt.want)
		}
	}
	pc, c := codeAndCommune("12 route de Génolhac, 48800 Villefort")
	if pc != "48800" || c != "Villefort" {
		t.Errorf("codeAndCommune = %q, %q", pc, c)
	}
}

func TestSplitLabel(t *testing.T) {
	tests := []struct {
		line  string
		f     field
		value string
	}{
		{"Raison sociale : SAS Fromagerie", fCompany, "SAS Fromagerie"},
		{"N° SIRET : 84523176000016", fSiret, "84523176000016"},
		{"Tél.\u00a0: 04 66 32 18 90", fPhone, "04 66 32 18 90"},
		{"Effectif\t31 salariés", fEffectifOrHeadcount(), "31 salariés"},
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

func fEffectifOrHeadcount() field { return fHeadcount }

func TestSplitBodyQuotes(t *testing.T) {
	tests := []struct {
		name, text, subject string
		own, notOwn         string
	}{
		{"gmail attribution", "Voici le SIRET.\n\nLe lun. 2 nov. 2026 à 14:47, Julien Pradal <j@x.fr> a\nécrit :\n\n> Bonjour\n> 06 12 48 73 05", "Re: x", "Voici le SIRET.", "06 12"},
		{"outlook block", "Merci.\n\nDe : Damien Fabre <d@x.fr>\nEnvoyé : vendredi 6 novembre 2026 11:48\nÀ : a@b.fr\nObjet : Candidature\n\nEffectif : 22", "RE: Candidature", "Merci.", "Effectif"},
		{"original message", "Bonjour\n\n-----Message d'origine-----\nDe : X\nTéléphone : 06", "RE: x", "Bonjour", "Téléphone"},
		{"underscores", "Ok\n\n________________________________\nDe : X <x@y.fr>\nEnvoyé : lundi\nÀ : z\nObjet : y\n\nvieux texte", "RE: y", "Ok", "vieux"},
		{"thunderbird", "Voici mon CV.\n\n-- \nMathieu\n\nLe 10/11/2026 à 10:31, Mathieu Jourdan a écrit :\n> SIRET : 1", "Re: x", "Mathieu", "SIRET"},
	}
	for _, tt := range tests {
		s := splitBody(cleanText(tt.text), tt.subject, 0)
		own := strings.Join(s.own, "\n")
		if !strings.Contains(own, tt.own) || strings.Contains(own, tt.notOwn) {
			t.Errorf("%s: own text %q", tt.name, own)
		}
		if s.fwd != nil {
			t.Errorf("%s: taken as a forward", tt.name)
		}
	}
}

func TestSplitBodyForwards(t *testing.T) {
	tests := []struct {
		name, text, subject string
		email, ownHas, note string
	}{
		{"gmail", "Je transfère.\nTél. : 04 66 49 00 33\n\n---------- Forwarded message ---------\nDe : Bruno Castan <garage.castan@orange.fr>\nDate: ven. 30 oct.\nSubject: Candidature\nTo: S <s@cci.fr>\n\n\nEntreprise : Garage Castan", "Fwd: Candidature", "garage.castan@orange.fr", "Garage Castan", "04 66 49"},
		{"apple", "Pour info\n\nDébut du message réexpédié :\n\nDe: Jeanne Martin <jm@x.fr>\nObjet: Candidature\nDate: 3 novembre\nÀ: a@b.fr\n\nSIRET : 1", "Fwd: Candidature", "jm@x.fr", "SIRET", "Pour info"},
		{"outlook TR", "Bonjour, ci-dessous.\n\n-----Message d'origine-----\nDe : Rémi Bousquet [mailto:r.bousquet@x.fr]\nEnvoyé : lundi\nÀ : y\nObjet : Candidature\n\nNOM Prénom : BOUSQUET Rémi", "TR: Candidature", "r.bousquet@x.fr", "BOUSQUET", "ci-dessous"},
		{"owa TR", "Voir ci-dessous\n\n________________________________\nDe : Luc Roux <luc@x.fr>\nEnvoyé : mardi\nÀ : a\nObjet : Candidature\n\nEffectif : 3", "TR: Candidature", "luc@x.fr", "Effectif", "Voir"},
		{"thunderbird", "-------- Message transféré --------\nSujet : Candidature\nDate : lun.\nDe : Ana Gil <ana@x.fr>\nPour : b@c.fr\n\nSecteur : bois", "Fwd: Candidature", "ana@x.fr", "Secteur", ""},
	}
	for _, tt := range tests {
		s := splitBody(cleanText(tt.text), tt.subject, 0)
		if s.fwd == nil {
			t.Errorf("%s: no forward found", tt.name)
			continue
		}
		own := strings.Join(s.own, "\n")
		if s.fwd.email != tt.email || !strings.Contains(own, tt.ownHas) {
			t.Errorf("%s: email %q own %q", tt.name, s.fwd.email, own)
		}
		if tt.note != "" && (strings.Contains(own, tt.note) || !strings.Contains(strings.Join(s.fwd.note, "\n"), tt.note)) {
			t.Errorf("%s: note %q leaked or lost", tt.name, tt.note)
		}
	}
}

// analyzeText runs Analyze on a message built from a subject, a sender and
// a body, for the classification tests below.
func analyzeText(subject, fromName, from, text string, hdrs map[string]string) Result {
	h := textproto.MIMEHeader{}
	for k, v := range hdrs {
		h.Set(k, v)
	}
	m := &mailparse.Message{Subject: subject, FromName: fromName, FromEmail: from, Text: text, Header: h,
		To: []mailparse.Address{{Email: testProgram.Address}}}
	if v := h.Get("In-Reply-To"); v != "" {
		m.InReplyTo = v
	}
	return Analyze(m, testProgram)
}

func TestClassification(t *testing.T) {
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
		r := analyzeText(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs)
		if r.Kind != tt.kind {
			t.Errorf("%s: kind %q, want %q", tt.name, r.Kind, tt.kind)
		}
		wantAck := tt.kind == KindApplication || tt.kind == KindFollowUp
		if r.ShouldAcknowledge != wantAck {
			t.Errorf("%s: ShouldAcknowledge %v", tt.name, r.ShouldAcknowledge)
		}
		if !wantAck && !r.Applicant.IsZero() {
			t.Errorf("%s: applicant fields set for %s", tt.name, r.Kind)
		}
	}
}

func TestReference(t *testing.T) {
	r := analyzeText("Complément", "Camille Rousset", "c@x.fr", "Pour compléter mon dossier (référence rse-2026-12), voici le SIRET : 912 847 365 00018", nil)
	if r.Kind != KindFollowUp || r.Reference != "RSE-2026-0012" {
		t.Errorf("got %q %q", r.Kind, r.Reference)
	}
}

// FuzzAnalyze feeds arbitrary subjects and bodies to Analyze: it must
// never panic, whatever the bytes.
func FuzzAnalyze(f *testing.F) {
	f.Add("Candidature", "Nom : Dupont\nPrénom : Marie\nSIRET : 812 345 676 00017\nTél : 06 12 34 56 78")
	f.Add("Fwd: x", "---------- Forwarded message ---------\nDe : A <a@b.fr>\n\n> Code postal : 20200")
	f.Add("Re: x", "Le 1 janv., X a écrit :\n> y\nDe : Z\nEnvoyé : 1\nObjet : 2\n")
	f.Add("", "Effectif : quatre-vingt-dix-neuf\nÀ Saint-Chély-d'Apcher (48200)\n\u00a0:\t\u202f")
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.eml"))
	for _, p := range files[:min(5, len(files))] {
		if b, err := os.ReadFile(p); err == nil {
			f.Add("Candidature", string(b))
		}
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		m := &mailparse.Message{Subject: subject, Text: text, FromName: subject, FromEmail: "a@b.fr", Header: textproto.MIMEHeader{}}
		r := Analyze(m, testProgram)
		if r.Kind == "" {
			t.Fatal("empty kind")
		}
	})
}

// BenchmarkAnalyze measures Analyze on a corpus message padded to about
// 5 KB, the size of a long application with its quoted history.
func BenchmarkAnalyze(b *testing.B) {
	f, err := os.Open(filepath.Join("..", "testdata", "corpus", "29-reponse-citant-mail-info.eml"))
	if err != nil {
		b.Skip(err)
	}
	m, err := mailparse.Parse(f, mailparse.Options{})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	for len(m.Text) < 5000 {
		m.Text += "\n> " + strings.ReplaceAll(m.Text[:min(len(m.Text), 1000)], "\n", "\n> ")
	}
	m.Text = head(m.Text, 5000)
	b.SetBytes(int64(len(m.Text)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(m, testProgram)
	}
}

// BenchmarkParseAnalyzeCorpus measures the whole intake path, parse then
// classify and extract, over every shared corpus message.
func BenchmarkParseAnalyzeCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*.eml"))
	var raws [][]byte
	for _, p := range files {
		if raw, err := os.ReadFile(p); err == nil {
			raws = append(raws, raw)
		}
	}
	if len(raws) == 0 {
		b.Skip("no corpus")
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m, err := mailparse.Parse(strings.NewReader(string(raws[i%len(raws)])), mailparse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		Analyze(m, testProgram)
		i++
	}
}
