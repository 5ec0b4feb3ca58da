package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/oauth"
	"github.com/rse-lozere/rse-intake/intake/oauth/oauthtest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
)

const oauthUser = "rse.innovation.manageriale@gmail.com"

// oauthConfig writes a configuration signing in to IMAP and SMTP with
// OAuth tokens of prov, with a token file as rse-intake auth leaves it.
func oauthConfig(t *testing.T, prov *oauthtest.Provider, imapSrv *imaptest.MemServer, sink *smtpsink.Sink, imapExtra, smtpExtra string) string {
	t.Helper()
	shost, sport, _ := net.SplitHostPort(sink.Addr())
	conf := writeConfig(t, fmt.Sprintf(`[program]
address = %q
coordinators = ["coordination@rse-lozere.fr"]
[imap]
host = %q
port = %d
security = "none"
username = %q
%s
[smtp]
host = %q
port = %s
security = "none"
username = %q
%s
[oauth]
provider = "google"
client_id = "client-id.apps.googleusercontent.com"
token_url = %q
`, oauthUser, imapSrv.Host(), imapSrv.Port(), oauthUser, imapExtra, shost, sport, oauthUser, smtpExtra,
		prov.OAuth("google").TokenURL))
	if err := oauth.WriteTokenFile(filepath.Join(filepath.Dir(conf), "rse-intake.oauth.json"),
		&oauth.TokenFile{Provider: "google", RefreshToken: "refresh-0"}); err != nil {
		t.Fatal(err)
	}
	return conf
}

// TestPollAndSendWithOAuth: poll --once signs in with XOAUTH2 and send
// --once with OAUTHBEARER, both from the one stored sign-in; once it is
// revoked, both fail with the one clear message and the mail stays queued.
func TestPollAndSendWithOAuth(t *testing.T) {
	prov := oauthtest.Start(t)
	imapSrv := imaptest.StartMemServerWith(t, oauthUser, "unused", imaptest.MemServerOptions{Bearer: prov.Check})
	sink := smtpsink.StartWithOptions(t, smtpsink.Options{Username: oauthUser, Bearer: prov.Check})
	t.Setenv("RSE_OAUTH_CLIENT_SECRET", "client-secret-from-env")
	conf := oauthConfig(t, prov, imapSrv, sink, `auth = "xoauth2"`, `auth = "oauthbearer"`)
	_, raws := corpusRaws(t)
	imapSrv.Append("INBOX", raws[0])
	mustRun(t, "--config", conf, "poll", "--once")
	mustRun(t, "--config", conf, "send", "--once")
	if sink.Len() != 1 {
		t.Fatalf("%d mails delivered, want the acknowledgement", sink.Len())
	}

	imapSrv.Append("INBOX", raws[1])
	mustRun(t, "--config", conf, "poll", "--once") // an acknowledgement is due
	prov.RevokeAll()
	imapSrv.Append("INBOX", raws[2])
	for _, cmd := range []string{"poll", "send"} {
		code, stdout, stderr := runCLI(t, "--config", conf, cmd, "--once")
		if code != 1 || !strings.Contains(stderr, "sign in again with: rse-intake auth google") {
			t.Errorf("%s after revocation: exit %d\n%s%s", cmd, code, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, "client-secret-from-env") || strings.Contains(stdout+stderr, "refresh-0") {
			t.Errorf("%s printed a secret: %s%s", cmd, stdout, stderr)
		}
	}
	if sink.Len() != 1 {
		t.Errorf("%d mails delivered, want only the first acknowledgement", sink.Len())
	}
}

// TestTokenCommand: with token_command, the token comes from the command
// and no [oauth] sign-in is needed.
func TestTokenCommand(t *testing.T) {
	prov := oauthtest.Start(t)
	imapSrv := imaptest.StartMemServerWith(t, oauthUser, "unused", imaptest.MemServerOptions{Bearer: prov.Check})
	sink := smtpsink.Start(t)
	src := oauth.NewRefreshSource(prov.OAuth("google"), oauth.Client{ID: "x"}, writeTokenFile(t))
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauthConfig(t, prov, imapSrv, sink, fmt.Sprintf("auth = \"xoauth2\"\ntoken_command = \"echo %s\"", tok), "")
	_, raws := corpusRaws(t)
	imapSrv.Append("INBOX", raws[0])
	mustRun(t, "--config", conf, "poll", "--once")
	if n, _ := imapSrv.Count("INBOX"); n != 1 {
		t.Fatal("mailbox changed")
	}
	prov.Advance(2 * time.Hour) // the helper's token expired and it keeps printing it
	code, _, stderr := runCLI(t, "--config", conf, "poll", "--once")
	if code != 1 || !strings.Contains(stderr, "XOAUTH2 refused") {
		t.Errorf("expired token from the command: exit %d, %s", code, stderr)
	}
}

func writeTokenFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tok.json")
	if err := oauth.WriteTokenFile(p, &oauth.TokenFile{Provider: "google", RefreshToken: "refresh-0"}); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOAuthConfigErrors(t *testing.T) {
	cases := []struct{ body, cmd, want string }{
		{"[imap]\nauth = \"kerberos\"\n", "stats", "[imap] auth \"kerberos\""},
		{"[oauth]\nprovider = \"yahoo\"\n", "stats", "[oauth] provider"},
		{"[imap]\nhost = \"127.0.0.1\"\nusername = \"u\"\nauth = \"xoauth2\"\n", "poll", "needs a token_command, or an [oauth] provider"},
		{"[imap]\nhost = \"127.0.0.1\"\nusername = \"u\"\nauth = \"xoauth2\"\n[oauth]\nprovider = \"microsoft\"\n", "poll", "[oauth] client_id is missing"},
	}
	for _, c := range cases {
		conf := writeConfig(t, c.body)
		code, _, stderr := runCLI(t, "--config", conf, c.cmd, "--once")
		if c.cmd == "stats" {
			code, _, stderr = runCLI(t, "--config", conf, c.cmd)
		}
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, %s; want 2 and %q", c.body, code, stderr, c.want)
		}
	}
}

// browserWriter is the terminal of `rse-intake auth`: when the command
// prints the sign-in address, a "browser" opens it (the test provider
// approves at once and redirects to the loopback listener).
type browserWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *browserWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	for _, f := range strings.Fields(string(p)) {
		if strings.HasPrefix(f, "http://127.0.0.1") {
			go func() {
				if resp, err := http.Get(f); err == nil {
					resp.Body.Close()
				}
			}()
		}
	}
	return len(p), nil
}

func (b *browserWriter) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAuthCommandStoresRefreshToken(t *testing.T) {
	withUmask(t, 0o022)
	prov := oauthtest.Start(t)
	p := prov.OAuth("google")
	conf := writeConfig(t, fmt.Sprintf("[oauth]\nprovider = \"google\"\nclient_id = \"id\"\nauth_url = %q\ntoken_url = %q\n",
		p.AuthURL, p.TokenURL))
	var out browserWriter
	var errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if code := run(ctx, []string{"--config", conf, "auth", "google"}, &out, &errb); code != 0 {
		t.Fatalf("auth: exit %d\n%s%s", code, out.String(), errb.String())
	}
	file := filepath.Join(filepath.Dir(conf), "rse-intake.oauth.json")
	tf, err := oauth.ReadTokenFile(file)
	if err != nil || tf.RefreshToken == "" || tf.Provider != "google" {
		t.Fatalf("token file: %+v, %v", tf, err)
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", info.Mode())
	}
	if strings.Contains(out.String(), tf.RefreshToken) {
		t.Error("auth printed the refresh token")
	}
	if !strings.Contains(out.String(), `auth = "xoauth2" in [imap] and [smtp]`) {
		t.Errorf("auth output:\n%s", out.String())
	}
}

// TestCheckWithOAuth: check signs in to IMAP and SMTP with the stored
// OAuth sign-in, warns about a database others can read, and names the
// cure when the sign-in is revoked.
func TestCheckWithOAuth(t *testing.T) {
	prov := oauthtest.Start(t)
	imapSrv := imaptest.StartMemServerWith(t, oauthUser, "unused", imaptest.MemServerOptions{Bearer: prov.Check})
	sink := smtpsink.StartWithOptions(t, smtpsink.Options{Username: oauthUser, Bearer: prov.Check})
	conf := oauthConfig(t, prov, imapSrv, sink, `auth = "xoauth2"`, `auth = "oauthbearer"`)
	mustRun(t, "--config", conf, "poll", "--once")
	code, out, stderr := runCLI(t, "--config", conf, "check")
	if code != 0 || !strings.Contains(out, "signed in as") || strings.Contains(stderr, "warning") {
		t.Fatalf("check: exit %d\n%s%s", code, out, stderr)
	}
	db := filepath.Join(filepath.Dir(conf), "rse-intake.db")
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "--config", conf, "check")
	if code != 0 || !strings.Contains(stderr, "warning: "+db+" can be read by others than its owner (mode 0644): chmod 600") {
		t.Errorf("check with a readable database: exit %d\n%s", code, stderr)
	}
	prov.RevokeAll()
	prov.Advance(2 * time.Hour)
	code, _, stderr = runCLI(t, "--config", conf, "check")
	if code != 1 || strings.Count(stderr, "the google sign-in is no longer valid") != 2 ||
		strings.Contains(stderr, "check [smtp] host") {
		t.Errorf("check after revocation: exit %d\n%s", code, stderr)
	}
}
