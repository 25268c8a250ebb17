package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LockPath is the lock file of the database at path: the database file's
// real path, symlinks followed, plus ".lock". Every spelling of one
// database (relative or absolute, through a symlinked folder or a symlink
// to the file) names one lock file, as SQLite itself follows symlinks to
// put the -wal file beside the real file. The same folder reached through
// two mount points holds one lock file too. A hard link under another name
// does not share the lock, nor does SQLite support one.
func LockPath(database string) (string, error) {
	real, err := realPath(database)
	if err != nil {
		return "", fmt.Errorf("find the database file %s: %w", database, err)
	}
	return real + ".lock", nil
}

// LockDatabase takes the one-daemon lock of the database at path (see
// LockPath and Lock).
func LockDatabase(database string) (*FileLock, error) {
	p, err := LockPath(database)
	if err != nil {
		return nil, err
	}
	return Lock(p)
}

// DatabaseHolder is Holder for the lock of the database at path.
func DatabaseHolder(database string) (held bool, pid int, err error) {
	p, err := LockPath(database)
	if err != nil {
		return false, 0, err
	}
	return Holder(p)
}

// maxLinks bounds the symlinks followed, as the kernel's ELOOP does.
const maxLinks = 40

// realPath is path made absolute with every symlink resolved. Unlike
// filepath.EvalSymlinks it accepts a file that does not exist yet (a
// database about to be created), even behind a dangling symlink, as long
// as its folder exists.
func realPath(path string) (string, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	for range maxLinks {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return real, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return "", err
			}
			// Not there yet: the folder decides.
			dir, err := filepath.EvalSymlinks(filepath.Dir(p))
			if err != nil {
				return "", err
			}
			return filepath.Join(dir, filepath.Base(p)), nil
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return "", fmt.Errorf("%s: unexpected file type %v", p, fi.Mode().Type())
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}
