package intake

import (
	"strings"
	"unicode"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// Missing lists what an application lacks: each required applicant field
// that is absent, a SIRET that fails its checksum (with the reason), and
// each required attachment (e.g. "cv") that no attachment name or type
// matches.
func Missing(a *store.Applicant, atts []store.Attachment, required, requiredAtts []string) []store.Missing {
	var ms []store.Missing
	for _, f := range required {
		v, ok := a.Field(f)
		switch {
		case !ok:
			continue
		case v == "":
			ms = append(ms, store.Missing{Field: f})
		case f == "siret" && a.SiretValid != nil && !*a.SiretValid:
			ms = append(ms, store.Missing{Field: f, Reason: "SIRET invalide (la clé de contrôle ne correspond pas)"})
		}
	}
	for _, want := range requiredAtts {
		if !hasAttachment(atts, want) {
			ms = append(ms, store.Missing{Field: "attachment:" + want})
		}
	}
	return ms
}

// attachmentWords are the names under which a required piece is sent.
var attachmentWords = map[string][]string{
	"cv":     {"cv", "curriculum", "resume"},
	"kbis":   {"kbis", "k-bis", "extrait"},
	"lettre": {"lettre", "motivation"},
}

func hasAttachment(atts []store.Attachment, want string) bool {
	words := attachmentWords[strings.ToLower(want)]
	if words == nil {
		words = []string{strings.ToLower(want)}
	}
	for _, at := range atts {
		if at.Inline || !at.Stored {
			continue
		}
		name := applicant.Fold(at.Filename + " " + at.ContentType)
		for _, tok := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			for _, w := range words {
				if tok == w || (len(w) > 3 && strings.HasPrefix(tok, w)) {
					return true
				}
			}
		}
	}
	return false
}
