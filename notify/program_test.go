package notify

import (
	"bytes"
	htmltemplate "html/template"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	texttemplate "text/template"
	"text/template/parse"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

// randomText strings together pieces that templates print as they are,
// escape, percent-encode or that echo makes inert, with bytes of every
// kind.
func randomText(r *rand.Rand, most int) string {
	pieces := []string{"a", "Zoé", " ", "  ", "\t", "\n", "\r\n", "<", ">", "&", "&amp;", "'", "\"", "+", "\x00", "%",
		"%41", "%4", "%zz", ":", "//", ".", "@", ",", "#", "?", "=", "\u2028", "\u00a0", "\xff", "\xc3", "€", "ß",
		"http://evil.com", "www.x.fr", "javascript:", "mailto:", "{{", "}}", "<script>", "x.pdf", "48000", "-", "_", "~",
		"\x7f", "\x1b", "[", "]", "(", ")", "\\", "`", "!", "$", "*", ";", "é", "Élodie", "SARL Pic", "0612345678"}
	var b strings.Builder
	for range r.IntN(most + 1) {
		if r.IntN(4) == 0 {
			b.WriteByte(byte(r.IntN(256)))
		} else {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
	}
	return b.String()
}

func randomApplication(r *rand.Rand, n int) (*store.Application, []store.Attachment) {
	statuses := []string{store.StatusIncomplete, store.StatusComplete, store.StatusSelected, store.StatusWaitlisted,
		store.StatusDeclined, ""}
	text := func() string {
		if r.IntN(3) == 0 {
			return ""
		}
		return randomText(r, 12)
	}
	app := &store.Application{Reference: "RSE-2026-" + strconv.Itoa(n), Status: statuses[r.IntN(len(statuses))],
		Applicant: store.Applicant{FirstName: text(), LastName: text(), Email: "a@example.org", Phone: text(),
			Company: text(), Role: text(), Siret: text(), PostalCode: text(), Commune: text(), ForwardedBy: text()}}
	if r.IntN(2) == 0 {
		valid := r.IntN(2) == 0
		app.SiretValid = &valid
	}
	if r.IntN(2) == 0 {
		h := r.IntN(400) - 20
		app.Headcount = &h
	}
	fields := []string{"siret", "headcount", "company", "name", "phone", "commune", "role", "attachment:cv",
		"attachment:plan", "attachment:" + randomText(r, 3), randomText(r, 3)}
	for range r.IntN(6) {
		m := store.Missing{Field: fields[r.IntN(len(fields))]}
		if r.IntN(2) == 0 {
			m.Reason = randomText(r, 8)
		}
		app.Missing = append(app.Missing, m)
	}
	var atts []store.Attachment
	for range r.IntN(7) {
		a := store.Attachment{Filename: randomText(r, 6) + []string{"", ".pdf", ".zip", ".com", ".exe"}[r.IntN(5)]}
		if r.IntN(3) > 0 {
			a.Refused = randomText(r, 8)
		} else {
			a.Stored = true
		}
		atts = append(atts, a)
	}
	return app, atts
}

// TestProgramsRenderAsTemplates pins the compiled templates (program)
// to text/template and html/template: every mail kind of every language,
// rendered both ways for thousands of generated applications, with
// programme names and addresses that must be escaped, gives the same
// bytes.
func TestProgramsRenderAsTemplates(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	programs := []string{testProgram, "A <b>&</b> \"B\" + 'C'", "x\x00y", "Zoé%41 {{.}}", randomText(r, 10) + "P"}
	addresses := []string{testAddress, "a+b%41@example.org", "\"q'x<y>\"@example.org", "o'neil@ex-ample.fr", "x%zz~_!#$*=?@a.b"}
	n := 0
	for i, program := range programs {
		for _, lang := range Languages {
			c := newComposer(t, func(cfg *ComposerConfig) {
				cfg.Language, cfg.ProgramName, cfg.ProgramAddress = lang, program, addresses[i]
				cfg.CohortSize = []int{0, 1, -3, 12, 8}[i]
				if i%2 == 1 {
					cfg.DecisionBy = time.Time{}
				}
			})
			for _, kind := range templateKinds {
				for range 300 {
					n++
					app, atts := randomApplication(r, n)
					v := c.view(lang, app, atts)
					sameRendering(t, c, lang, kind, v, &v.Subject)
				}
			}
			loc := time.FixedZone("CET", 3600)
			for range 100 {
				s := &Session{ID: "s", Title: randomText(r, 6), Kind: []string{SessionLaunch, SessionCollective, SessionIndividual, "x"}[r.IntN(4)],
					Location: randomText(r, 6), Description: randomText(r, 20),
					Start: time.Date(2026, 12, 1+r.IntN(28), r.IntN(24), 30, 0, 0, loc)}
				s.End = s.Start.Add(time.Duration(r.IntN(300)) * time.Minute)
				rc := Recipient{Email: "b@example.org", Name: randomText(r, 6)}
				if r.IntN(2) == 0 {
					rc.Application = &store.Application{Reference: "RSE-2026-0001"}
				}
				v := c.reminderView(lang, s, rc)
				v.Update, v.Cancelled = r.IntN(2) == 0, r.IntN(2) == 0
				sameRendering(t, c, lang, tmplReminder, v, &v.Subject)
				d := sampleDigestView(c, lang, s)
				sameRendering(t, c, lang, tmplDigest, d, &d.Subject)
			}
			// The acknowledgement, sent for every new application, must
			// not fall back to text/template.
			if p := c.lang(lang).kinds[tmplAck].progs.Load(); p == nil || p.subject == nil || p.text == nil || p.html == nil {
				t.Errorf("%s: the acknowledgement's templates are not all compiled: %+v", lang, p)
			}
		}
	}
}

// sameRendering renders kind with v by the kind's programs, once they
// are compiled, and by its templates, and fails the test if they differ.
func sameRendering(t *testing.T, c *Composer, lang, kind string, v any, subject *string) {
	t.Helper()
	kt := c.lang(lang).kinds[kind]
	byTemplates := &kindTemplates{subject: kt.subject, text: kt.text, html: kt.html}
	byTemplates.progs.Store(&kindPrograms{}) // no programs, and none compiled
	want, err := byTemplates.render(lang, kind, v, subject)
	if err != nil {
		t.Fatal(err)
	}
	got, err := kt.render(lang, kind, v, subject)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *want {
		t.Fatalf("%s/%s rendered with %#v:\nprogram:   %q\ntemplates: %q", lang, kind, v, *got, *want)
	}
}

// TestHTMLEscapersAsHTMLTemplate pins the escapers programs run to
// html/template's on any bytes, in the contexts they are used in.
func TestHTMLEscapersAsHTMLTemplate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tmpl := htmltemplate.Must(htmltemplate.New("t").Parse(
		`<title>{{.}}</title><p>{{.}}</p><a title="{{.}}" href="mailto:{{.}}">{{.}}</a>`))
	for i := range 20000 {
		s := randomText(r, 16)
		if i < 256 {
			s = string(rune(i)) + string([]byte{byte(i)}) + "%" + string([]byte{byte(i)})
		}
		var want bytes.Buffer
		if err := tmpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		h := string(appendHTMLEscaped(nil, s))
		got := "<title>" + h + "</title><p>" + h + `</p><a title="` + h + `" href="mailto:` +
			string(appendHTMLEscaped(nil, string(appendURLNormalized(nil, s)))) + `">` + h + "</a>"
		if got != want.String() {
			t.Fatalf("%q:\ngot  %q\nwant %q", s, got, want.String())
		}
	}
}

// TestProgramsLeaveTheRestToTemplates: what programs do not cover is not
// compiled, and so runs in text/template.
func TestProgramsLeaveTheRestToTemplates(t *testing.T) {
	typ := reflect.TypeFor[*view]()
	for _, src := range []string{`{{with .Name}}{{.}}{{end}}`, `{{printf "%s" .Name}}`, `{{$x := .Name}}{{$x}}`,
		`{{range $i, $f := .Understood}}{{$i}}{{end}}`, `{{.Understood}}`, `{{if gt .CohortSize 1.0}}x{{end}}`,
		`{{if eq .Name 1}}x{{end}}`, `{{if lt .Name "a"}}x{{end}}`, `{{range .Understood}}{{break}}{{end}}`,
		`{{template "x" .}}`, `{{.Name.Foo}}`, `{{.missing}}`, `{{len .Understood}}`, `{{.Name | html}}`,
		`{{if and .Name .Company}}x{{end}}`, `{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}`} {
		tmpl := texttemplate.Must(texttemplate.New("t").Parse(src))
		lookup := func(name string) *parse.Tree {
			if t := tmpl.Lookup(name); t != nil {
				return t.Tree
			}
			return nil
		}
		if p, err := compileProgram(tmpl.Tree, lookup, typ); err == nil || p != nil {
			t.Errorf("%s: compiled", src)
		}
	}
}

// TestSubjectLineBreakCut: render cuts a subject's last line break
// before oneLine, which gives the same line without it.
func TestSubjectLineBreakCut(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 50000 {
		s := randomText(r, 12)
		if got, want := oneLine(s), oneLine(s+"\n"); got != want {
			t.Fatalf("oneLine(%q) = %q, with its line break %q", s, got, want)
		}
	}
}
