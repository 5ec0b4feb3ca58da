package store

import (
	"context"
	"path/filepath"
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
