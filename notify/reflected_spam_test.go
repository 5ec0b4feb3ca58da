package notify

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store"
)

func TestInert(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Gagnez 1000 EUR sur http://evil.example.com/promo", "Gagnez 1000 EUR sur http[:]//evil[.]example[.]com/promo"},
		{"HTTPS://Bit.ly/x", "HTTPS[:]//Bit[.]ly/x"},
		{"écrivez à promo@casino-gratuit.fr", "écrivez à promo@casino-gratuit[.]fr"},
		{"www.gagner.bzh", "www[.]gagner[.]bzh"},
		{"x@evil.unknowntld", "x@evil[.]unknowntld"},
		{"mailto:a@b.c", "mailto[:]a@b[.]c"},
		// Any TLD webmail knows links, not only the common ones.
		{"gagnez sur promo.digital ou cash.lol", "gagnez sur promo[.]digital ou cash[.]lol"},
		{"Gagnant.Casino-Royal.agency", "Gagnant[.]Casino-Royal[.]agency"},
		// Names and companies as people write them are left alone.
		{"E.Leclerc Mende", "E.Leclerc Mende"},
		{"S.A.R.L. Roux & Fils", "S.A.R.L. Roux & Fils"},
		{"M. Jean-Pierre Dupont", "M. Jean-Pierre Dupont"},
		{"Boulangerie Roux, 12 av. Foch", "Boulangerie Roux, 12 av. Foch"},
		{"3.5 salariés", "3.5 salariés"},
	} {
		if got := inert(c.in); got != c.want {
			t.Errorf("inert(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := echoFilename("portfolio.zip"); got != "portfolio.zip" {
		t.Errorf("echoFilename(portfolio.zip) = %q", got)
	}
	if got := echoFilename("gagnez.com"); got != "gagnez[.]com" {
		t.Errorf("echoFilename(gagnez.com) = %q", got)
	}
}

// A stranger writes to the programme with a victim's address and an
// advertisement as name and company: the acknowledgement the victim gets
// repeats at most 80 characters of each, with no working link, in both
// parts, and every header line stays within RFC 5322's 998 bytes.
func TestNoReflectedSpamInAcknowledgement(t *testing.T) {
	ctx := context.Background()
	_, st, c, sink, s := senderSetup(t)
	ad := "Gagnez 1000 EUR sur http://gagner-vite.example.com/offre et www.casino-gratuit.fr, écrivez à promo@spam.example.net "
	a := store.Applicant{Email: "victim@gmail.com", FirstName: ad, LastName: strings.Repeat("Nom", 3400),
		Company: strings.Repeat(ad, 20), Commune: "Mende", PostalCode: "48000", ForwardedBy: "relais@spam.example.net"}
	var atts []store.Attachment
	for i := range 12 {
		atts = append(atts, store.Attachment{Filename: fmt.Sprintf("outil%d.exe", i), ContentType: "application/octet-stream",
			Refused: "type de fichier non accepté (.exe)"})
	}
	seedApplication(t, st, c, a, []store.Missing{{Field: "siret"}}, atts)
	if res, err := s.SendDue(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	data := sink.Messages()[0].Data
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) > 998 {
			t.Errorf("line %d is %d bytes long: %.80q…", n, len(sc.Bytes()), sc.Text())
		}
	}
	r := parseReceived(t, data)
	to, err := r.header.AddressList("To")
	if err != nil || len(to) != 1 || utf8.RuneCountInString(to[0].Name) > MaxEchoLen || to[0].Address != "victim@gmail.com" {
		t.Errorf("To %v, %v", to, err)
	}
	for _, p := range []part{r.part(t, "text/plain"), r.part(t, "text/html")} {
		for _, live := range []string{"http://gagner", "gagner-vite.example.com", "www.casino-gratuit.fr", "spam.example.net",
			"NomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNomNom"} {
			if strings.Contains(p.body, live) {
				t.Errorf("%s part repeats %q", p.contentType, live)
			}
		}
		for _, want := range []string{"http[:]//gagner-vite[.]example[.]com", "relais@spam[.]example[.]net", "12 ", "outil0.exe",
			"outil2.exe"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s part lacks %q", p.contentType, want)
			}
		}
		if strings.Contains(p.body, "outil3.exe") || strings.Count(p.body, "outil") > 3 {
			t.Errorf("%s part lists every refused file", p.contentType)
		}
	}
	if text := r.part(t, "text/plain").body; !strings.Contains(text, "12 fichiers refusés, dont :") ||
		!strings.Contains(text, "transmise par relais@spam[.]example[.]net") {
		t.Errorf("text part:\n%s", text)
	}
}

// FuzzEcho: whatever a sender writes, what an automatic mail repeats is
// one line of at most MaxEchoLen characters with no working scheme.
func FuzzEcho(f *testing.F) {
	f.Add("Gagnez 1000 EUR sur http://evil.example.com/x")
	f.Add("x@y.fr\u2028https://a.b")
	f.Fuzz(func(t *testing.T, s string) {
		e := echo(s)
		if strings.ContainsAny(e, "\r\n\u2028\u2029\u0085") || utf8.RuneCountInString(e) > MaxEchoLen ||
			strings.Contains(strings.ToLower(e), "http://") || strings.Contains(strings.ToLower(e), "https://") {
			t.Errorf("echo(%q) = %q", s, e)
		}
	})
}

// TestInertSkipsOnlyWhatCannotMatch pins inert, which runs each pattern
// only on a text holding what it needs, to the three replacements run on
// every text.
func TestInertSkipsOnlyWhatCannotMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 50000 {
		s := randomText(r, 10)
		if r.IntN(2) == 0 {
			s += []string{"http://", "HTTPS://a.b", "tel:", "x:/", ":/", "a.co", "www.x", "ftp:", "data:"}[r.IntN(9)] + randomText(r, 4)
		}
		want := inertHosts(schemeRe().ReplaceAllString(slashesRe().ReplaceAllString(s, "$1[:]$2"), "$1[:]"))
		if got := inert(s); got != want {
			t.Fatalf("inert(%q) = %q, want %q", s, got, want)
		}
	}
}
