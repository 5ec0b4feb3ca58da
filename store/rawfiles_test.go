package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// mailWith is a mail with a text part and a PDF part for each of parts,
// its base64 text, and where each part's text starts in it.
func mailWith(eol string, parts ...string) ([]byte, []int64) {
	var b strings.Builder
	b.WriteString("From: Anne Roux <anne@example.fr>" + eol + "Subject: Dossier" + eol +
		"Content-Type: multipart/mixed; boundary=b" + eol + eol + "--b" + eol +
		"Content-Type: text/plain" + eol + eol + "Bonjour, voici mon dossier." + eol)
	var starts []int64
	for _, p := range parts {
		b.WriteString("--b" + eol + "Content-Type: application/pdf" + eol +
			"Content-Transfer-Encoding: base64" + eol + eol)
		starts = append(starts, int64(b.Len()))
		b.WriteString(p)
	}
	b.WriteString("--b--" + eol)
	return []byte(b.String()), starts
}

// TestRawFileRefersToAttachments: a large mail is kept as a skeleton that
// refers to its attachment files where it is told their base64 lies
// (any line length, CRLF or LF), keeps the rest as it came, and reads
// back byte for byte. A reference whose text has not the shape encoding
// the file gives, or whose file is missing, too small, or another, is
// not taken.
func TestRawFileRefersToAttachments(t *testing.T) {
	pdf, cv, other := randomBytes(1, 300<<10), randomBytes(2, 50<<10+1), randomBytes(9, 50<<10+1)
	small := randomBytes(3, 1000)
	crlf76 := imaptest.Base64LinesOf(pdf, 76, "\r\n")
	// Lines of mixed lengths: decodes to the same file, but encoding the
	// file does not give these bytes back.
	uneven := strings.Replace(crlf76, "\r\n", "", 1)
	// As many bytes, but a line break moved four characters on.
	moved := crlf76[:76] + crlf76[78:82] + "\r\n" + crlf76[82:]
	type ref struct {
		part      int    // of the mail
		file      []byte // that the reference names
		line      int
		crlf      bool
		shift     int64 // moves the reference's start
		notStored bool  // the file is not in the folder
	}
	tests := []struct {
		name  string
		eol   string
		parts []string
		refs  []ref
		kept  int // references the skeleton holds
	}{
		{"76 CRLF", "\r\n", []string{crlf76}, []ref{{0, pdf, 76, true, 0, false}}, 1},
		{"72 LF", "\n", []string{imaptest.Base64LinesOf(pdf, 72, "\n")}, []ref{{0, pdf, 72, false, 0, false}}, 1},
		{"one line", "\n", []string{imaptest.Base64LinesOf(cv, 70000, "\n")}, []ref{{0, cv, 70000, false, 0, false}}, 1},
		{"two, one small", "\r\n", []string{imaptest.Base64LinesOf(cv, 76, "\r\n"), imaptest.Base64LinesOf(small, 76, "\r\n"), crlf76},
			[]ref{{0, cv, 76, true, 0, false}, {1, small, 76, true, 0, false}, {2, pdf, 76, true, 0, false}}, 2},
		{"same file twice", "\r\n", []string{imaptest.Base64LinesOf(cv, 76, "\r\n"), imaptest.Base64LinesOf(cv, 76, "\r\n")},
			[]ref{{1, cv, 76, true, 0, false}, {0, cv, 76, true, 0, false}}, 2},
		{"no reference", "\r\n", []string{crlf76}, nil, 0},
		{"lines of mixed lengths", "\r\n", []string{uneven}, []ref{{0, pdf, 76, true, 0, false}}, 0},
		{"a line break moved", "\r\n", []string{moved}, []ref{{0, pdf, 76, true, 0, false}}, 0},
		{"trailing space", "\r\n", []string{strings.Replace(imaptest.Base64LinesOf(cv, 76, "\r\n"), "\r\n", " \r\n", 3)},
			[]ref{{0, cv, 76, true, 0, false}}, 0},
		{"other line length", "\r\n", []string{crlf76}, []ref{{0, pdf, 72, true, 0, false}}, 0},
		{"other line ending", "\r\n", []string{crlf76}, []ref{{0, pdf, 76, false, 0, false}}, 0},
		{"a line off", "\r\n", []string{imaptest.Base64LinesOf(cv, 76, "\r\n") + crlf76}, []ref{{0, pdf, 76, true, 78, false}}, 0},
		{"another file of that size", "\r\n", []string{imaptest.Base64LinesOf(cv, 76, "\r\n")}, []ref{{0, other, 76, true, 0, false}}, 0},
		{"file not kept", "\r\n", []string{crlf76}, []ref{{0, pdf, 76, true, 0, true}}, 0},
		{"past the mail's end", "\r\n", []string{crlf76}, []ref{{0, pdf, 76, true, 1 << 20, false}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := Files{Dir: t.TempDir()}
			raw, starts := mailWith(tt.eol, tt.parts...)
			var refs []Base64Ref
			for _, r := range tt.refs {
				size, sha := int64(len(r.file)), sha256.Sum256(r.file)
				if !r.notStored {
					var err error
					if size, _, err = files.Write(bytes.NewReader(r.file)); err != nil {
						t.Fatal(err)
					}
				}
				eol := 1
				if r.crlf {
					eol = 2
				}
				enc := base64.StdEncoding.EncodedLen(len(r.file))
				n := int64(enc + (enc+r.line-1)/r.line*eol)
				refs = append(refs, Base64Ref{SHA256: hex.EncodeToString(sha[:]), Size: size,
					Start: starts[r.part] + r.shift, End: starts[r.part] + r.shift + n, Line: r.line, CRLF: r.crlf})
			}
			var dirs Dirs
			sha, err := files.WriteRaw(raw, refs, &dirs)
			if err != nil {
				t.Fatal(err)
			}
			if err := dirs.Sync(); err != nil {
				t.Fatal(err)
			}
			kept, err := os.ReadFile(files.Path(sha))
			if err != nil {
				t.Fatal(err)
			}
			// Every file of the folder is named by its own sha256: the
			// mail's when kept as it came, the skeleton's otherwise.
			if sum := sha256.Sum256(kept); sha != hex.EncodeToString(sum[:]) {
				t.Fatalf("named %s, not by the sha256 of the file", sha)
			}
			nrefs := bytes.Count(kept, []byte("\nA ")) // records start a line; the mails hold no "A "
			if tt.kept == 0 && !bytes.Equal(kept, raw) {
				t.Errorf("kept %d bytes, not the mail as it came", len(kept))
			}
			if tt.kept > 0 {
				if !bytes.HasPrefix(kept, []byte(skeletonMagic)) || nrefs != tt.kept {
					t.Errorf("kept %d bytes with %d references, want a skeleton with %d", len(kept), nrefs, tt.kept)
				}
				if len(kept) > 2<<10 {
					t.Errorf("skeleton of %d bytes for a %d-byte mail", len(kept), len(raw))
				}
			}
			got, err := files.ReadRaw(sha)
			if err != nil || !bytes.Equal(got, raw) {
				t.Errorf("read back %d bytes (%v), want the %d of the mail", len(got), err, len(raw))
			}
		})
	}
}

// keepMailWithPDF keeps in files a PDF (made from seed) and a mail that
// carries it, as intake does, and returns the PDF's size and sha256, the
// mail's sha256 and the mail.
func keepMailWithPDF(t *testing.T, files Files, seed uint64) (size int64, att, sha string, raw []byte) {
	t.Helper()
	pdf := randomBytes(seed, 100<<10)
	size, att, err := files.Write(bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	body := imaptest.Base64LinesOf(pdf, 76, "\r\n")
	raw, starts := mailWith("\r\n", body)
	ref := Base64Ref{SHA256: att, Size: size, Start: starts[0], End: starts[0] + int64(len(body)), Line: 76, CRLF: true}
	if sha, err = files.WriteRaw(raw, []Base64Ref{ref}, &Dirs{}); err != nil {
		t.Fatal(err)
	}
	if kept, err := os.ReadFile(files.Path(sha)); err != nil || !bytes.HasPrefix(kept, []byte(skeletonMagic)) {
		t.Fatalf("mail not kept as a skeleton (%v)", err)
	}
	return size, att, sha, raw
}

// TestRawFileMissingAttachment: a skeleton whose attachment file went
// fails to read with an error naming what is missing, rather than give a
// mail with a hole.
func TestRawFileMissingAttachment(t *testing.T) {
	files := Files{Dir: t.TempDir()}
	_, att, sha, _ := keepMailWithPDF(t, files, 4)
	if err := os.Remove(files.Path(att)); err != nil {
		t.Fatal(err)
	}
	_, err := files.ReadRaw(sha)
	if err == nil || !strings.Contains(err.Error(), att) || !strings.Contains(err.Error(), sha) {
		t.Errorf("read with its attachment gone: %v, want an error naming %s and %s", err, sha, att)
	}
}

// TestRawFileDamaged: a skeleton whose attachment file or own text was
// damaged on disk, its size unchanged, fails to read with an error naming
// the mail, rather than give back another mail than the one kept.
func TestRawFileDamaged(t *testing.T) {
	for _, which := range []string{"attachment", "skeleton"} {
		t.Run(which, func(t *testing.T) {
			files := Files{Dir: t.TempDir()}
			_, att, sha, _ := keepMailWithPDF(t, files, 6)
			path := files.Path(att)
			if which == "skeleton" {
				path = files.Path(sha)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-3] ^= 1
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if got, err := files.ReadRaw(sha); err == nil || !strings.Contains(err.Error(), sha) {
				t.Errorf("read %d bytes of a damaged %s (%v), want an error naming %s", len(got), which, err, sha)
			}
		})
	}
}

// TestRawFileVersion1: a skeleton written by an earlier version (its
// first magic, no check record, named by the sha256 of the mail it
// rebuilds) still reads back, and still fails when it does not rebuild
// the mail of its name.
func TestRawFileVersion1(t *testing.T) {
	files := Files{Dir: t.TempDir()}
	_, _, sha, raw := keepMailWithPDF(t, files, 7)
	kept, err := os.ReadFile(files.Path(sha))
	if err != nil {
		t.Fatal(err)
	}
	records := kept[len(skeletonMagic):]
	records = records[bytes.IndexByte(records, '\n')+1:] // the check record
	v1 := append([]byte(skeletonMagicV1), records...)
	sum := sha256.Sum256(raw)
	v1sha := hex.EncodeToString(sum[:])
	if err := os.MkdirAll(filepath.Dir(files.Path(v1sha)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files.Path(v1sha), v1, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := files.ReadRaw(v1sha); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("version 1 skeleton read back %d bytes (%v), want the %d of the mail", len(got), err, len(raw))
	}
	v1[len(v1)-3] ^= 1
	if err := os.WriteFile(files.Path(v1sha), v1, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := files.ReadRaw(v1sha); err == nil {
		t.Errorf("damaged version 1 skeleton read back %d bytes, want an error", len(got))
	}
}

// TestRawFileLooksLikeSkeleton: a mail that starts as a skeleton does is
// still read back as it came.
func TestRawFileLooksLikeSkeleton(t *testing.T) {
	files := Files{Dir: t.TempDir()}
	_, att, _, _ := keepMailWithPDF(t, files, 8)
	for _, raw := range []string{
		skeletonMagic + "T 5\nhello and more",
		skeletonMagic + "C 5 00000000\nT 5\nhello",
		skeletonMagicV1 + "T 5\nhello and more",
		skeletonMagicV1 + "A " + att + " 102400 76 crlf\n",
		"\x00",
		// Records naming other paths (a read of /dev/zero would never
		// end) or a real attachment of the folder: none is followed.
		skeletonMagic + "A ../../../../dev/zero 1 76 crlf\n",
		skeletonMagic + "A " + strings.Repeat("0", 62) + "/x 1 76 crlf\n",
		skeletonMagic + "A " + att + " 102400 76 crlf\n",
	} {
		sha, err := files.WriteRaw([]byte(raw), nil, &Dirs{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := files.ReadRaw(sha)
		if err != nil || string(got) != raw {
			t.Errorf("read back %q, %v; want %q", got, err, raw)
		}
	}
}

// TestErasedApplicationKeepsStayingMailWhole: erasing an application
// detaches the records of the attachments of a message that stays (the
// message is not erased) rather than delete them, so that the files its
// raw file refers to stay and the mail still reads back whole.
func TestErasedApplicationKeepsStayingMailWhole(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, filepath.Join(dir, "rse.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	files := Files{Dir: filepath.Join(dir, "rse.db.files")}
	size, att, sha, raw := keepMailWithPDF(t, files, 5)
	var appID, msgID int64
	var shas []string
	err = st.InTx(ctx, func(tx *Tx) error {
		m := &Message{SHA256: sha, Size: int64(len(raw)), RawInFiles: true, FromEmail: "anne@example.fr", Kind: "application"}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		a := &Application{Status: StatusReceived, FirstMessageID: m.ID, Applicant: Applicant{LastName: "Roux", Email: "anne@example.fr"}}
		if err := tx.CreateApplication(ctx, a, "RSE", 2026); err != nil {
			return err
		}
		if err := tx.LinkMessage(ctx, m.ID, a.ID); err != nil {
			return err
		}
		appID, msgID = a.ID, m.ID
		return tx.InsertAttachment(ctx, &Attachment{MessageID: m.ID, ApplicationID: a.ID, Filename: "cv.pdf",
			ContentType: "application/pdf", Size: size, SHA256: att, Stored: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *Tx) error {
		_, shas, err = tx.erase(ctx, []int64{appID}, nil, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.removeFiles(ctx, files, shas, &Erasure{}); err != nil {
		t.Fatal(err)
	}
	got, err := st.MessageRaw(ctx, msgID, files)
	if err != nil || !bytes.Equal(got, raw) {
		t.Errorf("the mail that stays reads back as %d bytes (%v), want its %d", len(got), err, len(raw))
	}
	if as, err := st.Attachments(ctx, 0, msgID); err != nil || len(as) != 1 || as[0].ApplicationID != 0 {
		t.Errorf("attachments of the mail that stays: %+v, %v; want its one record, detached", as, err)
	}
}

// TestEncodeBase64: the fast encoder gives what the standard one gives,
// for every length (the padded tail included).
func TestEncodeBase64(t *testing.T) {
	src := randomBytes(6, 300)
	for n := range len(src) {
		want := base64.StdEncoding.EncodeToString(src[:n])
		got := make([]byte, len(want))
		encodeBase64(got, src[:n])
		if string(got) != want {
			t.Fatalf("%d bytes: %q, want %q", n, got, want)
		}
	}
}

// BenchmarkWriteRawSkeleton keeps a mail with a 500 KB PDF (lines of 76,
// CRLF) as a skeleton referring to the PDF, as intake does.
func BenchmarkWriteRawSkeleton(b *testing.B) {
	files := Files{Dir: b.TempDir()}
	pdf := randomBytes(10, 500<<10)
	size, att, err := files.Write(bytes.NewReader(pdf))
	if err != nil {
		b.Fatal(err)
	}
	body := imaptest.Base64LinesOf(pdf, 76, "\r\n")
	raw, starts := mailWith("\r\n", body)
	refs := []Base64Ref{{SHA256: att, Size: size, Start: starts[0], End: starts[0] + int64(len(body)), Line: 76, CRLF: true}}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		sha, err := files.WriteRaw(raw, refs, &Dirs{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if info, err := os.Stat(files.Path(sha)); err != nil || info.Size() > 2<<10 {
			b.Fatalf("not a skeleton: %v %v", info, err)
		}
		os.Remove(files.Path(sha))
		b.StartTimer()
	}
}

func BenchmarkEncodeBase64(b *testing.B) {
	src := randomBytes(7, 500<<10)
	dst := make([]byte, base64.StdEncoding.EncodedLen(len(src)))
	b.Run("std", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			base64.StdEncoding.Encode(dst, src)
		}
	})
	b.Run("pairs", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			encodeBase64(dst, src)
		}
	})
}

// FuzzRawFile: whatever surrounds an attachment's base64 and whatever
// damage it took, the raw file kept with the references the parser gives
// (as intake keeps it) reads back as the mail came; undamaged base64 is
// referred to, not kept.
func FuzzRawFile(f *testing.F) {
	f.Add([]byte("Subject: x\r\n\r\n"), uint64(1), uint8(1), true, uint32(0), byte('A'), []byte("--b--\r\n"))
	f.Add([]byte(""), uint64(2), uint8(0), false, uint32(77), byte('\n'), []byte(""))
	f.Add([]byte("x\n"), uint64(3), uint8(7), true, uint32(5000), byte('='), []byte("tail"))
	f.Add([]byte("\r\n"), uint64(4), uint8(2), true, uint32(300), byte('-'), []byte("\r\n"))
	files := Files{Dir: f.TempDir()}
	f.Fuzz(func(t *testing.T, prefix []byte, seed uint64, quarters uint8, crlf bool, damageAt uint32, damage byte, suffix []byte) {
		att := randomBytes(seed, minReferenced+int(seed%3000))
		eol := "\n"
		if crlf {
			eol = "\r\n"
		}
		body := []byte(imaptest.Base64LinesOf(att, 72+4*int(quarters%40), eol))
		damaged := damageAt != 0 && body[int(damageAt)%len(body)] != damage
		if damaged {
			body[int(damageAt)%len(body)] = damage
		}
		part := append(append(append([]byte(nil), prefix...), body...), suffix...)
		raw, _ := mailWith(eol, string(part))
		var dirs Dirs
		m, err := mailparse.Parse(bytes.NewReader(raw), mailparse.Options{Sink: filesSink{files, &dirs}})
		if err != nil {
			t.Fatal(err)
		}
		var refs []Base64Ref
		for _, a := range m.Attachments {
			if s := a.Base64; s != nil && !a.TooLarge && !a.OverLimit {
				refs = append(refs, Base64Ref{SHA256: a.SHA256, Size: a.Size, Start: s.Start, End: s.End, Line: s.Line, CRLF: s.CRLF})
			}
		}
		rawSHA, err := files.WriteRaw(raw, refs, &dirs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := files.ReadRaw(rawSHA)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("read back %d bytes (%v), want the %d of the mail", len(got), err, len(raw))
		}
		kept, err := os.ReadFile(files.Path(rawSHA))
		if err != nil {
			t.Fatal(err)
		}
		if !damaged && len(prefix) == 0 && len(suffix) == 0 && len(kept) >= len(raw) {
			t.Errorf("undamaged base64 kept whole (%d bytes)", len(kept))
		}
	})
}

// filesSink stores attachments as intake's own sink does.
type filesSink struct {
	files Files
	dirs  *Dirs
}

func (s filesSink) Put(r io.Reader, a *mailparse.Attachment) (int64, string, error) {
	return s.files.WriteDeferred(r, s.dirs)
}
