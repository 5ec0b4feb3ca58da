// Package loopback holds the one test of whether a host is this machine,
// which decides where plaintext IMAP and SMTP are allowed. It lives under
// store only because intake, notify and cmd all need it and store is the
// package below all three; it imports nothing of this module.
package loopback

import (
	"net"
	"strings"
)

// Is reports whether host names this machine: "localhost" in any case,
// or a loopback IP address (127.0.0.0/8, ::1), bracketed or not.
func Is(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
