package notify

import (
	"context"
	"fmt"
	"net/smtp"
	"strconv"

	gomail "github.com/wneessen/go-mail"
	gomailsmtp "github.com/wneessen/go-mail/smtp"
)

// authOption returns the go-mail options that sign in as cfg says.
func authOption(ctx context.Context, cfg SMTPConfig) ([]gomail.Option, error) {
	switch cfg.Auth {
	case "", "password":
		// PLAIN and LOGIN refuse to run without TLS (except towards
		// localhost): the password never crosses the network in clear.
		return []gomail.Option{gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password),
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin)}, nil
	case "xoauth2", "oauthbearer":
		a, err := oauthMechanism(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return []gomail.Option{gomail.WithUsername(cfg.Username), gomail.WithSMTPAuthCustom(a)}, nil
	}
	return nil, fmt.Errorf("smtp: auth %q: want \"password\", \"xoauth2\" or \"oauthbearer\"", cfg.Auth)
}

// oauthMechanism is the XOAUTH2 or OAUTHBEARER sign-in of cfg, with an
// access token asked for now (the source refreshes it when it expires).
func oauthMechanism(ctx context.Context, cfg SMTPConfig) (gomailsmtp.Auth, error) {
	if cfg.Token == nil {
		return nil, fmt.Errorf("smtp: auth %q needs a token source", cfg.Auth)
	}
	token, err := cfg.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("smtp: get an access token: %w", err)
	}
	if cfg.Auth == "oauthbearer" {
		return &oauthBearerAuth{username: cfg.Username, token: token, host: cfg.Host, port: cfg.Port}, nil
	}
	return gomailsmtp.XOAuth2Auth(cfg.Username, token), nil
}

// oauthBearerAuth is RFC 7628's OAUTHBEARER for go-mail, which has only
// XOAUTH2. On a refusal the server sends a JSON status and waits for
// %x01 before its final error.
type oauthBearerAuth struct {
	username, token, host string
	port                  int
}

func (a *oauthBearerAuth) Start(*gomailsmtp.ServerInfo) (string, []byte, error) {
	return "OAUTHBEARER", []byte("n,a=" + a.username + ",\x01host=" + a.host + "\x01port=" + strconv.Itoa(a.port) +
		"\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

func (a *oauthBearerAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return []byte{0x01}, nil
	}
	return nil, nil
}

// checkAuth is the sign-in of cfg for CheckSMTP, which speaks net/smtp:
// PLAIN with the password, or the OAuth mechanism with a fresh token.
func checkAuth(ctx context.Context, cfg SMTPConfig) (smtp.Auth, error) {
	switch cfg.Auth {
	case "", "password":
		// PlainAuth refuses to send the password without TLS unless the
		// server is on this machine: the same rule as the sender's.
		return smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host), nil
	case "xoauth2", "oauthbearer":
		a, err := oauthMechanism(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return netSMTPAuth{a}, nil
	}
	return nil, fmt.Errorf("smtp: auth %q: want \"password\", \"xoauth2\" or \"oauthbearer\"", cfg.Auth)
}

// netSMTPAuth runs a go-mail mechanism on a net/smtp client.
type netSMTPAuth struct{ a gomailsmtp.Auth }

func (n netSMTPAuth) Start(si *smtp.ServerInfo) (string, []byte, error) {
	return n.a.Start(&gomailsmtp.ServerInfo{Name: si.Name, TLS: si.TLS, Auth: si.Auth})
}

func (n netSMTPAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	return n.a.Next(fromServer, more)
}
