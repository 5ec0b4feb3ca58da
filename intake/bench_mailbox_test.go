package intake

import (
	"testing"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// TestBenchMailboxIsCleanMail: the mailbox the benchmarks take in
// (rse-bench, BenchmarkWriter) is mail as clients write it, so that they
// time the usual path and not the salvaging of damaged mail: no defect
// found in any message, and the kinds it is meant to hold.
func TestBenchMailboxIsCleanMail(t *testing.T) {
	raws, _ := imaptest.GenerateMailbox(200, 1)
	kinds := map[string]int{}
	for i, raw := range raws {
		an, err := Analyze(raw, corpusProgram, mailparse.Options{})
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if len(an.Mail.Errors) > 0 {
			t.Errorf("message %d: %v", i, an.Mail.Errors)
		}
		kinds[an.Result.Kind]++
	}
	t.Log(kinds)
	for _, k := range []string{extract.KindApplication, extract.KindBulk, extract.KindAutoReply} {
		if kinds[k] < len(raws)/8 {
			t.Errorf("%d messages of kind %s, want about a fifth or more: %v", kinds[k], k, kinds)
		}
	}
}
