package extract

import (
	"sync"
	"testing"
)

// Warm compiles what its sample mail needs, and may run while mail is
// being read; reading the sample again compiles nothing more.
func TestWarmAlongsideReading(t *testing.T) {
	var wg sync.WaitGroup
	wg.Go(Warm)
	for _, m := range warmMail {
		wg.Go(func() { Analyze(m, testProgram) })
	}
	wg.Wait()
	compiled := func() (n int) {
		for _, l := range allPatterns {
			if l.re != nil {
				n++
			}
		}
		return n
	}
	before := compiled()
	if before == 0 {
		t.Fatal("Warm compiled no pattern")
	}
	for _, m := range warmMail {
		Analyze(m, testProgram)
	}
	if after := compiled(); after != before {
		t.Errorf("reading the sample again compiled %d more patterns", after-before)
	}
	// The sample mail reads as what it was written to be.
	if r := Analyze(warmMail[0], testProgram); r.Kind != KindApplication || r.Applicant.Siret == "" {
		t.Errorf("warm application read as %s, SIRET %q", r.Kind, r.Applicant.Siret)
	}
}
