package notify

import (
	"path"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store"
)

// MaxEchoLen is how many characters of a name, a company or any other
// text a sender wrote an automatic mail repeats: enough for a real name,
// too little to carry an advertisement.
const MaxEchoLen = 80

// echo is the form in which an automatic mail repeats text a sender
// wrote: one line, at most MaxEchoLen characters, links and addresses
// made inert. Whoever writes to the programme with someone else's address
// must not be able to make the programme mail that person their text with
// a working link in it ("reflected spam").
func echo(s string) string {
	// Capped again after inert: its "[.]" and "[:]" lengthen the text.
	return store.Truncate(inert(store.CleanLine(s, MaxEchoLen)), MaxEchoLen)
}

// fileExtTLDs are file extensions that are also common top-level
// domains: in a file name they are the extension, and stay readable.
var fileExtTLDs = map[string]bool{".zip": true, ".mov": true, ".one": true}

// echoFilename is echo for an attachment's name: "portfolio.zip" stays
// as it is, "evil.com" or "www.evil.example.pdf" do not link.
func echoFilename(name string) string {
	name = store.CleanLine(name, MaxEchoLen)
	ext := strings.ToLower(path.Ext(name))
	if ext == "" || (!fileExtTLDs[ext] && linkable(ext[1:], "")) {
		return store.Truncate(inert(name), MaxEchoLen)
	}
	// The extension stays readable ("outil.exe"); the rest is made inert,
	// and capped so that the whole stays within MaxEchoLen.
	base := name[:len(name)-len(ext)]
	return store.Truncate(inert(base), max(1, MaxEchoLen-utf8.RuneCountInString(ext))) + name[len(name)-len(ext):]
}

var (
	// A scheme a mail client turns into a link: anything before "://",
	// wherever it starts, and the schemes without "//" as whole words.
	slashesRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)([a-z][a-z0-9+.\-]*):(//)`) })
	schemeRe  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b(mailto|javascript|data|tel|sms|whatsapp|tg|file):`)
	})
	// A host-like run of labels: "evil.example.com", "a.b".
	hostRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`[\p{L}\p{N}](?:[\p{L}\p{N}_-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}_-]*[\p{L}\p{N}])?)+`)
	})
)

// commonTLDs are the generic top-level domains webmail auto-links most
// often besides the two-letter country codes; a name such as "E.Leclerc"
// has none and is left alone.
var commonTLDs = map[string]bool{"com": true, "net": true, "org": true, "info": true, "biz": true, "xyz": true,
	"top": true, "online": true, "site": true, "shop": true, "store": true, "app": true, "dev": true, "club": true,
	"tech": true, "live": true, "pro": true, "win": true, "bid": true, "link": true, "click": true, "email": true,
	"mobi": true, "name": true, "asia": true, "icu": true, "vip": true, "work": true, "fun": true, "space": true,
	"website": true, "page": true, "blog": true, "cloud": true, "gov": true, "edu": true, "int": true, "mil": true,
	"bzh": true, "paris": true, "eus": true, "corsica": true, "alsace": true, "cat": true, "one": true, "zip": true,
	"mov": true, "xxx": true, "news": true, "today": true, "world": true, "life": true, "loan": true, "money": true,
	"cash": true, "bet": true, "casino": true, "games": true, "finance": true, "crypto": true, "io": true, "co": true}

// inert rewrites what a mail client or a webmail would turn into a link:
// "http://" becomes "http[:]//", and the dots of anything that looks like
// a host name or an address become "[.]" ("evil[.]example[.]com",
// "x@evil[.]com"), in the text and the HTML part alike (the HTML
// template escapes it too). Readable for a person, clickable for nobody.
func inert(s string) string {
	// Each pattern is run only on a text holding what it needs ("://",
	// ':' or '.', which most names and companies lack): a regexp scanning
	// in vain costs about as much as one that matches. The replacements
	// add only brackets.
	if strings.Contains(s, "://") {
		s = slashesRe().ReplaceAllString(s, "$1[:]$2")
	}
	if strings.IndexByte(s, ':') >= 0 {
		s = schemeRe().ReplaceAllString(s, "$1[:]")
	}
	if strings.IndexByte(s, '.') < 0 {
		return s
	}
	return inertHosts(s)
}

// inertHosts breaks the dots of what in s looks like a host name or an
// address, as inert says.
func inertHosts(s string) string {
	return hostRe().ReplaceAllStringFunc(s, func(h string) string {
		labels := strings.Split(h, ".")
		tld := strings.ToLower(labels[len(labels)-1])
		if !linkable(tld, labels[0]) && !strings.EqualFold(labels[0], "www") && !strings.Contains(s, "@"+h) && !strings.Contains(s, "[:]//"+h) {
			return h
		}
		return strings.Join(labels, "[.]")
	})
}

// linkable reports whether a host ending in tld would be auto-linked.
// Webmail links every TLD in IANA's list (".digital", ".agency", ".lol"
// as well as ".com"), which is too long to keep here: any alphabetic TLD
// counts, save after a one-letter first label, which is how people write
// an initial ("E.Leclerc") and a spammer's domain rarely is.
func linkable(tld, first string) bool {
	if strings.HasPrefix(tld, "xn--") || commonTLDs[tld] {
		return true
	}
	if len(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) || r > unicode.MaxASCII {
			return false
		}
	}
	return len(tld) == 2 || len([]rune(first)) > 1
}
