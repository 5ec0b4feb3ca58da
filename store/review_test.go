package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

func openReviewStore(t *testing.T) *store.Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "review.db"))
}

// newReviewApplication stores a message and an application in status.
func newReviewApplication(t *testing.T, st *store.Store, status string) *store.Application {
	t.Helper()
	ctx := context.Background()
	var a *store.Application
	err := st.InTx(ctx, func(tx *store.Tx) error {
		n := time.Now().UnixNano()
		m := &store.Message{SHA256: fmt.Sprint("raw", n), BodySHA256: fmt.Sprint("body", n),
			Raw: []byte("Subject: candidature\r\n\r\nBonjour"), Kind: "application"}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		valid := true
		a = &store.Application{Status: status, FirstMessageID: m.ID, Applicant: store.Applicant{
			FirstName: "Léa", LastName: "Martin", Company: "Causses & Cie", Siret: "73282932000074",
			Siren: "732829320", SiretValid: &valid, Commune: "Mende", PostalCode: "48000", Departement: "48", Phone: "+33612345678"}}
		return tx.CreateApplication(ctx, a, "RSE", 2026)
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func history(t *testing.T, st *store.Store, a *store.Application) []store.AuditEntry {
	t.Helper()
	h, err := st.History(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestReviewAllPairs tries every status change by a coordinator: the
// allowed ones are made and audited, the others refused with the allowed
// list and leave no trace.
func TestReviewAllPairs(t *testing.T) {
	ctx := context.Background()
	st := openReviewStore(t)
	for _, from := range store.Statuses {
		for _, to := range append(slices.Clone(store.Statuses), "archived") {
			t.Run(from+"->"+to, func(t *testing.T) {
				a := newReviewApplication(t, st, from)
				allowed := store.Transitions(from)
				got, err := st.Review(ctx, a.Reference, to, "note "+to, "claire")
				if slices.Contains(allowed, to) {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					if got.Status != to {
						t.Fatalf("status %q, want %q", got.Status, to)
					}
					h := history(t, st, a)
					want := store.AuditEntry{Actor: "claire", Action: "status", Field: "status", From: from, To: to,
						Note: "note " + to}
					if len(h) != 1 || !sameEntry(h[0], want) {
						t.Fatalf("history %+v, want %+v", h, want)
					}
					return
				}
				var te *store.TransitionError
				if !errors.As(err, &te) {
					t.Fatalf("err %v, want a *TransitionError", err)
				}
				if te.From != from || te.To != to || !slices.Equal(te.Allowed, allowed) {
					t.Fatalf("error %+v, want from %s to %s allowed %v", te, from, to, allowed)
				}
				for _, s := range allowed {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("message %q does not name allowed status %s", err, s)
					}
				}
				cur, err := st.Application(ctx, a.Reference)
				if err != nil {
					t.Fatal(err)
				}
				if cur.Status != from {
					t.Fatalf("refused change moved the status to %s", cur.Status)
				}
				if h := history(t, st, a); len(h) != 0 {
					t.Fatalf("refused change audited: %+v", h)
				}
			})
		}
	}
}

func sameEntry(got, want store.AuditEntry) bool {
	return got.Actor == want.Actor && got.Action == want.Action && got.Field == want.Field &&
		got.From == want.From && got.To == want.To && got.Note == want.Note && !got.At.IsZero()
}

// TestWorkflowWalk walks one application through the automatic statuses
// and every coordinator transition reachable on one path, and checks the
// whole story is in History.
func TestWorkflowWalk(t *testing.T) {
	ctx := context.Background()
	st := openReviewStore(t)
	a := newReviewApplication(t, st, store.StatusReceived)
	var want []store.AuditEntry
	auto := func(to string) {
		t.Helper()
		from := a.Status
		if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.SetStatusAuto(ctx, a, to, "pièces") }); err != nil {
			t.Fatal(err)
		}
		want = append(want, store.AuditEntry{Actor: store.AutoActor, Action: "status", Field: "status", From: from,
			To: to, Note: "pièces"})
	}
	review := func(to string) {
		t.Helper()
		from := a.Status
		got, err := st.Review(ctx, a.Reference, to, "", "claire")
		if err != nil {
			t.Fatal(err)
		}
		a = got
		want = append(want, store.AuditEntry{Actor: "claire", Action: "status", Field: "status", From: from, To: to})
	}
	auto(store.StatusIncomplete)
	auto(store.StatusComplete)
	auto(store.StatusIncomplete)
	auto(store.StatusComplete)
	for _, to := range []string{store.StatusShortlisted, store.StatusComplete, store.StatusShortlisted,
		store.StatusWaitlisted, store.StatusSelected, store.StatusWaitlisted, store.StatusDeclined,
		store.StatusShortlisted, store.StatusSelected, store.StatusDeclined, store.StatusWithdrawn} {
		review(to)
	}
	h := history(t, st, a)
	if len(h) != len(want) {
		t.Fatalf("history has %d entries, want %d: %+v", len(h), len(want), h)
	}
	for i := range want {
		if !sameEntry(h[i], want[i]) {
			t.Errorf("history[%d] = %+v, want %+v", i, h[i], want[i])
		}
	}
}

func TestSetStatusAuto(t *testing.T) {
	ctx := context.Background()
	st := openReviewStore(t)
	auto := func(a *store.Application, to string) error {
		return st.InTx(ctx, func(tx *store.Tx) error { return tx.SetStatusAuto(ctx, a, to, "") })
	}

	t.Run("never decides", func(t *testing.T) {
		a := newReviewApplication(t, st, store.StatusComplete)
		for _, to := range []string{store.StatusShortlisted, store.StatusSelected, store.StatusWithdrawn,
			store.StatusNeedsReview, "nope"} {
			var te *store.TransitionError
			if err := auto(a, to); !errors.As(err, &te) || !te.Auto {
				t.Errorf("to %s: err %v, want an automatic *TransitionError", to, err)
			}
		}
		if h := history(t, st, a); len(h) != 0 {
			t.Fatalf("refused changes audited: %+v", h)
		}
	})

	t.Run("leaves decisions alone", func(t *testing.T) {
		for _, from := range []string{store.StatusShortlisted, store.StatusSelected, store.StatusWaitlisted,
			store.StatusDeclined, store.StatusWithdrawn} {
			a := newReviewApplication(t, st, from)
			a.Status = store.StatusComplete // a stale copy must not fool it
			if err := auto(a, store.StatusIncomplete); err != nil {
				t.Fatalf("from %s: %v", from, err)
			}
			cur, _ := st.Application(ctx, a.Reference)
			if cur.Status != from || a.Status != from {
				t.Fatalf("from %s: status now %s (a says %s)", from, cur.Status, a.Status)
			}
			if h := history(t, st, a); len(h) != 0 {
				t.Fatalf("from %s: audited %+v", from, h)
			}
		}
	})

	t.Run("same status is no news", func(t *testing.T) {
		a := newReviewApplication(t, st, store.StatusIncomplete)
		if err := auto(a, store.StatusIncomplete); err != nil {
			t.Fatal(err)
		}
		if h := history(t, st, a); len(h) != 0 {
			t.Fatalf("audited %+v", h)
		}
	})

	t.Run("a reparse settles needs_review", func(t *testing.T) {
		a := newReviewApplication(t, st, store.StatusNeedsReview)
		if err := auto(a, store.StatusComplete); err != nil {
			t.Fatal(err)
		}
		h := history(t, st, a)
		if len(h) != 1 || h[0].Actor != store.AutoActor || h[0].From != store.StatusNeedsReview {
			t.Fatalf("history %+v", h)
		}
	})
}

func TestReviewNeedsSomeone(t *testing.T) {
	st := openReviewStore(t)
	a := newReviewApplication(t, st, store.StatusComplete)
	ctx := context.Background()
	if _, err := st.Review(ctx, a.Reference, store.StatusShortlisted, "", " "); err == nil {
		t.Error("review without a name accepted")
	}
	if _, err := st.SetScore(ctx, a.Reference, 5, ""); err == nil {
		t.Error("score without a name accepted")
	}
	if _, err := st.SetField(ctx, a.Reference, "company", "X", ""); err == nil {
		t.Error("set without a name accepted")
	}
	if _, err := st.Review(ctx, "RSE-2026-9999", store.StatusShortlisted, "", "claire"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown reference: %v, want ErrNotFound", err)
	}
	// References are matched in any case, as people type them.
	if _, err := st.Review(ctx, strings.ToLower(a.Reference), store.StatusShortlisted, "", "claire"); err != nil {
		t.Error(err)
	}
}

func TestSetScore(t *testing.T) {
	ctx := context.Background()
	st := openReviewStore(t)
	a := newReviewApplication(t, st, store.StatusComplete)
	for _, bad := range []int{-1, 11, 100} {
		if _, err := st.SetScore(ctx, a.Reference, bad, "claire"); err == nil {
			t.Errorf("score %d accepted", bad)
		}
	}
	for _, s := range []int{0, 10, 7} {
		got, err := st.SetScore(ctx, a.Reference, s, "claire")
		if err != nil {
			t.Fatal(err)
		}
		if got.Score == nil || *got.Score != s {
			t.Fatalf("score %v, want %d", got.Score, s)
		}
	}
	cur, _ := st.Application(ctx, a.Reference)
	if cur.Score == nil || *cur.Score != 7 {
		t.Fatalf("stored score %v", cur.Score)
	}
	h := history(t, st, a)
	want := [][2]string{{"", "0"}, {"0", "10"}, {"10", "7"}}
	if len(h) != len(want) {
		t.Fatalf("history %+v", h)
	}
	for i, w := range want {
		if h[i].Action != "score" || h[i].From != w[0] || h[i].To != w[1] || h[i].Actor != "claire" {
			t.Errorf("history[%d] = %+v, want %v", i, h[i], w)
		}
	}
}

func TestSetField(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		field, value string
		want         map[string]string // fields after the change
		wantErr      bool
	}{
		{field: "siret", value: "732 829 320 00074", want: map[string]string{"siret": "73282932000074",
			"siret_valid": "true", "siren": "732829320"}},
		{field: "siret", value: "73282932000075", want: map[string]string{"siret": "73282932000075",
			"siret_valid": "false", "siren": "732829320"}},
		{field: "siret", value: "35600000049837", want: map[string]string{"siret_valid": "true"}}, // La Poste
		{field: "siret", value: "", want: map[string]string{"siret": "", "siret_valid": "", "siren": ""}},
		{field: "siret", value: "7328293200007", wantErr: true},
		{field: "siret", value: "7328293200007A", wantErr: true},
		{field: "postal_code", value: "48 000", want: map[string]string{"postal_code": "48000", "departement": "48"}},
		{field: "postal_code", value: "20090", want: map[string]string{"departement": "2A"}},
		{field: "postal_code", value: "20167", want: map[string]string{"departement": "2A"}},
		{field: "postal_code", value: "20200", want: map[string]string{"departement": "2B"}},
		{field: "postal_code", value: "20600", want: map[string]string{"departement": "2B"}},
		{field: "postal_code", value: "97110", want: map[string]string{"departement": "971"}},
		{field: "postal_code", value: "01000", want: map[string]string{"departement": "01"}},
		{field: "postal_code", value: "4800", wantErr: true},
		{field: "departement", value: "2a", want: map[string]string{"departement": "2A", "postal_code": "48000"}},
		{field: "departement", value: "20", wantErr: true},
		{field: "departement", value: "Lozère", wantErr: true},
		{field: "headcount", value: "12", want: map[string]string{"headcount": "12"}},
		{field: "headcount", value: "1\u00a0200", want: map[string]string{"headcount": "1200"}},
		{field: "headcount", value: "12.5", wantErr: true},
		{field: "headcount", value: "-3", wantErr: true},
		{field: "headcount", value: "douze", wantErr: true},
		{field: "phone", value: "06 12 34 56 78", want: map[string]string{"phone": "+33612345678"}},
		{field: "phone", value: "04.66.49.00.00", want: map[string]string{"phone": "+33466490000"}},
		{field: "phone", value: "+33 (0)6 12 34 56 78", want: map[string]string{"phone": "+33612345678"}},
		{field: "phone", value: "0033 6 12 34 56 78", want: map[string]string{"phone": "+33612345678"}},
		{field: "phone", value: "+41 22 123 45 67", want: map[string]string{"phone": "+41221234567"}},
		{field: "phone", value: "06 12 34 56", wantErr: true},
		{field: "phone", value: "=1+1", wantErr: true},
		{field: "email", value: "Lea.Martin@Example.FR", want: map[string]string{"email": "lea.martin@example.fr"}},
		{field: "email", value: "lea@localhost", wantErr: true},
		{field: "company", value: "  Causses SARL ", want: map[string]string{"company": "Causses SARL"}},
		{field: "company", value: "A\nB", wantErr: true},
		{field: "motivation", value: "Ligne 1\nLigne 2", want: map[string]string{"motivation": "Ligne 1\nLigne 2"}},
		{field: "siret_valid", value: "true", wantErr: true},
		{field: "siren", value: "732829320", wantErr: true},
		{field: "forwarded_by", value: "x@example.org", wantErr: true},
		{field: "notes", value: "x", wantErr: true},
	}
	st := openReviewStore(t)
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			a := newReviewApplication(t, st, store.StatusIncomplete)
			got, err := st.SetField(ctx, a.Reference, tt.field, tt.value, "claire")
			if tt.wantErr {
				var fe *store.FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("err %v, want a *FieldError", err)
				}
				if got != nil {
					t.Fatalf("accepted, now %+v", got.Applicant)
				}
				if h := history(t, st, a); len(h) != 0 {
					t.Fatalf("refused change audited: %+v", h)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cur, err := st.Application(ctx, a.Reference)
			if err != nil {
				t.Fatal(err)
			}
			for f, w := range tt.want {
				if v, _ := cur.Field(f); v != w {
					t.Errorf("%s = %q, want %q", f, v, w)
				}
			}
			if !slices.Contains(cur.Corrected, tt.field) {
				t.Errorf("corrected %v lacks %s", cur.Corrected, tt.field)
			}
			h := history(t, st, a)
			if len(h) == 0 || h[0].Action != "set" || h[0].Field != tt.field || h[0].Actor != "claire" {
				t.Fatalf("history %+v", h)
			}
			if v, _ := cur.Field(tt.field); h[0].To != v {
				t.Errorf("audited to %q, stored %q", h[0].To, v)
			}
		})
	}
}

// TestSetFieldKeptAgainstMail checks the promise of a correction: later
// mail fills gaps but never overwrites what a coordinator set, derived
// fields included.
func TestSetFieldKeptAgainstMail(t *testing.T) {
	ctx := context.Background()
	st := openReviewStore(t)
	a := newReviewApplication(t, st, store.StatusIncomplete)
	if _, err := st.SetField(ctx, a.Reference, "siret", "", "claire"); err != nil {
		t.Fatal(err)
	}
	cur, _ := st.Application(ctx, a.Reference)
	v := true
	filled := cur.FillFrom(&store.Applicant{Siret: "11111111111111", Siren: "111111111", SiretValid: &v,
		Sector: "bois"}, cur.CorrectedSet())
	if !slices.Equal(filled, []string{"sector"}) || cur.Siret != "" || cur.Siren != "" || cur.SiretValid != nil {
		t.Fatalf("filled %v: %+v", filled, cur.Applicant)
	}
	h := history(t, st, a)
	if len(h) != 3 || h[1].Field != "siret_valid" || h[2].Field != "siren" || h[2].Note != "from siret" {
		t.Fatalf("history %+v", h)
	}
}

// TestSetFieldThen checks the completeness hook runs in the same
// transaction and its changes are kept.
func TestSetFieldThen(t *testing.T) {
	ctx := context.Background()
	st := openReviewStore(t)
	a := newReviewApplication(t, st, store.StatusIncomplete)
	a.Missing = []store.Missing{{Field: "siret"}}
	got, err := st.SetFieldThen(ctx, a.Reference, "siret", "73282932000074", "claire",
		func(ctx context.Context, tx *store.Tx, a *store.Application) error {
			a.Missing = nil
			return tx.SetStatusAuto(ctx, a, store.StatusComplete, "SIRET corrigé")
		})
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := st.Application(ctx, a.Reference)
	if got.Status != store.StatusComplete || cur.Status != store.StatusComplete || !cur.Complete() {
		t.Fatalf("status %s/%s missing %v", got.Status, cur.Status, cur.Missing)
	}
	h := history(t, st, a)
	// Same SIRET again: siret is audited (the correction is news), its
	// unchanged derived fields are not.
	if len(h) != 2 || h[0].Action != "status" || h[0].Actor != store.AutoActor || h[1].Action != "set" {
		t.Fatalf("history %+v", h)
	}

	// A failing hook undoes everything.
	boom := errors.New("boom")
	_, err = st.SetFieldThen(ctx, a.Reference, "company", "Autre", "claire",
		func(context.Context, *store.Tx, *store.Application) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if cur, _ := st.Application(ctx, a.Reference); cur.Company != "Causses & Cie" {
		t.Fatalf("company %q after a failed hook", cur.Company)
	}
}

func TestSetNotes(t *testing.T) {
	ctx := context.Background()
	st := openReviewStore(t)
	a := newReviewApplication(t, st, store.StatusComplete)
	if _, err := st.SetNotes(ctx, a.Reference, " à rappeler lundi ", "claire"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetNotes(ctx, a.Reference, "", "marc"); err != nil {
		t.Fatal(err)
	}
	cur, _ := st.Application(ctx, a.Reference)
	if cur.Notes != "" {
		t.Fatalf("notes %q", cur.Notes)
	}
	h := history(t, st, a)
	if len(h) != 2 || h[0].To != "à rappeler lundi" || h[1].From != "à rappeler lundi" || h[1].Actor != "marc" {
		t.Fatalf("history %+v", h)
	}
}
