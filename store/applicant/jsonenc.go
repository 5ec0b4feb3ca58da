package applicant

import (
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

// AppendJSONFields appends the members of a.JSON() as json.Marshal writes
// them inside an object that embeds it ("first_name":…,"evidence":{…}),
// with no braces around them. Written out because json.Marshal's
// reflection over the record, its pointers and its evidence map, was most
// of what encoding a stored message's report cost.
func (a *Applicant) AppendJSONFields(b []byte) []byte {
	b, _, _ = a.AppendJSONFieldsEvidence(b)
	return b
}

// AppendJSONFieldsEvidence is AppendJSONFields, telling also where in b
// the evidence object starts, and whether it holds every entry of
// a.Evidence (entries of empty fields are left out): b[at:] is then
// AppendEvidence(nil, a.Evidence, nil), the evidence as an application
// stores it, which its writer need not encode again.
func (a *Applicant) AppendJSONFieldsEvidence(b []byte) (out []byte, at int, whole bool) {
	for _, f := range []struct {
		key string
		v   string
	}{{`"first_name":`, a.FirstName}, {`"last_name":`, a.LastName}, {`"email":`, a.Email}, {`"phone":`, a.Phone},
		{`"company":`, a.Company}, {`"role":`, a.Role}, {`"siret":`, a.Siret}} {
		b = AppendJSONStringOrNull(append(b, f.key...), f.v)
		b = append(b, ',')
	}
	b = append(b, `"siret_valid":`...)
	if a.SiretValid == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendBool(b, *a.SiretValid)
	}
	for _, f := range []struct {
		key string
		v   string
	}{{`,"siren":`, a.Siren}, {`,"postal_code":`, a.PostalCode}, {`,"commune":`, a.Commune},
		{`,"departement":`, a.Departement}} {
		b = AppendJSONStringOrNull(append(b, f.key...), f.v)
	}
	b = append(b, `,"headcount":`...)
	if a.Headcount == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*a.Headcount), 10)
	}
	b = AppendJSONStringOrNull(append(b, `,"sector":`...), a.Sector)
	b = AppendJSONStringOrNull(append(b, `,"motivation":`...), a.Motivation)
	if a.ForwardedBy != "" {
		b = AppendJSONString(append(b, `,"forwarded_by":`...), a.ForwardedBy)
	}
	b = append(b, `,"evidence":`...)
	at, whole = len(b), true
	b = AppendEvidence(b, a.Evidence, func(field string) bool {
		v, _ := a.Field(field)
		whole = whole && v != ""
		return v != ""
	})
	return b, at, whole
}

// AppendJSONStringOrNull appends s as a JSON string, null when empty, as
// json.Marshal writes a *string that is nil when empty (see JSON).
func AppendJSONStringOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return AppendJSONString(b, s)
}

// AppendEvidence appends the entries of ev that keep accepts (all when
// keep is nil) as json.Marshal encodes such a map: keys sorted, HTML
// characters escaped, "{}" for none. Written out because encoding/json's
// reflection over the map was over a third of what storing an
// application allocated.
func AppendEvidence(b []byte, ev map[string]Evidence, keep func(field string) bool) []byte {
	var stack [24]string // more than there are fields: no allocation
	keys := stack[:0]
	size := 2
	for k, e := range ev {
		if keep != nil && !keep(k) {
			continue
		}
		keys = append(keys, k)
		size += len(k) + len(e.Source) + len(e.Text) + len(e.Rule) + len(e.MessageID) + 80
	}
	b = slices.Grow(b, size)
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		e := ev[k]
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, k)
		b = append(b, `:{"source":`...)
		b = AppendJSONString(b, e.Source)
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(e.Line), 10)
		b = append(b, `,"text":`...)
		b = AppendJSONString(b, e.Text)
		b = append(b, `,"rule":`...)
		b = AppendJSONString(b, e.Rule)
		if e.MessageID != "" {
			b = append(b, `,"message_id":`...)
			b = AppendJSONString(b, e.MessageID)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// AppendJSONString appends s as json.Marshal writes it (HTML characters
// escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped): the
// encoder of encoding/json, written out for strings, whose json.Marshal
// allocates for every string holding a character to escape. One pass:
// plain ASCII passed eight bytes at a time (jsonOdd8), other ASCII told
// by a table, a letter of two bytes (the French accents) copied without
// decoding, only longer or broken sequences decoded; a check of the
// whole string's UTF-8 first was a third of the work.
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// The bytes before the first that is not plain are.
			odd := jsonOdd8(Load64(s[i : i+8]))
			if odd == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(odd) >> 3
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendJSONEscape(b, c)
			i++
			start = i
			continue
		}
		// From U+0080 to U+07FF: valid, and no line separator.
		if c >= 0xc2 && c <= 0xdf && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
			i += 2
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonPlain tells the ASCII bytes that json.Marshal copies as
// they are: all but the ASCII controls, '"', '\\' and the HTML characters.
var jsonPlain = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// jsonOdd8 marks, by its high bit, each of the eight bytes of w that is
// not ASCII json.Marshal copies as it is (see jsonPlain), exactly up to
// the first one: 0 when all are, as most of a mail's text is, passed
// eight bytes at a time. A borrow only starts at a byte looked for.
func jsonOdd8(w uint64) uint64 {
	q := (w ^ Ones*'"') &^ (Ones * ('"' ^ '&')) // '"' or '&'
	a := (w ^ Ones*'<') &^ (Ones * ('<' ^ '>')) // '<' or '>'
	z := w ^ Ones*'\\'
	odd := w | (w-Ones*0x20)&^w | // non-ASCII, controls
		(q-Ones)&^q | (a-Ones)&^a | (z-Ones)&^z
	return odd & Highs
}

// appendJSONEscape appends the escape json.Marshal writes for the ASCII
// byte c.
func appendJSONEscape(b []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	switch c {
	case '\\', '"':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
}
