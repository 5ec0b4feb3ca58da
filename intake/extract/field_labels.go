package extract

import (
	"strings"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// readLabels reads the labelled lines, the first source of every
// field. A line may carry two labels ("Code postal :
// 48500 — Commune : La Canourgue"): the second is read in turn.
func (r *reading) readLabels() {
	a, x, lines, isLabel := r.a, r.x, r.lines, r.isLabel
	var pending string
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if pending != "" {
			line, pending = pending, ""
			i--
		}
		label, fld, value, ok := splitLabel(line)
		if !ok {
			continue
		}
		if fld != fNone {
			if v, rest, ok2 := splitSecondLabel(value); ok2 {
				value, pending = v, rest
			}
		}
		if fld == fNone {
			// "Gérant : Bruno Castan": the title is the label.
			nl := normLabel(label)
			// "Responsable : Catherine Jouve, directrice": the title after
			// the name is the role; the label only says who answers.
			person, title := titleAfterName(value)
			if roleLabels[nl] && looksLikePerson(person) {
				isLabel[i] = true
				x.labelled++
				if a.Role == "" {
					a.Role, r.roleIsLabel = title, false
					if title == "" {
						a.Role, r.roleIsLabel = trimValue(label), true
					}
				}
				if !r.nameSet {
					f, l := splitName(person, false)
					r.setName(f, l)
				}
			}
			continue
		}
		isLabel[i] = true
		value = trimValue(value)
		// A label alone on its line ("Motivations :") introduces the
		// lines below it.
		if value == "" && fld == fMotivation {
			var para []string
			for j := i + 1; j < len(lines); j++ {
				t := strings.TrimSpace(lines[j])
				if t == "" {
					if len(para) > 0 {
						break
					}
					continue
				}
				if _, f2, _, ok2 := splitLabel(t); ok2 && f2 != fNone || isTrimmedClosing(t) {
					break
				}
				para = append(para, t)
				isLabel[j] = true
			}
			value = strings.Join(para, " ")
		}
		if value == "" && i+1 < len(lines) {
			// "Effectif :" at the end of a line wrapped by the mail client
			// or a pasted form: the value is the next line, when that line
			// is no label, no closing and short.
			if t := strings.TrimSpace(lines[i+1]); t != "" && len(t) <= 80 && !isTrimmedClosing(t) && !isLabel[i+1] {
				if _, _, _, ok2 := splitLabel(t); !ok2 {
					value = trimValue(t)
					isLabel[i+1] = true
				}
			}
		}
		if value == "" {
			continue
		}
		x.labelled++
		r.takeLabelled(fld, value, i)
	}

	x.noteNew(&applicant.Applicant{Email: a.Email}, ruleLabelledLine)
	for _, fv := range [...][2]string{{applicant.FirstName, r.first}, {applicant.LastName, r.last},
		{applicant.PostalCode, r.postal}, {applicant.Commune, r.commune}, {applicant.Phone, r.phone}, {applicant.Motivation, r.motivation}} {
		if fv[1] != "" {
			x.note(fv[0], ruleLabelledLine)
		}
	}
}

// takeLabelled takes value, read on line i under a label of field fld,
// where that field is not set yet.
func (r *reading) takeLabelled(fld field, value string, i int) {
	a, lines, isLabel := r.a, r.lines, r.isLabel
	switch fld {
	case fLastName:
		if r.last == "" {
			r.last = value
		}
	case fFirstName:
		if r.first == "" {
			r.first = value
		}
	case fFullName, fFullNameLastFirst:
		// "Interlocutrice : Nadia Benali, responsable QSE",
		// "Représentée par : X, directrice": a title after the name.
		if k := strings.IndexByte(value, ','); k > 0 {
			if r := strings.TrimSpace(value[k+1:]); reRoleStart.MatchString(r) {
				if a.Role == "" {
					a.Role = cleanRole(r)
				}
				value = strings.TrimSpace(value[:k])
			}
		}
		if r.first == "" && r.last == "" {
			r.first, r.last = splitName(value, fld == fFullNameLastFirst)
		}
	case fRole:
		// A title field says more than a title used as the label of
		// a name ("Responsable : Julien Daudé" then "Fonction : Gérant").
		if a.Role == "" || r.roleIsLabel {
			if v := labelledRole(value, false); v != "" {
				a.Role, r.roleIsLabel = v, false
			}
		}
	case fStatus:
		if a.Role == "" {
			a.Role = labelledRole(value, true)
		}
	case fCompany:
		if a.Company == "" {
			a.Company = cleanCompany(value)
		}
	case fSiret, fSiren:
		if a.Siret == "" {
			if k := strings.IndexAny(value, "0123456789"); k >= 0 {
				d, end := digitRun(value, k, 15)
				if end >= len(value) || value[end] < '0' || value[end] > '9' {
					switch len(d) {
					case 14:
						a.Siret = d
					case 9:
						if a.Siren == "" {
							a.Siren = d
						}
					}
				}
			}
		}
	case fHeadcount:
		if a.Headcount == nil {
			if n, ok := headcountValue(value); ok {
				a.Headcount = &n
			}
		}
	case fSector:
		if a.Sector == "" {
			a.Sector = value
		}
	case fAddress:
		if r.addressPC == "" {
			r.addressPC, r.addrCom = codeAndCommune(value)
		}
	case fPostalCode, fPostalCommune:
		if r.postal == "" {
			pc, c := codeAndCommune(value)
			if pc == "" {
				if k := strings.IndexAny(value, "0123456789"); k >= 0 {
					if d, _ := digitRun(value, k, 6); len(d) == 5 {
						pc = d
					}
				}
			}
			r.postal = pc
			if r.commune == "" && c != "" {
				r.commune = c
			}
		}
	case fCommune:
		if r.commune == "" {
			pc, c := codeAndCommune(value)
			if c == "" {
				c = normCommune(strings.TrimSpace(stripParens(stripDigits(value))), "")
			}
			r.commune = c
			if r.postal == "" && pc != "" {
				r.postal = pc
			}
		}
	case fPhone:
		if r.phone == "" {
			if ps := findPhones(value); len(ps) > 0 {
				r.phone = ps[0].e164
			}
		}
	case fEmail:
		if r.labelEmail == "" {
			r.labelEmail = strings.ToLower(reEmail.FindString(value))
		}
	case fMotivation:
		if r.motivation == "" {
			// The motivation may go on over the following lines (unless
			// they were already taken in above, for a label alone on
			// its line).
			para := []string{value}
			for j := i + 1; j < len(lines) && !isLabel[j]; j++ {
				t := strings.TrimSpace(lines[j])
				if t == "" || isTrimmedClosing(t) {
					break
				}
				if _, f2, _, ok2 := splitLabel(t); ok2 && f2 != fNone {
					break
				}
				para = append(para, t)
				isLabel[j] = true
			}
			r.motivation = strings.Join(para, " ")
		}
	}
}

// titleAfterName splits "Catherine Jouve, directrice" or "Julien Daudé
// (gérant)" into the person and the title after the name; title is ""
// when what follows is no title.
func titleAfterName(v string) (person, title string) {
	k := strings.IndexAny(v, ",(")
	if k <= 0 {
		return v, ""
	}
	rest := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v[k+1:]), ")"))
	if !reRoleStart.MatchString(rest) {
		return v, ""
	}
	return strings.TrimSpace(v[:k]), cleanRole(rest)
}
