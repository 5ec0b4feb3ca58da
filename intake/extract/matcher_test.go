package extract

import (
	"os"
	"path/filepath"
	"slices"
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
		solicitAction, solicitPressure, applyWords, autoBody, bounceBody, spamWords, spamStrongWords, comeBackStems, intentStems,
		sendsLaterCue, manyFactsWords}
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

// TestScanEndsFindsEveryEnd: where the marked phrases end, as scanEnds
// reports them (the text scanned in two halves when long), are every end
// of theirs that strings.Index finds, in order, on the corpus mails and on
// texts with stems across the middle.
func TestScanEndsFindsEveryEnd(t *testing.T) {
	texts := []string{"", "je candidate", strings.Repeat("inscription ", 40)}
	for n := 240; n < 300; n++ {
		texts = append(texts, strings.Repeat("x", n)+"participer postuler",
			strings.Repeat("y", n/2)+"deposer"+strings.Repeat("z", n/2)+"candidat")
	}
	m := ownPhrases()
	// The longest phrase and a stem, with the middle swept across them.
	longest := ""
	for w := range m.ids {
		if len(w) > len(longest) {
			longest = w
		}
	}
	for _, p := range []string{longest, "candidat"} {
		for a := 250; a < 254; a++ {
			for b := a - len(p) - 8; b < a+len(p)+8; b++ {
				texts = append(texts, strings.Repeat("x", a)+p+strings.Repeat("y", b))
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, applicant.Fold(string(b)))
		}
	}
	for _, text := range texts {
		hits, ends := m.scanEnds(text, intentStemMarks())
		at := map[int32]bool{}
		for _, w := range intentStems {
			for i := 0; ; i++ {
				k := strings.Index(text[i:], w)
				if k < 0 {
					break
				}
				i += k
				at[int32(i+len(w)-1)] = true
			}
		}
		var want []int32
		for i := range text {
			if at[int32(i)] {
				want = append(want, int32(i))
			}
		}
		if !slices.Equal(ends, want) {
			t.Fatalf("in %.60q (%d bytes): ends %v, want %v", text, len(text), ends, want)
		}
		for w, id := range m.ids {
			if hits[id] != strings.Contains(text, w) {
				t.Fatalf("phrase %q in %.60q: matcher %v", w, text, hits[id])
			}
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

// TestBounceSubjectsAsIn: the failure_subject rule's one pass over the
// subject (bounceSubjects) finds a bounce phrase where bounceSubject.in
// does, on the corpus mails' subjects and on the phrases themselves.
func TestBounceSubjectsAsIn(t *testing.T) {
	texts := []string{"", "undeliverable", "re: non remis", "echec de la remis", strings.Join(bounceSubject, "")}
	for _, w := range bounceSubject {
		texts = append(texts, w, "fwd: "+w+" x", w[:len(w)-1], w[1:])
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "Subject:") {
					texts = append(texts, applicant.Fold(strings.TrimSpace(l[len("Subject:"):])))
				}
			}
		}
	}
	for _, s := range texts {
		if got, want := bounceSubjects().holds(s), bounceSubject.in(s); got != want {
			t.Fatalf("%q: bounceSubjects %v, bounceSubject.in %v", s, got, want)
		}
	}
}
