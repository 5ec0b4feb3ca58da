package oauth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/oauth2"
)

// SignInBrowser runs the authorization-code flow with PKCE on a loopback
// redirect: it listens on 127.0.0.1 (a free port), calls open with the
// address the user must visit (print it, start a browser), waits for the
// provider to send the browser back with a code, and exchanges it. The
// returned token holds the refresh token to keep with WriteTokenFile.
func SignInBrowser(ctx context.Context, p Provider, c Client, hc *http.Client, open func(url string)) (*oauth2.Token, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sign-in: listen for the redirect: %w", err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	// Entra ID matches "http://localhost" whatever the port; Google's
	// desktop clients accept the loopback address.
	host := "127.0.0.1"
	if p.Name == "microsoft" {
		host = "localhost"
	}
	cfg := p.config(c, "http://"+host+":"+strconv.Itoa(port)+"/")
	verifier := oauth2.GenerateVerifier()
	state := oauth2.GenerateVerifier()[:24]
	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("state") != state {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		var res result
		if e := q.Get("error"); e != "" {
			res.err = fmt.Errorf("sign-in refused by %s: %s %s", p.Name, e, q.Get("error_description"))
			fmt.Fprintf(w, "<p>Sign-in failed: %s. You may close this page.</p>", html.EscapeString(e))
		} else {
			res.code = q.Get("code")
			fmt.Fprint(w, "<p>rse-intake is signed in. You may close this page.</p>")
		}
		select {
		case done <- res:
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()

	open(cfg.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("prompt", "consent")))
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("sign-in: waiting for the browser: %w", ctx.Err())
	}
	if res.err != nil {
		return nil, res.err
	}
	if res.code == "" {
		return nil, errors.New("sign-in: the provider sent no code back")
	}
	if hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	tok, err := cfg.Exchange(ctx, res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("sign-in: exchange the code: %w", safeError(err))
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("sign-in: the provider gave no refresh token (for Microsoft, add the offline_access permission)")
	}
	return tok, nil
}

// SignInDevice runs the device-code flow, for a machine without a
// browser: show tells the user where to go and which code to type, on
// any device; it then polls until they have signed in.
func SignInDevice(ctx context.Context, p Provider, c Client, hc *http.Client, show func(uri, code string)) (*oauth2.Token, error) {
	if p.DeviceAuthURL == "" {
		return nil, fmt.Errorf("sign-in: %s offers no device flow for mail: sign in with a browser", p.Name)
	}
	if hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	cfg := p.config(c, "")
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return nil, fmt.Errorf("sign-in: ask for a device code: %w", safeError(err))
	}
	uri := da.VerificationURIComplete
	if uri == "" {
		uri = da.VerificationURI
	}
	show(uri, da.UserCode)
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		return nil, fmt.Errorf("sign-in: %w", safeError(err))
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("sign-in: the provider gave no refresh token (add the offline_access permission)")
	}
	return tok, nil
}

// safeError keeps the provider's error code and description and drops
// the raw body of a token endpoint's answer.
func safeError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorDescription != "" {
			return fmt.Errorf("%s: %s", re.ErrorCode, firstLine(re.ErrorDescription))
		}
		if re.ErrorCode != "" {
			return errors.New(re.ErrorCode)
		}
		if re.Response != nil {
			return fmt.Errorf("token endpoint answered %s", re.Response.Status)
		}
	}
	return err
}
