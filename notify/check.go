package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
)

// SMTPCheck is what CheckSMTP saw of the server.
type SMTPCheck struct {
	Server   string // host:port
	StartTLS bool   // STARTTLS offered (before TLS)
	TLS      bool   // the session ran over TLS (implicit or STARTTLS)
	Auth     []string
	Size     int64 // SIZE limit in bytes; 0 when not announced
	SignedIn bool  // AUTH succeeded (false when no username is configured)
}

// AuthError is the SMTP server refusing the sign-in (535 and the like).
type AuthError struct {
	Server string
	Err    error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("smtp %s refused the sign-in: %v", e.Server, e.Err)
}

// Unwrap returns the server's reply.
func (e *AuthError) Unwrap() error { return e.Err }

// CheckSMTP connects to the server of cfg, says hello, secures the
// session as cfg.Security requires, signs in when a username is set, and
// quits: no MAIL command, nothing is sent. It uses net/smtp rather than
// go-mail to see the EHLO extensions.
func CheckSMTP(ctx context.Context, cfg SMTPConfig) (SMTPCheck, error) {
	if err := cfg.settle(); err != nil {
		return SMTPCheck{}, err
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	res := SMTPCheck{Server: addr}
	tlsCfg := cfg.tlsConfig()
	d := net.Dialer{Timeout: cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return res, fmt.Errorf("smtp %s: connect: %w", addr, err)
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	conn := net.Conn(&deadlineConn{Conn: raw, timeout: cfg.Timeout})
	if cfg.Security == SecurityTLS {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return res, fmt.Errorf("smtp %s: TLS handshake: %w", addr, err)
		}
		conn = tc
		res.TLS = true
	}
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		raw.Close()
		return res, fmt.Errorf("smtp %s: greeting: %w", addr, err)
	}
	defer c.Close()
	helo := cfg.HELO
	if helo == "" {
		helo = "localhost"
	}
	if err := c.Hello(helo); err != nil {
		return res, fmt.Errorf("smtp %s: EHLO: %w", addr, err)
	}
	res.StartTLS, _ = c.Extension("STARTTLS")
	if cfg.Security == SecurityStartTLS {
		if !res.StartTLS {
			return res, fmt.Errorf("smtp %s: the server does not offer STARTTLS, which security \"starttls\" requires", addr)
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return res, fmt.Errorf("smtp %s: STARTTLS: %w", addr, err)
		}
		res.TLS = true
	}
	if ok, mechs := c.Extension("AUTH"); ok {
		res.Auth = strings.Fields(mechs)
	}
	if ok, size := c.Extension("SIZE"); ok {
		res.Size, _ = strconv.ParseInt(strings.TrimSpace(size), 10, 64)
	}
	if cfg.Username != "" {
		if len(res.Auth) == 0 {
			return res, fmt.Errorf("smtp %s: the server offers no AUTH, but a username is configured", addr)
		}
		auth, err := checkAuth(ctx, cfg)
		if err != nil {
			return res, fmt.Errorf("smtp %s: %w", addr, err)
		}
		if err := c.Auth(auth); err != nil {
			var te *textproto.Error
			if errors.As(err, &te) && te.Code >= 500 {
				return res, &AuthError{Server: addr, Err: err}
			}
			return res, fmt.Errorf("smtp %s: AUTH: %w", addr, err)
		}
		res.SignedIn = true
	}
	if err := c.Quit(); err != nil {
		return res, fmt.Errorf("smtp %s: QUIT: %w", addr, err)
	}
	return res, nil
}
