package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store"
)

func TestCleanLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"Marie\u0085Dupont", 0, "Marie Dupont"},
		{"Marie\u2028Dupont\u2029", 0, "Marie Dupont"},
		{"Marie\r\nDupont\t", 0, "Marie Dupont"},
		{"  Marie   \x00\x1b[31mDupont ", 0, "Marie [31mDupont"},
		{"facture\u202efdp.exe", 0, "facturefdp.exe"},
		{"Élodie Rouvière", 8, "Élodie…"},
		{"bad \xff byte", 0, "bad \ufffd byte"},
		// Already clean ASCII is kept as is; anything else is cleaned.
		{"Dupont SARL", 0, "Dupont SARL"},
		{"Dupont  SARL", 0, "Dupont SARL"},
		{" Dupont", 0, "Dupont"},
		{"Dupont ", 0, "Dupont"},
		{"Dupont\x7f", 0, "Dupont"},
		{"Dupont SARL", 11, "Dupont SARL"},
		{"Dupont SARL", 10, "Dupont SA…"},
	} {
		if got := store.CleanLine(c.in, c.max); got != c.want {
			t.Errorf("CleanLine(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
	if got := store.CleanText("Ligne 1\u0085\r\n\r\n\r\nLigne\u2028 2\n", 0); got != "Ligne 1\n\nLigne 2" {
		t.Errorf("CleanText = %q", got)
	}
}

// Whatever extraction hands over, what is stored (and so listed, shown,
// exported and repeated in mails) has no control character or Unicode
// separator and a bounded length.
func TestApplicantFieldsCleanedWhenStored(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	app := &store.Application{Status: store.StatusReceived, Applicant: store.Applicant{
		FirstName: "Anne\u0085", LastName: strings.Repeat("Roux", 2500), Company: "Boulangerie\u2028Roux",
		Email: "anne@example.fr", Motivation: "Nous voulons\u2029 progresser.\r\n\r\n\r\nMerci."}}
	msg := &store.Message{SHA256: "s", BodySHA256: "b", Raw: []byte("x"), Kind: "application",
		FromName: "Anne\u0085 " + strings.Repeat("x", 10000), Subject: "Candidature\u2028RSE"}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		app.FirstMessageID = msg.ID
		return tx.CreateApplication(ctx, app, "RSE", 2026)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Application(ctx, app.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Anne" || got.Company != "Boulangerie Roux" ||
		utf8.RuneCountInString(got.LastName) != store.MaxNameLen || got.Motivation != "Nous voulons progresser.\n\nMerci." {
		t.Errorf("stored %q %.20q… (%d) %q %q", got.FirstName, got.LastName, utf8.RuneCountInString(got.LastName),
			got.Company, got.Motivation)
	}
	if msg.Subject != "Candidature RSE" || utf8.RuneCountInString(msg.FromName) > store.MaxSubjectLen {
		t.Errorf("message subject %q, from name of %d characters", msg.Subject, utf8.RuneCountInString(msg.FromName))
	}
}
