package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Attachment is the metadata of one attachment of a stored message.
type Attachment struct {
	ID            int64  `json:"-"`
	MessageID     int64  `json:"-"`
	ApplicationID int64  `json:"-"`
	Position      int    `json:"-"`
	Filename      string `json:"filename"`
	ContentType   string `json:"content_type"`
	Size          int64  `json:"size"`
	SHA256        string `json:"sha256"`
	Stored        bool   `json:"stored"`
	Refused       string `json:"refused,omitempty"` // why it was not kept, in French
	Inline        bool   `json:"inline,omitempty"`
	// Risky marks a type commonly used to carry malware (RiskyAttachment),
	// worked out from the name and type whenever it is read.
	Risky bool `json:"risky"`
}

// InsertAttachment records an attachment's metadata.
func (tx *Tx) InsertAttachment(ctx context.Context, a *Attachment) error {
	a.MarkRisky()
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO attachments
		(message_id, application_id, position, filename, content_type, size, sha256, stored, refused, inline)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.MessageID, nullID(a.ApplicationID), a.Position, a.Filename,
		a.ContentType, a.Size, a.SHA256, a.Stored, nullStr(a.Refused), a.Inline)
	if err != nil {
		return fmt.Errorf("store attachment %q: %w", a.Filename, err)
	}
	a.ID, _ = res.LastInsertId()
	return nil
}

// MarkRisky sets a.Risky, as InsertAttachment stores it: a risky part
// is never inline.
func (a *Attachment) MarkRisky() {
	a.Risky = RiskyAttachment(a.Filename, a.ContentType)
	if a.Risky {
		a.Inline = false // an HTML or SVG part is never displayed as part of a mail
	}
}

// LinkAttachments attaches every attachment of a message to an application.
func (tx *Tx) LinkAttachments(ctx context.Context, messageID, applicationID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE attachments SET application_id = ? WHERE message_id = ?`,
		applicationID, messageID); err != nil {
		return fmt.Errorf("link attachments of message %d: %w", messageID, err)
	}
	return nil
}

// Attachments lists the attachments of an application (applicationID) or,
// when applicationID is 0, of one message.
func (s *Store) Attachments(ctx context.Context, applicationID, messageID int64) ([]Attachment, error) {
	return listAttachments(ctx, s.db, applicationID, messageID)
}

// Attachments is Store.Attachments inside a transaction.
func (tx *Tx) Attachments(ctx context.Context, applicationID, messageID int64) ([]Attachment, error) {
	return listAttachments(ctx, tx.tx, applicationID, messageID)
}

func listAttachments(ctx context.Context, q querier, applicationID, messageID int64) ([]Attachment, error) {
	where, arg := "application_id = ?", applicationID
	if applicationID == 0 {
		where, arg = "message_id = ?", messageID
	}
	rows, err := q.QueryContext(ctx, `SELECT id, message_id, coalesce(application_id, 0), position, filename,
		content_type, size, sha256, stored, coalesce(refused, ''), inline FROM attachments
		WHERE `+where+` ORDER BY message_id, position`, arg)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	var as []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.MessageID, &a.ApplicationID, &a.Position, &a.Filename, &a.ContentType,
			&a.Size, &a.SHA256, &a.Stored, &a.Refused, &a.Inline); err != nil {
			return nil, fmt.Errorf("list attachments: %w", err)
		}
		a.Risky = RiskyAttachment(a.Filename, a.ContentType)
		as = append(as, a)
	}
	return as, rows.Err()
}

// Files keeps attachment bytes on disk, each file named by the sha256 of
// its content (DIR/ab/abcdef…), so the same CV sent twice is kept once and
// a name chosen by a sender never reaches the file system.
type Files struct {
	Dir string
	// Text reads the text of a raw mail (its decoded body), in which a
	// person's address is looked for: stored messages do not keep their
	// text. Nil looks in the raw bytes only, and misses an address in a
	// base64 or quoted-printable body.
	Text func(raw []byte) string
}

// Path returns where the file with this sha256 lives.
func (f Files) Path(sha string) string {
	if len(sha) < 2 {
		return filepath.Join(f.Dir, sha)
	}
	return filepath.Join(f.Dir, sha[:2], sha)
}

// ReadRaw returns a message's raw bytes kept as the file sha (see
// Message.RawInFiles and WriteRaw).
func (f Files) ReadRaw(sha string) ([]byte, error) {
	if f.Dir == "" {
		return nil, fmt.Errorf("raw mail %s is kept in the attachments folder, which is not set", sha)
	}
	b, err := os.ReadFile(f.Path(sha))
	if err != nil {
		return nil, fmt.Errorf("raw mail: %w", err)
	}
	return f.readRaw(sha, b)
}

// tempPrefix starts the name of a file being written; the writer's process
// id follows, so that a later start can tell a killed writer's leftovers
// (see RemoveStale) from the files a live process is writing.
const tempPrefix = ".incoming-"

// writeBuffer is what goes to the file system in one write: decoders hand
// over a base64 line at a time, and a system call per line is what made
// intake slow.
const writeBuffer = 256 << 10

// writerPool recycles the write buffers: allocating and clearing 256 KB
// for each attachment cost more than most attachments do.
var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBuffer) }}

// hashedReader is a reader that computes the sha256 of every byte it hands
// out, from its first; mailparse hands attachments so. WriteDeferred then
// names the file from that sum rather than hash the same bytes again.
type hashedReader interface {
	io.Reader
	// ReadSHA256 returns how many bytes were read and their sha256.
	ReadSHA256() (n int64, sum []byte)
}

// Write streams r to disk, durably (the file and its folder fsync'd), and
// returns its size and sha256. Call it before committing the record that
// refers to the file.
func (f Files) Write(r io.Reader) (size int64, sha string, err error) {
	var dirs Dirs
	size, sha, err = f.WriteDeferred(r, &dirs)
	if err != nil {
		return 0, "", err
	}
	if err := dirs.Sync(); err != nil {
		return 0, "", err
	}
	return size, sha, nil
}

// WriteDeferred is Write leaving the folders to sync to dirs: the file's
// bytes are fsync'd once, before it takes its name, so a file found under
// its final name is always whole; the name itself is durable once dirs is
// synced, which must happen before the commit that refers to the file.
// Syncing the folders once for a batch of messages, not once per file, is
// what makes group commit pay off for mail with attachments.
func (f Files) WriteDeferred(r io.Reader, dirs *Dirs) (size int64, sha string, err error) {
	if err := mkdirPrivate(f.Dir); err != nil {
		return 0, "", fmt.Errorf("attachments folder %s: %w", f.Dir, err)
	}
	tmp, err := os.CreateTemp(f.Dir, tempPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return 0, "", fmt.Errorf("attachments folder %s: %w", f.Dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	hr, hashed := r.(hashedReader)
	var h hash.Hash
	// Hidden behind a plain io.Writer, the file's ReadFrom cannot bypass
	// the buffer: it would make one system call per decoder read.
	var w io.Writer = struct{ io.Writer }{tmp}
	if !hashed {
		h = sha256.New()
		w = io.MultiWriter(tmp, h)
	}
	bw := writerPool.Get().(*bufio.Writer)
	bw.Reset(w)
	size, err = io.Copy(bw, r)
	if err == nil {
		err = bw.Flush()
	}
	bw.Reset(nil)
	writerPool.Put(bw)
	if err != nil {
		return 0, "", fmt.Errorf("write attachment in %s: %w", f.Dir, err)
	}
	var sum []byte
	if hashed {
		var n int64
		if n, sum = hr.ReadSHA256(); n != size {
			// The reader was read before: its sum is not the file's.
			err = fmt.Errorf("write attachment in %s: reader hashed %d bytes, %d written", f.Dir, n, size)
			return 0, "", err
		}
	} else {
		sum = h.Sum(nil)
	}
	sha = hex.EncodeToString(sum)
	if err = f.place(tmp, sha, dirs); err != nil {
		return 0, "", err
	}
	return size, sha, nil
}

// place gives the written file tmp its name sha, durably but for the
// folder entries left to dirs. A file of that name is kept already when
// the same bytes came before: tmp goes then.
func (f Files) place(tmp *os.File, sha string, dirs *Dirs) error {
	dst := f.Path(sha)
	if _, err := os.Stat(dst); err == nil {
		// Kept already (only whole files ever take their name).
		tmp.Close()
		os.Remove(tmp.Name())
		dirs.add(filepath.Dir(dst))
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("write attachment %s: %w", dst, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write attachment in %s: %w", f.Dir, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write attachment in %s: %w", f.Dir, err)
	}
	sub := filepath.Dir(dst)
	if _, err := os.Stat(sub); errors.Is(err, os.ErrNotExist) {
		if err = mkdirPrivate(sub); err != nil {
			return fmt.Errorf("write attachment: %w", err)
		}
		dirs.add(f.Dir) // the new folder's own name
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("write attachment %s: %w", dst, err)
	}
	dirs.add(sub)
	return nil
}

// Dirs is a set of folders whose new entries are not yet durable. Its zero
// value is ready; it is safe for concurrent use.
type Dirs struct {
	mu  sync.Mutex
	set map[string]struct{}
}

func (d *Dirs) add(dir string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.set == nil {
		d.set = map[string]struct{}{}
	}
	d.set[dir] = struct{}{}
}

// Merge adds the folders of o to d.
func (d *Dirs) Merge(o *Dirs) {
	if o == nil {
		return
	}
	o.mu.Lock()
	dirs := make([]string, 0, len(o.set))
	for dir := range o.set {
		dirs = append(dirs, dir)
	}
	o.mu.Unlock()
	for _, dir := range dirs {
		d.add(dir)
	}
}

// Sync makes every new entry durable (one fsync per folder) and empties d.
func (d *Dirs) Sync() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for dir := range d.set {
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("sync attachments folder %s: %w", dir, err)
		}
		delete(d.set, dir)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// staleAge is how old a temporary file without a process id (written by
// an older version) must be before RemoveStale takes it for a leftover.
const staleAge = time.Hour

// RemoveStale deletes the temporary files a killed writer left in the
// attachments folder: those of a process that no longer runs. It reports
// how many it removed. A file is temporary until it takes its sha256
// name, so no stored attachment is ever touched.
func (f Files) RemoveStale() (int, error) {
	entries, err := os.ReadDir(f.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("attachments folder %s: %w", f.Dir, err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, tempPrefix)
		if !ok || e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, perr := strconv.Atoi(pidText)
		switch {
		case perr == nil && pid > 0:
			if pid == os.Getpid() || processAlive(pid) {
				continue
			}
		default:
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < staleAge {
				continue
			}
		}
		if err := os.Remove(filepath.Join(f.Dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return n, fmt.Errorf("remove leftover %s: %w", filepath.Join(f.Dir, name), err)
		}
		n++
	}
	return n, nil
}

// processAlive reports whether a process with this id runs (signal 0
// checks without sending anything; EPERM means it runs as someone else).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
