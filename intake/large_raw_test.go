package intake

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

// TestLargeMailKeptAsAFile: a mail from rawInFilesFrom up is kept as a
// file of the attachments folder, named by its sha256, owner-only; the
// database row holds its size only. It reads back whole, reparses, is
// found and erased by forget with nothing left on disk, and a backup
// copies it. A small mail stays in its row.
func TestLargeMailKeptAsAFile(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	files := p.cfg.Files
	big := bigApplication(t, 2*rawInFilesFrom)
	small := imapCorpus(t)[0]
	var ids []int64
	var ref string
	for _, raw := range [][]byte{big, small} {
		out, err := p.Ingest(ctx, Source{}, raw)
		if err != nil || out.MessageID == 0 {
			t.Fatalf("ingest: %+v, %v", out, err)
		}
		ids = append(ids, out.MessageID)
		if ref == "" {
			ref = out.Reference
		}
	}

	for i, raw := range [][]byte{big, small} {
		var inRow int
		var inFiles bool
		if err := st.DB().QueryRow(`SELECT length(raw), raw_in_files FROM messages WHERE id = ?`, ids[i]).Scan(
			&inRow, &inFiles); err != nil {
			t.Fatal(err)
		}
		wantInFiles := len(raw) >= rawInFilesFrom
		if inFiles != wantInFiles || inFiles && inRow != 0 || !inFiles && inRow != len(raw) {
			t.Errorf("message of %d bytes: %d bytes in the row, in files %v", len(raw), inRow, inFiles)
		}
		got, err := st.MessageRaw(ctx, ids[i], files)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("message of %d bytes read back as %d bytes, %v", len(raw), len(got), err)
		}
		m, err := st.MessageWithRaw(ctx, ids[i], files)
		if err != nil || !bytes.Equal(m.Raw, raw) || m.Size != int64(len(raw)) {
			t.Errorf("message of %d bytes: MessageWithRaw gave %d bytes (size %d), %v", len(raw), len(m.Raw), m.Size, err)
		}
	}
	bigMsg, err := st.Message(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	path := files.Path(bigMsg.SHA256)
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("raw file %s: %v %v", path, info, err)
	} else if info.Size() > 4<<10 {
		// The PDF is in the folder already: the raw file refers to it.
		t.Errorf("raw file of a %d-byte mail holds %d bytes: its attachment's base64 is kept twice", len(big), info.Size())
	}
	if n, err := p.Reparse(ctx, ref); err != nil || n != 1 {
		t.Errorf("reparse %s: %d, %v", ref, n, err)
	}
	if _, err := os.ReadFile(path); err != nil {
		t.Errorf("raw file gone after reparse: %v", err)
	}

	dst := filepath.Join(t.TempDir(), "backup.db")
	res, err := st.Backup(ctx, dst, files)
	if err != nil {
		t.Fatal(err)
	}
	if copied, err := (store.Files{Dir: res.Attachments}).ReadRaw(bigMsg.SHA256); err != nil || !bytes.Equal(copied, big) {
		t.Errorf("backup lacks the raw file: %v", err)
	}

	p2, err := st.Person(ctx, "anne.roux@example.fr", files)
	if err != nil || len(p2.Applications) != 1 {
		t.Fatalf("person: %+v, %v", p2, err)
	}
	if _, err := st.Forget(ctx, "anne.roux@example.fr", "test", files); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("raw file still there after forget: %v", err)
	}
	filepath.WalkDir(files.Dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("Boulangerie Roux")) {
				t.Errorf("%s still holds the forgotten mail", p)
			}
		}
		return nil
	})
}

// TestLargeMailStoredAlreadyLeavesNoFile: a large mail met again at a UID
// already stored, whose raw bytes are in its row (stored before mail was
// kept as files), leaves no copy in the attachments folder, where forget
// would not look for it.
func TestLargeMailStoredAlreadyLeavesNoFile(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	cp, _, err := st.Checkpoint(ctx, store.MailboxKey{Server: "imap.test:993", Username: "u", Mailbox: "INBOX"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	big := bigApplication(t, 2*rawInFilesFrom)
	src := Source{MailboxID: cp.ID, UID: 7}
	first, err := p.Ingest(ctx, src, big)
	if err != nil || first.MessageID == 0 {
		t.Fatalf("first delivery: %+v, %v", first, err)
	}
	// As a store written before migration 0009 holds it.
	if _, err := st.DB().Exec(`UPDATE messages SET raw = ?, raw_in_files = 0 WHERE id = ?`, big, first.MessageID); err != nil {
		t.Fatal(err)
	}
	m, err := st.Message(ctx, first.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p.cfg.Files.Path(m.SHA256)); err != nil {
		t.Fatal(err)
	}
	out, err := p.Ingest(ctx, src, big)
	if err != nil || !out.Duplicate || out.MessageID != 0 {
		t.Fatalf("the same UID again: %+v, %v", out, err)
	}
	if _, err := os.Stat(p.cfg.Files.Path(m.SHA256)); !os.IsNotExist(err) {
		t.Errorf("a copy of the mail is left in the attachments folder: %v", err)
	}
	if raw, err := st.MessageRaw(ctx, first.MessageID, p.cfg.Files); err != nil || !bytes.Equal(raw, big) {
		t.Errorf("the stored mail reads back as %d bytes, %v", len(raw), err)
	}
}

// TestLargeMailSkeletonOnlyWhereCanonical: the raw file refers to an
// attachment only where the parser found its base64 exactly as encoding
// gives it back, in the mail or in a message attached to it as it came;
// base64 written otherwise stays as it came. Each mail reads back whole.
func TestLargeMailSkeletonOnlyWhereCanonical(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	files := p.cfg.Files
	big := bigApplication(t, 2*rawInFilesFrom)
	// Lines of mixed lengths: one line break of the base64 taken out.
	at := bytes.Index(big, []byte("base64\r\n\r\n")) + len("base64\r\n\r\n")
	end := bytes.Index(big[at:], []byte("\r\n"))
	uneven := append(append([]byte(nil), big[:at+end]...), big[at+end+2:]...)
	// The application forwarded as an attachment, not transfer-encoded.
	fwd := []byte("From: Marc Roux <marc.roux@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: Tr: Candidature RSE\r\nMessage-ID: <fwd@example.fr>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=f\r\n\r\n--f\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Voici la candidature d'Anne.\r\n--f\r\nContent-Type: message/rfc822; name=\"candidature.eml\"\r\n\r\n" +
		string(big) + "--f--\r\n")
	for _, tt := range []struct {
		name     string
		raw      []byte
		skeleton bool
	}{
		{"lines of mixed lengths", uneven, false},
		{"forwarded as an attachment", fwd, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := p.Ingest(ctx, Source{}, tt.raw)
			if err != nil || out.MessageID == 0 {
				t.Fatalf("ingest: %+v, %v", out, err)
			}
			m, err := st.Message(ctx, out.MessageID)
			if err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(files.Path(m.SHA256))
			if err != nil {
				t.Fatal(err)
			}
			if small := info.Size() < 8<<10; small != tt.skeleton {
				t.Errorf("raw file of a %d-byte mail holds %d bytes, want a skeleton: %v", len(tt.raw), info.Size(), tt.skeleton)
			}
			got, err := st.MessageRaw(ctx, out.MessageID, files)
			if err != nil || !bytes.Equal(got, tt.raw) {
				t.Errorf("read back as %d bytes, %v; want its %d", len(got), err, len(tt.raw))
			}
		})
	}
}
