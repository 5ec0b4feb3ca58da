package applicant

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestAppendEvidenceIsJSONMarshal: the hand-written encoding of an
// application's evidence is byte for byte json.Marshal's, whatever the
// text holds (HTML, quotes, control characters, broken UTF-8).
func TestAppendEvidenceIsJSONMarshal(t *testing.T) {
	texts := []string{"", "N° SIRET : 812 345 676 00017", `a "quoted" \ back`, "<b>&amp;</b>", "tab\there\nline\r",
		"\x00\x1f\x7f", "bad \xff\xfe utf-8", "sep \u2028 \u2029", "réel \uFFFD", "emoji 😀", "\xe2\x80"}
	for _, ev := range []map[string]Evidence{
		nil,
		{},
		{"siret": {Source: "body", Line: 12, Text: texts[1], Rule: "label"}},
	} {
		checkEvidenceJSON(t, ev)
	}
	for i, s := range texts {
		checkEvidenceJSON(t, map[string]Evidence{
			s:         {Source: s, Line: i, Text: s, Rule: s, MessageID: s},
			"company": {Source: "header", Text: texts[(i+1)%len(texts)], Rule: "from", MessageID: "<a@b>"},
			"<z>":     {Line: -i},
		})
	}
}

func checkEvidenceJSON(t *testing.T, ev map[string]Evidence) {
	t.Helper()
	want, err := json.Marshal(ev)
	if ev == nil {
		want = []byte("{}")
	}
	if err != nil {
		t.Fatal(err)
	}
	got := AppendEvidence(nil, ev, nil)
	if string(got) != string(want) {
		t.Errorf("AppendEvidence = %s\nwant %s", got, want)
	}
}

// TestAppendJSONStringIsJSONMarshal: any string, valid UTF-8 or not, is
// written as json.Marshal writes it, accented letters copied without
// decoding and every other sequence decoded alike: random strings drawn
// from the bytes that matter
// (escaped ASCII, accented letters, the line separators, broken
// sequences).
func TestAppendJSONStringIsJSONMarshal(t *testing.T) {
	pieces := []string{"a", "Z", " ", "é", "œ", "\u0080", "\u07ff", "\xc2", "\xc1\xbf", "\xdf", "\xc3\xc3", "€", "😀",
		"\u2028", "\u2029", "\u2027", "\u202a", "\xe2", "\xe2\x80",
		"\x80", "\xff", "<", ">", "&", `"`, `\`, "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "\xef\xbf\xbd"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var s strings.Builder
		for range rng.IntN(40) {
			s.WriteString(pieces[rng.IntN(len(pieces))])
		}
		want, err := json.Marshal(s.String())
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendJSONString([]byte("x"), s.String()); string(got) != "x"+string(want) {
			t.Fatalf("AppendJSONString(%q) = %s, want %s", s.String(), got[1:], want)
		}
	}
}

// TestAppendJSONStringEightAtATime: a byte to escape or decode is found at
// every place of the eight bytes jsonOdd8 looks at at once.
func TestAppendJSONStringEightAtATime(t *testing.T) {
	for c := range 256 {
		for at := range 17 {
			s := []byte("abcdefghijklmnopq")
			s[at] = byte(c)
			want, err := json.Marshal(string(s))
			if err != nil {
				t.Fatal(err)
			}
			if got := AppendJSONString(nil, string(s)); string(got) != string(want) {
				t.Fatalf("AppendJSONString(%q) = %s, want %s", s, got, want)
			}
		}
	}
}
