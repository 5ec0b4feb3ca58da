package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/rse-lozere/rse-intake/intake/oauth"
)

// TokenSource gives OAuth access tokens (oauth.RefreshSource,
// oauth.CommandSource). A source that also has Rejected(token) is told
// when the server refused a token, so that it does not hand it out again.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

func (o IMAPOptions) validateAuth() error {
	switch o.Auth {
	case "", "password":
	case oauth.XOAuth2, oauth.OAuthBearer:
		if o.Token == nil {
			return fmt.Errorf("imap: auth %q needs a token source (token_command, or rse-intake auth)", o.Auth)
		}
	default:
		return fmt.Errorf("imap: auth %q: want \"password\", \"xoauth2\" or \"oauthbearer\"", o.Auth)
	}
	return nil
}

// login signs in with the password or an OAuth access token.
func (s *session) login(ctx context.Context) error {
	o := s.o
	if o.Auth == "" || o.Auth == "password" {
		if s.c.Caps().Has(imap.CapLoginDisabled) {
			return errors.New("the server refuses LOGIN on this connection (LOGINDISABLED): use security \"tls\" or \"starttls\"")
		}
		return s.c.Login(o.Username, o.Password).Wait()
	}
	mech := strings.ToUpper(o.Auth)
	if !s.c.Caps().Has(imap.Cap("AUTH=" + mech)) {
		return fmt.Errorf("the server does not offer AUTH=%s: use another auth", mech)
	}
	token, err := o.Token.Token(ctx)
	if err != nil {
		return fmt.Errorf("get an access token: %w", err)
	}
	client, err := oauth.NewSASLClient(o.Auth, o.Username, token, o.Host, o.Port)
	if err != nil {
		return err
	}
	if err := s.c.Authenticate(client); err != nil {
		if r, ok := o.Token.(interface{ Rejected(string) }); ok {
			r.Rejected(token)
		}
		if client.Status != "" {
			return fmt.Errorf("%s refused (status %s): %w", mech, client.Status, err)
		}
		return fmt.Errorf("%s refused: %w", mech, err)
	}
	return nil
}
