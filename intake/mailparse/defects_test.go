package mailparse

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRealWorldDefects pins one fixture per kind of damage seen in the
// mail of public MIME parser test suites (written here, none copied):
// each once lost the sender, left encoded-words encoded or garbled the
// text.
func TestRealWorldDefects(t *testing.T) {
	tests := []struct {
		file      string
		fromEmail string
		fromName  string
		subject   string
		text      []string // substrings of Text
		attach    []att
		errSubstr []string // substrings expected among Errors
	}{
		{
			file: "blank-lines-before-header.eml", fromEmail: "lucie.bonnal@ferme-bonnal.fr", fromName: "Lucie Bonnal",
			subject: "Candidature RSE - Ferme Bonnal", text: []string{"élevage ovin à Nasbinals"},
			attach:    []att{{"dossier.pdf", "application/pdf"}},
			errSubstr: []string{"blank lines before it skipped"},
		},
		{
			file: "indented-header.eml", fromEmail: "paul@menuiserie-causse.fr", fromName: "Paul Causse",
			subject: "Candidature menuiserie", text: []string{"menuiserie Causse à Marvejols"},
			errSubstr: []string{"indented field names read as fields"},
		},
		{
			file: "iso-2022-jp.eml", fromEmail: "yui@example.jp", fromName: "Yui Tanaka", subject: "応募書類",
			text: []string{"こんにちは。RSEプログラムに応募します。"},
		},
		{
			file: "utf-7.eml", fromEmail: "contact@vidal.fr", subject: "Société Vidal",
			text: []string{"la Société Vidal à Mende candidate", "Coût : 100 €."},
		},
		{
			file: "hz-gb-2312.eml", fromEmail: "wang@example.cn", subject: "申请",
			text: []string{"你好，我们申请参加项目。"},
		},
		{
			file: "quoted-encoded-name.eml", fromEmail: "helene.cregut@gite-cregut.fr", fromName: "Hélène Crégut",
			subject: "Candidature du gite", text: []string{"gîte Crégut"},
		},
		{
			file: "raw-8bit-encoded-word.eml", fromEmail: "andre@fabregue.fr", fromName: "André Fabrègue",
			subject: "Dossier société Fabrègue", text: []string{"voici notre dossier"},
			errSubstr: []string{"raw 8-bit bytes in From", "raw 8-bit bytes in Subject"},
		},
		{
			file: "stray-byte-utf8-header.eml", fromEmail: "jerome@bousquet.fr", fromName: "Jérôme Bousquet",
			subject:   "Candidature – Boulangerie Bousquet à Florac, déjà engagée",
			errSubstr: []string{"raw 8-bit bytes in Subject"},
		},
		{
			file: "utf8-label-latin1-body.eml", fromEmail: "gerant@scierie-rouviere.fr",
			text:      []string{"la scierie Rouvière à Châteauneuf-de-Randon emploie onze salariés.", "Gérant : Frédéric Rouvière."},
			errSubstr: []string{`labelled "UTF-8" is not valid: decoded as windows-1252`},
		},
		{
			file: "utf8-label-gb2312-body.eml", fromEmail: "li@example.cn",
			text:      []string{"您好，我们公司希望参加企业社会责任项目。"},
			errSubstr: []string{`labelled "utf-8" is not valid: decoded as GBK`},
		},
		{
			file: "address-comments.eml", fromEmail: "marie.pages@ecurie-pages.fr", fromName: "Marie Pagès",
			subject: "Candidature de l'écurie", text: []string{"écurie Pagès"},
		},
		{
			file: "long-boundary-spaces.eml", fromEmail: "sophie@malige-traiteur.fr", fromName: "Sophie Malige",
			text:   []string{"la candidature de Malige Traiteur"},
			attach: []att{{"kbis.pdf", "application/pdf"}},
		},
		{
			file: "encoded-mailbox.eml", fromEmail: "cecile@gite-bouviers.fr", fromName: "Cécile Rieutort",
			subject: "Candidature gîte", text: []string{"gîte des Bouviers"},
			errSubstr: []string{"whole mailbox is inside an encoded-word"},
		},
		{
			file: "sender-only.eml", fromEmail: "bernard@atger-btp.fr", fromName: "Bernard Atger",
			subject: "Candidature Atger BTP", text: []string{"Atger BTP souhaite"},
			errSubstr: []string{"sender taken from Sender"},
		},
		{
			file: "unterminated-encoded-word.eml", fromEmail: "maelle@teissier-paysage.fr", fromName: "Maëlle Teissier",
			subject: "Candidature société Teissier Paysage",
		},
		{
			file: "split-encoded-words.eml", fromEmail: "helene@seguret.fr", fromName: "Hélène Séguret",
			subject: "Candidature Hélène Séguret",
		},
		{
			file: "unquoted-names.eml", fromEmail: "christine@vidal-couture.fr", fromName: "Vidal, Christine",
			text: []string{"l'atelier Vidal candidate"},
		},
		{
			file: "html-meta-charset.eml", fromEmail: "contact@fromagerie-causses.fr",
			text:      []string{"Fromagerie des Causses, Sévérac.", "Coût de la démarche : 1 200 €."},
			errSubstr: []string{`charset "ISO-8859-15" taken from its <meta>`},
		},
		{
			file: "base64-declared-plain.eml", fromEmail: "thomas@chabbert-elec.fr", fromName: "Thomas Chabbert",
			text:      []string{"l'entreprise Chabbert Électricité (8 salariés, Saint-Chély-d'Apcher)", "SIRET : 812 345 676 00017."},
			errSubstr: []string{"text/plain part: declared base64 but not encoded"},
		},
		{
			file: "byte-order-marks.eml", fromEmail: "odile@bastide-ebenisterie.fr", fromName: "Odile Bastide",
			text: []string{"Nom : Bastide\nEntreprise : Ébénisterie Bastide", "Téléphone : 04 66 47 12 85\nCommune : Florac"},
		},
		{
			file: "bracketed-address.eml", fromEmail: "remi@pradal-bois.fr", fromName: "Rémi Pradal",
			text: []string{"la scierie Pradal candidate"},
		},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSuffix(tc.file, ".eml"), func(t *testing.T) {
			m := parseFile(t, filepath.Join("testdata", tc.file))
			if m.FromEmail != tc.fromEmail {
				t.Errorf("FromEmail = %q, want %q", m.FromEmail, tc.fromEmail)
			}
			if m.FromName != tc.fromName {
				t.Errorf("FromName = %q, want %q", m.FromName, tc.fromName)
			}
			if tc.subject != "" && m.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.subject)
			}
			for _, s := range tc.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Text lacks %q: %q", s, m.Text)
				}
			}
			if strings.ContainsAny(m.Text, "\uFFFD\uFEFF") || strings.Contains(m.Text, "=?") {
				t.Errorf("Text garbled or still encoded: %q", m.Text)
			}
			if got := atts(m); !slices.Equal(got, tc.attach) {
				t.Errorf("attachments = %q, want %q", got, tc.attach)
			}
			for _, e := range tc.errSubstr {
				if !slices.ContainsFunc(m.Errors, func(s string) bool { return strings.Contains(s, e) }) {
					t.Errorf("Errors %q lack %q", m.Errors, e)
				}
			}
		})
	}
}

// TestAddressComments: a comment may sit anywhere in an address; the
// mailbox and its name survive, and a bare address's comment names it.
func TestAddressComments(t *testing.T) {
	m := parseFile(t, filepath.Join("testdata", "address-comments.eml"))
	want := map[string][]Address{
		"To":       {{Name: "Programme RSE", Email: "rse@example.org"}},
		"Cc":       {{Name: "Jean Pagès", Email: "jean.pages@ecurie-pages.fr"}, {Name: "Anne", Email: "anne@ecurie-pages.fr"}},
		"Reply-To": {{Name: "Marie Pagès", Email: "contact@ecurie-pages.fr"}},
	}
	got := map[string][]Address{"To": m.To, "Cc": m.Cc, "Reply-To": m.ReplyTo}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("%s = %+v, want %+v", k, got[k], w)
		}
	}
	for _, e := range m.Errors {
		if strings.Contains(e, "malformed") {
			t.Errorf("valid RFC 5322 comments reported as malformed: %q", e)
		}
	}
}

// TestUnquotedNames: display names written outside the rules keep both
// the mailbox and the name.
func TestUnquotedNames(t *testing.T) {
	m := parseFile(t, filepath.Join("testdata", "unquoted-names.eml"))
	if want := []Address{{Name: "Programme RSE", Email: "rse@example.org"}}; !slices.Equal(m.To, want) {
		t.Errorf("To = %+v, want %+v", m.To, want)
	}
	if want := []Address{{Name: "Atelier", Email: "atelier@vidal-couture.fr"}}; !slices.Equal(m.Cc, want) {
		t.Errorf("Cc = %+v, want %+v", m.Cc, want)
	}
}

// TestOddAddressForms: an address in square brackets or after the name
// without brackets, spaces inside angle brackets, a trailing dot.
func TestOddAddressForms(t *testing.T) {
	m := parseFile(t, filepath.Join("testdata", "bracketed-address.eml"))
	if want := []Address{{Name: "Programme RSE", Email: "rse@example.org"}}; !slices.Equal(m.To, want) {
		t.Errorf("To = %+v, want %+v", m.To, want)
	}
	if want := []Address{{Name: "Jean Pradal", Email: "jean@pradal-bois.fr"}}; !slices.Equal(m.Cc, want) {
		t.Errorf("Cc = %+v, want %+v", m.Cc, want)
	}
}

func TestStripComments(t *testing.T) {
	tests := []struct{ in, want, comments string }{
		{`"Marie" <marie(bureau)@x.fr>`, `"Marie" <marie@x.fr>`, "bureau"},
		{`marie@x.fr (Marie Dupont)`, `marie@x.fr`, "Marie Dupont"},
		{`(pro) Marie <m@x.fr> (fixe)`, `Marie <m@x.fr>`, "pro|fixe"},
		{`"Marie (pas un commentaire)" <m@x.fr>`, `"Marie (pas un commentaire)" <m@x.fr>`, ""},
		{`m(a(b)c)@x.fr`, `m@x.fr`, "a(b)c"},
		{`m@x.fr (non fermé`, `m@x.fr non fermé`, ""},
	}
	for _, tc := range tests {
		got, comments := stripComments(tc.in)
		if got != tc.want || strings.Join(comments, "|") != tc.comments {
			t.Errorf("stripComments(%q) = %q, %q; want %q, %q", tc.in, got, comments, tc.want, tc.comments)
		}
	}
}

func TestDecodeWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?UTF-8?Q?H=C3=A9l=C3=A8ne?=", "Hélène"},
		{"=?utf-8?b?SMOpbA==?= =?utf-8?b?w6huZQ==?=", "Hélène"},
		// A character split between two words.
		{"=?UTF-8?B?SMM=?= =?UTF-8?B?qWzDqG5l?=", "Hélène"},
		{"=?UTF-8? Q?Caf=C3=A9?=", "Café"},
		{"=?ISO-8859-1*fr?Q?Caf=E9?=", "Café"},
		{"=?UTF-8?Q?Caf=E9?=", "Café"}, // labelled UTF-8, written in Latin-1
		{"=?x-unknown?Q?Caf=C3=A9?=", "Café"},
		{"=?UTF-8?B?SMOpbMOobmU?=", "Hélène"}, // no padding
		{"a =?UTF-8?Q?b?= c", "a b c"},
		{"prix =? 5 ?= non", "prix =? 5 ?= non"},
		{"=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは"},
		{"=?UTF-7?Q?+AOk-t+AOk-?=", "été"},
		{"Objet =?UTF-8?Q?soci=C3=A9t=C3=A9", "Objet société"}, // cut before "?="
		{"=?UTF-8?Q?cut here", "=?UTF-8?Q?cut here"},
		{"=?ISO-8859-1?Q?Andr\xe9?=", "André"}, // raw byte kept by a caller
		{"=?utf-8?b?TWFyaWUgPG1AeC5mcj4=?=", "Marie <m@x.fr>"},
	}
	for _, tc := range tests {
		if got := decodeWords(tc.in); got != tc.want {
			t.Errorf("decodeWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCharsetGuesses(t *testing.T) {
	tests := []struct {
		name, in, label, want string
	}{
		{"stray byte in UTF-8", "d\xc3\xa9j\xc3\xa0 \xe9t\xe9", "utf-8", "déjà été"},
		{"Latin-1 labelled UTF-8", "Soci\xe9t\xe9 \xe0 Mende", "utf-8", "Société à Mende"},
		{"GB2312 labelled UTF-8", "\xc4\xe3\xba\xc3\xa3\xac\xca\xc0\xbd\xe7", "utf-8", "你好，世界"},
		{"undeclared Latin-1", "caf\xe9", "", "café"},
		{"undeclared ISO-2022-JP", "\x1b$B$3$s$K$A$O\x1b(B", "us-ascii", "こんにちは"},
		{"UTF-7", "1 +- 1, +AOk-t+AOk- et +2D3eAA-.", "utf-7", "1 + 1, été et 😀."},
		{"HZ", "~{<:Ky~}", "hz-gb-2312", "己所"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _ := convertCharset([]byte(tc.in), tc.label)
			if got != tc.want {
				t.Errorf("convertCharset(%q, %q) = %q, want %q", tc.in, tc.label, got, tc.want)
			}
		})
	}
}

// TestEncodedWordsStayLinear: a header full of "=?" that never closes
// costs a bounded scan per "=?", not one to the end of the value.
func TestEncodedWordsStayLinear(t *testing.T) {
	v := strings.Repeat("=?utf-8?q?a b ", 64<<10/14)
	for _, f := range []func(string) string{decodeWords, stripWords} {
		if got := f(v); got != v {
			t.Fatalf("value changed: %.60q", got)
		}
	}
	m, err := Parse(strings.NewReader("From: "+v+"\r\nSubject: "+v+"\r\n\r\nx\r\n"), Options{})
	if err != nil || !strings.HasPrefix(m.Subject, v[:1000]) {
		t.Fatalf("Parse: %v, subject %.60q", err, m.Subject)
	}
}

func TestLooksPlain(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl\r\nY29kZT4+CnN0cmVhbQp4nJ2UTW/bMAyG7/oVPG6HOKRk\r\n", false},
		{"SGVsbG8gV29y!bGQh\r\nSGVsbG8gV29ybGQh\r\nSGVsbG8gV29ybGQhSGVsbG8gV29ybGQh\r\n", false}, // damaged, still base64
		{"Bonjour, nous candidatons.\r\nSIRET : 812 345 676 00017.\r\n", true},
		{"Candidature\r\n", false}, // too short to tell
	}
	for _, tc := range tests {
		if got := looksPlain([]byte(tc.in)); got != tc.want {
			t.Errorf("looksPlain(%.30q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestHeaderStartShapes: what comes before the first field is skipped
// only when a header follows; a message without a header stays a body.
func TestHeaderStartShapes(t *testing.T) {
	tests := []struct {
		name, in, from, text string
	}{
		{"white lines then header", " \r\n\t\r\nFrom: a@x.fr\r\n\r\nCorps\r\n", "a@x.fr", "Corps"},
		{"blank lines then body", "\r\n\r\nBonjour, pas d'en-tête.\r\n", "", "Bonjour, pas d'en-tête."},
		{"indented header", "  From: a@x.fr\r\n  Subject: s\r\n   suite\r\n\r\nCorps\r\n", "a@x.fr", "Corps"},
		{"indented body", "   Bonjour à tous,\r\nvoici.\r\n", "", "   Bonjour à tous,\nvoici."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tc.in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m.FromEmail != tc.from || strings.TrimSpace(m.Text) != strings.TrimSpace(tc.text) {
				t.Errorf("FromEmail %q Text %q, want %q %q", m.FromEmail, m.Text, tc.from, tc.text)
			}
		})
	}
}
