package extract

import (
	"strings"
	"testing"
)

// Quoted history in the styles of Gmail, Outlook, OWA and Thunderbird is
// set apart from the author's own text.
func TestQuotedHistoryIsNotOwnText(t *testing.T) {
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
