package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// refreshMargin is how long before its expiry an access token is renewed,
// so that it cannot expire between the moment it is handed out and the
// moment the server checks it.
const refreshMargin = 5 * time.Minute

// TokenFile is what `rse-intake auth` stores: the refresh token, which
// is a password for the mailbox. It is written owner-only (0600).
type TokenFile struct {
	Provider     string    `json:"provider"`
	RefreshToken string    `json:"refresh_token"`
	ObtainedAt   time.Time `json:"obtained_at"`
}

// ReadTokenFile reads a token file written by WriteTokenFile.
func ReadTokenFile(path string) (*TokenFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tf TokenFile
	if err := json.Unmarshal(b, &tf); err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	return &tf, nil
}

// WriteTokenFile replaces path with tf, owner-only whatever the umask;
// the file is complete or absent, never half-written.
func WriteTokenFile(path string, tf *TokenFile) error {
	b, err := json.MarshalIndent(tf, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*") // 0600
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("token file: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("token file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("token file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	return nil
}

// RefreshSource hands out access tokens obtained with the refresh token
// of a token file, renewing them shortly before they expire. A refresh
// token the provider rotates is saved back to the file.
type RefreshSource struct {
	provider Provider
	client   Client
	file     string

	// HTTPClient talks to the token endpoint (http.DefaultClient when nil).
	HTTPClient *http.Client
	// Now is the clock (time.Now when nil); tests move it past an expiry.
	Now func() time.Time

	mu      sync.Mutex
	refresh string
	access  string
	expiry  time.Time
}

// NewRefreshSource returns a source for the account whose refresh token
// `rse-intake auth` stored in file.
func NewRefreshSource(p Provider, c Client, file string) *RefreshSource {
	return &RefreshSource{provider: p, client: c, file: file}
}

func (s *RefreshSource) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Token returns an access token valid for a few minutes at least,
// refreshing it when needed. An error matching ErrSignInAgain means the
// refresh token is gone; other errors (network, provider down) are
// worth retrying.
func (s *RefreshSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access != "" && s.now().Add(refreshMargin).Before(s.expiry) {
		return s.access, nil
	}
	if s.refresh == "" {
		tf, err := ReadTokenFile(s.file)
		if errors.Is(err, fs.ErrNotExist) {
			return "", &SignInError{Provider: s.provider.Name, Reason: "no token file " + s.file}
		}
		if err != nil {
			return "", err
		}
		if tf.RefreshToken == "" {
			return "", &SignInError{Provider: s.provider.Name, Reason: "no refresh token in " + s.file}
		}
		s.refresh = tf.RefreshToken
	}
	if s.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, s.HTTPClient)
	}
	tok, err := s.provider.config(s.client, "").TokenSource(ctx, &oauth2.Token{RefreshToken: s.refresh}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			// Only the provider's error code and description: the body
			// could echo what was sent.
			reason := re.ErrorCode
			if re.ErrorDescription != "" {
				reason += ": " + firstLine(re.ErrorDescription)
			}
			if re.ErrorCode == "invalid_grant" || re.ErrorCode == "unauthorized_client" || re.ErrorCode == "invalid_client" {
				s.refresh = ""
				return "", &SignInError{Provider: s.provider.Name, Reason: reason}
			}
			return "", fmt.Errorf("oauth: refresh the %s access token: %s", s.provider.Name, reason)
		}
		return "", fmt.Errorf("oauth: refresh the %s access token: %w", s.provider.Name, err)
	}
	// The lifetime counts on our clock from now (a little early, which is
	// the safe side); no lifetime at all means the usual hour.
	s.access, s.expiry = tok.AccessToken, s.now().Add(time.Hour)
	if tok.ExpiresIn > 0 {
		s.expiry = s.now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	} else if !tok.Expiry.IsZero() {
		s.expiry = s.now().Add(time.Until(tok.Expiry))
	}
	if tok.RefreshToken != "" && tok.RefreshToken != s.refresh {
		s.refresh = tok.RefreshToken
		if err := WriteTokenFile(s.file, &TokenFile{Provider: s.provider.Name, RefreshToken: s.refresh,
			ObtainedAt: s.now().UTC()}); err != nil {
			return "", fmt.Errorf("oauth: save the renewed refresh token: %w", err)
		}
	}
	return s.access, nil
}

// Rejected tells the source that the server refused token: the next
// Token refreshes instead of handing it out again until its expiry.
func (s *RefreshSource) Rejected(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access == token {
		s.access = ""
	}
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\r' || r == '\n' {
			return s[:i]
		}
	}
	return s
}
