package mailparse

import (
	"math/rand/v2"
	"net/mail"
	"strings"
	"testing"
)

// TestSimpleAddressesAsNetMail holds simpleAddresses to net/mail's
// ParseList: every list it reads, net/mail reads too, to the same names
// and addresses. The lists are pieces of addresses, names, encoded-words
// (good, bad, empty, in charsets net/mail cannot read alone), quotes,
// comments, dots and separators put together at random.
func TestSimpleAddressesAsNetMail(t *testing.T) {
	pieces := []string{
		"Luc", "Roux", "J.", ".x", "x.", "a.b", "O'Neil", "-", "_", "=", "?", "=?", "?=",
		"=?utf-8?q?=C3=89lodie_Roux?=", "=?UTF-8?B?w4lsb2RpZQ==?=", "=?iso-8859-1?q?Andr=E9?=",
		"=?windows-1252?q?=E9t=E9?=", "=?utf-8?q??=", "=?bad?x?y?=", "=?utf-8?b?***?=", "=?x-unknown?q?a?=",
		"=?utf-8?q?a?==?utf-8?q?b?=", `"Dupont, Marie"`, `"a\"b"`, `""`, `"=?utf-8?q?x?="`, `"tab	in"`, `"é"`,
		" ", "  ", "\t", "<", ">", "@", ",", ", ", "(c)", "(", ")", ":", ";", "[", "]", `\`, "é", "\x80",
		"luc.roux@exemple.fr", "A@B.FR", "x..y@z", ".a@b", "a.@b", "a@b.", "a@.b", "a@[1.2.3.4]", "a@b@c",
		"<a@b.fr>", "<A.B@C.FR>", "<a@b.fr", "<a @b.fr>", "< a@b.fr>", "<a@b.fr >", "<a@ b.fr>", "<>", "<@b>",
		"a@b", "rse.innovation.manageriale@gmail.com",
	}
	names := []string{"Luc", "ROUX", "J.", "O'Neil", "=?utf-8?q?=C3=89lodie_Roux?=", "=?UTF-8?B?w4lsb2RpZQ==?=",
		"=?iso-8859-1?q?Andr=E9?=", "=?utf-8?q??=", "=?bad?x?y?=", `"Dupont, Marie"`, `""`, `"a\"b"`, "é", "(c)", "x:"}
	seps := []string{"", " ", " ", "  ", "\t"}
	specs := []string{"luc.roux@exemple.fr", "<luc.roux@exemple.fr>", "<A.B@C.FR>", "A@B.FR", "x..y@z", "<a@b.fr",
		"< a@b.fr>", "<a@[1.2.3.4]>", "a@b (c)", "<a@b>x"}
	var p parser
	p.wd.CharsetReader = wordCharsetReader
	ap := mail.AddressParser{WordDecoder: &p.wd}
	rng := rand.New(rand.NewPCG(1, 2))
	read := 0
	const n = 300_000
	for range n {
		var b strings.Builder
		if rng.IntN(2) == 0 {
			for range 1 + rng.IntN(7) {
				b.WriteString(pieces[rng.IntN(len(pieces))])
				if rng.IntN(3) == 0 {
					b.WriteByte(' ')
				}
			}
		} else {
			// Lists of names and addresses, the pieces of each at random.
			for k := range 1 + rng.IntN(3) {
				if k > 0 {
					b.WriteString(seps[rng.IntN(len(seps))] + "," + seps[rng.IntN(len(seps))])
				}
				for range rng.IntN(4) {
					b.WriteString(names[rng.IntN(len(names))] + seps[rng.IntN(len(seps))])
				}
				b.WriteString(specs[rng.IntN(len(specs))])
			}
		}
		v := strings.TrimSpace(b.String())
		if v == "" {
			continue
		}
		got, ok := p.simpleAddresses(v)
		if !ok {
			continue
		}
		read++
		list, err := ap.ParseList(v)
		if err != nil {
			t.Fatalf("%q: simpleAddresses read %q, net/mail refused it: %v", v, got, err)
		}
		want := make([]Address, len(list))
		for i, a := range list {
			want[i] = Address{Name: a.Name, Email: a.Address}
		}
		if !slicesEqual(got, want) {
			t.Fatalf("%q: simpleAddresses read %q, net/mail %q", v, got, want)
		}
	}
	// The usual forms must take the fast path, or it is of no use.
	for _, v := range []string{"luc.roux@exemple.fr", "Luc Roux <luc.roux@exemple.fr>",
		"=?utf-8?q?=C3=89lodie_Roux?= <e.roux@exemple.fr>", `"Roux, Luc" <l@x.fr>`, "a@x.fr, B <b@x.fr>"} {
		if _, ok := p.simpleAddresses(v); !ok {
			t.Errorf("%q: not read by simpleAddresses", v)
		}
	}
	if read < n/50 {
		t.Errorf("simpleAddresses read only %d of %d lists", read, n)
	}
	t.Logf("simpleAddresses read %d of %d lists", read, n)
}

func slicesEqual(a, b []Address) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
