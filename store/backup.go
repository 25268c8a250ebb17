package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to dest with VACUUM INTO:
// it reads one snapshot, so the daemon may go on writing meanwhile, and the
// copy is compacted and has no -wal file to go with it. A PostgreSQL
// database is backed up the same way, into a SQLite file (CopyTo).
//
// dest must not exist, not even as a symlink (which is never followed). The
// copy is written to dest.partial (mode 0600), synced, and only then given
// the name dest, so that dest is either absent or a complete database. A
// backup killed mid-way leaves dest.partial, which the next backup to dest
// reuses; two backups to one dest at once are refused.
//
// To restore: stop the daemon, copy the backup over the database file,
// delete the database's -wal and -shm files, start the daemon.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if err := s.backup(ctx, dest); err != nil {
		return fmt.Errorf("back up to %s: %w", dest, err)
	}
	return nil
}

func (s *Store) backup(ctx context.Context, dest string) (err error) {
	if err := notThere(dest); err != nil {
		return err
	}
	partial := dest + ".partial"
	f, err := openPartial(partial)
	if err != nil {
		return err
	}
	defer f.Close() // releases the lock, after the removal below
	defer func() {
		// On success, the backup is under its name already.
		if rerr := os.Remove(partial); rerr != nil && err == nil {
			err = rerr
		}
	}()
	// VACUUM INTO takes an empty file as a new database and keeps its
	// mode. A journal left by a killed backup would be replayed into it.
	if err := f.Truncate(0); err != nil {
		return err
	}
	if err := os.Remove(partial + "-journal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := s.writeBackup(ctx, partial); err != nil {
		return err
	}
	if err := f.Sync(); err != nil { // VACUUM INTO does not sync its output
		return fmt.Errorf("sync %s: %w", partial, err)
	}
	if err := os.Link(partial, dest); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errors.New("file exists")
		}
		// A file system without hard links: rename, after looking again
		// (rename would replace a file created meanwhile).
		if err := notThere(dest); err != nil {
			return err
		}
		if err := os.Rename(partial, dest); err != nil {
			return err
		}
	}
	dir := filepath.Dir(dest)
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// writeBackup writes the database into the empty SQLite file partial:
// with VACUUM INTO, or, from PostgreSQL, as a copy (CopyTo) into a new
// SQLite database, verified table by table.
func (s *Store) writeBackup(ctx context.Context, partial string) error {
	if s.dialect == sqliteDialect {
		_, err := s.db.ExecContext(ctx, "VACUUM INTO ?", partial)
		return err
	}
	for _, leftover := range []string{partial + "-wal", partial + "-shm"} {
		if err := os.Remove(leftover); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	dst, err := Open(ctx, partial)
	if err != nil {
		return err
	}
	if _, err := s.CopyTo(ctx, dst, nil); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// notThere fails unless nothing, not even a dangling symlink, is at path.
func notThere(path string) error {
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return errors.New("file exists")
	case errors.Is(err, fs.ErrNotExist):
		return nil
	}
	return err
}

// syncDir flushes a folder's entries to stable storage.
func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
