package main

import (
	"strings"
	"testing"
)

// A password put in every wrong place of the configuration is never
// echoed: errors name the key and the line only. Before, an unquoted
// password came back on stderr in the TOML error (and so in cron mail).
func TestConfigErrorsNeverEchoSecrets(t *testing.T) {
	const pw = "xK9hunter2Q"
	imap := "[imap]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\nusername = \"u\"\n"
	cases := []struct {
		name, body string
		args       []string
	}{
		{"unquoted", "[imap]\npassword = xK9hunter2Q\n", nil},
		{"unquoted in smtp", "[smtp]\nhost = \"smtp.example.org\"\npassword = xK9hunter2Q\n", nil},
		{"unterminated double quote", "[imap]\npassword = \"xK9hunter2Q\n", nil},
		{"unterminated single quote", "[imap]\npassword = 'xK9hunter2Q\n", nil},
		{"unterminated multi-line", "[imap]\npassword = \"\"\"xK9hunter2Q\n", nil},
		{"with a space", "[imap]\npassword = xK9 hunter2Q\n", nil},
		{"invalid escape", "[imap]\npassword = \"xK9\\hunter2Q\"\n", nil},
		{"in an array", "[imap]\npassword = [xK9hunter2Q]\n", nil},
		{"after a quoted value", "[imap]\npassword = \"a\" xK9hunter2Q\n", nil},
		{"alone on a line", "[imap]\nxK9hunter2Q\n", nil},
		{"as a key", "[imap]\nxK9hunter2Q = 1\n", nil},
		{"as a table", "[xK9hunter2Q]\nx = 1\n", nil},
		{"misspelt key", "[imap]\npasword = \"xK9hunter2Q\"\n", nil},
		{"in security", "[imap]\nsecurity = \"xK9hunter2Q\"\n", nil},
		{"in port", "[imap]\nport = \"xK9hunter2Q\"\n", nil},
		{"in host", "[imap]\nhost = \"xK9hunter2Q\"\nsecurity = \"none\"\n", nil},
		{"in processed", "[imap]\nprocessed = \"xK9hunter2Q\"\n", nil},
		{"in timezone", "[program]\ntimezone = \"xK9hunter2Q\"\n", nil},
		{"in address", "[program]\naddress = \"xK9hunter2Q\"\n", nil},
		{"in coordinators", "[program]\ncoordinators = [\"xK9hunter2Q\"]\n", nil},
		{"in required", "[program]\nrequired = [\"xK9hunter2Q\"]\n", nil},
		{"in language", "[program]\nlanguage = \"xK9hunter2Q\"\n", nil},
		{"in password_file", imap + "password_file = \"xK9hunter2Q\"\n", []string{"poll", "--once"}},
		{"in smtp password_file", "[program]\naddress = \"rse@example.org\"\n[smtp]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\n" +
			"username = \"u\"\npassword_file = \"/tmp/xK9hunter2Q\"\n", []string{"send", "--once"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeConfig(t, c.body)
			args := c.args
			if args == nil {
				args = []string{"stats"}
			}
			code, stdout, stderr := runCLI(t, append([]string{"--config", path}, args...)...)
			all := strings.ToLower(stdout + stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2 (configuration error): %s", code, stderr)
			}
			for _, frag := range []string{strings.ToLower(pw), "hunter", "xk9"} {
				if strings.Contains(all, frag) {
					t.Errorf("output echoes the password (%q): %s", frag, stdout+stderr)
				}
			}
			if !strings.Contains(stderr, "line ") && !strings.Contains(stderr, "password_file") {
				t.Errorf("error names no line: %s", stderr)
			}
		})
	}
}
