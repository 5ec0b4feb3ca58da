package store

import (
	"math/rand/v2"
	"net/mail"
	"testing"
)

// TestPlainAddressAsParse holds PlainAddress to net/mail.ParseAddress: an
// address it takes is one ParseAddress reads as itself.
func TestPlainAddressAsParse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "abcAZ09._+-@@..  \"<>()[],;:\\!#$%&'*/=?^`{|}~\x00\xc3\xa9"
	taken := 0
	for i := range 300000 {
		n := 1 + r.IntN(12)
		if i%3 == 0 { // mostly letters, some structure
			n = 3 + r.IntN(20)
		}
		b := make([]byte, n)
		for j := range b {
			if i%3 == 0 && r.IntN(4) > 0 {
				b[j] = "abcxyz019"[r.IntN(9)]
			} else {
				b[j] = alphabet[r.IntN(len(alphabet))]
			}
		}
		s := string(b)
		if !PlainAddress(s) {
			continue
		}
		taken++
		addr, err := mail.ParseAddress(s)
		if err != nil || addr.Address != s || addr.Name != "" {
			t.Fatalf("PlainAddress(%q) is true, ParseAddress gives %+v, %v", s, addr, err)
		}
	}
	for _, s := range []string{"anne.roux@example.fr", "a+b_c-d@x-y.example.com", "A@B", "x@y"} {
		if !PlainAddress(s) {
			t.Errorf("PlainAddress(%q) = false", s)
		}
	}
	for _, s := range []string{"", "@x", "x@", "x@@y", ".x@y", "x.@y", "x..y@z", "x@y.", "x@.y", "x@y..z", "x y@z", "<x@y>", "x@[1.2.3.4]"} {
		if PlainAddress(s) {
			t.Errorf("PlainAddress(%q) = true", s)
		}
	}
	if taken < 500 {
		t.Fatalf("only %d drawn addresses taken", taken)
	}
}
