package extract

import (
	"strings"
	"testing"
)

// In a forward the applicant is the original sender; the forwarder's note
// is no part of the application.
func TestForwardedApplicationIsTheOriginalSenders(t *testing.T) {
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
