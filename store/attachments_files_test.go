package store

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFilesRemoveStale: the temporary files of a killed writer go at the
// next start; those of a live process, recent ones of unknown origin and
// every stored file stay.
func TestFilesRemoveStale(t *testing.T) {
	f := Files{Dir: t.TempDir()}
	_, sha, err := f.Write(strings.NewReader("un CV"))
	if err != nil {
		t.Fatal(err)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	write := func(name string, age time.Duration) string {
		p := filepath.Join(f.Dir, name)
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		return p
	}
	killed := write(".incoming-"+strconv.Itoa(dead.Process.Pid)+"-123", 0)
	mine := write(".incoming-"+strconv.Itoa(os.Getpid())+"-456", 0)
	oldUnknown := write(".incoming-789", 2*time.Hour)
	newUnknown := write(".incoming-abc", time.Minute)

	n, err := f.RemoveStale()
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("removed %d files, want 2", n)
	}
	for p, want := range map[string]bool{killed: false, mine: true, oldUnknown: false, newUnknown: true, f.Path(sha): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
	if n, err := (Files{Dir: filepath.Join(f.Dir, "absent")}).RemoveStale(); n != 0 || err != nil {
		t.Errorf("absent folder: %d, %v", n, err)
	}
}

// TestFilesWriteBuffered: an attachment handed over in small pieces (a
// decoder's lines) is written whole, named by its sha256, and written
// again only once.
func TestFilesWriteBuffered(t *testing.T) {
	f := Files{Dir: t.TempDir()}
	content := bytes.Repeat([]byte("0123456789abcdef"), 64<<10)
	var dirs Dirs
	size, sha, err := f.WriteDeferred(&smallReads{r: bytes.NewReader(content)}, &dirs)
	if err != nil {
		t.Fatal(err)
	}
	if err := dirs.Sync(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Path(sha))
	if err != nil || size != int64(len(content)) || !bytes.Equal(got, content) {
		t.Fatalf("stored %d bytes (%v), want %d", len(got), err, len(content))
	}
	if _, sha2, err := f.Write(bytes.NewReader(content)); err != nil || sha2 != sha {
		t.Errorf("second write: %s %v", sha2, err)
	}
	entries, _ := os.ReadDir(f.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// smallReads hands over at most 76 bytes per Read, as a base64 decoder
// reading line by line does.
type smallReads struct{ r *bytes.Reader }

func (s *smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), 76)]) }

// TestFilesWriteHashedReader: a reader that hashes what it hands out (as
// mailparse's does) names the file with its own sum, the one WriteDeferred
// would have computed; one read before WriteDeferred got it is refused,
// since its sum is not the file's.
func TestFilesWriteHashedReader(t *testing.T) {
	f := Files{Dir: t.TempDir()}
	content := bytes.Repeat([]byte("un dossier de candidature "), 10<<10)
	_, want, err := f.Write(bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(f.Path(want))
	size, sha, err := f.Write(&hashingReader{r: &smallReads{r: bytes.NewReader(content)}, h: sha256.New()})
	if err != nil || sha != want || size != int64(len(content)) {
		t.Fatalf("hashed reader: %d %s %v, want %d %s", size, sha, err, len(content), want)
	}
	if got, err := os.ReadFile(f.Path(sha)); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("stored %d bytes (%v), want %d", len(got), err, len(content))
	}

	read := &hashingReader{r: bytes.NewReader(content), h: sha256.New()}
	read.Read(make([]byte, 10))
	if _, _, err := f.Write(read); err == nil {
		t.Error("a reader read before: no error")
	}
	entries, _ := os.ReadDir(f.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// hashingReader is a hashedReader.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (c *hashingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

func (c *hashingReader) ReadSHA256() (int64, []byte) { return c.n, c.h.Sum(nil) }
