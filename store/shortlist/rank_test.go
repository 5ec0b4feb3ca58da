package shortlist_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

var t0 = time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// application builds an eligible, complete application in memory; mod
// makes it what a test needs.
func application(n int, mod func(a *store.Application)) *store.Application {
	a := &store.Application{
		ID:         int64(n),
		Reference:  fmt.Sprintf("RSE-2026-%04d", n),
		Year:       2026,
		Seq:        n,
		Status:     store.StatusComplete,
		ReceivedAt: t0.Add(time.Duration(n) * time.Hour),
		Applicant: store.Applicant{
			FirstName: "Léa", LastName: "Martin", Email: "lea@example.fr", Phone: "+33612345678",
			Company: "Causses & Cie", Role: "gérante", Siret: "73282932000074", SiretValid: ptr(true),
			Siren: "732829320", PostalCode: "48000", Commune: "Mende", Departement: "48", Headcount: ptr(12),
			Sector: "bois",
		},
	}
	if mod != nil {
		mod(a)
	}
	return a
}

func TestEligibility(t *testing.T) {
	roles := []string{"dirigeant", "gérant", "président", "directeur", "fondateur"}
	tests := []struct {
		name    string
		rules   shortlist.Rules
		mod     func(a *store.Application)
		reasons []string
	}{
		{name: "eligible", rules: shortlist.DefaultRules()},
		{name: "other département", rules: shortlist.DefaultRules(),
			mod:     func(a *store.Application) { a.Departement = "30" },
			reasons: []string{"département 30 hors périmètre (48 attendu)"}},
		{name: "several départements", rules: shortlist.Rules{Departements: []string{"48", "12"}},
			mod:     func(a *store.Application) { a.Departement = "30" },
			reasons: []string{"département 30 hors périmètre (48, 12 attendus)"}},
		{name: "second département", rules: shortlist.Rules{Departements: []string{"48", "12"}},
			mod: func(a *store.Application) { a.Departement = "12" }},
		{name: "corsica spelled lower", rules: shortlist.Rules{Departements: []string{"2a"}},
			mod: func(a *store.Application) { a.Departement = "2A" }},
		{name: "unknown département", rules: shortlist.DefaultRules(),
			mod:     func(a *store.Application) { a.Departement = "" },
			reasons: []string{"département inconnu"}},
		{name: "any département", rules: shortlist.Rules{},
			mod: func(a *store.Application) { a.Departement = "75"; a.Siret = "" }},
		{name: "invalid siret", rules: shortlist.DefaultRules(),
			mod:     func(a *store.Application) { a.Siret, a.SiretValid = "73282932000075", ptr(false) },
			reasons: []string{"SIRET invalide"}},
		{name: "unchecked invalid siret", rules: shortlist.DefaultRules(),
			mod:     func(a *store.Application) { a.Siret, a.SiretValid = "73282932000075", nil },
			reasons: []string{"SIRET invalide"}},
		{name: "missing siret", rules: shortlist.DefaultRules(),
			mod:     func(a *store.Application) { a.Siret, a.SiretValid, a.Siren = "", nil, "" },
			reasons: []string{"SIRET manquant"}},
		{name: "siret not required", rules: shortlist.Rules{Departements: []string{"48"}},
			mod: func(a *store.Application) { a.Siret, a.SiretValid = "73282932000075", ptr(false) }},
		{name: "too many people", rules: shortlist.Rules{MaxHeadcount: 50},
			mod:     func(a *store.Application) { a.Headcount = ptr(60) },
			reasons: []string{"effectif 60 > 50"}},
		{name: "headcount at the limit", rules: shortlist.Rules{MaxHeadcount: 50},
			mod: func(a *store.Application) { a.Headcount = ptr(50) }},
		{name: "unknown headcount", rules: shortlist.Rules{MaxHeadcount: 50},
			mod: func(a *store.Application) { a.Headcount = nil }},
		{name: "role not retained", rules: shortlist.Rules{Roles: roles},
			mod:     func(a *store.Application) { a.Role = "comptable" },
			reasons: []string{"fonction « comptable » non retenue"}},
		{name: "no role", rules: shortlist.Rules{Roles: roles},
			mod:     func(a *store.Application) { a.Role = "" },
			reasons: []string{"fonction non renseignée"}},
		{name: "feminine role", rules: shortlist.Rules{Roles: roles},
			mod: func(a *store.Application) { a.Role = "Co-fondatrice" }},
		{name: "everything wrong", rules: shortlist.Rules{Departements: []string{"48"}, RequireValidSiret: true,
			MaxHeadcount: 50, Roles: roles},
			mod: func(a *store.Application) {
				a.Departement, a.Siret, a.SiretValid, a.Headcount, a.Role = "30", "", nil, ptr(60), "comptable"
			},
			reasons: []string{"département 30 hors périmètre (48 attendu)", "SIRET manquant", "effectif 60 > 50",
				"fonction « comptable » non retenue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reasons := shortlist.Eligibility(application(1, tt.mod), tt.rules)
			if ok != (len(tt.reasons) == 0) || !slices.Equal(reasons, tt.reasons) {
				t.Errorf("eligible %v %q, want %q", ok, reasons, tt.reasons)
			}
		})
	}
}

func TestRoleMatches(t *testing.T) {
	roles := []string{"dirigeant", "gérant", "président", "directeur", "fondateur"}
	tests := []struct {
		role     string
		accepted []string
		want     bool
	}{
		{"gérant", roles, true},
		{"Gérante", roles, true},
		{"GERANTE", roles, true},
		{"co-gérante", roles, true},
		{"Cogérante", roles, true},
		{"cogérants", roles, true},
		{"Présidente", roles, true},
		{"presidente", roles, true},
		{"Directrice générale", roles, true},
		{"directrice", roles, true},
		{"Fondatrice", roles, true},
		{"co-fondatrice", roles, true},
		{"Co-Fondatrices", roles, true},
		{"Dirigeante", roles, true},
		{"Présidente-directrice générale", roles, true},
		{"fondatrice & gérante", roles, true},
		{"comptable", roles, false},
		{"assistante de direction", roles, false},
		{"salariée", roles, false},
		{"", roles, false},
		{"directrice", []string{"directeur général"}, false},
		{"Directrice générale adjointe", []string{"directeur général"}, true},
		{"cheffe d’entreprise", []string{"chef d'entreprise"}, true},
		{"entrepreneuse", []string{"entrepreneur"}, true},
		{"associée", []string{"associé"}, true},
		{"gérante", []string{"Gérante"}, true},
	}
	for _, tt := range tests {
		if got := shortlist.RoleMatches(tt.role, tt.accepted); got != tt.want {
			t.Errorf("RoleMatches(%q, %q) = %v, want %v", tt.role, tt.accepted, got, tt.want)
		}
	}
}

func TestRank(t *testing.T) {
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	apps := []*store.Application{
		application(1, func(a *store.Application) { a.ReceivedAt = at(0) }),
		application(2, func(a *store.Application) { a.ReceivedAt, a.Score = at(1), ptr(5) }),
		application(3, func(a *store.Application) { a.ReceivedAt, a.Score = at(2), ptr(9) }),
		application(5, func(a *store.Application) { a.ReceivedAt = at(3) }), // same time as 4: reference decides
		application(4, func(a *store.Application) { a.ReceivedAt = at(3) }),
		application(6, func(a *store.Application) {
			a.Status, a.Missing, a.Score, a.ReceivedAt = store.StatusIncomplete, []store.Missing{{Field: "phone"}}, ptr(10), at(4)
		}),
		application(7, func(a *store.Application) { a.Departement, a.Score, a.ReceivedAt = "30", ptr(10), at(5) }),
		application(8, func(a *store.Application) { a.Status, a.ReceivedAt = store.StatusWaitlisted, at(-1) }),
		application(9, func(a *store.Application) { a.Status, a.Score, a.ReceivedAt = store.StatusWithdrawn, ptr(10), at(6) }),
		application(10, func(a *store.Application) { a.Status, a.ReceivedAt = store.StatusNeedsReview, at(7) }),
		application(11, func(a *store.Application) { a.Status, a.Departement, a.ReceivedAt = store.StatusSelected, "12", at(9) }),
		application(12, func(a *store.Application) { a.Status, a.Score, a.ReceivedAt = store.StatusShortlisted, ptr(1), at(10) }),
		application(13, func(a *store.Application) { a.Status, a.Score, a.ReceivedAt = store.StatusDeclined, ptr(10), at(0) }),
	}
	rows := shortlist.Rank(apps, shortlist.DefaultRules(), 4, map[int64][]string{3: {"cv.pdf", "kbis.pdf"}})
	type want struct {
		ref     int
		rank    int
		section string
	}
	S, W, O := shortlist.SectionSelection, shortlist.SectionWaiting, shortlist.SectionOther
	wants := []want{
		{11, 1, S}, // selected by a coordinator, despite the rules
		{12, 2, S}, // shortlisted
		{3, 3, S},  // best score
		{2, 4, S},
		{8, 5, W}, // waitlisted by a coordinator: heads the waiting list even with room
		{1, 6, W}, // unscored: first come first served
		{4, 7, W},
		{5, 8, W},
		{6, 9, W},  // eligible but incomplete, whatever its score
		{13, 0, O}, // declined; the rest of the order still holds
		{7, 0, O},  // out of the perimeter
		{9, 0, O},
		{10, 0, O},
	}
	if len(rows) != len(wants) {
		t.Fatalf("%d rows, want %d", len(rows), len(wants))
	}
	for i, w := range wants {
		r := rows[i]
		if r.Application.Seq != w.ref || r.Rank != w.rank || r.Section != w.section {
			t.Errorf("row %d: %s rank %d %s, want %d rank %d %s", i, r.Application.Reference, r.Rank, r.Section,
				w.ref, w.rank, w.section)
		}
	}
	byRef := map[int]shortlist.Row{}
	for _, r := range rows {
		byRef[r.Application.Seq] = r
	}
	if r := byRef[11]; r.Eligible || !slices.Equal(r.Reasons, []string{"département 12 hors périmètre (48 attendu)"}) {
		t.Errorf("selected outside the rules: eligible %v %q", r.Eligible, r.Reasons)
	}
	if r := byRef[9]; !r.Eligible || !slices.Equal(r.Reasons, []string{"candidature retirée"}) {
		t.Errorf("withdrawn: eligible %v %q", r.Eligible, r.Reasons)
	}
	if r := byRef[6]; r.Complete {
		t.Error("incomplete application marked complete")
	}
	if r := byRef[3]; !slices.Equal(r.Attachments, []string{"cv.pdf", "kbis.pdf"}) {
		t.Errorf("attachments %q", r.Attachments)
	}

	// Without decisions, the default cohort of 8 takes the eight best.
	var plain []*store.Application
	for i := 1; i <= 10; i++ {
		plain = append(plain, application(i, nil))
	}
	rows = shortlist.Rank(plain, shortlist.DefaultRules(), 0, nil)
	for i, r := range rows {
		want := S
		if i >= shortlist.DefaultCohortSize {
			want = W
		}
		if r.Section != want || r.Rank != i+1 || r.Application.Seq != i+1 {
			t.Errorf("row %d: %s %d %s", i, r.Application.Reference, r.Rank, r.Section)
		}
	}
}

// TestBuild loads from a real database: status filter and attachment
// names (inline images left out, risky types marked).
func TestBuild(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "shortlist.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var refs []string
	for i, status := range []string{store.StatusComplete, store.StatusIncomplete, store.StatusWithdrawn} {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			m := &store.Message{SHA256: fmt.Sprint("x", i), BodySHA256: fmt.Sprint("y", i),
				Raw: []byte("Subject: candidature\r\n\r\n..."), Kind: "application"}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			a := application(i+1, nil)
			a.ID, a.Reference, a.Status, a.FirstMessageID = 0, "", status, m.ID
			if status == store.StatusIncomplete {
				a.Missing = []store.Missing{{Field: "siret", Reason: "SIRET invalide"}}
			}
			if err := tx.CreateApplication(ctx, a, "RSE", 2026); err != nil {
				return err
			}
			refs = append(refs, a.Reference)
			for pos, name := range []string{"cv.pdf", "logo.png", "kbis.pdf", "pieces.zip"} {
				if err := tx.InsertAttachment(ctx, &store.Attachment{MessageID: m.ID, ApplicationID: a.ID,
					Position: pos, Filename: name, ContentType: "application/pdf", Size: 10,
					SHA256: "abc", Stored: true, Inline: name == "logo.png"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rows, err := shortlist.Build(ctx, st, shortlist.DefaultRules(), 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Application.Reference+" "+r.Section)
		if !slices.Equal(r.Attachments, []string{"cv.pdf", "kbis.pdf", "pieces.zip (risqué)"}) {
			t.Errorf("%s attachments %q", r.Application.Reference, r.Attachments)
		}
	}
	want := []string{refs[0] + " Sélection", refs[1] + " Liste d'attente", refs[2] + " Non retenu"}
	if !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	rows, err = shortlist.Build(ctx, st, shortlist.DefaultRules(), 8, []string{store.StatusIncomplete})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Application.Reference != refs[1] {
		t.Errorf("status filter: %d rows", len(rows))
	}
}
