package extract

import (
	"strconv"
	"testing"
)

// TestSectorEndsWithItsClause: the sector named in "dans le secteur de
// X" ends where the clause does; a verb joined by "et" to the author's
// "nous" starts the next clause, while two nouns joined by "et" are one
// sector. Wrapping does not change it.
func TestSectorEndsWithItsClause(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Nous sommes dans le secteur de la charcuterie artisanale et livrons les épiceries du Causse.", "charcuterie artisanale"},
		{"Depuis 2010, nous travaillons dans le secteur du bâtiment et réalisons surtout des rénovations.", "bâtiment"},
		{"Nous exerçons dans le secteur de l'élevage et vente directe de viande.", "élevage et vente directe de viande"},
		{"Mon atelier est dans le secteur de la restauration et boissons, je suis seule.", "restauration et boissons"},
	}
	for _, tt := range tests {
		for _, width := range []int{0, 40, 72} {
			text := "Bonjour,\nJe souhaite candidater au programme RSE. " + tt.text + "\nCode postal : 48000\n\nAnne Rouvière"
			if width > 0 {
				text = wrap(text, width)
			}
			r := applicantOf(t, "Anne Rouvière", "anne.rouviere@free.fr", text)
			if r.Applicant.Sector != tt.want {
				t.Errorf("%q wrapped at %s: sector %q, want %q", tt.text, strconv.Itoa(width), r.Applicant.Sector, tt.want)
			}
		}
	}
}
