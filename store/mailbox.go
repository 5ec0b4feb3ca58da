package store

import (
	"strings"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// PlainAddress reports whether addr is written local@domain with letters,
// digits and . _ + - only, each part dot-separated words: most addresses,
// which net/mail.ParseAddress reads as themselves, unchanged. The writer
// checks the address of every acknowledgement twice (may it be answered,
// can it be written to), and ParseAddress allocates its way through it;
// an address this does not know still goes to ParseAddress.
// TestPlainAddressAsParse holds it to ParseAddress.
func PlainAddress(addr string) bool {
	at := strings.IndexByte(addr, '@')
	return at >= 0 && dotWords(addr[:at]) && dotWords(addr[at+1:])
}

// dotWords reports whether s is words of letters, digits and _ + -,
// joined by single dots.
func dotWords(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '+', c == '-':
		case c == '.' && s[i-1] != '.':
		default:
			return false
		}
	}
	return true
}

// AddressKey is the one form of an address under which every spelling
// that reaches the same inbox is counted: case, a "+tag" after the local
// part, and for Gmail the dots of the local part and the googlemail.com
// alias. Sending limits, the "never to the program or a coordinator" rule
// and the matching of an applicant's mail all compare these keys, so that
// victim@, Victim+1@ and v.ictim@googlemail.com are one mailbox.
//
// Folding "+tag" for every domain may join two people at a provider that
// uses '+' in real mailbox names; that costs one of them an
// acknowledgement within a day, never an extra mail.
func AddressKey(addr string) string {
	if !lowerPrintable(addr) {
		addr = strings.ToLower(strings.TrimSpace(addr))
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return addr
	}
	local, domain := addr[:at], strings.TrimSuffix(addr[at+1:], ".")
	plus := strings.IndexByte(local, '+')
	if plus <= 0 && len(domain) == len(addr)-at-1 && domain != "googlemail.com" &&
		(domain != "gmail.com" || strings.IndexByte(local, '.') < 0) {
		// Already in its one form: most addresses are (no copy made).
		return addr
	}
	if plus > 0 {
		local = local[:plus]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// AddressDomain is the domain of an address key ("" when it has none).
func AddressDomain(key string) string {
	at := strings.LastIndexByte(key, '@')
	if at < 0 {
		return ""
	}
	return key[at+1:]
}

// publicProviders are mail services where each address is a different
// person: the per-address limit protects each of them, and a limit per
// domain there would only delay honest applicants of a backlog. Any other
// domain (a company's, possibly with a catch-all) gets the per-domain
// limit, so that made-up addresses at one domain cannot draw mail to it.
var publicProviders = map[string]bool{
	"gmail.com": true, "outlook.com": true, "outlook.fr": true, "hotmail.com": true, "hotmail.fr": true,
	"live.com": true, "live.fr": true, "msn.com": true, "yahoo.com": true, "yahoo.fr": true,
	"icloud.com": true, "me.com": true, "mac.com": true, "orange.fr": true, "wanadoo.fr": true,
	"free.fr": true, "sfr.fr": true, "neuf.fr": true, "laposte.net": true, "bbox.fr": true,
	"aol.com": true, "gmx.fr": true, "gmx.com": true, "gmx.de": true, "proton.me": true,
	"protonmail.com": true, "numericable.fr": true, "club-internet.fr": true,
}

// PublicProvider reports whether domain is a public mail service (see
// publicProviders): no per-domain sending limit applies to it.
func PublicProvider(domain string) bool {
	return publicProviders[strings.ToLower(domain)]
}

// lowerPrintable reports whether s is printable ASCII without a capital
// or a space, which strings.ToLower(strings.TrimSpace(s)) gives back as it
// is: most addresses. Told eight bytes at a time; the writer keys several
// addresses for every message it stores.
func lowerPrintable(s string) bool {
	const ones, highs = applicant.Ones, applicant.Highs
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := applicant.Load64(s[i : i+8])
		// A byte below 0x21 or above 0x7e: a borrow or carry only starts
		// at such a byte.
		if ((w-ones*0x21)&^w|(w+ones)|w)&highs != 0 {
			return false
		}
		// Then no byte carries: one is from 'A' (+0x3f reaches 0x80) and
		// not past 'Z' (+0x25 does not).
		if (w+ones*0x3f)&^(w+ones*0x25)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}
