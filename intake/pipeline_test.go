package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/store"
)

// testComposer renders plain acknowledgements so that pipeline tests can
// see what is queued without depending on the notify templates.
type testComposer struct{ n int }

func (c *testComposer) mail(kind string, app *store.Application, answering *store.Message) *store.OutboxMail {
	c.n++
	return &store.OutboxMail{
		Kind: kind, Recipient: app.Email, Subject: kind + " " + app.Reference,
		HeaderMsgID: "<" + kind + "-" + app.Reference + "@example.org>", InReplyTo: answering.MessageID,
		DedupeKey: kind + ":" + app.Reference, BodyText: "missing: " + missingNote(app.Missing), BodyHTML: "<p>x</p>",
	}
}

func (c *testComposer) Acknowledgement(app *store.Application, _ []store.Attachment, m *store.Message) (*store.OutboxMail, error) {
	return c.mail(store.MailAck, app, m), nil
}

func (c *testComposer) Completion(app *store.Application, m *store.Message) (*store.OutboxMail, error) {
	return c.mail(store.MailComplete, app, m), nil
}

var corpusProgram = extract.Program{
	Address:         "rse.innovation.manageriale@gmail.com",
	Coordinators:    []string{"coordination@rse-lozere.fr"},
	ReferencePrefix: "RSE",
}

type truth struct {
	Kind              string  `json:"kind"`
	ShouldAcknowledge bool    `json:"should_acknowledge"`
	MessageID         *string `json:"message_id"`
	Completes         *string `json:"completes"`
}

func newTestPipeline(t *testing.T) (*Pipeline, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetClock(func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) })
	p := NewPipeline(st, Config{
		Program:  corpusProgram,
		Files:    store.Files{Dir: filepath.Join(dir, "files")},
		Composer: &testComposer{},
		Location: time.UTC,
	})
	return p, st
}

func corpusFiles(t testing.TB) []string {
	files, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	sort.Strings(files)
	return files
}

// TestIngestCorpus takes the shared corpus in, in file order, and checks
// what the store decides: references in order, follow-ups threaded to the
// application they complete, the duplicate delivery not answered again,
// and exactly one acknowledgement per acknowledgeable application.
func TestIngestCorpus(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	byMsgID := map[string]string{} // Message-ID -> reference
	var acks int
	for _, f := range corpusFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var want truth
		b, _ := os.ReadFile(strings.TrimSuffix(f, ".eml") + ".json")
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		out, err := p.Ingest(ctx, Source{}, raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		if want.Kind == "application" && want.ShouldAcknowledge {
			acks++
			if !out.Created {
				t.Errorf("%s: no application created (outcome %+v)", name, out)
			}
			if want.MessageID != nil {
				byMsgID[*want.MessageID] = out.Reference
			}
		}
		if want.Completes != nil {
			if ref := byMsgID[*want.Completes]; out.Reference != ref || out.Created {
				t.Errorf("%s: completes %s, want %s (outcome %+v)", name, out.Reference, ref, out)
			}
		}
		if strings.HasPrefix(name, "20-") && (!out.Duplicate || len(out.Queued) > 0) {
			t.Errorf("%s: duplicate delivery not recognised: %+v", name, out)
		}
		if !want.ShouldAcknowledge {
			for _, q := range out.Queued {
				if q == store.MailAck {
					t.Errorf("%s: acknowledgement queued for a message that must not be answered", name)
				}
			}
		}
	}
	apps, err := st.Applications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != acks {
		t.Errorf("%d applications, want %d", len(apps), acks)
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].ID < apps[j].ID })
	for i, a := range apps {
		if want := "RSE-2026-" + pad4(i+1); a.Reference != want {
			t.Errorf("application %d reference %s, want %s", i, a.Reference, want)
		}
	}
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Messages != len(corpusFiles(t)) || s.Duplicates != 1 {
		t.Errorf("stats: %d messages (%d duplicates), want %d (1)", s.Messages, s.Duplicates, len(corpusFiles(t)))
	}
	var ackRows int
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for _, a := range apps {
			has, err := tx.HasMail(ctx, "ack:"+a.Reference)
			if err != nil {
				return err
			}
			if has {
				ackRows++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ackRows != acks {
		t.Errorf("%d acknowledgements queued, want %d", ackRows, acks)
	}
	// 02 lacked its SIRET; 08 sent it: the file is complete, and the
	// follow-up's quoted history did not overwrite anything.
	a2, err := st.Application(ctx, "RSE-2026-0002")
	if err != nil {
		t.Fatal(err)
	}
	if a2.Siret != "42387196100011" {
		t.Errorf("RSE-2026-0002 siret = %q after its follow-up", a2.Siret)
	}
	hist, err := st.History(ctx, a2.ID)
	if err != nil || len(hist) < 2 {
		t.Errorf("RSE-2026-0002 history = %+v, %v", hist, err)
	}
}

func pad4(n int) string { return fmt.Sprintf("%04d", n) }

// TestIngestUnreadableAndDamaged: a message that cannot be read is kept
// raw for review and the next one still goes through.
func TestIngestUnreadableAndDamaged(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	garbage := []byte("\x00\x01\x02 not a mail at all \xff\xfe")
	out, err := p.Ingest(ctx, Source{}, garbage)
	if err != nil {
		t.Fatal(err)
	}
	if !out.NeedsReview || out.Reference == "" {
		t.Fatalf("garbage: %+v, want needs_review with an application to review", out)
	}
	a, err := st.Application(ctx, out.Reference)
	if err != nil || a.Status != store.StatusNeedsReview {
		t.Fatalf("garbage application = %+v, %v", a, err)
	}
	raw, err := st.MessageRaw(ctx, out.MessageID)
	if err != nil || string(raw) != string(garbage) {
		t.Errorf("raw bytes not kept: %q %v", raw, err)
	}
	// The next message still goes through.
	good, _ := os.ReadFile("testdata/corpus/01-champs-etiquetes-utf8-qp.eml")
	if out, err := p.Ingest(ctx, Source{}, good); err != nil || !out.Created {
		t.Fatalf("message after garbage: %+v, %v", out, err)
	}
}
