package notify

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

// TestOAuthSignIn: the sender signs in with XOAUTH2 or OAUTHBEARER using
// the token its source gives at each connection; a refused token or a
// source that fails keeps the mail for a later attempt, and the source's
// error stays matchable (the daemon alerts on a revoked sign-in).
func TestOAuthSignIn(t *testing.T) {
	for _, mech := range []string{"xoauth2", "oauthbearer"} {
		t.Run(mech, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			st := openStore(t, clk)
			c := newComposer(t, nil)
			valid := map[string]bool{"access-1": true}
			sink := smtpsink.StartWithOptions(t, smtpsink.Options{Username: "rse@example.org",
				Bearer: func(user, token string) error {
					if !valid[token] {
						return errors.New("invalid token")
					}
					return nil
				}})
			current, asked := "access-1", 0
			var sourceErr error
			s := newSender(t, st, sink, clk, func(cfg *SenderConfig) {
				cfg.SMTP.Host, cfg.SMTP.Username, cfg.SMTP.Auth = "127.0.0.1", "rse@example.org", mech
				cfg.SMTP.Token = func(context.Context) (string, error) {
					asked++
					return current, sourceErr
				}
			})
			seedApplication(t, st, c, elodie(), nil, nil)
			res, err := s.SendDue(ctx)
			if err != nil || res.Sent != 1 || sink.Len() != 1 || asked != 1 {
				t.Fatalf("valid token: %+v, %v, %d delivered, token asked %d times", res, err, sink.Len(), asked)
			}

			// The server no longer takes the token: temporary, kept.
			delete(valid, "access-1")
			seedApplication(t, st, c, store.Applicant{Email: "b@example.net"}, nil, nil)
			res, err = s.SendDue(ctx)
			var te *TemporaryError
			// (535 for XOAUTH2; go-smtp answers a failed OAUTHBEARER 454)
			if !errors.As(err, &te) || te.Code == 0 || res.Retried != 1 {
				t.Fatalf("refused token: %+v, %v", res, err)
			}

			// The source cannot give a token (sign-in revoked).
			revoked := fmt.Errorf("the google sign-in is no longer valid: %w", errSignIn)
			current, sourceErr = "", revoked
			clk.Advance(2 * MaxRetryAge / 3)
			res, err = s.SendDue(ctx)
			if !errors.Is(err, errSignIn) || res.Retried != 1 {
				t.Fatalf("failing source: %+v, %v", res, err)
			}

			// Signed in again: the mail goes.
			valid["access-2"] = true
			current, sourceErr = "access-2", nil
			clk.Advance(MaxRetryAge / 4)
			if res, err = s.SendDue(ctx); err != nil || res.Sent != 1 || sink.Len() != 2 {
				t.Fatalf("after a new sign-in: %+v, %v", res, err)
			}
		})
	}
}

var errSignIn = errors.New("sign in again")

// TestCheckSMTPWithOAuth: check signs in with the OAuth mechanism too, and
// a refused token is reported as a refused sign-in.
func TestCheckSMTPWithOAuth(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	sink := smtpsink.StartWithOptions(t, smtpsink.Options{StartTLS: serverTLS, Username: "rse@example.org",
		Bearer: func(user, token string) error {
			if token != "good" {
				return errors.New("invalid token")
			}
			return nil
		}})
	for _, mech := range []string{"xoauth2", "oauthbearer"} {
		cfg := SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), Security: SecurityStartTLS, Username: "rse@example.org",
			Auth: mech, TLSConfig: clientTLS, Token: func(context.Context) (string, error) { return "good", nil }}
		res, err := CheckSMTP(t.Context(), cfg)
		if err != nil || !res.SignedIn {
			t.Errorf("%s: %+v, %v", mech, res, err)
		}
	}
	cfg := SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), Security: SecurityStartTLS, Username: "rse@example.org",
		Auth: "xoauth2", TLSConfig: clientTLS, Token: func(context.Context) (string, error) { return "stale", nil }}
	var ae *AuthError
	if _, err := CheckSMTP(t.Context(), cfg); !errors.As(err, &ae) {
		t.Errorf("refused token: %v, want an AuthError", err)
	}
}
