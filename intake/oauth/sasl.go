package oauth

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
)

// NewSASLClient returns the SASL client of mechanism (XOAuth2 or
// OAuthBearer) presenting token for username. host and port go into
// OAUTHBEARER's message, as RFC 7628 asks.
func NewSASLClient(mechanism, username, token, host string, port int) (*SASLClient, error) {
	switch strings.ToLower(mechanism) {
	case XOAuth2:
		return &SASLClient{start: func() (string, []byte) {
			return "XOAUTH2", []byte("user=" + username + "\x01auth=Bearer " + token + "\x01\x01")
		}}, nil
	case OAuthBearer:
		inner := sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: username, Token: token, Host: host, Port: port})
		return &SASLClient{oauthBearer: true, start: func() (string, []byte) {
			mech, ir, _ := inner.Start()
			return mech, ir
		}}, nil
	}
	return nil, fmt.Errorf("unknown OAuth SASL mechanism %q: want %q or %q", mechanism, XOAuth2, OAuthBearer)
}

// SASLClient is an XOAUTH2 or OAUTHBEARER client. When the server refuses
// the token it sends a JSON status as a challenge and waits for an
// empty (XOAUTH2) or %x01 (OAUTHBEARER) answer before its final NO; the
// client answers so, and keeps the status for the error message.
type SASLClient struct {
	start       func() (string, []byte)
	oauthBearer bool
	// Status is the server's JSON "status" on a refusal ("401",
	// "invalid_token"), "" otherwise.
	Status string
}

// Start implements sasl.Client.
func (c *SASLClient) Start() (string, []byte, error) {
	mech, ir := c.start()
	return mech, ir, nil
}

// Next implements sasl.Client.
func (c *SASLClient) Next(challenge []byte) ([]byte, error) {
	var e struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(challenge, &e) == nil && e.Status != "" {
		c.Status = e.Status
	} else {
		c.Status = "refused"
	}
	if c.oauthBearer {
		return []byte{0x01}, nil
	}
	return []byte{}, nil
}
