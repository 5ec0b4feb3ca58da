package intake

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store"
)

// Fault tests against a real Dovecot: connections cut at random points,
// a store whose disk fills up. They take about a minute, so they run only
// when RSE_FAULT_TESTS=1 (.ci/run sets it).

func requireFaultTests(t *testing.T) {
	t.Helper()
	if os.Getenv("RSE_FAULT_TESTS") != "1" {
		t.Skip("fault tests run with RSE_FAULT_TESTS=1")
	}
}

// TestPollConnectionCut puts a TCP proxy between the poller and Dovecot
// that cuts each connection somewhere in the FETCH or around the flag or
// move command (before the server sees it, or after it but before the
// client reads the answer). After the faults stop, every message is
// stored exactly once and marked.
func TestPollConnectionCut(t *testing.T) {
	requireFaultTests(t)
	const n = 300
	raws := uniqueCorpus(t, n)
	var size int64
	for _, r := range raws {
		size += int64(len(r))
	}
	for _, processed := range []string{"flag", "move:Traités"} {
		t.Run(processed, func(t *testing.T) {
			d := imaptest.StartDovecot(t)
			if err := d.SeedMaildir(raws); err != nil {
				t.Fatal(err)
			}
			proxy, err := imaptest.NewProxy(d.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			markCmd := "UID STORE"
			if processed != "flag" {
				markCmd = "UID MOVE"
			}
			rng := rand.New(rand.NewPCG(7, uint64(len(processed))))
			conns := 0
			proxy.SetRule(func() imaptest.Cut {
				// The first connections meet each kind of cut once, the
				// others one at random.
				kind := rng.IntN(3)
				if conns < 3 {
					kind = conns
				}
				conns++
				switch kind {
				case 0: // anywhere in the transfer
					return imaptest.Cut{AfterServerBytes: 1 + rng.Int64N(size/3)}
				case 1: // the mark never reaches the server
					return imaptest.Cut{OnClientText: markCmd, CutOnText: true, ServerBytesAfter: -1}
				default: // the server marked, the client never heard it
					return imaptest.Cut{OnClientText: markCmd, CutOnText: true, ServerBytesAfter: rng.Int64N(8)}
				}
			})
			st, pl := newIMAPPipeline(t)
			o := dovecotOptions(d, processed)
			o.Port = proxy.Port()
			o.BatchSize = 20
			p := NewPoller(st, pl, o)
			failed := 0
			for round := range 30 {
				stats, err := p.PollOnce(t.Context())
				if err != nil {
					failed++
				}
				t.Logf("round %d: stored %d, marked %d, checkpoint %d: %v", round, stats.Stored, stats.Marked,
					stats.Checkpoint, err)
				if err == nil && stats.Fetched == 0 && pendingMarks(t, st) == 0 {
					break
				}
			}
			cuts := proxy.Cuts()
			t.Logf("%d cuts, %d failed polls: %v", len(cuts), failed, cuts)
			var inTransfer, atMark int
			for _, c := range cuts {
				if c.Rule.CutOnText {
					atMark++
				} else {
					inTransfer++
				}
			}
			if failed < 3 || inTransfer == 0 || atMark < 2 {
				t.Errorf("%d polls failed, %d cuts in a transfer, %d at a mark: the faults prove little", failed,
					inTransfer, atMark)
			}
			proxy.SetRule(nil)
			if _, err := p.PollOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n := pendingMarks(t, st); n != 0 {
				t.Errorf("%d messages left unmarked", n)
			}
			mbs := []string{"INBOX"}
			if processed != "flag" {
				mbs = append(mbs, "Traités")
			}
			assertExactlyOnce(t, st, d.Account(), mbs...)
			checkMarks(t, d.Account(), processed, n)
		})
	}
}

// TestPollDiskFull fills the store's disk (a small tmpfs) during a poll:
// intake stops with an error naming the path, leaves nothing half-stored
// (every stored message has all its attachment records and files, the
// checkpoint is the last one stored), and once there is room again the
// next poll takes the rest in, nothing lost, nothing twice.
func TestPollDiskFull(t *testing.T) {
	requireFaultTests(t)
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "store")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })

	corpus := uniqueCorpus(t, 40)
	var raws [][]byte
	for i, raw := range corpus {
		raws = append(raws, raw)
		if i%4 == 0 { // a 200 KB PDF every few mails: files and rows both fill the disk
			raws = append(raws, imaptest.SetMessageID(bigApplication(t, 200<<10), fmt.Sprintf("big-%d@test.invalid", i)))
		}
	}
	d := imaptest.StartDovecot(t)
	if err := d.SeedMaildir(raws); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), filepath.Join(mnt, "rse.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	files := store.Files{Dir: st.Path() + ".files"}
	pl := NewPipeline(st, Config{Program: extract.Program{Address: "rse.innovation.manageriale@gmail.com",
		ReferencePrefix: "RSE"}, Files: files, MaxAttachmentSize: 20 << 20})
	o := dovecotOptions(d, "flag")
	o.BatchSize = 8
	// Readers write a mail's files before its batch commits; with little
	// mail in flight they cannot fill the disk ahead of the first commits,
	// and the disk fills partway, as it does on a real store.
	o.inFlight = 1 << 20
	p := NewPoller(st, pl, o)

	stats, err := p.PollOnce(t.Context())
	if err == nil {
		t.Fatalf("poll on a full disk succeeded: %+v", stats)
	}
	t.Logf("full: stored %d, checkpoint %d: %v", stats.Stored, stats.Checkpoint, err)
	if !strings.Contains(err.Error(), mnt) {
		t.Errorf("the error does not name the path %s: %v", mnt, err)
	}
	if !errors.Is(err, syscall.ENOSPC) && !strings.Contains(err.Error(), "full") {
		t.Errorf("the error does not say the disk is full: %v", err)
	}
	if stats.Stored == 0 || stats.Stored >= len(raws) {
		t.Errorf("stored %d of %d before the disk filled: the test proves little", stats.Stored, len(raws))
	}
	assertWhole(t, st, files)

	if out, err := exec.Command("mount", "-o", "remount,size=64m", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v %s", err, out)
	}
	if _, err := p.PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	assertWhole(t, st, files)
	assertExactlyOnce(t, st, d.Account(), "INBOX")
	checkMarks(t, d.Account(), "flag", len(raws))
}

// assertWhole checks that every stored message is whole: its attachment
// records are there (as many as parsing finds again), each kept file
// exists with its size, and the checkpoint is the highest UID stored.
func assertWhole(t *testing.T, st *store.Store, files store.Files) {
	t.Helper()
	ctx := context.Background()
	ids, err := st.MessageIDs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var maxUID uint32
	for _, id := range ids {
		m, err := st.Message(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		maxUID = max(maxUID, m.UID)
		raw, err := st.MessageRaw(ctx, id, files)
		if err != nil {
			t.Fatal(err)
		}
		an, err := Analyze(raw, extract.Program{}, mailparse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		atts, err := st.Attachments(ctx, 0, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != len(an.Mail.Attachments) {
			t.Errorf("message %d: %d attachment records, want %d", id, len(atts), len(an.Mail.Attachments))
		}
		for _, a := range atts {
			if !a.Stored {
				continue
			}
			info, err := os.Stat(files.Path(a.SHA256))
			if err != nil || info.Size() != a.Size {
				t.Errorf("message %d: attachment %s: %v (size %v, want %d)", id, a.Filename, err, info, a.Size)
			}
		}
	}
	cps, err := st.Checkpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) > 0 && (len(cps) != 1 || cps[0].LastUID != maxUID) {
		t.Errorf("checkpoints %+v, want last UID %d", cps, maxUID)
	}
	entries, _ := os.ReadDir(files.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".incoming-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
