package intake

import (
	"errors"
	"net"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
)

// TestCheckDovecot: Check sees Dovecot's capabilities, counts every
// message as waiting before the first poll and none after it, and leaves
// the mailbox as it was (nothing flagged, nothing stored).
func TestCheckDovecot(t *testing.T) {
	d := imaptest.StartDovecot(t)
	corpus := imapCorpus(t)[:5]
	if err := d.Append(corpus...); err != nil {
		t.Fatal(err)
	}
	st, pl := newIMAPPipeline(t)
	p := NewPoller(st, pl, dovecotOptions(d, "flag"))
	res, err := p.Check(t.Context(), st)
	if err != nil {
		t.Fatalf("%v\n%s", err, d.Log())
	}
	for _, c := range []string{"IDLE", "MOVE", "UIDPLUS", "CONDSTORE"} {
		if !res.Caps[c] {
			t.Errorf("Dovecot offers %s; check says %v", c, res.Caps)
		}
	}
	if res.Messages != 5 || res.Waiting != 5 || res.Checkpoint != 0 || res.UIDValidity == 0 {
		t.Errorf("before any poll: %+v", res)
	}
	if n := messageRows(t, st); n != 0 {
		t.Errorf("check stored %d messages", n)
	}
	checkMarks(t, d.Account(), "keep", 5)

	if _, err := p.PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := d.Append(corpus[0]); err != nil {
		t.Fatal(err)
	}
	res, err = p.Check(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 6 || res.Waiting != 1 || res.Checkpoint != 5 {
		t.Errorf("after a poll and one more message: %+v", res)
	}
}

func TestCheckWrongPasswordIsAnAuthFailure(t *testing.T) {
	d := imaptest.StartDovecot(t)
	o := dovecotOptions(d, "flag")
	o.Password = "not-the-password"
	_, err := NewPoller(nil, nil, o).Check(t.Context(), nil)
	if err == nil || !IsAuthFailure(err) {
		t.Fatalf("wrong password: %v; want an auth failure", err)
	}
	o = dovecotOptions(d, "flag")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nobody listens there now
	_, err = NewPoller(nil, nil, o).Check(t.Context(), nil)
	if err == nil || IsAuthFailure(err) {
		t.Errorf("unreachable server: %v; want an error that is not an auth failure", err)
	}
	if IsAuthFailure(errors.New("imap x: login: EOF")) {
		t.Error("a dropped connection during login is not a refusal")
	}
}
