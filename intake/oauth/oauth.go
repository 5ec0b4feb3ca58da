// Package oauth signs rse-intake in to a mailbox the way mail clients do
// with Gmail and Microsoft 365: OAuth 2.0 access tokens presented with the
// XOAUTH2 or OAUTHBEARER SASL mechanisms instead of a password.
//
// A token comes from a RefreshSource (rse-intake's own sign-in: the
// refresh token kept in a file by `rse-intake auth`, access tokens
// refreshed before they expire) or a CommandSource (a helper such as oama
// or mailctl that prints a fresh token). Both are safe for concurrent use
// and are asked once per connection, so a daemon running for weeks always
// signs in with a valid token. The SASL clients for IMAP are here too;
// SMTP uses go-mail's.
package oauth

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
)

// Mechanisms, as [imap] / [smtp] auth names them.
const (
	XOAuth2     = "xoauth2"
	OAuthBearer = "oauthbearer"
)

// Provider is an OAuth identity provider serving mail.
type Provider struct {
	Name          string // as in `rse-intake auth NAME`
	AuthURL       string
	TokenURL      string
	DeviceAuthURL string   // "" when the provider offers no device flow for mail
	Scopes        []string // IMAP and SMTP access, and a refresh token
}

// Google is Gmail and Google Workspace. Its device flow does not grant the
// mail scope, so only the browser flow is offered.
var Google = Provider{
	Name:     "google",
	AuthURL:  "https://accounts.google.com/o/oauth2/auth",
	TokenURL: "https://oauth2.googleapis.com/token",
	Scopes:   []string{"https://mail.google.com/"},
}

// Microsoft returns Microsoft 365 / Outlook.com for a tenant ("common",
// "organizations", or the directory's id or domain).
func Microsoft(tenant string) Provider {
	if tenant == "" {
		tenant = "common"
	}
	base := "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/"
	return Provider{
		Name:          "microsoft",
		AuthURL:       base + "authorize",
		TokenURL:      base + "token",
		DeviceAuthURL: base + "devicecode",
		Scopes: []string{"https://outlook.office.com/IMAP.AccessAsUser.All",
			"https://outlook.office.com/SMTP.Send", "offline_access"},
	}
}

// ProviderNamed returns the provider called name.
func ProviderNamed(name, tenant string) (Provider, error) {
	switch strings.ToLower(name) {
	case "google":
		return Google, nil
	case "microsoft":
		return Microsoft(tenant), nil
	}
	return Provider{}, fmt.Errorf("unknown OAuth provider %q: want \"google\" or \"microsoft\"", name)
}

// Client is an OAuth client registered with the provider (a "desktop" or
// "public" application). ClientSecret is empty for a public client.
type Client struct {
	ID     string
	Secret string
}

func (p Provider) config(c Client, redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ID,
		ClientSecret: c.Secret,
		Endpoint:     oauth2.Endpoint{AuthURL: p.AuthURL, TokenURL: p.TokenURL, DeviceAuthURL: p.DeviceAuthURL},
		RedirectURL:  redirect,
		Scopes:       p.Scopes,
	}
}

// ErrSignInAgain is matched (errors.Is) by every error that only a new
// interactive sign-in can cure: the refresh token was revoked, expired,
// or never obtained. A daemon alerts its operator on it rather than
// retrying quietly.
var ErrSignInAgain = errors.New("sign in again")

// SignInError says that the stored sign-in is no longer usable and how to
// renew it.
type SignInError struct {
	Provider string
	Reason   string // the provider's words, never a token
}

func (e *SignInError) Error() string {
	return fmt.Sprintf("the %s sign-in is no longer valid (%s): sign in again with: rse-intake auth %s",
		e.Provider, e.Reason, e.Provider)
}

// Is makes errors.Is(err, ErrSignInAgain) true.
func (e *SignInError) Is(target error) bool { return target == ErrSignInAgain }
