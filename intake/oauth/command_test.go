package oauth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/oauth"
)

func TestCommandSource(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, command, want, wantErr string
	}{
		{"first line, trimmed", "printf '  ya29.token \\nsecond\\n'", "ya29.token", ""},
		{"failure hides stderr", "echo 'refresh_token=SECRET' >&2; exit 3", "", "exit status 3"},
		{"nothing printed", "true", "", "printed no token"},
		{"too slow", "sleep 5", "", "did not finish within"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := &oauth.CommandSource{Command: c.command, Timeout: 300 * time.Millisecond}
			got, err := src.Token(ctx)
			if c.wantErr == "" {
				if err != nil || got != c.want {
					t.Fatalf("Token = %q, %v; want %q", got, err, c.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("Token error = %v, want %q and no secret", err, c.wantErr)
			}
		})
	}
}
