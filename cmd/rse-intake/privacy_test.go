package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

// memCorpusServers serves the shared corpus from the in-process IMAP
// server, with an SMTP sink.
func memCorpusServers(t *testing.T) (config string, sink *smtpsink.Sink) {
	t.Helper()
	srv := imaptest.StartMemServer(t, "rse.innovation.manageriale@gmail.com", "mot-de-passe")
	_, raws := corpusRaws(t)
	for _, raw := range raws {
		if err := srv.Append("INBOX", raw); err != nil {
			t.Fatal(err)
		}
	}
	sink = smtpsink.Start(t)
	return e2eConfig(t, srv.Host(), srv.Port(), "rse.innovation.manageriale@gmail.com", "mot-de-passe", sink), sink
}

// TestForgetCorpusApplicant is issue 14's acceptance: after the shared
// corpus is taken in and answered, forget of one applicant (an
// application, a follow-up carrying a CV, two acknowledgements) leaves no
// byte of the address, the name or the phone number in the database file
// or the attachments folder, and person then reports nothing.
func TestForgetCorpusApplicant(t *testing.T) {
	withUmask(t, 0o022)
	conf, _ := memCorpusServers(t)
	mustRun(t, "--config", conf, "poll", "--once")
	mustRun(t, "--config", conf, "send", "--once")
	const email = "m.jourdan@jourdan-paysage.fr"
	needles := []string{email, "Mathieu Jourdan", "Jourdan", "+33645721983", "06 45 72 19 83", "0645721983",
		"jourdan-paysage"}
	dir := filepath.Dir(conf)
	db, files := filepath.Join(dir, "rse-intake.db"), filepath.Join(dir, "rse-intake.db.files")

	var before struct {
		Applications []map[string]any `json:"applications"`
		Mails        []map[string]any `json:"mails"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--config", conf, "person", email, "--json")), &before); err != nil {
		t.Fatal(err)
	}
	if len(before.Applications) != 1 || len(before.Applications[0]["messages"].([]any)) != 2 ||
		len(before.Applications[0]["attachments"].([]any)) == 0 || len(before.Mails) == 0 {
		t.Fatalf("person before forget: %+v", before)
	}
	if found := fileTraces(t, db, files, needles); len(found) == 0 {
		t.Fatal("no trace of the applicant before forget: the test would prove nothing")
	}

	dry := mustRun(t, "--config", conf, "forget", email)
	if !strings.Contains(dry, "Nothing was erased") || !strings.Contains(dry, "RSE-2026-") {
		t.Errorf("forget without --yes:\n%s", dry)
	}
	// Named in a session's audience: the configuration is the operator's to edit.
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "[[session]]\nid = \"lancement-2027\"\ntitle = \"Lancement\"\nkind = \"launch\"\n"+
		"start = \"2027-01-14T18:30:00+01:00\"\nend = \"2027-01-14T20:30:00+01:00\"\nlocation = \"Mende\"\n"+
		"audience = [\"selected\", %q]\n", email)
	f.Close()
	out := mustRun(t, "--config", conf, "forget", email, "--yes", "--by", "claire")
	if !strings.Contains(out, "Still named in the audience of [[session]] lancement-2027") {
		t.Errorf("forget did not say the address is named in a session:\n%s", out)
	}
	if !strings.Contains(out, "Erased applications RSE-2026-") {
		t.Errorf("forget --yes:\n%s", out)
	}
	if found := fileTraces(t, db, files, needles); len(found) > 0 {
		t.Errorf("after forget: %v", found)
	}
	var after struct {
		Applications []any `json:"applications"`
		Messages     []any `json:"messages"`
		Mails        []any `json:"mails"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--config", conf, "person", email, "--json")), &after); err != nil {
		t.Fatal(err)
	}
	if len(after.Applications)+len(after.Messages)+len(after.Mails) != 0 {
		t.Errorf("person after forget: %+v", after)
	}
	if out := mustRun(t, "--config", conf, "person", email); !strings.Contains(out, "Nothing is held about "+email) {
		t.Errorf("person after forget: %s", out)
	}
	// Everyone else is still there.
	var stats struct {
		Applications int `json:"applications"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--config", conf, "stats", "--json")), &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Applications < 15 {
		t.Errorf("%d applications left after one erasure", stats.Applications)
	}
	// Files created by the run are owner-only, with umask 022.
	for _, root := range []string{db, db + "-wal", files} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			info, _ := d.Info()
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			if info.Mode().Perm() != want {
				t.Errorf("%s is %v, want %v", p, info.Mode().Perm(), want)
			}
			return nil
		})
	}
}

// TestPurgeAndBackupCommands: purge --dry-run says and erases nothing on
// fresh mail; backup writes an owner-only copy a store can be opened from.
func TestPurgeAndBackupCommands(t *testing.T) {
	withUmask(t, 0o022)
	conf, _ := memCorpusServers(t)
	mustRun(t, "--config", conf, "poll", "--once")
	if out := mustRun(t, "--config", conf, "purge", "--dry-run"); !strings.Contains(out, "Would erase no application; 0 messages") {
		t.Errorf("purge --dry-run on fresh mail: %s", out)
	}
	dst := filepath.Join(t.TempDir(), "save", "rse.db")
	out := mustRun(t, "--config", conf, "backup", dst)
	if !strings.Contains(out, "To restore: stop rse-intake") {
		t.Errorf("backup: %s", out)
	}
	for _, p := range []string{filepath.Dir(dst), dst, dst + ".files"} {
		info, err := os.Stat(p)
		if err != nil || info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: %v, %v", p, info.Mode(), err)
		}
	}
	code, _, stderr := runCLI(t, "--config", conf, "backup", dst)
	if code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("backup over an existing file: exit %d, %s", code, stderr)
	}
	bad := writeConfig(t, "[store]\nretention = \"soon\"\n")
	if code, _, stderr := runCLI(t, "--config", bad, "purge"); code != 2 || !strings.Contains(stderr, "[store] retention") {
		t.Errorf("bad retention: exit %d, %s", code, stderr)
	}
}

func withUmask(t *testing.T, umask int) {
	t.Helper()
	old := syscall.Umask(umask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// fileTraces lists which needles (any case) the database files or the
// attachment files hold.
func fileTraces(t *testing.T, db, files string, needles []string) []string {
	t.Helper()
	var found []string
	look := func(p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			return
		}
		b = bytes.ToLower(b)
		for _, n := range needles {
			if bytes.Contains(b, []byte(strings.ToLower(n))) {
				found = append(found, fmt.Sprintf("%q in %s", n, filepath.Base(p)))
			}
		}
	}
	for _, p := range store.DatabaseFiles(db) {
		look(p)
	}
	filepath.WalkDir(files, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			look(p)
		}
		return nil
	})
	return found
}

func TestPermissionWarnings(t *testing.T) {
	conf := writeConfig(t, "[imap]\npassword_file = \"imap.pass\"\n")
	dir := filepath.Dir(conf)
	pass := filepath.Join(dir, "imap.pass")
	if err := os.WriteFile(pass, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(conf)
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.permissionWarnings(); len(w) != 0 {
		t.Errorf("owner-only password file: %v", w)
	}
	os.Chmod(pass, 0o644)
	if w := cfg.permissionWarnings(); len(w) != 1 || !strings.Contains(w[0], "imap.pass can be read by others") || strings.Contains(w[0], "secret") {
		t.Errorf("readable password file: %v", w)
	}
}

// TestPurgeJob: the job the daemon schedules erases what is past its
// term and logs counts, never names or addresses.
func TestPurgeJob(t *testing.T) {
	conf, _ := memCorpusServers(t)
	mustRun(t, "--config", conf, "poll", "--once") // acknowledgements stay queued: no send
	cfg, err := loadConfig(conf)
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.SetClock(func() time.Time { return time.Now().Add(4 * 365 * 24 * time.Hour) })
	var logs bytes.Buffer
	e := &env{log: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := cfg.purgeJob(st, e)(t.Context()); err != nil {
		t.Fatal(err)
	}
	stats, err := st.Stats(t.Context())
	if err != nil || stats.Messages != 0 || stats.Applications != 0 {
		t.Errorf("four years later: %+v, %v; want everything erased", stats, err)
	}
	if !strings.Contains(logs.String(), "retention_purge") || strings.Contains(logs.String(), "@") {
		t.Errorf("log: %s", logs.String())
	}
}
