package extract

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestStartSkipperAsBytes holds startSkipper.next, eight bytes at a
// time, to its test byte by byte, at every offset of texts with the bytes
// it stops at near and across the eight-byte blocks.
func TestStartSkipperAsBytes(t *testing.T) {
	texts := []string{
		"",
		"abc",
		"je suis Didier Servière, gérant de la SARL Servière-Dupont à Mende",
		"l'entreprise d’Élodie PAGÈS — 48000 Mende\n\t{|}~\x7f@[`éà «Été»",
		strings.Repeat("x", 15) + "R" + strings.Repeat("y", 16) + "\xc3\xa9" + strings.Repeat("z", 6) + " \xc3\xa9-",
		"AAAAAAA\xc3\x80\xbf\xc0\xffRSrs-'--''\x00\x01\x2c\x2e\x26\x28",
		randomBytes(400, "-'ARSDarsdz@[`{ \x00\x0d\x2c\x2e\x2f\x7e\x7f\x80\xa9\xbf\xc0\xc3\xe2\xff"),
		"É Élodie xÉlodie \xc3\xc3\x89 \xc2\xab Œuvre ß \xc3\x9e\xc3\x9f\xc3\x9d \xc4\x80 ’Élo \xc3",
		randomBytes(400, "-'ASas \x80\x89\x9e\x9f\xa9\xbf\xc2\xc3\xc4\xe2"),
	}
	sets := []string{"", "R", "RS", "RSD", "A-'"}
	for _, set := range sets {
		sk := newStartSkipper()
		for _, c := range []byte(set) {
			sk.add(c)
		}
		stops := func(text string, i int) bool {
			if i > 0 && text[i-1] < utf8.RuneSelf && asciiWordLetters[text[i-1]] {
				return false
			}
			c := text[i]
			if c < utf8.RuneSelf {
				return c == '-' || c == '\'' || strings.IndexByte(set, c) >= 0
			}
			return c >= 0xC4 || c == 0xC3 && i+1 < len(text) && 0x80 <= text[i+1] && text[i+1] <= 0x9E
		}
		for _, text := range texts {
			for i := 0; i <= len(text); i++ {
				want := i
				for want < len(text) && !stops(text, want) {
					want++
				}
				if got := sk.next(text, i); got != want {
					t.Errorf("set %q: next(%q, %d) = %d, want %d", set, text, i, got, want)
				}
			}
		}
	}
}

// randomBytes returns n bytes drawn from alphabet, the same every run.
func randomBytes(n int, alphabet string) string {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// TestIsClosingAsFold holds isClosing, which compares a line with the
// closings that start as it does and folds as little of it as it can, to
// its meaning: the line, trimmed, is a signature separator, or its fold
// starts with a closing. The lines are closings written as people write
// them, lines that start like them, and every line of the bench mailbox.
func TestIsClosingAsFold(t *testing.T) {
	lines := []string{
		"", " ", "--", "-- ", "—", "-", "é", "É", "M", "Me", "Mé", "Merci", "MERCI !", "merci",
		"Très cordialement,", "TRÈS CORDIALEMENT", "À bientôt", "A bientot", "à très bientôt",
		"Bien à vous", "Bien à toi", "Je vous prie d’agréer", "Je vous prie d`agreer", "je vous prie d'agreer",
		"Je suis gérante", "En vous remerciant", "En effet", "Dans l’attente de votre retour", "Dans l'attente",
		"Sincères salutations", "Meilleures salutations", "Mé salutations", "Œuvre", "Æsop", "Ｍerci",
		"Best regards", "Kind regards", "Regards", "Recevez", "Restant à votre disposition",
		"Je reste à votre disposition", "Belle journée", "Bonne fin de journée", "Bonne continuation",
		strings.Repeat("Cordialement ", 8), "\tCordialement\t", "Cordialement" + strings.Repeat("x", 80),
	}
	for _, raw := range benchMailboxTexts(t) {
		lines = append(lines, strings.Split(raw, "\n")...)
	}
	for _, l := range lines {
		tt := strings.TrimSpace(l)
		want := tt == "--" || tt == "-- " || tt == "—"
		if !want && len(tt) <= 90 && tt != "" {
			f := applicant.Fold(tt)
			for _, c := range closings {
				want = want || strings.HasPrefix(f, c)
			}
		}
		if got := isClosing(l); got != want {
			t.Errorf("isClosing(%q) = %v, want %v", l, got, want)
		}
	}
}

// benchMailboxTexts returns the text of each mail of the bench mailbox
// (imaptest.GenerateMailbox), as Analyze reads it.
func benchMailboxTexts(t *testing.T) []string {
	raws, _ := imaptest.GenerateMailbox(200, 1)
	var out []string
	for _, raw := range raws {
		m, err := mailparse.Parse(bytes.NewReader(raw), mailparse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m.Text)
	}
	return out
}

// TestIsRoleOnlyAsPattern holds isRoleOnly, which asks the title's lead
// first, to reRoleOnly: on titles in every case, on what starts like one,
// and on every line of the bench mailbox and its pieces between commas.
func TestIsRoleOnlyAsPattern(t *testing.T) {
	texts := []string{
		"", "Gérant", "GÉRANTE", "gÉrante", "Co-gérante", "co gérant", "Présidente", "PRÉSIDENT-DIRECTEUR GÉNÉRAL",
		"PDG", "pdg", "CEO", "DG", "dg.", "Directeur général adjoint", "Directrice d’agence", "Dirigeante fondatrice",
		"Associée-gérante", "Chef d'entreprise", "Cheffe d’exploitation", "Exploitant agricole", "Responsable QSE",
		"responsable", "Artisan plombier", "artisane céramiste", "Entrepreneuse", "Propriétaire-exploitante",
		"Patronne", "Infirmier coordinateur", "Kinésithérapeute coordinatrice", "Administratrice", "Secrétaire générale",
		"Trésorière", "artisan depuis", "Gérant de la SARL X", " Gérant", "Éleveur", "Électricien", "Luc Roux",
	}
	for _, raw := range benchMailboxTexts(t) {
		for _, l := range strings.Split(raw, "\n") {
			l = strings.TrimSpace(l)
			texts = append(texts, l)
			for _, p := range strings.Split(l, ",") {
				texts = append(texts, strings.TrimSpace(p))
			}
		}
	}
	for _, s := range texts {
		if got, want := isRoleOnly(s), reRoleOnly.MatchString(s); got != want {
			t.Errorf("isRoleOnly(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestSiretKeywordsOneByOne holds siretKeywords, read one at a time, to
// every whole-word "siret" and "siren" of the text, in any ASCII case, in
// order: on texts that name them at the edges, glued to signs, and on
// every mail of the bench mailbox.
func TestSiretKeywordsOneByOne(t *testing.T) {
	texts := []string{
		"", "s", "si", "sir", "siret", "SIREN", "Siret:1", "N°SIRET 123", "sirets", "_siret", "1siret", "siret_",
		"ssiret siiret SiReT sIrEn siren.siret", "Ssiret Siret S", "siret siren siret",
		"le siret ſiret SIRET\nSIREN : 123 456 789", "sirène sirènes siretx",
	}
	texts = append(texts, benchMailboxTexts(t)...)
	for _, text := range texts {
		var want [][2]int
		for i := 0; i+5 <= len(text); i++ {
			var w [5]byte
			for j := range w {
				w[j] = lowerASCII(text[i+j])
			}
			if s := string(w[:]); (s == "siret" || s == "siren") && (i == 0 || !isASCIIWordByte(text[i-1])) &&
				(i+5 == len(text) || !isASCIIWordByte(text[i+5])) {
				want = append(want, [2]int{i, i + 5})
			}
		}
		var got [][2]int
		for keys := newSiretKeywords(text); ; {
			start, end, ok := keys.next()
			if !ok {
				break
			}
			got = append(got, [2]int{start, end})
		}
		if !slices.Equal(got, want) {
			t.Errorf("siretKeywords(%.60q) = %v, want %v", text, got, want)
		}
	}
}

// TestMayHoldLabelAsSearches holds mayHoldLabel, one pass over the line,
// to the searches it stands for, on every line of the bench mailbox and
// on lines with each separator near and across its eight-byte blocks.
func TestMayHoldLabelAsSearches(t *testing.T) {
	lines := []string{"", ".", "..", "...", "a.b.c", "Fin.", "Nom:", "Nom\tX", "Jean-Luc", "Nom ： X", "Secteur – bâtiment",
		"Effectif — 3", "NOM………", "l’entreprise", "é", "Prénom ........ X", "Merci. Bien. A vous..",
		randomBytes(600, "abc .:\t-\xef\xbc\x9a\xe2\x80\x93\x94\xa6\x99\xc3\xa9"),
	}
	for _, raw := range benchMailboxTexts(t) {
		lines = append(lines, strings.Split(raw, "\n")...)
	}
	for _, l := range lines {
		for i := 0; i <= len(l) && i < 40; i++ {
			s := l[i:]
			if got, want := mayHoldLabel(s), holdsSeparatorByte(s) || strings.Contains(s, leaderDots); got != want {
				t.Errorf("mayHoldLabel(%q) = %v, want %v", s, got, want)
			}
		}
	}
}

// TestCodeThenCommuneAsPattern holds codeThenCommune, the pattern run from
// the first run of five digits, to the pattern run on the whole value:
// on addresses with numbers before, glued to and after the postal code,
// and on every line of the bench mailbox.
func TestCodeThenCommuneAsPattern(t *testing.T) {
	values := []string{
		"", "48000", "48000 Mende", "12 route de Génolhac, 48800 Villefort", "123456 Mende", "A48000 Mende",
		"é48000 Mende", "–48000 Mende", "\xe2\x8048000 Mende", "\xff48000 Mende", "1234 48000 Mende",
		"BP 12 - 48000 MENDE CEDEX", "48000 mende, 48100 Marvejols", "12345678 rue, 30120 Le Vigan",
		"Zone 4800 48000", "(48000) Mende", "x 480001 Mende 48000 Florac", "48000\tSaint-Chély-d'Apcher",
	}
	for _, raw := range benchMailboxTexts(t) {
		values = append(values, strings.Split(raw, "\n")...)
	}
	for _, v := range values {
		if got, want := codeThenCommune(v), reCodeThenCommune.FindStringSubmatch(v); !slices.Equal(got, want) {
			t.Errorf("codeThenCommune(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestRoleCompanyLineSkipsAsStartsUpper holds roleCompanyLine's skip of a
// line by its first byte, before trimming it, to what it stands for: a
// line that starts with a lower-case ASCII letter or a digit, trimmed,
// does not start with a capital.
func TestRoleCompanyLineSkipsAsStartsUpper(t *testing.T) {
	lines := []string{"gérant de la SARL X", "9 salariés", "a\u00a0B", "z ", "0É"}
	for _, raw := range benchMailboxTexts(t) {
		lines = append(lines, strings.Split(raw, "\n")...)
	}
	for _, l := range lines {
		if l == "" {
			continue
		}
		if c := l[0]; ('a' <= c && c <= 'z' || '0' <= c && c <= '9') && startsUpper(strings.TrimSpace(l)) {
			t.Errorf("%q starts with %q, and its trimmed text with a capital", l, c)
		}
	}
}

// TestLineIndexFoldsAsFold holds the folds and digits a lineIndex writes
// one after the other in one builder to looseFold, applicant.Fold and
// digitsOnly, for every line
// of the bench mailbox folded in turn into the same index: each fold must
// stay as it was while the builder grows.
func TestLineIndexFoldsAsFold(t *testing.T) {
	var lines []string
	for _, raw := range benchMailboxTexts(t) {
		lines = append(lines, strings.Split(raw, "\n")...)
	}
	lines = append(lines, "", " ", "Jean-Luc  d’Aubrac\t", "L'Œuvre", "`x`")
	x := newLineIndex(lines)
	var loose, plain, digits, looseOf []string
	for i, l := range lines {
		loose = append(loose, x.fold(i))
		plain = append(plain, x.plainFold(l))
		digits = append(digits, x.digit(i))
		looseOf = append(looseOf, x.looseFold(l))
	}
	for i, l := range lines {
		if want := looseFold(l); loose[i] != want || looseOf[i] != want {
			t.Errorf("fold(%q) = %q, looseFold = %q, want %q", l, loose[i], looseOf[i], want)
		}
		if want := applicant.Fold(l); plain[i] != want {
			t.Errorf("plainFold(%q) = %q, want %q", l, plain[i], want)
		}
		if want := digitsOnly(l); digits[i] != want {
			t.Errorf("digit(%q) = %q, want %q", l, digits[i], want)
		}
	}
}

// TestHouseholdNameAsFields holds householdName, which folds the first
// word alone before splitting the name, to the name split first.
func TestHouseholdNameAsFields(t *testing.T) {
	split := func(n string) string {
		f := strings.Fields(collapseSpaces(strings.Trim(n, "\"' ")))
		if len(f) < 2 || len(f) > 3 {
			return ""
		}
		switch applicant.Fold(f[0]) {
		case "famille", "family", "fam.":
			if l := strings.Join(f[1:], " "); looksLikePerson("Jean " + capName(l)) {
				return capName(l)
			}
		}
		return ""
	}
	names := []string{"", "Famille", "Famille Malige", "\"FAMILLE MALIGE\"", " famille\u00a0Malige ", "Family Smith",
		"Fam. Roux", "Fäm. Roux", "Ḟamille Roux", "Famille de la Tour", "Famille A B C", "Luc Roux", "'Famille' Roux",
		"\tFamille\tMalige", "Familles Roux"}
	for _, raw := range benchMailboxTexts(t) {
		for _, l := range strings.Split(raw, "\n") {
			if len(l) < 60 {
				names = append(names, l)
			}
		}
	}
	for _, n := range names {
		if got, want := householdName(n), split(n); got != want {
			t.Errorf("householdName(%q) = %q, want %q", n, got, want)
		}
	}
}

// TestSentenceAroundAsBytes holds sentenceAround, which passes over eight
// bytes at a time, to the walk byte by byte, at every offset of texts with
// sentence ends near and across its eight-byte blocks.
func TestSentenceAroundAsBytes(t *testing.T) {
	texts := []string{"a", ".", "a. b", "fin.\nDebut", "x;y; z! w? v.", strings.Repeat("abcdefg ", 5) + ". " + strings.Repeat("h", 9),
		randomBytes(500, "ab .!?;\n"), randomBytes(500, "abcdefghijklmnop .\n")}
	for _, raw := range benchMailboxTexts(t)[:40] {
		texts = append(texts, raw, applicant.Fold(raw))
	}
	for _, s := range texts {
		for i := 0; i < len(s); i++ {
			ws, we := i, i
			for ws > 0 && !sentenceEndAt(s, ws-1) {
				ws--
			}
			for we < len(s) && !sentenceEndAt(s, we) {
				we++
			}
			if gs, ge := sentenceAround(s, i); gs != ws || ge != we {
				t.Fatalf("sentenceAround(%.40q, %d) = %d, %d, want %d, %d", s, i, gs, ge, ws, we)
			}
		}
	}
}

// TestJoinTrimmedAsJoin holds joinTrimmed to strings.Join of the lines
// trimmed, and trimBlanksRight to strings.TrimRight, on lines with and
// without blanks at either end, trailing blanks on the first, last, all
// or none of them.
func TestJoinTrimmedAsJoin(t *testing.T) {
	pieces := []string{"", " ", "\t", "  \t ", "-- ", "Bonjour,", " mot ", "é\t", "\u00a0", "a \u00a0 ", "fin\t \t"}
	rng := rand.New(rand.NewPCG(5, 5))
	for range 20000 {
		own := make([]string, rng.IntN(6))
		for i := range own {
			own[i] = pieces[rng.IntN(len(pieces))] + pieces[rng.IntN(len(pieces))]
		}
		lines := make([]string, len(own))
		cut := 0
		for i, l := range own {
			lines[i] = trimBlanksRight(l)
			cut += len(l) - len(lines[i])
			if want := strings.TrimRight(l, " \t"); lines[i] != want {
				t.Fatalf("trimBlanksRight(%q) = %q, want %q", l, lines[i], want)
			}
		}
		if got, want := joinTrimmed(strings.Join(own, "\n"), own, lines, cut), strings.Join(lines, "\n"); got != want {
			t.Fatalf("joinTrimmed(%q) = %q, want %q", own, got, want)
		}
	}
}

// byteSet's eight-at-a-time look-ups find what a byte-by-byte loop finds.
func TestByteSetAsBytes(t *testing.T) {
	var set byteSet
	set[':'], set['\t'], set[0xE2] = 1, 1, 1
	texts := []string{"", "a", "abcdefgh", "abcdefg:", "abcdefgh:", "Nom : Dupont", "sans rien du tout ici, même accentué",
		"tab\there", strings.Repeat("x", 17) + "–" + strings.Repeat("y", 9), ":" + strings.Repeat("z", 30)}
	for _, s := range texts {
		for i := 0; i <= len(s); i++ {
			want := i
			for want < len(s) && set[s[want]] == 0 {
				want++
			}
			if got := set.next(s, i); got != want {
				t.Errorf("next(%q, %d) = %d, want %d", s, i, got, want)
			}
			if i+8 <= len(s) {
				none := true
				for _, c := range []byte(s[i : i+8]) {
					none = none && set[c] == 0
				}
				if got := set.noneOf8(s[i : i+8]); got != none {
					t.Errorf("noneOf8(%q) = %v, want %v", s[i:i+8], got, none)
				}
			}
		}
	}
}
