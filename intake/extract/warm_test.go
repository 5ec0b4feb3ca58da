package extract

import (
	"sync"
	"testing"
)

// Warm compiles every pattern, and may run while mail is being read.
func TestWarmCompilesEveryPatternAlongsideReading(t *testing.T) {
	var wg sync.WaitGroup
	wg.Go(Warm)
	for _, m := range warmMail {
		wg.Go(func() { Analyze(m, testProgram) })
	}
	wg.Wait()
	for _, l := range allPatterns {
		if l.re == nil {
			t.Errorf("pattern %q not compiled", l.src)
		}
	}
	// The sample mail reads as what it was written to be.
	if r := Analyze(warmMail[0], testProgram); r.Kind != KindApplication || r.Applicant.Siret == "" {
		t.Errorf("warm application read as %s, SIRET %q", r.Kind, r.Applicant.Siret)
	}
}
