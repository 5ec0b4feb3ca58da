package oauth_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/oauth"
	"github.com/rse-lozere/rse-intake/intake/oauth/oauthtest"
)

func TestSignInBrowserWithPKCE(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prov := oauthtest.Start(t)
	// The "browser" follows the provider's redirect back to the loopback
	// listener, as a user's browser does once they consent.
	browse := func(u string) {
		go func() {
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	tok, err := oauth.SignInBrowser(ctx, prov.OAuth("google"), oauth.Client{ID: "id", Secret: "s"}, prov.Client(), browse)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || prov.Check("u", tok.AccessToken) != nil {
		t.Errorf("token = %+v", tok)
	}
}

func TestSignInDevice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prov := oauthtest.Start(t)
	var shown string
	tok, err := oauth.SignInDevice(ctx, prov.OAuth("microsoft"), oauth.Client{ID: "id"}, prov.Client(),
		func(uri, code string) { shown = code })
	if err != nil {
		t.Fatal(err)
	}
	if shown != "ABCD-EFGH" || tok.RefreshToken == "" {
		t.Errorf("code shown %q, token %+v", shown, tok)
	}
}
