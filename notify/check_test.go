package notify

import (
	"errors"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
)

func TestCheckSMTP(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	for _, tc := range []struct {
		name     string
		security string
		opts     smtpsink.Options
		password string
		wantAuth bool // an *AuthError
		wantErr  string
	}{
		{"starttls", SecurityStartTLS, smtpsink.Options{StartTLS: serverTLS, Username: "u", Password: "pa55-word"}, "pa55-word", false, ""},
		{"implicit tls", SecurityTLS, smtpsink.Options{TLS: serverTLS, Username: "u", Password: "pa55-word"}, "pa55-word", false, ""},
		{"wrong password", SecurityStartTLS, smtpsink.Options{StartTLS: serverTLS, Username: "u", Password: "pa55-word"}, "nope", true, "refused the sign-in"},
		{"no starttls offered", SecurityStartTLS, smtpsink.Options{Username: "u", Password: "pa55-word"}, "pa55-word", false, "does not offer STARTTLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := smtpsink.StartWithOptions(t, tc.opts)
			res, err := CheckSMTP(t.Context(), SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), Security: tc.security,
				Username: "u", Password: tc.password, TLSConfig: clientTLS})
			var ae *AuthError
			if errors.As(err, &ae) != tc.wantAuth {
				t.Errorf("error %v: auth error %v, want %v", err, !tc.wantAuth, tc.wantAuth)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), sink.Addr()) {
					t.Errorf("error %v, want %q naming %s", err, tc.wantErr, sink.Addr())
				}
				if err != nil && strings.Contains(err.Error(), tc.password) {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !res.TLS || !res.SignedIn || len(res.Auth) == 0 || res.Auth[0] != "PLAIN" || res.Size != 10<<20 {
				t.Errorf("check %+v", res)
			}
			if tc.security == SecurityStartTLS && !res.StartTLS {
				t.Errorf("STARTTLS offered but not seen: %+v", res)
			}
			if sink.Len() != 0 {
				t.Errorf("check sent %d mails", sink.Len())
			}
		})
	}
}
