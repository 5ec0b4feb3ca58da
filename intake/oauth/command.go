package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// DefaultCommandTimeout bounds a token_command.
const DefaultCommandTimeout = 30 * time.Second

// CommandSource runs a command that prints a fresh access token (oama,
// mailctl, a script calling the provider), as mbsync, aerc and neomutt
// users do. The command runs through sh -c, in Dir, each time a token is
// needed; caching is the helper's business.
type CommandSource struct {
	Command string
	Dir     string        // working directory ("" for the current one)
	Timeout time.Duration // DefaultCommandTimeout when 0
}

// Token runs the command and returns the first line it printed. Its
// standard error is neither logged nor returned: helpers print tokens
// and secrets there when debugging.
func (c *CommandSource) Token(ctx context.Context) (string, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", c.Command)
	cmd.Dir = c.Dir
	var out bytes.Buffer
	cmd.Stdout = &limitedWriter{w: &out, n: 64 << 10}
	cmd.Stderr = io.Discard
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "", fmt.Errorf("oauth: token_command did not finish within %s", timeout)
	}
	if err != nil {
		return "", fmt.Errorf("oauth: token_command failed (%v; its error output is not shown, it may hold secrets: run it by hand)", err)
	}
	tok, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", errors.New("oauth: token_command printed no token")
	}
	return tok, nil
}

// limitedWriter keeps the first n bytes and drops the rest, so that a
// runaway command cannot fill memory.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
