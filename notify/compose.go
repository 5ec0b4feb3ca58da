// Package notify writes and delivers the automatic mails of rse-intake.
//
// A Composer renders acknowledgements, completion notices and decision
// mails from the embedded templates (package templates, optionally
// overridden from a folder) into store.OutboxMail rows; the intake queues
// them in the same transaction as the application. A Sender later delivers
// the due rows of the outbox over SMTP with go-mail, retrying temporary
// failures with backoff and giving up on permanent ones. QueueDecisions
// queues the decision mails a coordinator asks for; QueueReminders the
// session reminders with their calendar invitations (WriteICS);
// QueueDigest the coordinators' digest. A Scheduler runs such jobs on
// cron specs for the daemon.
package notify

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/mail"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	texttemplate "text/template"
	"time"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/applicant"
	"github.com/rse-lozere/rse-intake/templates"
)

// Mail kinds as named by the template files (KIND.subject.txt, KIND.txt,
// KIND.html).
const (
	tmplAck                = "ack"
	tmplComplete           = "complete"
	tmplDecisionSelected   = "decision_selected"
	tmplDecisionWaitlisted = "decision_waitlisted"
	tmplDecisionDeclined   = "decision_declined"
)

var templateKinds = []string{tmplAck, tmplComplete, tmplDecisionSelected, tmplDecisionWaitlisted, tmplDecisionDeclined}

// Languages lists the languages the embedded templates exist in; the
// first is the default.
var Languages = []string{"fr", "en"}

// DefaultCohortSize is the number of companies per cohort told to
// applicants when the configuration does not say.
const DefaultCohortSize = 8

// ComposerConfig says how mails are written.
type ComposerConfig struct {
	ProgramName    string // "J'initie, je m'engage RSE"
	ProgramAddress string // the program's mailbox; its domain names our Message-IDs
	From           string // the sending address (the program address when empty)
	Language       string // "fr" (default) or "en"
	// TemplatesDir, when set, is a folder laid out like package templates
	// (fr/ack.txt, en/layout.html...): any file found there replaces the
	// embedded file at the same relative path.
	TemplatesDir string
	CohortSize   int       // DefaultCohortSize when 0
	DecisionBy   time.Time // the date applicants are promised an answer by; not mentioned when zero
}

// Composer renders automatic mails. It is safe for concurrent use.
type Composer struct {
	cfg    ComposerConfig
	domain string
	langs  map[string]*langSet // filled by NewComposer or, once, by lang

	load    sync.Once
	loadErr error
}

type langSet struct {
	labels map[string]string
	kinds  map[string]*kindTemplates
	// decisionBy is the configured DecisionBy as the language writes it,
	// written once rather than for every mail; "" when not promised.
	decisionBy string
}

type kindTemplates struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template

	// progs are the three compiled, once they have run in text/template
	// (html/template escapes on the first execution); see program.
	progs atomic.Pointer[kindPrograms]
}

// kindPrograms are a kind's templates compiled for one view type (nil
// when none could be); a template that could not be compiled has none.
type kindPrograms struct {
	typ                 reflect.Type
	subject, text, html *program
}

// NewComposer parses every template of every language, and renders each
// once with sample data, so that a broken template (or a broken override)
// stops the start with an error naming its file instead of failing a send.
func NewComposer(cfg ComposerConfig) (*Composer, error) {
	if cfg.ProgramName == "" {
		return nil, errors.New("composer: program name is empty")
	}
	addr, err := mail.ParseAddress(cfg.ProgramAddress)
	if err != nil {
		return nil, fmt.Errorf("composer: program address %q: %w", cfg.ProgramAddress, err)
	}
	cfg.ProgramAddress = strings.ToLower(addr.Address)
	if cfg.From == "" {
		cfg.From = cfg.ProgramAddress
	}
	if cfg.Language == "" {
		cfg.Language = Languages[0]
	}
	if !slices.Contains(Languages, cfg.Language) {
		return nil, fmt.Errorf("composer: language %q: expected one of %s", cfg.Language, strings.Join(Languages, ", "))
	}
	if cfg.CohortSize == 0 {
		cfg.CohortSize = DefaultCohortSize
	}
	c := &Composer{cfg: cfg, langs: map[string]*langSet{}}
	_, c.domain, _ = strings.Cut(cfg.ProgramAddress, "@")
	// Templates overridden locally are all read and tried at once, so
	// that a broken one stops the start. The embedded ones are tested with
	// the code (TestEveryLanguageStarts): only the configured language's
	// are read, when a first mail is composed, which an empty poll never
	// pays for.
	if cfg.TemplatesDir != "" {
		if err := checkOverrides(cfg.TemplatesDir); err != nil {
			return nil, err
		}
		for _, lang := range Languages {
			ls, err := c.loadLang(lang)
			if err != nil {
				return nil, err
			}
			c.langs[lang] = ls
		}
		if err := c.selfTest(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// noLang stands for a language whose templates could not be read:
// rendering with it gives loadErr.
var noLang = &langSet{labels: map[string]string{}, kinds: map[string]*kindTemplates{}}

// lang returns lang's templates and labels, reading the configured
// language's embedded ones on first use.
func (c *Composer) lang(lang string) *langSet {
	c.load.Do(func() {
		if c.langs[c.cfg.Language] != nil {
			return
		}
		ls, err := c.loadLang(c.cfg.Language)
		if err != nil {
			c.loadErr = err
			return
		}
		c.langs[c.cfg.Language] = ls
	})
	if ls := c.langs[lang]; ls != nil {
		return ls
	}
	return noLang
}

// loadTextTemplates parses the subject and plain-text templates of kind
// in lang; the caller adds the HTML one (with or without the layout).
func (c *Composer) loadTextTemplates(lang, kind string) (*kindTemplates, error) {
	kt := &kindTemplates{}
	for _, f := range []struct {
		name string
		dst  **texttemplate.Template
	}{{lang + "/" + kind + ".subject.txt", &kt.subject}, {lang + "/" + kind + ".txt", &kt.text}} {
		src, err := c.readTemplate(f.name)
		if err != nil {
			return nil, err
		}
		t, err := texttemplate.New(f.name).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", f.name, err)
		}
		*f.dst = t
	}
	return kt, nil
}

// readTemplate returns the file at rel (slash-separated), from the
// override folder when it has it, else from the embedded templates.
func (c *Composer) readTemplate(rel string) ([]byte, error) {
	if c.cfg.TemplatesDir != "" {
		b, err := os.ReadFile(filepath.Join(c.cfg.TemplatesDir, filepath.FromSlash(rel)))
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("template %s: %w", rel, err)
		}
	}
	b, err := fs.ReadFile(templates.FS, rel)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", rel, err)
	}
	return b, nil
}

// checkOverrides refuses an override folder holding a template file that
// replaces nothing (a misspelt name would otherwise be silently ignored).
func checkOverrides(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("templates folder: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("templates folder %s: not a folder", dir)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("templates folder: %w", err)
		}
		if d.IsDir() {
			return nil
		}
		ext := path.Ext(d.Name())
		if ext != ".txt" && ext != ".html" {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return fmt.Errorf("templates folder: %w", err)
		}
		rel = filepath.ToSlash(rel)
		if _, err := fs.Stat(templates.FS, rel); err != nil {
			return fmt.Errorf("templates folder %s: %s does not replace any template (expected LANG/KIND.subject.txt, LANG/KIND.txt, LANG/KIND.html, LANG/layout.html or LANG/labels.txt)", dir, rel)
		}
		return nil
	})
}

func (c *Composer) loadLang(lang string) (*langSet, error) {
	ls := &langSet{kinds: map[string]*kindTemplates{}}
	labelsFile := lang + "/labels.txt"
	b, err := c.readTemplate(labelsFile)
	if err != nil {
		return nil, err
	}
	if ls.labels, err = parseLabels(labelsFile, b); err != nil {
		return nil, err
	}
	if err := fillLabels(labelsFile, ls.labels); err != nil {
		return nil, err
	}
	layoutFile := lang + "/layout.html"
	layoutSrc, err := c.readTemplate(layoutFile)
	if err != nil {
		return nil, err
	}
	layout, err := htmltemplate.New(layoutFile).Option("missingkey=error").Parse(string(layoutSrc))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", layoutFile, err)
	}
	for _, kind := range slices.Concat(templateKinds, sessionTemplateKinds) {
		kt, err := c.loadTextTemplates(lang, kind)
		if err != nil {
			return nil, err
		}
		htmlFile := lang + "/" + kind + ".html"
		src, err := c.readTemplate(htmlFile)
		if err != nil {
			return nil, err
		}
		h, err := layout.Clone()
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", layoutFile, err)
		}
		if _, err := h.New(htmlFile).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("template %s: %w", htmlFile, err)
		}
		if h.Lookup("content") == nil {
			return nil, fmt.Errorf("template %s: it must define \"content\" ({{define \"content\"}}...{{end}})", htmlFile)
		}
		kt.html = h
		ls.kinds[kind] = kt
	}
	for _, k := range []string{"months"} {
		if ls.labels[k] == "" {
			return nil, fmt.Errorf("template %s: %q is missing", labelsFile, k)
		}
	}
	if n := len(strings.Split(ls.labels["months"], ",")); n != 12 {
		return nil, fmt.Errorf("template %s: months lists %d names, expected 12", labelsFile, n)
	}
	if !c.cfg.DecisionBy.IsZero() {
		ls.decisionBy = formatDate(c.cfg.DecisionBy, ls.labels["months"])
	}
	return ls, nil
}

// parseLabels reads "key = text" lines; '#' starts a comment line.
func parseLabels(name string, b []byte) (map[string]string, error) {
	labels := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("template %s:%d: expected key = text", name, n)
		}
		labels[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return labels, nil
}

// selfTest renders every template with a full and an empty application,
// so that execution errors (an unknown field) show at start-up.
func (c *Composer) selfTest() error {
	if c.lang(c.cfg.Language); c.loadErr != nil {
		return c.loadErr
	}
	valid := false
	headcount := 12
	full := &store.Application{Reference: "RSE-2026-0001", Status: store.StatusSelected,
		Applicant: applicant.Applicant{FirstName: "Élodie", LastName: "Rouvière", Email: "elodie@example.org",
			Phone: "+33612345678", Company: "Atelier <Test>", Role: "gérante", Siret: "12345678901234",
			SiretValid: &valid, PostalCode: "48000", Commune: "Mende", Headcount: &headcount},
		Missing: []store.Missing{{Field: "siret"}, {Field: "attachment:cv"}, {Field: "unknown"}}}
	atts := []store.Attachment{{Filename: "cv.pdf", Refused: "fichier trop volumineux"}}
	empty := &store.Application{Reference: "RSE-2026-0002", Status: store.StatusDeclined}
	for lang := range c.langs {
		for _, kind := range templateKinds {
			for _, app := range []*store.Application{full, empty} {
				if _, err := c.render(lang, kind, c.view(lang, app, atts)); err != nil {
					return err
				}
			}
		}
	}
	return c.selfTestSessions()
}

// fillLabels gives an overridden labels.txt the keys it lacks from the
// embedded one, so an override written for an older version still works.
func fillLabels(name string, labels map[string]string) error {
	b, err := fs.ReadFile(templates.FS, name)
	if err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	def, err := parseLabels(name, b)
	if err != nil {
		return err
	}
	for k, v := range def {
		if _, ok := labels[k]; !ok {
			labels[k] = v
		}
	}
	return nil
}

// rendered is one mail's subject and parts.
type rendered struct {
	subject, text, html string
}

func (c *Composer) render(lang, kind string, v *view) (*rendered, error) {
	return c.renderAny(lang, kind, v, &v.Subject)
}

// oneLine makes a header value of a rendered subject: no line breaks or
// control characters can reach the header.
func oneLine(s string) string { return store.CleanLine(s, 0) }

// stripControls keeps the lines of a text but drops its control
// characters and Unicode separators (see store.CleanText).
func stripControls(s string) string { return store.CleanText(s, 0) }

// tidyText trims trailing spaces and keeps at most one blank line in a
// row, so templates can be written for readability; the text starts and
// ends with no blank line, and ends with a line break. It reads the
// rendering buffer as it is, which it copies into a string of its own.
func tidyText(s []byte) string {
	if bytes.Contains(s, []byte("\r\n")) {
		s = bytes.ReplaceAll(s, []byte("\r\n"), []byte("\n"))
	}
	var b strings.Builder
	b.Grow(len(s) + 1)
	started, blank := false, 0 // blank: line breaks since the last text
	for line := range bytes.SplitSeq(s, []byte("\n")) {
		line = bytes.TrimRight(line, " \t")
		if len(line) == 0 {
			blank++
			continue
		}
		if started {
			b.WriteString("\n\n"[:min(blank+1, 2)])
		}
		started, blank = true, 0
		b.Write(line)
	}
	b.WriteByte('\n')
	return b.String()
}

// view is what templates see.
type view struct {
	Subject        string
	Program        string
	ProgramAddress string
	Reference      string
	Status         string
	Name           string // first and last name, "" when unknown
	FirstName      string
	LastName       string
	Company        string
	Commune        string
	Siret          string
	Understood     []Fact
	Missing        []Piece
	Refused        []Refusal // the first maxRefusedListed refused files
	RefusedCount   int       // all refused files; more than len(Refused) when the list was cut
	ForwardedBy    string    // who forwarded the application to the programme, "" when it came directly
	CohortSize     int
	DecisionBy     string // formatted date, "" when not promised
}

// Fact is one thing understood from the application, as shown.
type Fact struct{ Label, Value string }

// Piece is one missing piece, named for the applicant, with why a piece
// given is not usable.
type Piece struct{ Label, Reason string }

// Refusal is an attachment that was not kept.
type Refusal struct{ Filename, Reason string }

func (c *Composer) view(lang string, app *store.Application, atts []store.Attachment) *view {
	ls := c.lang(lang)
	labels := ls.labels
	a := cleanShown(app.Applicant)
	v := &view{
		Program: c.cfg.ProgramName, ProgramAddress: c.cfg.ProgramAddress,
		Reference: app.Reference, Status: app.Status,
		Name: fullName(&a), FirstName: a.FirstName, LastName: a.LastName,
		Company: a.Company, Commune: a.Commune, Siret: a.Siret, ForwardedBy: a.ForwardedBy,
		CohortSize: c.cfg.CohortSize, DecisionBy: ls.decisionBy,
	}
	// A few pieces are missing at most: looked for in the list, which
	// costs less than a map built for each mail.
	fact := func(key, value string) {
		if value != "" && !slices.ContainsFunc(app.Missing, func(m store.Missing) bool { return m.Field == key }) {
			v.Understood = append(v.Understood, Fact{Label: label(labels, "fact."+key, key), Value: value})
		}
	}
	fact("name", v.Name)
	fact("company", a.Company)
	fact("role", a.Role)
	fact("commune", strings.TrimSpace(a.PostalCode+" "+a.Commune))
	if a.SiretValid == nil || *a.SiretValid {
		fact("siret", a.Siret)
	}
	fact("phone", applicant.DisplayPhone(a.Phone))
	if a.Headcount != nil {
		fact("headcount", strconv.Itoa(*a.Headcount))
	}
	for _, m := range app.Missing {
		v.Missing = append(v.Missing, missingPiece(labels, m, &a))
	}
	for _, att := range atts {
		if att.Refused == "" {
			continue
		}
		// A mail can carry thousands of refused files: the answer names a
		// few and counts the rest, so that it stays a short mail.
		v.RefusedCount++
		if len(v.Refused) < maxRefusedListed {
			v.Refused = append(v.Refused, Refusal{Filename: echoFilename(att.Filename),
				Reason: strings.TrimRight(oneLine(att.Refused), ". ")})
		}
	}
	return v
}

// maxRefusedListed is how many refused files an acknowledgement names.
const maxRefusedListed = 3

func missingPiece(labels map[string]string, m store.Missing, a *applicant.Applicant) Piece {
	var p Piece
	if name, ok := strings.CutPrefix(m.Field, "attachment:"); ok {
		p.Label = label(labels, "attachment."+name, "")
		if p.Label == "" {
			p.Label = strings.ReplaceAll(label(labels, "attachment.*", "{name}"), "{name}", name)
		}
	} else {
		p.Label = label(labels, "field."+m.Field, "")
		if p.Label == "" {
			p.Label = strings.ReplaceAll(label(labels, "field.*", "{name}"), "{name}", m.Field)
		}
	}
	reason := strings.TrimSpace(m.Reason)
	if m.Field == "siret" && a.Siret != "" && a.SiretValid != nil && !*a.SiretValid {
		// The intake's reason is written for coordinators ("clé de
		// contrôle"); the applicant gets the plain phrase.
		reason = "invalid"
	}
	if reason != "" {
		p.Reason = strings.TrimRight(oneLine(label(labels, "reason."+reason, reason)), ". ")
	}
	return p
}

func label(labels map[string]string, key, fallback string) string {
	if l, ok := labels[key]; ok && l != "" {
		return l
	}
	return fallback
}

// cleanApplicant makes every text field safe to repeat in an automatic
// mail (see echo): one line, short, links inert. They come from mail.
func cleanApplicant(a applicant.Applicant) applicant.Applicant {
	for _, p := range []*string{&a.FirstName, &a.LastName, &a.Email, &a.Phone, &a.Company, &a.Role, &a.Siret,
		&a.Siren, &a.PostalCode, &a.Commune, &a.Departement, &a.Sector, &a.ForwardedBy} {
		*p = echo(*p)
	}
	return a
}

// cleanShown is cleanApplicant for the fields a view shows, the others
// left out: the address, which it does not show, is the costliest to
// make inert.
func cleanShown(a applicant.Applicant) applicant.Applicant {
	shown := applicant.Applicant{SiretValid: a.SiretValid, Headcount: a.Headcount}
	for _, p := range []struct{ dst, src *string }{{&shown.FirstName, &a.FirstName}, {&shown.LastName, &a.LastName},
		{&shown.Phone, &a.Phone}, {&shown.Company, &a.Company}, {&shown.Role, &a.Role}, {&shown.Siret, &a.Siret},
		{&shown.PostalCode, &a.PostalCode}, {&shown.Commune, &a.Commune}, {&shown.ForwardedBy, &a.ForwardedBy}} {
		*p.dst = echo(*p.src)
	}
	return shown
}

// fullName is the name an automatic mail greets, capped as a whole.
func fullName(a *applicant.Applicant) string {
	return store.Truncate(strings.TrimSpace(a.FirstName+" "+a.LastName), MaxEchoLen)
}

func formatDate(t time.Time, months string) string {
	names := strings.Split(months, ",")
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 && strings.TrimSpace(names[0]) == "janvier" {
		day = "1er"
	}
	return day + " " + strings.TrimSpace(names[int(t.Month())-1]) + " " + strconv.Itoa(t.Year())
}

// newMessageID returns a fresh Message-ID on the program's domain,
// brackets included.
func (c *Composer) newMessageID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("message id: %w", err)
	}
	return "<" + hex.EncodeToString(b[:]) + "@" + c.domain + ">", nil
}

func (c *Composer) mail(kind, dedupe, tmpl string, app *store.Application, atts []store.Attachment,
	answering *store.Message) (*store.OutboxMail, error) {
	if app == nil {
		return nil, errors.New("compose mail: no application")
	}
	rcpt := strings.ToLower(strings.TrimSpace(app.Email))
	if !store.PlainAddress(rcpt) {
		if _, err := mail.ParseAddress(rcpt); rcpt == "" || err != nil {
			return nil, fmt.Errorf("compose %s mail for %s: no usable e-mail address (%q)", kind, app.Reference, app.Email)
		}
	}
	v := c.view(c.cfg.Language, app, atts)
	r, err := c.render(c.cfg.Language, tmpl, v)
	if err != nil {
		return nil, fmt.Errorf("compose %s mail for %s: %w", kind, app.Reference, err)
	}
	msgID, err := c.newMessageID()
	if err != nil {
		return nil, fmt.Errorf("compose %s mail for %s: %w", kind, app.Reference, err)
	}
	m := &store.OutboxMail{
		Kind: kind, ApplicationID: app.ID, DedupeKey: dedupe,
		Recipient: rcpt, RecipientName: v.Name,
		Subject: r.subject, BodyText: r.text, BodyHTML: r.html, HeaderMsgID: msgID,
	}
	if answering != nil {
		m.MessageID = answering.ID
		if id := cleanMsgID(answering.MessageID); id != "" {
			// store.Message keeps no References of its own: the
			// thread is rebuilt from the one message we answer.
			m.InReplyTo, m.References = id, id
		}
	}
	return m, nil
}

// cleanMsgID keeps a Message-ID only when it is one <...> token with no
// spaces or control characters (it is written into headers as is).
func cleanMsgID(id string) string {
	id = strings.TrimSpace(id)
	if len(id) < 3 || id[0] != '<' || id[len(id)-1] != '>' || len(id) > 998 {
		return ""
	}
	for _, r := range id[1 : len(id)-1] {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' {
			return ""
		}
	}
	return id
}

// Acknowledgement renders the acknowledgement of a new application:
// what was understood, what is missing, which attachments were refused,
// what happens next. answering is the applicant's message (for threading).
func (c *Composer) Acknowledgement(app *store.Application, atts []store.Attachment, answering *store.Message) (*store.OutboxMail, error) {
	if app == nil {
		return nil, errors.New("compose acknowledgement: no application")
	}
	return c.mail(store.MailAck, "ack:"+app.Reference, tmplAck, app, atts, answering)
}

// Completion renders the notice that an application became complete
// after a follow-up (answering).
func (c *Composer) Completion(app *store.Application, answering *store.Message) (*store.OutboxMail, error) {
	if app == nil {
		return nil, errors.New("compose completion: no application")
	}
	return c.mail(store.MailComplete, "complete:"+app.Reference, tmplComplete, app, nil, answering)
}

// Decision renders the decision mail for an application whose status is
// selected, waitlisted or declined, outside any thread.
func (c *Composer) Decision(app *store.Application) (*store.OutboxMail, error) {
	return c.DecisionReplyingTo(app, nil)
}

// DecisionReplyingTo is Decision threaded under the application's first
// message (nil for none).
func (c *Composer) DecisionReplyingTo(app *store.Application, first *store.Message) (*store.OutboxMail, error) {
	if app == nil {
		return nil, errors.New("compose decision: no application")
	}
	var tmpl string
	switch app.Status {
	case store.StatusSelected:
		tmpl = tmplDecisionSelected
	case store.StatusWaitlisted:
		tmpl = tmplDecisionWaitlisted
	case store.StatusDeclined:
		tmpl = tmplDecisionDeclined
	default:
		return nil, fmt.Errorf("compose decision for %s: status %q is not a decision (selected, waitlisted, declined)",
			app.Reference, app.Status)
	}
	return c.mail(store.MailDecision, "decision:"+app.Reference+":"+app.Status, tmpl, app, nil, first)
}

// ProgramAddress is the program's address, lowercase.
func (c *Composer) ProgramAddress() string { return c.cfg.ProgramAddress }
