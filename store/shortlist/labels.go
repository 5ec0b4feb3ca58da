package shortlist

import (
	"slices"
	"strings"

	"github.com/rse-lozere/rse-intake/store"
)

// column is one column of the exports people read (the default CSV and
// the XLSX): its machine name in Columns, its titles, and how it prints.
type column struct {
	field  string
	fr, en string
	width  float64 // characters, in the XLSX
	wrap   bool    // long text that wraps in the XLSX rather than widening the page
}

// readingOrder is the order a selection committee discusses an
// application: who and where first, then whether it qualifies and what it
// lacks, then the coordinators' view, then the details to get in touch.
// The widths are narrow, with long texts wrapped, so that the landscape
// page fitted to one width stays legible.
var readingOrder = []column{
	{field: "rank", fr: "Rang", en: "Rank", width: 6},
	{field: "reference", fr: "Référence", en: "Reference", width: 14},
	{field: "status", fr: "Statut", en: "Status", width: 15},
	{field: "company", fr: "Entreprise", en: "Company", width: 24, wrap: true},
	{field: "last_name", fr: "Nom", en: "Last name", width: 15, wrap: true},
	{field: "first_name", fr: "Prénom", en: "First name", width: 13, wrap: true},
	{field: "role", fr: "Fonction", en: "Role", width: 15, wrap: true},
	{field: "commune", fr: "Commune", en: "Town", width: 14, wrap: true},
	{field: "postal_code", fr: "Code postal", en: "Postal code", width: 8},
	{field: "departement", fr: "Département", en: "Département", width: 8},
	{field: "headcount", fr: "Effectif", en: "Headcount", width: 9},
	{field: "sector", fr: "Secteur", en: "Sector", width: 14, wrap: true},
	{field: "eligible", fr: "Éligible", en: "Eligible", width: 8},
	{field: "reasons", fr: "Motifs", en: "Reasons", width: 28, wrap: true},
	{field: "complete", fr: "Complet", en: "Complete", width: 9},
	{field: "missing", fr: "Pièces manquantes", en: "Missing", width: 20, wrap: true},
	{field: "score", fr: "Note", en: "Score", width: 6},
	{field: "notes", fr: "Commentaires", en: "Comments", width: 28, wrap: true},
	{field: "received_at", fr: "Reçue le", en: "Received", width: 16},
	{field: "phone", fr: "Téléphone", en: "Phone", width: 15},
	{field: "email", fr: "E-mail", en: "E-mail", width: 26, wrap: true},
	{field: "siret", fr: "SIRET", en: "SIRET", width: 18},
	{field: "siret_valid", fr: "SIRET valide", en: "SIRET valid", width: 8},
	{field: "attachments", fr: "Pièces jointes", en: "Attachments", width: 24, wrap: true},
}

// ReadingColumns are the machine names of the columns of the exports
// people read, in their order (see Titles).
var ReadingColumns = func() []string {
	names := make([]string, len(readingOrder))
	for i, c := range readingOrder {
		names[i] = c.field
	}
	return names
}()

// readingIndex maps each reading column to its index in Columns, so
// writers reorder the values of a row without looking names up.
var readingIndex = func() []int {
	idx := make([]int, len(readingOrder))
	for i, c := range readingOrder {
		idx[i] = slices.Index(Columns, c.field)
		if idx[i] < 0 {
			panic("shortlist: reading column " + c.field + " is not in Columns")
		}
	}
	return idx
}()

// Titles returns the column titles of the exports people read, in
// ReadingColumns order, in lang ("en" for English; French otherwise).
func Titles(lang string) []string {
	titles := make([]string, len(readingOrder))
	for i, c := range readingOrder {
		titles[i] = c.title(lang)
	}
	return titles
}

func (c column) title(lang string) string {
	if lang == "en" {
		return c.en
	}
	return c.fr
}

// statusLabels are the statuses as a coordinator says them.
var statusLabels = map[string][2]string{ // code -> {fr, en}
	store.StatusReceived:    {"Reçue", "Received"},
	store.StatusIncomplete:  {"Incomplète", "Incomplete"},
	store.StatusComplete:    {"Complète", "Complete"},
	store.StatusShortlisted: {"Présélectionnée", "Shortlisted"},
	store.StatusSelected:    {"Retenue", "Selected"},
	store.StatusWaitlisted:  {"Liste d'attente", "Waiting list"},
	store.StatusDeclined:    {"Refusée", "Declined"},
	store.StatusWithdrawn:   {"Retirée", "Withdrawn"},
	store.StatusNeedsReview: {"À relire", "To review"},
}

// StatusLabel returns a status as a coordinator says it in lang ("en" for
// English; French otherwise); an unknown code is returned as it is.
func StatusLabel(code, lang string) string {
	if l, ok := statusLabels[code]; ok {
		return inLanguage(l, lang)
	}
	return code
}

// inLanguage picks from a {fr, en} pair the word in lang ("en" for
// English; French otherwise).
func inLanguage(l [2]string, lang string) string {
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

func yesNo(b bool, lang string) string {
	switch {
	case b && lang == "en":
		return "yes"
	case lang == "en":
		return "no"
	case b:
		return "oui"
	}
	return "non"
}

// attachmentLabels name the required attachments (attachment:NAME in an
// application's missing pieces).
var attachmentLabels = map[string][2]string{
	"cv":     {"CV", "CV"},
	"lettre": {"Lettre de motivation", "Cover letter"},
	"kbis":   {"Kbis", "Kbis"},
}

// missingLabel names a missing piece with the column title of its field
// ("phone" -> "Téléphone"), or the attachment's name; anything else is
// left as it is.
func missingLabel(field, lang string) string {
	if name, ok := strings.CutPrefix(field, "attachment:"); ok {
		if l, ok := attachmentLabels[name]; ok {
			return inLanguage(l, lang)
		}
		return name
	}
	for _, c := range readingOrder {
		if c.field == field {
			return c.title(lang)
		}
	}
	if l, ok := otherFieldLabels[field]; ok {
		return inLanguage(l, lang)
	}
	return field
}

// otherFieldLabels name the required fields that have no column.
var otherFieldLabels = map[string][2]string{
	"siren":      {"SIREN", "SIREN"},
	"motivation": {"Motivation", "Motivation"},
}

// MissingLabels names missing pieces for people, one each, with why when
// given: "SIRET (SIRET invalide)", "Téléphone". The digest uses it too, so
// a coordinator reads the same words in the mail and in the shortlist.
func MissingLabels(ms []store.Missing, lang string) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		s := missingLabel(m.Field, lang)
		if m.Reason != "" {
			s += " (" + m.Reason + ")"
		}
		out = append(out, s)
	}
	return out
}

// missingText lists missing pieces for people: "SIRET (SIRET invalide),
// Téléphone".
func missingText(ms []store.Missing, lang string) string {
	return strings.Join(MissingLabels(ms, lang), ", ")
}
