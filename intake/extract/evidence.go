package extract

import (
	"maps"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// maxEvidenceText bounds the line quoted as evidence.
const maxEvidenceText = 160

// Rules of the fields that follow from another.
const (
	ruleSiretCheck   = "siret_check"
	ruleSirenOfSiret = "siren_of_siret"
	ruleDepartement  = "departement_of_postal_code"
	ruleForwarder    = "forwarder_address"
)

// evidence records, for every field of a that has a value, where it was
// read: the rule the extractor noted when it decided the field, and the
// line of the mail's text that holds the value. The line is found after
// the decision, by looking for the value in the author's own lines
// (digits for numbers, folded words for text), so that every rule gets
// evidence without carrying positions through its patterns. The source
// follows from that line: a labelled line, the signature, or a sentence;
// values from the From header (or a forward's inner header) say so.
func (v *mainView) evidence(a *applicant.Applicant) {
	x := v.facts()
	// The map is copied once here rather than by SetEvidence for every
	// field, and made only when a field has evidence.
	a.Evidence = maps.Clone(a.Evidence)
	// Every piece of evidence names the message, written as it is set
	// rather than by a second pass over the map.
	for f, e := range a.Evidence {
		e.MessageID = v.msg.MessageID
		a.Evidence[f] = e
	}
	set := func(field string, e applicant.Evidence) {
		if a.Evidence == nil {
			// Room for the dozen fields an application gives: grown from
			// empty, the map was made four times over.
			a.Evidence = make(map[string]applicant.Evidence, 12)
		}
		e.MessageID = v.msg.MessageID
		a.Evidence[field] = e
	}
	lines := newLineIndex(x.lines)
	toText := newOwnLines(v.text, v.own)
	fwd := v.sec.fwd != nil
	header := func(field, rule string) {
		e := applicant.Evidence{Source: applicant.SourceHeader, Text: "From: " + headerAddress(v.msg.FromName, v.msg.FromEmail), Rule: rule}
		if fwd && field != applicant.ForwardedBy {
			e.Source, e.Text = applicant.SourceForward, headerAddress(v.sec.fwd.name, v.sec.fwd.email)
			if n, line := v.textLineWith(v.sec.fwd.email); n > 0 {
				e.Line, e.Text = n, line
			}
		}
		set(field, e)
	}
	for _, f := range applicant.Fields {
		value, _ := a.Field(f)
		if value == "" {
			continue
		}
		rule := x.rules[f]
		switch {
		case f == applicant.ForwardedBy:
			header(f, ruleForwarder)
			continue
		case f == applicant.Email && rule == "":
			if value == x.labelEmail && value != v.from {
				rule = ruleLabelledLine
				break
			}
			header(f, ruleSenderAddress)
			continue
		case (f == applicant.FirstName || f == applicant.LastName) && rule == ruleDisplayName:
			header(f, rule)
			continue
		case f == applicant.SiretValid, f == applicant.Siren && (rule == "" || a.Siret != ""),
			f == applicant.Departement:
			continue // after the field they follow from
		}
		if rule == "" {
			rule = "unknown"
		}
		i := -1
		src := ruleSource[rule]
		if src == applicant.SourceLabel {
			// A label rule read the value on a labelled line, even when a
			// sentence above says it too.
			i = lines.locateIn(x.isLabel, f, value, a)
		}
		if i < 0 && src == applicant.SourceSignature && x.sig < len(x.lines) {
			// A signature rule read the value there, even when a sentence
			// says it too.
			if k := lines.locate(x.sig, f, value, a); k >= 0 {
				i = k
			}
		}
		if i < 0 {
			i = lines.locate(0, f, value, a)
		}
		e := applicant.Evidence{Source: applicant.SourceSentence, Rule: rule}
		if i >= 0 {
			e.Text = truncateRunes(strings.TrimSpace(x.lines[i]), maxEvidenceText)
			if i < len(v.own) {
				e.Line = toText.number(i)
			}
			switch {
			case src != "":
				e.Source = src
			case x.isLabel[i]:
				e.Source = applicant.SourceLabel
			case i >= x.sig:
				e.Source = applicant.SourceSignature
			}
		}
		if fwd && e.Source == applicant.SourceSentence && i < 0 {
			e.Source = applicant.SourceForward
		}
		set(f, e)
	}
	derive := func(field, from, rule string) {
		if v, _ := a.Field(field); v == "" {
			return
		}
		e, ok := a.Evidence[from]
		if !ok {
			return
		}
		e.Rule = rule
		set(field, e)
	}
	derive(applicant.SiretValid, applicant.Siret, ruleSiretCheck)
	if a.Siret != "" {
		derive(applicant.Siren, applicant.Siret, ruleSirenOfSiret)
	}
	derive(applicant.Departement, applicant.PostalCode, ruleDepartement)
}

func headerAddress(name, email string) string {
	if name == "" {
		return email
	}
	return name + " <" + email + ">"
}

// ownLineNumbers maps each of the author's own lines to its line number in
// the mail's text (from 1; 0 when it cannot be found). Own lines are text
// lines taken in order, so one forward scan finds them.
func ownLineNumbers(text string, own []string) []int {
	o := newOwnLines(text, own)
	for i := range own {
		o.number(i)
	}
	return o.out
}

// ownLines is ownLineNumbers found on demand: the scan goes no further
// than the last line asked for (the evidence asks for a dozen, and most
// mails end with lines none of them is on).
type ownLines struct {
	own  []string
	out  []int // the numbers of own[:n]
	n    int
	rest string // the text from line k+1
	k    int
	left bool // rest holds lines
}

func newOwnLines(text string, own []string) *ownLines {
	return &ownLines{own: own, out: make([]int, len(own)), rest: text, left: true}
}

// number returns own[i]'s line number (see ownLineNumbers).
func (o *ownLines) number(i int) int {
	for o.n <= i {
		o.next()
	}
	return o.out[i]
}

// next finds the number of the next own line. The text's lines are
// walked, not split into a slice: the own lines come in the text's order,
// so each search goes on from the line after the last one found.
func (o *ownLines) next() {
	i, l := o.n, o.own[o.n]
	o.n++
	if l == "" || !o.left {
		return
	}
	// A blank line of the text holds no line that is not blank: the
	// blank lines between paragraphs are passed at once.
	for len(o.rest) > 0 && o.rest[0] == '\n' {
		o.rest = o.rest[1:]
		o.k++
	}
	// Most own lines are the text's next line as it is: told so by
	// comparing it with the start of rest, without first cutting that
	// line out (own lines hold no newline).
	if rest := o.rest; len(rest) >= len(l) && rest[:len(l)] == l && (len(rest) == len(l) || rest[len(l)] == '\n') {
		o.out[i] = o.k + 1
		o.k++
		if o.left = len(rest) > len(l); o.left {
			o.rest = rest[len(l)+1:]
		}
		return
	}
	for r, n := o.rest, o.k; ; n++ {
		t, after, more := strings.Cut(r, "\n")
		// A line cut by the read window is the start or end of one.
		if t == l || strings.HasPrefix(t, l) || strings.HasSuffix(t, l) {
			o.out[i] = n + 1
			o.rest, o.k, o.left = after, n+1, more
			return
		}
		if !more {
			return
		}
		r = after
	}
}

// textLineWith returns the first line of the mail's text that contains s,
// and its number from 1.
func (v *mainView) textLineWith(s string) (int, string) {
	if s == "" {
		return 0, ""
	}
	for i, l := range strings.Split(v.text, "\n") {
		if strings.Contains(strings.ToLower(l), s) {
			return i + 1, truncateRunes(strings.TrimSpace(l), maxEvidenceText)
		}
	}
	return 0, ""
}

// ruleSource is the source of the rules that read one kind of place; the
// others (numbers, known communes) search the whole text, and the line
// they took says where it is.
var ruleSource = map[string]string{
	ruleLabelledLine: applicant.SourceLabel, "inline_label": applicant.SourceLabel, "address_label": applicant.SourceLabel,
	"headcount_in_sentence": applicant.SourceSentence, "works_alone": applicant.SourceSentence,
	"role_in_sentence": applicant.SourceSentence, "company_in_sentence": applicant.SourceSentence,
	"sector_in_sentence": applicant.SourceSentence, "introduction": applicant.SourceSentence,
	"company_at_commune": applicant.SourceSentence,
	"on_behalf_of":       applicant.SourceSentence, "own_paragraphs": applicant.SourceSentence,
	"role_after_name": applicant.SourceSentence, "trade_named_after_owner": applicant.SourceSentence,
	"signature_title": applicant.SourceSignature, "signature_company": applicant.SourceSignature,
	"signature_company_after_title": applicant.SourceSignature, ruleSignatureName: applicant.SourceSignature,
}

// lineIndex holds the author's lines with their folded and digit-only
// forms, each computed once, when first needed.
type lineIndex struct {
	lines, folded, digits []string
	hasFold, hasDigits    []bool
	only                  []bool // when set, only these lines are looked at
	// folds holds the folds made for the evidence, one after the other:
	// each is a piece of it, not a string of its own (a dozen lines and
	// names are folded for each application).
	folds strings.Builder
}

func newLineIndex(lines []string) *lineIndex {
	// Two slices cut in halves, not four made apart.
	n := len(lines)
	forms, has := make([]string, 2*n), make([]bool, 2*n)
	return &lineIndex{lines: lines, folded: forms[:n:n], digits: forms[n:], hasFold: has[:n:n], hasDigits: has[n:]}
}

func (x *lineIndex) fold(i int) string {
	if !x.hasFold[i] {
		x.folded[i], x.hasFold[i] = x.looseFold(x.lines[i]), true
	}
	return x.folded[i]
}

// plainFold is applicant.Fold(s), written in folds. The strings a Builder
// returns stay as they are while it grows: a piece of one is kept whole.
func (x *lineIndex) plainFold(s string) string {
	if x.folds.Cap() == 0 {
		x.folds.Grow(1024)
	}
	n := x.folds.Len()
	applicant.FoldTo(&x.folds, s)
	return x.folds.String()[n:]
}

// looseFold is looseFold(s), written in folds.
func (x *lineIndex) looseFold(s string) string {
	f := x.plainFold(s)
	if isLoose(f) {
		return f
	}
	n := x.folds.Len()
	writeLoose(&x.folds, f)
	return strings.TrimSuffix(x.folds.String()[n:], " ")
}

func (x *lineIndex) digit(i int) string {
	if !x.hasDigits[i] {
		d, ok := digitsAsIs(x.lines[i])
		if !ok {
			// Written in folds, as the folds are.
			n := x.folds.Len()
			writeDigits(&x.folds, x.lines[i])
			d = x.folds.String()[n:]
		}
		x.digits[i], x.hasDigits[i] = d, true
	}
	return x.digits[i]
}

// where returns the first line from start on for which ok holds, or -1.
func (x *lineIndex) where(start int, ok func(i int) bool) int {
	for i := start; i < len(x.lines); i++ {
		if (x.only == nil || x.only[i]) && ok(i) {
			return i
		}
	}
	return -1
}

// locateIn is locate among the lines marked in only.
func (x *lineIndex) locateIn(in []bool, field, value string, a *applicant.Applicant) int {
	x.only = in
	defer func() { x.only = nil }()
	return x.locate(0, field, value, a)
}

// locate returns the index of the first line from start on that holds
// value, or -1.
func (x *lineIndex) locate(start int, field, value string, a *applicant.Applicant) int {
	// A name is said where the whole name is ("Nom : Denis Prouhèze"),
	// not on a line that only shares the family name with the company.
	if (field == applicant.FirstName || field == applicant.LastName) && a.FirstName != "" && a.LastName != "" {
		ff, fl := x.looseFold(a.FirstName), x.looseFold(a.LastName)
		if i := x.where(start, func(i int) bool { f := x.fold(i); return strings.Contains(f, ff) && strings.Contains(f, fl) }); i >= 0 {
			return i
		}
	}
	switch field {
	case applicant.Siret, applicant.Siren, applicant.PostalCode:
		return x.where(start, func(i int) bool { return strings.Contains(x.digit(i), value) })
	case applicant.Phone:
		d := digitsOnly(value)
		tail := d[max(0, len(d)-8):]
		if i := x.where(start, func(i int) bool { return strings.Contains(x.digit(i), tail) }); i >= 0 {
			return i
		}
		// A number wrapped over two lines starts on the first.
		return x.where(start, func(i int) bool {
			return i+1 < len(x.lines) && strings.Contains(x.digit(i)+x.digit(i+1), tail)
		})
	case applicant.Headcount:
		if i := x.where(start, func(i int) bool { return hasFoldedNumber(x.plainFold(x.lines[i]), value) }); i >= 0 {
			return i
		}
		return x.where(start, func(i int) bool {
			f := x.fold(i)
			return strings.Contains(f, "salari") || strings.Contains(f, "effectif") || strings.Contains(f, "seul")
		})
	}
	if i := x.locateText(start, value); i >= 0 || field != applicant.Commune {
		return i
	}
	// A commune spelt the official way ("Saint-Étienne" for "St
	// Etienne") is next to its postal code.
	if a.PostalCode != "" {
		return x.locate(start, applicant.PostalCode, a.PostalCode, a)
	}
	return -1
}

// locateText finds a text value: the whole of it, else its first words
// (a value that a mail client wrapped over two lines starts on the first),
// compared folded, with hyphens and apostrophes as spaces, and without a
// leading article ("Le Malzieu-Ville" written "au Malzieu-Ville").
func (x *lineIndex) locateText(start int, value string) int {
	if i, ok := x.locateFirstWords(start, value); ok {
		return i
	}
	// The words one space apart: the first n words are a prefix of it,
	// found without splitting the whole value (the motivation is a
	// thousand characters).
	words := collapseSpaces(x.looseFold(value))
	if first, rest, ok := strings.Cut(words, " "); ok && (first == "le" || first == "la" || first == "les" || first == "l") {
		words = rest
	}
	if words == "" {
		return -1
	}
	total := strings.Count(words, " ") + 1
	for n := total; n >= 1; n-- {
		if n < total && n > 3 {
			n = 3
		}
		probe := firstWords(words, n)
		if len(probe) < 3 {
			break
		}
		if i := x.holding(start, probe); i >= 0 {
			return i
		}
	}
	return -1
}

// holding returns the first line from start whose folded text holds
// probe, or -1. Folding writes at most three bytes for one (a byte that
// is no UTF-8 becomes U+FFFD): a line too short for the probe is not
// folded to be told so. locateText's first probe is the whole value,
// longer than most lines when it is the motivation.
func (x *lineIndex) holding(start int, probe string) int {
	return x.where(start, func(i int) bool {
		return 3*len(x.lines[i]) >= len(probe) && strings.Contains(x.fold(i), probe)
	})
}

// locateFirstWords is locateText for a value longer than three times the
// longest line (the motivation): the whole of it is on no line, and its
// first words are folded from the start of it only. ok is false when it
// cannot tell, and locateText does it all.
func (x *lineIndex) locateFirstWords(start int, value string) (int, bool) {
	longest := 0
	for i := start; i < len(x.lines); i++ {
		if x.only == nil || x.only[i] {
			longest = max(longest, len(x.lines[i]))
			// A value of no more bytes than that has no more letters and
			// digits: most values are a few words, told so at the first
			// line long enough, not counted rune by rune.
			if len(value) <= 3*longest+3 {
				return -1, false
			}
		}
	}
	// Every letter and digit folds to at least one byte of the words, but
	// for a leading article's: the words are longer than any line can hold.
	if lettersAndDigits(value, 3*longest+4) <= 3*longest+3 {
		return -1, false
	}
	// The start of the value, cut at a space (so that the words before it
	// are whole), with at least four words after an article: locateText's
	// probes after the whole value are its first three words or fewer.
	cut := -1
	for k := 64; k < len(value); k++ {
		if value[k] == ' ' || value[k] == '\n' {
			cut = k
			break
		}
	}
	if cut < 0 {
		return -1, false
	}
	words := collapseSpaces(x.looseFold(value[:cut]))
	if first, rest, ok := strings.Cut(words, " "); ok && (first == "le" || first == "la" || first == "les" || first == "l") {
		words = rest
	}
	if strings.Count(words, " ") < 3 {
		return -1, false
	}
	for n := 3; n >= 1; n-- {
		probe := firstWords(words, n)
		if len(probe) < 3 {
			break
		}
		if i := x.holding(start, probe); i >= 0 {
			return i, true
		}
	}
	return -1, true
}

// lettersAndDigits counts the letters and digits of s, up to limit.
func lettersAndDigits(s string, limit int) int {
	n := 0
	for i := 0; i < len(s); {
		// ASCII, most of the text, by a table and without decoding.
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if !asciiWordBytes[c] || c == '_' {
				continue
			}
		} else {
			r, w := utf8.DecodeRuneInString(s[i:])
			i += w
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				continue
			}
		}
		if n++; n >= limit {
			break
		}
	}
	return n
}

// firstWords returns the first n words of words, which are one space
// apart.
func firstWords(words string, n int) string {
	for i := 0; i < len(words); i++ {
		if words[i] == ' ' {
			if n--; n == 0 {
				return words[:i]
			}
		}
	}
	return words
}

// looseFold folds s and writes hyphens and apostrophes as spaces, one
// space between words.
func looseFold(s string) string {
	f := applicant.Fold(s)
	if isLoose(f) {
		return f
	}
	var b strings.Builder
	b.Grow(len(f))
	writeLoose(&b, f)
	return strings.TrimSuffix(b.String(), " ")
}

// isLoose reports whether f, folded, is its own loose fold: most of what
// is folded here has words one space apart already and no hyphen,
// apostrophe or tab, and is not copied.
func isLoose(f string) bool {
	// A byte search each, not strings.ContainsAny, which builds a set and
	// reads f byte by byte: every line and value searched is tested.
	return f == "" || f[0] != ' ' && f[len(f)-1] != ' ' && strings.IndexByte(f, '-') < 0 && strings.IndexByte(f, '\'') < 0 &&
		strings.IndexByte(f, '\t') < 0 && !strings.Contains(f, "  ")
}

// writeLoose writes f, folded, to b with hyphens, apostrophes and tabs as
// spaces, one space between words; a space may end it.
func writeLoose(b *strings.Builder, f string) {
	space := true // no leading space
	for i := 0; i < len(f); i++ {
		// Words are copied whole: every line of the author's text may be
		// folded for the evidence.
		j := i
		for j < len(f) && f[j] != '-' && f[j] != '\'' && f[j] != ' ' && f[j] != '\t' {
			j++
		}
		if j > i {
			b.WriteString(f[i:j])
			space = false
		}
		if j < len(f) && !space {
			b.WriteByte(' ')
			space = true
		}
		i = j
	}
}

func digitsOnly(s string) string {
	if d, ok := digitsAsIs(s); ok {
		return d
	}
	var b strings.Builder
	b.Grow(len(s))
	writeDigits(&b, s)
	return b.String()
}

// digitsAsIs returns digitsOnly(s) and true when it is a piece of s: s
// is all digits, or has none. Counted first: a number written in digits
// alone is returned as it is, and the others are copied into a builder of
// their size, not one grown byte by byte.
func digitsAsIs(s string) (string, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return s[:n], n == len(s) || n == 0
}

// writeDigits writes the ASCII digits of s to b.
func writeDigits(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
}

// hasNumber reports whether line writes the number n, in digits or in
// French words.
func hasNumber(line, n string) bool { return hasFoldedNumber(applicant.Fold(line), n) }

// hasFoldedNumber is hasNumber given the line folded (f).
func hasFoldedNumber(f, n string) bool {
	want, err := strconv.Atoi(n)
	if err != nil {
		return false
	}
	// The words of the folded line, as strings.FieldsFunc splits it at
	// what is no letter, digit or hyphen, read in place: every line may be
	// tried for a headcount.
	for i := 0; i < len(f); {
		start := i
		for i < len(f) {
			// ASCII, most of a line, is told by a table, not decoded.
			if c := f[i]; c < utf8.RuneSelf {
				if c == '_' || !asciiWordBytes[c] && c != '-' {
					break
				}
				i++
				continue
			}
			r, w := utf8.DecodeRuneInString(f[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				break
			}
			i += w
		}
		w := f[start:i]
		if w == "" {
			_, n := utf8.DecodeRuneInString(f[i:])
			i += n
			continue
		}
		// Only digits and number words can be the number; a word that
		// starts as none of them is not looked up.
		if c := w[0]; c < '0' || c > '9' {
			if !numberWordStarts[c] {
				continue
			}
			first, _, _ := strings.Cut(w, "-")
			if _, word := frenchNumberWords[first]; !word {
				continue
			}
		}
		if got, ok := parseFrenchNumber(w); ok && got == want {
			return true
		}
	}
	return false
}
