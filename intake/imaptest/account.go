// Package imaptest runs real IMAP servers for tests, benchmarks and the
// demo: the in-process go-imap memory server (fast, always available) and
// a throwaway Dovecot 2.3 (the real thing, when installed). It also
// inspects a mailbox over IMAP so that a test can check what a client did
// to the server (flags set, messages moved), whichever server it runs.
package imaptest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// helperTimeout bounds the helpers that take no context.
const helperTimeout = 60 * time.Second

// Account is one login on one IMAP server.
type Account struct {
	Addr     string // host:port
	Username string
	Password string
	// TLSConfig, when set, makes the connection implicit TLS.
	TLSConfig *tls.Config
}

// Message is what a test sees of a message on the server.
type Message struct {
	UID       uint32
	Flags     []string
	MessageID string // as in the ENVELOPE: without angle brackets
	Size      int64
}

// HasFlag reports whether the message carries flag (flags and keywords
// are case-insensitive; servers do not all echo the case they were given).
func (m Message) HasFlag(flag string) bool {
	return slices.ContainsFunc(m.Flags, func(f string) bool { return strings.EqualFold(f, flag) })
}

// Dial connects and logs in.
func (a Account) Dial(ctx context.Context) (*imapclient.Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", a.Addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", a.Addr, err)
	}
	if a.TLSConfig != nil {
		cfg := a.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(a.Addr)
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("tls %s: %w", a.Addr, err)
		}
		conn = tc
	}
	c := imapclient.New(conn, nil)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := c.Login(a.Username, a.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login %s: %w", a.Addr, err)
	}
	return c, nil
}

// with runs fn on a fresh logged-in connection, closed on return or when
// ctx ends.
func (a Account) with(ctx context.Context, fn func(c *imapclient.Client) error) error {
	c, err := a.Dial(ctx)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	if err := fn(c); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	return c.Logout().Wait()
}

// Messages lists the messages of mailbox in UID order, read-only (EXAMINE:
// no flag changes).
func (a Account) Messages(ctx context.Context, mailbox string) ([]Message, error) {
	var msgs []Message
	err := a.with(ctx, func(c *imapclient.Client) error {
		sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			return fmt.Errorf("examine %s: %w", mailbox, err)
		}
		if sel.NumMessages == 0 {
			return nil
		}
		var all imap.UIDSet
		all.AddRange(1, 0)
		bufs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true}).Collect()
		if err != nil {
			return fmt.Errorf("fetch %s: %w", mailbox, err)
		}
		for _, b := range bufs {
			m := Message{UID: uint32(b.UID), Size: b.RFC822Size}
			for _, f := range b.Flags {
				m.Flags = append(m.Flags, string(f))
			}
			if b.Envelope != nil {
				m.MessageID = b.Envelope.MessageID
			}
			msgs = append(msgs, m)
		}
		return nil
	})
	slices.SortFunc(msgs, func(x, y Message) int { return int(x.UID) - int(y.UID) })
	return msgs, err
}

// UIDValidity returns the UIDVALIDITY of mailbox.
func (a Account) UIDValidity(ctx context.Context, mailbox string) (uint32, error) {
	var uv uint32
	err := a.with(ctx, func(c *imapclient.Client) error {
		data, err := c.Status(mailbox, &imap.StatusOptions{UIDValidity: true}).Wait()
		if err != nil {
			return fmt.Errorf("status %s: %w", mailbox, err)
		}
		uv = data.UIDValidity
		return nil
	})
	return uv, err
}

// Append adds raws to mailbox with IMAP APPEND (one round trip each),
// without flags, so that they arrive as new unread mail.
func (a Account) Append(ctx context.Context, mailbox string, raws ...[]byte) error {
	return a.with(ctx, func(c *imapclient.Client) error {
		for i, raw := range raws {
			cmd := c.Append(mailbox, int64(len(raw)), nil)
			if _, err := cmd.Write(raw); err != nil {
				return fmt.Errorf("append %d to %s: %w", i, mailbox, err)
			}
			if err := cmd.Close(); err != nil {
				return fmt.Errorf("append %d to %s: %w", i, mailbox, err)
			}
			if _, err := cmd.Wait(); err != nil {
				return fmt.Errorf("append %d to %s: %w", i, mailbox, err)
			}
		}
		return nil
	})
}

// Create creates mailbox; an existing one is fine.
func (a Account) Create(ctx context.Context, mailbox string) error {
	return a.with(ctx, func(c *imapclient.Client) error {
		err := c.Create(mailbox, nil).Wait()
		var ierr *imap.Error
		if errors.As(err, &ierr) && ierr.Code == imap.ResponseCodeAlreadyExists {
			return nil
		}
		if err != nil {
			return fmt.Errorf("create %s: %w", mailbox, err)
		}
		return nil
	})
}

// Count returns how many messages mailbox holds.
func (a Account) Count(ctx context.Context, mailbox string) (int, error) {
	var n int
	err := a.with(ctx, func(c *imapclient.Client) error {
		data, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			return fmt.Errorf("status %s: %w", mailbox, err)
		}
		if data.NumMessages != nil {
			n = int(*data.NumMessages)
		}
		return nil
	})
	return n, err
}

// SetMessageID returns raw with its Message-ID header set to id (angle
// brackets added when missing), replacing an existing one: the way to make
// many distinct messages out of a few corpus files.
func SetMessageID(raw []byte, id string) []byte {
	if len(id) == 0 || id[0] != '<' {
		id = "<" + id + ">"
	}
	end := headerEnd(raw)
	header, body := raw[:end], raw[end:]
	line := []byte("Message-ID: " + id + "\r\n")
	var out bytes.Buffer
	out.Grow(len(raw) + len(line))
	out.Write(line)
	// Copy the header without its Message-ID field (and the field's
	// folded continuation lines).
	skipping := false
	for len(header) > 0 {
		i := bytes.IndexByte(header, '\n')
		var l []byte
		if i < 0 {
			l, header = header, nil
		} else {
			l, header = header[:i+1], header[i+1:]
		}
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
			if !skipping {
				out.Write(l)
			}
			continue
		}
		skipping = len(l) >= 11 && bytes.EqualFold(l[:11], []byte("message-id:"))
		if !skipping {
			out.Write(l)
		}
	}
	out.Write(body)
	return out.Bytes()
}

// headerEnd returns the offset of the blank line ending the header block
// (or len(raw) when there is none).
func headerEnd(raw []byte) int {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return len(raw)
		}
		l := raw[i : i+j]
		if len(l) == 0 || (len(l) == 1 && l[0] == '\r') {
			return i
		}
		i += j + 1
	}
	return len(raw)
}

// Raws returns the raw bytes of every message of mailbox in UID order,
// read-only.
func (a Account) Raws(ctx context.Context, mailbox string) ([][]byte, error) {
	var raws [][]byte
	err := a.with(ctx, func(c *imapclient.Client) error {
		sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			return fmt.Errorf("examine %s: %w", mailbox, err)
		}
		if sel.NumMessages == 0 {
			return nil
		}
		var all imap.UIDSet
		all.AddRange(1, 0)
		section := &imap.FetchItemBodySection{Peek: true}
		bufs, err := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return fmt.Errorf("fetch %s: %w", mailbox, err)
		}
		slices.SortFunc(bufs, func(x, y *imapclient.FetchMessageBuffer) int { return int(x.UID) - int(y.UID) })
		for _, b := range bufs {
			raws = append(raws, b.FindBodySection(section))
		}
		return nil
	})
	return raws, err
}

// Expunge deletes the messages with uids from mailbox for good.
func (a Account) Expunge(ctx context.Context, mailbox string, uids ...uint32) error {
	return a.with(ctx, func(c *imapclient.Client) error {
		if _, err := c.Select(mailbox, nil).Wait(); err != nil {
			return fmt.Errorf("select %s: %w", mailbox, err)
		}
		var set imap.UIDSet
		for _, u := range uids {
			set.AddNum(imap.UID(u))
		}
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return fmt.Errorf("store \\Deleted in %s: %w", mailbox, err)
		}
		if err := c.UIDExpunge(set).Close(); err != nil {
			return fmt.Errorf("expunge %s: %w", mailbox, err)
		}
		return nil
	})
}
