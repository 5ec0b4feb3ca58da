package mailparse

import (
	"strings"
	"unicode/utf8"
)

// decodeWords decodes the RFC 2047 encoded-words of a header value, as
// leniently as real mail needs: words in any case, an RFC 2231 language
// suffix, spaces around the encoding letter or inside a Q word, base64
// without padding, an unknown or wrong charset label (read by
// convertCharset's rules). Adjacent words are joined before their charset
// is decoded, so a character split between two words survives. What is
// not a well-formed word is kept as written.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var (
		out     strings.Builder
		only    string // the result while it is one piece, not yet in out
		pend    []byte // decoded bytes of adjacent words in one charset
		label   string
		pending bool
	)
	// A value that is one run of words (most encoded subjects and names)
	// is the string its charset's decoding makes, not copied into out.
	write := func(t string) {
		switch {
		case t == "":
		case out.Len() == 0 && only == "":
			only = t
		case out.Len() == 0:
			// Made once: decoded, words are never longer than written,
			// and a value seldom grows (only text in a legacy charset).
			out.Grow(len(s))
			out.WriteString(only)
			fallthrough
		default:
			out.WriteString(t)
		}
	}
	pend = make([]byte, 0, len(s))
	flush := func() {
		if pending {
			t, _, _ := convertCharset(pend, label)
			write(t)
			pend, pending = pend[:0], false
		}
	}
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			break
		}
		j += i
		w, n, ok := parseWord(s[j:])
		if !ok {
			flush()
			write(s[i : j+2])
			i = j + 2
			continue
		}
		// Whitespace between two words is dropped (RFC 2047 6.2);
		// anything else between them is text.
		between := s[i:j]
		adjacent := pending && strings.Trim(between, " \t\r\n") == ""
		if !adjacent || !strings.EqualFold(w.charset, label) {
			flush()
			if !adjacent {
				write(between)
			}
			label, pending = w.charset, true
		}
		pend = w.appendDecoded(pend)
		i = j + n
	}
	flush()
	write(s[i:])
	r := only
	if out.Len() > 0 {
		r = out.String()
	}
	if !utf8.ValidString(r) {
		r = strings.ToValidUTF8(r, "\uFFFD")
	}
	return r
}

// maxWordText bounds the text of one encoded-word. RFC 2047 says 75
// characters for the whole word; some generators write a whole subject
// or file name in one.
const maxWordText = 4096

// encodedWord is one "=?charset?enc?text?=" as found.
type encodedWord struct {
	charset string
	q       bool // Q encoding; B otherwise
	text    string
	at      int // offset of text in the word
}

// parseWord reads the encoded-word at the start of s ("=?" included) and
// returns it with its length.
func parseWord(s string) (w encodedWord, n int, ok bool) {
	rest := s[2:]
	q := strings.IndexByte(rest[:min(len(rest), 66)], '?')
	if q <= 0 || q > 64 {
		return w, 0, false
	}
	w.charset = rest[:q]
	for _, c := range []byte(w.charset) {
		if c <= ' ' || c >= 0x7f || c == '=' {
			return w, 0, false
		}
	}
	if star := strings.IndexByte(w.charset, '*'); star > 0 {
		w.charset = w.charset[:star] // RFC 2231 language suffix
	}
	pos := 2 + q + 1
	for pos < len(s) && s[pos] == ' ' {
		pos++
	}
	if pos >= len(s) {
		return w, 0, false
	}
	switch s[pos] {
	case 'q', 'Q':
		w.q = true
	case 'b', 'B':
	default:
		return w, 0, false
	}
	pos++
	for pos < len(s) && s[pos] == ' ' {
		pos++
	}
	if pos >= len(s) || s[pos] != '?' {
		return w, 0, false
	}
	pos++
	// The search is bounded: a value full of "=?" without "?=" must not
	// cost a scan to its end per "=?".
	end := strings.Index(s[pos:min(len(s), pos+maxWordText)], "?=")
	n = pos + end + 2
	if end < 0 {
		// A word cut before its "?=" (a folding or length limit): at the
		// very end of the value, what is there still decodes.
		end = len(s) - pos
		if end == 0 || end > maxWordText || strings.ContainsAny(s[pos:], " \t") {
			return w, 0, false
		}
		n = len(s)
		end = len(strings.TrimRight(s[pos:], "?"))
	}
	w.text, w.at = s[pos:pos+end], pos
	if strings.Contains(w.text, "=?") || (!w.q && strings.ContainsAny(w.text, " \t")) {
		return w, 0, false
	}
	return w, n, true
}

// appendDecoded appends the bytes the word encodes to dst.
func (w encodedWord) appendDecoded(dst []byte) []byte {
	t := w.text
	if w.q {
		for i := 0; i < len(t); i++ {
			switch c := t[i]; {
			case c == '_':
				dst = append(dst, ' ')
			case c == '=' && i+2 < len(t) && isHex(t[i+1]) && isHex(t[i+2]):
				dst = append(dst, unhex(t[i+1])<<4|unhex(t[i+2]))
				i += 2
			default:
				dst = append(dst, c)
			}
		}
		return dst
	}
	var acc uint32
	nq := 0
	for i := 0; i < len(t); i++ {
		v := b64table[t[i]]
		if v >= 128 {
			continue
		}
		acc = acc<<6 | uint32(v&63) // the URL alphabet's too
		nq++
		if nq == 4 {
			dst = append(dst, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, nq = 0, 0
		}
	}
	switch nq {
	case 2:
		dst = append(dst, byte(acc>>4))
	case 3:
		dst = append(dst, byte(acc>>10), byte(acc>>2))
	}
	return dst
}

// escapeRaw8InWords rewrites the raw 8-bit bytes found inside Q
// encoded-words as =XX escapes. Some senders put the charset's bytes
// there unencoded; escaped, they decode with the word's own charset
// instead of being salvaged as the rest of the header and then decoded
// a second time.
func escapeRaw8InWords(b []byte) []byte {
	if isASCII(b) {
		return b
	}
	s := string(b)
	var out []byte
	last, i := 0, 0
	for {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			break
		}
		j += i
		w, n, ok := parseWord(s[j:])
		if !ok {
			i = j + 2
			continue
		}
		i = j + n
		if !w.q || isASCII([]byte(w.text)) {
			continue
		}
		textStart := j + w.at
		out = append(out, s[last:textStart]...)
		for k := 0; k < len(w.text); k++ {
			if c := w.text[k]; c >= 0x80 {
				const hexDigits = "0123456789ABCDEF"
				out = append(out, '=', hexDigits[c>>4], hexDigits[c&15])
			} else {
				out = append(out, c)
			}
		}
		last = textStart + len(w.text)
	}
	if out == nil {
		return b
	}
	return append(out, s[last:]...)
}
