package imaptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

var _ imapserver.SessionSASL = (*memSession)(nil)

// AuthenticateMechanisms lists PLAIN, and the OAuth mechanisms when the
// server checks tokens.
func (s *memSession) AuthenticateMechanisms() []string {
	if s.srv.bearer == nil {
		return []string{sasl.Plain}
	}
	return []string{sasl.Plain, "XOAUTH2", sasl.OAuthBearer}
}

var errAuthFailed = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
	Text: "Invalid credentials"}

// Authenticate serves AUTHENTICATE.
func (s *memSession) Authenticate(mech string) (sasl.Server, error) {
	switch {
	case mech == sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && identity != username {
				return errAuthFailed
			}
			return s.Login(username, password)
		}), nil
	case s.srv.bearer != nil && mech == "XOAUTH2":
		return &xoauth2Server{check: s.bearerLogin}, nil
	case s.srv.bearer != nil && mech == sasl.OAuthBearer:
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if err := s.bearerLogin(o.Username, o.Token); err != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
			}
			return nil
		}), nil
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

func (s *memSession) bearerLogin(username, token string) error {
	if username != s.srv.acct.Username {
		return errAuthFailed
	}
	if err := s.srv.bearer(username, token); err != nil {
		return errAuthFailed
	}
	s.UserSession = imapmemserver.NewUserSession(s.srv.user)
	return nil
}

// xoauth2Server is Google's XOAUTH2: "user=U^Aauth=Bearer T^A^A"; a
// refusal is a JSON status challenge, answered empty, then NO.
type xoauth2Server struct {
	check  func(username, token string) error
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, errAuthFailed
	}
	if resp == nil {
		return []byte{}, false, nil // ask for the initial response
	}
	var user, token string
	for _, kv := range bytes.Split(resp, []byte{1}) {
		k, v, _ := strings.Cut(string(kv), "=")
		switch k {
		case "user":
			user = v
		case "auth":
			token, _ = strings.CutPrefix(v, "Bearer ")
		}
	}
	if user == "" || token == "" {
		return nil, true, errors.New("malformed XOAUTH2 response")
	}
	if err := x.check(user, token); err != nil {
		x.failed = true
		b, _ := json.Marshal(map[string]string{"status": "401", "schemes": "Bearer", "scope": "https://mail.google.com/"})
		return b, false, nil
	}
	return nil, true, nil
}
