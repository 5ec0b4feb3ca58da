package intake

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

// pickyComposer cannot write the acknowledgement of one reference, and
// gives two others the same dedupe key, as if it had been queued before.
type pickyComposer struct {
	testComposer
	fails, same1, same2 string
}

func (c *pickyComposer) Acknowledgement(app *store.Application, atts []store.Attachment, m *store.Message) (*store.OutboxMail, error) {
	if app.Reference == c.fails {
		return nil, fmt.Errorf("cannot write to %s", app.Email)
	}
	mail, err := c.testComposer.Acknowledgement(app, atts, m)
	if app.Reference == c.same1 || app.Reference == c.same2 {
		mail.DedupeKey = "ack:same"
	}
	return mail, err
}

// TestBatchAnswersAsOneByOne: the mails of a batch, rendered while the
// writer goes on (see answers), are queued as they would be one message
// at a time, also when one cannot be written and one was queued already.
func TestBatchAnswersAsOneByOne(t *testing.T) {
	ctx := context.Background()
	raws := make([][]byte, 5)
	for i := range raws {
		raws[i] = []byte(fmt.Sprintf("From: Anne Roux%d <anne.roux%d@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n"+
			"Subject: Candidature RSE\r\nMessage-ID: <app%d@example.fr>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n\r\n"+
			"Bonjour, je souhaite candidater. Entreprise : Boulangerie %c, à Mende (48000).\r\n", i, i, i, 'A'+i))
	}
	type stored struct {
		queued [][]string
		mails  []string
		notes  []string
	}
	ingest := func(batch bool) stored {
		p, st := newTestPipeline(t)
		p.cfg.Composer = &pickyComposer{fails: "RSE-2026-0002", same1: "RSE-2026-0003", same2: "RSE-2026-0005"}
		var s stored
		var outs []Outcome
		if batch {
			prepared := make([]*Prepared, len(raws))
			for i, raw := range raws {
				var err error
				if prepared[i], err = p.Prepare(Source{}, raw); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if outs, err = p.Commit(ctx, prepared); err != nil {
				t.Fatal(err)
			}
		} else {
			for _, raw := range raws {
				out, err := p.Ingest(ctx, Source{}, raw)
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, out)
			}
		}
		for _, out := range outs {
			s.queued = append(s.queued, out.Queued)
			h, err := st.History(ctx, mustApp(t, st, out.Reference).ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range h {
				s.notes = append(s.notes, out.Reference+" "+e.Action+" "+e.Note)
			}
		}
		mails, err := st.OutboxList(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range slices.Backward(mails) {
			s.mails = append(s.mails, fmt.Sprintf("%d %s %s", m.ID, m.Reference, m.Subject))
		}
		return s
	}
	one, all := ingest(false), ingest(true)
	if fmt.Sprint(one) != fmt.Sprint(all) {
		t.Errorf("one by one:\n%v\nin one batch:\n%v", one, all)
	}
	if got := strings.Join(one.mails, "\n"); !strings.Contains(got, "RSE-2026-0004") || strings.Contains(got, "RSE-2026-0002") ||
		strings.Contains(got, "RSE-2026-0005") {
		t.Errorf("mails queued: %v", one.mails)
	}
}
