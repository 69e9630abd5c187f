// Package atomicfile writes files so that readers and crashes only ever
// see the old content or the new, never a part: the data goes to a
// temporary dot file in the same directory, is fsynced, renamed over (or,
// for a new file, hard-linked to) the final name, and the directory is
// fsynced so the rename survives a power cut. The corpus folder (documents
// and manifest) and the index snapshot both write this way.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is a file being written that replaces its final path on Commit.
// Write to it like an *os.File; call Abort (safe after Commit) in a defer
// so a failed write leaves nothing behind.
type File struct {
	*os.File
	final string
	perm  fs.FileMode
	done  bool
}

// tempPrefix is the start of the temporary name for a final base name.
// The leading dot keeps the corpus loader from reading a file in progress.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// Create starts writing the file that will replace path, with permissions
// perm once committed.
func Create(path string, perm fs.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return nil, err
	}
	return &File{File: f, final: path, perm: perm}, nil
}

// Commit makes the written data durable and renames it into place.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	tmp := f.Name()
	if err := f.finish(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, f.final); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("rename into place: %w", err)
	}
	return SyncDir(filepath.Dir(f.final))
}

// finish fsyncs, closes and sets the permissions of the temporary file.
func (f *File) finish() error {
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("fsync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	if err := os.Chmod(f.Name(), f.perm); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	return nil
}

// Abort discards the file unless it was committed.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// WriteFile atomically replaces path with data.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	return f.Commit()
}

// WriteNew atomically creates path with data and fails with an error
// matching fs.ErrExist when path already exists: a hard link is the
// rename that never overwrites. Where the file system has no hard links it
// falls back to a checked rename, which is safe only against writers that
// hold the same lock as the caller.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("create %s: %w", path, fs.ErrExist)
	}
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	f.done = true // from here on this function cleans up itself
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.finish(); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create %s: %w", path, fs.ErrExist)
		}
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("create %s: %w", path, fs.ErrExist)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes a rename in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync dir %s: %w", dir, err)
	}
	return nil
}

// RemoveStale deletes the temporary files that writes of path left when
// they were killed, if older than age (a younger one may be a write in
// progress in another process), and returns their names.
func RemoveStale(path string, age time.Duration, now time.Time) []string {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix(base)) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > age && os.Remove(p) == nil {
			removed = append(removed, p)
		}
	}
	return removed
}
