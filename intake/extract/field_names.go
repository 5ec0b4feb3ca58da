package extract

import (
	"strings"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// introNameKeys: reIntroName runs only on a text holding one of them.
var introNameKeys = keys("je m", "soussign", "mon nom", "moi,", "moi c")

// readNames reads the applicant's name: labels, then "je m'appelle …", then the sender's display
// name, then a name line in the signature.
func (r *reading) readNames() {
	a, x, lines, isLabel, flat, all, sig, name, email := r.a, r.x, r.lines, r.isLabel, r.flat, r.all, r.sig, r.name, r.email
	if r.first == "" && r.last != "" {
		// "Nom : Bruno Castan" with no first-name label.
		if toks := nameTokens(r.last); len(toks) >= 2 {
			r.first, r.last = splitName(r.last, true)
			if !isUpperWord(toks[0]) && isUpperWord(toks[len(toks)-1]) || givenNameFirst(toks, name) {
				r.first, r.last = splitName(strings.Join(toks, " "), false)
			}
		} else if f, l := splitName(name, false); l != "" && applicant.Fold(l) == applicant.Fold(r.last) {
			r.first = f
		}
	}
	if r.first != "" || r.last != "" {
		r.setName(capName(r.first), capName(r.last))
	}
	nameRule := ruleLabelledLine
	if !r.nameSet {
		nameRule = "on_behalf_of"
	}
	r.setName(r.bossFirst, r.bossLast)
	if !r.nameSet {
		nameRule = "introduction"
	}
	if !r.nameSet && r.flatCase.hasAny(introNameKeys) {
		if m := reIntroName.FindStringSubmatch(flat); m != nil && looksLikePerson(m[1]) {
			r.setName(splitName(m[1], false))
		}
	}
	// A display name that is surely a person wins over the signature; a
	// display name that may be a company ("Brasserie de la Colagne") loses
	// to a person's name in the signature.
	dn := personFromDisplayName(name)
	sn := signatureName(lines[sig:], isLabel[sig:], email)
	// A name already set takes none of them: the candidates, and whether
	// each is surely a person's, are not worked out for it.
	if !r.nameSet {
		for _, cand := range []string{strongOnly(dn), strongOnly(sn), dn, sn} {
			if !r.nameSet && cand != "" {
				r.setName(splitName(cand, false))
				nameRule = ruleSignatureName
				if cand == dn {
					nameRule = ruleDisplayName
				}
			}
		}
	}
	if f, l := fullerName(r.first, r.last, sn, dn); f != r.first || l != r.last {
		r.first, r.last, nameRule = f, l, "fuller_name"
	}
	if !isASCII(all) {
		// Only a text with accents can give a name its accents.
		accentNames(all, &r.first, &r.last)
	}
	lastRule := nameRule
	if hh := householdName(name); hh != "" && r.last == "" {
		// A shared "Famille Malige" address signed "Jean-Pierre".
		if r.first == "" {
			r.first, nameRule = loneFirstName(lines[sig:], isLabel[sig:]), ruleSignatureName
		}
		if r.first != "" {
			r.last, lastRule = hh, ruleDisplayName
		}
	}
	a.FirstName, a.LastName = r.first, r.last
	if r.first != "" {
		x.note(applicant.FirstName, nameRule)
	}
	if r.last != "" {
		x.note(applicant.LastName, lastRule)
	}
	if a.Company == "" && r.last != "" {
		// "mon garage garage dupuis", "Menuiserie Caussignac": a trade
		// named after its owner, whatever the case it is typed in.
		a.Company = tradeNamedAfter(r.flatCase, r.last)
		x.noteChoice(applicant.Company, a.Company, "trade_named_after_owner", a.Company)
	}
}

// givenNameFirst reports a "Nom" value written first name first ("Nom :
// Denis Prouhèze") when capitals do not tell: the sender's display name
// starts with the same word, or only the first word is a known first name.
func givenNameFirst(toks []string, sender string) bool {
	if isUpperWord(toks[0]) || isUpperWord(toks[len(toks)-1]) {
		return false
	}
	first, last := applicant.Fold(toks[0]), applicant.Fold(toks[len(toks)-1])
	if f, l := splitName(sender, false); f != "" && l != "" {
		return applicant.Fold(f) == first || applicant.Fold(l) == last
	}
	return commonFirstNames()[first] && !commonFirstNames()[last]
}
