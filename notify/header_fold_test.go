package notify

import (
	"bufio"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

// Whatever a row of the outbox holds (a 10,000-character name or subject,
// controls, U+2028), the mail that leaves has no header line over 998
// bytes and no raw control character: the sender caps and cleans display
// names and subjects itself, before go-mail encodes them.
func TestLongHeaderValuesAreFolded(t *testing.T) {
	ctx := context.Background()
	_, st, c, sink, s := senderSetup(t)
	_, _, m := seedApplication(t, st, c, store.Applicant{Email: "long@example.net"}, nil, nil)
	long := strings.Repeat("Élodie\u0085\u2028 ", 1500)
	if _, err := st.DB().ExecContext(ctx, `UPDATE outbox SET recipient_name = ?, subject = ? WHERE id = ?`,
		long, "Votre candidature "+long, m.ID); err != nil {
		t.Fatal(err)
	}
	if res, err := s.SendDue(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	data := sink.Messages()[0].Data
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	sc := bufio.NewScanner(bytes.NewReader(head))
	for sc.Scan() {
		if len(sc.Bytes()) > 998 {
			t.Errorf("header line of %d bytes: %.60q…", len(sc.Bytes()), sc.Text())
		}
		if bytes.ContainsAny(sc.Bytes(), "\x85\u2028") {
			t.Errorf("control in header line %.60q", sc.Text())
		}
	}
	r := parseReceived(t, data)
	to, err := r.header.AddressList("To")
	if err != nil || len(to) != 1 || !strings.HasPrefix(to[0].Name, "Élodie Élodie") || len([]rune(to[0].Name)) > MaxEchoLen {
		t.Errorf("To %.80v, %v", to, err)
	}
	if subj, err := r.header.Subject(); err != nil || !strings.HasPrefix(subj, "Votre candidature Élodie") {
		t.Errorf("Subject %.80q, %v", subj, err)
	}
}
