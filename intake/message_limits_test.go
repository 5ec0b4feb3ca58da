package intake

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// winmail builds a TNEF container (winmail.dat) of n one-byte files named
// by name(i), laid out as MS-OXTNEF describes.
func winmail(n int, name func(int) string) []byte {
	var b bytes.Buffer
	u16 := func(v uint16) { b.Write(binary.LittleEndian.AppendUint16(nil, v)) }
	u32 := func(v uint32) { b.Write(binary.LittleEndian.AppendUint32(nil, v)) }
	attr := func(level byte, id uint32, data []byte) {
		b.WriteByte(level)
		u32(id)
		u32(uint32(len(data)))
		b.Write(data)
		var sum uint16
		for _, c := range data {
			sum += uint16(c)
		}
		u16(sum)
	}
	u32(0x223E9F78)
	u16(1)
	attr(1, 0x00089006, []byte{0, 0, 1, 0})
	for i := range n {
		attr(2, 0x00069002, make([]byte, 14))
		attr(2, 0x00018010, append([]byte(name(i)), 0))
		attr(2, 0x0006800F, []byte{byte(i)})
	}
	return b.Bytes()
}

// bomb is one mail of parts winmail.dat containers of files files each.
func bomb(parts, files int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Marc Lebon <marc@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: Candidature RSE\r\nMessage-ID: <bomb@example.fr>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Bonjour, je candidate. Entreprise : Lebon SARL, à Mende (48000).\r\n")
	for p := range parts {
		tnef := winmail(files, func(i int) string {
			return fmt.Sprintf("piece-%d-%d.%s", p, i, []string{"txt", "exe"}[i%2])
		})
		b.WriteString("--b\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n" +
			"Content-Disposition: attachment; filename=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		b.WriteString(imaptest.Base64Lines(tnef))
	}
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

// One mail of 999 winmail.dat parts of 100 files each (100,899 files in
// 9 MB) is taken in at once, keeps at most the configured number
// of attachments and files, says so in its errors, and is answered with a
// short mail that counts the refused files instead of listing them.
// Before, it wrote 100,900 files and queued a 31 MB acknowledgement.
func TestAttachmentBombTakenInWithinLimits(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	c, err := notify.NewComposer(notify.ComposerConfig{ProgramName: "RSE", ProgramAddress: "rse.innovation.manageriale@gmail.com"})
	if err != nil {
		t.Fatal(err)
	}
	p.cfg.Composer = c
	p.cfg.Limits = mailparse.Limits{MaxAttachments: 50, MaxFiles: 20}
	raw := bomb(999, 100)
	start := time.Now()
	out, err := p.Ingest(ctx, Source{}, raw)
	if err != nil || !out.Created || len(out.Queued) != 1 {
		t.Fatalf("%+v, %v", out, err)
	}
	t.Logf("%.1f MB mail taken in in %v", float64(len(raw))/(1<<20), time.Since(start))
	files := 0
	m, err := st.Message(ctx, out.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	rawFile := p.cfg.Files.Path(m.SHA256) // the mail itself, large enough to be kept as a file
	filepath.WalkDir(p.cfg.Files.Dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path != rawFile {
			files++
		}
		return nil
	})
	if files != 20 {
		t.Errorf("%d files written, want the limit, 20", files)
	}
	app := mustApp(t, st, out.Reference)
	atts, err := st.Attachments(ctx, app.ID, 0)
	if err != nil || len(atts) != 50 {
		t.Errorf("%d attachments recorded, want 50: %v", len(atts), err)
	}
	msgs, err := st.ApplicationMessages(ctx, app.ID)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages %d, %v", len(msgs), err)
	}
	if errs := strings.Join(msgs[0].Errors, "\n"); !strings.Contains(errs, "attachment limit reached: 50 attachments recorded, 100849 more not kept") ||
		!strings.Contains(errs, "file limit reached: 20 files written") {
		t.Errorf("errors %q", msgs[0].Errors)
	}
	mails, err := st.OutboxList(ctx, store.OutboxPending)
	if err != nil || len(mails) != 1 {
		t.Fatalf("outbox %d, %v", len(mails), err)
	}
	if m := mails[0]; len(m.BodyText)+len(m.BodyHTML) > 20<<10 || !strings.Contains(m.BodyText, "30 fichiers refusés, dont :") {
		t.Errorf("acknowledgement of %d bytes:\n%.2000s", len(m.BodyText)+len(m.BodyHTML), m.BodyText)
	}

	// The next message goes in as usual.
	next := "From: Anne Roux <anne@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature\r\n" +
		"Message-ID: <next@example.fr>\r\n\r\nBonjour, je candidate. Entreprise : Boulangerie Roux.\r\n"
	if out, err := p.Ingest(ctx, Source{}, []byte(next)); err != nil || !out.Created {
		t.Errorf("next message: %+v, %v", out, err)
	}
}

// Past the total of bytes written, files are recorded but not kept.
func TestAttachmentBytesLimit(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	p.cfg.Limits = mailparse.Limits{MaxAttachmentBytes: 1500}
	part := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n", 30) // 780 bytes decoded
	raw := "From: Anne Roux <anne@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature\r\n" +
		"Message-ID: <bytes@example.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nBonjour, je candidate. Entreprise : Boulangerie Roux.\r\n"
	for i := range 3 {
		raw += fmt.Sprintf("--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"p%d.pdf\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n%s", i, part)
	}
	raw += "--b--\r\n"
	out, err := p.Ingest(ctx, Source{}, []byte(raw))
	if err != nil || !out.Created {
		t.Fatalf("%+v, %v", out, err)
	}
	atts, err := st.Attachments(ctx, mustApp(t, st, out.Reference).ID, 0)
	if err != nil || len(atts) != 3 {
		t.Fatalf("%d attachments, %v", len(atts), err)
	}
	for i, a := range atts {
		if kept := i == 0; a.Stored != kept || (a.Refused == "") != kept {
			t.Errorf("%s: stored %v, refused %q", a.Filename, a.Stored, a.Refused)
		}
	}
}
