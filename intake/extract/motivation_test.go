package extract

import "testing"

// TestMotivationOnce: a "Motivations :" label alone on its line introduces
// the paragraph below it, taken once.
func TestMotivationOnce(t *testing.T) {
	text := "Bonjour,\n\nJe souhaite candidater au programme.\n\nNom : Vidal\nPrénom : Claire\n" +
		"Entreprise : Savonnerie du Causse\n\nMotivations :\nNous voulons réduire nos emballages\net former l'équipe.\n\n" +
		"Cordialement,\nClaire Vidal\n"
	r := analyzeText("Candidature RSE", "Claire Vidal", "claire@savonnerie.fr", text, nil)
	if want := "Nous voulons réduire nos emballages et former l'équipe."; r.Applicant.Motivation != want {
		t.Errorf("motivation %q, want %q", r.Applicant.Motivation, want)
	}
}
