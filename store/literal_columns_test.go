package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// storedRow is the row of table with id as SQLite holds it, each column's
// type and value, but the columns skipped.
func storedRow(t *testing.T, ctx context.Context, tx *Tx, table string, id int64, skip ...string) map[string]string {
	t.Helper()
	rows, err := tx.tx.QueryContext(ctx, `SELECT * FROM `+table+` WHERE id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("%s %d not stored", table, id)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	row := map[string]string{}
	for i, c := range cols {
		row[c] = fmt.Sprintf("%T %q", vals[i], vals[i])
	}
	for _, c := range skip {
		delete(row, c)
	}
	return row
}

// A message as most are (messageUsualRest) is stored as the statement
// binding every column (messageRest) stores it.
func TestUsualMessageStoredAsBound(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	err := st.InTx(ctx, func(tx *Tx) error {
		m := &Message{MessageID: "<m@x>", SHA256: "s1", Raw: []byte("Subject: a\r\n\r\nb\r\n"), Kind: "application",
			Subject: "a", FromEmail: "a@b.fr", Date: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
			ShouldAcknowledge: true, Parsed: []byte(`{"kind":"application"}`)}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		res, err := tx.tx.ExecContext(ctx, messageInsert+messageRest, nil, nil, nil, m.MessageID, m.SHA256,
			m.Size, m.Raw, tx.ts(m.StoredAt), ts(m.Date), m.FromEmail, nil, m.Subject, m.Kind, m.ShouldAcknowledge,
			[]byte(m.Parsed), nil, "", "[]", nil, false, false)
		if err != nil {
			return err
		}
		bound, _ := res.LastInsertId()
		usual, general := storedRow(t, ctx, tx, "messages", m.ID, "id"), storedRow(t, ctx, tx, "messages", bound, "id")
		if fmt.Sprint(usual) != fmt.Sprint(general) {
			t.Errorf("usual message stored as\n%v\nnot as bound:\n%v", usual, general)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A new application (applicationNewRest) is stored as the statement
// binding every column (applicationRest) stores it.
func TestNewApplicationStoredAsBound(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	err := st.InTx(ctx, func(tx *Tx) error {
		m := &Message{SHA256: "s1", Raw: []byte("\r\n"), Kind: "application"}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		headcount := 12
		a := &Application{Status: StatusIncomplete, FirstMessageID: m.ID, Applicant: Applicant{FirstName: "Anne",
			LastName: "Roux", Email: "anne.roux@example.fr", Company: "Boulangerie Roux", Headcount: &headcount},
			Missing: []Missing{{Field: "siret"}}}
		if err := tx.CreateApplication(ctx, a, "RSE", 2026); err != nil {
			return err
		}
		args, err := applicationArgs(a, nil)
		if err != nil {
			return err
		}
		b := *a
		b.Seq++
		b.Reference = "RSE-2026-0002"
		if err := tx.insertApplication(ctx, &b, applicationInsert+applicationRest, args); err != nil {
			return err
		}
		skip := []string{"id", "reference", "seq"}
		fresh, bound := storedRow(t, ctx, tx, "applications", a.ID, skip...), storedRow(t, ctx, tx, "applications", b.ID, skip...)
		if fmt.Sprint(fresh) != fmt.Sprint(bound) {
			t.Errorf("new application stored as\n%v\nnot as bound:\n%v", fresh, bound)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
