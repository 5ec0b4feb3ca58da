package store

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

func TestAddressKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"victim@gmail.com", "victim@gmail.com"},
		{"Victim+1@Gmail.com", "victim@gmail.com"},
		{"v.ictim@gmail.com", "victim@gmail.com"},
		{"vi.ct.im@googlemail.com", "victim@gmail.com"},
		{" V.I.C.T.I.M+rse@GoogleMail.com ", "victim@gmail.com"},
		{"jean.dupont+rse@orange.fr", "jean.dupont@orange.fr"},
		{"Jean.Dupont@Orange.FR", "jean.dupont@orange.fr"},
		{"+tag@example.org", "+tag@example.org"},
		{"not an address", "not an address"},
	} {
		if got := AddressKey(c.in); got != c.want {
			t.Errorf("AddressKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Rows written before mailbox keys existed get them from the migration,
// with the same folding as AddressKey.
func TestMailboxKeyMigrationBackfill(t *testing.T) {
	ctx := context.Background()
	st, err := openNoMigrate(filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.migrateTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	addrs := []string{"V.ictim+1@GoogleMail.com", "jean.dupont+rse@orange.fr", "Anne@Example.org", "a+b+c@x.fr"}
	for i, a := range addrs {
		if _, err := st.db.Exec(`INSERT INTO outbox (kind, recipient, subject, header_msgid, body_text, body_html,
			next_attempt_at, created_at) VALUES ('ack', ?, 's', ?, 't', 'h', '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z')`,
			a, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for i, a := range addrs {
		var key string
		if err := st.db.QueryRow(`SELECT recipient_key FROM outbox WHERE header_msgid = ?`, i).Scan(&key); err != nil {
			t.Fatal(err)
		}
		if key != AddressKey(a) {
			t.Errorf("%s: backfilled %q, AddressKey says %q", a, key, AddressKey(a))
		}
	}
}

// TestLowerPrintableAsToLower holds lowerPrintable to what it stands
// for: s is printable ASCII, and ToLower(TrimSpace(s)) is s; over every
// byte at every place of a long address, and drawn strings.
func TestLowerPrintableAsToLower(t *testing.T) {
	want := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x21 || s[i] > 0x7e {
				return false
			}
		}
		return strings.ToLower(strings.TrimSpace(s)) == s
	}
	base := "jean.pierre+rse_2026@exemple-48.fr"
	for i := range len(base) {
		for c := range 256 {
			s := base[:i] + string([]byte{byte(c)}) + base[i+1:]
			if got := lowerPrintable(s); got != want(s) {
				t.Fatalf("lowerPrintable(%q) = %v", s, got)
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		b := make([]byte, rng.IntN(20))
		for j := range b {
			b[j] = byte(rng.IntN(256))
			if rng.IntN(2) == 0 {
				b[j] = "az@.+AZ \x7f\x80\x20\x21\x7e\x40\x5b\x5a\x41"[rng.IntN(17)]
			}
		}
		if got := lowerPrintable(string(b)); got != want(string(b)) {
			t.Fatalf("lowerPrintable(%q) = %v", b, got)
		}
	}
}
