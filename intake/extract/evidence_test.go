package extract

import (
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestEvidence pins where each kind of value is said to come from: the
// line of the mail's text, its kind and the rule that took it.
func TestEvidence(t *testing.T) {
	tests := []struct {
		name, fromName, text, subject string
		field                         string
		want                          applicant.Evidence
	}{
		{name: "family name also in the company above", fromName: "Thomas Vergnet",
			text:  "Bonjour,\nJe souhaite candidater au programme.\nEntreprise : Garage Vergnet\nNom : Thomas Vergnet\nSIRET : 812 345 676 00017\nEffectif : 3",
			field: "last_name", want: applicant.Evidence{Source: "label", Line: 4, Text: "Nom : Thomas Vergnet", Rule: "labelled_line"}},
		{name: "labelled SIRET", fromName: "Lise Pagès",
			text:  "Bonjour,\nJe souhaite candidater au programme.\nEntreprise : Pagès Bois\nN° SIRET : 812 345 676 00017\nLise Pagès",
			field: "siret", want: applicant.Evidence{Source: "label", Line: 4, Text: "N° SIRET : 812 345 676 00017", Rule: "labelled_line"}},
		{name: "SIRET check follows the SIRET", fromName: "Lise Pagès",
			text:  "Bonjour,\nJe souhaite candidater au programme.\nN° SIRET : 812 345 676 00017\nLise Pagès",
			field: "siret_valid", want: applicant.Evidence{Source: "label", Line: 3, Text: "N° SIRET : 812 345 676 00017", Rule: "siret_check"}},
		{name: "headcount in a sentence", fromName: "Lise Pagès",
			text:  "Bonjour,\nJe souhaite candidater au programme.\nNous sommes douze salariés dans la scierie.\nLise Pagès",
			field: "headcount", want: applicant.Evidence{Source: "sentence", Line: 3, Text: "Nous sommes douze salariés dans la scierie.", Rule: "headcount_in_sentence"}},
		{name: "phone in the signature", fromName: "Lise Pagès",
			text:  "Bonjour,\nJe souhaite candidater au programme pour la scierie.\n\nCordialement,\nLise Pagès\n06 12 34 56 78",
			field: "phone", want: applicant.Evidence{Source: "signature", Line: 6, Text: "06 12 34 56 78", Rule: "own_number"}},
		{name: "département from the postal code", fromName: "Lise Pagès",
			text:  "Bonjour,\nJe souhaite candidater au programme.\nCode postal : 20200\nLise Pagès",
			field: "departement", want: applicant.Evidence{Source: "label", Line: 3, Text: "Code postal : 20200", Rule: "departement_of_postal_code"}},
		{name: "name from the From header", fromName: "Lise Pagès",
			text:  "Bonjour,\nJe souhaite candidater au programme pour notre scierie de 4 salariés.\nMerci",
			field: "last_name", want: applicant.Evidence{Source: "header", Text: "From: Lise Pagès <someone@example.fr>", Rule: "display_name"}},
		{name: "address of the forwarded sender", fromName: "Conseillère CCI",
			subject: "Fwd: Candidature",
			text: "Je vous transfère cette candidature.\n\n---------- Forwarded message ---------\nDe : Bruno Castan <garage.castan@orange.fr>\nDate: ven. 30 oct.\nSubject: Candidature\n\n" +
				"Bonjour,\nJe souhaite candidater au programme.\nEntreprise : Garage Castan\nEffectif : 3\nBruno Castan",
			field: "email", want: applicant.Evidence{Source: "forward", Line: 4, Text: "De : Bruno Castan <garage.castan@orange.fr>", Rule: "sender_address"}},
		{name: "forwarder", fromName: "Conseillère CCI",
			subject: "Fwd: Candidature",
			text: "Je vous transfère cette candidature.\n\n---------- Forwarded message ---------\nDe : Bruno Castan <garage.castan@orange.fr>\nDate: ven. 30 oct.\nSubject: Candidature\n\n" +
				"Bonjour,\nJe souhaite candidater au programme.\nEntreprise : Garage Castan\nEffectif : 3\nBruno Castan",
			field: "forwarded_by", want: applicant.Evidence{Source: "header", Text: "From: Conseillère CCI <someone@example.fr>", Rule: "forwarder_address"}},
	}
	for _, tt := range tests {
		subject := tt.subject
		if subject == "" {
			subject = "Candidature programme RSE"
		}
		r := analyzeText(subject, tt.fromName, "someone@example.fr", tt.text, nil)
		if v, _ := r.Applicant.Field(tt.field); v == "" {
			t.Errorf("%s: no %s (kind %s, rule %s)", tt.name, tt.field, r.Kind, r.KindRule)
			continue
		}
		if got := r.Applicant.Evidence[tt.field]; got != tt.want {
			t.Errorf("%s: evidence of %s\n got %+v\nwant %+v", tt.name, tt.field, got, tt.want)
		}
	}
}

// TestEvidenceForEveryField: every field with a value has evidence, and
// only those.
func TestEvidenceForEveryField(t *testing.T) {
	r := applicantOf(t, "Anne Rouvière", "anne@rouviere.fr",
		"Bonjour,\nJe vous adresse ma candidature.\nSociété : Rouvière Élagage\nSIRET : 812 345 676 00017\nEffectif : 5\n"+
			"Secteur : élagage\nAdresse : 3 rue du Pont, 48100 Marvejols\n\nMotivation : réduire nos déchets verts.\n\nAnne Rouvière\nGérante\n06 11 22 33 44")
	a := r.Applicant
	for _, f := range applicant.Fields {
		v, _ := a.Field(f)
		e, ok := a.Evidence[f]
		switch {
		case v != "" && !ok:
			t.Errorf("%s = %q has no evidence", f, v)
		case v == "" && ok:
			t.Errorf("%s is empty but has evidence %+v", f, e)
		case ok && e.Rule == "":
			t.Errorf("%s: evidence without a rule: %+v", f, e)
		}
	}
}

// TestLocateLongValue: a value longer than any line (a motivation) is
// found where its first words are, as when the whole of it was folded.
func TestLocateLongValue(t *testing.T) {
	lines := []string{"Bonjour,", "Nous souhaitons réduire nos déchets", "et former l'équipe.", "Paul"}
	long := "Nous souhaitons réduire nos déchets et former l'équipe à l'accueil des clients, " +
		"puis partager ce que nous aurons appris avec les commerces voisins de la commune."
	for _, tt := range []struct {
		value string
		want  int
	}{
		{long, 1},
		{"La " + long, 1},
		{"l'équipe à l'accueil des clients, puis partager ce que nous aurons appris avec les commerces voisins.", 2},
		{"Rien de tout cela ne figure dans les lignes de ce message, ni au début ni à la fin, vraiment.", -1},
		{"Nous", 1},
	} {
		if got := newLineIndex(lines).locateText(0, tt.value); got != tt.want {
			t.Errorf("locateText(%.30q) = %d, want %d", tt.value, got, tt.want)
		}
		if _, ok := newLineIndex(lines).locateFirstWords(0, tt.value); !ok && len(tt.value) > 150 {
			t.Errorf("locateFirstWords(%.30q) did not tell", tt.value)
		}
	}
}

// TestLooseFoldDigitsNumberAsFields holds looseFold, digitsOnly and
// hasNumber, which read their text in place and return it uncopied when
// they can, to what they mean in strings.FieldsFunc's words.
func TestLooseFoldDigitsNumberAsFields(t *testing.T) {
	for _, s := range []string{"", " ", "-", "Jean-Marie", "L'Entreprise  d’Aubrac ", "deux\tmots", "quatorze salariés",
		" 14 salariés", "Effectif : vingt-deux (22)", "06 48 27 15 93", "0648271593", "SIRET 812 345 676 00017", "été",
		"cinquante-et-un", "x\u00a0y", "\xff12"} {
		want := strings.Join(strings.FieldsFunc(applicant.Fold(s), func(r rune) bool { return r == '-' || r == '\'' || r == ' ' || r == '\t' }), " ")
		if got := looseFold(s); got != want {
			t.Errorf("looseFold(%q) = %q, want %q", s, got, want)
		}
		var d []byte
		for i := 0; i < len(s); i++ {
			if '0' <= s[i] && s[i] <= '9' {
				d = append(d, s[i])
			}
		}
		if got := digitsOnly(s); got != string(d) {
			t.Errorf("digitsOnly(%q) = %q, want %q", s, got, d)
		}
		for _, n := range []string{"14", "22", "51", "812", "0"} {
			want := false
			for _, w := range strings.FieldsFunc(applicant.Fold(s), func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
			}) {
				first, _, _ := strings.Cut(w, "-")
				if _, word := frenchNumberWords[first]; !word && (w[0] < '0' || w[0] > '9') {
					continue
				}
				if got, ok := parseFrenchNumber(w); ok && strconv.Itoa(got) == n {
					want = true
				}
			}
			if got := hasNumber(s, n); got != want {
				t.Errorf("hasNumber(%q, %s) = %v, want %v", s, n, got, want)
			}
		}
	}
}
