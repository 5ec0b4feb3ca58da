package extract

import (
	"net/textproto"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestHeaderKeysCanonical: every header key the rules look up with hdr
// and hasHdr is in canonical form, as the parser keys the header: they
// are looked up as written.
func TestHeaderKeysCanonical(t *testing.T) {
	re := regexp.MustCompile(`(?:hdr|hasHdr)\([a-zA-Z.]+, "([^"]+)"\)`)
	n := 0
	for _, f := range []string{"classify.go", "rules.go", "extract.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			if c := textproto.CanonicalMIMEHeaderKey(m[1]); c != m[1] {
				t.Errorf("%s: header key %q, canonical %q", f, m[1], c)
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d header keys, want the rules' twenty or more", n)
	}
}

// TestWithoutSeparatorsAsReplacer: withoutSeparators drops what a
// replacer of "-", "_" and "." by "" drops.
func TestWithoutSeparatorsAsReplacer(t *testing.T) {
	r := strings.NewReplacer("-", "", "_", "", ".", "")
	for _, s := range []string{"", "-", "._-", "no-reply", "ne_pas.repondre", "marie.dupont", "abc", "é-è", "a..b__c--"} {
		if got, want := withoutSeparators(s), r.Replace(s); got != want {
			t.Errorf("withoutSeparators(%q) = %q, want %q", s, got, want)
		}
	}
}
