// Package shortlist turns the stored applications into what coordinators
// decide on: who is eligible and why not, a ranked selection of a cohort,
// the waiting list behind it, and exports of all that as CSV, XLSX and
// JSON that a French Excel opens cleanly and safely.
//
// Ranking works on applications in memory (Rank), so it can be tested and
// measured without a database; Build loads them from the store first.
package shortlist

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// Rules decide who may join the program.
type Rules struct {
	// Departements accepted ("48", "2A"); empty accepts any. An
	// application with no known département is not eligible: the territory
	// is what the program is about, and a coordinator fixes a missing
	// postal code with `set`.
	Departements []string
	// RequireValidSiret refuses a missing SIRET or one that fails its check.
	RequireValidSiret bool
	// MaxHeadcount refuses companies with more people; 0 means no limit.
	// An unknown headcount passes: it is not asked for by default.
	MaxHeadcount int
	// Roles, when not empty, are the functions accepted, written in any
	// form: each matches its feminine forms, any case and accents, with a
	// co- prefix ("gérant" accepts "Co-gérante"), and a role of several
	// words matches them in order inside the applicant's ("directeur
	// général" accepts "directrice générale déléguée").
	Roles []string
}

// DefaultRules are the program's rules when the configuration says
// nothing: Lozère, with a valid SIRET.
func DefaultRules() Rules {
	return Rules{Departements: []string{"48"}, RequireValidSiret: true}
}

// DefaultRoles are the functions of someone who runs a company, for a
// configuration that wants to restrict roles.
var DefaultRoles = []string{"dirigeant", "gérant", "président", "directeur", "fondateur", "chef d'entreprise",
	"entrepreneur", "associé", "pdg", "dg"}

// Eligibility tells whether a meets the rules and, when it does not, why,
// in French for coordinators.
func Eligibility(a *store.Application, r Rules) (eligible bool, reasons []string) {
	if len(r.Departements) > 0 {
		want := make([]string, len(r.Departements))
		for i, d := range r.Departements {
			want[i] = normDepartement(d)
		}
		switch d := normDepartement(a.Departement); {
		case d == "":
			reasons = append(reasons, "département inconnu")
		case !slices.Contains(want, d):
			expected := "attendu"
			if len(want) > 1 {
				expected = "attendus"
			}
			reasons = append(reasons, fmt.Sprintf("département %s hors périmètre (%s %s)", d,
				strings.Join(want, ", "), expected))
		}
	}
	if r.RequireValidSiret {
		switch {
		case a.Siret == "":
			reasons = append(reasons, "SIRET manquant")
		case !siretValid(a):
			reasons = append(reasons, "SIRET invalide")
		}
	}
	if r.MaxHeadcount > 0 && a.Headcount != nil && *a.Headcount > r.MaxHeadcount {
		reasons = append(reasons, fmt.Sprintf("effectif %d > %d", *a.Headcount, r.MaxHeadcount))
	}
	if len(r.Roles) > 0 {
		switch {
		case strings.TrimSpace(a.Role) == "":
			reasons = append(reasons, "fonction non renseignée")
		case !RoleMatches(a.Role, r.Roles):
			reasons = append(reasons, fmt.Sprintf("fonction « %s » non retenue", strings.TrimSpace(a.Role)))
		}
	}
	return len(reasons) == 0, reasons
}

func siretValid(a *store.Application) bool {
	if a.SiretValid != nil {
		return *a.SiretValid
	}
	return applicant.ValidSiret(a.Siret)
}

// normDepartement spells a département the way the store does: "5" and
// "05" are "05", "2a" is "2A".
func normDepartement(d string) string {
	d = strings.ToUpper(strings.TrimSpace(d))
	if len(d) == 1 && d[0] >= '1' && d[0] <= '9' {
		d = "0" + d
	}
	return d
}

// RoleMatches reports whether role, as an applicant wrote it, is one of
// accepted (see Rules.Roles).
func RoleMatches(role string, accepted []string) bool {
	words := roleWords(role)
	for _, acc := range accepted {
		want := roleWords(acc)
		if len(want) > 0 && containsRun(words, want) {
			return true
		}
	}
	return false
}

func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		ok := true
		for j, w := range run {
			if words[i+j] != w && strings.TrimPrefix(words[i+j], "co") != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// roleWords splits a role into words folded to lowercase, without
// accents, in the masculine singular, so that "Co-Gérantes" and "gérant"
// meet: ["co", "gerant"].
func roleWords(s string) []string {
	s = applicant.Fold(s)
	fields := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range fields {
		fields[i] = masculine(w)
	}
	return fields
}

// feminineEndings turn French feminine (and plural) endings into the
// masculine: directrice -> directeur, gérante -> gerant, présidente ->
// president, associée -> associe, conseillère -> conseiller, technicienne
// -> technicien, générale -> general, cheffe -> chef, entrepreneuse and
// entrepreneure -> entrepreneur. The first matching ending wins.
var feminineEndings = [][2]string{
	{"trice", "teur"}, {"euse", "eur"}, {"eure", "eur"}, {"ante", "ant"}, {"ente", "ent"},
	{"iere", "ier"}, {"ere", "er"}, {"enne", "en"}, {"ee", "e"}, {"ale", "al"}, {"effe", "ef"},
}

func masculine(w string) string {
	if len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		w = w[:len(w)-1]
	}
	for _, e := range feminineEndings {
		if len(w) > len(e[0])+1 && strings.HasSuffix(w, e[0]) {
			return w[:len(w)-len(e[0])] + e[1]
		}
	}
	return w
}
