package intake

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

// Six spellings of one Gmail inbox, each applying for another company
// within a minute, get one acknowledgement: the one-a-day limit counts
// mailboxes, not spellings.
func TestSixSpellingsOfOneInboxGetOneAcknowledgement(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	spellings := []string{"victim@gmail.com", "victim+1@gmail.com", "v.ictim@gmail.com",
		"vi.ct.im@googlemail.com", "VICTIM@Gmail.com", "v.i.c.t.i.m+rse@googlemail.com"}
	queued := 0
	for i, from := range spellings {
		raw := fmt.Sprintf("From: Gagnez 1000 EUR <%s>\r\nTo: rse.innovation.manageriale@gmail.com\r\n"+
			"Subject: Candidature\r\nMessage-ID: <spell-%d@example.net>\r\n\r\n"+
			"Bonjour, je souhaite candidater au programme.\r\nEntreprise : Société numéro %d\r\n"+
			"Commune : Mende (48000)\r\n", from, i, i+1)
		out, err := p.Ingest(ctx, Source{}, []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if !out.Created {
			t.Fatalf("%s: not a new application: %+v", from, out)
		}
		queued += len(out.Queued)
	}
	if queued != 1 {
		t.Fatalf("%d acknowledgements queued for one inbox, want 1", queued)
	}
	counts, err := st.OutboxCounts(ctx)
	if err != nil || counts[store.OutboxPending] != 1 {
		t.Errorf("outbox %v, %v", counts, err)
	}
}

// The program's and the coordinators' mailboxes are never answered, in
// any spelling.
func TestNoAcknowledgementToAnySpellingOfTheProgram(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPipeline(t)
	for _, to := range []string{"r.s.e.innovation.manageriale+x@googlemail.com", "coordination+rse@rse-lozere.fr"} {
		var ok bool
		err := p.st.InTx(ctx, func(tx *store.Tx) (err error) {
			ok, err = p.mayAnswer(ctx, tx, to, false)
			return err
		})
		if err != nil || ok {
			t.Errorf("%s: may answer %v, %v", to, ok, err)
		}
	}
}

// The address found inside a forward is one mailbox like any other: the
// applicant a forward names, answered once, is not answered again the
// same day by writing directly under another spelling.
func TestForwardedApplicantCountsAsItsMailbox(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPipeline(t)
	fwd, err := os.ReadFile("testdata/corpus/09-transfert-cci-conseillere.eml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Ingest(ctx, Source{}, fwd)
	if err != nil || len(out.Queued) != 1 {
		t.Fatalf("forward: %+v, %v", out, err)
	}
	raw := "From: <Garage.Castan+rse@Orange.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature\r\n" +
		"Message-ID: <again@orange.fr>\r\n\r\nBonjour, je candidate.\r\nEntreprise : Autre Société\r\nSIRET : 73282932000074\r\n"
	out, err = p.Ingest(ctx, Source{}, []byte(raw))
	if err != nil || !out.Created || len(out.Queued) != 0 {
		t.Fatalf("second spelling: %+v, %v; want a new application, not answered", out, err)
	}
}
