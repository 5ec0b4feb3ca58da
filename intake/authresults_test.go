package intake

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store"
)

func TestReadAuthResults(t *testing.T) {
	const gmailPass = `mx.google.com;
       dkim=pass header.i=@example.fr header.s=s1 header.b=Qx3vLm2a;
       spf=pass (google.com: domain of a@example.fr designates 1.2.3.4 as permitted sender) smtp.mailfrom=a@example.fr;
       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.fr`
	for _, c := range []struct {
		name           string
		values         []string
		authserv, from string
		failed, passed bool
	}{
		{"gmail pass", []string{gmailPass}, "mx.google.com", "a@example.fr", false, true},
		{"dmarc fail", []string{"mx.google.com; dkim=none; spf=softfail smtp.mailfrom=x@example.fr; dmarc=fail (p=REJECT) header.from=example.fr"},
			"mx.google.com", "a@example.fr", true, false},
		{"spf fail, no dkim", []string{"mx.google.com; spf=fail smtp.mailfrom=a@example.fr"}, "MX.Google.com", "a@example.fr", true, false},
		{"spf fail, aligned dkim passes", []string{"mx.google.com; dkim=pass header.d=mail.example.fr; spf=fail smtp.mailfrom=b@relay.net"},
			"mx.google.com", "a@example.fr", false, true},
		{"spf fail, dkim of another domain", []string{"mx.google.com; dkim=pass header.d=relay.net; spf=fail smtp.mailfrom=b@relay.net"},
			"mx.google.com", "a@example.fr", true, false},
		{"softfail alone is no verdict", []string{"mx.google.com; spf=softfail smtp.mailfrom=a@example.fr; dmarc=none"},
			"mx.google.com", "a@example.fr", false, false},
		// A sender can write any header below the provider's: only the
		// topmost one by the trusted id counts.
		{"forged pass below the provider's fail", []string{"mx.google.com; dmarc=fail header.from=example.fr", gmailPass},
			"mx.google.com", "a@example.fr", true, false},
		{"other ids ignored", []string{"evil.example; dmarc=pass", "mx.google.com 1; dmarc=fail"}, "mx.google.com", "a@example.fr", true, false},
		{"nothing trusted when unset", []string{"mx.google.com; dmarc=fail"}, "", "a@example.fr", false, false},
	} {
		v := ReadAuthResults(c.values, c.authserv, c.from)
		if v.Failed != c.failed || v.Passed != c.passed {
			t.Errorf("%s: %+v, want failed %v passed %v", c.name, v, c.failed, c.passed)
		}
	}
}

// withAuthResults puts an Authentication-Results header on top of a
// corpus mail, as the receiving provider would.
func withAuthResults(t *testing.T, file, value string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "corpus", file))
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte("Authentication-Results: "+value+"\r\n"), raw...)
}

// No backscatter: a mail whose sender failed DMARC at the provider is
// stored and shown to coordinators, never answered; a forward is answered
// to its applicant only when the forwarder's own mail passed.
func TestNoAnswerWhenSenderFailedAuthentication(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, file, auth string
		answered         bool
	}{
		{"direct, dmarc fail", "01-champs-etiquetes-utf8-qp.eml", "mx.google.com; spf=fail smtp.mailfrom=x@y.fr; dmarc=fail header.from=y.fr", false},
		{"direct, pass", "01-champs-etiquetes-utf8-qp.eml", "mx.google.com; dmarc=pass", true},
		{"forward, dmarc fail", "09-transfert-cci-conseillere.eml", "mx.google.com; dmarc=fail header.from=cci-lozere.fr", false},
		{"forward, no verdict", "09-transfert-cci-conseillere.eml", "mx.google.com; spf=neutral smtp.mailfrom=s.marty@cci-lozere.fr", false},
		{"forward, forwarder passed", "09-transfert-cci-conseillere.eml", "mx.google.com; dkim=pass header.d=cci-lozere.fr; dmarc=pass", true},
		{"forward, fail under another id", "09-transfert-cci-conseillere.eml", "relay.example; dmarc=fail", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, st := newTestPipeline(t)
			p.cfg.AuthservID = "mx.google.com"
			out, err := p.Ingest(ctx, Source{}, withAuthResults(t, c.file, c.auth))
			if err != nil || !out.Created {
				t.Fatalf("%+v, %v: the mail must still be stored as an application", out, err)
			}
			if got := len(out.Queued) == 1; got != c.answered {
				t.Fatalf("answered %v, want %v", got, c.answered)
			}
			app := mustApp(t, st, out.Reference)
			msgs, err := st.ApplicationMessages(ctx, app.ID)
			if err != nil || len(msgs) != 1 {
				t.Fatalf("messages %v, %v", msgs, err)
			}
			hasReason := strings.Contains(strings.Join(msgs[0].Errors, "\n"), "authentication at mx.google.com")
			if msgs[0].ShouldAcknowledge != c.answered || hasReason == c.answered {
				t.Errorf("stored should_acknowledge %v, errors %q", msgs[0].ShouldAcknowledge, msgs[0].Errors)
			}
			if c.answered && strings.HasPrefix(c.file, "09") {
				rows, err := st.OutboxList(ctx, store.OutboxPending)
				if err != nil || len(rows) != 1 || rows[0].Recipient != "garage.castan@orange.fr" || app.ForwardedBy != "s.marty@cci-lozere.fr" {
					t.Errorf("forward answered to %+v (forwarded by %q), %v", rows, app.ForwardedBy, err)
				}
			}
		})
	}
}

// Trusting the provider's verdicts refuses nothing legitimate: every
// corpus mail keeps the should_acknowledge its truth file gives, with
// authserv_id set to the Gmail receiver that wrote their headers.
func TestCorporaUnchangedWithAuthservID(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	checked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := os.ReadFile(strings.TrimSuffix(f, ".eml") + ".json")
		if err != nil {
			continue // a fixture without truth
		}
		var want truth
		if err := json.Unmarshal(tb, &want); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		an, err := Analyze(raw, corpusProgram, mailparse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		before := an.Result.ShouldAcknowledge
		guardAnswer(&an, "mx.google.com")
		if an.Result.ShouldAcknowledge != before {
			t.Errorf("%s: should_acknowledge %v became %v: %q", f, before, an.Result.ShouldAcknowledge, an.Mail.Errors)
		}
		checked++
	}
	if checked < 50 {
		t.Errorf("only %d corpus mails checked", checked)
	}
}

// FuzzReadAuthResults: any header a sender writes is read without panic,
// and a verdict is never both a failure and a pass.
func FuzzReadAuthResults(f *testing.F) {
	f.Add("mx.google.com; dkim=pass header.d=example.fr; spf=fail smtp.mailfrom=a@b.fr; dmarc=fail (p=REJECT) header.from=example.fr")
	f.Add("mx.google.com 1; (comment (nested)) dmarc=pass")
	f.Add(";;;=;==;(")
	f.Fuzz(func(t *testing.T, v string) {
		r := ReadAuthResults([]string{v}, "mx.google.com", "a@example.fr")
		if r.Failed && r.Passed {
			t.Errorf("%q: failed and passed", v)
		}
	})
}
