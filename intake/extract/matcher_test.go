package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestPhraseMatcherAgreesWithContains: the one-pass matcher finds exactly
// the phrases strings.Contains finds, on every corpus mail and on texts
// made of the phrases themselves (overlaps, prefixes of each other).
func TestPhraseMatcherAgreesWithContains(t *testing.T) {
	lists := [][]string{applyIntent, freshApplication, beforeApplying, laterIntent, callWords, question, completion,
		salesPitch, notApplicant, invitation, jobSeeker, jobStrong, jobSupport, offersServices, priceCues, requestsForm,
		forClient, thirdParty, receiptQuestion, mentionsOwnApplication, ownCompanyWords, toTheCompany, solicitTopic,
		solicitAction, solicitPressure, applyWords, autoBody, bounceBody, spamWords, spamStrongWords, comeBackStems, intentStems}
	texts := []string{"", "candidat", "je souhaite candidater au programme", strings.Join(completion, " "),
		strings.Join(spamWords, ""), "ma candidaturecandidater postuler" + strings.Repeat("a", 100)}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, applicant.Fold(string(b)))
		}
	}
	for _, text := range texts {
		hits := ownPhrases().scan(text)
		some := false
		for _, l := range lists {
			for _, w := range l {
				if got, want := ownPhrases().any(hits, []string{w}, text), strings.Contains(text, w); got != want {
					t.Fatalf("phrase %q in %.60q: matcher %v, Contains %v", w, text, got, want)
				}
				some = some || strings.Contains(text, w)
			}
		}
		if got := ownPhrases().holds(text); got != some {
			t.Fatalf("in %.60q: holds %v, Contains %v", text, got, some)
		}
	}
}

// TestReadWindow keeps the first screens and the end of a long text, and
// all of a short one.
func TestReadWindow(t *testing.T) {
	short := []string{"Bonjour", "SIRET : 812 345 676 00017", "Paul"}
	if got := readWindow(short); len(got) != 3 {
		t.Errorf("short text cut: %q", got)
	}
	var long []string
	long = append(long, "Entreprise : Atelier Vidal")
	for i := 0; i < 400; i++ {
		long = append(long, strings.Repeat("prose ", 12))
	}
	long = append(long, "Paul Vidal", "06 12 34 56 78")
	got := readWindow(long)
	size := 0
	for _, l := range got {
		size += len(l) + 1
	}
	if got[0] != long[0] || got[len(got)-1] != "06 12 34 56 78" || got[len(got)-2] != "Paul Vidal" {
		t.Errorf("window lost the first screen or the signature: %q … %q", got[0], got[len(got)-2:])
	}
	if size > readHead+readTail+3 { // the gap line and the newlines of cut lines
		t.Errorf("window of %d bytes, want at most %d", size, readHead+readTail)
	}
	// One line longer than the window is cut at a character boundary.
	one := []string{strings.Repeat("é", readHead)}
	for _, l := range readWindow(one) {
		if !strings.HasPrefix(l, "é") && l != "" || strings.ContainsRune(l, '\uFFFD') {
			t.Errorf("cut inside a character: %.20q", l)
		}
	}
}

// TestSolicitationPhrasesHoldNoLineBreak: companySolicitation looks for
// them in the subject and in the own text apart, which finds what the two
// joined by a line break hold only if no phrase holds one.
func TestSolicitationPhrasesHoldNoLineBreak(t *testing.T) {
	for _, l := range [][]string{toTheCompany, solicitTopic, solicitAction, solicitPressure} {
		for _, w := range l {
			if strings.Contains(w, "\n") {
				t.Errorf("phrase %q holds a line break", w)
			}
		}
	}
}
