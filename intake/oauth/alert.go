package oauth

import (
	"context"
	"errors"
	"sync"
)

// Source is what RefreshSource and CommandSource are.
type Source interface {
	Token(ctx context.Context) (string, error)
}

// AlertingSource calls Alert when the sign-in of its Source is lost
// (ErrSignInAgain), once per loss: again only after a token was obtained
// in between. The daemon uses it to tell its operator at once, instead of
// retrying quietly until someone wonders why no mail arrives.
type AlertingSource struct {
	Source Source
	Alert  func(error)

	mu    sync.Mutex
	fired bool
}

// Token implements Source.
func (a *AlertingSource) Token(ctx context.Context) (string, error) {
	tok, err := a.Source.Token(ctx)
	a.mu.Lock()
	fire := err != nil && errors.Is(err, ErrSignInAgain) && !a.fired
	switch {
	case err == nil:
		a.fired = false
	case fire:
		a.fired = true
	}
	a.mu.Unlock()
	if fire && a.Alert != nil {
		a.Alert(err)
	}
	return tok, err
}

// Rejected passes the server's refusal on to the source.
func (a *AlertingSource) Rejected(token string) {
	if r, ok := a.Source.(interface{ Rejected(string) }); ok {
		r.Rejected(token)
	}
}
