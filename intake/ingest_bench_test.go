package intake

import (
	"bytes"
	"context"
	"crypto/rand"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/internal/heap"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// bigApplication is an application mail with a size-byte PDF attached.
func bigApplication(tb testing.TB, size int) []byte {
	tb.Helper()
	att := make([]byte, size)
	if _, err := rand.Read(att); err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("From: Anne Roux <anne.roux@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: Candidature RSE\r\nMessage-ID: <big@example.fr>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Bonjour, je candidate. Entreprise : Boulangerie Roux, à Mende (48000).\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"dossier.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(imaptest.Base64Lines(att) + "--b--\r\n")
	return b.Bytes()
}

// BenchmarkIngest25MBAttachment takes in, through the whole pipeline
// (parse, extract, attachment to disk, store), a mail with a 25 MB
// attachment. It reports what Ingest allocates (alloc-MB: the decoded
// attachment is streamed to disk, never held) and the peak heap, which
// includes the raw mail itself (raw-MB, held once by the caller, to be
// stored) and garbage not yet collected.
func BenchmarkIngest25MBAttachment(b *testing.B) {
	raw := bigApplication(b, 25<<20)
	var peak, alloc uint64
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		st, err := store.Open(context.Background(), filepath.Join(dir, "t.db"))
		if err != nil {
			b.Fatal(err)
		}
		p := NewPipeline(st, Config{Program: corpusProgram, Files: store.Files{Dir: filepath.Join(dir, "files")},
			MaxAttachmentSize: 30 << 20})
		b.StartTimer()
		var before, after runtime.MemStats
		peak = max(peak, heap.Peak(func() {
			runtime.ReadMemStats(&before)
			out, err := p.Ingest(context.Background(), Source{}, raw)
			runtime.ReadMemStats(&after)
			if err != nil || !out.Created {
				b.Fatalf("ingest: %+v %v", out, err)
			}
		}))
		alloc = max(alloc, after.TotalAlloc-before.TotalAlloc)
		st.Close()
	}
	b.ReportMetric(float64(alloc)/(1<<20), "alloc-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(len(raw))/(1<<20), "raw-MB")
}

// BenchmarkWriter is the writer's share of intake: 1,000 messages of the
// generated mailbox (imaptest.GenerateMailbox), read beforehand, stored a
// batch of 100 per transaction, as the poller's writer does. Once reading
// runs on every core, the one writer is what bounds intake.
func BenchmarkWriter(b *testing.B) { benchWriter(b, nil) }

// BenchmarkWriterAcknowledging is BenchmarkWriter with the program's
// composer, as a real poll runs it: each new application's
// acknowledgement is rendered and queued by the writer too.
func BenchmarkWriterAcknowledging(b *testing.B) {
	c, err := notify.NewComposer(notify.ComposerConfig{ProgramName: "RSE", ProgramAddress: corpusProgram.Address})
	if err != nil {
		b.Fatal(err)
	}
	benchWriter(b, c)
}

func benchWriter(b *testing.B, composer Composer) {
	const n = 1000
	raws, _ := imaptest.GenerateMailbox(n, 1)
	ctx := context.Background()
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		st, err := store.Open(ctx, filepath.Join(dir, "t.db"))
		if err != nil {
			b.Fatal(err)
		}
		p := NewPipeline(st, Config{Program: corpusProgram, Files: store.Files{Dir: filepath.Join(dir, "files")},
			Composer: composer})
		cp, _, err := st.Checkpoint(ctx, store.MailboxKey{Server: "bench:993", Username: "u", Mailbox: "INBOX"}, 1)
		if err != nil {
			b.Fatal(err)
		}
		prepared := make([]*Prepared, n)
		var wg sync.WaitGroup
		for w := range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for i := w; i < n; i += runtime.GOMAXPROCS(0) {
					prepared[i], _ = p.Prepare(Source{MailboxID: cp.ID, UID: uint32(i + 1)}, raws[i])
				}
			})
		}
		wg.Wait()
		b.StartTimer()
		start := time.Now()
		for batch := range slices.Chunk(prepared, 100) {
			if _, err := p.Commit(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		total += time.Since(start)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(n*b.N), "µs/message")
	b.ReportMetric(0, "ns/op")
}
