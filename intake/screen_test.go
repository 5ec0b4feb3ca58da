package intake

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// Line separators and C1 controls a sender hides in encoded headers never
// reach what is stored, the report coordinators read included.
func TestHeaderValuesCleanedBeforeStoring(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	// "Anne\u0085Roux" and "Candidature\u2028Bcc: x", RFC 2047-encoded.
	raw := "From: =?utf-8?b?QW5uZcKFUm91eA==?= <anne@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: =?utf-8?b?Q2FuZGlkYXR1cmXigKhCY2M6IHg=?=\r\nMessage-ID: <sep@example.fr>\r\n\r\n" +
		"Bonjour, je candidate. Entreprise : Boulangerie Roux.\r\n"
	out, err := p.Ingest(ctx, Source{}, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.Message(ctx, out.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	var report map[string]any
	if err := json.Unmarshal(m.Parsed, &report); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{m.Subject, m.FromName, report["subject"].(string), report["from_name"].(string)} {
		if strings.ContainsAny(v, "\u0085\u2028\u2029\r\n") {
			t.Errorf("stored %q", v)
		}
	}
	if m.Subject != "Candidature Bcc: x" || !strings.HasPrefix(m.FromName, "Anne") {
		t.Errorf("subject %q, from name %q", m.Subject, m.FromName)
	}
}
