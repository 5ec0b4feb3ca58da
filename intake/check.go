package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/rse-lozere/rse-intake/intake/oauth"
	"github.com/rse-lozere/rse-intake/store"
)

// CheckedCaps are the IMAP capabilities that change how intake works:
// IDLE (mail seen in a second rather than at the next poll), MOVE and
// UIDPLUS ("move:FOLDER" without touching other messages), CONDSTORE.
var CheckedCaps = []imap.Cap{imap.CapIdle, imap.CapMove, imap.CapUIDPlus, imap.CapCondStore}

// IMAPCheck is what Check saw of the server and the mailbox.
type IMAPCheck struct {
	Server      string          // host:port
	Caps        map[string]bool // each of CheckedCaps: offered or not
	Mailbox     string
	Messages    uint32 // in the mailbox
	UIDValidity uint32
	// Waiting counts the messages above the store's checkpoint: those the
	// next poll takes in. All of them when the store has never read this
	// mailbox (or read it under another UIDVALIDITY).
	Waiting    int
	Checkpoint uint32 // last UID taken in; 0 when never
}

// Check signs in, examines the mailbox read-only and counts the messages
// not yet taken in, changing nothing on the server or in the store (st may
// be nil: no store yet). Errors name the server and the step.
func (p *Poller) Check(ctx context.Context, st *store.Store) (IMAPCheck, error) {
	res := IMAPCheck{Server: p.opts.Addr(), Mailbox: p.opts.Mailbox, Caps: map[string]bool{}}
	if err := p.opts.Validate(); err != nil {
		return res, err
	}
	s, err := p.connect(ctx)
	if err != nil {
		return res, err
	}
	defer s.close()
	for _, c := range CheckedCaps {
		res.Caps[string(c)] = s.caps.Has(c) || (c != imap.CapUIDPlus && c != imap.CapCondStore && s.caps.Has(imap.CapIMAP4rev2))
	}
	s.arm()
	sel, err := s.c.Select(s.o.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	s.disarm()
	if err != nil {
		return res, s.fail("examine "+s.o.Mailbox, err)
	}
	res.Messages, res.UIDValidity = sel.NumMessages, sel.UIDValidity
	var last uint32
	if st != nil {
		cps, err := st.Checkpoints(ctx)
		if err != nil {
			return res, fmt.Errorf("imap %s: %w", s.addr, err)
		}
		for _, cp := range cps {
			if cp.Server == s.addr && cp.Username == s.o.Username && cp.Mailbox == s.o.Mailbox &&
				cp.UIDValidity == sel.UIDValidity {
				last = cp.LastUID
			}
		}
	}
	res.Checkpoint = last
	if sel.NumMessages == 0 {
		return res, nil
	}
	uids, err := s.newUIDs(last, sel.UIDNext)
	if err != nil {
		return res, err
	}
	res.Waiting = len(uids)
	return res, nil
}

// IsAuthFailure reports whether err is the server refusing the sign-in
// (wrong password, expired or revoked credentials), as opposed to a
// server that cannot be reached: the first needs a person, the second
// usually passes. A lost OAuth sign-in (oauth.ErrSignInAgain) is one.
func IsAuthFailure(err error) bool {
	if errors.Is(err, oauth.ErrSignInAgain) {
		return true
	}
	var ie *imap.Error
	if !errors.As(err, &ie) {
		return false
	}
	switch ie.Code {
	case imap.ResponseCodeAuthenticationFailed, imap.ResponseCodeAuthorizationFailed, imap.ResponseCodeExpired:
		return true
	}
	return ie.Type == imap.StatusResponseTypeNo && strings.Contains(err.Error(), ": login: ")
}
