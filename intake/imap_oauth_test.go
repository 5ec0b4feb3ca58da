package intake

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/oauth"
	"github.com/rse-lozere/rse-intake/intake/oauth/oauthtest"
)

// oauthServer is the in-process IMAP server checking access tokens with
// a test provider, and a refresh source signed in to that provider.
func oauthServer(t *testing.T) (*imaptest.MemServer, *oauthtest.Provider, *oauth.RefreshSource) {
	t.Helper()
	prov := oauthtest.Start(t)
	srv := imaptest.StartMemServerWith(t, memUser, memPass, imaptest.MemServerOptions{Bearer: prov.Check})
	file := filepath.Join(t.TempDir(), "token.json")
	if err := oauth.WriteTokenFile(file, &oauth.TokenFile{Provider: "google", RefreshToken: "refresh-0"}); err != nil {
		t.Fatal(err)
	}
	src := oauth.NewRefreshSource(prov.OAuth("google"), oauth.Client{ID: "id", Secret: "secret"}, file)
	src.HTTPClient, src.Now = prov.Client(), prov.Now
	return srv, prov, src
}

// TestWatchXOAuth2SurvivesTokenExpiry is issue 14's acceptance: the
// poller signs in with XOAUTH2 using a token refreshed through the token
// endpoint, takes mail in, and goes on after the token expired in the
// middle of the run (the server drops the connection; the next sign-in
// refreshes).
func TestWatchXOAuth2SurvivesTokenExpiry(t *testing.T) {
	corpus := imapCorpus(t)
	srv, prov, src := oauthServer(t)
	st, pl := newIMAPPipeline(t)
	srv.Append("INBOX", corpus[0])
	o := memOptions(srv, "flag")
	o.Password, o.Auth, o.Token = "", oauth.XOAuth2, src
	o.PollInterval = time.Hour
	o.Logger = testLogger(t)
	polls := make(chan PollStats, 16)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- NewPoller(st, pl, o).Watch(ctx, func(s PollStats) { polls <- s }) }()
	waitStored := func(want int) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for messageRows(t, st) < want {
			select {
			case <-polls:
			case <-deadline:
				t.Fatalf("%d messages stored after 10 s, want %d", messageRows(t, st), want)
			}
		}
	}
	waitStored(1)
	if prov.Refreshes() != 1 {
		t.Fatalf("%d refreshes for the first sign-in, want 1", prov.Refreshes())
	}
	// Two hours later the access token is dead; the server, as Gmail
	// does, ends the session; mail keeps arriving.
	prov.Advance(2 * time.Hour)
	srv.DropConnections()
	srv.Append("INBOX", corpus[1])
	waitStored(2)
	if prov.Refreshes() != 2 {
		t.Errorf("%d refreshes, want 2 (one after the expiry)", prov.Refreshes())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch: %v", err)
	}
	checkMarks(t, srv.Account(), "flag", 2)
}

// TestPollOAuthBearerAndRevocation: OAUTHBEARER signs in the same way; a
// revoked sign-in gives the one clear error, matching ErrSignInAgain and
// IsAuthFailure.
func TestPollOAuthBearerAndRevocation(t *testing.T) {
	corpus := imapCorpus(t)
	srv, prov, src := oauthServer(t)
	st, pl := newIMAPPipeline(t)
	srv.Append("INBOX", corpus[0])
	o := memOptions(srv, "flag")
	o.Password, o.Auth, o.Token = "", oauth.OAuthBearer, src
	if _, err := NewPoller(st, pl, o).PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if messageRows(t, st) != 1 {
		t.Fatal("nothing stored")
	}
	prov.RevokeAll()
	prov.Advance(2 * time.Hour)
	_, err := NewPoller(st, pl, o).PollOnce(t.Context())
	if !errors.Is(err, oauth.ErrSignInAgain) || !strings.Contains(err.Error(), "sign in again with: rse-intake auth google") {
		t.Fatalf("after revocation: %v", err)
	}
	// The daemon alerts at once on it, as on a refused password.
	if !IsAuthFailure(err) {
		t.Errorf("a lost sign-in is not an auth failure for the daemon: %v", err)
	}
}

// TestPollTokenRefusedByServer: a token the server refuses (revoked
// early) fails the sign-in with the server's status, and the next
// connection asks for a fresh token instead of the refused one.
func TestPollTokenRefusedByServer(t *testing.T) {
	srv, prov, src := oauthServer(t)
	st, pl := newIMAPPipeline(t)
	o := memOptions(srv, "flag")
	o.Password, o.Auth, o.Token = "", oauth.XOAuth2, src
	if _, err := NewPoller(st, pl, o).PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	prov.RevokeAll() // the access token dies; the refresh token too
	_, err := NewPoller(st, pl, o).PollOnce(t.Context())
	if err == nil || !strings.Contains(err.Error(), "XOAUTH2 refused (status 401)") {
		t.Fatalf("refused token: %v", err)
	}
	if _, err := NewPoller(st, pl, o).PollOnce(t.Context()); !errors.Is(err, oauth.ErrSignInAgain) {
		t.Errorf("next poll: %v, want a refresh attempt ending in ErrSignInAgain", err)
	}
}
