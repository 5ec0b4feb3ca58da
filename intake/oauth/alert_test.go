package oauth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/oauth"
	"github.com/rse-lozere/rse-intake/intake/oauth/oauthtest"
)

func TestAlertingSourceAlertsOncePerLoss(t *testing.T) {
	ctx := context.Background()
	prov := oauthtest.Start(t)
	src, file := refreshSource(t, prov, "google")
	var alerts []error
	a := &oauth.AlertingSource{Source: src, Alert: func(err error) { alerts = append(alerts, err) }}
	if _, err := a.Token(ctx); err != nil || len(alerts) != 0 {
		t.Fatalf("signed in: %v, alerts %v", err, alerts)
	}
	prov.RevokeAll()
	src.Rejected("access-1")
	for i := 0; i < 3; i++ {
		if _, err := a.Token(ctx); !errors.Is(err, oauth.ErrSignInAgain) {
			t.Fatalf("after revocation: %v", err)
		}
	}
	if len(alerts) != 1 {
		t.Fatalf("%d alerts for one loss, want 1", len(alerts))
	}
	// Signed in again (rse-intake auth wrote a new refresh token), then lost again.
	prov.RestoreRefreshToken("refresh-0")
	if err := oauth.WriteTokenFile(file, &oauth.TokenFile{Provider: "google", RefreshToken: "refresh-0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Token(ctx); err != nil {
		t.Fatalf("after a new sign-in: %v", err)
	}
	prov.RevokeAll()
	src.Rejected("access-2")
	a.Token(ctx)
	if len(alerts) != 2 {
		t.Errorf("%d alerts for two losses, want 2", len(alerts))
	}
}
