package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPhoneEndAsPattern holds phoneEnd, rePhone read by hand, to the
// pattern: on numbers written every way, on every offset of the bench
// mailbox's texts where findPhones tries it, and on strings drawn from the
// bytes the pattern reads.
func TestPhoneEndAsPattern(t *testing.T) {
	texts := []string{"", "0", "+", "00", "06 12 34 56 78", "06.12.34.56.78", "0612345678", "06-12-34-56-78",
		"+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "+33( 0 ) 612345678", "0033 6 12 34 56 78", "00336 12 34 56 78",
		"06/12/34/56/78", "06 12 34\r\n56 78", "06 12 34 \n56 78", "06 12 34\n56 78", "06 12 34 \r\n56 78", "+33\t(0)\t6 12 34 56 78",
		"06 12 34 56 7", "06  12 34 56 78", "+33 (0) 6/12/34/56/78", "+33 (0 6 12 34 56 78", "+336123456789", "0033(0)612345678",
		"+33 (0)\n6 12 34 56 78", "06 12 34 56 78 90", "05\r\n12 34 56 78", "0\n612345678", "+ 33 6 12 34 56 78", "+33  6 12 34 56 78"}
	for _, raw := range benchMailboxTexts(t) {
		for i := 0; i < len(raw); i++ {
			if raw[i] == '0' || raw[i] == '+' {
				texts = append(texts, raw[i:min(len(raw), i+40)])
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "0123456789  ..--\r\n\n//++(()3300\t\fx"
	for range 200000 {
		var b strings.Builder
		for n := rng.IntN(40); n > 0; n-- {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, b.String(), "0"+b.String(), "+33"+b.String(), "06"+b.String())
	}
	matched := 0
	for _, s := range texts {
		want := -1
		if loc := rePhone.FindStringIndex(s); loc != nil {
			want = loc[1]
			matched++
		}
		if got := phoneEnd(s); got != want {
			t.Fatalf("phoneEnd(%q) = %d, rePhone ends at %d", s, got, want)
		}
	}
	if matched < 1000 {
		t.Fatalf("rePhone matched %d texts: the test reads too few", matched)
	}
}
