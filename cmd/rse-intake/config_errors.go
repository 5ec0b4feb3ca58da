package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// Configuration errors name the file, the key and its line, never a
// value: the file holds passwords, and an error goes to stderr, to cron's
// mail and to logs. A password typed without quotes, in the wrong key or
// in password_file must not be echoed anywhere.

// The patterns that read a configuration file for its error messages
// are compiled on first use: every command loads the configuration, few
// get an error, and compiling them at start cost each one its page faults.
var (
	tableRe   = lazyRegexp(`^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?`)
	keyRe     = lazyRegexp(`^\s*([A-Za-z0-9_\-]+)\s*=`)
	quotedRe  = lazyRegexp(`"(?:[^"\\]|\\.)*"|'[^']*'`)
	sectKeyRe = lazyRegexp(`^\[([a-z_]+)\] ([a-z_]+)`)
	plainKey  = lazyRegexp(`^[a-z][a-z_.]*$`)
	// What the TOML parser quotes when it names what it expected.
	delimiterRe = lazyRegexp(`^(\\[ntr]|[^A-Za-z0-9\pL]{1,3})$`)
)

// lazyRegexp returns the pattern compiled on its first use.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// keyLines maps "section.key" to the line (1-based) where the file sets
// it, for error messages.
func keyLines(src string) map[string]int {
	lines := map[string]int{}
	section := ""
	for i, l := range strings.Split(src, "\n") {
		if m := tableRe().FindStringSubmatch(l); m != nil {
			section = m[1]
			continue
		}
		if m := keyRe().FindStringSubmatch(l); m != nil {
			k := m[1]
			if section != "" {
				k = section + "." + k
			}
			if _, seen := lines[k]; !seen {
				lines[k] = i + 1
			}
		}
	}
	return lines
}

// withLine adds the line of the key an error message starts with
// ("[imap] port: ...") when the file sets it.
func withLine(msg string, lines map[string]int) string {
	m := sectKeyRe().FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	if n, ok := lines[m[1]+"."+m[2]]; ok {
		return fmt.Sprintf("line %d: %s", n, msg)
	}
	return msg
}

func (c *Config) withLine(err error) string {
	return withLine(err.Error(), keyLines(c.src))
}

// shownKey is an unknown key as an error shows it: its name when it looks
// like a key name, else only where it is (a password written as a bare
// key must not be echoed).
func shownKey(key string, lines map[string]int) string {
	n, ok := lines[key]
	switch {
	case plainKey().MatchString(key) && ok:
		return fmt.Sprintf("%s (line %d)", key, n)
	case plainKey().MatchString(key):
		return key
	case ok:
		return fmt.Sprintf("at line %d (name not shown: it does not look like a key)", n)
	}
	return "(name not shown: it does not look like a key)"
}

// shownWord shows a value that should be one of a few known words only
// when it looks like one.
func shownWord(w string) string {
	if plainKey().MatchString(w) && len(w) <= 30 {
		return fmt.Sprintf("%q", w)
	}
	return "(not shown)"
}

// tomlError describes a TOML syntax or type error by line and key, with
// every quoted fragment of the parser's message (which quotes the value
// it could not read) left out.
func tomlError(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		where := fmt.Sprintf("line %d", pe.Position.Line)
		if pe.LastKey != "" && plainKey().MatchString(pe.LastKey) {
			where += fmt.Sprintf(" (key %s)", pe.LastKey)
		}
		return fmt.Sprintf("%s: not valid TOML: %s (values are not shown; text values need quotes: key = \"value\")",
			where, redactQuoted(pe.Message))
	}
	// Type errors: "toml: line 3 (last key "imap.port"): incompatible types: ..."
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	if line, rest, ok := strings.Cut(msg, " (last key "); ok {
		if key, tail, ok := strings.Cut(rest, "): "); ok {
			key = strings.Trim(key, `"`)
			if !plainKey().MatchString(key) {
				key = "(not shown)"
			}
			return fmt.Sprintf("%s (key %s): %s", line, key, redactQuoted(tail))
		}
	}
	return redactQuoted(msg)
}

// redactQuoted replaces every quoted fragment of a message by an
// ellipsis, delimiters the parser expected ('.', '\n', '"""') excepted.
func redactQuoted(s string) string {
	return quotedRe().ReplaceAllStringFunc(s, func(q string) string {
		if delimiterRe().MatchString(q[1 : len(q)-1]) {
			return q
		}
		return q[:1] + "…" + q[len(q)-1:]
	})
}
