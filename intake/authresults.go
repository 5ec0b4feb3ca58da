package intake

import (
	"fmt"
	"strings"

	"github.com/rse-lozere/rse-intake/intake/extract"
)

// AuthVerdict is what the receiving provider found of a mail's sender,
// read from the topmost Authentication-Results header (RFC 8601) written
// under the configured authserv-id. Only that header is trusted: anyone
// can write Authentication-Results lower in a mail, with any id.
type AuthVerdict struct {
	Found  bool   // a header by that authserv-id was there
	Failed bool   // dmarc=fail, or spf=fail without a passing aligned DKIM signature
	Passed bool   // dmarc=pass, or an aligned DKIM signature or SPF domain passed
	Result string // the results read, for coordinators: "dmarc=fail spf=fail dkim=none"
}

// authMethod is one "method=result" of the header with its properties.
type authMethod struct {
	method, result string
	props          map[string]string // "header.d" -> "example.org"
}

// ReadAuthResults evaluates the topmost Authentication-Results header
// whose authserv-id is authservID (case-insensitive) against the From
// domain. An empty authservID trusts nothing: the zero verdict.
func ReadAuthResults(values []string, authservID, fromEmail string) AuthVerdict {
	if authservID == "" {
		return AuthVerdict{}
	}
	for _, v := range values {
		id, methods := parseAuthResults(v)
		if !strings.EqualFold(id, authservID) {
			continue
		}
		return judge(methods, domainOf(fromEmail))
	}
	return AuthVerdict{}
}

func judge(methods []authMethod, fromDomain string) AuthVerdict {
	v := AuthVerdict{Found: true}
	var spfFail, dkimAligned, dmarcPass, dmarcFail bool
	var parts []string
	for _, m := range methods {
		parts = append(parts, m.method+"="+m.result)
		switch m.method {
		case "dmarc":
			dmarcFail = dmarcFail || m.result == "fail"
			dmarcPass = dmarcPass || m.result == "pass"
		case "spf":
			if m.result == "fail" {
				spfFail = true
			}
			if m.result == "pass" && aligned(domainOf(m.props["smtp.mailfrom"]), fromDomain) {
				v.Passed = true
			}
		case "dkim":
			d := m.props["header.d"]
			if d == "" {
				d = domainOf(m.props["header.i"])
			}
			if m.result == "pass" && aligned(d, fromDomain) {
				dkimAligned, v.Passed = true, true
			}
		}
	}
	v.Result = strings.Join(parts, " ")
	v.Failed = dmarcFail || (spfFail && !dkimAligned)
	v.Passed = !v.Failed && (dmarcPass || v.Passed)
	return v
}

// aligned is DMARC's relaxed alignment, approximated without the public
// suffix list: the same domain, or one a subdomain of the other.
func aligned(d, from string) bool {
	d, from = strings.ToLower(strings.TrimSuffix(d, ".")), strings.ToLower(strings.TrimSuffix(from, "."))
	if d == "" || from == "" {
		return false
	}
	return d == from || strings.HasSuffix(from, "."+d) || strings.HasSuffix(d, "."+from)
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return strings.ToLower(addr)
}

// parseAuthResults splits "authserv-id [version]; method=result
// prop=value ...; ..." with comments removed.
func parseAuthResults(v string) (string, []authMethod) {
	clauses := strings.Split(stripComments(v), ";")
	fields := strings.Fields(clauses[0])
	if len(fields) == 0 {
		return "", nil
	}
	var methods []authMethod
	for _, c := range clauses[1:] {
		toks := strings.Fields(c)
		if len(toks) == 0 {
			continue
		}
		name, result, ok := strings.Cut(toks[0], "=")
		if !ok {
			continue // "none": no result
		}
		m := authMethod{method: strings.ToLower(name), result: strings.ToLower(result), props: map[string]string{}}
		if i := strings.IndexByte(m.method, '/'); i >= 0 { // method version
			m.method = m.method[:i]
		}
		for _, t := range toks[1:] {
			if k, val, ok := strings.Cut(t, "="); ok {
				m.props[strings.ToLower(k)] = strings.Trim(val, `"`)
			}
		}
		methods = append(methods, m)
	}
	return fields[0], methods
}

// stripComments removes RFC 5322 comments (nested parentheses).
func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// guardAnswer withholds the automatic answer to a mail whose sender
// failed authentication at the receiving provider (backscatter: the
// "sender" may be anyone), and to a forwarded application unless the
// forwarder's own mail passed: otherwise anyone could make the programme
// mail any address written in a forwarded block. The mail is stored and
// shown to coordinators as usual, with the reason in its errors.
func guardAnswer(an *Analysis, authservID string) {
	if authservID == "" || an.Mail == nil || !an.Result.ShouldAcknowledge {
		return
	}
	v := ReadAuthResults(an.Mail.Header.Values("Authentication-Results"), authservID, an.Mail.FromEmail)
	forwarded := an.Result.Applicant.ForwardedBy != "" && an.Result.Kind != extract.KindOther
	switch {
	case v.Failed:
		an.Result.ShouldAcknowledge = false
		an.Mail.Errors = append(an.Mail.Errors, fmt.Sprintf(
			"sender failed authentication at %s (%s): stored, not answered automatically", authservID, v.Result))
	case forwarded && v.Found && !v.Passed:
		an.Result.ShouldAcknowledge = false
		an.Mail.Errors = append(an.Mail.Errors, fmt.Sprintf(
			"forwarded application: the forwarder's mail did not pass authentication at %s (%s): not answered automatically",
			authservID, orNone(v.Result)))
	}
}

func orNone(s string) string {
	if s == "" {
		return "no result"
	}
	return s
}
