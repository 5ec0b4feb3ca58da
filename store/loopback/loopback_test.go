package loopback_test

import (
	"testing"

	"github.com/rse-lozere/rse-intake/store/loopback"
)

func TestIs(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true, "[::1]": true,
		"imap.gmail.com": false, "10.0.0.1": false, "localhost.example.org": false, "": false, "[::2]": false,
	} {
		if got := loopback.Is(host); got != want {
			t.Errorf("Is(%q) = %v, want %v", host, got, want)
		}
	}
}
