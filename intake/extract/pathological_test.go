package extract

import (
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// TestPathological feeds 64 KB of repeated patterns to Analyze: every step
// must stay linear, whatever a sender writes. The bound is far above the
// real cost (see the benchmarks) so that a loaded machine never
// fails it; a quadratic step on 64 KB takes minutes and still would.
func TestPathological(t *testing.T) {
	for _, unit := range []string{
		"---------- Forwarded message ---------\nDe : A <a@b.fr>\n\n",
		"a: b\n", "Nom : X. Secteur : Y; ", "(48000) ", ", 48000 Mende ", "Le x a écrit :\n",
		"De : x\nEnvoyé : y\nObjet : z\n", "je suis gérant de la SARL A B C D E F ", "06 12 34 56 78 ",
		"0000000000000000000000", "Marie Dupont\n", "-- \n", "> > > > ", "douze salariés ", "SIRET SIRET 1 ",
		"Le Le Le Le ", "AAAA BBBB CCCC DDDD ", "un deux trois quatre cinq ",
		// Fuzzy labels, foreign numbers, communes next to codes, dash labels.
		"ENTREPISE TELEPHONNE EFECTIFE : X\n", "+44 7700 900461 ", "a marvejols 48100 ",
		"1) Champ 2 - Qualité – x\n", "garage dupuis ", "Gérant de l'Auberge des Genêts\n",
		// Assistants, papers, scams.
		"le SIRET de la Menuiserie A B C ", "Kbis de l'Atelier X. Merci. ", "assistante de M. Jean Dupont, gérant de ",
		"de la part de notre directrice, Mme Claire Bouquet ", "votre entreprise registre facture https:// ",
		"candidature spontanée pour un poste ", "facture iban ", "A. B. C. D. ",
	} {
		text := strings.Repeat(unit, 64<<10/len(unit))
		m := &mailparse.Message{Subject: "Fwd: Candidature", Text: text, FromName: "A B", FromEmail: "a@b.fr", Header: textproto.MIMEHeader{}}
		st := time.Now()
		Analyze(m, testProgram)
		if d := time.Since(st); d > 5*time.Second {
			t.Errorf("%q: %v", unit, d)
		} else {
			t.Logf("%q: %v", unit, d)
		}
	}
}
