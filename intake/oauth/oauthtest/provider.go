// Package oauthtest runs an OAuth 2.0 provider on httptest for tests and
// the demo: a token endpoint (refresh, authorization code with PKCE,
// device code), an authorization endpoint that approves at once, and the
// check a mail server makes of an access token. Tokens expire on the
// provider's clock, which a test moves.
package oauthtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/oauth"
)

// Provider is a running test provider.
type Provider struct {
	srv *httptest.Server
	// Lifetime of access tokens (an hour when 0).
	Lifetime time.Duration

	mu       sync.Mutex
	now      time.Time
	refresh  map[string]bool      // valid refresh tokens
	access   map[string]time.Time // access token -> expiry
	codes    map[string]string    // authorization code -> PKCE challenge
	devices  map[string]bool      // device code -> approved
	issued   int
	refreshs int
	rotate   bool
}

// Start starts a provider for the test, closed at its end. The refresh
// token "refresh-0" is valid from the start.
func Start(t testing.TB) *Provider {
	t.Helper()
	p := &Provider{now: time.Now(), refresh: map[string]bool{"refresh-0": true}, access: map[string]time.Time{},
		codes: map[string]string{}, devices: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", p.token)
	mux.HandleFunc("/authorize", p.authorize)
	mux.HandleFunc("/device", p.device)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// OAuth returns the provider as rse-intake sees it, named name
// ("google" or "microsoft", for the messages).
func (p *Provider) OAuth(name string) oauth.Provider {
	return oauth.Provider{Name: name, AuthURL: p.srv.URL + "/authorize", TokenURL: p.srv.URL + "/token",
		DeviceAuthURL: p.srv.URL + "/device", Scopes: []string{"https://mail.google.com/"}}
}

// Client is the HTTP client that reaches the provider.
func (p *Provider) Client() *http.Client { return p.srv.Client() }

// Now is the provider's clock; Advance moves it.
func (p *Provider) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now
}

// Advance moves the provider's clock by d: access tokens expire.
func (p *Provider) Advance(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.now = p.now.Add(d)
}

// RevokeAll revokes every refresh and access token, as a password change
// or a revocation in the account's security page does.
func (p *Provider) RevokeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refresh = map[string]bool{}
	p.access = map[string]time.Time{}
}

// RotateRefreshTokens makes each refresh hand out a new refresh token
// and invalidate the old one, as Microsoft does.
func (p *Provider) RotateRefreshTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rotate = true
}

// Refreshes counts the refresh grants served.
func (p *Provider) Refreshes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refreshs
}

// Check is what a mail server does with a presented access token: nil
// when it is known and not expired.
func (p *Provider) Check(username, token string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	exp, ok := p.access[token]
	if !ok {
		return fmt.Errorf("unknown token")
	}
	if !p.now.Before(exp) {
		return fmt.Errorf("expired token")
	}
	return nil
}

func (p *Provider) issue(w http.ResponseWriter, withRefresh string) {
	p.issued++
	tok := fmt.Sprintf("access-%d", p.issued)
	life := p.Lifetime
	if life == 0 {
		life = time.Hour
	}
	p.access[tok] = p.now.Add(life)
	resp := map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(life.Seconds())}
	if withRefresh != "" {
		resp["refresh_token"] = withRefresh
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func fail(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		fail(w, "invalid_request", err.Error())
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		if !p.refresh[rt] {
			fail(w, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		p.refreshs++
		if p.rotate {
			delete(p.refresh, rt)
			rt = fmt.Sprintf("refresh-%d", p.issued+1)
			p.refresh[rt] = true
			p.issue(w, rt)
			return
		}
		p.issue(w, "")
	case "authorization_code":
		challenge, ok := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code"))
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
			fail(w, "invalid_grant", "bad code or code_verifier")
			return
		}
		rt := fmt.Sprintf("refresh-%d", p.issued+1)
		p.refresh[rt] = true
		p.issue(w, rt)
	case "urn:ietf:params:oauth:grant-type:device_code":
		approved, ok := p.devices[r.PostForm.Get("device_code")]
		if !ok {
			fail(w, "expired_token", "unknown device code")
			return
		}
		if !approved {
			// The user types the code on the first poll in this world.
			p.devices[r.PostForm.Get("device_code")] = true
			fail(w, "authorization_pending", "")
			return
		}
		delete(p.devices, r.PostForm.Get("device_code"))
		rt := fmt.Sprintf("refresh-%d", p.issued+1)
		p.refresh[rt] = true
		p.issue(w, rt)
	default:
		fail(w, "unsupported_grant_type", "")
	}
}

// authorize approves at once and sends the browser back with a code.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "PKCE required", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	code := fmt.Sprintf("code-%d", len(p.codes)+p.issued+1)
	p.codes[code] = q.Get("code_challenge")
	p.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) device(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	dc := fmt.Sprintf("device-%d", len(p.devices)+1)
	p.devices[dc] = false
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"device_code": dc, "user_code": "ABCD-EFGH",
		"verification_uri": p.srv.URL + "/activate", "expires_in": 600, "interval": 1})
}
