package oauth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/oauth"
	"github.com/rse-lozere/rse-intake/intake/oauth/oauthtest"
)

func refreshSource(t *testing.T, prov *oauthtest.Provider, name string) (*oauth.RefreshSource, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "rse-intake.oauth.json")
	if err := oauth.WriteTokenFile(file, &oauth.TokenFile{Provider: name, RefreshToken: "refresh-0"}); err != nil {
		t.Fatal(err)
	}
	src := oauth.NewRefreshSource(prov.OAuth(name), oauth.Client{ID: "client-id", Secret: "client-secret"}, file)
	src.HTTPClient = prov.Client()
	src.Now = prov.Now
	return src, file
}

func TestRefreshSourceRenewsBeforeExpiry(t *testing.T) {
	ctx := context.Background()
	prov := oauthtest.Start(t)
	src, _ := refreshSource(t, prov, "google")
	first, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := prov.Check("u", first); err != nil {
		t.Fatalf("first token: %v", err)
	}
	prov.Advance(50 * time.Minute)
	if again, _ := src.Token(ctx); again != first || prov.Refreshes() != 1 {
		t.Errorf("10 minutes before expiry: token %q after %d refreshes, want the same one", again, prov.Refreshes())
	}
	// Within the margin: renewed before the server could refuse it.
	prov.Advance(6 * time.Minute)
	next, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if next == first || prov.Check("u", next) != nil {
		t.Errorf("4 minutes before expiry: token %q, want a new valid one", next)
	}
	// A token the server refused is not handed out again.
	src.Rejected(next)
	if third, _ := src.Token(ctx); third == next {
		t.Error("a rejected token was handed out again")
	}
}

func TestRefreshSourceSavesRotatedRefreshToken(t *testing.T) {
	prov := oauthtest.Start(t)
	prov.RotateRefreshTokens()
	src, file := refreshSource(t, prov, "microsoft")
	if _, err := src.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	tf, err := oauth.ReadTokenFile(file)
	if err != nil || tf.RefreshToken == "refresh-0" || tf.RefreshToken == "" {
		t.Fatalf("token file after rotation: %+v, %v", tf, err)
	}
	info, err := os.Stat(file)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, %v; want 0600", info.Mode(), err)
	}
	// A fresh process starts from the rotated token.
	again := oauth.NewRefreshSource(prov.OAuth("microsoft"), oauth.Client{ID: "client-id"}, file)
	again.HTTPClient, again.Now = prov.Client(), prov.Now
	if _, err := again.Token(context.Background()); err != nil {
		t.Errorf("second process: %v", err)
	}
}

func TestRefreshSourceRevoked(t *testing.T) {
	ctx := context.Background()
	prov := oauthtest.Start(t)
	src, file := refreshSource(t, prov, "google")
	if _, err := src.Token(ctx); err != nil {
		t.Fatal(err)
	}
	prov.RevokeAll()
	prov.Advance(2 * time.Hour)
	_, err := src.Token(ctx)
	if !errors.Is(err, oauth.ErrSignInAgain) {
		t.Fatalf("after revocation: %v, want ErrSignInAgain", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "sign in again with: rse-intake auth google") ||
		!strings.Contains(msg, "invalid_grant") || strings.Contains(msg, "refresh-0") || strings.Contains(msg, "client-secret") {
		t.Errorf("error = %q", msg)
	}
	os.Remove(file)
	missing := oauth.NewRefreshSource(prov.OAuth("google"), oauth.Client{ID: "x"}, file)
	if _, err := missing.Token(ctx); !errors.Is(err, oauth.ErrSignInAgain) {
		t.Errorf("without a token file: %v", err)
	}
}
