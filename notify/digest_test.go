package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

// storeMail stores one message of a kind, linked to app when not nil.
func storeMail(t *testing.T, st *store.Store, kind, from, subject, text string, app *store.Application, needsReview bool) *store.Message {
	t.Helper()
	ctx := context.Background()
	seq++
	raw := fmt.Appendf(nil, "From: %s\r\nSubject: %s\r\n\r\n%s\r\n", from, subject, text)
	sum := sha256.Sum256(raw)
	parsed, _ := json.Marshal(map[string]any{"text": text})
	m := &store.Message{MessageID: fmt.Sprintf("<m-%d@example.net>", seq), SHA256: hex.EncodeToString(sum[:]),
		BodySHA256: hex.EncodeToString(sum[:]), Raw: raw, FromEmail: from, Subject: subject, Kind: kind,
		NeedsReview: needsReview, Parsed: parsed}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		if app != nil {
			return tx.LinkMessage(ctx, m.ID, app.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m.ApplicationID = 0
	if app != nil {
		m.ApplicationID = app.ID
	}
	return m
}

func digestConfig(t testing.TB) DigestConfig {
	t.Helper()
	return DigestConfig{Coordinators: []string{testCoord}, Location: paris(t),
		Eligibility: func(a *store.Application) (bool, []string) {
			if a.PostalCode != "" && !strings.HasPrefix(a.PostalCode, "48") {
				return false, []string{"hors Lozère"}
			}
			return true, nil
		}}
}

func TestDigestNamesWhatArrivedAndWhatWaitsForAPerson(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	elo, _, _ := seedApplication(t, st, c, elodie(), []store.Missing{{Field: "siret", Reason: "clé de contrôle fausse"}}, nil)
	gard, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Marc", LastName: "<b>Jourdan</b>",
		Email: "m@jourdan.fr", Company: "Jourdan & Fils", PostalCode: "30100", Commune: "Alès"}, nil, nil)
	clk.Advance(time.Hour)
	storeMail(t, st, "other", "franck@example.fr", "Avant de candidater", "Le programme est-il ouvert aux SCOP ?", nil, false)
	storeMail(t, st, "other", "noreply@formations.fr", "Votre inscription", "Merci ?", nil, false)
	storeMail(t, st, "other", testCoord, "Point interne", "On en parle ?", nil, false)
	storeMail(t, st, "follow_up", elo.Email, "Re: candidature", "Voici le SIRET. Faut-il un Kbis ?\n\nLe 2 mars, RSE a écrit :\n> Question ?", elo, false)
	storeMail(t, st, "follow_up", "m@jourdan.fr", "Re: candidature", "Voici mon CV.\n> Des questions ?", gard, false)
	storeMail(t, st, "follow_up", "secretariat@jourdan.fr", "Re: dossier <script>alert(1)</script>", "Il est absent.", gard, false)
	storeMail(t, st, "application", "", "", "\x00\x01", nil, true)
	storeMail(t, st, "spam", "win@invest.top", "Gagnez", "Cliquez ?", nil, false)
	// A mail that failed for good.
	err := st.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueueMail(ctx, &store.OutboxMail{Kind: store.MailAck, Recipient: "gone@example.net", Subject: "s",
			HeaderMsgID: "<f@x>", BodyText: "t", BodyHTML: "h"})
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := st.OutboxList(ctx, store.OutboxPending)
	for _, m := range ms {
		if m.Recipient == "gone@example.net" {
			if err := st.MarkFailed(ctx, m.ID, 1, "550 no such user"); err != nil {
				t.Fatal(err)
			}
		}
	}
	clk.Advance(time.Hour)
	d, err := QueueDigest(ctx, st, c, digestConfig(t), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.New) != 2 || d.New[0].Reference != elo.Reference || d.New[1].Reference != gard.Reference {
		t.Fatalf("new applications: %+v", d.New)
	}
	if d.New[0].Missing[0] != (store.Missing{Field: "siret", Reason: "clé de contrôle fausse"}) || !d.New[0].Eligible || d.New[1].Eligible ||
		d.New[1].Reasons[0] != "hors Lozère" {
		t.Errorf("new applications: %+v", d.New)
	}
	var whys []string
	for _, w := range d.Waiting {
		whys = append(whys, w.Why+":"+w.From)
	}
	want := "question:franck@example.fr,follow_up:Elodie.Rouviere@example.net,third_party:secretariat@jourdan.fr,unreadable:"
	if strings.Join(whys, ",") != want {
		t.Errorf("waiting:\n got %s\nwant %s", strings.Join(whys, ","), want)
	}
	if len(d.Failures) != 1 || d.Counts[store.StatusIncomplete] != 1 || d.Counts[store.StatusReceived] != 1 {
		t.Errorf("failures %d, counts %v", len(d.Failures), d.Counts)
	}
	if len(d.Mails) != 1 || d.Mails[0].Recipient != testCoord {
		t.Fatalf("mails: %+v", d.Mails)
	}
	html := d.Mails[0].BodyHTML
	for _, bad := range []string{"<script>", "<b>Jourdan", "Jourdan & Fils"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML part holds %q unescaped", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;", "&lt;b&gt;Jourdan&lt;/b&gt;", "Jourdan &amp; Fils", elo.Reference} {
		if !strings.Contains(html, good) {
			t.Errorf("HTML part lacks %q", good)
		}
	}
	text := d.Mails[0].BodyText
	for _, good := range []string{elo.Reference + " : Élodie Rouvière, Les Ateliers du Causse, 48000 Mende",
		"il manque : SIRET (clé de contrôle fausse) ; éligible : oui", "éligible : non (hors Lozère)",
		"question ou message à traiter : franck@example.fr, « Avant de candidater »",
		"accusé de réception à gone@example.net : 550 no such user"} {
		if !strings.Contains(text, good) {
			t.Errorf("text part lacks %q:\n%s", good, text)
		}
	}
}

func TestDigestPeriodNothingSkippedNothingTwice(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	sink := smtpsink.Start(t)
	first, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Anne", Email: "anne@example.net"}, nil, nil)
	clk.Advance(time.Minute)
	d, err := QueueDigest(ctx, st, c, digestConfig(t), false)
	if err != nil || len(d.Mails) != 1 || len(d.New) != 1 {
		t.Fatalf("first digest: %+v %v", d, err)
	}
	// The digest goes to the coordinator: the sender does not cancel it
	// as it would an automatic answer to a coordinator.
	s := newSender(t, st, sink, clk, nil)
	if res, err := s.SendDue(ctx); err != nil || res.Sent != 1 || res.Cancelled != 0 {
		t.Fatalf("send digest: %+v %v", res, err)
	}
	if to := sink.Messages()[0].To; len(to) != 1 || to[0] != testCoord {
		t.Errorf("digest sent to %v", to)
	}

	// Nothing new: no digest, and the period stays open.
	clk.Advance(24 * time.Hour)
	d, err = QueueDigest(ctx, st, c, digestConfig(t), false)
	if err != nil || len(d.Mails) != 0 {
		t.Fatalf("empty digest queued: %+v %v", d.Mails, err)
	}
	cfg := digestConfig(t)
	cfg.SendEmpty = true
	if d, err := BuildDigest(ctx, st, c, cfg); err != nil || len(d.Mails) != 1 {
		t.Errorf("empty_digest = true: %v %v", d, err)
	}

	// Days of downtime, then one application: the next digest reports it
	// and only it, from the end of the first.
	clk.Advance(72 * time.Hour)
	second, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Luc", Email: "luc@example.net"}, nil, nil)
	clk.Advance(time.Minute)
	d, err = QueueDigest(ctx, st, c, digestConfig(t), false)
	if err != nil || len(d.New) != 1 || d.New[0].Reference != second.Reference {
		t.Fatalf("second digest: %+v %v", d, err)
	}
	if !strings.Contains(d.Mails[0].BodyText, second.Reference) || strings.Contains(d.Mails[0].BodyText, first.Reference+" :") {
		t.Errorf("second digest text:\n%s", d.Mails[0].BodyText)
	}
	last, err := st.LastDigestEnd(ctx)
	if err != nil || !last.Equal(d.End) {
		t.Errorf("stored period end %s, want %s (%v)", last, d.End, err)
	}
	// A digest built on a stale period is refused, not doubled.
	if err := st.QueueDigest(ctx, d.Start, d.End, nil); err == nil {
		t.Error("a second digest over the same period was recorded")
	}
}

func TestDigestListsComingSessionsWithTheirReminders(t *testing.T) {
	ctx := context.Background()
	clk, st, c, s := launchWithAnne(t)
	clk.Set(s.Start.Add(-72 * time.Hour))
	remind(t, st, c, s)
	later := s
	later.ID, later.Start, later.End = "later", s.Start.AddDate(0, 1, 0), s.End.AddDate(0, 1, 0)
	cfg := digestConfig(t)
	cfg.Sessions = []Session{s, later}
	d, err := BuildDigest(ctx, st, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sessions) != 1 || d.Sessions[0].Pending != 1 || d.Sessions[0].Reminded != 0 {
		t.Fatalf("sessions: %+v", d.Sessions)
	}
	if !strings.Contains(d.Mails[0].BodyText, "Soirée de lancement, jeudi 3 décembre 2026 à 18 h 30, Mende : 0 rappel envoyé, 1 en attente") {
		t.Errorf("digest text:\n%s", d.Mails[0].BodyText)
	}
}

func TestOwnTextStopsAtTheQuote(t *testing.T) {
	for _, tc := range []struct {
		text string
		asks bool
	}{
		{"Voici mon SIRET.\n\nLe lun. 2 mars 2026 à 10:00, RSE <rse@x.fr> a écrit :\n> Une question ?", false},
		{"Merci.\n-----Message d'origine-----\nDe : RSE\nObjet : Des questions ?", false},
		{"Merci. Dois-je envoyer un Kbis ?\n> Bonjour", true},
		{"> Vous avez des questions ?\nNon, tout est clair.", false},
		{"On Mon, Mar 2, 2026 at 10:00 AM RSE wrote:\n> anything?", false},
	} {
		if got := strings.Contains(ownText(tc.text), "?"); got != tc.asks {
			t.Errorf("ownText(%q) asks = %v, want %v", tc.text, got, tc.asks)
		}
	}
}

func TestDigestListsIncompleteFilesWithoutNewsForAWeek(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	missing := []store.Missing{{Field: "siret"}}
	quiet, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Anne", Email: "anne@example.net"}, missing, nil)
	news, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Luc", Email: "luc@example.net"}, missing, nil)
	complete, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Zoé", Email: "zoe@example.net"}, nil, nil)
	setStatus(t, st, complete, store.StatusComplete)
	clk.Advance(6 * 24 * time.Hour)
	storeMail(t, st, "follow_up", "luc@example.net", "Re: candidature", "Je cherche mon SIRET.", news, false)
	clk.Advance(2 * 24 * time.Hour)
	d, err := BuildDigest(ctx, st, c, digestConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Quiet) != 1 || d.Quiet[0].Reference != quiet.Reference || !d.Quiet[0].LastNews.Equal(newClock().Now()) {
		t.Fatalf("quiet files: %+v", d.Quiet)
	}
	if !strings.Contains(d.Mails[0].BodyText, quiet.Reference+" : Anne ; il manque : SIRET ; dernière nouvelle le lundi 2 mars 2026") {
		t.Errorf("digest text:\n%s", d.Mails[0].BodyText)
	}
}

// The digest names missing pieces and statuses in the words of the
// shortlist the committee holds, not the store's field and status codes,
// and a first digest covers everything up to now.
func TestDigestSpeaksTheShortlistsWords(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	missing := []store.Missing{{Field: "company"}, {Field: "phone"}, {Field: "attachment:cv"}}
	seedApplication(t, st, nil, store.Applicant{FirstName: "Paul", LastName: "Vidal", Email: "paul@example.net"}, missing, nil)
	declined, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Zoé", Email: "zoe@example.net"}, nil, nil)
	setStatus(t, st, declined, store.StatusDeclined)
	clk.Advance(time.Hour)
	d, err := BuildDigest(ctx, st, c, digestConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	text, html := d.Mails[0].BodyText, d.Mails[0].BodyHTML
	for _, want := range []string{"Voici le point sur les candidatures jusqu'au lundi 2 mars 2026 à ",
		"il manque : Entreprise, Téléphone, CV ;", "- Refusée : 1", "- Incomplète : 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	codes := regexp.MustCompile(`(?:^|[^\pL])(company|phone|declined|incomplete|attachment:cv)(?:[^\pL]|$)`)
	for part, body := range map[string]string{"text": text, "HTML": html} {
		if m := codes.FindString(body); m != "" {
			t.Errorf("%s part shows the code %q:\n%s", part, m, body)
		}
	}
}

// Reasons are separated the French way in French (a space before the
// semicolon), the English way in English.
func TestDigestReasonsSeparatedAsEachLanguageWrites(t *testing.T) {
	d := &Digest{New: []DigestApplication{{Reference: "RSE-2026-0001", Reasons: []string{"SIRET manquant", "hors Lozère"}}}}
	for lang, want := range map[string]string{"fr": "non (SIRET manquant ; hors Lozère)", "en": "no (SIRET manquant; hors Lozère)"} {
		c := newComposer(t, func(cfg *ComposerConfig) { cfg.Language = lang })
		if got := c.digestView(lang, d).New[0].Eligible; got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

// TestDigestReportsAFailureOnce: a mail given up is in the digest of the
// period it failed in, not in every digest after it; failing again after
// a retry reports it again.
func TestDigestReportsAFailureOnce(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	fail := func(to string) int64 {
		t.Helper()
		err := st.InTx(ctx, func(tx *store.Tx) error {
			return tx.QueueMail(ctx, &store.OutboxMail{Kind: store.MailAck, Recipient: to, Subject: "s",
				HeaderMsgID: "<" + to + ">", BodyText: "t", BodyHTML: "h"})
		})
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := st.OutboxList(ctx, store.OutboxPending)
		for _, m := range ms {
			if m.Recipient == to {
				if err := st.MarkFailed(ctx, m.ID, 1, "550 no such user"); err != nil {
					t.Fatal(err)
				}
				return m.ID
			}
		}
		t.Fatalf("no pending mail to %s", to)
		return 0
	}
	failures := func() []string {
		t.Helper()
		clk.Advance(time.Hour)
		d, err := QueueDigest(ctx, st, c, digestConfig(t), false)
		if err != nil {
			t.Fatal(err)
		}
		var to []string
		for _, m := range d.Failures {
			to = append(to, m.Recipient)
		}
		return to
	}
	gone := fail("gone@example.net")
	if got := failures(); !slices.Equal(got, []string{"gone@example.net"}) {
		t.Fatalf("first digest failures: %v", got)
	}
	if got := failures(); len(got) != 0 {
		t.Errorf("the same failure reported again: %v", got)
	}
	fail("moved@example.org")
	if err := st.Retry(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkFailed(ctx, gone, 2, "550 still no such user"); err != nil {
		t.Fatal(err)
	}
	got := failures()
	slices.Sort(got)
	if !slices.Equal(got, []string{"gone@example.net", "moved@example.org"}) {
		t.Errorf("failures since the last digest: %v", got)
	}
}

// TestDigestReadsAFollowUpsQuestionInItsRawMail: intake keeps a message's
// text only in its raw mail; the digest reads it there (Files.Text) to
// tell a follow-up that asks something, even in a base64 body.
func TestDigestReadsAFollowUpsQuestionInItsRawMail(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	elo, _, _ := seedApplication(t, st, c, elodie(), nil, nil)
	clk.Advance(time.Hour)
	raw := []byte("From: " + elo.Email + "\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Re: candidature\r\n" +
		"Message-ID: <kbis-1@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString([]byte("Voici mon Kbis. Faut-il aussi un relevé d'identité bancaire ?\r\n")) + "\r\n")
	if strings.Contains(string(raw), "?") {
		t.Fatal("the raw mail shows the question mark: the test would prove nothing")
	}
	sum := sha256.Sum256(raw)
	m := &store.Message{MessageID: "<kbis-1@example.net>", SHA256: hex.EncodeToString(sum[:]), BodySHA256: hex.EncodeToString(sum[:]),
		Raw: raw, FromEmail: elo.Email, Subject: "Re: candidature", Kind: "follow_up", Parsed: json.RawMessage(`{"kind":"follow_up","text":null}`)}
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		return tx.LinkMessage(ctx, m.ID, elo.ID)
	}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	cfg := digestConfig(t)
	cfg.Files.Text = func(raw []byte) string {
		m, err := mailparse.Parse(bytes.NewReader(raw), mailparse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m.Text
	}
	d, err := BuildDigest(ctx, st, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Waiting) != 1 || d.Waiting[0].Why != WaitFollowUp || d.Waiting[0].Reference != elo.Reference {
		t.Fatalf("waiting: %+v, want the follow-up asking for a RIB", d.Waiting)
	}
}
