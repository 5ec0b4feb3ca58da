package store

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A store written while server_done was a column of messages keeps, after
// the migration, exactly the marks it still owed the server; a message
// stored from a file (no mailbox) owes none.
func TestPendingMarksMigrateFromTheMessagesColumn(t *testing.T) {
	ctx := context.Background()
	st, err := openNoMigrate(filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.migrateTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec(`INSERT INTO mailboxes (id, server, username, mailbox, uidvalidity, last_uid,
		created_at, updated_at) VALUES (1, 's:993', 'u', 'INBOX', 7, 4, '2026-11-02T08:00:00Z', '2026-11-02T08:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		mailbox any
		uid     any
		done    int
	}{{1, 1, 1}, {1, 2, 0}, {1, 3, 1}, {1, 4, 0}, {nil, nil, 0}} {
		if _, err := st.db.Exec(`INSERT INTO messages (mailbox_id, uid, sha256, body_sha256, size, raw, stored_at,
			kind, server_done) VALUES (?, ?, 's', 'b', 1, x'00', '2026-11-02T08:00:00Z', 'other', ?)`,
			m.mailbox, m.uid, m.done); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	uids, err := st.PendingServerMarks(ctx, 1)
	if err != nil || !slices.Equal(uids, []uint32{2, 4}) {
		t.Fatalf("pending marks after migration = %v, %v; want [2 4]", uids, err)
	}
	if err := st.MarkServerDone(ctx, 1, []uint32{4}); err != nil {
		t.Fatal(err)
	}
	if uids, _ := st.PendingServerMarks(ctx, 1); !slices.Equal(uids, []uint32{2}) {
		t.Errorf("pending marks after marking 4 = %v; want [2]", uids)
	}
	for id, want := range map[int64]bool{1: true, 2: false, 5: true} {
		m, err := st.Message(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.ServerDone != want {
			t.Errorf("message %d: ServerDone = %v, want %v", id, m.ServerDone, want)
		}
	}
}

// Listing the marks still owed reads the pending rows, never the
// mailbox's messages: an empty poll must not grow with the store.
func TestPendingMarksReadOnlyThePendingRows(t *testing.T) {
	st := openTest(t)
	rows, err := st.db.Query(`EXPLAIN QUERY PLAN `+pendingMarksQuery, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) != 2 || plan[0] != "SCAN p" || !strings.Contains(plan[1], "INTEGER PRIMARY KEY") {
		t.Errorf("query plan %q: want a scan of server_pending, then each message by id", plan)
	}
}

// Marks are recorded many to a statement: whatever their number, order and
// repeats, exactly the messages at the marked UIDs of that mailbox owe the
// server nothing more.
func TestMarkServerDoneManyAtOnce(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	other, _, err := st.Checkpoint(ctx, MailboxKey{Server: "s:993", Username: "u", Mailbox: "Other"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	cp, _, err := st.Checkpoint(ctx, MailboxKey{Server: "s:993", Username: "u", Mailbox: "INBOX"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *Tx) error {
		for uid := uint32(1); uid <= 300; uid++ {
			for _, box := range []int64{cp.ID, other.ID} {
				m := &Message{MailboxID: box, UID: uid, SHA256: "s", BodySHA256: "b", Raw: []byte("r"), Kind: "other"}
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 150 UIDs in a scattered order, some twice, and two no message holds.
	var marked []uint32
	for i := range 150 {
		marked = append(marked, uint32(i*7%300+1))
	}
	marked = append(marked, 8, 8, 15, 301, 1000)
	if err := st.MarkServerDone(ctx, cp.ID, marked); err != nil {
		t.Fatal(err)
	}
	done := map[uint32]bool{}
	for _, uid := range marked {
		done[uid] = true
	}
	var want []uint32
	for uid := uint32(1); uid <= 300; uid++ {
		if !done[uid] {
			want = append(want, uid)
		}
	}
	if got, err := st.PendingServerMarks(ctx, cp.ID); err != nil || !slices.Equal(got, want) {
		t.Errorf("pending marks = %v (%d), %v; want %v (%d)", got, len(got), err, want, len(want))
	}
	if got, _ := st.PendingServerMarks(ctx, other.ID); len(got) != 300 {
		t.Errorf("other mailbox: %d pending marks, want 300", len(got))
	}
}
