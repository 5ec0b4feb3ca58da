package extract

import (
	"strings"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// readRoleAndCompany reads the role and company from sentences and from the signature. An
// assistant writing for the boss gives the boss's name and title.
func (r *reading) readRoleAndCompany() {
	a, x, lines, isLabel, sig, name := r.a, r.x, r.lines, r.isLabel, r.sig, r.name
	var bossRole string
	r.bossFirst, r.bossLast, bossRole = onBehalfOf(r.flatCase)
	if a.Role == "" && bossRole != "" {
		a.Role = bossRole
		x.note(applicant.Role, "on_behalf_of")
	}
	// What the sentences and the signature give is taken only for a
	// field still empty: a labelled company (most applications give one)
	// spares the company sentences, which cost most.
	var sentRole, sentCompany, sigRole string
	var sigCompany signatureCompany
	if a.Role == "" || a.Company == "" {
		sentRole, sentCompany = roleAndCompanyFromText(r.flatCase, a.Company == "")
		sigRole, sigCompany = roleAndCompanyFromSignature(lines[sig:], isLabel[sig:], name)
	}
	var lineRole, lineCompany string
	if a.Role == "" && sentRole == "" || a.Company == "" && sigCompany.titled == "" && sentCompany == "" {
		lineRole, lineCompany = roleCompanyLine(lines, isLabel)
	}
	if a.Role == "" {
		a.Role = firstNonEmpty(sentRole, lineRole, sigRole)
		// "je suis directeur du site …" signed "Directeur de site": the
		// signature gives the whole title the sentence began.
		if a.Role == sentRole && sigRole != "" && len(sigRole) > len(sentRole) && strings.HasPrefix(applicant.Fold(sigRole), applicant.Fold(sentRole)+" ") {
			a.Role = sigRole
		}
		x.noteChoice(applicant.Role, a.Role, "role_in_sentence", sentRole, "role_and_company_line", lineRole,
			"signature_title", sigRole)
	}
	if a.Role == "" {
		a.Role = roleAfterIntroName(r.flatCase)
		x.noteChoice(applicant.Role, a.Role, "role_after_name", a.Role)
	}
	// Signature lines are not wrapped prose: when the company read in the
	// joined text runs on past a signature's company line ("SAS X" then
	// "Zone artisanale …"), the line's end is the name's.
	if sigCompany.plain != "" && strings.HasPrefix(applicant.Fold(sentCompany), applicant.Fold(sigCompany.plain)+" ") {
		sentCompany = ""
	}
	if a.Company == "" {
		a.Company = firstNonEmpty(sigCompany.titled, sentCompany, lineCompany, sigCompany.plain)
		x.noteChoice(applicant.Company, a.Company, "signature_company_after_title", sigCompany.titled,
			"company_in_sentence", sentCompany, "role_and_company_line", lineCompany, "signature_company", sigCompany.plain)
	}
	if a.Company == "" {
		a.Company = companyHeadingLine(lines, isLabel)
		x.noteChoice(applicant.Company, a.Company, "company_heading_line", a.Company)
	}
}
