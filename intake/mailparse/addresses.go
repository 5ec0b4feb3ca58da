package mailparse

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// addresses parses an address list, falling back to a lenient scan when
// net/mail refuses it (unclosed brackets, stray characters...).
func (p *parser) addresses(key, v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if out, ok := p.simpleAddresses(v); ok {
		return finishAddresses(out)
	}
	ap := mail.AddressParser{WordDecoder: &p.wd}
	list, err := ap.ParseList(v)
	var commentNames map[string]string
	if err != nil && strings.IndexByte(v, '(') >= 0 {
		// RFC 5322 allows comments almost anywhere in an address
		// ("marie(bureau)@x.fr", "(pro) Marie <m@x.fr> (fixe)");
		// net/mail only takes them in a few places.
		var clean []string
		for _, piece := range splitAddressList(v) {
			c, comments := stripComments(piece)
			clean = append(clean, c)
			if len(comments) > 0 && strings.IndexByte(c, '<') < 0 {
				// A bare addr-spec's comment is its owner's name.
				for _, a := range lenientAddresses(c, decodeWords) {
					if commentNames == nil {
						commentNames = map[string]string{}
					}
					commentNames[a.Email] = decodeWords(strings.Join(comments, " "))
				}
			}
		}
		cleaned := strings.Join(clean, ", ")
		if l, err2 := ap.ParseList(cleaned); err2 == nil {
			list, err = l, nil
		}
	}
	if err != nil && strings.Contains(v, "=?") && !strings.Contains(stripWords(v), "@") {
		// The whole mailbox inside one encoded-word (some web forms
		// encode "Name <addr>" at once): decoded, it parses.
		p.defect("%s header: the whole mailbox is inside an encoded-word", key)
		if l, err2 := ap.ParseList(decodeWords(v)); err2 == nil {
			list, err = l, nil
		} else {
			v = decodeWords(v)
		}
	}
	var out []Address
	if err == nil {
		out = make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: a.Name, Email: a.Address})
		}
		out = finishAddresses(out)
	} else {
		out = lenientAddresses(v, decodeWords)
		p.defect("malformed %s header %q: %v", key, truncate(v, 200), err)
	}
	for i := range out {
		if out[i].Name == "" && commentNames[out[i].Email] != "" {
			out[i].Name = commentNames[out[i].Email]
		}
	}
	return out
}

// finishAddresses makes the names and addresses net/mail read (or
// simpleAddresses, as it would) what a Message holds.
func finishAddresses(out []Address) []Address {
	for i, a := range out {
		// net/mail leaves the encoded-words of a quoted display name as
		// they are; some clients quote them all the same. net/mail's own
		// decoding passes a UTF-8 word's bytes through unchecked.
		out[i] = Address{
			Name:  validUTF8(decodeWords(strings.TrimSpace(a.Name))),
			Email: validUTF8(strings.ToLower(a.Email)),
		}
	}
	return out
}

// simpleAddresses reads the address lists nearly every mail has, one
// address or a few separated by commas, each "m@x.fr", "Name <m@x.fr>",
// "=?utf-8?q?...?= <m@x.fr>" or "\"Name\" <m@x.fr>" in ASCII, as
// net/mail's ParseList reads them (names as it decodes and joins them,
// addresses as written), without its allocations: about ten an address,
// most of them the errors of tries it drops. ok is false for anything
// else (comments, groups, 8-bit bytes, odd spacing or dots, encoded-words
// that do not decode...), left to net/mail; TestSimpleAddressesAsNetMail
// holds the two equal.
func (p *parser) simpleAddresses(v string) (out []Address, ok bool) {
	for i := 0; ; {
		a, n, ok := p.simpleAddress(v[i:])
		if !ok {
			return nil, false
		}
		if out == nil {
			out = make([]Address, 0, 1)
		}
		out = append(out, a)
		if i = skipWSP(v, i+n); i == len(v) {
			return out, true
		}
		if v[i] != ',' {
			return nil, false
		}
		if i = skipWSP(v, i+1); i == len(v) {
			return nil, false
		}
	}
}

// simpleAddress reads one address of simpleAddresses at the start of s
// and returns it and the bytes it took, Name as net/mail's display name.
func (p *parser) simpleAddress(s string) (a Address, n int, ok bool) {
	if s == "" {
		return Address{}, 0, false
	}
	if j := atomEnd(s, 0); j < len(s) && s[j] == '@' && j > 0 {
		// An addr-spec alone, which net/mail tries first.
		end, ok := addrSpecEnd(s)
		return Address{Email: s[:end]}, end, ok
	}
	// The display name: net/mail's consumePhrase, its atoms ASCII and
	// spaced, adjacent encoded-words joined, words joined by a space.
	var buf [4]string
	words := buf[:0]
	enc := "" // encoded-words joined, not yet a word
	// plain: the words are atoms one space apart, the name as it lies
	// in s from start to end.
	start, end, plain := -1, 0, true
	i := 0
	for {
		if i = skipWSP(s, i); i == len(s) {
			return Address{}, 0, false
		}
		if s[i] == '<' {
			break
		}
		if start < 0 {
			start = i
		} else if i != end+1 || s[end] != ' ' {
			plain = false
		}
		var word string
		encoded := false
		if s[i] == '"' {
			j := i + 1
			for j < len(s) && s[j] != '"' && (s[j] >= ' ' && s[j] <= '~' && s[j] != '\\' || s[j] == '\t') {
				j++
			}
			if j == len(s) || s[j] != '"' {
				return Address{}, 0, false
			}
			word, i, plain = s[i+1:j], j+1, false
		} else {
			j := atomEnd(s, i)
			if j == i {
				return Address{}, 0, false
			}
			word, i = s[i:j], j
			if strings.HasPrefix(word, "=?") {
				d, err := p.wd.Decode(word)
				if err != nil || d == "" {
					return Address{}, 0, false
				}
				word, encoded, plain = d, true, false
			}
		}
		if i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '<' {
			return Address{}, 0, false
		}
		end = i
		switch {
		case encoded:
			enc += word
		case enc != "":
			words = append(words, enc, word)
			enc = ""
		default:
			words = append(words, word)
		}
	}
	if enc != "" {
		words = append(words, enc)
	}
	name := strings.Join(words, " ")
	if plain && start >= 0 {
		name = s[start:end] // the same bytes, not copied
	}
	// The angle-addr: no space inside.
	k, ok := addrSpecEnd(s[i+1:])
	if !ok || i+1+k == len(s) || s[i+1+k] != '>' {
		return Address{}, 0, false
	}
	return Address{Name: name, Email: s[i+1 : i+1+k]}, i + 2 + k, true
}

// addrSpecEnd returns the end of the addr-spec that starts s, dot-atoms
// on both sides of the "@" as net/mail takes them (no domain literal).
func addrSpecEnd(s string) (int, bool) {
	j := atomEnd(s, 0)
	if j == len(s) || s[j] != '@' || !dotAtom(s[:j]) {
		return 0, false
	}
	k := atomEnd(s, j+1)
	return k, dotAtom(s[j+1 : k])
}

// dotAtom tells an atom net/mail takes in an addr-spec: not empty, no dot
// at either end or next to another.
func dotAtom(s string) bool {
	return s != "" && s[0] != '.' && s[len(s)-1] != '.' && !strings.Contains(s, "..")
}

// atomEnd returns the end of the run of ASCII atext and dots from s[i],
// net/mail's dot-atom but for 8-bit bytes.
func atomEnd(s string, i int) int {
	for i < len(s) && atextASCII[s[i]] {
		i++
	}
	return i
}

// atextASCII marks the bytes net/mail's isAtext(c, true) takes among
// ASCII: a table, as every byte of every address goes through it.
var atextASCII = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`()<>[]:;@\,"`, c)
	}
	return t
}()

// skipWSP returns the index of the first byte from s[i] that is not a
// space or a tab.
func skipWSP(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// validUTF8 keeps the valid UTF-8 of s and reads stray bytes as
// windows-1252.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return decodeMixed([]byte(s))
}

// splitAddressList cuts an address list at the commas that are outside
// quotes, angle brackets and comments.
func splitAddressList(v string) []string {
	var pieces []string
	angle, parens, quoted, startAt := 0, 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && (quoted || parens > 0):
			i++
		case c == '"' && parens == 0:
			quoted = !quoted
		case quoted:
		case c == '(':
			parens++
		case c == ')':
			if parens > 0 {
				parens--
			}
		case parens > 0:
		case c == '<':
			angle++
		case c == '>':
			if angle > 0 {
				angle--
			}
		case c == ',' && angle == 0:
			pieces = append(pieces, v[startAt:i])
			startAt = i + 1
		}
	}
	return append(pieces, v[startAt:])
}

// stripComments removes the (possibly nested) comments of an address
// outside quoted strings and returns their text. A comment inside angle
// brackets or against an addr-spec ("marie(bureau)@x.fr") disappears;
// elsewhere it leaves a space so that the words around it stay apart.
func stripComments(v string) (string, []string) {
	var out, cur strings.Builder
	var comments []string
	parens, angle, quoted, start := 0, 0, false, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if parens > 0 {
			switch c {
			case '\\':
				if i+1 < len(v) {
					i++
					cur.WriteByte(v[i])
				}
				continue
			case '(':
				parens++
			case ')':
				parens--
				if parens == 0 {
					if t := strings.TrimSpace(cur.String()); t != "" {
						comments = append(comments, t)
					}
					cur.Reset()
					if angle == 0 && !addrSpecChar(v, start-1) && !addrSpecChar(v, i+1) {
						out.WriteByte(' ')
					}
					continue
				}
			}
			cur.WriteByte(c)
			continue
		}
		switch {
		case quoted && c == '\\' && i+1 < len(v):
			out.WriteByte(c)
			i++
			c = v[i]
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			parens, start = 1, i
			continue
		case c == '<':
			angle++
		case c == '>':
			if angle > 0 {
				angle--
			}
		}
		out.WriteByte(c)
	}
	if parens > 0 {
		// An unclosed comment: keep its text rather than lose it.
		out.WriteString(cur.String())
	}
	return strings.TrimSpace(out.String()), comments
}

// stripWords removes the encoded-words of v, to look at what is around
// them.
func stripWords(v string) string {
	var b strings.Builder
	for {
		i := strings.Index(v, "=?")
		if i < 0 {
			break
		}
		_, n, ok := parseWord(v[i:])
		if !ok {
			b.WriteString(v[:i+2])
			v = v[i+2:]
			continue
		}
		b.WriteString(v[:i])
		v = v[i+n:]
	}
	b.WriteString(v)
	return b.String()
}

// addrSpecChar tells whether v[i] is an "@" or "." that glues a comment
// to the addr-spec around it.
func addrSpecChar(v string, i int) bool {
	return i >= 0 && i < len(v) && (v[i] == '@' || v[i] == '.')
}

// lenientAddresses takes whatever looks like an address in each piece of
// a list that net/mail refused. A piece without an address is the start
// of the next one's name ("Dupont, Marie <m@x.fr>" unquoted).
func lenientAddresses(v string, decode func(string) string) []Address {
	var out []Address
	carry := ""
	for _, piece := range splitAddressList(v) {
		piece, _ = stripComments(piece)
		piece = strings.TrimSpace(piece)
		var name, addr string
		if i := strings.IndexByte(piece, '<'); i >= 0 {
			name = piece[:i]
			addr = piece[i+1:]
			if j := strings.IndexByte(addr, '>'); j >= 0 {
				if strings.TrimSpace(name) == "" {
					name = addr[j+1:] // "<m@x.fr> Marie Dupont"
				}
				addr = addr[:j]
			}
			// "<marie @ x.fr>": the spaces cannot be part of it.
			addr = strings.Join(strings.Fields(addr), "")
		} else {
			// "Marie Dupont [marie@x.fr]", "Marie Dupont marie@x.fr":
			// the word with an "@" is the address, the others the name.
			words := strings.Fields(piece)
			for k, w := range words {
				if strings.Contains(w, "@") {
					addr = w
					name = strings.Join(append(words[:k:k], words[k+1:]...), " ")
					break
				}
			}
		}
		addr = strings.Trim(strings.TrimSpace(addr), `"'()<>[];,`)
		if len(addr) > 7 && strings.EqualFold(addr[:7], "mailto:") {
			addr = addr[7:]
		}
		addr = strings.TrimRight(addr, ".")
		if !strings.Contains(addr, "@") || strings.ContainsAny(addr, " \t") {
			if piece != "" && len(carry) < 200 {
				carry += piece + ", "
			}
			continue
		}
		name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `"`))
		if carry != "" && name != "" {
			name = strings.Trim(carry+name, `"`)
		}
		carry = ""
		out = append(out, Address{Name: decode(name), Email: strings.ToLower(addr)})
	}
	return out
}
