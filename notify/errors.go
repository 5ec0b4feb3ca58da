package notify

import (
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"sync"

	gomail "github.com/wneessen/go-mail"
)

// TemporaryError is a delivery failure that may succeed later: the server
// could not be reached, the connection broke, or it answered 4xx. The
// outbox retries the mail with backoff.
type TemporaryError struct {
	Code int    // SMTP reply code, 0 when there was no reply (network)
	Text string // what went wrong, with the server's reply when there is one
	Err  error
}

func (e *TemporaryError) Error() string { return "temporary failure: " + e.Text }

// Unwrap returns the underlying error.
func (e *TemporaryError) Unwrap() error { return e.Err }

// PermanentError is a delivery failure that will not succeed by trying
// again: the server answered 5xx (unknown recipient, refused content) or
// the mail itself is unusable. The outbox marks the mail failed.
type PermanentError struct {
	Code int    // SMTP reply code, 0 for a local refusal
	Text string // the server's reply text or the local reason
	Err  error
}

func (e *PermanentError) Error() string { return "permanent failure: " + e.Text }

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// IsTemporary reports whether err is (or wraps) a TemporaryError.
func IsTemporary(err error) bool {
	var t *TemporaryError
	return errors.As(err, &t)
}

// IsPermanent reports whether err is (or wraps) a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// classifySend sorts an error of go-mail's Send for one message. go-mail
// reports the SMTP reply code through SendError.ErrorCode (0 when there
// was no reply, a network error); its own IsTemp only looks at the first
// character of the text, which is false for network errors, so the code
// decides here: >= 500 permanent, anything else temporary. A sender or
// recipient go-mail cannot even parse is permanent too.
func classifySend(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		text := se.Error()
		if reply := serverReply(text); reply != "" {
			text = se.Reason.String() + ": " + reply
		}
		switch {
		case code >= 500:
			return &PermanentError{Code: code, Text: text, Err: err}
		case se.Reason == gomail.ErrGetSender || se.Reason == gomail.ErrGetRcpts || se.Reason == gomail.ErrNoUnencoded:
			return &PermanentError{Text: text, Err: err}
		}
		return &TemporaryError{Code: code, Text: text, Err: err}
	}
	return &TemporaryError{Text: err.Error(), Err: err}
}

// quotedReply finds an SMTP reply as net/textproto prints it: 550 "text".
var quotedReply = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b([245]\d\d) ("(?:[^"\\]|\\.)*")`)
})

// serverReply digs the server's reply out of a go-mail error text (its
// SendError keeps the underlying *textproto.Error private): "550 5.1.1 No
// such user here"; "" when there is none.
func serverReply(s string) string {
	m := quotedReply().FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	msg, err := strconv.Unquote(m[2])
	if err != nil {
		return ""
	}
	return m[1] + " " + strings.Join(strings.Fields(msg), " ")
}

// classifyConn sorts a failure to open a session (dial, greeting, EHLO,
// STARTTLS, AUTH). It is never the fault of one mail, so it is always
// temporary for the mails; the code is kept so that the caller can tell a
// server that refuses us (5xx, bad credentials) from one that is down.
func classifyConn(err error) *TemporaryError {
	code := 0
	var te *textproto.Error
	if errors.As(err, &te) {
		code = te.Code
	}
	return &TemporaryError{Code: code, Text: fmt.Sprintf("connect to SMTP server: %v", err), Err: err}
}
