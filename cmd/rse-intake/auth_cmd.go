package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/intake/oauth"
)

// OAuthConfig is the OAuth client both [imap] and [smtp] sign in with
// when their auth is "xoauth2" or "oauthbearer" and they have no
// token_command. One sign-in (rse-intake auth) serves both: Google's
// mail scope and Microsoft's IMAP and SMTP scopes come in one token.
type OAuthConfig struct {
	Provider         string `toml:"provider"`           // google | microsoft
	ClientID         string `toml:"client_id"`          // env RSE_OAUTH_CLIENT_ID wins
	ClientSecret     string `toml:"client_secret"`      // or client_secret_file; env RSE_OAUTH_CLIENT_SECRET wins
	ClientSecretFile string `toml:"client_secret_file"` // (Microsoft public clients have none)
	Tenant           string `toml:"tenant"`             // Microsoft: "common" (default), "organizations" or the tenant id
	TokenFile        string `toml:"token_file"`         // default: rse-intake.oauth.json beside the config
	// Endpoints replacing the provider's, for a national cloud (Microsoft
	// US Government, China) or a test provider.
	AuthURL   string `toml:"auth_url"`
	TokenURL  string `toml:"token_url"`
	DeviceURL string `toml:"device_url"`
}

func usesOAuth(auth string) bool { return auth == oauth.XOAuth2 || auth == oauth.OAuthBearer }

func (c *Config) finishOAuth(dir string) error {
	for _, s := range []struct{ section, auth string }{{"imap", c.IMAP.Auth}, {"smtp", c.SMTP.Auth}} {
		switch s.auth {
		case "", "password", oauth.XOAuth2, oauth.OAuthBearer:
		default:
			return fmt.Errorf("[%s] auth %q: must be \"password\", \"xoauth2\" or \"oauthbearer\"", s.section, s.auth)
		}
	}
	if c.OAuth.Provider != "" {
		if _, err := oauth.ProviderNamed(c.OAuth.Provider, c.OAuth.Tenant); err != nil {
			return fmt.Errorf("[oauth] provider: %v", err)
		}
	}
	if c.OAuth.TokenFile == "" {
		c.OAuth.TokenFile = "rse-intake.oauth.json"
	}
	c.OAuth.TokenFile = resolve(dir, c.OAuth.TokenFile)
	return nil
}

// provider is the configured provider with its endpoint overrides.
func (c *Config) provider(name string) (oauth.Provider, error) {
	if name == "" {
		name = c.OAuth.Provider
	}
	p, err := oauth.ProviderNamed(name, c.OAuth.Tenant)
	if err != nil {
		return p, err
	}
	for _, o := range []struct {
		v   string
		dst *string
	}{{c.OAuth.AuthURL, &p.AuthURL}, {c.OAuth.TokenURL, &p.TokenURL}, {c.OAuth.DeviceURL, &p.DeviceAuthURL}} {
		if o.v != "" {
			*o.dst = o.v
		}
	}
	return p, nil
}

// oauthClient reads the client id and secret: environment, then file,
// then the config.
func (c *Config) oauthClient() (oauth.Client, error) {
	id := envOr("RSE_OAUTH_CLIENT_ID", c.OAuth.ClientID)
	if id == "" {
		return oauth.Client{}, configErrorf("config file %s: [oauth] client_id is missing (or set RSE_OAUTH_CLIENT_ID)", c.file)
	}
	secret, err := secret("oauth", c.OAuth.ClientSecret, c.OAuth.ClientSecretFile, "RSE_OAUTH_CLIENT_SECRET", c.dir)
	if err != nil {
		return oauth.Client{}, configErrorf("config file %s: %v", c.file, strings.Replace(err.Error(), "password_file", "client_secret_file", 1))
	}
	return oauth.Client{ID: id, Secret: secret}, nil
}

// requireOAuth checks what signing in with a token needs, and builds the
// shared refresh source when rse-intake's own sign-in is used.
func (c *Config) requireOAuth(section, tokenCommand string) error {
	if tokenCommand != "" {
		return nil
	}
	if c.oauthSrc != nil {
		return nil
	}
	if c.OAuth.Provider == "" {
		return configErrorf("config file %s: [%s] auth needs a token_command, or an [oauth] provider (\"google\" or \"microsoft\") and a sign-in with rse-intake auth", c.file, section)
	}
	p, err := c.provider("")
	if err != nil {
		return configErrorf("config file %s: [oauth] provider: %v", c.file, err)
	}
	client, err := c.oauthClient()
	if err != nil {
		return err
	}
	c.oauthSrc = oauth.NewRefreshSource(p, client, c.OAuth.TokenFile)
	return nil
}

// tokenSource is the source of access tokens of section ("imap" or
// "smtp"), nil with password sign-in; imapOptions and senderConfig pass
// it down, and the poller and the sender ask it before each connection.
// Its errors match errors.Is(err, oauth.ErrSignInAgain) when only a new
// `rse-intake auth` can help; intake.IsAuthFailure counts them, so the
// daemon alerts its operators at once, as for a refused password.
func (c *Config) tokenSource(section string) intake.TokenSource {
	auth, command := c.IMAP.Auth, c.IMAP.TokenCommand
	if section == "smtp" {
		auth, command = c.SMTP.Auth, c.SMTP.TokenCommand
	}
	switch {
	case !usesOAuth(auth):
		return nil
	case command != "":
		return &oauth.CommandSource{Command: command, Dir: c.dir}
	case c.oauthSrc != nil:
		return c.oauthSrc
	}
	return nil
}

func authCommand() *command {
	return &command{
		name: "auth", args: "google|microsoft [--device]",
		summary: "sign in to the mailbox with OAuth and keep the refresh token (owner-only file beside the config)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			device := fs.Bool("device", false, "device-code sign-in, for a machine without a browser (Microsoft only)")
			timeout := fs.Duration("timeout", 5*time.Minute, "how long to wait for the sign-in")
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 1 {
					return usagef("auth needs the provider: google or microsoft")
				}
				cfg, err := e.config()
				if err != nil {
					return err
				}
				name := strings.ToLower(e.args[0])
				if cfg.OAuth.Provider != "" && !strings.EqualFold(cfg.OAuth.Provider, name) {
					return configErrorf("config file %s: [oauth] provider is %q, not %q", cfg.file, cfg.OAuth.Provider, name)
				}
				p, err := cfg.provider(name)
				if err != nil {
					return usagef("%v", err)
				}
				client, err := cfg.oauthClient()
				if err != nil {
					return err
				}
				ctx, cancel := context.WithTimeout(ctx, *timeout)
				defer cancel()
				var refresh string
				if *device {
					t, err := oauth.SignInDevice(ctx, p, client, nil, func(uri, code string) {
						fmt.Fprintf(e.stdout, "On any device, open %s and enter the code %s\nWaiting for the sign-in...\n", uri, code)
					})
					if err != nil {
						return err
					}
					refresh = t.RefreshToken
				} else {
					t, err := oauth.SignInBrowser(ctx, p, client, nil, func(url string) {
						fmt.Fprintf(e.stdout, "Open this address in a browser on this machine and sign in as the programme's mailbox:\n\n  %s\n\nWaiting for the sign-in...\n", url)
						openBrowser(url)
					})
					if err != nil {
						return err
					}
					refresh = t.RefreshToken
				}
				if err := os.MkdirAll(filepath.Dir(cfg.OAuth.TokenFile), 0o700); err != nil {
					return fmt.Errorf("token file: %w", err)
				}
				if err := oauth.WriteTokenFile(cfg.OAuth.TokenFile, &oauth.TokenFile{Provider: p.Name,
					RefreshToken: refresh, ObtainedAt: time.Now().UTC()}); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "Signed in. The refresh token is in %s (readable by you only; it is a password for the mailbox).\n", cfg.OAuth.TokenFile)
				if cfg.OAuth.Provider == "" || !usesOAuth(cfg.IMAP.Auth) || !usesOAuth(cfg.SMTP.Auth) {
					fmt.Fprintf(e.stdout, "In %s, set [oauth] provider = %q, and auth = \"xoauth2\" in [imap] and [smtp].\n", cfg.file, p.Name)
				}
				return nil
			}
		},
	}
}

// openBrowser starts the desktop's browser when there is one; the
// address is printed anyway.
func openBrowser(url string) {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return
	}
	if path, err := exec.LookPath("xdg-open"); err == nil {
		cmd := exec.Command(path, url)
		if cmd.Start() == nil {
			go cmd.Wait()
		}
	}
}
