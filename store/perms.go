package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Personal data is kept owner-only whatever the umask: files 0600,
// folders 0700. The modes are set explicitly after creation, because the
// mode given to open(2) or mkdir(2) only ever loses bits to the umask.
const (
	privateFile fs.FileMode = 0o600
	privateDir  fs.FileMode = 0o700
)

// mkdirPrivate creates dir and its missing parents owner-only. Folders
// that already exist are left as they are (a home directory is not ours
// to change); CheckPermissions reports them.
func mkdirPrivate(dir string) error {
	if dir == "" || dir == "." {
		return nil
	}
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := mkdirPrivate(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, privateDir); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return os.Chmod(dir, privateDir)
}

// createPrivate creates path owner-only when it does not exist; an
// existing file keeps its mode (CheckPermissions reports it).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateFile)
	if errors.Is(err, fs.ErrExist) {
		f, err = os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		return f.Close()
	}
	if err != nil {
		return err
	}
	if err := f.Chmod(privateFile); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// DatabaseFiles are the files SQLite keeps for the database at path: the
// database, its write-ahead log and its shared-memory index.
func DatabaseFiles(path string) []string { return []string{path, path + "-wal", path + "-shm"} }

// CheckPermissions returns one warning for each of paths (files or
// folders, folders looked into) that others than its owner may read or
// write; paths that do not exist are skipped. `check` shows the
// warnings: pass it the database files (DatabaseFiles), the attachments
// folder, password files and the OAuth token file.
func CheckPermissions(paths []string) []string {
	var warns []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			warns = append(warns, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		if !info.IsDir() {
			if w := modeWarning(p, info.Mode()); w != "" {
				warns = append(warns, w)
			}
			continue
		}
		// A folder of thousands of attachment files gets one warning for
		// the folder and one summary line for its files, not thousands.
		var loose int
		var first string
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if fi.Mode().Perm()&0o077 == 0 {
				return nil
			}
			if q == p {
				warns = append(warns, modeWarning(q, fi.Mode()))
				return nil
			}
			if loose == 0 {
				first = q
			}
			loose++
			return nil
		})
		if err != nil {
			warns = append(warns, fmt.Sprintf("%s: %v", p, err))
		}
		if loose > 0 {
			warns = append(warns, fmt.Sprintf("%d files or folders under %s can be read by others than their owner (first: %s): chmod -R go-rwx %s",
				loose, p, first, p))
		}
	}
	return warns
}

func modeWarning(path string, mode fs.FileMode) string {
	if mode.Perm()&0o077 == 0 {
		return ""
	}
	want := "chmod 600"
	if mode.IsDir() {
		want = "chmod -R go-rwx"
	}
	return fmt.Sprintf("%s can be read by others than its owner (mode %04o): %s %s", path, mode.Perm(), want, path)
}
