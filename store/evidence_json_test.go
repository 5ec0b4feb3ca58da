package store

import (
	"encoding/json"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestAppendEvidenceIsJSONMarshal: the hand-written encoding of an
// application's evidence is byte for byte json.Marshal's, whatever the
// text holds (HTML, quotes, control characters, broken UTF-8).
func TestAppendEvidenceIsJSONMarshal(t *testing.T) {
	texts := []string{"", "N° SIRET : 812 345 676 00017", `a "quoted" \ back`, "<b>&amp;</b>", "tab\there\nline\r",
		"\x00\x1f\x7f", "bad \xff\xfe utf-8", "sep \u2028 \u2029", "réel \uFFFD", "emoji 😀", "\xe2\x80"}
	for _, ev := range []map[string]applicant.Evidence{
		nil,
		{},
		{"siret": {Source: "body", Line: 12, Text: texts[1], Rule: "label"}},
	} {
		checkEvidenceJSON(t, ev)
	}
	for i, s := range texts {
		checkEvidenceJSON(t, map[string]applicant.Evidence{
			s:         {Source: s, Line: i, Text: s, Rule: s, MessageID: s},
			"company": {Source: "header", Text: texts[(i+1)%len(texts)], Rule: "from", MessageID: "<a@b>"},
			"<z>":     {Line: -i},
		})
	}
}

func checkEvidenceJSON(t *testing.T, ev map[string]applicant.Evidence) {
	t.Helper()
	want, err := json.Marshal(ev)
	if ev == nil {
		want = []byte("{}")
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := appendEvidence(nil, ev)
	if err != nil || string(got) != string(want) {
		t.Errorf("appendEvidence = %s, %v\nwant %s", got, err, want)
	}
}
